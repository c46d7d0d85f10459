"""Kurva S and earned value as an Excel workbook: sheets "Kurva S" and "Nilai Hasil" that recalculate.

"Kurva S" (the weekly table of the Kurva S page, percentages as fractions with a % format, 0,1 = 10 %):

- A minggu ke, B tanggal mulai, C tanggal akhir (real dates);
- D rencana (planned % of the project in the week) and F realisasi (actual, reported weeks only) as
  numbers: the exact weekly sums of the schedule (``weekly_sums``) / total, rounded half up to 12 decimals;
- E rencana kumulatif and G realisasi kumulatif: the running ``SUM`` of D / F, rounded like the app
  (``ROUND(..., 8)``: 6 decimals of a %), so they equal the page's cumulative values;
- H deviasi ``=ROUND(G-E,8)`` and I status ``IF`` on H (> 0 lebih cepat, 0 sesuai rencana, down to
  -10 % terlambat, below kritis) for the reported weeks;
- a native line chart (openpyxl ``LineChart``) of the two cumulative columns over the weeks; the actual
  line stops after the last reported week (empty cells are gaps).

"Nilai Hasil" (reported weeks): PV, EV and AC to date as numbers (the app's values, in rupiah), then live
formulas with the budget (BAC, the RAB before PPN) in the row below the table:
``SPI = ROUND(EV/PV,4)``, ``CPI = ROUND(EV/AC,4)``, ``EAC = ROUND(BAC*AC/EV,2)``, ``ETC = EAC-AC``,
``VAC = BAC-EAC`` (empty when the divisor is 0, as the app's "—").

Without a start date or duration, without reported weeks or with a zero RAB, a note says so.
"""

from __future__ import annotations

from decimal import Decimal

from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference

from ahsp.calculations.money import exact_context, quantize_quotient
from ahsp.calculations.schedule import HUNDRED
from ahsp.exports.rab_xlsx import MONEY_FORMAT
from ahsp.exports.s_curve_pdf import NO_SCHEDULE_NOTE, NOT_REPORTED_NOTE, ZERO_TOTAL_NOTE
from ahsp.exports.xlsx_common import FIRST_DATA_ROW, HEADER_ROW, Progress, _cell, no_progress, save
from ahsp.exports.xlsx_sheets import (
    DATE_FORMAT,
    INDEX_FORMAT,
    PERCENT_FORMAT,
    TOTAL_FILL,
    add_sheet,
    filled,
    note_row,
)
from ahsp.models import Project
from ahsp.schedule_data import ScheduleSummary, load_schedule

CURVE_SHEET = "Kurva S"
VALUE_SHEET = "Nilai Hasil"
CURVE_TITLE = "KURVA S: RENCANA DAN REALISASI PROGRES"
VALUE_TITLE = "NILAI HASIL (EARNED VALUE)"
CURVE_HEADER = (
    "Minggu ke",
    "Tanggal mulai",
    "Tanggal akhir",
    "Rencana (%)",
    "Rencana kumulatif (%)",
    "Realisasi (%)",
    "Realisasi kumulatif (%)",
    "Deviasi (%)",
    "Status",
)
CURVE_WIDTHS = (10, 14, 14, 13, 15, 13, 15, 13, 16)
VALUE_HEADER = (
    "Minggu ke",
    "Tanggal akhir",
    "PV (Rp)",
    "EV (Rp)",
    "AC (Rp)",
    "SPI",
    "CPI",
    "EAC (Rp)",
    "ETC (Rp)",
    "VAC (Rp)",
)
VALUE_WIDTHS = (10, 14, 18, 18, 18, 10, 10, 18, 18, 18)
BUDGET_LABEL = "Anggaran (BAC)"
FRACTION_DIGITS = 12
FRACTION_PLACES = Decimal(1).scaleb(-FRACTION_DIGITS)
STATUS_FORMULA = '=IF(H{r}>0,"lebih cepat",IF(H{r}=0,"sesuai rencana",IF(H{r}>=-0.1,"terlambat","kritis")))'
CURVE_NOTE = (
    "Persen bobot proyek. Rencana dan realisasi kumulatif = jumlah berjalan kolom mingguan; deviasi = "
    "realisasi kumulatif - rencana kumulatif; status: > 0 lebih cepat, 0 sesuai rencana, sampai -10 % "
    "terlambat, di bawahnya kritis."
)
VALUE_NOTE = (
    "PV = rencana kumulatif x BAC; EV = realisasi kumulatif x BAC; AC = biaya aktual yang dicatat (minggu "
    "tanpa catatan: sama dengan EV-nya); SPI = EV / PV; CPI = EV / AC; EAC = BAC / CPI = BAC x AC / EV; "
    "ETC = EAC - AC; VAC = BAC - EAC. BAC = jumlah RAB sebelum PPN."
)


def fractions(summary: ScheduleSummary) -> tuple[list[Decimal], list[Decimal]]:
    """Planned and actual share of the project per week as fractions (0,1 = 10 %), rounded once, half up,
    to 12 decimals: a weekly sum / total has no finite expansion in general (BAC Rp 63.015.516,60)."""
    planned, actual = summary.planned_sums, summary.actual_sums
    if not summary.total:
        zero = Decimal(0).quantize(FRACTION_PLACES)
        return [zero] * len(planned), [zero] * len(actual)
    with exact_context():
        scale = summary.total * HUNDRED  # rupiah x % of an item -> fraction of the project

    def fraction(value: Decimal) -> Decimal:
        return quantize_quotient(value, scale, FRACTION_DIGITS)

    return [fraction(v) for v in planned], [fraction(v) for v in actual]


def _curve_sheet(workbook: Workbook, project: Project, summary: ScheduleSummary, report) -> None:
    ws = add_sheet(
        workbook,
        project,
        sheet_title=CURVE_SHEET,
        title=CURVE_TITLE,
        labels=CURVE_HEADER,
        widths=CURVE_WIDTHS,
        landscape=True,
    )
    weeks = summary.weeks
    if not weeks:
        ws.append(note_row(ws, NO_SCHEDULE_NOTE, column=1))
        return
    planned, actual = fractions(summary)
    reported = summary.reported_weeks
    count = len(weeks)
    every = max(1, count // 10)
    for index, week in enumerate(weeks):
        r = FIRST_DATA_ROW + index
        row = [
            _cell(ws, week.number),
            _cell(ws, week.start, number_format=DATE_FORMAT),
            _cell(ws, week.end, number_format=DATE_FORMAT),
            _cell(ws, planned[index], number_format=PERCENT_FORMAT),
            _cell(ws, f"=ROUND(SUM($D${FIRST_DATA_ROW}:D{r}),8)", number_format=PERCENT_FORMAT),
        ]
        if week.number <= reported:
            row += [
                _cell(ws, actual[index], number_format=PERCENT_FORMAT),
                _cell(ws, f"=ROUND(SUM($F${FIRST_DATA_ROW}:F{r}),8)", number_format=PERCENT_FORMAT),
                _cell(ws, f"=ROUND(G{r}-E{r},8)", number_format=PERCENT_FORMAT),
                _cell(ws, STATUS_FORMULA.format(r=r)),
            ]
        else:
            row += [_cell(ws, None) for _ in range(4)]
        ws.append(row)
        if (index + 1) % every == 0:
            report(index + 1, count, f"Menulis minggu {index + 1}/{count}")
    last = FIRST_DATA_ROW + count - 1
    ws.append([])
    notes = [CURVE_NOTE]
    if summary.unplanned_item_count:
        notes.append(
            f"{summary.unplanned_item_count} pekerjaan belum memiliki rencana jadwal, sehingga rencana "
            "kumulatif belum mencapai 100 %."
        )
    if not summary.total:
        notes.append(ZERO_TOTAL_NOTE)
    if not reported:
        notes.append(NOT_REPORTED_NOTE)
    for text in notes:
        ws.append(note_row(ws, text, column=1))
    ws.add_chart(_chart(ws, last), f"K{HEADER_ROW}")


def _chart(ws, last: int) -> LineChart:
    chart = LineChart()
    chart.title = "Kurva S"
    chart.y_axis.title = "% bobot proyek (kumulatif)"
    chart.x_axis.title = "Minggu ke"
    chart.y_axis.number_format = "0%"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 1
    chart.y_axis.majorUnit = 0.25
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.display_blanks = "gap"
    chart.height = 10
    chart.width = 22
    for column in (5, 7):  # E rencana kumulatif, G realisasi kumulatif (titles from the header row)
        chart.add_data(Reference(ws, min_col=column, min_row=HEADER_ROW, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=FIRST_DATA_ROW, max_row=last))
    planned, actual = chart.series
    planned.graphicalProperties.line.solidFill = "0B5D7A"
    planned.graphicalProperties.line.dashStyle = "dash"
    actual.graphicalProperties.line.solidFill = "C2410C"
    for series in chart.series:
        series.smooth = False
        series.graphicalProperties.line.width = 28575  # 2.25 pt
    return chart


def _value_sheet(workbook: Workbook, project: Project, summary: ScheduleSummary) -> None:
    ws = add_sheet(
        workbook,
        project,
        sheet_title=VALUE_SHEET,
        title=VALUE_TITLE,
        labels=VALUE_HEADER,
        widths=VALUE_WIDTHS,
        landscape=True,
    )
    if not summary.is_scheduled:
        ws.append(note_row(ws, NO_SCHEDULE_NOTE, column=1))
        return
    earned = summary.earned
    budget_row = FIRST_DATA_ROW + len(earned) + 1
    bac = f"$C${budget_row}"
    for index, row in enumerate(earned):
        r = FIRST_DATA_ROW + index
        ws.append(
            [
                _cell(ws, row.week),
                _cell(ws, summary.weeks[row.week - 1].end, number_format=DATE_FORMAT),
                _cell(ws, row.planned_value, number_format=MONEY_FORMAT),
                _cell(ws, row.earned_value, number_format=MONEY_FORMAT),
                _cell(ws, row.actual_cost, number_format=MONEY_FORMAT),
                _cell(ws, f'=IF(C{r}=0,"",ROUND(D{r}/C{r},4))', number_format=INDEX_FORMAT),
                _cell(ws, f'=IF(E{r}=0,"",ROUND(D{r}/E{r},4))', number_format=INDEX_FORMAT),
                _cell(ws, f'=IF(D{r}=0,"",ROUND({bac}*E{r}/D{r},2))', number_format=MONEY_FORMAT),
                _cell(ws, f'=IF(D{r}=0,"",H{r}-E{r})', number_format=MONEY_FORMAT),
                _cell(ws, f'=IF(D{r}=0,"",{bac}-H{r})', number_format=MONEY_FORMAT),
            ]
        )
    ws.append([])
    label = _cell(ws, BUDGET_LABEL, bold=True)
    ws.append(
        [
            filled(label, TOTAL_FILL),
            None,
            filled(_cell(ws, summary.total, number_format=MONEY_FORMAT, bold=True), TOTAL_FILL),
        ]
    )
    ws.append([])
    notes = [VALUE_NOTE]
    if not summary.total:
        notes.append(ZERO_TOTAL_NOTE)
    if not earned:
        notes.append(NOT_REPORTED_NOTE)
    for text in notes:
        ws.append(note_row(ws, text, column=1))


def build_s_curve_xlsx(project: Project, *, progress: Progress | None = None) -> bytes:
    """The workbook as bytes; ``progress(done, total, stage)`` per 10 % of the weeks and at the end."""
    report = progress or no_progress
    report(0, 0, "Menghitung Kurva S")
    summary = load_schedule(project)
    count = len(summary.weeks)
    units = count + 2  # the weeks, the earned value sheet, the saving

    def weekly(done: int, _total: int, stage: str) -> None:
        report(done, units, stage)

    workbook = Workbook(write_only=True)
    _curve_sheet(workbook, project, summary, weekly)
    report(count, units, "Menulis nilai hasil")
    _value_sheet(workbook, project, summary)
    report(count + 1, units, "Menyimpan")
    data = save(workbook)
    report(units, units, "Selesai")
    return data
