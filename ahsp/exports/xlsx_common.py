"""Pieces shared by the workbooks of the project documents (RAB, AHSP, Harga Satuan Dasar, schedule ...).

The workbooks are written with XlsxWriter, because it stores every formula WITH its result: viewers that
do not recalculate (file previews, phones, many web viewers) show the figures, and Excel or LibreOffice
still recalculate the live formulas. A builder describes each row as a list of cells:

- ``_cell(value)``: a number (``Decimal`` or ``int``, written as is; ``float`` is refused), a date, one of
  our own labels, or ``None`` (an empty, possibly bordered cell);
- ``_text(value)``: user text, always stored as a string, so a name such as ``=HYPERLINK(..)`` never
  runs; text that starts like a formula (``= + - @``, tab, CR) also gets the quote-prefix cell style
  (Excel's hidden ``'``: the text shows as typed and stays text when the cell is edited), never a
  visible ``'`` (the CSVs keep theirs: a CSV has no styles);
- ``formula("=SUM(G9:G12)", value)``: a live formula and its result, computed by the caller from the same
  ``Decimal`` figures the app shows (never float arithmetic).

and appends it with ``Sheet.append``. Every document looks the same: a title and the project fields in rows
1-6, row 7 blank or, while the RAB is incomplete, the draft mark ("DRAF — RAB belum lengkap: ..."), the
table header in row ``HEADER_ROW`` (frozen with everything above it and repeated on every printed page),
data below.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

import xlsxwriter
from xlsxwriter.utility import xl_cell_to_rowcol

from ahsp.exports.rab_csv import FORMULA_STARTS
from ahsp.loaders.rab_notes import load_draft_mark
from ahsp.models import Project

Progress = Callable[[int, int, str], None]

HEADER_ROW = 8  # rows 1-6: title and project fields, 7: blank or the draft mark
DRAFT_ROW = HEADER_ROW - 1
FIRST_DATA_ROW = HEADER_ROW + 1
FREEZE = f"A{FIRST_DATA_ROW}"
A4 = 9  # XlsxWriter's paper code
LINE_HEIGHT = 15  # points: one line of the default 11 pt font
CHARS_PER_WIDTH = 1.0  # characters of text per unit of column width (a unit is one "0"; bold is wider)
DRAFT_COLOR = "#B91C1C"


@dataclass(frozen=True)
class Align:
    horizontal: str | None = None  # "left", "center", "right"
    vertical: str | None = "top"  # "top", "vcenter"
    wrap: bool = False
    indent: int = 0


TOP = Align()
WRAP = Align(wrap=True)
CENTER_TOP = Align(horizontal="center")
CENTER = Align(horizontal="center", vertical="vcenter", wrap=True)
LEFT = Align(horizontal="left", vertical=None)
HEADER_FILL = "#D9D9D9"


def indented(depth: int) -> Align:
    """Wrapped and indented by the depth in the tree (sections and work items)."""
    return Align(wrap=True, indent=depth)


@dataclass(frozen=True)
class Style:
    number_format: str | None = None
    bold: bool = False
    align: Align | None = TOP
    border: bool = True
    fill: str | None = None  # background colour, "#RRGGBB"
    color: str | None = None  # font colour
    quote_prefix: bool = False  # Excel's hidden leading ' : text that looks like a formula stays text

    def properties(self) -> dict:
        props: dict = {}
        if self.number_format:
            props["num_format"] = self.number_format
        if self.bold:
            props["bold"] = True
        if self.align is not None:
            if self.align.horizontal:
                props["align"] = self.align.horizontal
            if self.align.vertical:
                props["valign"] = self.align.vertical
            if self.align.wrap:
                props["text_wrap"] = True
            if self.align.indent:
                props["indent"] = self.align.indent
        if self.border:
            props["border"] = 1
        if self.fill:
            props["pattern"], props["bg_color"] = 1, self.fill
        if self.color:
            props["font_color"] = self.color
        if self.quote_prefix:
            props["quote_prefix"] = True
        return props


@dataclass
class Cell:
    kind: str  # "blank", "text", "number", "date", "formula"
    value: object
    style: Style
    formula: str = ""


Result = Decimal | int | str | None


def _style(number_format=None, bold=False, alignment=TOP, border=True, fill=None, color=None) -> Style:
    return Style(number_format, bold, alignment, border, fill, color)


def _cell(value, **style) -> Cell:
    """A number, a date, one of our own labels or ``None``; formulas go through ``formula``."""
    if value is None:
        kind = "blank"
    elif isinstance(value, str):
        if value.startswith("="):
            raise ValueError(f"a formula needs its value: formula({value!r}, value)")
        kind = "text"
    elif isinstance(value, bool) or isinstance(value, float):
        raise TypeError(f"not a cell value: {value!r}")
    elif isinstance(value, Decimal | int):
        kind = "number"
    elif isinstance(value, date):
        kind = "date"
    else:
        raise TypeError(f"not a cell value: {value!r}")
    return Cell(kind, value, _style(**style))


def _text(value: str | None, **style) -> Cell:
    """A user text cell: always a string (never a formula), quote-prefixed when it starts like one."""
    text = value or ""
    cell_style = _style(**style)
    if text.startswith(FORMULA_STARTS):
        cell_style = replace(cell_style, quote_prefix=True)
    return Cell("text", text, cell_style)


def formula(text: str, value: Result, **style) -> Cell:
    """A live formula with its result (``Decimal``/``int``; ``""`` or a string for text results)."""
    if not text.startswith("="):
        raise ValueError(f"not a formula: {text!r}")
    if isinstance(value, bool | float):
        raise TypeError(f"not a formula result: {value!r}")
    return Cell("formula", value, _style(**style), text)


def filled(cell: Cell, fill: str) -> Cell:
    cell.style = replace(cell.style, fill=fill)
    return cell


def _result(value: Result):
    """What XlsxWriter stores as the cached result: a Decimal as its exact decimal text, 0 as ``0``."""
    if value is None:
        return 0
    if isinstance(value, Decimal) and not value:
        return 0
    return value


class Sheet:
    """A worksheet written row by row (``append``), like openpyxl's write-only sheets.

    A row whose wrapped text needs more than one line gets that many lines of height (an estimate from the
    column width: LibreOffice and many viewers do not fit rows to wrapped text themselves)."""

    def __init__(self, book: Book, worksheet, widths: Sequence[float] = ()) -> None:
        self.book = book
        self.worksheet = worksheet
        self.widths = tuple(widths)
        self.row = 0  # 0-based index of the next row

    @property
    def next_row(self) -> int:
        """The 1-based (Excel) number of the row the next ``append`` writes."""
        return self.row + 1

    def _lines(self, column: int, cell: Cell) -> int:
        align = cell.style.align
        if cell.kind != "text" or align is None or not align.wrap or column >= len(self.widths):
            return 1
        per_line = max(1, int(self.widths[column] * CHARS_PER_WIDTH) - 2 * align.indent)
        return sum(max(1, math.ceil(len(part) / per_line)) for part in str(cell.value).split("\n"))

    def append(self, cells: Sequence[Cell | None] = ()) -> None:
        lines = max((self._lines(c, cell) for c, cell in enumerate(cells) if cell is not None), default=1)
        if lines > 1:
            self.worksheet.set_row(self.row, LINE_HEIGHT * lines)
        for column, cell in enumerate(cells):
            if cell is not None:
                self._write(column, cell)
        self.row += 1

    def _write(self, column: int, cell: Cell) -> None:
        ws, row = self.worksheet, self.row
        fmt = self.book.format(cell.style)
        if cell.kind == "text":
            if cell.value:
                ws.write_string(row, column, cell.value, fmt)
            else:
                ws.write_blank(row, column, None, fmt)
        elif cell.kind == "number":
            ws.write_number(row, column, cell.value, fmt)
        elif cell.kind == "date":
            ws.write_datetime(row, column, cell.value, fmt)
        elif cell.kind == "formula":
            ws.write_formula(row, column, cell.formula, fmt, _result(cell.value))
        else:
            ws.write_blank(row, column, None, fmt)


class Book:
    """An XlsxWriter workbook in memory (rows streamed to temporary files: ``constant_memory``)."""

    def __init__(self) -> None:
        self.buffer = io.BytesIO()
        self.workbook = xlsxwriter.Workbook(self.buffer, {"constant_memory": True})
        self._formats: dict[Style, object] = {}

    def format(self, style: Style):
        if style not in self._formats:
            properties = style.properties()
            self._formats[style] = self.workbook.add_format(properties) if properties else None
        return self._formats[style]

    def add_sheet(
        self,
        name: str,
        *,
        widths: Sequence[float],
        freeze: str = FREEZE,
        title_rows: tuple[int, int] = (HEADER_ROW, HEADER_ROW),
        title_columns: str | None = None,
        landscape: bool = False,
        fit_to_width: bool = True,
    ) -> Sheet:
        """A sheet with column widths, frozen panes, A4 page setup and printed titles (1-based rows)."""
        ws = self.workbook.add_worksheet(name)
        for index, width in enumerate(widths):
            ws.set_column(index, index, width)
        row, column = xl_cell_to_rowcol(freeze)
        ws.freeze_panes(row, column)
        ws.repeat_rows(title_rows[0] - 1, title_rows[1] - 1)
        if title_columns:
            ws.repeat_columns(title_columns)
        ws.set_paper(A4)
        if landscape:
            ws.set_landscape()
        if fit_to_width:
            ws.fit_to_pages(1, 0)
        return Sheet(self, ws, widths)

    def save(self) -> bytes:
        self.workbook.close()
        return self.buffer.getvalue()


def no_progress(done: int, total: int, stage: str) -> None:
    """The default ``progress`` callback: does nothing."""


def coefficient_format(places: int) -> str:
    """``4`` -> ``"#,##0.0000"`` (Excel shows it with the reader's separators)."""
    return "#,##0." + "0" * places if places > 0 else "#,##0"


def column_header(labels: Sequence[str]) -> list[Cell]:
    """A bold, grey, centred, bordered row of column titles."""
    return [_cell(label, bold=True, alignment=CENTER, fill=HEADER_FILL) for label in labels]


def header_block(ws: Sheet, project: Project, title: str, labels: Sequence[str], draft: str = "") -> None:
    """Rows 1-6: the title and the project fields; row 7 the draft mark (or blank); row 8 the header."""
    plain = {"border": False, "alignment": None}
    ws.append([_cell(title, bold=True, **plain)])
    fields = (
        ("Nama Proyek", project.name),
        ("Pemilik", project.client),
        ("Lokasi", project.location),
        ("Sumber Dana", project.funding_source),
    )
    for label, value in fields:
        ws.append([_cell(label, **plain), None, _text(value, **plain)])
    year = project.fiscal_year
    ws.append(
        [
            _cell("Tahun Anggaran", **plain),
            None,
            _cell(year, number_format="0", border=False, alignment=LEFT) if year is not None else None,
        ]
    )
    ws.append([_cell(draft, bold=True, color=DRAFT_COLOR, **plain)] if draft else [])
    ws.append(column_header(labels))


def new_sheet(
    project: Project,
    *,
    sheet_title: str,
    title: str,
    labels: Sequence[str],
    widths: Sequence[int],
    landscape: bool = False,
) -> tuple[Book, Sheet]:
    """A workbook with one sheet: widths, frozen panes, A4 fit to width, print titles, and the header
    block (with the draft mark while the RAB is incomplete) already written (the next row appended is
    ``FIRST_DATA_ROW``)."""
    book = Book()
    ws = book.add_sheet(sheet_title, widths=widths, landscape=landscape)
    header_block(ws, project, title, labels, load_draft_mark(project))
    return book, ws


def save(book: Book) -> bytes:
    return book.save()
