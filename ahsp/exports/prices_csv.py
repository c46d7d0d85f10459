"""Daftar Harga Satuan Dasar as CSV for Indonesian Excel: UTF-8 with BOM, ``;``, decimal comma.

Columns ``kelompok;kode;uraian;satuan;harga_satuan;satuan_beli;faktor;harga_satuan_beli;keterangan``:
one line per resource used by an analysis, by category (Tenaga Kerja, Bahan, Peralatan, Lain-lain) and
code (``ahsp.loaders.prices.load_price_list``); no total lines.

Prices have 2 decimals; ``faktor`` 4 to 6 (as coefficients); ``harga_satuan_beli`` = harga_satuan x
faktor rounded to cents (empty when either is missing). A missing price leaves ``harga_satuan`` empty and
says ``belum diisi`` in ``keterangan``. Text cells that could run as a formula get a leading ``'``.

While the RAB is incomplete (``ahsp.loaders.rab_notes``), the line after the header says "DRAF — RAB belum
lengkap: ..." in ``uraian``, every other cell empty (``csv_chunks``).
"""

from __future__ import annotations

from collections.abc import Iterator

from ahsp.exports.analyses_csv import csv_chunks, money
from ahsp.exports.rab_csv import plain_number, text_cell
from ahsp.exports.xlsx_common import Progress, no_progress
from ahsp.formatting import coefficient_places
from ahsp.loaders.prices import PriceGroup, load_price_list
from ahsp.loaders.rab_notes import load_draft_mark
from ahsp.models import Project

HEADER = (
    "kelompok",
    "kode",
    "uraian",
    "satuan",
    "harga_satuan",
    "satuan_beli",
    "faktor",
    "harga_satuan_beli",
    "keterangan",
)
MISSING_NOTE = "belum diisi"


def price_rows(groups: list[PriceGroup]) -> Iterator[list[str]]:
    for group in groups:
        for row in group.rows:
            factor = row.purchase_factor
            yield [
                group.label,
                text_cell(row.code),
                text_cell(row.name),
                text_cell(row.unit),
                money(row.unit_price),
                text_cell(row.purchase_unit),
                plain_number(factor, coefficient_places(factor)) if factor else "",
                money(row.purchase_price),
                MISSING_NOTE if row.missing else "",
            ]


def build_prices_csv(project: Project, *, progress: Progress | None = None) -> Iterator[bytes]:
    """The CSV as UTF-8 byte chunks; ``progress(done, total, stage)`` per resource."""
    report = progress or no_progress
    report(0, 0, "Membaca harga")
    groups = load_price_list(project)
    count = sum(len(group.rows) for group in groups)

    def rows() -> Iterator[list[str]]:
        for done, cells in enumerate(price_rows(groups), start=1):
            yield cells
            report(done, count, f"Menulis harga {done}/{count}")

    yield from csv_chunks(HEADER, rows(), draft_mark=load_draft_mark(project))
