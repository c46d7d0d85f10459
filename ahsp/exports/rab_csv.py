"""The RAB as CSV for Indonesian Excel: UTF-8 with BOM, ``;`` separated, decimal comma.

Columns ``no;kode;uraian;satuan;volume;harga_satuan;jumlah_harga;bobot``; one row per section (its
subtotal in ``jumlah_harga``, its weight in ``bobot``) and per work item, in tree order; then the rows
``Jumlah``, ``PPN <x> %``, ``Jumlah total`` and ``Dibulatkan`` with their amount in ``jumlah_harga``; then,
given the RAB's notes (``ahsp.loaders.rab_notes``), a line "Catatan: Harga satuan pekerjaan sudah termasuk ... BUK
10 %, kecuali: ..." (and the warning above the 15 % ceiling) in ``uraian``.

Draft: while the RAB is incomplete, the line right after the header carries "DRAF — RAB belum lengkap:
..." in ``uraian``, every other cell empty: the header stays the first line (Excel and imports read the
columns as before) and the mark is the first thing a reader sees.

Numbers are plain: no ``Rp``, no thousands separator, comma decimal mark. Money has 2 decimals
(``1234567,89``), volume 4 (``12,7500``), bobot (%) 6, the precision it is computed with (``50,427339``),
so the file never rounds a second time.

Text cells (no, kode, uraian, satuan) that begin with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return get a leading ``'`` (OWASP "CSV injection"), so a spreadsheet shows them as text instead of running
them as formulas. Number cells are written by this module from ``Decimal`` values and are never prefixed.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

from ahsp.formatting import format_number
from ahsp.loaders.rab import RabSummary, Row, SectionRow
from ahsp.loaders.rab_notes import RabNotes

HEADER = ("no", "kode", "uraian", "satuan", "volume", "harga_satuan", "jumlah_harga", "bobot")
BOM = "\ufeff"
MONEY_PLACES = 2
VOLUME_PLACES = 4
WEIGHT_PLACES = 6
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ROWS_PER_CHUNK = 200


def plain_number(value: Decimal, places: int) -> str:
    """``Decimal("1234567.891")``, 2 -> ``"1234567,89"``; negative numbers keep their minus sign."""
    return format_number(value, places).replace(".", "")


def text_cell(value: str) -> str:
    """A text cell a spreadsheet cannot run as a formula: ``"=SUM(A1)"`` -> ``"'=SUM(A1)"``."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def note_row(header: Sequence[str], text: str) -> list[str]:
    """A line that only carries ``text``, in the ``uraian`` column (the first one when there is none):
    the other cells stay empty, so the columns keep their meaning for a spreadsheet or an import."""
    cells = [""] * len(header)
    cells[header.index("uraian") if "uraian" in header else 0] = text_cell(text)
    return cells


def _percent_label(value: Decimal) -> str:
    return format_number(value, 2)


def rab_csv_rows(summary: RabSummary, rows: Iterable[Row]) -> Iterator[list[str]]:
    """The cells of every line after the header."""
    for row in rows:
        if isinstance(row, SectionRow):
            yield [
                text_cell(row.number),
                "",
                text_cell(row.name),
                "",
                "",
                "",
                plain_number(row.subtotal, MONEY_PLACES),
                plain_number(row.weight, WEIGHT_PLACES),
            ]
        else:
            yield [
                text_cell(row.number),
                text_cell(row.code),
                text_cell(row.name),
                text_cell(row.unit),
                plain_number(row.volume, VOLUME_PLACES),
                plain_number(row.unit_rate, MONEY_PLACES),
                plain_number(row.amount, MONEY_PLACES),
                plain_number(row.weight, WEIGHT_PLACES),
            ]
    totals = summary.totals
    for label, amount in (
        ("Jumlah", totals.total),
        (f"PPN {_percent_label(totals.vat_pct)} %", totals.vat),
        ("Jumlah total", totals.grand_total),
        ("Dibulatkan", totals.rounded_total),
    ):
        yield ["", "", label, "", "", "", plain_number(amount, MONEY_PLACES), ""]


class _Line:
    """A file-like object for ``csv.writer`` that hands back what it was given."""

    def write(self, text: str) -> str:
        return text


def notes_rows(notes: RabNotes) -> Iterator[list[str]]:
    """After the totals: the BUK % statement with the items that have their own, and the warning above
    the government ceiling."""
    yield note_row(HEADER, f"Catatan: {notes.full_statement}")
    if notes.above_government_ceiling:
        yield note_row(HEADER, notes.ceiling_warning)


def build_rab_csv(
    summary: RabSummary,
    rows: Iterable[Row],
    *,
    rows_per_chunk: int = ROWS_PER_CHUNK,
    notes: RabNotes | None = None,
) -> Iterator[bytes]:
    """The CSV as UTF-8 byte chunks: BOM and header first (sent before the rows are read), then
    ``rows_per_chunk`` lines per chunk, so memory stays flat whatever the size of the RAB.

    With ``notes`` (``ahsp.loaders.rab_notes``): an incomplete RAB gets the draft mark as the line right after
    the header, and the BUK statement follows the totals."""
    writer = csv.writer(_Line(), delimiter=";", lineterminator="\r\n")
    first = BOM + writer.writerow(HEADER)
    if notes is not None and notes.draft_mark:
        first += writer.writerow(note_row(HEADER, notes.draft_mark))
    yield first.encode("utf-8")
    chunk: list[str] = []
    lines = rab_csv_rows(summary, rows)
    if notes is not None:
        lines = itertools.chain(lines, notes_rows(notes))
    for cells in lines:
        chunk.append(writer.writerow(cells))
        if len(chunk) >= rows_per_chunk:
            yield "".join(chunk).encode("utf-8")
            chunk = []
    if chunk:
        yield "".join(chunk).encode("utf-8")
