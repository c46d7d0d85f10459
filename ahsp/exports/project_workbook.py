"""A whole project as the project workbook (.xlsx) that ``ahsp.importers.project_workbook`` reads back.

The reverse of the import, in exactly its format (sheet names, column headers and keys are imported from
the importer and the template, never repeated here):

- ``Proyek``: one row per key of ``PROJECT_KEYS``, in that order (header fields, BUK, PPN, rounding of
  the total and its direction, HSP rounding, numbering, signatories), empty values included;
- ``Pekerjaan``: every work item in tree order (the RAB's order and numbering) with klasifikasi,
  sub_klasifikasi, the project analysis code, uraian, satuan, the stored volume and the item's own BUK %
  (``overhead_pct_override`` as ``buk_persen``; empty = the project's BUK);
- ``Harga``: every project resource (code, name, unit, kategori as the template's word, price; an
  unpriced resource has an empty ``harga_satuan``);
- ``Analisa``: every project analysis with its components (resources and nested analyses) in position
  order; its uraian/satuan on its first row. An analysis without components is one row with only
  uraian/satuan (the importer reads it as an empty analysis).

Cells: user text is always an explicit string cell (``data_type = "s"``, text format): Excel never evaluates
it, so ``=1+1`` or ``<script>`` come back unchanged (no ``'`` prefix, which the importer would keep).
Characters XML cannot hold (control characters other than tab and newline) are dropped. Numbers are real
numeric cells; a value with more than 15 significant digits (more than Excel keeps) is written as text
with a decimal comma, which the importer reads exactly. The sheets are streamed (write-only).

What does NOT round-trip (the import format cannot carry it):

- volume formulas and project parameters: the computed volume is exported, the formula is lost;
- purchase unit and factor of resources; the project status; reference links and "modified" flags are
  re-derived by the importer from the codes against the current library;
- the section tree beyond two levels: a deeper section becomes a sub_klasifikasi named by its path below
  the klasifikasi (``"B / C"``, cut at 255 characters); sections without work items are not exported,
  and sibling sections with the same name are merged on import;
- an analysis listing the same resource twice is exported as one line with the summed coefficient
  (the importer refuses duplicates; the HSP is unchanged);
- the importer trims leading/trailing spaces of every text, and resolves a ``kode_item`` that is both a
  resource code and an analysis code of the project to the resource.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from decimal import Decimal
from itertools import groupby

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from ahsp.calculations.totals import ItemInput, SectionInput
from ahsp.calculations.tree import breakdown_order
from ahsp.importers.project_template import (
    CATEGORY_CHOICES,
    HEADER_FILL,
    HEADER_FONT,
    PROJECT_COLUMNS,
    TEXT_FORMAT,
)
from ahsp.importers.project_workbook import (
    ANALYSIS_COLUMNS,
    CATEGORY_ALIASES,
    NAME_MAX,
    NUMBERING_NAMES,
    PRICE_COLUMNS,
    PROJECT_KEYS,
    ROUNDING_MODE_NAMES,
    SHEET_ANALYSES,
    SHEET_PRICES,
    SHEET_PROJECT,
    SHEET_WORK,
    WORK_COLUMNS,
)
from ahsp.models import AnalysisComponent, Project, ProjectAnalysis, ProjectResource, Section, WorkItem

Progress = Callable[[int, int, str], None]

CATEGORY_WORDS = {CATEGORY_ALIASES[word.lower()]: word for word in CATEGORY_CHOICES}
PATH_SEPARATOR = " / "
EXACT_DIGITS = 15  # significant digits Excel keeps in a number
DATE_FORMAT = "dd/mm/yyyy"
CHUNK = 2000
WIDTHS = {"kunci": 24, "nilai": 48, "klasifikasi": 28, "sub_klasifikasi": 28, "uraian": 48}


class _Reporter:
    """Calls ``progress`` at every 5 % of the units, on every new stage, and at the end."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress = progress or (lambda done, total, stage: None)
        self.total = total
        self.step = max(1, total // 20)
        self.done = 0
        self.stage = ""

    def __call__(self, stage: str, units: int = 1) -> None:
        before, self.done = self.done, self.done + units
        if stage != self.stage or self.done // self.step != before // self.step or self.done >= self.total:
            self.stage = stage
            self.progress(min(self.done, self.total), self.total, stage)


def _text(ws, value: str | None):
    """A string cell, never a formula; None for an empty value."""
    if not value:
        return None
    cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"
    cell.number_format = TEXT_FORMAT
    return cell


def _number(ws, value):
    """A numeric cell (Decimal written exactly up to 15 significant digits), or exact text beyond."""
    if value is None:
        return None
    if len(value.normalize().as_tuple().digits) > EXACT_DIGITS:
        return _text(ws, f"{value:f}".replace(".", ","))
    return WriteOnlyCell(ws, value=value)


def _header(ws, columns: tuple[str, ...]) -> None:
    cells = []
    for index, name in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = WIDTHS.get(name, 16)
        cell = WriteOnlyCell(ws, value=name)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cells.append(cell)
    ws.freeze_panes = "A2"
    ws.append(cells)


def _project_value(ws, project: Project, field_name: str, kind: str):
    value = getattr(project, field_name)
    if kind in {"text", "longtext"}:
        return _text(ws, value)
    if kind == "rounding_mode":
        return _text(ws, ROUNDING_MODE_NAMES[value])
    if kind == "numbering":
        return _text(ws, NUMBERING_NAMES[value])
    if kind == "date":
        if value is None:
            return None
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    if kind in {"year", "weeks", "rounding", "hsp_rounding"}:
        return None if value is None else WriteOnlyCell(ws, value=int(value))
    return _number(ws, value)  # overhead, vat, money


def _write_project(ws, project: Project) -> None:
    _header(ws, PROJECT_COLUMNS)
    for key, (field_name, kind, _required) in PROJECT_KEYS.items():
        ws.append([_text(ws, key), _project_value(ws, project, field_name, kind)])


def _work_rows(project: Project) -> Iterator[tuple[str, str, tuple]]:
    """(klasifikasi, sub_klasifikasi, item values) in tree order: a section's sub-sections and items by
    position, the sub-section first on a tie (the numbering's rule, ``calculations.tree.breakdown_order``)."""
    sections = list(
        Section.objects.filter(project=project).order_by().values_list("id", "parent_id", "name", "position")
    )
    names = {pk: name for pk, _, name, _ in sections}
    items: dict[int, tuple] = {}
    leaves = []
    for pk, *row in (
        WorkItem.objects.filter(project=project)
        .order_by()
        .values_list(
            "id",
            "position",
            "section_id",
            "analysis__code",
            "name",
            "unit",
            "volume",
            "overhead_pct_override",
        )
    ):
        items[pk] = tuple(row)
        leaves.append(ItemInput(pk, row[1], row[0], Decimal(0), Decimal(0)))
    paths: dict[int | None, tuple[str, ...]] = {None: ()}
    tree = [SectionInput(pk, parent_id, position) for pk, parent_id, _, position in sections]
    for (kind, pk), parent_id in breakdown_order(tree, leaves):
        if kind == "section":
            paths[pk] = (*paths[parent_id], names[pk])
        else:
            path = paths[parent_id]
            yield path[0], PATH_SEPARATOR.join(path[1:])[:NAME_MAX], items[pk]


def _write_work(ws, project: Project, report: _Reporter) -> None:
    _header(ws, WORK_COLUMNS)
    for section, subsection, (_pos, _sid, code, name, unit, volume, overhead) in _work_rows(project):
        values = {
            "klasifikasi": _text(ws, section),
            "sub_klasifikasi": _text(ws, subsection),
            "kode_ahsp": _text(ws, code),
            "uraian": _text(ws, name),
            "satuan": _text(ws, unit),
            "volume": _number(ws, volume),
            "buk_persen": _number(ws, overhead),  # None (empty) = the project's BUK
        }
        ws.append([values[column] for column in WORK_COLUMNS])
        report("Menulis pekerjaan")


def _write_prices(ws, project: Project, report: _Reporter) -> None:
    _header(ws, PRICE_COLUMNS)
    rows = (
        ProjectResource.objects.filter(project=project)
        .order_by("category", "code", "id")
        .values_list("code", "name", "unit", "category", "unit_price")
    )
    for code, name, unit, category, price in rows.iterator(chunk_size=CHUNK):
        values = {
            "kode_item": _text(ws, code),
            "uraian": _text(ws, name),
            "satuan": _text(ws, unit),
            "kategori": _text(ws, CATEGORY_WORDS[category]),
            "harga_satuan": _number(ws, price),
        }
        ws.append([values[column] for column in PRICE_COLUMNS])
        report("Menulis harga")


def _write_analyses(ws, project: Project, report: _Reporter) -> None:
    """Analyses and their components, merged from two queries in the same (code, id) order."""
    _header(ws, ANALYSIS_COLUMNS)
    analyses = ProjectAnalysis.objects.filter(project=project).order_by("code", "id")
    components = (
        AnalysisComponent.objects.filter(analysis__project=project)
        .order_by("analysis__code", "analysis_id", "position", "id")
        .values_list("analysis_id", "resource__code", "nested_analysis__code", "coefficient")
    )
    groups = groupby(components.iterator(chunk_size=CHUNK), key=lambda row: row[0])
    pending = next(groups, None)
    for pk, code, name, unit in analyses.values_list("id", "code", "name", "unit").iterator(chunk_size=CHUNK):
        lines: dict[str, object] = {}  # item code -> coefficient (a repeated item is summed)
        if pending is not None and pending[0] == pk:
            for _id, resource_code, nested_code, coefficient in pending[1]:
                target = resource_code if resource_code is not None else nested_code
                lines[target] = lines.get(target, 0) + coefficient
                report("Menulis analisa")
            pending = next(groups, None)
        header = {"uraian": _text(ws, name), "satuan": _text(ws, unit)}
        for number, (target, coefficient) in enumerate(lines.items() or [(None, None)]):
            values = {
                "kode_ahsp": _text(ws, code),
                "kode_item": _text(ws, target),
                "koefisien": _number(ws, coefficient),
                **(header if number == 0 else {}),
            }
            ws.append([values.get(column) for column in ANALYSIS_COLUMNS])
    if pending is not None:  # the two orderings disagreed: never write a partial workbook
        raise RuntimeError("Komponen analisa tidak dapat dicocokkan dengan analisanya.")


def build_project_workbook(project: Project, *, progress: Progress | None = None) -> bytes:
    """The project workbook as bytes. ``progress(done, total, stage)``: at the start, at every 5 % of the
    rows (items, resources, components) and at the end with ``done == total``."""
    total = (
        WorkItem.objects.filter(project=project).count()
        + ProjectResource.objects.filter(project=project).count()
        + AnalysisComponent.objects.filter(analysis__project=project).count()
        + 2  # the Proyek sheet and the saving of the workbook
    )
    report = _Reporter(progress, total)
    report.progress(0, total, "Menyiapkan")
    workbook = Workbook(write_only=True)
    _write_project(workbook.create_sheet(SHEET_PROJECT), project)
    report("Menulis data proyek")
    _write_work(workbook.create_sheet(SHEET_WORK), project, report)
    _write_prices(workbook.create_sheet(SHEET_PRICES), project, report)
    _write_analyses(workbook.create_sheet(SHEET_ANALYSES), project, report)
    buffer = io.BytesIO()
    workbook.save(buffer)
    report("Selesai")
    return buffer.getvalue()
