"""The RAB as an Excel workbook (XlsxWriter): one sheet "RAB" that recalculates in Excel.

Layout: a header block with the project fields (nama, pemilik, lokasi, sumber dana, tahun anggaran) and,
while the RAB is incomplete, the draft mark in row 7; the table header (row ``HEADER_ROW``, frozen with
everything above it and repeated on every printed page), then one row per section and work item in tree
order (numbering as on the page and in the CSV), then the rows Jumlah, PPN, Jumlah total and Dibulatkan;
below them the terbilang of the rounded total, the BUK % the unit prices include (and every work item with
its own), and the signature block (Dibuat / Diperiksa / Disetujui oleh, with the project's titles and
names, the place and date on the last), as the PDF prints them.

Volumes and HSP are real numbers (``Decimal`` written exactly), never text. Everything derived is a live
formula, stored with its result (the app's figure: ``ahsp.loaders.rab``' amounts, subtotals, weights and
totals), so viewers that do not recalculate show the numbers; editing a volume or an HSP in Excel
recalculates the item, its sections and the totals:

- item: ``G = ROUND(E*F, 2)`` (Excel's ROUND is half away from zero, like ``quantize_money``);
- section: ``G = SUM`` of its direct item rows (contiguous runs as ranges) and its direct sub-section
  subtotal cells; an empty section is ``=0``;
- Jumlah = SUM of the top-level section subtotals; PPN = ``ROUND(Jumlah * rate / 100, 2)`` with the rate
  in column F of the PPN row; Jumlah total = Jumlah + PPN; Dibulatkan = ``ROUNDDOWN`` / ``ROUNDUP`` /
  ``ROUND`` (project rounding mode: toward zero / away from zero / nearest) of Jumlah total / step, times
  the step (in column F of that row); step 0 = ``=Jumlah total``;
- bobot (%) of items and sections = Jumlah / total x 100 (0 while the total is 0); the stored result is
  the app's bobot (6 decimals).

Text from users (no, kode, uraian, satuan, header fields, names of the signatories) goes through
``rab_csv.text_cell``: a leading ``=``, ``+``, ``-``, ``@``, tab or CR gets a leading ``'``, and the cell is
always stored as a string, so Excel never runs it as a formula.

The rows are read once (``iter_full_rab``) and kept as the loader's light row objects, because a section's
row (written first) needs the row numbers of its children; the sheet itself is streamed
(``constant_memory``), so the writer never holds the cells in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from ahsp.exports.xlsx_common import (
    CENTER_TOP,
    FREEZE,
    HEADER_ROW,
    Book,
    Sheet,
    _cell,
    _text,
    formula,
    header_block,
    indented,
)
from ahsp.loaders.rab import ItemRow, RabSummary, Row, SectionRow, iter_full_rab, load_rab_summary
from ahsp.loaders.rab_notes import RabNotes, load_rab_notes
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
FIRST_DATA_ROW = HEADER_ROW + 1

MONEY_FORMAT = "#,##0.00"
VOLUME_FORMAT = "#,##0.0000"
WEIGHT_FORMAT = "0.000000"
PERCENT_LABEL_FORMAT = '0.00" %"'
STEP_FORMAT = "#,##0"
SUM_ARGS = 255  # Excel's limit of arguments per function
SIGNATURE_COLUMNS = (1, 4, 6)  # B, E, G: each text runs on over the empty cells to its right
SIGNATURE_SPACE = 4  # empty rows between a title and its name

ROUNDING_FUNCTIONS = {"down": "ROUNDDOWN", "up": "ROUNDUP", "half_up": "ROUND"}
ROUNDING_LABELS = {"down": "ke bawah", "up": "ke atas", "half_up": "terdekat"}
PLAIN = {"border": False, "alignment": None}


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


def _section_cells(row: SectionRow, sheet_row: int, refs: list[str], total_ref: str) -> list:
    return [
        _text(row.number, bold=True),
        _cell(None),
        _text(row.name, bold=True, alignment=indented(row.depth)),
        _cell(None),
        _cell(None),
        _cell(None),
        formula(_sum_formula(refs), row.subtotal, number_format=MONEY_FORMAT, bold=True),
        formula(_weight_formula(sheet_row, total_ref), row.weight, number_format=WEIGHT_FORMAT, bold=True),
    ]


def _item_cells(row: ItemRow, sheet_row: int, total_ref: str) -> list:
    return [
        _text(row.number),
        _text(row.code),
        _text(row.name, alignment=indented(row.depth)),
        _text(row.unit, alignment=CENTER_TOP),
        _cell(row.volume, number_format=VOLUME_FORMAT),
        _cell(row.unit_rate, number_format=MONEY_FORMAT),
        formula(f"=ROUND(E{sheet_row}*F{sheet_row},2)", row.amount, number_format=MONEY_FORMAT),
        formula(_weight_formula(sheet_row, total_ref), row.weight, number_format=WEIGHT_FORMAT),
    ]


def _weight_formula(sheet_row: int, total_ref: str) -> str:
    return f"=IF({total_ref}=0,0,G{sheet_row}/{total_ref}*100)"


def _totals_rows(ws: Sheet, project: Project, summary: RabSummary, top_rows: list[int]) -> None:
    """Jumlah, PPN, Jumlah total and Dibulatkan, starting at the next row of ``ws``."""
    totals = summary.totals
    total_row = ws.next_row
    vat_row, grand_row, rounded_row = total_row + 1, total_row + 2, total_row + 3

    def line(label, g_cell, f_cell=None):
        return [
            _cell(None),
            _cell(None),
            _cell(label, bold=True),
            _cell(None),
            _cell(None),
            f_cell or _cell(None),
            g_cell,
            _cell(None),
        ]

    money = {"number_format": MONEY_FORMAT, "bold": True}
    top = [f"G{row}" for row in top_rows]
    ws.append(line("Jumlah", formula(_sum_formula(top), totals.total, **money)))
    ws.append(
        line(
            "PPN",
            formula(f"=ROUND(G{total_row}*F{vat_row}/100,2)", totals.vat, **money),
            _cell(project.vat_pct, number_format=PERCENT_LABEL_FORMAT),
        )
    )
    ws.append(line("Jumlah total", formula(f"=G{total_row}+G{vat_row}", totals.grand_total, **money)))
    step, mode = project.rounding_step, project.rounding_mode
    if step:
        function = ROUNDING_FUNCTIONS[mode]
        ws.append(
            line(
                f"Dibulatkan ({ROUNDING_LABELS[mode]}, kelipatan Rp)",
                formula(
                    f"={function}(G{grand_row}/F{rounded_row},0)*F{rounded_row}",
                    totals.rounded_total,
                    **money,
                ),
                _cell(step, number_format=STEP_FORMAT),
            )
        )
    else:
        ws.append(
            line("Dibulatkan (tidak dibulatkan)", formula(f"=G{grand_row}", totals.rounded_total, **money))
        )


def _capfirst(text: str) -> str:
    return text[:1].upper() + text[1:]


def _notes_rows(ws: Sheet, summary: RabSummary, notes: RabNotes) -> None:
    """The terbilang of the rounded total and the BUK % the unit prices include (with the exceptions)."""
    ws.append([])
    label = gettext("Terbilang")
    ws.append([_cell(f"{label}: {_capfirst(summary.terbilang)}", bold=True, **PLAIN)])
    ws.append([_cell(notes.statement + (f", {gettext('kecuali')}:" if notes.overrides else "."), **PLAIN)])
    for override in notes.overrides:
        ws.append([None, _text(override.label, **PLAIN)])
    if notes.ceiling_warning:
        ws.append([_cell(notes.ceiling_warning, **PLAIN)])


def signature_rows(project: Project) -> list[list]:
    """The signature block: role, title, space, name for Dibuat / Diperiksa / Disetujui oleh, the place
    and date above the last (as ``pdf/base.html``). An empty name prints a dotted line to sign on."""
    signatories = (
        (gettext("Dibuat oleh"), project.prepared_by_title, project.prepared_by_name),
        (gettext("Diperiksa oleh"), project.checked_by_title, project.checked_by_name),
        (gettext("Disetujui oleh"), project.approved_by_title, project.approved_by_name),
    )
    today = date_format(timezone.localdate(), "j F Y")
    place = f"{project.signing_place}, {today}" if project.signing_place else today
    lines = [
        [""] * 2 + [place],
        [f"{role}," for role, _title, _name in signatories],
        [title or "" for _role, title, _name in signatories],
        *([[""] * 3] * SIGNATURE_SPACE),
        [name or "(..............................)" for _role, _title, name in signatories],
    ]
    rows = []
    for index, texts in enumerate(lines):
        row: list = [None] * (SIGNATURE_COLUMNS[-1] + 1)
        for column, text in zip(SIGNATURE_COLUMNS, texts, strict=True):
            if text:
                row[column] = _text(text, bold=index == len(lines) - 1, **PLAIN)
        rows.append(row)
    return rows


def build_rab_xlsx(project: Project, progress: Progress | None = None) -> bytes:
    """The RAB workbook as bytes. ``progress(done, total, stage)`` is called at the start, at least every
    5 % of the rows and once at the end with ``done == total`` (total = rows + 1, the last unit being the
    saving of the workbook)."""
    report = progress or (lambda done, total, stage: None)
    summary = load_rab_summary(project, count_missing_prices=False)
    notes = load_rab_notes(project, summary)
    rows = list(iter_full_rab(project, summary))
    count = len(rows)
    total_units = count + 1
    report(0, total_units, "Menghitung RAB")

    refs, top_rows = _layout(rows)
    total_ref = f"$G${FIRST_DATA_ROW + count}"

    book = Book()
    ws = book.add_sheet(SHEET_TITLE, widths=COLUMN_WIDTHS, freeze=FREEZE, landscape=True)
    header_block(ws, project, TITLE, HEADER, notes.draft_mark)

    step = max(1, count // 20)
    for index, row in enumerate(rows):
        sheet_row = FIRST_DATA_ROW + index
        if isinstance(row, SectionRow):
            ws.append(_section_cells(row, sheet_row, refs[row.id], total_ref))
        else:
            ws.append(_item_cells(row, sheet_row, total_ref))
        done = index + 1
        if done % step == 0 or done == count:
            report(done, total_units, f"Menulis baris {done}/{count}")
    _totals_rows(ws, project, summary, top_rows)
    _notes_rows(ws, summary, notes)
    ws.append([])
    for row in signature_rows(project):
        ws.append(row)

    data = book.save()
    report(total_units, total_units, "Selesai")
    return data
