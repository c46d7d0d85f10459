"""Kurva S and earned value as an Excel workbook: sheets "Kurva S" and "Nilai Hasil" that recalculate.

"Kurva S" (the weekly table of the Kurva S page, percentages as fractions with a % format, 0,1 = 10 %):

- A minggu ke, B tanggal mulai, C tanggal akhir (real dates);
- D rencana (planned % of the project in the week) and F realisasi (actual, reported weeks only) as
  numbers: the exact weekly sums of the schedule (``weekly_sums``) / total, rounded half up to 12 decimals;
- E rencana kumulatif and G realisasi kumulatif: the running ``SUM`` of D / F, rounded like the app
  (``ROUND(..., 8)``: 6 decimals of a %), so they equal the page's cumulative values;
- H deviasi ``=ROUND(G-E,8)`` and I status ``IF`` on H (> 0 lebih cepat, 0 sesuai rencana, down to
  -10 % terlambat, below kritis) for the reported weeks;
- a native line chart of the two cumulative columns over the weeks; the actual line stops after the
  last reported week (empty cells are gaps).

"Nilai Hasil" (reported weeks): PV, EV and AC to date as numbers (the app's values, in rupiah), then live
formulas with the budget (BAC, the RAB before PPN) in the row below the table:
``SPI = ROUND(EV/PV,4)``, ``CPI = ROUND(EV/AC,4)``, ``EAC = ROUND(BAC*AC/EV,2)``, ``ETC = EAC-AC``,
``VAC = BAC-EAC`` (empty when the divisor is 0, as the app's "—").

Every formula is stored with its result, computed in ``Decimal`` from the very numbers written beside it
(what Excel computes from them: ``ROUND`` half away from zero), so viewers that do not recalculate show the
curve, and the figures equal the page's. Without a start date or duration, without reported weeks or with
a zero RAB, a note says so; the header blocks carry the draft mark while the RAB is incomplete.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal

from ahsp.calculations.money import exact_context, quantize_money, quantize_quotient
from ahsp.calculations.schedule import HUNDRED, EarnedValue
from ahsp.exports.rab_xlsx import MONEY_FORMAT
from ahsp.exports.s_curve_pdf import NO_SCHEDULE_NOTE, NOT_REPORTED_NOTE, ZERO_TOTAL_NOTE
from ahsp.exports.xlsx_common import (
    FIRST_DATA_ROW,
    HEADER_ROW,
    Book,
    Progress,
    _cell,
    filled,
    formula,
    no_progress,
    save,
)
from ahsp.exports.xlsx_sheets import (
    DATE_FORMAT,
    INDEX_FORMAT,
    PERCENT_FORMAT,
    TOTAL_FILL,
    add_sheet,
    note_row,
)
from ahsp.loaders.rab_notes import load_draft_mark
from ahsp.loaders.schedule import ScheduleSummary, load_schedule
from ahsp.models import Project

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
ROUNDING = Context(prec=60, rounding=ROUND_HALF_UP)
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


def _rounded(value: Decimal, places: int) -> Decimal:
    """Excel's ``ROUND(value, places)``: half away from zero (rounds on purpose: not in ``exact_context``)."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=ROUNDING)


def status(deviation: Decimal) -> str:
    """The result of ``STATUS_FORMULA`` for a deviation (a fraction)."""
    if deviation > 0:
        return "lebih cepat"
    if deviation == 0:
        return "sesuai rencana"
    return "terlambat" if deviation >= Decimal("-0.1") else "kritis"


def _curve_sheet(book: Book, project: Project, summary: ScheduleSummary, report, draft: str) -> None:
    ws = add_sheet(
        book,
        project,
        sheet_title=CURVE_SHEET,
        title=CURVE_TITLE,
        labels=CURVE_HEADER,
        widths=CURVE_WIDTHS,
        draft=draft,
        landscape=True,
    )
    weeks = summary.weeks
    if not weeks:
        ws.append(note_row(NO_SCHEDULE_NOTE, column=1))
        return
    planned, actual = fractions(summary)
    reported = summary.reported_weeks
    count = len(weeks)
    every = max(1, count // 10)
    planned_sum = actual_sum = Decimal(0)
    for index, week in enumerate(weeks):
        r = FIRST_DATA_ROW + index
        with exact_context():
            planned_sum += planned[index]
        planned_cumulative = _rounded(planned_sum, 8)
        row = [
            _cell(week.number),
            _cell(week.start, number_format=DATE_FORMAT),
            _cell(week.end, number_format=DATE_FORMAT),
            _cell(planned[index], number_format=PERCENT_FORMAT),
            formula(
                f"=ROUND(SUM($D${FIRST_DATA_ROW}:D{r}),8)", planned_cumulative, number_format=PERCENT_FORMAT
            ),
        ]
        if week.number <= reported:
            with exact_context():
                actual_sum += actual[index]
            actual_cumulative = _rounded(actual_sum, 8)
            deviation = _rounded(actual_cumulative - planned_cumulative, 8)
            row += [
                _cell(actual[index], number_format=PERCENT_FORMAT),
                formula(
                    f"=ROUND(SUM($F${FIRST_DATA_ROW}:F{r}),8)",
                    actual_cumulative,
                    number_format=PERCENT_FORMAT,
                ),
                formula(f"=ROUND(G{r}-E{r},8)", deviation, number_format=PERCENT_FORMAT),
                formula(STATUS_FORMULA.format(r=r), status(deviation)),
            ]
        else:
            row += [_cell(None) for _ in range(4)]
        ws.append(row)
        if (index + 1) % every == 0:
            report(index + 1, count, f"Menulis minggu {index + 1}/{count}")
    last = FIRST_DATA_ROW + count - 1
    ws.append([])
    for text in _curve_notes(summary):
        ws.append(note_row(text, column=1))
    ws.worksheet.insert_chart(f"K{HEADER_ROW}", _chart(book, last))


def _curve_notes(summary: ScheduleSummary) -> list[str]:
    notes = [CURVE_NOTE]
    if summary.unplanned_item_count:
        notes.append(
            f"{summary.unplanned_item_count} pekerjaan belum memiliki rencana jadwal, sehingga rencana "
            "kumulatif belum mencapai 100 %."
        )
    if not summary.total:
        notes.append(ZERO_TOTAL_NOTE)
    if not summary.reported_weeks:
        notes.append(NOT_REPORTED_NOTE)
    return notes


def _chart(book: Book, last: int):
    """A native line chart of the cumulative columns E (rencana) and G (realisasi) over the weeks."""
    chart = book.workbook.add_chart({"type": "line"})
    first, end = FIRST_DATA_ROW - 1, last - 1  # 0-based rows
    for column, color, dash in ((4, "#0B5D7A", "dash"), (6, "#C2410C", "solid")):
        chart.add_series(
            {
                "name": [CURVE_SHEET, HEADER_ROW - 1, column],
                "categories": [CURVE_SHEET, first, 0, end, 0],
                "values": [CURVE_SHEET, first, column, end, column],
                "line": {"color": color, "width": 2.25, "dash_type": dash},
                "marker": {"type": "none"},
                "smooth": False,
            }
        )
    chart.set_title({"name": "Kurva S"})
    chart.set_x_axis({"name": "Minggu ke"})
    chart.set_y_axis(
        {"name": "% bobot proyek (kumulatif)", "num_format": "0%", "min": 0, "max": 1, "major_unit": 0.25}
    )
    chart.show_blanks_as("gap")
    chart.set_size({"width": 830, "height": 380})  # about 22 x 10 cm
    return chart


def _index(numerator: Decimal, denominator: Decimal) -> Decimal | str:
    """``IF(denominator=0,"",ROUND(numerator/denominator,4))``."""
    return quantize_quotient(numerator, denominator, 4) if denominator else ""


def _forecast(row: EarnedValue, bac: Decimal) -> tuple[Decimal | str, Decimal | str, Decimal | str]:
    """EAC ``ROUND(BAC*AC/EV,2)``, ETC ``EAC-AC``, VAC ``BAC-EAC`` from the written cents ("" when EV = 0)."""
    ev, ac = row.earned_value, row.actual_cost
    if not ev:
        return "", "", ""
    with exact_context():
        eac = quantize_quotient(bac * ac, ev, 2)
        return eac, eac - ac, bac - eac


def _value_row(row: EarnedValue, r: int, summary: ScheduleSummary, *, bac: str, budget: Decimal) -> list:
    """Week, end date, PV, EV, AC, SPI, CPI, EAC, ETC, VAC of one reported week at sheet row ``r``."""
    money = {"number_format": MONEY_FORMAT}
    eac, etc, vac = _forecast(row, budget)
    return [
        _cell(row.week),
        _cell(summary.weeks[row.week - 1].end, number_format=DATE_FORMAT),
        _cell(row.planned_value, **money),
        _cell(row.earned_value, **money),
        _cell(row.actual_cost, **money),
        formula(
            f'=IF(C{r}=0,"",ROUND(D{r}/C{r},4))',
            _index(row.earned_value, row.planned_value),
            number_format=INDEX_FORMAT,
        ),
        formula(
            f'=IF(E{r}=0,"",ROUND(D{r}/E{r},4))',
            _index(row.earned_value, row.actual_cost),
            number_format=INDEX_FORMAT,
        ),
        formula(f'=IF(D{r}=0,"",ROUND({bac}*E{r}/D{r},2))', eac, **money),
        formula(f'=IF(D{r}=0,"",H{r}-E{r})', etc, **money),
        formula(f'=IF(D{r}=0,"",{bac}-H{r})', vac, **money),
    ]


def _value_sheet(book: Book, project: Project, summary: ScheduleSummary, draft: str) -> None:
    ws = add_sheet(
        book,
        project,
        sheet_title=VALUE_SHEET,
        title=VALUE_TITLE,
        labels=VALUE_HEADER,
        widths=VALUE_WIDTHS,
        draft=draft,
        landscape=True,
    )
    if not summary.is_scheduled:
        ws.append(note_row(NO_SCHEDULE_NOTE, column=1))
        return
    earned = summary.earned
    budget_row = FIRST_DATA_ROW + len(earned) + 1
    bac = f"$C${budget_row}"
    budget = quantize_money(summary.total)
    for index, row in enumerate(earned):
        ws.append(_value_row(row, FIRST_DATA_ROW + index, summary, bac=bac, budget=budget))
    ws.append([])
    label = _cell(BUDGET_LABEL, bold=True)
    ws.append(
        [
            filled(label, TOTAL_FILL),
            None,
            filled(_cell(summary.total, number_format=MONEY_FORMAT, bold=True), TOTAL_FILL),
        ]
    )
    ws.append([])
    notes = [VALUE_NOTE]
    if not summary.total:
        notes.append(ZERO_TOTAL_NOTE)
    if not earned:
        notes.append(NOT_REPORTED_NOTE)
    for text in notes:
        ws.append(note_row(text, column=1))


def build_s_curve_xlsx(project: Project, *, progress: Progress | None = None) -> bytes:
    """The workbook as bytes; ``progress(done, total, stage)`` per 10 % of the weeks and at the end."""
    report = progress or no_progress
    report(0, 0, "Menghitung Kurva S")
    summary = load_schedule(project)
    draft = load_draft_mark(project)
    count = len(summary.weeks)
    units = count + 2  # the weeks, the earned value sheet, the saving

    def weekly(done: int, _total: int, stage: str) -> None:
        report(done, units, stage)

    book = Book()
    _curve_sheet(book, project, summary, weekly, draft)
    report(count, units, "Menulis nilai hasil")
    _value_sheet(book, project, summary, draft)
    report(count + 1, units, "Menyimpan")
    data = save(book)
    report(units, units, "Selesai")
    return data
