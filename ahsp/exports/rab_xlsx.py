"""The RAB as an Excel workbook (openpyxl, write-only): one sheet "RAB" that recalculates in Excel.

Layout: a header block with the project fields (nama, pemilik, lokasi, sumber dana, tahun anggaran), the
table header (row ``HEADER_ROW``, frozen with everything above it and repeated on every printed page),
then one row per section and work item in tree order (numbering as on the page and in the CSV), then the
rows Jumlah, PPN, Jumlah total and Dibulatkan.

Volumes and HSP are real numbers (``Decimal`` written exactly), never text. Everything derived is a live
formula, so editing a volume or an HSP in Excel recalculates the item, its sections and the totals:

- item: ``G = ROUND(E*F, 2)`` (Excel's ROUND is half away from zero, like ``quantize_money``);
- section: ``G = SUM`` of its direct item rows (contiguous runs as ranges) and its direct sub-section
  subtotal cells; an empty section is ``=0``;
- Jumlah = SUM of the top-level section subtotals; PPN = ``ROUND(Jumlah * rate / 100, 2)`` with the rate
  in column F of the PPN row; Jumlah total = Jumlah + PPN; Dibulatkan = ``ROUNDDOWN`` / ``ROUNDUP`` /
  ``ROUND`` (project rounding mode: toward zero / away from zero / nearest) of Jumlah total / step, times
  the step (in column F of that row); step 0 = ``=Jumlah total``;
- bobot (%) of items and sections = Jumlah / total x 100 (0 while the total is 0).

Text from users (no, kode, uraian, satuan, header fields) goes through ``rab_csv.text_cell``: a leading
``=``, ``+``, ``-``, ``@``, tab or CR gets a leading ``'``, and the cell is always stored as a string, so
Excel never runs it as a formula.

The rows are read once (``iter_full_rab``) and kept as the loader's light row objects, because a section's
row (written first) needs the row numbers of its children; the sheet itself is streamed (write-only), so
openpyxl never holds the cells in memory.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ahsp.exports.xlsx_common import _cell, _text, header_block
from ahsp.loaders import ItemRow, Row, SectionRow, iter_full_rab, load_rab_summary
from ahsp.models import Project

Progress = Callable[[int, int, str], None]

SHEET_TITLE = "RAB"
TITLE = "RENCANA ANGGARAN BIAYA (RAB)"
HEADER = (
    "No",
    "Kode",
    "Uraian Pekerjaan",
    "Satuan",
    "Volume",
    "Harga Satuan (Rp)",
    "Jumlah Harga (Rp)",
    "Bobot (%)",
)
COLUMN_WIDTHS = (9, 16, 60, 9, 14, 18, 20, 12)
HEADER_ROW = 8  # rows 1-6: title and project fields, 7: blank
FIRST_DATA_ROW = HEADER_ROW + 1
FREEZE = f"A{FIRST_DATA_ROW}"

MONEY_FORMAT = "#,##0.00"
VOLUME_FORMAT = "#,##0.0000"
WEIGHT_FORMAT = "0.000000"
PERCENT_LABEL_FORMAT = '0.00" %"'
STEP_FORMAT = "#,##0"
SUM_ARGS = 255  # Excel's limit of arguments per function

ROUNDING_FUNCTIONS = {"down": "ROUNDDOWN", "up": "ROUNDUP", "half_up": "ROUND"}
ROUNDING_LABELS = {"down": "ke bawah", "up": "ke atas", "half_up": "terdekat"}


def _sum_formula(refs: Sequence[str]) -> str:
    """``=SUM(G10:G12,G15)``; more than 255 references are split into nested SUMs; none is ``=0``."""
    if not refs:
        return "=0"
    parts = list(refs)
    while len(parts) > SUM_ARGS:
        parts = [f"SUM({','.join(parts[i : i + SUM_ARGS])})" for i in range(0, len(parts), SUM_ARGS)]
    return f"=SUM({','.join(parts)})"


def _item_refs(item_rows: list[int], section_rows: list[int]) -> list[str]:
    """Column G references of a section's direct items (consecutive rows as one range) and its direct
    sub-section subtotal cells, in sheet order."""
    refs: list[tuple[int, str]] = []
    start = previous = None
    for row in item_rows:
        if previous is not None and row == previous + 1:
            previous = row
            continue
        if start is not None:
            refs.append((start, f"G{start}" if start == previous else f"G{start}:G{previous}"))
        start = previous = row
    if start is not None:
        refs.append((start, f"G{start}" if start == previous else f"G{start}:G{previous}"))
    refs.extend((row, f"G{row}") for row in section_rows)
    return [ref for _, ref in sorted(refs)]


def _layout(rows: Sequence[Row]) -> tuple[dict[int, list[str]], list[int]]:
    """The SUM references of every section (by section id) and the rows of the top-level sections."""
    item_rows: dict[int, list[int]] = {}
    child_rows: dict[int, list[int]] = {}
    top: list[int] = []
    for index, row in enumerate(rows):
        sheet_row = FIRST_DATA_ROW + index
        if isinstance(row, SectionRow):
            item_rows.setdefault(row.id, [])
            child_rows.setdefault(row.id, [])
            if row.parent_id is None:
                top.append(sheet_row)
            else:
                child_rows.setdefault(row.parent_id, []).append(sheet_row)
        else:
            item_rows.setdefault(row.section_id, []).append(sheet_row)
    refs = {pk: _item_refs(item_rows[pk], child_rows.get(pk, [])) for pk in item_rows}
    return refs, top


def _section_cells(ws, row: SectionRow, sheet_row: int, refs: list[str], total_ref: str) -> list:
    indent = Alignment(vertical="top", wrap_text=True, indent=row.depth)
    return [
        _text(ws, row.number, bold=True),
        _cell(ws, None),
        _text(ws, row.name, bold=True, alignment=indent),
        _cell(ws, None),
        _cell(ws, None),
        _cell(ws, None),
        _cell(ws, _sum_formula(refs), number_format=MONEY_FORMAT, bold=True),
        _cell(ws, _weight_formula(sheet_row, total_ref), number_format=WEIGHT_FORMAT, bold=True),
    ]


def _item_cells(ws, row: ItemRow, sheet_row: int, total_ref: str) -> list:
    indent = Alignment(vertical="top", wrap_text=True, indent=row.depth)
    return [
        _text(ws, row.number),
        _text(ws, row.code),
        _text(ws, row.name, alignment=indent),
        _text(ws, row.unit, alignment=Alignment(horizontal="center", vertical="top")),
        _cell(ws, row.volume, number_format=VOLUME_FORMAT),
        _cell(ws, row.unit_rate, number_format=MONEY_FORMAT),
        _cell(ws, f"=ROUND(E{sheet_row}*F{sheet_row},2)", number_format=MONEY_FORMAT),
        _cell(ws, _weight_formula(sheet_row, total_ref), number_format=WEIGHT_FORMAT),
    ]


def _weight_formula(sheet_row: int, total_ref: str) -> str:
    return f"=IF({total_ref}=0,0,G{sheet_row}/{total_ref}*100)"


def _totals_rows(ws, project: Project, total_row: int, top_rows: list[int]) -> None:
    """Jumlah, PPN, Jumlah total and Dibulatkan, starting at ``total_row``."""
    vat_row, grand_row, rounded_row = total_row + 1, total_row + 2, total_row + 3

    def line(label, formula, *, f_value=None, f_format=None):
        return [
            _cell(ws, None),
            _cell(ws, None),
            _cell(ws, label, bold=True),
            _cell(ws, None),
            _cell(ws, None),
            _cell(ws, f_value, number_format=f_format),
            _cell(ws, formula, number_format=MONEY_FORMAT, bold=True),
            _cell(ws, None),
        ]

    ws.append(line("Jumlah", _sum_formula([f"G{row}" for row in top_rows])))
    ws.append(
        line(
            "PPN",
            f"=ROUND(G{total_row}*F{vat_row}/100,2)",
            f_value=project.vat_pct,
            f_format=PERCENT_LABEL_FORMAT,
        )
    )
    ws.append(line("Jumlah total", f"=G{total_row}+G{vat_row}"))
    step, mode = project.rounding_step, project.rounding_mode
    if step:
        function = ROUNDING_FUNCTIONS[mode]
        ws.append(
            line(
                f"Dibulatkan ({ROUNDING_LABELS[mode]}, kelipatan Rp)",
                f"={function}(G{grand_row}/F{rounded_row},0)*F{rounded_row}",
                f_value=step,
                f_format=STEP_FORMAT,
            )
        )
    else:
        ws.append(line("Dibulatkan (tidak dibulatkan)", f"=G{grand_row}"))


def build_rab_xlsx(project: Project, progress: Progress | None = None) -> bytes:
    """The RAB workbook as bytes. ``progress(done, total, stage)`` is called at the start, at least every
    5 % of the rows and once at the end with ``done == total`` (total = rows + 1, the last unit being the
    saving of the workbook)."""
    report = progress or (lambda done, total, stage: None)
    summary = load_rab_summary(project, count_missing_prices=False)
    rows = list(iter_full_rab(project, summary))
    count = len(rows)
    total_units = count + 1
    report(0, total_units, "Menghitung RAB")

    refs, top_rows = _layout(rows)
    total_row = FIRST_DATA_ROW + count
    total_ref = f"$G${total_row}"

    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(SHEET_TITLE)
    for index, width in enumerate(COLUMN_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = FREEZE
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    header_block(ws, project, TITLE, HEADER)

    step = max(1, count // 20)
    for index, row in enumerate(rows):
        sheet_row = FIRST_DATA_ROW + index
        if isinstance(row, SectionRow):
            ws.append(_section_cells(ws, row, sheet_row, refs[row.id], total_ref))
        else:
            ws.append(_item_cells(ws, row, sheet_row, total_ref))
        done = index + 1
        if done % step == 0 or done == count:
            report(done, total_units, f"Menulis baris {done}/{count}")
    _totals_rows(ws, project, total_row, top_rows)

    buffer = io.BytesIO()
    workbook.save(buffer)
    report(total_units, total_units, "Selesai")
    return buffer.getvalue()
