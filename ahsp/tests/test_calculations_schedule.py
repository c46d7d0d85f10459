"""Schedule calculations, with expected values worked out by hand.

The 3-item, 4-week example (total Rp 10.000.000; bobot = amount / total):

    item  amount      bobot  planned shares (% of the item)     actual shares (% of the item)
    A     2.000.000   20 %   w1 50, w2 50                        w1 40, w2 60
    B     5.000.000   50 %   w2 20, w3 30, w4 50                 w2 10, w3 20
    C     3.000.000   30 %   w4 100                              -

Planned % of the project per week (bobot x share):
    w1 = 20 x 0,5                = 10        cumulative 10
    w2 = 20 x 0,5 + 50 x 0,2     = 10 + 10 = 20   cumulative 30
    w3 = 50 x 0,3                = 15        cumulative 45
    w4 = 50 x 0,5 + 30 x 1       = 25 + 30 = 55   cumulative 100
Actual, reported up to week 3:
    w1 = 20 x 0,4                = 8         cumulative 8     deviation 8 - 10  = -2   behind
    w2 = 20 x 0,6 + 50 x 0,1     = 12 + 5 = 17    cumulative 25    deviation 25 - 30 = -5   behind
    w3 = 50 x 0,2                = 10        cumulative 35    deviation 35 - 45 = -10  behind (limit)
Earned value (BAC = 10.000.000), actual cost entered: w1 900.000, w2 1.900.000, w3 1.000.000:
    week 3: PV = 45 % x BAC = 4.500.000; EV = 35 % x BAC = 3.500.000; AC = 3.800.000
            SPI = 3,5 / 4,5 = 0,77777... -> 0,7778; CPI = 3,5 / 3,8 = 0,921052... -> 0,9211
            EAC = BAC x AC / EV = 10.000.000 x 3,8 / 3,5 = 10.857.142,857... -> 10.857.142,86
            ETC = EAC - AC = 7.057.142,86; VAC = BAC - EAC = -857.142,86
"""

from datetime import date
from decimal import Decimal as D

import pytest

from ahsp.calculations.schedule import (
    ItemSchedule,
    ScheduleError,
    Week,
    earned_value,
    even_shares,
    month_of_week,
    progress_status,
    project_weeks,
    s_curve,
    validate_progress,
    validate_shares,
    week_of,
    weekly_sums,
)

ITEMS = [
    ItemSchedule(D("2000000"), {1: D(50), 2: D(50)}, {1: D(40), 2: D(60)}),
    ItemSchedule(D("5000000"), {2: D(20), 3: D(30), 4: D(50)}, {2: D(10), 3: D(20)}),
    ItemSchedule(D("3000000"), {4: D(100)}, {}),
]
TOTAL = D("10000000")


def curve(reported=3):
    planned, actual = weekly_sums(ITEMS, 4)
    return s_curve(planned, actual, TOTAL, reported)


def test_planned_curve_of_the_worked_example():
    rows = curve()
    assert [r.planned for r in rows] == [D("10"), D("20"), D("15"), D("55")]
    assert [r.planned_cumulative for r in rows] == [D("10"), D("30"), D("45"), D("100")]


def test_actual_curve_deviation_and_status_of_the_worked_example():
    rows = curve()
    assert [r.actual for r in rows] == [D("8"), D("17"), D("10"), None]
    assert [r.actual_cumulative for r in rows] == [D("8"), D("25"), D("35"), None]
    assert [r.deviation for r in rows] == [D("-2"), D("-5"), D("-10"), None]
    assert [r.status for r in rows] == ["behind", "behind", "behind", None]


def test_a_fourth_week_without_progress_is_critical():
    last = curve(reported=4)[-1]
    assert last.actual_cumulative == D("35") and last.deviation == D("-65") and last.status == "critical"


def test_values_are_rounded_once_to_six_decimals():
    # One item of 1 over a total of 3 (bobot 33,333...%), planned 100 % in week 1:
    planned, actual = weekly_sums(
        [ItemSchedule(D(1), {1: D(100)}, {}), ItemSchedule(D(2), {2: D(100)}, {})], 2
    )
    rows = s_curve(planned, actual, D(3), 0)
    assert rows[0].planned == D("33.333333") and rows[1].planned == D("66.666667")
    assert rows[1].planned_cumulative == D("100.000000")  # not 33,333333 + 66,666667 rounded again


def test_zero_total_gives_zero_curves():
    planned, actual = weekly_sums([ItemSchedule(D(0), {1: D(100)}, {1: D(100)})], 2)
    rows = s_curve(planned, actual, D(0), 1)
    assert rows[0].planned == 0 and rows[0].actual_cumulative == 0 and rows[0].status == "on_track"


def test_weeks_outside_the_project_are_ignored_by_the_sums():
    planned, _ = weekly_sums([ItemSchedule(D(10), {0: D(50), 3: D(50)}, {})], 2)
    assert planned == [D(0), D(0)]


@pytest.mark.parametrize(
    "deviation, status",
    [
        ("0.5", "ahead"),
        ("0", "on_track"),
        ("-0.000001", "behind"),
        ("-10", "behind"),
        ("-10.000001", "critical"),
    ],
)
def test_progress_status(deviation, status):
    assert progress_status(D(deviation)) == status


def test_earned_value_of_the_worked_example():
    planned, actual = weekly_sums(ITEMS, 4)
    costs = {1: D("900000"), 2: D("1900000"), 3: D("1000000")}
    rows = earned_value(planned, actual, TOTAL, 3, costs)
    week3 = rows[-1]
    assert (week3.planned_value, week3.earned_value, week3.actual_cost) == (
        D("4500000.00"),
        D("3500000.00"),
        D("3800000.00"),
    )
    assert week3.spi == D("0.7778") and week3.cpi == D("0.9211")
    assert week3.eac == D("10857142.86") and week3.etc == D("7057142.86") and week3.vac == D("-857142.86")
    # Week 1: PV 1.000.000, EV 800.000, AC 900.000 -> SPI 0,8; CPI 0,8889; EAC = 10.000.000 x 0,9 / 0,8.
    assert rows[0].spi == D("0.8000") and rows[0].cpi == D("0.8889") and rows[0].eac == D("11250000.00")


def test_actual_cost_defaults_to_earned_value():
    planned, actual = weekly_sums(ITEMS, 4)
    rows = earned_value(planned, actual, TOTAL, 2)
    assert rows[-1].actual_cost == rows[-1].earned_value == D("2500000.00")
    assert rows[-1].cpi == D("1.0000") and rows[-1].eac == D("10000000.00") and rows[-1].vac == D("0.00")


def test_earned_value_before_any_progress_has_no_indices():
    rows = earned_value([D(0)], [D(0)], TOTAL, 1)
    assert rows[0].spi is None and rows[0].cpi is None and rows[0].eac is None


@pytest.mark.parametrize(
    "first, last, expected",
    [
        (1, 1, {1: "100"}),
        (3, 6, {3: "25", 4: "25", 5: "25", 6: "25"}),
        (1, 3, {1: "33.3333", 2: "33.3333", 3: "33.3334"}),
        (
            2,
            8,
            {
                2: "14.2857",
                3: "14.2857",
                4: "14.2857",
                5: "14.2857",
                6: "14.2857",
                7: "14.2857",
                8: "14.2858",
            },
        ),
    ],
)
def test_even_shares_sum_to_exactly_100(first, last, expected):
    shares = even_shares(first, last)
    assert shares == {week: D(value) for week, value in expected.items()}
    assert sum(shares.values()) == 100


def test_even_shares_refuse_an_end_before_the_start():
    with pytest.raises(ScheduleError, match="Minggu akhir tidak boleh sebelum minggu mulai"):
        even_shares(5, 4)


@pytest.mark.parametrize(
    "shares, message",
    [
        ({1: D(50), 2: D(40)}, "Jumlah rencana harus 100 %, sekarang 90 %."),
        ({1: D("50.5"), 2: D(50)}, "Jumlah rencana harus 100 %, sekarang 100,5 %."),
        ({1: D(110), 2: D(-10)}, "Persentase minggu ke-2 tidak boleh negatif."),
        ({0: D(100)}, "Minggu ke-0 di luar jadwal proyek (minggu ke-1 sampai ke-10)."),
        ({11: D(100)}, "Minggu ke-11 di luar jadwal proyek"),
        ({1: D("99.99999"), 2: D("0.00001")}, "paling banyak 4 angka desimal"),
        ({}, "Isi persentase rencana paling sedikit satu minggu."),
        ({1: D(0)}, "Isi persentase rencana paling sedikit satu minggu."),
    ],
)
def test_invalid_distributions_are_refused_with_a_message(shares, message):
    with pytest.raises(ScheduleError, match=message.replace("(", r"\(").replace(")", r"\)")):
        validate_shares(shares, 10)


def test_valid_distribution_drops_zero_weeks():
    assert validate_shares({1: D(0), 2: D("62.5"), 3: D("37.5")}, 10) == {2: D("62.5"), 3: D("37.5")}


def test_cumulative_progress_cannot_exceed_100():
    assert validate_progress(D(60), D(40), 3) == D(40)
    with pytest.raises(ScheduleError, match=r"sudah 60 %, sisa paling banyak 40 %"):
        validate_progress(D(60), D("40.5"), 3)
    with pytest.raises(ScheduleError, match="tidak boleh negatif"):
        validate_progress(D(0), D(-1), 1)


def test_weeks_have_calendar_dates_and_months():
    weeks = project_weeks(date(2026, 1, 26), 3)
    assert weeks[0] == Week(1, date(2026, 1, 26), date(2026, 2, 1))
    assert weeks[2] == Week(3, date(2026, 2, 9), date(2026, 2, 15))
    assert month_of_week(weeks[0]) == (2026, 2)  # reported at its last day, in February
    assert project_weeks(None, 2)[1] == Week(2, None, None) and month_of_week(Week(1, None, None)) is None
    assert week_of(date(2026, 1, 26), date(2026, 2, 2)) == 2
    assert week_of(date(2026, 1, 26), date(2026, 1, 25)) == 0


def test_schedule_messages_follow_the_active_language():
    from django.utils import translation

    with translation.override("en"), pytest.raises(ScheduleError) as error:
        validate_shares({3: D(60)}, 4)
    assert str(error.value) == "The plan must add up to 100 %; it is now 60 %."
    with pytest.raises(ScheduleError) as error:
        validate_shares({3: D(60)}, 4)
    assert str(error.value) == "Jumlah rencana harus 100 %, sekarang 60 %."
