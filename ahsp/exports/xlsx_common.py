"""Pieces shared by the write-only workbooks of the project documents (AHSP, Harga Satuan Dasar).

The cell helpers and styles live here and are used by ``rab_xlsx`` too, so every document looks
the same: a title and the project fields in rows 1-6, a blank row 7, the table header in row
``HEADER_ROW`` (frozen with everything above it and repeated on every printed page), data below.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ahsp.exports.rab_csv import text_cell
from ahsp.models import Project

Progress = Callable[[int, int, str], None]

HEADER_ROW = 8  # rows 1-6: title and project fields, 7: blank
FIRST_DATA_ROW = HEADER_ROW + 1
FREEZE = f"A{FIRST_DATA_ROW}"
WRAP = Alignment(vertical="top", wrap_text=True)
CENTER_TOP = Alignment(horizontal="center", vertical="top")


_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
_TOP = Alignment(vertical="top")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left")


def _cell(ws, value, *, number_format=None, bold=False, alignment=_TOP, border=True):
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str) and not value.startswith("="):
        cell.data_type = "s"
    if number_format:
        cell.number_format = number_format
    if bold:
        cell.font = _BOLD
    if alignment is not None:
        cell.alignment = alignment
    if border:
        cell.border = _BORDER
    return cell


def _text(ws, value: str, **style):
    """A user text cell: neutralised, and always a string (never a formula)."""
    cell = _cell(ws, text_cell(value or ""), **style)
    cell.data_type = "s"
    return cell


def no_progress(done: int, total: int, stage: str) -> None:
    """The default ``progress`` callback: does nothing."""


def coefficient_format(places: int) -> str:
    """``4`` -> ``"#,##0.0000"`` (Excel shows it with the reader's separators)."""
    return "#,##0." + "0" * places if places > 0 else "#,##0"


def column_header(ws, labels: Sequence[str]) -> list:
    """A bold, grey, centred, bordered row of column titles."""
    cells = []
    for label in labels:
        cell = _cell(ws, label, bold=True, alignment=_CENTER)
        cell.fill = _HEADER_FILL
        cells.append(cell)
    return cells


def header_block(ws, project: Project, title: str, labels: Sequence[str]) -> None:
    """Rows 1-6: the title and the project fields; row 7 blank; row 8 the column header."""
    plain = {"border": False, "alignment": None}
    ws.append([_cell(ws, title, bold=True, **plain)])
    fields = (
        ("Nama Proyek", project.name),
        ("Pemilik", project.client),
        ("Lokasi", project.location),
        ("Sumber Dana", project.funding_source),
    )
    for label, value in fields:
        ws.append([_cell(ws, label, **plain), None, _text(ws, value, **plain)])
    year = project.fiscal_year
    ws.append(
        [
            _cell(ws, "Tahun Anggaran", **plain),
            None,
            _cell(ws, year if year is not None else "", number_format="0", border=False, alignment=_LEFT),
        ]
    )
    ws.append([])
    ws.append(column_header(ws, labels))


def new_sheet(
    project: Project, *, sheet_title: str, title: str, labels: Sequence[str], widths: Sequence[int]
) -> tuple[Workbook, Worksheet]:
    """A write-only workbook with one sheet: widths, frozen panes, A4 fit to width, print titles, and
    the header block already written (the next row appended is ``FIRST_DATA_ROW``)."""
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(sheet_title)
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = FREEZE
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    header_block(ws, project, title, labels)
    return workbook, ws


def save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
