"""Rekap Kebutuhan Sumber Daya as CSV for Indonesian Excel: UTF-8 with BOM, ``;``, decimal comma.

Columns ``kelompok;kode;uraian;satuan;kuantitas;harga_satuan;jumlah_biaya;satuan_beli;faktor;
kuantitas_beli;keterangan``: one line per resource the work items need (expanded through nested
analyses), by category (Tenaga Kerja, Bahan, Peralatan, Lain-lain) and code; no total lines.

Quantities and costs are written EXACTLY (at least 4 and 2 decimals, more when the exact value has them:
``9,0750``; ``1361250,00``), so the lines add up to the page's total; prices have 2 decimals, factors 4-6,
``kuantitas_beli`` = kuantitas / faktor to 4 decimals (empty without a purchase unit). A missing price
leaves ``harga_satuan`` and ``jumlah_biaya`` empty and says ``belum berharga`` in ``keterangan``. Text
cells that could run as a formula get a leading ``'`` (``rab_csv.text_cell``). When the analyses cannot
be expanded (a loop of nested analyses), the file has the header and one line with the reason.

While the RAB is incomplete (``ahsp.loaders.rab_notes``), the line after the header says "DRAF — RAB belum
lengkap: ..." in ``uraian``, every other cell empty (``csv_chunks``).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from ahsp.exports.analyses_csv import csv_chunks, exact_number, money
from ahsp.exports.rab_csv import plain_number, text_cell
from ahsp.exports.xlsx_common import Progress, no_progress
from ahsp.formatting import coefficient_places
from ahsp.loaders import requirements_doc as doc
from ahsp.loaders.rab_notes import load_draft_mark
from ahsp.models import Project

HEADER = (
    "kelompok",
    "kode",
    "uraian",
    "satuan",
    "kuantitas",
    "harga_satuan",
    "jumlah_biaya",
    "satuan_beli",
    "faktor",
    "kuantitas_beli",
    "keterangan",
)
QUANTITY_PLACES = 4


def exact_quantity(value: Decimal) -> str:
    """All the decimals of ``value``, at least 4: ``9.075`` -> ``"9,0750"``."""
    exponent = Decimal(value).normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return plain_number(value, max(QUANTITY_PLACES, places))


def requirement_rows(document: doc.RequirementsDocument) -> Iterator[list[str]]:
    for group in document.groups:
        for row in group.rows:
            factor = row.purchase_factor
            yield [
                group.label,
                text_cell(row.code),
                text_cell(row.name),
                text_cell(row.unit),
                exact_quantity(row.quantity),
                money(row.unit_price),
                "" if row.cost is None else exact_number(row.cost),
                text_cell(row.purchase_unit) if factor else "",
                plain_number(factor, coefficient_places(factor)) if factor else "",
                plain_number(row.purchase_quantity, QUANTITY_PLACES)
                if row.purchase_quantity is not None
                else "",
                doc.MISSING_LABEL if row.cost is None else "",
            ]


def build_requirements_csv(project: Project, *, progress: Progress | None = None) -> Iterator[bytes]:
    """The CSV as UTF-8 byte chunks; ``progress(done, total, stage)`` per resource."""
    report = progress or no_progress
    report(0, 0, "Menghitung kebutuhan")
    document = doc.load_document(project)
    count = document.resource_count

    def rows() -> Iterator[list[str]]:
        if document.error:
            yield ["", "", text_cell(document.error), "", "", "", "", "", "", "", ""]
        for done, cells in enumerate(requirement_rows(document), start=1):
            yield cells
            report(done, count, f"Menulis sumber daya {done}/{count}")

    yield from csv_chunks(HEADER, rows(), draft_mark=load_draft_mark(project))
