"""SVG geometry of the Kurva S charts (``ahsp.charts.geometry``): pure, no database.

The chart is 960 x 360 with the plot from x 64 to 940 (876 wide) and y 28 to 308 (280 high). With the
4 weeks of the worked example (``test_calculations_schedule.py``) week t ends at x = 64 + 219 t and
its column's middle is at 64 + 219 (t - 0,5); a % value v sits at y = 308 - 2,8 v:

    planned cumulative 10 / 30 / 45 / 100  -> (283, 280) (502, 224) (721, 182) (940, 28)
    actual cumulative   8 / 25 / 35 / -    -> (283, 285,6) (502, 238) (721, 210)
"""

from datetime import date
from decimal import Decimal as D

import pytest

from ahsp.calculations.schedule import ItemSchedule, earned_value, project_weeks, s_curve, weekly_sums
from ahsp.charts import geometry as charts

ITEMS = [
    ItemSchedule(D("2000000"), {1: D(50), 2: D(50)}, {1: D(40), 2: D(60)}),
    ItemSchedule(D("5000000"), {2: D(20), 3: D(30), 4: D(50)}, {2: D(10), 3: D(20)}),
    ItemSchedule(D("3000000"), {4: D(100)}, {}),
]
TOTAL = D("10000000")
LABELS = ["2 Mar", "9 Mar", "16 Mar", "23 Mar"]


def example_rows():
    planned, actual = weekly_sums(ITEMS, 4)
    return s_curve(planned, actual, TOTAL, 3)


def test_s_curve_polylines_of_the_worked_example():
    chart = charts.s_curve_chart(example_rows(), LABELS)
    planned, actual = chart.series

    assert planned.key == "planned" and planned.name == "Rencana kumulatif"
    assert planned.polyline == "64,308 283,280 502,224 721,182 940,28"
    assert actual.polyline == "64,308 283,285.6 502,238 721,210"  # stops after the last reported week
    assert [(p.week, p.x, p.y, p.value) for p in actual.points] == [
        (1, "283", "285.6", D("8")),
        (2, "502", "238", D("25")),
        (3, "721", "210", D("35")),
    ]


def test_percent_gridlines_at_every_quarter():
    chart = charts.s_curve_chart(example_rows(), LABELS)
    assert [(t.value, t.y, t.label) for t in chart.y_ticks] == [
        (D(0), "308", "0 %"),
        (D(25), "238", "25 %"),
        (D(50), "168", "50 %"),
        (D(75), "98", "75 %"),
        (D(100), "28", "100 %"),
    ]
    assert (chart.left, chart.right, chart.top, chart.bottom) == ("64", "940", "28", "308")
    assert (chart.plot_width, chart.plot_height) == (876, 280)


def test_week_axis_columns_labels_and_the_current_week():
    chart = charts.s_curve_chart(example_rows(), LABELS, long_labels=["a", "b", "c", "d"], current_week=3)
    assert [(w.week, w.x, w.x_end, w.label, w.shown) for w in chart.weeks] == [
        (1, "173.5", "283", "2 Mar", True),
        (2, "392.5", "502", "9 Mar", True),
        (3, "611.5", "721", "16 Mar", True),
        (4, "830.5", "940", "23 Mar", True),
    ]
    assert chart.current is chart.weeks[2] and chart.current.x == "611.5"
    assert chart.series[0].points[2].label == "c"  # titles use the long labels
    assert charts.s_curve_chart(example_rows(), LABELS, current_week=5).current is None
    assert charts.s_curve_chart(example_rows(), LABELS, current_week=None).current is None


@pytest.mark.parametrize(
    "weeks, shown",
    [
        (4, [1, 2, 3, 4]),
        (16, list(range(1, 17))),
        (17, list(range(1, 18, 2))),
        (52, [1, 5, 9, 13, 17, 21, 25, 29, 33, 37, 41, 45, 49]),
        (104, [1, 8, 15, 22, 29, 36, 43, 50, 57, 64, 71, 78, 85, 92, 99]),
    ],
)
def test_week_labels_are_thinned_out_when_there_are_many(weeks, shown):
    flags = charts.thinned(weeks)
    assert [week for week, flag in enumerate(flags, start=1) if flag] == shown
    assert sum(flags) <= charts.MAX_WEEK_LABELS


def test_many_weeks_draw_week_gridlines_only_at_labels():
    rows = s_curve([D(100)] * 104, [D(0)] * 104, D(104), 0)  # every week 1/104 of the project
    chart = charts.s_curve_chart(rows, [str(n) for n in range(1, 105)])
    assert [w.week for w in chart.weeks if w.grid] == [w.week for w in chart.weeks if w.shown]
    assert chart.series[0].points[-1].x == "940" and chart.series[0].points[-1].y == "28"
    assert chart.series[1].points == ()  # nothing reported: the actual line is only the origin
    assert chart.series[1].polyline == "64,308"


def test_cost_chart_in_rupiah_with_nice_ticks_of_the_budget():
    planned, actual = weekly_sums(ITEMS, 4)
    costs = {1: D("900000"), 2: D("1900000"), 3: D("1000000")}
    earned = earned_value(planned, actual, TOTAL, 3, costs)
    pv = [D("1000000.00"), D("3000000.00"), D("4500000.00"), D("10000000.00")]

    chart = charts.cost_curve_chart(pv, earned, LABELS, budget=TOTAL)

    assert [s.key for s in chart.series] == ["pv", "ev", "ac"]
    assert chart.series[0].polyline == "64,308 283,280 502,224 721,182 940,28"
    assert chart.series[1].polyline == "64,308 283,285.6 502,238 721,210"
    assert chart.series[2].polyline == "64,308 283,282.8 502,229.6 721,201.6"  # 0,9 / 2,8 / 3,8 juta
    assert chart.scale_exponent == 6
    assert [t.label for t in chart.y_ticks] == ["0", "2,5", "5", "7,5", "10"]
    assert chart.series[2].points[-1].value == D("3800000.00")


def test_cost_axis_grows_past_the_budget_when_costs_overrun():
    planned, actual = weekly_sums(ITEMS, 4)
    earned = earned_value(planned, actual, TOTAL, 1, {1: D("12000000")})
    chart = charts.cost_curve_chart([D("1000000")] * 4, earned, LABELS, budget=TOTAL)
    assert [t.label for t in chart.y_ticks] == ["0", "5", "10", "15"]  # 12 juta -> a 15 juta axis
    assert chart.series[2].points[0].y == "84"  # 308 - 280 x 12 / 15


@pytest.mark.parametrize(
    "maximum, ticks",
    [
        ("100", ["0", "25", "50", "75", "100"]),
        ("10000000", ["0", "2500000", "5000000", "7500000", "10000000"]),
        ("10857142.86", ["0", "5000000", "10000000", "15000000"]),
        ("3", ["0", "1", "2", "3"]),
        ("0.7", ["0", "0.2", "0.4", "0.6", "0.8"]),
        ("0", ["0", "1"]),
    ],
)
def test_nice_ticks(maximum, ticks):
    assert [D(t) for t in ticks] == list(charts.nice_ticks(D(maximum)))


@pytest.mark.parametrize(
    "maximum, exponent", [("999", 0), ("1000", 3), ("15000000", 6), ("2500000000", 9), ("1E+12", 12)]
)
def test_money_scale(maximum, exponent):
    assert charts.money_scale(D(maximum)) == exponent


@pytest.mark.parametrize(
    "value, text", [("12.345", "12.35"), ("40.00", "40"), ("-0.001", "0"), ("1E+3", "1000"), ("0.5", "0.5")]
)
def test_coordinates_are_plain_dot_decimals(value, text):
    assert charts.coord(D(value)) == text


def test_a_chart_needs_weeks():
    with pytest.raises(ValueError):
        charts.s_curve_chart([], [])


def test_weeks_of_the_worked_example_have_the_labels_the_view_gives():
    weeks = project_weeks(date(2026, 3, 2), 4)
    assert [w.start.day for w in weeks] == [2, 9, 16, 23]  # LABELS above: each week's first day
