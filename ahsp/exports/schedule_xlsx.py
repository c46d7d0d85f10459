"""The schedule (jadwal pelaksanaan) as an Excel workbook: one sheet "Jadwal" that recalculates.

Layout: the header block with the project fields (rows 1-6), the column titles in row ``HEADER_ROW`` (No,
Uraian Pekerjaan, Jumlah Harga, Bobot, then "Minggu 1" ... "Minggu N") and the first day of every week
as a real date in the row below; both rows are printed on every page, and the panes are frozen below
them and right of the names. Then one row per section and work item in tree order (numbers as in the RAB),
a "Jumlah" row, and the bottom rows of the Gantt.

Amounts and the planned % of every work item per week (% of the item, its planned weeks filled) are real
numbers; everything derived is a live formula, stored with its result (the app's figures: the RAB's
subtotals and bobot, the Gantt page's weekly and cumulative planned %), so changing an amount or a week's %
in Excel recalculates the weights and the curve, and viewers that do not recalculate show the figures:

- section amount: ``SUM`` of its direct work items and sub-sections (as the RAB workbook); Jumlah: ``SUM``
  of the top-level sections;
- bobot (%): ``IF(total=0,0,amount/total*100)`` for items and sections;
- planned % of the project in week w: ``SUMPRODUCT(bobot column, week column)/100`` over every row
  (section rows have no week values, so they add nothing);
- cumulative: the running ``SUM`` of the weekly row.

Without a start date or duration the rows are listed without week columns and a note says why. The header
block carries the draft mark while the RAB is incomplete (``xlsx_common``). User text
goes through ``rab_csv.text_cell`` (``xlsx_common._text``): it is never run as a formula.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from xlsxwriter.utility import xl_col_to_name

from ahsp.exports.rab_xlsx import MONEY_FORMAT, _sum_formula
from ahsp.exports.xlsx_common import (
    CENTER,
    HEADER_FILL,
    HEADER_ROW,
    Book,
    Progress,
    _cell,
    _text,
    column_header,
    filled,
    formula,
    indented,
    no_progress,
    save,
)
from ahsp.exports.xlsx_sheets import (
    DATE_FORMAT,
    PERCENT_NUMBER_FORMAT,
    PLANNED_FILL,
    SPAN_FILL,
    TOTAL_FILL,
    add_sheet,
    note_row,
)
from ahsp.loaders.rab_notes import load_draft_mark
from ahsp.loaders.schedule_table import (
    EMPTY_NOTE,
    NO_SCHEDULE_NOTE,
    UNPLANNED_LABEL,
    ScheduleLine,
    ScheduleTable,
    load_schedule_table,
)
from ahsp.models import Project

SHEET_TITLE = "Jadwal"
TITLE = "JADWAL PELAKSANAAN PEKERJAAN"
HEADER = ("No", "Uraian Pekerjaan", "Jumlah Harga (Rp)", "Bobot (%)")
DATE_LABEL = "Tanggal mulai minggu"
COLUMN_WIDTHS = (9, 50, 18, 10)
WEEK_WIDTH = 12  # "16 Mar 2026" in bold, so the week dates never show as ###
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
    return xl_col_to_name(FIRST_WEEK_COLUMN + week - 2)  # xl_col_to_name counts from 0


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


def _line_cells(line: ScheduleLine, sheet_row: int, amount_formula: str | None, weeks: int, total_ref: str):
    bold = not line.is_item
    if amount_formula is None:
        amount = _cell(line.amount, number_format=MONEY_FORMAT, bold=bold)
    else:
        amount = formula(amount_formula, line.amount, number_format=MONEY_FORMAT, bold=bold)
    cells = [
        _text(line.number, bold=bold),
        _text(line.name, bold=bold, alignment=indented(line.depth)),
        amount,
        formula(
            f"=IF({total_ref}=0,0,C{sheet_row}/{total_ref}*100)",
            line.weight,
            number_format=PERCENT_NUMBER_FORMAT,
            bold=bold,
        ),
    ]
    for week in range(1, weeks + 1):
        if line.is_item:
            share = line.shares.get(week)
            cell = _cell(share, number_format=PERCENT_NUMBER_FORMAT)
            cells.append(filled(cell, PLANNED_FILL) if share is not None else cell)
        else:
            cell = _cell(None)
            cells.append(filled(cell, SPAN_FILL) if week in line.weeks else cell)
    return cells


def _bottom_row(label: str, formulas: Sequence[tuple[str, Decimal]], *, weight=None) -> list:
    """A bottom row of the Gantt: (formula, result) per week; ``weight`` (formula, result) in column D."""
    cells = [
        _cell(None),
        _text(label, bold=True),
        _cell(None),
        formula(*weight, number_format=PERCENT_NUMBER_FORMAT, bold=True)
        if weight
        else _cell(None, number_format=PERCENT_NUMBER_FORMAT, bold=True),
    ]
    cells += [
        formula(text, value, number_format=PERCENT_NUMBER_FORMAT, bold=True) for text, value in formulas
    ]
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

    book = Book()
    ws = _schedule_sheet(book, project, table)
    amount_formulas, total_formula = layout(table.lines)
    total_row = FIRST_DATA_ROW + count
    total_ref = f"$C${total_row}"
    every = max(1, count // 20)
    for index, line in enumerate(table.lines):
        sheet_row = FIRST_DATA_ROW + index
        ws.append(
            _line_cells(
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

    _append_totals(ws, table, total_formula, total_row)
    ws.append([])
    for text in notes(table):
        ws.append(note_row(text))
    data = save(book)
    report(units, units, "Selesai")
    return data


def _schedule_sheet(book: Book, project: Project, table):
    """The sheet with its title, the column labels and the row of week start dates under them."""
    weeks = len(table.weeks)
    labels = [*HEADER, *(f"Minggu {week.number}" for week in table.weeks)]
    ws = add_sheet(
        book,
        project,
        sheet_title=SHEET_TITLE,
        title=TITLE,
        labels=labels,
        widths=[*COLUMN_WIDTHS, *([WEEK_WIDTH] * weeks)],
        draft=load_draft_mark(project),
        freeze=FREEZE,
        title_rows=(HEADER_ROW, HEADER_ROW + 1),
        title_columns="A:B",
        landscape=True,
        fit_to_width=weeks <= 16,
    )
    dates = column_header(["", DATE_LABEL, "", ""])
    for week in table.weeks:
        dates.append(
            _cell(week.start, number_format=DATE_FORMAT, bold=True, alignment=CENTER, fill=HEADER_FILL)
        )
    ws.append(dates)
    return ws


def _append_totals(ws, table, total_formula: str, total_row: int) -> None:
    """The total row (amount and bobot), then the planned weekly and cumulative rows when there are weeks."""
    count, weeks = len(table.lines), len(table.weeks)
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
            _cell(None),
            _text(TOTAL_LABEL, bold=True),
            formula(total_formula, table.total, number_format=MONEY_FORMAT, bold=True),
            formula(top_weights, table.total_weight, number_format=PERCENT_NUMBER_FORMAT, bold=True),
        )
    ]
    ws.append(total)
    if weeks:
        planned_row = total_row + 1
        weekly = []
        for w, row in enumerate(table.curve, start=1):
            column = week_column(w)
            weights, shares = f"$D${FIRST_DATA_ROW}:$D${last}", f"{column}{FIRST_DATA_ROW}:{column}{last}"
            weekly.append((f"=SUMPRODUCT({weights},{shares})/100" if count else "=0", row.planned))
        cumulative = [
            (f"=SUM($E${planned_row}:{week_column(w)}{planned_row})", row.planned_cumulative)
            for w, row in enumerate(table.curve, start=1)
        ]
        ws.append(_bottom_row(PLANNED_LABEL, weekly, weight=(f"=D{total_row}", table.total_weight)))
        ws.append(_bottom_row(CUMULATIVE_LABEL, cumulative))
