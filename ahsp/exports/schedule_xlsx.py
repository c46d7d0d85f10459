"""The schedule (jadwal pelaksanaan) as an Excel workbook: one sheet "Jadwal" that recalculates.

Layout: the header block with the project fields (rows 1-6), the column titles in row ``HEADER_ROW`` (No,
Uraian Pekerjaan, Jumlah Harga, Bobot, then "Minggu 1" ... "Minggu N") and the first day of every week
as a real date in the row below; both rows are printed on every page, and the panes are frozen below
them and right of the names. Then one row per section and work item in tree order (numbers as in the RAB),
a "Jumlah" row, and the bottom rows of the Gantt.

Amounts and the planned % of every work item per week (% of the item, its planned weeks filled) are real
numbers; everything derived is a live formula, so changing an amount or a week's % in Excel recalculates
the weights and the curve:

- section amount: ``SUM`` of its direct work items and sub-sections (as the RAB workbook); Jumlah: ``SUM``
  of the top-level sections;
- bobot (%): ``IF(total=0,0,amount/total*100)`` for items and sections;
- planned % of the project in week w: ``SUMPRODUCT(bobot column, week column)/100`` over every row
  (section rows have no week values, so they add nothing);
- cumulative: the running ``SUM`` of the weekly row.

Without a start date or duration the rows are listed without week columns and a note says why. User text
goes through ``rab_csv.text_cell`` (``xlsx_common._text``): it is never run as a formula.
"""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from ahsp.exports.rab_xlsx import MONEY_FORMAT, _sum_formula
from ahsp.exports.schedule_table import (
    EMPTY_NOTE,
    NO_SCHEDULE_NOTE,
    UNPLANNED_LABEL,
    ScheduleLine,
    ScheduleTable,
    load_schedule_table,
)
from ahsp.exports.xlsx_common import HEADER_ROW, Progress, _cell, _text, column_header, no_progress, save
from ahsp.exports.xlsx_sheets import (
    DATE_FORMAT,
    PERCENT_NUMBER_FORMAT,
    PLANNED_FILL,
    SPAN_FILL,
    TOTAL_FILL,
    add_sheet,
    filled,
    note_row,
)
from ahsp.models import Project

SHEET_TITLE = "Jadwal"
TITLE = "JADWAL PELAKSANAAN PEKERJAAN"
HEADER = ("No", "Uraian Pekerjaan", "Jumlah Harga (Rp)", "Bobot (%)")
DATE_LABEL = "Tanggal mulai minggu"
COLUMN_WIDTHS = (9, 50, 18, 10)
WEEK_WIDTH = 10
FIRST_DATA_ROW = HEADER_ROW + 2  # row HEADER_ROW + 1 holds the week dates
FREEZE = f"C{FIRST_DATA_ROW}"
FIRST_WEEK_COLUMN = len(HEADER) + 1  # E
TOTAL_LABEL = "Jumlah"
PLANNED_LABEL = "Rencana per minggu (% bobot proyek)"
CUMULATIVE_LABEL = "Rencana kumulatif (%)"
NOTE_LABEL = (
    "Kolom minggu: % rencana pekerjaan itu pada minggu tersebut (sel berwarna). Bobot = jumlah harga / "
    "jumlah total x 100; rencana per minggu = SUMPRODUCT(bobot; minggu) / 100."
)
MAX_LISTED = 40  # unplanned item numbers listed in the note


def week_column(week: int) -> str:
    return get_column_letter(FIRST_WEEK_COLUMN + week - 1)


def _ranges(column: str, rows: Sequence[int]) -> list[str]:
    """``C10:C12``, ``C15``: consecutive rows as one range."""
    refs: list[str] = []
    start = previous = None
    for row in sorted(rows):
        if previous is not None and row == previous + 1:
            previous = row
            continue
        if start is not None:
            refs.append(f"{column}{start}" if start == previous else f"{column}{start}:{column}{previous}")
        start = previous = row
    if start is not None:
        refs.append(f"{column}{start}" if start == previous else f"{column}{start}:{column}{previous}")
    return refs


def layout(lines: Sequence[ScheduleLine]) -> tuple[dict[int, str], str]:
    """The amount formula of every section (by id) and of the Jumlah row."""
    children: dict[int | None, list[int]] = {}  # section id (None: top level) -> rows of its children
    for index, line in enumerate(lines):
        children.setdefault(line.parent_id, []).append(FIRST_DATA_ROW + index)
    formulas = {
        line.id: _sum_formula(_ranges("C", children.get(line.id, ()))) for line in lines if not line.is_item
    }
    return formulas, _sum_formula(_ranges("C", children.get(None, ())))


def _line_cells(
    ws, line: ScheduleLine, sheet_row: int, amount_formula: str | None, weeks: int, total_ref: str
):
    bold = not line.is_item
    indent = Alignment(vertical="top", wrap_text=True, indent=line.depth)
    amount = amount_formula if amount_formula is not None else line.amount
    cells = [
        _text(ws, line.number, bold=bold),
        _text(ws, line.name, bold=bold, alignment=indent),
        _cell(ws, amount, number_format=MONEY_FORMAT, bold=bold),
        _cell(
            ws,
            f"=IF({total_ref}=0,0,C{sheet_row}/{total_ref}*100)",
            number_format=PERCENT_NUMBER_FORMAT,
            bold=bold,
        ),
    ]
    for week in range(1, weeks + 1):
        if line.is_item:
            share = line.shares.get(week)
            cell = _cell(ws, share, number_format=PERCENT_NUMBER_FORMAT)
            cells.append(filled(cell, PLANNED_FILL) if share is not None else cell)
        else:
            cell = _cell(ws, None)
            cells.append(filled(cell, SPAN_FILL) if week in line.weeks else cell)
    return cells


def _bottom_row(ws, label: str, formulas: Sequence[str], *, weight=None) -> list:
    cells = [
        _cell(ws, None),
        _text(ws, label, bold=True),
        _cell(ws, None),
        _cell(ws, weight, number_format=PERCENT_NUMBER_FORMAT, bold=True),
    ]
    cells += [_cell(ws, formula, number_format=PERCENT_NUMBER_FORMAT, bold=True) for formula in formulas]
    return [filled(cell, TOTAL_FILL) for cell in cells]


def notes(table: ScheduleTable) -> list[str]:
    result = []
    if not table.is_scheduled:
        result.append(NO_SCHEDULE_NOTE)
    if not table.lines:
        result.append(EMPTY_NOTE)
    if table.is_scheduled and table.lines:
        result.append(NOTE_LABEL)
    if table.is_scheduled and table.unplanned_item_count:
        numbers = table.unplanned_numbers
        listed = ", ".join(numbers[:MAX_LISTED]) + (", ..." if len(numbers) > MAX_LISTED else "")
        result.append(
            f"{table.unplanned_item_count} pekerjaan {UNPLANNED_LABEL}, sehingga rencana kumulatif belum "
            f"mencapai 100 %: {listed}"
        )
    return result


def build_schedule_xlsx(project: Project, *, progress: Progress | None = None) -> bytes:
    """The workbook as bytes. ``progress(done, total, stage)``: at the start, at least every 5 % of the rows
    written, and at the end with ``done == total`` (total = rows + 1 for the saving)."""
    report = progress or no_progress
    report(0, 0, "Membaca jadwal")
    table = load_schedule_table(project)
    count = len(table.lines)
    units = count + 1
    report(0, units, "Membaca jadwal")
    weeks = len(table.weeks)

    workbook = Workbook(write_only=True)
    labels = [*HEADER, *(f"Minggu {week.number}" for week in table.weeks)]
    ws = add_sheet(
        workbook,
        project,
        sheet_title=SHEET_TITLE,
        title=TITLE,
        labels=labels,
        widths=[*COLUMN_WIDTHS, *([WEEK_WIDTH] * weeks)],
        freeze=FREEZE,
        title_rows=f"{HEADER_ROW}:{HEADER_ROW + 1}",
        title_columns="A:B",
        landscape=True,
        fit_to_width=weeks <= 16,
    )
    dates = column_header(ws, ["", DATE_LABEL, "", ""])
    for week in table.weeks:
        cell = column_header(ws, [""])[0]
        cell.value = week.start
        cell.number_format = DATE_FORMAT
        dates.append(cell)
    ws.append(dates)

    amount_formulas, total_formula = layout(table.lines)
    total_row = FIRST_DATA_ROW + count
    total_ref = f"$C${total_row}"
    every = max(1, count // 20)
    for index, line in enumerate(table.lines):
        sheet_row = FIRST_DATA_ROW + index
        ws.append(
            _line_cells(
                ws,
                line,
                sheet_row,
                amount_formulas.get(line.id) if not line.is_item else None,
                weeks,
                total_ref,
            )
        )
        done = index + 1
        if done % every == 0 or done == count:
            report(done, units, f"Menulis baris {done}/{count}")

    last = total_row - 1
    top_weights = _sum_formula(
        _ranges(
            "D",
            [
                FIRST_DATA_ROW + i
                for i, line in enumerate(table.lines)
                if not line.is_item and line.parent_id is None
            ],
        )
    )
    total = [
        filled(cell, TOTAL_FILL)
        for cell in (
            _cell(ws, None),
            _text(ws, TOTAL_LABEL, bold=True),
            _cell(ws, total_formula, number_format=MONEY_FORMAT, bold=True),
            _cell(ws, top_weights, number_format=PERCENT_NUMBER_FORMAT, bold=True),
        )
    ]
    ws.append(total)
    if weeks:
        planned_row = total_row + 1
        weekly = [
            f"=SUMPRODUCT($D${FIRST_DATA_ROW}:$D${last},{week_column(w)}{FIRST_DATA_ROW}:{week_column(w)}{last})/100"
            if count
            else "=0"
            for w in range(1, weeks + 1)
        ]
        cumulative = [f"=SUM($E${planned_row}:{week_column(w)}{planned_row})" for w in range(1, weeks + 1)]
        ws.append(_bottom_row(ws, PLANNED_LABEL, weekly, weight=f"=D{total_row}"))
        ws.append(_bottom_row(ws, CUMULATIVE_LABEL, cumulative))
    ws.append([])
    for text in notes(table):
        ws.append(note_row(ws, text))
    data = save(workbook)
    report(units, units, "Selesai")
    return data
