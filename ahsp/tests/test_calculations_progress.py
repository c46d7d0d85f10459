"""Progress of one week per item, the weekly / monthly report and the planned value curve
(``ahsp.calculations.progress``), with the 3-item, 4-week example of ``test_calculations_schedule.py``:

    item  amount      planned (% of the item)     actual
    A     2.000.000   w1 50, w2 50                w1 40, w2 60
    B     5.000.000   w2 20, w3 30, w4 50         w2 10, w3 20
    C     3.000.000   w4 100                      -

Cumulative planned 10 / 30 / 45 / 100 %, actual 8 / 25 / 35 % (reported to week 3).
"""

from datetime import date
from decimal import Decimal as D

import pytest

from ahsp.calculations.progress import item_week_progress, period_report, planned_value_curve
from ahsp.calculations.schedule import ItemSchedule, project_weeks, s_curve, weekly_sums
from ahsp.loaders.progress import input_value

ITEMS = [
    ItemSchedule(D("2000000"), {1: D(50), 2: D(50)}, {1: D(40), 2: D(60)}),
    ItemSchedule(D("5000000"), {2: D(20), 3: D(30), 4: D(50)}, {2: D(10), 3: D(20)}),
    ItemSchedule(D("3000000"), {4: D(100)}, {}),
]
TOTAL = D("10000000")


def seen(index, week):
    item = ITEMS[index]
    return item_week_progress(
        amount=item.amount, total=TOTAL, planned=item.planned, actual=item.actual, week=week
    )


def test_item_b_in_week_3():
    b = seen(1, 3)
    assert b.weight == D(50) and b.planned_this_week == D(30) and b.planned_to_date == D(50)
    assert (b.actual_before, b.actual_this_week, b.actual_after) == (D(10), D(20), D(0))
    assert b.actual_to_date == D(30) and b.deviation == D(-20) and b.status == "critical" and b.is_behind
    assert b.remaining == D(90)  # 100 - 10 before; week 3's own 20 can be replaced
    assert b.is_active


def test_item_b_seen_from_week_2_counts_later_weeks_in_what_is_left():
    b = seen(1, 2)
    assert b.actual_before == 0 and b.actual_this_week == D(10) and b.actual_after == D(20)
    assert b.remaining == D(80) and b.deviation == D(-10) and b.status == "behind"


@pytest.mark.parametrize(
    "index, week, active",
    [
        (0, 1, True),  # A planned in week 1
        (0, 2, True),  # A planned and reported in week 2
        (0, 3, False),  # A finished before week 3
        (1, 1, False),  # B planned from week 2, not started
        (1, 3, True),  # B in progress
        (1, 4, True),  # B planned in week 4, unfinished
        (2, 3, False),  # C planned in week 4 only
        (2, 4, True),
    ],
)
def test_which_items_are_active(index, week, active):
    assert seen(index, week).is_active is active


def test_an_item_late_or_started_early_is_active_an_unplanned_one_is_not():
    late = item_week_progress(amount=D(1), total=D(1), planned={1: D(100)}, actual={1: D(30)}, week=5)
    early = item_week_progress(amount=D(1), total=D(1), planned={8: D(100)}, actual={2: D(5)}, week=3)
    unplanned = item_week_progress(amount=D(1), total=D(1), planned={}, actual={}, week=3)
    reported = item_week_progress(amount=D(1), total=D(1), planned={}, actual={3: D(5)}, week=3)
    assert late.is_active and late.deviation == D(-70)
    assert early.is_active and early.status == "ahead"
    assert not unplanned.is_active and unplanned.status == "on_track"
    assert reported.is_active


def test_zero_total_gives_zero_weight():
    assert item_week_progress(amount=D(0), total=D(0), planned={}, actual={}, week=1).weight == 0


def curve(reported=3):
    planned, actual = weekly_sums(ITEMS, 4)
    return s_curve(planned, actual, TOTAL, reported)


def test_weekly_report_is_the_curve_week_by_week():
    weeks = project_weeks(date(2026, 3, 2), 4)
    periods = period_report(curve(), weeks, "week")
    assert [(p.first_week, p.planned, p.actual, p.deviation, p.status) for p in periods] == [
        (1, D(10), D(8), D(-2), "behind"),
        (2, D(20), D(17), D(-5), "behind"),
        (3, D(15), D(10), D(-10), "behind"),
        (4, D(55), None, None, None),
    ]
    assert (
        periods[0].month is None
        and periods[0].start == date(2026, 3, 2)
        and periods[0].end == date(2026, 3, 8)
    )


def test_monthly_report_by_the_last_day_of_each_week():
    """From 16 March: w1 16-22 Mar, w2 23-29 Mar, w3 30 Mar-5 Apr (April), w4 6-12 Apr."""
    weeks = project_weeks(date(2026, 3, 16), 4)
    march, april = period_report(curve(), weeks, "month")

    assert (march.month, march.first_week, march.last_week, march.cutoff_week) == (date(2026, 3, 1), 1, 2, 2)
    assert (march.planned, march.actual, march.planned_cumulative, march.actual_cumulative) == (
        D(30),
        D(25),
        D(30),
        D(25),
    )
    assert march.deviation == D(-5) and not march.is_partial
    # April is reported up to week 3: planned 45 - 30, actual 35 - 25, both cumulative at week 3.
    assert (april.month, april.first_week, april.last_week, april.cutoff_week) == (date(2026, 4, 1), 3, 4, 3)
    assert (april.planned, april.actual, april.planned_cumulative, april.actual_cumulative) == (
        D(15),
        D(10),
        D(45),
        D(35),
    )
    assert april.deviation == D(-10) and april.status == "behind" and april.is_partial
    assert april.start == date(2026, 3, 30) and april.end == date(2026, 4, 5)


def test_monthly_report_of_a_fully_reported_and_an_unreported_month():
    weeks = project_weeks(date(2026, 3, 16), 4)
    march, april = period_report(curve(reported=4), weeks, "month")
    assert april.cutoff_week == 4 and april.planned == D(70) and april.actual == D(10)
    assert april.deviation == D(-65) and april.status == "critical"
    march, april = period_report(curve(reported=1), weeks, "month")
    assert march.cutoff_week == 1 and march.planned == D(10) and march.actual == D(8)  # week 1's own values
    assert april.actual is None and april.planned == D(70) and april.planned_cumulative == D(100)


def test_periods_sum_to_the_cumulative_exactly():
    weeks = project_weeks(date(2026, 2, 16), 4)  # February: week 1; March: weeks 2-4
    periods = period_report(curve(reported=4), weeks, "month")
    assert [(p.first_week, p.last_week) for p in periods] == [(1, 1), (2, 4)]
    assert sum(p.planned for p in periods) == D(100)
    assert sum(p.actual for p in periods) == periods[-1].actual_cumulative == D(35)


def test_monthly_report_needs_dates_and_a_known_period():
    with pytest.raises(ValueError, match="week dates"):
        period_report(curve(), project_weeks(None, 4), "month")
    with pytest.raises(ValueError, match="unknown period"):
        period_report(curve(), project_weeks(date(2026, 3, 2), 4), "year")


def test_planned_value_of_every_week():
    planned, _ = weekly_sums(ITEMS, 4)
    assert planned_value_curve(planned) == [
        D("1000000.00"),
        D("3000000.00"),
        D("4500000.00"),
        D("10000000.00"),
    ]


@pytest.mark.parametrize(
    "value, text",
    [
        ("0", ""),
        ("40.0000", "40"),
        ("12.5", "12,5"),
        ("33.3333", "33,3333"),
        ("1.125", "1,1250"),
        ("0.125", "0,1250"),
    ],
)
def test_input_value_reads_back_unambiguously(value, text):
    assert input_value(D(value)) == text
