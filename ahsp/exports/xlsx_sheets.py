"""Sheets for the workbooks of the schedule documents (jadwal, Kurva S, kebutuhan), on top of ``xlsx_common``.

``add_sheet`` is ``xlsx_common.new_sheet`` for a workbook that holds more than one sheet, with the frozen
cell, the orientation and the printed title rows as parameters; the header block (title and project
fields in rows 1-6, the draft mark or a blank row 7, column titles in row ``HEADER_ROW``) is the same as
every other document.
"""

from __future__ import annotations

from collections.abc import Sequence

from ahsp.exports.xlsx_common import Book, Cell, Sheet, _text, header_block
from ahsp.models import Project

PERCENT_FORMAT = "0.00%"  # a fraction shown as a percentage (0,1 -> 10,00%)
PERCENT_NUMBER_FORMAT = "#,##0.00"  # a % written as a number (bobot, % of an item)
INDEX_FORMAT = "0.0000"
DATE_FORMAT = "d mmm yyyy"
PLANNED_FILL = "#9DC3E6"
SPAN_FILL = "#DEEBF7"
TOTAL_FILL = "#F2F2F2"
PLAIN = {"border": False, "alignment": None}


def add_sheet(
    book: Book,
    project: Project,
    *,
    sheet_title: str,
    title: str,
    labels: Sequence[str],
    draft: str = "",
    **setup,
) -> Sheet:
    """A new sheet of ``book`` with the header block already written (the next row appended is
    ``HEADER_ROW + 1``); ``draft``: the draft mark; ``setup``: widths, frozen cell, printed titles, orientation
    (``Book.add_sheet``)."""
    ws = book.add_sheet(sheet_title, **setup)
    header_block(ws, project, title, labels, draft)
    return ws


def note_row(text: str, *, column: int = 2) -> list[Cell | None]:
    """A row with a user-visible note (never a formula) in ``column``."""
    return [None] * (column - 1) + [_text(text, **PLAIN)]
