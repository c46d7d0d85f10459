"""Daftar Harga Satuan Dasar as an Excel workbook: one sheet "Harga Satuan Dasar".

Layout: the header block with the project fields and the table header (row ``HEADER_ROW``, frozen and
repeated on printed pages, see ``xlsx_common``); then per category (Tenaga Kerja, Bahan, Peralatan,
Lain-lain; only those in use) a title row and one row per resource used by an analysis, ordered by code
(``ahsp.loaders.prices.load_price_list``); at the bottom the number of resources and of missing prices.

Prices and factors are real numbers. The price per purchase unit is the live formula ``=ROUND(E*G,2)``
(``quantize_money(unit_price x factor)``, as on the price page), stored with that result, when the resource has both a price and a
factor; a missing price leaves the price cells empty and says "belum diisi" in Keterangan. User text goes
through ``rab_csv.text_cell`` (formula injection neutralised). The header block carries the draft mark
while the RAB is incomplete (``xlsx_common``).
"""

from __future__ import annotations

from ahsp.exports.rab_xlsx import MONEY_FORMAT
from ahsp.exports.xlsx_common import (
    CENTER_TOP,
    FIRST_DATA_ROW,
    WRAP,
    Progress,
    _cell,
    _text,
    coefficient_format,
    formula,
    new_sheet,
    no_progress,
    save,
)
from ahsp.formatting import coefficient_places
from ahsp.loaders.prices import PriceGroup, PriceRow, load_price_list, missing_count
from ahsp.models import Project

SHEET_TITLE = "Harga Satuan Dasar"
TITLE = "DAFTAR HARGA SATUAN DASAR"
HEADER = (
    "No",
    "Kode",
    "Uraian",
    "Satuan",
    "Harga Satuan (Rp)",
    "Satuan Beli",
    "Faktor",
    "Harga per Satuan Beli (Rp)",
    "Keterangan",
)
COLUMN_WIDTHS = (7, 14, 50, 9, 18, 12, 12, 22, 16)
MISSING_NOTE = "belum diisi"
EMPTY_NOTE = "Belum ada sumber daya yang dipakai analisa."
COUNT_LABEL = "Jumlah sumber daya"
MISSING_LABEL = "Harga belum diisi"
LETTERS = {"labour": "A", "material": "B", "equipment": "C"}  # as the groups of an analysis


def _group_row(letter: str, group: PriceGroup) -> list:
    return [_text(letter, bold=True), _cell(None), _text(group.label, bold=True)] + [
        _cell(None) for _ in range(6)
    ]


def _resource_row(number: int, row: PriceRow, sheet_row: int) -> list:
    factor = row.purchase_factor
    if row.unit_price is not None and factor:
        purchase = formula(
            f"=ROUND(E{sheet_row}*G{sheet_row},2)", row.purchase_price, number_format=MONEY_FORMAT
        )
    else:
        purchase = _cell(None)
    return [
        _cell(number),
        _text(row.code),
        _text(row.name, alignment=WRAP),
        _text(row.unit, alignment=CENTER_TOP),
        _cell(row.unit_price, number_format=MONEY_FORMAT),
        _text(row.purchase_unit, alignment=CENTER_TOP),
        _cell(factor, number_format=coefficient_format(coefficient_places(factor)) if factor else None),
        purchase,
        _text(MISSING_NOTE if row.missing else ""),
    ]


def _count_row(label: str, value: int) -> list:
    plain = {"border": False, "alignment": None}
    return [None, None, _cell(label, bold=True, **plain), _cell(value, bold=True, **plain)]


def build_prices_xlsx(project: Project, *, progress: Progress | None = None) -> bytes:
    """The workbook as bytes. ``progress(done, total, stage)``: at the start, at least every 5 % of the
    resources and at the end with ``done == total`` (total = resources + 1 for the saving)."""
    report = progress or no_progress
    report(0, 0, "Membaca harga")
    groups = load_price_list(project)
    count = sum(len(group.rows) for group in groups)
    total = count + 1
    report(0, total, "Membaca harga")

    book, ws = new_sheet(project, sheet_title=SHEET_TITLE, title=TITLE, labels=HEADER, widths=COLUMN_WIDTHS)
    if not groups:
        ws.append([None, None, _text(EMPTY_NOTE, border=False)])
    sheet_row = FIRST_DATA_ROW
    done = 0
    every = max(1, count // 20)
    for group in groups:
        ws.append(_group_row(LETTERS.get(group.category, ""), group))
        sheet_row += 1
        for number, row in enumerate(group.rows, start=1):
            ws.append(_resource_row(number, row, sheet_row))
            sheet_row += 1
            done += 1
            if done % every == 0 or done == count:
                report(done, total, f"Menulis harga {done}/{count}")
    ws.append([])
    ws.append(_count_row(COUNT_LABEL, count))
    ws.append(_count_row(MISSING_LABEL, missing_count(groups)))
    data = save(book)
    report(total, total, "Selesai")
    return data
