"""The schedule (jadwal pelaksanaan, Gantt as a table) as a formal PDF document (xhtml2pdf), landscape A4.

Columns: No, Uraian, Bobot (%), then one column per week with the % of the work item planned in that
week, shaded; a section row is shaded (lighter, no number) over the weeks in which anything below it is
planned, and an unplanned work item says so. The weeks are printed in bands of at most ``WEEKS_PER_BAND``
columns; every band repeats all the rows, under a heading with its weeks and dates, and its table header
(week number and first day) is repeated on every page. The bottom rows of each band give the planned % of
the project per week and cumulative (the S-curve, as on the Gantt page).

A project without a start date or duration gets the header, a note and the signature block. A large
schedule (many rows x bands) is laid out in parts (``render_pdf_in_parts``): each band starts a part, and
a band of many rows is cut into parts of ``TABLES_PER_PART`` tables of ``ROWS_PER_TABLE`` rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ahsp.calculations.schedule import Week, WeekProgress
from ahsp.exports.pdf_render import Progress, document_context, render_pdf, render_pdf_in_parts
from ahsp.loaders.gantt import percent_label
from ahsp.loaders.schedule_table import (
    EMPTY_NOTE,
    NO_SCHEDULE_NOTE,
    UNPLANNED_LABEL,
    ScheduleLine,
    ScheduleTable,
    bands,
    load_schedule_table,
)
from ahsp.models import Project

TEMPLATE = "ahsp/pdf/schedule.html"
TITLE = "Jadwal Pelaksanaan Pekerjaan"
SUBTITLE = "Rencana bobot pekerjaan per minggu (time schedule)"
WEEKS_PER_BAND = 16
ROWS_PER_TABLE = 40  # a table per 40 rows: ReportLab splits long tables quadratically
TABLES_PER_PART = 5  # 200 rows per part: a part lays out in well under the stale-job limit (120 s)
SINGLE_LAYOUT_ROWS = 1500  # rows x bands up to which the document is laid out in one go
ROWS_PER_PAGE = 28  # an estimate for progress reporting only
READ_SHARE = 10

# Landscape A4 minus the margins of pdf/base.html: 29,7 - 1,8 - 1,5 cm.
PAGE_WIDTH_MM = 264
NUMBER_MM = 14
WEIGHT_MM = 14
NAME_MIN_MM = 60
WEEK_MAX_MM = 18


@dataclass(frozen=True)
class Cell:
    css: str  # "wk", "wk on" (planned item week), "wk span" (section bar)
    label: str


@dataclass(frozen=True)
class PrintedLine:
    line: ScheduleLine
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class PrintedTable:
    band: int  # 1-based
    band_count: int
    weeks: list[Week]
    lines: list[PrintedLine]
    first_of_band: bool
    last_of_band: bool
    totals: list[WeekProgress]  # the band's weeks of the S-curve (printed under the last table)
    week_width: str
    name_width: str

    @property
    def first_week(self) -> Week:
        return self.weeks[0]

    @property
    def last_week(self) -> Week:
        return self.weeks[-1]


def _mm(value: int | Decimal) -> str:
    return f"{Decimal(value) / 10:.2f}cm"


def widths(week_count: int) -> tuple[str, str]:
    """(week column, Uraian column) widths so the table fills the page width exactly."""
    free = PAGE_WIDTH_MM - NUMBER_MM - WEIGHT_MM
    week = min(Decimal(WEEK_MAX_MM), Decimal(free - NAME_MIN_MM) / max(week_count, 1)).quantize(
        Decimal("0.1")
    )
    return _mm(week), _mm(free - week * week_count)


def cells(line: ScheduleLine, weeks: list[Week]) -> tuple[Cell, ...]:
    if line.is_item:
        return tuple(
            Cell("wk on", percent_label(line.shares[w.number])) if w.number in line.shares else Cell("wk", "")
            for w in weeks
        )
    return tuple(Cell("wk span" if w.number in line.weeks else "wk", "") for w in weeks)


def tables(table: ScheduleTable, *, weeks_per_band: int = WEEKS_PER_BAND) -> list[PrintedTable]:
    """Every printed table: per band, the rows in chunks of ``ROWS_PER_TABLE``."""
    result = []
    all_bands = bands(table.weeks, weeks_per_band)
    chunks = [table.lines[i : i + ROWS_PER_TABLE] for i in range(0, len(table.lines), ROWS_PER_TABLE)] or [[]]
    for index, band in enumerate(all_bands, start=1):
        week_width, name_width = widths(len(band))
        totals = table.curve[band[0].number - 1 : band[-1].number]
        for position, chunk in enumerate(chunks):
            result.append(
                PrintedTable(
                    band=index,
                    band_count=len(all_bands),
                    weeks=band,
                    lines=[PrintedLine(line, cells(line, band)) for line in chunk],
                    first_of_band=position == 0,
                    last_of_band=position == len(chunks) - 1,
                    totals=totals,
                    week_width=week_width,
                    name_width=name_width,
                )
            )
    return result


def parts(printed: list[PrintedTable]) -> list[list[PrintedTable]]:
    """Every band starts a part; a band's tables are cut into parts of ``TABLES_PER_PART``."""
    result: list[list[PrintedTable]] = []
    for table in printed:
        if table.first_of_band or len(result[-1]) >= TABLES_PER_PART:
            result.append([])
        result[-1].append(table)
    return result


def build_schedule_pdf(project: Project, *, progress: Progress | None = None) -> bytes:
    """The PDF bytes of the project's schedule."""
    report = progress or (lambda done, total, stage="": None)
    report(0, 100, "Membaca jadwal")

    def reading(done: int, total: int, stage: str) -> None:
        report(READ_SHARE * done // max(total, 1), 100, stage)

    table = load_schedule_table(project, progress=reading)
    printed = tables(table) if table.is_scheduled else []
    context = document_context(project, title=TITLE, subtitle=SUBTITLE, landscape=True)
    context.update(
        schedule=table,
        no_schedule_note=NO_SCHEDULE_NOTE,
        empty_note=EMPTY_NOTE,
        unplanned_label=UNPLANNED_LABEL,
        number_width=_mm(NUMBER_MM),
        weight_width=_mm(WEIGHT_MM),
    )
    rows = sum(len(t.lines) for t in printed)
    if rows <= SINGLE_LAYOUT_ROWS:
        context["tables"] = printed
        return render_pdf(
            TEMPLATE,
            context,
            progress=progress,
            estimated_pages=rows // ROWS_PER_PAGE + len(printed) // 2 + 1,
            progress_start=READ_SHARE,
            progress_span=100 - READ_SHARE,
        )
    return render_pdf_in_parts(
        TEMPLATE,
        context,
        key="tables",
        parts=parts(printed),
        progress=progress,
        stage=lambda done, total: f"Menyusun bagian {done}/{total}",
        progress_start=READ_SHARE,
        progress_span=100 - READ_SHARE,
    )
