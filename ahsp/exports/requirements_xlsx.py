"""Rekap Kebutuhan Sumber Daya as an Excel workbook: one sheet "Kebutuhan" that recalculates.

Layout: the header block with the project fields and the table header (row ``HEADER_ROW``, frozen and
repeated on printed pages, see ``xlsx_common``); per category (A Tenaga Kerja, B Bahan, C Peralatan,
D Lain-lain; non-empty only) a title row, one row per resource and the category total; then the grand
total, the identity line, the difference and the RAB before PPN.

Quantities, prices and factors are real numbers (the exact ``Decimal`` values); everything derived is a
live formula:

- Jumlah Biaya ``G = E*F`` (kuantitas x harga; an empty price counts 0 and says "belum berharga" in
  Keterangan, as the page leaves it out of the total);
- Kuantitas Beli ``J = ROUND(E/I,4)`` when the resource has a purchase factor (the page's 4 decimals);
- category total ``=SUM`` of its rows; grand total ``=SUM`` of the category totals;
- "Jumlah biaya langsung (sebelum BUK)" is the app's value (volume x D over the work items), and the
  row below is their difference (0 when the identity holds).

User text goes through ``rab_csv.text_cell`` (``xlsx_common._text``): it is never run as a formula.
"""

from __future__ import annotations

from ahsp.exports import requirements_doc as doc
from ahsp.exports.rab_xlsx import MONEY_FORMAT, _sum_formula
from ahsp.exports.xlsx_common import (
    CENTER_TOP,
    FIRST_DATA_ROW,
    WRAP,
    Progress,
    _cell,
    _text,
    coefficient_format,
    new_sheet,
    no_progress,
    save,
)
from ahsp.exports.xlsx_sheets import TOTAL_FILL, filled, note_row
from ahsp.formatting import coefficient_places
from ahsp.models import Project
from ahsp.requirements import RequirementRow

SHEET_TITLE = "Kebutuhan"
TITLE = "REKAP KEBUTUHAN SUMBER DAYA"
HEADER = (
    "No",
    "Kode",
    "Uraian",
    "Satuan",
    "Kuantitas",
    "Harga Satuan (Rp)",
    "Jumlah Biaya (Rp)",
    "Satuan Beli",
    "Faktor",
    "Kuantitas Beli",
    "Keterangan",
)
COLUMN_WIDTHS = (7, 14, 45, 9, 16, 18, 20, 12, 12, 16, 18)
QUANTITY_FORMAT = "#,##0.0000"
DIFFERENCE_LABEL = "Selisih (harus 0)"
WIDTH = len(HEADER)


def _resource_row(ws, number: int, row: RequirementRow, r: int) -> list:
    factor = row.purchase_factor
    return [
        _cell(ws, number),
        _text(ws, row.code),
        _text(ws, row.name, alignment=WRAP),
        _text(ws, row.unit, alignment=CENTER_TOP),
        _cell(ws, row.quantity, number_format=QUANTITY_FORMAT),
        _cell(ws, row.unit_price, number_format=MONEY_FORMAT),
        _cell(ws, f"=E{r}*F{r}", number_format=MONEY_FORMAT),
        _text(ws, row.purchase_unit if factor else "", alignment=CENTER_TOP),
        _cell(ws, factor, number_format=coefficient_format(coefficient_places(factor)) if factor else None),
        _cell(ws, f"=ROUND(E{r}/I{r},4)", number_format=QUANTITY_FORMAT) if factor else _cell(ws, None),
        _text(ws, doc.MISSING_LABEL if row.unit_price is None else ""),
    ]


def _total_row(ws, label: str, value, *, bold: bool = True, letter: str = "") -> list:
    cells = [_text(ws, letter, bold=bold), _cell(ws, None), _text(ws, label, bold=bold, alignment=WRAP)]
    cells += [_cell(ws, None) for _ in range(3)]
    cells.append(_cell(ws, value, number_format=MONEY_FORMAT, bold=bold))
    cells += [_cell(ws, None) for _ in range(WIDTH - len(cells))]
    return [filled(cell, TOTAL_FILL) for cell in cells]


def build_requirements_xlsx(project: Project, *, progress: Progress | None = None) -> bytes:
    """The workbook as bytes. ``progress(done, total, stage)`` at the start, at least every 5 % of the
    resources and at the end with ``done == total`` (total = resources + 1 for the saving)."""
    report = progress or no_progress
    report(0, 0, "Menghitung kebutuhan")
    document = doc.load_document(project)
    count = document.resource_count
    units = count + 1
    report(0, units, "Menghitung kebutuhan")

    workbook, ws = new_sheet(
        project, sheet_title=SHEET_TITLE, title=TITLE, labels=HEADER, widths=COLUMN_WIDTHS
    )
    if document.error:
        ws.append(note_row(ws, document.error, column=3))
    groups = document.groups
    if document.report is not None and not groups:
        ws.append(note_row(ws, doc.EMPTY_NOTE, column=3))
    r = FIRST_DATA_ROW  # a note above is only written when there are no groups
    totals: list[str] = []
    done = 0
    every = max(1, count // 20)
    for group in groups:
        title = [_text(ws, group.letter, bold=True), _cell(ws, None), _text(ws, group.label, bold=True)]
        ws.append(title + [_cell(ws, None) for _ in range(WIDTH - len(title))])
        r += 1
        first = r
        for number, row in enumerate(group.rows, start=1):
            ws.append(_resource_row(ws, number, row, r))
            r += 1
            done += 1
            if done % every == 0 or done == count:
                report(done, units, f"Menulis sumber daya {done}/{count}")
        ws.append(_total_row(ws, f"Jumlah {group.label} ({group.letter})", f"=SUM(G{first}:G{r - 1})"))
        totals.append(f"G{r}")
        r += 1
    if groups:
        total_row, direct_row = r, r + 1
        ws.append(_total_row(ws, doc.TOTAL_LABEL, _sum_formula(totals)))
        ws.append(_total_row(ws, doc.DIRECT_LABEL, document.report.direct_total))
        ws.append(_total_row(ws, DIFFERENCE_LABEL, f"=ROUND(G{total_row}-G{direct_row},2)", bold=False))
        ws.append(_total_row(ws, doc.RAB_LABEL, document.report.rab_amount, bold=False))
        ws.append([])
        missing = document.missing_note()
        if missing:
            ws.append(note_row(ws, missing, column=3))
        ws.append(
            note_row(ws, doc.BALANCED_NOTE if document.report.is_balanced else doc.UNBALANCED_NOTE, column=3)
        )
    data = save(workbook)
    report(units, units, "Selesai")
    return data
