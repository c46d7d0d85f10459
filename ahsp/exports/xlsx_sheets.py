"""Sheets for the workbooks of the schedule documents (jadwal, Kurva S, kebutuhan), on top of ``xlsx_common``.

``add_sheet`` is ``xlsx_common.new_sheet`` for a workbook that holds more than one sheet, with the frozen
cell, the orientation and the printed title rows as parameters; the header block (title and project
fields in rows 1-6, blank row 7, column titles in row ``HEADER_ROW``) is the same as every other document.
"""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ahsp.exports.xlsx_common import FREEZE, HEADER_ROW, _text, header_block
from ahsp.models import Project

PERCENT_FORMAT = "0.00%"  # a fraction shown as a percentage (0,1 -> 10,00%)
PERCENT_NUMBER_FORMAT = "#,##0.00"  # a % written as a number (bobot, % of an item)
INDEX_FORMAT = "0.0000"
DATE_FORMAT = "d mmm yyyy"
PLANNED_FILL = PatternFill("solid", fgColor="9DC3E6")
SPAN_FILL = PatternFill("solid", fgColor="DEEBF7")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
PLAIN = {"border": False, "alignment": None}


def add_sheet(
    workbook: Workbook,
    project: Project,
    *,
    sheet_title: str,
    title: str,
    labels: Sequence[str],
    widths: Sequence[float],
    freeze: str = FREEZE,
    title_rows: str = f"{HEADER_ROW}:{HEADER_ROW}",
    title_columns: str | None = None,
    landscape: bool = False,
    fit_to_width: bool = True,
) -> Worksheet:
    """A new sheet of a write-only ``workbook`` with widths, frozen panes, A4 page setup, printed titles and
    the header block already written (the next row appended is ``HEADER_ROW + 1``)."""
    ws = workbook.create_sheet(sheet_title)
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = freeze
    ws.print_title_rows = title_rows
    if title_columns:
        ws.print_title_cols = title_columns
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    if landscape:
        ws.page_setup.orientation = "landscape"
    if fit_to_width:
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    header_block(ws, project, title, labels)
    return ws


def note_row(ws, text: str, *, column: int = 2) -> list:
    """A row with a user-visible note (never a formula) in ``column``."""
    return [None] * (column - 1) + [_text(ws, text, **PLAIN)]


def filled(cell, fill: PatternFill):
    cell.fill = fill
    return cell
