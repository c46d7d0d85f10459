"""Actual progress of one week per work item, the weekly / monthly progress report and the planned value
curve. Pure functions over ``Decimal`` (no Django), on top of ``ahsp.calculations.schedule``.

Which work items are *active* in week t (listed by the "progres minggu ke-t" form):

- the item has progress entered in week t; or
- the item is not finished before week t (its progress in weeks 1..t-1 is below 100 %) and either its
  plan has started by week t (its first planned week is <= t: planned in week t, or planned earlier and
  still unfinished, i.e. late) or it has started already (progress before week t, also ahead of plan).

So an item planned later and not started, an unplanned item without progress, and an item finished
before week t are not listed (the page can still show every item).

Periods of the progress report are single weeks or calendar months; a week belongs to the month of its
last day (``month_of_week``). A period's values are differences of the cumulative curve, so the periods
add up to the cumulative column exactly. The month that holds the last reported week but runs past it is
reported *up to that week* (its cut-off): planned, actual and deviation are all taken at the same week.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ahsp.calculations.money import exact_context, quantize_money, quantize_quotient
from ahsp.calculations.schedule import (
    HUNDRED,
    PERCENT_PLACES,
    Week,
    WeekProgress,
    month_of_week,
    progress_status,
)

ZERO = Decimal(0)


# --- One work item in one week ------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemWeekProgress:
    """One work item seen from week t; every % is of the item, except ``weight`` (% of the project)."""

    week: int
    weight: Decimal  # bobot: amount / total x 100 (PERCENT_PLACES decimals)
    planned_this_week: Decimal
    planned_to_date: Decimal  # planned in weeks 1..t
    actual_before: Decimal  # done in weeks 1..t-1
    actual_this_week: Decimal  # done in week t
    actual_after: Decimal  # done in weeks after t (entered for later weeks)
    first_planned_week: int | None

    @property
    def actual_to_date(self) -> Decimal:
        return self.actual_before + self.actual_this_week

    @property
    def deviation(self) -> Decimal:
        """Actual - planned up to week t, in % of the item."""
        return self.actual_to_date - self.planned_to_date

    @property
    def status(self) -> str:
        return progress_status(self.deviation)

    @property
    def is_behind(self) -> bool:
        return self.deviation < 0

    @property
    def remaining(self) -> Decimal:
        """The most that week t can take: 100 minus every other week's progress."""
        return max(HUNDRED - self.actual_before - self.actual_after, ZERO)

    @property
    def is_active(self) -> bool:
        if self.actual_this_week:
            return True
        if self.actual_before >= HUNDRED:
            return False
        started = self.actual_before > 0
        plan_started = self.first_planned_week is not None and self.first_planned_week <= self.week
        return started or plan_started


def item_week_progress(
    *,
    amount: Decimal,
    total: Decimal,
    planned: Mapping[int, Decimal],
    actual: Mapping[int, Decimal],
    week: int,
) -> ItemWeekProgress:
    """An item's plan and progress seen from ``week`` (``planned``/``actual``: week -> % of the item)."""
    with exact_context():
        planned_to_date = sum((share for w, share in planned.items() if w <= week), ZERO)
        before = sum((share for w, share in actual.items() if w < week), ZERO)
        after = sum((share for w, share in actual.items() if w > week), ZERO)
        weight = quantize_quotient(amount * HUNDRED, total, PERCENT_PLACES) if total else ZERO
    first = min((w for w, share in planned.items() if share), default=None)
    return ItemWeekProgress(
        week=week,
        weight=weight,
        planned_this_week=planned.get(week, ZERO),
        planned_to_date=planned_to_date,
        actual_before=before,
        actual_this_week=actual.get(week, ZERO),
        actual_after=after,
        first_planned_week=first,
    )


# --- Periods: weeks or calendar months ----------------------------------------------------------------


@dataclass(frozen=True)
class PeriodProgress:
    first_week: int
    last_week: int
    cutoff_week: int  # the week the values are taken at (= last_week unless the month is in progress)
    start: date | None  # first day of the first week
    end: date | None  # last day of the cut-off week
    month: date | None  # first day of the calendar month (monthly report), else None
    planned: Decimal  # % of the project planned in the period (up to the cut-off)
    planned_cumulative: Decimal
    actual: Decimal | None  # None when no week of the period is reported
    actual_cumulative: Decimal | None
    deviation: Decimal | None  # actual_cumulative - planned_cumulative
    status: str | None

    @property
    def is_partial(self) -> bool:
        return self.cutoff_week < self.last_week


def _groups(weeks: Sequence[Week], period: str) -> list[list[Week]]:
    if period == "week":
        return [[week] for week in weeks]
    if period != "month":
        raise ValueError(f"unknown period {period!r}")
    groups: list[list[Week]] = []
    previous = None
    for week in weeks:
        key = month_of_week(week)
        if key is None:
            raise ValueError("a monthly report needs week dates (the project's start date)")
        if key != previous:
            groups.append([])
            previous = key
        groups[-1].append(week)
    return groups


def period_report(
    curve: Sequence[WeekProgress], weeks: Sequence[Week], period: str = "week"
) -> list[PeriodProgress]:
    """Planned and actual progress per week (``period="week"``) or calendar month (``"month"``), for the
    period and cumulative, with the deviation and status at the period's cut-off week."""
    if len(curve) != len(weeks):
        raise ValueError("the curve and the weeks must have the same length")
    reported = max((row.week for row in curve if row.actual_cumulative is not None), default=0)
    zero = Decimal(0).quantize(Decimal(1).scaleb(-PERCENT_PLACES))

    def planned_cum(week: int) -> Decimal:
        return curve[week - 1].planned_cumulative if week >= 1 else zero

    def actual_cum(week: int) -> Decimal:
        return curve[week - 1].actual_cumulative if week >= 1 else zero  # type: ignore[return-value]

    periods = []
    for group in _groups(weeks, period):
        first, last = group[0].number, group[-1].number
        cutoff = reported if first <= reported < last else last
        row = curve[cutoff - 1]
        if first == cutoff:  # one week: the curve's own weekly values
            planned, actual = row.planned, row.actual
        else:
            planned = planned_cum(cutoff) - planned_cum(first - 1)
            actual = actual_cum(cutoff) - actual_cum(first - 1) if first <= reported else None
        month = None
        if period == "month":
            year, number = month_of_week(group[-1])  # type: ignore[misc]
            month = date(year, number, 1)
        periods.append(
            PeriodProgress(
                first_week=first,
                last_week=last,
                cutoff_week=cutoff,
                start=group[0].start,
                end=weeks[cutoff - 1].end,
                month=month,
                planned=planned,
                planned_cumulative=row.planned_cumulative,
                actual=actual,
                actual_cumulative=row.actual_cumulative,
                deviation=row.deviation,
                status=row.status,
            )
        )
    return periods


# --- Planned value over the whole project ------------------------------------------------------------


def planned_value_curve(planned_sums: Sequence[Decimal]) -> list[Decimal]:
    """PV of every week (not only the reported ones): the cumulative planned cost to the end of week t,
    from the exact weekly sums of amount x share (``weekly_sums``), rounded to cents once per week."""
    values = []
    cumulative = ZERO
    with exact_context():
        for week_sum in planned_sums:
            cumulative += week_sum
            values.append(quantize_money(cumulative / HUNDRED))
    return values
