"""Rincian Analisa Harga Satuan Pekerjaan (AHSP) as an Excel workbook: one sheet "AHSP" that recalculates.

Layout: the header block with the project fields and the table header (row ``HEADER_ROW``, frozen and
repeated on printed pages, see ``xlsx_common``), then one block per analysis in the order of the analysis
page (``load_project_sheets``):

- title row: kode, uraian (bold) and satuan of the analysis, with the sheet's note when it is the analysis at
  a work item's own BUK % ("BUK khusus 12 % untuk: ..."), and a note when prices are missing;
- the column header again (No, Uraian, Kode, Satuan, Koefisien, Harga Satuan, Jumlah Harga, Keterangan);
- per group (A Tenaga Kerja, B Bahan, C Peralatan, then Lain-lain and nested analyses when present): a
  title row, one row per component, and the subtotal row;
- D (Jumlah), E (BUK, the % in column F), F (HSP; the rounding step in column F when the project rounds
  HSP); then a blank row.

Coefficients and prices are real numbers (``Decimal`` written as is). Everything derived is a live formula
that reproduces the app (``ahsp.calculations.unit_price``), stored with its result (the sheet's own
figures: ``SheetRow.amount``, ``SheetGroup.subtotal``, D, E and HSP), so viewers that do not recalculate
show them:

- component: ``G = E*F``, exact like ``SheetRow.amount`` (an empty price counts as 0, as in the app);
  the price of a nested analysis is ``=G<row of its D>`` (its D without BUK, domain.md);
- subtotal: ``=SUM`` of its component rows (``=0`` for an empty group); D = ``SUM`` of the subtotals;
- E = ``G<D>*F<E>/100`` (exact);
- HSP = ``ROUND(G<D>+G<E>,2)`` (``quantize_money``); with an HSP rounding step s in column F it is
  ``ROUND(ROUND(G<D>+G<E>,2)/F,0)*F``: nearest multiple, ties up, from the cent value, like
  ``round_to_step(..., "half_up")``. Excel's ROUND is half away from zero, like the app.

The header block carries the draft mark while the RAB is incomplete (``xlsx_common``). User text goes
through ``rab_csv.text_cell`` (via ``xlsx_common._text``), so a name such as ``=HYPERLINK(..)``
is stored as the string ``'=HYPERLINK(..)`` and never runs.
"""

from __future__ import annotations

from collections.abc import Mapping

from ahsp.exports.rab_xlsx import MONEY_FORMAT, PERCENT_LABEL_FORMAT, STEP_FORMAT
from ahsp.exports.xlsx_common import (
    CENTER_TOP,
    FIRST_DATA_ROW,
    WRAP,
    Progress,
    _cell,
    _text,
    coefficient_format,
    column_header,
    formula,
    new_sheet,
    no_progress,
    save,
)
from ahsp.loaders.analyses import AnalysisSheet, SheetGroup, SheetRow, load_project_sheets
from ahsp.models import Project

SHEET_TITLE = "AHSP"
TITLE = "RINCIAN ANALISA HARGA SATUAN PEKERJAAN (AHSP)"
HEADER = (
    "No",
    "Uraian",
    "Kode",
    "Satuan",
    "Koefisien",
    "Harga Satuan (Rp)",
    "Jumlah Harga (Rp)",
    "Keterangan",
)
COLUMN_WIDTHS = (7, 55, 14, 9, 13, 18, 20, 24)
MISSING_NOTE = "harga belum diisi"
NESTED_NOTE = "D analisa bersarang (tanpa BUK)"
EMPTY_NOTE = "Belum ada analisa di proyek ini."
WIDTH = len(HEADER)


def block_size(sheet: AnalysisSheet) -> int:
    """Rows of one analysis block: title, header, groups (title + rows + subtotal), D, E, F, blank."""
    return 2 + sum(2 + len(group.rows) for group in sheet.groups) + 3 + 1


def d_rows(sheets: list[AnalysisSheet]) -> dict[int, int]:
    """Sheet row of the D cell of every analysis (by id), for the nested price references: its first
    block (D does not depend on the BUK %, so every block of an analysis has the same D)."""
    rows, start = {}, FIRST_DATA_ROW
    for sheet in sheets:
        size = block_size(sheet)
        rows.setdefault(sheet.analysis.pk, start + size - 4)
        start += size
    return rows


def _line(*, no=None, label="", bold=False, f_cell=None, g_cell=None, note="") -> list:
    """A row with a label in B, optional cells in F and G, a note in H; other cells empty bordered."""
    return [
        _text(no or "", bold=bold),
        _text(label, bold=bold, alignment=WRAP),
        _cell(None),
        _cell(None),
        _cell(None),
        f_cell if f_cell is not None else _cell(None),
        g_cell if g_cell is not None else _cell(None),
        _text(note),
    ]


def _title_row(sheet: AnalysisSheet) -> list:
    analysis = sheet.analysis
    missing = f"{sheet.missing_prices} {MISSING_NOTE}" if sheet.missing_prices else ""
    name = f"{analysis.name} — {sheet.note}" if sheet.note else analysis.name
    return [
        _text(analysis.code, bold=True, border=False),
        _text(name, bold=True, alignment=WRAP, border=False),
        None,
        _text(analysis.unit, bold=True, alignment=CENTER_TOP, border=False),
        None,
        None,
        None,
        _text(missing, border=False),
    ]


def _component_row(number: int, row: SheetRow, sheet_row: int, d_of: Mapping[int, int]) -> list:
    if row.nested_id is not None:
        price = formula(f"=G{d_of[row.nested_id]}", row.unit_price, number_format=MONEY_FORMAT)
        note = NESTED_NOTE
    else:
        price = _cell(row.unit_price, number_format=MONEY_FORMAT)
        note = MISSING_NOTE if row.unit_price is None else ""
    return [
        _cell(number),
        _text(row.name, alignment=WRAP),
        _text(row.code),
        _text(row.unit, alignment=CENTER_TOP),
        _cell(row.coefficient, number_format=coefficient_format(row.places)),
        price,
        formula(f"=E{sheet_row}*F{sheet_row}", row.amount, number_format=MONEY_FORMAT),
        _text(note),
    ]


def _group_rows(group: SheetGroup, start: int, d_of: Mapping[int, int]) -> list[list]:
    """Title, components and subtotal of one group whose title is on sheet row ``start``."""
    rows = [_line(no=group.letter, label=group.label, bold=True)]
    for number, row in enumerate(group.rows, start=1):
        rows.append(_component_row(number, row, start + number, d_of))
    first, last = start + 1, start + len(group.rows)
    text = "=0" if not group.rows else f"=SUM(G{first}:G{last})"
    label = f"{group.subtotal_label} ({group.letter})" if group.letter else group.subtotal_label
    rows.append(
        _line(
            label=label,
            bold=True,
            g_cell=formula(text, group.subtotal, number_format=MONEY_FORMAT, bold=True),
        )
    )
    return rows


def _hsp_formula(d_row: int, e_row: int, f_row: int, step: int) -> str:
    cents = f"ROUND(G{d_row}+G{e_row},2)"
    return f"=ROUND({cents}/F{f_row},0)*F{f_row}" if step else f"={cents}"


def _block(sheet: AnalysisSheet, start: int, step: int, d_of: Mapping[int, int]) -> list[list]:
    """Every row of one analysis block starting on sheet row ``start``."""
    rows = [_title_row(sheet), column_header(HEADER)]
    subtotals = []
    for group in sheet.groups:
        rows.extend(_group_rows(group, start + len(rows), d_of))
        subtotals.append(f"G{start + len(rows) - 1}")
    d_row = start + len(rows)
    e_row, f_row = d_row + 1, d_row + 2
    money = {"number_format": MONEY_FORMAT, "bold": True}
    rows.append(
        _line(
            no="D",
            label=f"Jumlah ({sheet.direct_parts})",
            bold=True,
            g_cell=formula(f"=SUM({','.join(subtotals)})" if subtotals else "=0", sheet.direct, **money),
        )
    )
    rows.append(
        _line(
            no="E",
            label="Biaya Umum dan Keuntungan (BUK) × D",
            f_cell=_cell(sheet.overhead_pct, number_format=PERCENT_LABEL_FORMAT),
            g_cell=formula(f"=G{d_row}*F{e_row}/100", sheet.overhead, number_format=MONEY_FORMAT),
        )
    )
    label = "Harga Satuan Pekerjaan (HSP) = D + E"
    if step:
        label += f", dibulatkan ke kelipatan Rp {step} terdekat"
    rows.append(
        _line(
            no="F",
            label=label,
            bold=True,
            f_cell=_cell(step, number_format=STEP_FORMAT) if step else None,
            g_cell=formula(_hsp_formula(d_row, e_row, f_row, step), sheet.unit_rate, **money),
        )
    )
    rows.append([])
    return rows


def build_analyses_xlsx(project: Project, *, progress: Progress | None = None) -> bytes:
    """The AHSP workbook as bytes. ``progress(done, total, stage)`` is called at the start, at least every
    5 % of the analyses and at the end with ``done == total`` (total = analyses + 1 for the saving)."""
    report = progress or no_progress
    report(0, 0, "Menghitung analisa")
    sheets = load_project_sheets(project=project)
    count = len(sheets)
    total = count + 1
    report(0, total, "Menghitung analisa")

    book, ws = new_sheet(project, sheet_title=SHEET_TITLE, title=TITLE, labels=HEADER, widths=COLUMN_WIDTHS)
    if not sheets:
        ws.append([_text("", border=False), _text(EMPTY_NOTE, border=False)])
    d_of = d_rows(sheets)
    step = project.hsp_rounding_step
    start = FIRST_DATA_ROW
    every = max(1, count // 20)
    for done, sheet in enumerate(sheets, start=1):
        rows = _block(sheet, start, step, d_of)
        for row in rows:
            ws.append(row)
        start += len(rows)
        if done % every == 0 or done == count:
            report(done, total, f"Menulis analisa {done}/{count}")
    data = save(book)
    report(total, total, "Selesai")
    return data
