"""Rekap Kebutuhan Sumber Daya as an Excel workbook: one sheet "Kebutuhan" that recalculates.

Layout: the header block with the project fields and the table header (row ``HEADER_ROW``, frozen and
repeated on printed pages, see ``xlsx_common``); per category (A Tenaga Kerja, B Bahan, C Peralatan,
D Lain-lain; non-empty only) a title row, one row per resource and the category total; then the grand
total, the identity line, the difference and the RAB before PPN.

Quantities, prices and factors are real numbers (the exact ``Decimal`` values); everything derived is a
live formula stored with its result (the app's figures: ``RequirementRow`` cost and purchase quantity, the
category and grand totals), so viewers that do not recalculate show them:

- Jumlah Biaya ``G = E*F`` (kuantitas x harga; an empty price counts 0 and says "belum berharga" in
  Keterangan, as the page leaves it out of the total);
- Kuantitas Beli ``J = ROUND(E/I,4)`` when the resource has a purchase factor (the page's 4 decimals);
- category total ``=SUM`` of its rows; grand total ``=SUM`` of the category totals;
- "Jumlah biaya langsung (sebelum BUK)" is the app's value (volume x D over the work items), and the
  row below is their difference (0 when the identity holds).

The header block carries the draft mark while the RAB is incomplete (``xlsx_common``). User text goes through ``rab_csv.text_cell`` (``xlsx_common._text``): it is never run as a formula.
"""

from __future__ import annotations

from ahsp.calculations.money import exact_context, quantize_money
from ahsp.exports.rab_xlsx import MONEY_FORMAT, _sum_formula
from ahsp.exports.xlsx_common import (
    CENTER_TOP,
    FIRST_DATA_ROW,
    WRAP,
    Progress,
    _cell,
    _text,
    coefficient_format,
    filled,
    formula,
    new_sheet,
    no_progress,
    save,
)
from ahsp.exports.xlsx_sheets import TOTAL_FILL, note_row
from ahsp.formatting import coefficient_places
from ahsp.loaders import requirements_doc as doc
from ahsp.loaders.requirements import RequirementRow
from ahsp.models import Project

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


def _resource_row(number: int, row: RequirementRow, r: int) -> list:
    factor = row.purchase_factor
    return [
        _cell(number),
        _text(row.code),
        _text(row.name, alignment=WRAP),
        _text(row.unit, alignment=CENTER_TOP),
        _cell(row.quantity, number_format=QUANTITY_FORMAT),
        _cell(row.unit_price, number_format=MONEY_FORMAT),
        formula(f"=E{r}*F{r}", row.cost or 0, number_format=MONEY_FORMAT),
        _text(row.purchase_unit if factor else "", alignment=CENTER_TOP),
        _cell(factor, number_format=coefficient_format(coefficient_places(factor)) if factor else None),
        (
            formula(f"=ROUND(E{r}/I{r},4)", row.purchase_quantity, number_format=QUANTITY_FORMAT)
            if factor
            else _cell(None)
        ),
        _text(doc.MISSING_LABEL if row.unit_price is None else ""),
    ]


def _total_row(label: str, value, *, text: str = "", bold: bool = True, letter: str = "") -> list:
    """A total row: ``value`` in column G, as the result of the formula ``text`` when there is one."""
    cells = [_text(letter, bold=bold), _cell(None), _text(label, bold=bold, alignment=WRAP)]
    cells += [_cell(None) for _ in range(3)]
    style = {"number_format": MONEY_FORMAT, "bold": bold}
    cells.append(formula(text, value, **style) if text else _cell(value, **style))
    cells += [_cell(None) for _ in range(WIDTH - len(cells))]
    return [filled(cell, TOTAL_FILL) for cell in cells]


def _append_totals(ws, document, totals: list[str], r: int) -> None:
    """The grand total (a formula over the group totals), the direct cost, their difference, the RAB
    before PPN, and the notes; ``r`` is the row of the grand total."""
    total_row, direct_row = r, r + 1
    requirements = document.report
    with exact_context():
        difference = requirements.total - requirements.direct_total
    ws.append(_total_row(doc.TOTAL_LABEL, requirements.total, text=_sum_formula(totals)))
    ws.append(_total_row(doc.DIRECT_LABEL, requirements.direct_total))
    ws.append(
        _total_row(
            DIFFERENCE_LABEL,
            quantize_money(difference),
            text=f"=ROUND(G{total_row}-G{direct_row},2)",
            bold=False,
        )
    )
    ws.append(_total_row(doc.RAB_LABEL, requirements.rab_amount, bold=False))
    ws.append([])
    missing = document.missing_note()
    if missing:
        ws.append(note_row(missing, column=3))
    ws.append(note_row(doc.BALANCED_NOTE if document.report.is_balanced else doc.UNBALANCED_NOTE, column=3))


def build_requirements_xlsx(project: Project, *, progress: Progress | None = None) -> bytes:
    """The workbook as bytes. ``progress(done, total, stage)`` at the start, at least every 5 % of the
    resources and at the end with ``done == total`` (total = resources + 1 for the saving)."""
    report = progress or no_progress
    report(0, 0, "Menghitung kebutuhan")
    document = doc.load_document(project)
    count = document.resource_count
    units = count + 1
    report(0, units, "Menghitung kebutuhan")

    book, ws = new_sheet(project, sheet_title=SHEET_TITLE, title=TITLE, labels=HEADER, widths=COLUMN_WIDTHS)
    if document.error:
        ws.append(note_row(document.error, column=3))
    groups = document.groups
    if document.report is not None and not groups:
        ws.append(note_row(doc.EMPTY_NOTE, column=3))
    r = FIRST_DATA_ROW  # a note above is only written when there are no groups
    totals: list[str] = []
    done = 0
    every = max(1, count // 20)
    for group in groups:
        title = [_text(group.letter, bold=True), _cell(None), _text(group.label, bold=True)]
        ws.append(title + [_cell(None) for _ in range(WIDTH - len(title))])
        r += 1
        first = r
        for number, row in enumerate(group.rows, start=1):
            ws.append(_resource_row(number, row, r))
            r += 1
            done += 1
            if done % every == 0 or done == count:
                report(done, units, f"Menulis sumber daya {done}/{count}")
        label = f"Jumlah {group.label} ({group.letter})"
        ws.append(_total_row(label, group.total, text=f"=SUM(G{first}:G{r - 1})"))
        totals.append(f"G{r}")
        r += 1
    if groups:
        _append_totals(ws, document, totals, r)
    data = save(book)
    report(units, units, "Selesai")
    return data
