"""Rincian AHSP as CSV for Indonesian Excel: UTF-8 with BOM, ``;`` separated, decimal comma (as ``rab_csv``).

Columns::

    kode_analisa;uraian_analisa;satuan_analisa;kelompok;kode;uraian;satuan;koefisien;harga_satuan;
    jumlah_harga;keterangan

Every line repeats the analysis (``kode_analisa``, ``uraian_analisa``, ``satuan_analisa``), so the file
can be filtered or pivoted per analysis. Per analysis, in the order of the analysis page:

- one line per component: ``kelompok`` is the group (``A. Tenaga Kerja``, ``B. Bahan``, ``C. Peralatan``,
  ``Lain-lain``, ``Analisa lain (bersarang)``), then its kode, uraian, satuan, koefisien, harga_satuan
  (empty = harga belum diisi, noted in ``keterangan``; for a nested analysis its D) and jumlah_harga;
- after the components of a group, its subtotal line: same ``kelompok``, ``uraian`` = the subtotal label
  (``Jumlah Harga Tenaga Kerja (A)``), the amount in ``jumlah_harga``, kode/satuan/koefisien/harga empty;
- then three lines with ``kelompok`` ``D`` (Jumlah A + B + C ...), ``E`` (BUK; its % in ``koefisien``)
  and ``F`` (Harga Satuan Pekerjaan, HSP), the amount in ``jumlah_harga``.

Numbers are plain (no ``Rp``, no thousands separator, decimal comma). Coefficients have 4-6 decimals as
on the page; prices and the HSP 2; amounts, subtotals, D and E are written EXACTLY (at least 2 decimals,
more when the exact value has them, e.g. ``1,5 x 1234,57 = 1851,855``), so the file never rounds a
second time and the lines add up. Text cells that could run as a formula get a leading ``'``
(``rab_csv.text_cell``).

While the RAB is incomplete (``ahsp.loaders.rab_notes``), the line after the header says "DRAF — RAB belum
lengkap: ..." in ``uraian``, every other cell empty (``csv_chunks``).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

from ahsp.exports.rab_csv import BOM, MONEY_PLACES, ROWS_PER_CHUNK, _Line, note_row, plain_number, text_cell
from ahsp.exports.xlsx_common import Progress, no_progress
from ahsp.loaders.analyses import AnalysisSheet, load_project_sheets
from ahsp.loaders.rab_notes import load_draft_mark
from ahsp.models import Project

HEADER = (
    "kode_analisa",
    "uraian_analisa",
    "satuan_analisa",
    "kelompok",
    "kode",
    "uraian",
    "satuan",
    "koefisien",
    "harga_satuan",
    "jumlah_harga",
    "keterangan",
)
MISSING_NOTE = "harga belum diisi"
NESTED_NOTE = "D analisa bersarang (tanpa BUK)"


def exact_number(value: Decimal) -> str:
    """All the decimals of ``value``, at least 2: ``1851.855`` -> ``"1851,855"``, ``7`` -> ``"7,00"``."""
    exponent = Decimal(value).normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return plain_number(value, max(MONEY_PLACES, places))


def money(value: Decimal | None) -> str:
    return "" if value is None else plain_number(value, MONEY_PLACES)


def csv_chunks(header: Sequence[str], rows: Iterable[list[str]], *, draft_mark: str = "") -> Iterator[bytes]:
    """BOM and header first (with the line of the ``draft_mark`` of an incomplete RAB right after it, see
    ``rab_csv.note_row``), then ``ROWS_PER_CHUNK`` lines per UTF-8 chunk (memory stays flat)."""
    writer = csv.writer(_Line(), delimiter=";", lineterminator="\r\n")
    first = BOM + writer.writerow(header)
    if draft_mark:
        first += writer.writerow(note_row(header, draft_mark))
    yield first.encode("utf-8")
    chunk: list[str] = []
    for cells in rows:
        chunk.append(writer.writerow(cells))
        if len(chunk) >= ROWS_PER_CHUNK:
            yield "".join(chunk).encode("utf-8")
            chunk = []
    if chunk:
        yield "".join(chunk).encode("utf-8")


def sheet_rows(sheet: AnalysisSheet) -> Iterator[list[str]]:
    """The lines of one analysis (components, subtotals, D, E, F)."""
    analysis = sheet.analysis
    head = [text_cell(analysis.code), text_cell(analysis.name), text_cell(analysis.unit)]

    def total(kelompok: str, label: str, amount: str, coefficient: str = "") -> list[str]:
        return [*head, kelompok, "", text_cell(label), "", coefficient, "", amount, ""]

    for group in sheet.groups:
        kelompok = f"{group.letter}. {group.label}" if group.letter else group.label
        for row in group.rows:
            if row.nested_id is not None:
                note = NESTED_NOTE
            else:
                note = MISSING_NOTE if row.unit_price is None else ""
            yield [
                *head,
                kelompok,
                text_cell(row.code),
                text_cell(row.name),
                text_cell(row.unit),
                plain_number(row.coefficient, row.places),
                money(row.unit_price),
                exact_number(row.amount),
                note,
            ]
        label = f"{group.subtotal_label} ({group.letter})" if group.letter else group.subtotal_label
        yield total(kelompok, label, exact_number(group.subtotal))
    yield total("D", f"Jumlah ({sheet.direct_parts})", exact_number(sheet.direct))
    pct = plain_number(sheet.overhead_pct, 2)
    yield total("E", f"Biaya Umum dan Keuntungan (BUK) {pct} % × D", exact_number(sheet.overhead), pct)
    yield total("F", "Harga Satuan Pekerjaan (HSP) = D + E", money(sheet.unit_rate))


def build_analyses_csv(project: Project, *, progress: Progress | None = None) -> Iterator[bytes]:
    """The CSV as UTF-8 byte chunks. ``progress(done, total, stage)`` per analysis (total = analyses)."""
    report = progress or no_progress
    report(0, 0, "Menghitung analisa")
    sheets = load_project_sheets(project=project)
    count = len(sheets)

    def rows() -> Iterator[list[str]]:
        for done, sheet in enumerate(sheets, start=1):
            yield from sheet_rows(sheet)
            report(done, count, f"Menulis analisa {done}/{count}")

    yield from csv_chunks(HEADER, rows(), draft_mark=load_draft_mark(project))
