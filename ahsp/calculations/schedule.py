"""The schedule: planned distributions, weekly planned and actual progress, Kurva S and earned value.

Pure functions over ``Decimal`` (no Django). Units:

- a work item's *share* of week t is the % of that item planned (or done) in week t; an item's planned
  shares sum to exactly 100 (``SHARE_PLACES`` decimals), its actual shares to at most 100;
- the project's weekly progress is % of the project: sum over items of amount x share / total, so an
  item's weight (bobot) is its amount / total, computed from the current amounts at read time (when an
  amount changes, the schedule follows without re-entry);
- weekly and cumulative values are computed from exact sums and rounded once, half-up, to
  ``PERCENT_PLACES`` decimals (a cumulative value is never a sum of rounded weekly values, so the planned
  curve ends at exactly 100 when every item is planned);
- money (PV, EV, AC, EAC, ETC, VAC) to cents; SPI and CPI to ``INDEX_PLACES`` decimals; EAC is computed
  from the exact CPI (BAC x AC / EV), not from the rounded one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from django.utils.translation import gettext

from ahsp.calculations.money import exact_context, quantize_money, quantize_quotient

SHARE_PLACES = 4
SHARE_QUANTUM = Decimal(1).scaleb(-SHARE_PLACES)
PERCENT_PLACES = 6
INDEX_PLACES = 4
HUNDRED = Decimal(100)
BEHIND_LIMIT = Decimal(-10)  # deviation down to -10 % is "behind"; below it "critical"

Shares = Mapping[int, Decimal]  # week (1-based) -> % of the item


class ScheduleError(ValueError):
    """A distribution or a progress entry that cannot be accepted; the message is for the user."""


def _pct(value: Decimal) -> str:
    """``Decimal("99.5")`` -> ``"99,5"`` for messages (no trailing zeros, decimal comma)."""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


# --- Weeks and their dates ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Week:
    number: int  # 1-based: minggu ke-1
    start: date | None
    end: date | None  # the last day of the week (the default report date)


def project_weeks(start: date | None, count: int) -> list[Week]:
    """Week 1 starts on the project's start date; every week is 7 calendar days."""
    weeks = []
    for number in range(1, count + 1):
        if start is None:
            weeks.append(Week(number, None, None))
        else:
            first = start + timedelta(days=7 * (number - 1))
            weeks.append(Week(number, first, first + timedelta(days=6)))
    return weeks


def week_of(start: date, day: date) -> int:
    """The week number ``day`` falls in (may be < 1 before the start, or beyond the last week)."""
    return (day - start).days // 7 + 1


# --- Planned distributions ----------------------------------------------------------------------------


def even_shares(first_week: int, last_week: int) -> dict[int, Decimal]:
    """100 % spread evenly over ``first_week..last_week``; the rounding remainder goes to the last week,
    so the shares sum to exactly 100: 3 weeks -> 33,3333 / 33,3333 / 33,3334."""
    if first_week < 1 or last_week < first_week:
        raise ScheduleError(gettext("Minggu akhir tidak boleh sebelum minggu mulai."))
    count = last_week - first_week + 1
    each = (HUNDRED / count).quantize(SHARE_QUANTUM, rounding=ROUND_DOWN)
    shares = {week: each for week in range(first_week, last_week + 1)}
    shares[last_week] = HUNDRED - each * (count - 1)
    return shares


def validate_shares(shares: Shares, week_count: int) -> dict[int, Decimal]:
    """The planned distribution of one item, checked: weeks within 1..N, no negative share, at most
    ``SHARE_PLACES`` decimals, and a sum of exactly 100. Zero shares are dropped."""
    if not shares or not any(shares.values()):
        raise ScheduleError(gettext("Isi persentase rencana paling sedikit satu minggu."))
    cleaned: dict[int, Decimal] = {}
    for week, share in sorted(shares.items()):
        if not 1 <= week <= week_count:
            raise ScheduleError(
                gettext("Minggu ke-%(week)s di luar jadwal proyek (minggu ke-1 sampai ke-%(weeks)s).")
                % {"week": week, "weeks": week_count}
            )
        if share < 0:
            raise ScheduleError(
                gettext("Persentase minggu ke-%(week)s tidak boleh negatif.") % {"week": week}
            )
        if share != share.quantize(SHARE_QUANTUM):
            raise ScheduleError(
                gettext("Persentase minggu ke-%(week)s paling banyak %(places)s angka desimal.")
                % {"week": week, "places": SHARE_PLACES}
            )
        if share:
            cleaned[week] = share
    total = sum(cleaned.values(), Decimal(0))
    if total != HUNDRED:
        raise ScheduleError(
            gettext("Jumlah rencana harus 100 %%, sekarang %(total)s %%.") % {"total": _pct(total)}
        )
    return cleaned


def validate_progress(previous_total: Decimal, share: Decimal, week: int) -> Decimal:
    """An actual share (% of the item done in ``week``) given the item's other weeks' total."""
    if share < 0:
        raise ScheduleError(gettext("Progres minggu ke-%(week)s tidak boleh negatif.") % {"week": week})
    if share != share.quantize(SHARE_QUANTUM):
        raise ScheduleError(
            gettext("Progres minggu ke-%(week)s paling banyak %(places)s angka desimal.")
            % {"week": week, "places": SHARE_PLACES}
        )
    if previous_total + share > HUNDRED:
        left = max(HUNDRED - previous_total, Decimal(0))
        raise ScheduleError(
            gettext(
                "Progres kumulatif tidak boleh lebih dari 100 %%: sudah %(done)s %%, sisa paling banyak %(left)s %%."
            )
            % {"done": _pct(previous_total), "left": _pct(left)}
        )
    return share


# --- Curves ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemSchedule:
    amount: Decimal  # Jumlah Harga of the item (its weight is amount / total)
    planned: Shares
    actual: Shares


@dataclass(frozen=True)
class WeekProgress:
    week: int
    planned: Decimal  # % of the project planned in this week
    planned_cumulative: Decimal
    actual: Decimal | None  # None after the last reported week
    actual_cumulative: Decimal | None
    deviation: Decimal | None  # actual_cumulative - planned_cumulative
    status: str | None  # ahead / on_track / behind / critical


def progress_status(deviation: Decimal) -> str:
    """> 0 ahead, 0 on track, down to -10 % behind, below -10 % critical (domain.md)."""
    if deviation > 0:
        return "ahead"
    if deviation == 0:
        return "on_track"
    if deviation >= BEHIND_LIMIT:
        return "behind"
    return "critical"


def weekly_sums(items: Iterable[ItemSchedule], week_count: int) -> tuple[list[Decimal], list[Decimal]]:
    """Exact sums over items of amount x share per week (planned, actual), in rupiah x %."""
    planned = [Decimal(0)] * (week_count + 1)
    actual = [Decimal(0)] * (week_count + 1)
    with exact_context():
        for item in items:
            for week, share in item.planned.items():
                if 1 <= week <= week_count:
                    planned[week] += item.amount * share
            for week, share in item.actual.items():
                if 1 <= week <= week_count:
                    actual[week] += item.amount * share
    return planned[1:], actual[1:]


def s_curve(
    planned_sums: Sequence[Decimal], actual_sums: Sequence[Decimal], total: Decimal, reported_weeks: int
) -> list[WeekProgress]:
    """Kurva S: weekly and cumulative planned and actual % of the project (``total`` = sum of amounts);
    actual values up to ``reported_weeks`` only. All zero when the total is zero."""
    rows = []
    planned_so_far = actual_so_far = Decimal(0)

    def pct(numerator: Decimal) -> Decimal:
        """Sums are rupiah x % of an item; / total = % of the project."""
        if not total:
            return Decimal(0).quantize(Decimal(1).scaleb(-PERCENT_PLACES))
        return quantize_quotient(numerator, total, PERCENT_PLACES)

    for index, planned in enumerate(planned_sums):
        week = index + 1
        with exact_context():
            planned_so_far += planned
        planned_cumulative = pct(planned_so_far)
        if week <= reported_weeks:
            with exact_context():
                actual_so_far += actual_sums[index]
            actual_cumulative = pct(actual_so_far)
            deviation = actual_cumulative - planned_cumulative
            rows.append(
                WeekProgress(
                    week,
                    pct(planned),
                    planned_cumulative,
                    pct(actual_sums[index]),
                    actual_cumulative,
                    deviation,
                    progress_status(deviation),
                )
            )
        else:
            rows.append(WeekProgress(week, pct(planned), planned_cumulative, None, None, None, None))
    return rows


# --- Earned value -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EarnedValue:
    week: int
    planned_value: Decimal  # PV: planned cost to date
    earned_value: Decimal  # EV: sum of amount x actual % to date
    actual_cost: Decimal  # AC: entered actual cost to date, or EV for weeks without an entry
    spi: Decimal | None  # EV / PV
    cpi: Decimal | None  # EV / AC
    eac: Decimal | None  # BAC / CPI = BAC x AC / EV
    etc: Decimal | None  # EAC - AC
    vac: Decimal | None  # BAC - EAC


def earned_value(
    planned_sums: Sequence[Decimal],
    actual_sums: Sequence[Decimal],
    budget: Decimal,
    reported_weeks: int,
    actual_costs: Mapping[int, Decimal] | None = None,
) -> list[EarnedValue]:
    """Weekly cumulative PV, EV and AC (``budget`` = BAC, the total before PPN) with SPI, CPI, EAC, ETC
    and VAC, for the reported weeks. ``actual_costs`` maps a week to the actual cost spent IN that week;
    a week without one counts its earned value as its cost."""
    actual_costs = actual_costs or {}
    rows = []
    pv = ev = ac = Decimal(0)
    with exact_context():
        for index in range(min(reported_weeks, len(planned_sums))):
            week = index + 1
            week_ev = actual_sums[index] / HUNDRED
            pv += planned_sums[index] / HUNDRED
            ev += week_ev
            ac += actual_costs.get(week, week_ev)
            spi = quantize_quotient(ev, pv, INDEX_PLACES) if pv else None
            cpi = quantize_quotient(ev, ac, INDEX_PLACES) if ac else None
            eac = quantize_quotient(budget * ac, ev, 2) if ev else None
            rows.append(
                EarnedValue(
                    week=week,
                    planned_value=quantize_money(pv),
                    earned_value=quantize_money(ev),
                    actual_cost=quantize_money(ac),
                    spi=spi,
                    cpi=cpi,
                    eac=eac,
                    etc=eac - quantize_money(ac) if eac is not None else None,
                    vac=quantize_money(budget) - eac if eac is not None else None,
                )
            )
    return rows


# --- Calendar months ---------------------------------------------------------------------------------


def month_of_week(week: Week) -> tuple[int, int] | None:
    """(year, month) a week is reported in: the month of its last day (its default report date)."""
    if week.end is None:
        return None
    return week.end.year, week.end.month
