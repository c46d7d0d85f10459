"""The Kurva S document: PDF (chart drawn from an inline-attribute SVG, weekly and earned value tables) and
XLSX (weekly table with running-SUM cumulatives, deviation and status formulas, a native line chart, and
earned value formulas). Expected values: the worked example of ``test_exports_schedule_docs``.

Earned value of the example (BAC = 10.000.000; AC entered per week 900.000 / 1.900.000 / 1.000.000)::

    week  PV          EV          AC          SPI     CPI     EAC            ETC            VAC
    1     1.000.000     800.000     900.000   0,8000  0,8889  11.250.000,00  10.350.000,00  -1.250.000,00
    2     3.000.000   2.500.000   2.800.000   0,8333  0,8929  11.200.000,00   8.400.000,00  -1.200.000,00
    3     4.500.000   3.500.000   3.800.000   0,7778  0,9211  10.857.142,86   7.057.142,86    -857.142,86

    (CPI w2 = 2,5 / 2,8 = 0,892857 -> 0,8929; EAC w3 = 10.000.000 x 3,8 / 3,5 = 10.857.142,857 -> ,86)

The chart (960 x 360, plot from x 64 to 940 and y 308 (0 %) to 28 (100 %), 4 weeks of 219 px): the
planned curve runs through (283, 280) (10 %), (502, 224) (30 %), (721, 182) (45 %), (940, 28) (100 %); the
actual curve through (283, 285.6) (8 %), (502, 238) (25 %), (721, 210) (35 %).
"""

import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from ahsp.charts import geometry as charts
from ahsp.charts.svg import chart_svg
from ahsp.exports.s_curve_pdf import NO_SCHEDULE_NOTE, NOT_REPORTED_NOTE, ZERO_TOTAL_NOTE, build_s_curve_pdf
from ahsp.exports.s_curve_xlsx import CURVE_HEADER, VALUE_HEADER, build_s_curve_xlsx
from ahsp.exports.xlsx_common import FIRST_DATA_ROW, FREEZE, HEADER_ROW
from ahsp.loaders.progress import load_curves
from ahsp.models import ExportJob, WorkItem
from ahsp.services import exports, schedule, sections, work_items
from ahsp.tests.factories import ProjectFactory
from ahsp.tests.test_exports_schedule_docs import (
    SIGNATORIES,
    assert_numbered,
    build_example,
    content,
    evaluate,
    is_landscape,
    read_pdf,
)

pytestmark = pytest.mark.django_db

PLANNED_PATH = "n 64 308 m 283 280 l 502 224 l 721 182 l 940 28 l"
ACTUAL_PATH = "n 64 308 m 283 285.6 l 502 238 l 721 210 l"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def example(user):
    return build_example(user)


def without_dates(project):
    type(project).objects.filter(pk=project.pk).update(start_date=None)
    project.refresh_from_db()
    return project


# --- the SVG ----------------------------------------------------------------------------------------------


def test_chart_svg_has_inline_presentation_attributes_only(example):
    project, _items = example
    summary = load_curves(project).summary
    labels = ["2 Mar", "9 Mar", "16 Mar", "23 Mar"]
    svg = chart_svg(charts.s_curve_chart(summary.curve, labels, current_week=3))

    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" width="960" height="390"')
    assert "class=" not in svg and "<style" not in svg
    assert 'points="64,308 283,280 502,224 721,182 940,28" fill="none" stroke="#0b5d7a"' in svg
    assert 'points="64,308 283,285.6 502,238 721,210" fill="none" stroke="#c2410c"' in svg
    assert 'font-size="11" fill="#333333" text-anchor="end">100 %</text>' in svg
    assert ">minggu ini (minggu ke-3)</text>" in svg and 'stroke="#9a5b00"' in svg


# --- PDF ----------------------------------------------------------------------------------------------------


def test_s_curve_pdf_has_the_chart_the_weekly_and_the_earned_value_tables(example):
    project, _items = example
    calls = []

    reader, pages = read_pdf(build_s_curve_pdf(project, progress=lambda *args: calls.append(args)))
    text = " ".join(pages)

    assert is_landscape(reader)
    assert_numbered(pages)
    assert "KURVA S DAN NILAI HASIL" in text and "Gedung Serbaguna" in text and "APBD" in text
    assert "4 minggu, 2 Maret 2026 – 29 Maret 2026; dilaporkan s.d. minggu ke-3" in text
    # The chart on page 1: vector paths of both curves (svglib draws the SVG into the page content, so
    # the page has no image XObject), its axis labels and legend as text.
    page = content(reader, 0)
    assert PLANNED_PATH in page and ACTUAL_PATH in page
    assert ".043137 .364706 .478431 RG" in page and ".760784 .254902 .047059 RG" in page  # #0b5d7a, #c2410c
    assert "0 % 25 % 50 % 75 % 100 % Minggu 1 2 Mar 2 9 Mar 3 16 Mar 4 23 Mar" in pages[0]
    assert "Rencana kumulatif Realisasi kumulatif" in pages[0]
    # The weekly table.
    assert (
        "Minggu ke Tanggal Rencana (%) Rencana kumulatif (%) Realisasi (%) Realisasi kumulatif (%) "
        "Deviasi (%) Status" in text
    )
    assert "1 2 Mar – 8 Mar 2026 10,00 10,00 8,00 8,00 -2,00 terlambat" in text
    assert "2 9 Mar – 15 Mar 2026 20,00 30,00 17,00 25,00 -5,00 terlambat" in text
    assert "3 16 Mar – 22 Mar 2026 15,00 45,00 10,00 35,00 -10,00 terlambat" in text
    assert "4 23 Mar – 29 Mar 2026 55,00 100,00 — — — —" in text
    # Earned value: the latest figures, the cost chart (Rp juta) and the table of the reported weeks.
    assert "SPI 0,7778 (lebih lambat dari rencana); CPI 0,9211 (biaya melebihi nilai hasil)" in text
    assert "perkiraan biaya akhir (EAC) Rp 10.857.142,86" in text
    assert (
        "0 2,5 5 7,5 10 Rp juta" in text and "Nilai rencana (PV) Nilai hasil (EV) Biaya aktual (AC)" in text
    )
    assert "PV (Rp) EV (Rp) AC (Rp) SPI CPI EAC (Rp) ETC (Rp) VAC (Rp)" in text
    assert (
        "1 1.000.000,00 800.000,00 900.000,00 0,8000 0,8889 11.250.000,00 10.350.000,00 -1.250.000,00" in text
    )
    assert (
        "2 3.000.000,00 2.500.000,00 2.800.000,00 0,8333 0,8929 11.200.000,00 8.400.000,00 -1.200.000,00"
        in text
    )
    assert (
        "3 4.500.000,00 3.500.000,00 3.800.000,00 0,7778 0,9211 10.857.142,86 7.057.142,86 -857.142,86"
        in text
    )
    for value in SIGNATORIES.values():
        assert value in text
    assert calls[0] == (0, 100, "Menghitung Kurva S") and calls[-1] == (100, 100, "Menomori halaman")
    assert [done for done, *_ in calls] == sorted(done for done, *_ in calls)


def test_s_curve_pdf_marks_the_current_week(user):
    project, _items = build_example(user, progress=False, start_date=timezone.localdate() - timedelta(days=8))
    text = " ".join(read_pdf(build_s_curve_pdf(project))[1])
    assert "minggu ini (minggu ke-2)" in text
    assert NOT_REPORTED_NOTE in text  # no progress yet: the note instead of the earned value rows


def test_s_curve_pdf_notes_unplanned_items_zero_totals_and_missing_schedules(user):
    project, (a, *_rest) = build_example(user, progress=False, name='<script>alert("x")</script>')
    WorkItem.objects.filter(pk=a.pk).update(amount=0)
    schedule.clear_plan(item=WorkItem.objects.get(pk=a.pk), by=user)
    text = " ".join(read_pdf(build_s_curve_pdf(project))[1])
    assert '<script>alert("x")</script>' in text
    assert "1 pekerjaan belum memiliki rencana jadwal" in text

    WorkItem.objects.filter(project=project).update(amount=0)
    reader, pages = read_pdf(build_s_curve_pdf(project))
    assert ZERO_TOTAL_NOTE in " ".join(pages) and "PV (Rp)" not in " ".join(pages)
    assert_numbered(pages)

    reader, pages = read_pdf(build_s_curve_pdf(without_dates(project)))
    assert len(pages) == 1 and NO_SCHEDULE_NOTE in pages[0] and "Disetujui oleh" in pages[0]
    assert "Minggu ke" not in pages[0]


# --- XLSX ---------------------------------------------------------------------------------------------------


def open_workbook(data: bytes):
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["Kurva S", "Nilai Hasil"]
    return workbook["Kurva S"], workbook["Nilai Hasil"]


def test_s_curve_xlsx_weekly_table_formulas_and_chart(example, django_assert_max_num_queries):
    project, _items = example
    calls = []
    with django_assert_max_num_queries(8):
        data = build_s_curve_xlsx(project, progress=lambda *args: calls.append(args))
    ws, _values = open_workbook(data)

    assert ws["A1"].value == "KURVA S: RENCANA DAN REALISASI PROGRES" and ws["C2"].value == "Gedung Serbaguna"
    assert tuple(ws.cell(row=HEADER_ROW, column=c).value for c in range(1, 10)) == CURVE_HEADER
    assert ws.freeze_panes == FREEZE and ws.page_setup.orientation == "landscape"
    rows = range(FIRST_DATA_ROW, FIRST_DATA_ROW + 4)
    assert [ws[f"A{r}"].value for r in rows] == [1, 2, 3, 4]
    assert ws["B9"].value == datetime(2026, 3, 2) and ws["C12"].value == datetime(2026, 3, 29)
    # Weekly values are numbers (fractions with a % format); the rest are live formulas.
    assert [evaluate(ws, f"D{r}") for r in rows] == [Decimal(v) for v in ("0.1", "0.2", "0.15", "0.55")]
    assert ws["D9"].data_type == "n" and ws["D9"].number_format == "0.00%"
    assert ws["E10"].value == "=ROUND(SUM($D$9:D10),8)" and ws["G10"].value == "=ROUND(SUM($F$9:F10),8)"
    assert ws["H11"].value == "=ROUND(G11-E11,8)" and ws["E11"].number_format == "0.00%"
    assert [evaluate(ws, f"E{r}") for r in rows] == [Decimal(v) for v in ("0.1", "0.3", "0.45", "1")]
    assert [evaluate(ws, f"F{r}") for r in rows[:3]] == [Decimal(v) for v in ("0.08", "0.17", "0.1")]
    assert [evaluate(ws, f"G{r}") for r in rows[:3]] == [Decimal(v) for v in ("0.08", "0.25", "0.35")]
    assert [evaluate(ws, f"H{r}") for r in rows[:3]] == [Decimal(v) for v in ("-0.02", "-0.05", "-0.1")]
    assert [evaluate(ws, f"I{r}") for r in rows[:3]] == ["terlambat"] * 3  # -10 % is still "terlambat"
    assert [ws.cell(row=12, column=c).value for c in range(6, 10)] == [None] * 4  # week 4 not reported
    # Live: less done in week 3 makes it critical; more done in week 1 puts week 1 ahead.
    ws["F11"] = 0
    assert evaluate(ws, "H11") == Decimal("-0.2") and evaluate(ws, "I11") == "kritis"
    ws["F9"] = 0.1
    assert evaluate(ws, "I9") == "sesuai rencana"
    ws["F9"] = 0.15
    assert evaluate(ws, "I9") == "lebih cepat"
    # The native line chart of the two cumulative columns.
    (chart,) = ws._charts
    refs = [(s.tx.strRef.f, s.val.numRef.f) for s in chart.series]
    assert refs == [
        ("'Kurva S'!$E$8", "'Kurva S'!$E$9:$E$12"),
        ("'Kurva S'!$G$8", "'Kurva S'!$G$9:$G$12"),
    ]
    assert chart.series[0].cat.numRef.f == "'Kurva S'!$A$9:$A$12"
    assert chart.y_axis.scaling.max == 1 and chart.y_axis.number_format.formatCode == "0%"

    assert calls[-1] == (6, 6, "Selesai")  # 4 weeks, the earned value sheet, the saving
    done = [d for d, t, _ in calls if t]
    assert done == sorted(done)


def test_s_curve_xlsx_earned_value_sheet_recalculates(example):
    project, _items = example
    _curve, ws = open_workbook(build_s_curve_xlsx(project))

    assert ws["A1"].value == "NILAI HASIL (EARNED VALUE)"
    assert tuple(ws.cell(row=HEADER_ROW, column=c).value for c in range(1, 11)) == VALUE_HEADER
    assert ws["B9"].value == datetime(2026, 3, 8)
    assert [ws[f"{c}11"].value for c in "CDE"] == [4500000, 3500000, 3800000]
    assert ws["A13"].value == "Anggaran (BAC)" and ws["C13"].value == 10000000
    assert ws["H11"].value == '=IF(D11=0,"",ROUND($C$13*E11/D11,2))'
    expected = {
        9: ("0.8", "0.8889", "11250000", "10350000", "-1250000"),
        10: ("0.8333", "0.8929", "11200000", "8400000", "-1200000"),
        11: ("0.7778", "0.9211", "10857142.86", "7057142.86", "-857142.86"),
    }
    for r, values in expected.items():
        assert [evaluate(ws, f"{c}{r}") for c in "FGHIJ"] == [Decimal(v) for v in values]
    ws["C13"] = 20000000  # a bigger budget: EAC = 20.000.000 x 3,8 / 3,5
    assert evaluate(ws, "H11") == Decimal("21714285.71") and evaluate(ws, "J11") == Decimal("-1714285.71")
    ws["D9"] = 0
    assert evaluate(ws, "H9") == "" and evaluate(ws, "I9") == ""  # no EV: no EAC, as the app's "—"


def test_s_curve_xlsx_without_reports_dates_or_amounts(user):
    project, _items = build_example(user, progress=False)
    curve, values = open_workbook(build_s_curve_xlsx(project))
    assert [curve.cell(row=9, column=c).value for c in range(6, 10)] == [None] * 4
    assert NOT_REPORTED_NOTE in [curve.cell(row=r, column=1).value for r in range(9, curve.max_row + 1)]
    assert values["A9"].value is None and values["A10"].value == "Anggaran (BAC)"
    assert NOT_REPORTED_NOTE in [values.cell(row=r, column=1).value for r in range(9, values.max_row + 1)]

    WorkItem.objects.filter(project=project).update(amount=0)
    curve, _values = open_workbook(build_s_curve_xlsx(project))
    assert [evaluate(curve, f"E{r}") for r in range(9, 13)] == [0] * 4
    assert ZERO_TOTAL_NOTE in [curve.cell(row=r, column=1).value for r in range(9, curve.max_row + 1)]

    curve, values = open_workbook(build_s_curve_xlsx(without_dates(project)))
    assert curve["A9"].value == NO_SCHEDULE_NOTE and values["A9"].value == NO_SCHEDULE_NOTE
    assert curve._charts == []


def test_s_curve_xlsx_neutralises_user_text(user):
    project, _items = build_example(user, progress=False, name='=HYPERLINK("x")', client="<script>x</script>")
    curve, values = open_workbook(build_s_curve_xlsx(project))
    for ws in (curve, values):
        assert ws["C2"].value == '=HYPERLINK("x")' and ws["C2"].data_type == "s" and ws["C2"].quotePrefix
        assert ws["C3"].value == "<script>x</script>"


# --- through the job service -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["pdf", "xlsx"])
def test_job_service_builds_the_s_curve(example, user, fmt, django_capture_on_commit_callbacks):
    project, _items = example
    with django_capture_on_commit_callbacks(execute=True):
        job = exports.start(project=project, document="kurva-s", fmt=fmt, by=user)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE, job.error
    assert job.file.name.endswith(f".{fmt}") and job.size > 0 and job.percent == 100
    with job.file.open("rb") as handle:
        data = handle.read()
    if fmt == "pdf":
        reader, pages = read_pdf(data)
        assert PLANNED_PATH in content(reader, 0) and "10.857.142,86" in " ".join(pages)
    else:
        assert evaluate(open_workbook(data)[0], "G11") == Decimal("0.35")


def test_a_project_without_work_items_gets_flat_curves(user):
    project = ProjectFactory(owner=user, start_date=date(2026, 3, 2), duration_weeks=2)
    text = " ".join(read_pdf(build_s_curve_pdf(project))[1])
    assert "1 2 Mar – 8 Mar 2026 0,00 0,00 — — — —" in text and ZERO_TOTAL_NOTE in text


# --- awkward figures (issue 11 §3) ---------------------------------------------------------------------------
#
# BAC Rp 63.015.516,60 = A 21.437.905,17 + B 29.567.611,36 + C 12.010.000,07, over 7 uneven weeks:
#   A evenly over weeks 1-3 (33,3333 / 33,3333 / 33,3334 % of the item), B 12,5 / 40,25 / 47,25 % in weeks
#   2 / 4 / 5, C evenly over weeks 5-7; done: A 17,5 % in week 1 and 20 % in week 2, B 3 % in week 2.
# The planned share of the project in week 1 = 21.437.905,17 x 33,3333 / 100 / 63.015.516,60, which has no
# finite decimal expansion: the weekly fractions are rounded once, half up, to 12 decimals, and the
# cumulative column ends at exactly 100 % (1). Expected values are computed below with ``Fraction`` from
# these inputs (independently of the app's Decimal code).

AWKWARD_AMOUNTS = {"A": "21437905.17", "B": "29567611.36", "C": "12010000.07"}
AWKWARD_PLANS = {
    "A": {1: "33.3333", 2: "33.3333", 3: "33.3334"},
    "B": {2: "12.5", 4: "40.25", 5: "47.25"},
    "C": {5: "33.3333", 6: "33.3333", 7: "33.3334"},
}
AWKWARD_DONE = {"A": {1: "17.5", 2: "20"}, "B": {2: "3"}}


def build_awkward(user):
    project = ProjectFactory(owner=user, name="Gudang", start_date=date(2026, 3, 2), duration_weeks=7)
    section = sections.create(project=project, name="Pekerjaan Utama", by=user)
    items = {}
    for name, amount in AWKWARD_AMOUNTS.items():
        item = work_items.add_custom(project=project, section=section, name=name, unit="ls", by=user)
        WorkItem.objects.filter(pk=item.pk).update(amount=Decimal(amount))
        items[name] = WorkItem.objects.get(pk=item.pk)
    schedule.set_even_plan(item=items["A"], first_week=1, last_week=3, by=user)
    schedule.set_plan(item=items["B"], shares={w: Decimal(s) for w, s in AWKWARD_PLANS["B"].items()}, by=user)
    schedule.set_even_plan(item=items["C"], first_week=5, last_week=7, by=user)
    for name, weeks in AWKWARD_DONE.items():
        for week, value in weeks.items():
            item = WorkItem.objects.get(pk=items[name].pk)
            schedule.set_progress(item=item, week=week, progress=Decimal(value), by=user)
    return project


def awkward_fraction(plans: dict, week: int) -> Fraction:
    """Share of the project in ``week``: sum of amount x % of the item / 100 / BAC, exactly."""
    total = sum(Fraction(a) for a in AWKWARD_AMOUNTS.values())
    done = sum(Fraction(AWKWARD_AMOUNTS[n]) * Fraction(s.get(week, "0")) for n, s in plans.items())
    return done / 100 / total


def to_places(value: Fraction, places: int) -> Decimal:
    """Half up (values here are >= 0) to ``places`` decimals."""
    scaled = value * 10**places
    whole = int(scaled)
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    return Decimal(whole).scaleb(-places)


def test_s_curve_xlsx_with_a_total_that_does_not_divide_evenly(user):
    assert sum(Decimal(a) for a in AWKWARD_AMOUNTS.values()) == Decimal("63015516.60")
    project = build_awkward(user)

    ws, values = open_workbook(build_s_curve_xlsx(project))  # raised decimal.Inexact before the fix

    rows = range(FIRST_DATA_ROW, FIRST_DATA_ROW + 7)
    planned = [to_places(awkward_fraction(AWKWARD_PLANS, w), 12) for w in range(1, 8)]
    assert [evaluate(ws, f"D{r}") for r in rows] == planned
    # e.g. week 1: 21.437.905,17 x 33,3333 / 100 / 63.015.516,60 = 0,113400026367975...
    assert planned[0] == Decimal("0.113400026368")
    cumulative = [to_places(sum(planned[:w], Decimal(0)), 8) for w in range(1, 8)]
    assert [evaluate(ws, f"E{r}") for r in rows] == cumulative and cumulative[-1] == 1
    actual = [to_places(awkward_fraction(AWKWARD_DONE, w), 12) for w in (1, 2)]
    assert [evaluate(ws, f"F{r}") for r in rows[:2]] == actual
    assert evaluate(ws, "H10") == to_places(actual[0] + actual[1] - planned[0] - planned[1], 8)
    assert values["A12"].value == "Anggaran (BAC)" and evaluate(values, "C12") == Decimal("63015516.6")


def test_s_curve_xlsx_formulas_carry_their_results_with_the_awkward_total(user):
    """What a viewer that does not recalculate shows (issue 11 §4). Earned value, by hand (no actual cost
    entered, so AC = EV): PV1 = 21.437.905,17 x 33,3333 % = 7.145.961,244... -> 7.145.961,24; EV1 =
    21.437.905,17 x 17,5 % = 3.751.633,40475 -> 3.751.633,40; SPI1 = 0,52500052... -> 0,5250; PV2 = PV1 +
    21.437.905,17 x 33,3333 % + 29.567.611,36 x 12,5 % = 17.987.873,908... -> 17.987.873,91; EV2 = EV1 +
    21.437.905,17 x 20 % + 29.567.611,36 x 3 % = 8.926.242,77955 -> 8.926.242,78; SPI2 = 0,49623667... ->
    0,4962; CPI 1; EAC = BAC x AC / EV = BAC; ETC = BAC - AC: 59.263.883,20 and 54.089.273,82; VAC 0."""
    project = build_awkward(user)
    data = build_s_curve_xlsx(project)
    cached = load_workbook(io.BytesIO(data), data_only=True)
    ws, values = cached["Kurva S"], cached["Nilai Hasil"]
    formulas, _ = open_workbook(data)

    def number(sheet, ref: str) -> Decimal:
        assert isinstance(sheet[ref].value, int | float), (ref, sheet[ref].value)
        return Decimal(str(sheet[ref].value))

    # The items are priced by amount only (HSP 0): both sheets say the RAB is a draft, above the table.
    for sheet in (ws, values):
        assert sheet["A7"].value == "DRAF — RAB belum lengkap: 3 pekerjaan tanpa harga satuan"
    rows = range(FIRST_DATA_ROW, FIRST_DATA_ROW + 7)
    planned = [to_places(awkward_fraction(AWKWARD_PLANS, w), 12) for w in range(1, 8)]
    cumulative = [to_places(sum(planned[:w], Decimal(0)), 8) for w in range(1, 8)]
    assert [number(ws, f"E{r}") for r in rows] == cumulative and cumulative[-1] == 1
    assert formulas["E15"].value == "=ROUND(SUM($D$9:D15),8)"
    # ... the page's figures (% of the project, 6 decimals) too
    page = [row.planned_cumulative for row in load_curves(project).summary.curve]
    assert [c * 100 for c in cumulative] == page
    actual = [to_places(awkward_fraction(AWKWARD_DONE, w), 12) for w in (1, 2)]
    done = [to_places(actual[0], 8), to_places(actual[0] + actual[1], 8)]
    assert [number(ws, "G9"), number(ws, "G10")] == done
    assert [number(ws, "H9"), number(ws, "H10")] == [done[0] - cumulative[0], done[1] - cumulative[1]]
    # week 1: 5,95 - 11,34 = -5,39 % (terlambat); week 2: 8.926.242,78 / BAC = 14,17 % against
    # 17.987.873,91 / BAC = 28,55 %: -14,38 % (kritis)
    assert ws["I9"].value == "terlambat" and ws["I10"].value == "kritis"
    assert ws["F11"].value is None and ws["I11"].value is None  # week 3 not reported

    expected = {
        "C9": "7145961.24",
        "D9": "3751633.40",
        "F9": "0.5250",
        "G9": "1",
        "H9": "63015516.60",
        "I9": "59263883.20",
        "J9": "0",
        "C10": "17987873.91",
        "D10": "8926242.78",
        "F10": "0.4962",
        "G10": "1",
        "H10": "63015516.60",
        "I10": "54089273.82",
        "J10": "0",
    }
    assert {ref: number(values, ref) for ref in expected} == {ref: Decimal(v) for ref, v in expected.items()}


def test_every_schedule_document_builds_with_the_awkward_total(user):
    """The same figures through the other schedule builders (they divide with ``quantize_quotient``)."""
    from ahsp.exports.schedule_pdf import build_schedule_pdf
    from ahsp.exports.schedule_xlsx import build_schedule_xlsx

    project = build_awkward(user)
    text = " ".join(read_pdf(build_s_curve_pdf(project))[1])
    # week 1: 0,113400026368 -> 11,34 %; done 17,5 % of A = 21.437.905,17 x 17,5 / 100 / BAC -> 5,95 %
    assert "1 2 Mar – 8 Mar 2026 11,34 11,34 5,95 5,95 -5,39 terlambat" in text
    assert "7 13 Apr – 19 Apr 2026" in text and "100,00 — — — —" in text
    assert read_pdf(build_schedule_pdf(project))[1]
    # The Jadwal workbook's formulas carry the app's figures: bobot (6 decimals, as the RAB) A 21.437.905,17 /
    # 63.015.516,60 x 100 = 34,02004193... -> 34,020042, B 46,92115998... -> 46,921160, C 19,05879808...
    # -> 19,058798; planned % of the project in week 1: 11,34000263... -> 11,340003; week 2 adds A 33,3333 %
    # and B 12,5 %: 17,20514763... -> 17,205148; cumulative 28,54515027... -> 28,545150, ending at 100.
    data = build_schedule_xlsx(project)
    ws = load_workbook(io.BytesIO(data), data_only=True)["Jadwal"]
    formulas = load_workbook(io.BytesIO(data))["Jadwal"]
    rows = {
        ws.cell(row=r, column=1).value or ws.cell(row=r, column=2).value: r for r in range(10, ws.max_row + 1)
    }
    weekly, cumulative = rows["Rencana per minggu (% bobot proyek)"], rows["Rencana kumulatif (%)"]

    def number(ref: str) -> Decimal:
        assert isinstance(ws[ref].value, int | float), (ref, ws[ref].value)
        return Decimal(str(ws[ref].value))

    assert [number(f"D{rows[n]}") for n in ("I.1", "I.2", "I.3")] == [
        Decimal("34.020042"),
        Decimal("46.921160"),
        Decimal("19.058798"),
    ]
    assert number(f"C{rows['I']}") == number(f"C{rows['Jumlah']}") == Decimal("63015516.60")
    assert number(f"D{rows['Jumlah']}") == 100 and number(f"D{weekly}") == 100
    assert ws["A7"].value.startswith("DRAF — RAB belum lengkap: 3 pekerjaan tanpa harga satuan")
    assert [number(f"{c}{weekly}") for c in "EF"] == [Decimal("11.340003"), Decimal("17.205148")]
    assert number(f"F{cumulative}") == Decimal("28.545150") and number(f"K{cumulative}") == 100
    assert formulas[f"E{weekly}"].value == "=SUMPRODUCT($D$10:$D$13,E10:E13)/100"
