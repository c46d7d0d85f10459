"""Loading the schedule of a project for the pages and documents (Gantt, progress, Kurva S, reports).

``load_schedule(project)`` reads, in four queries whatever the size: the work items' count and total, the
weekly planned and actual sums, and the weekly reports, and computes the weekly and cumulative planned
and actual % of the project, the deviation and status, and earned value (``ahsp.calculations.schedule``).
Weights follow the current amounts: nothing is stored per week.

The weekly sums of amount x share are aggregated by the database as exact integers (cents x 1/10,000 %,
with the expressions of ``ahsp.loaders.gantt``), so a few dozen rows come back whatever the number of planned
weeks; they are the same Decimals as ``weekly_sums`` over every item (tested against it in
``ahsp/tests/test_schedule_data.py``), kept in ``planned_sums`` / ``actual_sums``. The per-item values
(``planned``, ``actual``, ``amounts``) are only read when a caller asks for them
(``load_item_schedules``: one more query, a UNION of the three read straight from the cursor, the
decimals as text, which is cheaper than Django's float -> Decimal converter on SQLite); they are the
ORM's Decimals, in no particular order.

On SQLite (which stores decimals as floats, 15 significant digits) the aggregated and per-item values
agree as long as an amount has at most 15 significant digits (SQLite cannot store more exactly); on
PostgreSQL always.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property

from django.db import connections
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Sum, Value
from django.utils import timezone

from ahsp.calculations.money import exact_context
from ahsp.calculations.schedule import (
    SHARE_PLACES,
    EarnedValue,
    ItemSchedule,
    Week,
    WeekProgress,
    earned_value,
    project_weeks,
    s_curve,
    week_of,
)
from ahsp.loaders._sums import CENTS, Scaled, as_text, joined, weighted_sums
from ahsp.models import PlannedShare, ProgressEntry, Project, WeekReport, WorkItem

# Kinds of rows in ``load_item_schedules``' single query.
_AMOUNT, _PLANNED, _ACTUAL = 0, 1, 2


@dataclass(frozen=True)
class ItemSchedules:
    """Every work item's amount, planned shares and progress (week -> % of the item)."""

    amounts: dict[int, Decimal]  # item id -> amount
    planned: dict[int, dict[int, Decimal]]  # item id -> week -> share
    actual: dict[int, dict[int, Decimal]]  # item id -> week -> progress

    def items(self) -> list[ItemSchedule]:
        return [
            ItemSchedule(amount, self.planned.get(pk, {}), self.actual.get(pk, {}))
            for pk, amount in self.amounts.items()
        ]


@dataclass(frozen=True)
class ScheduleSummary:
    weeks: list[Week]
    total: Decimal  # sum of the work items' amounts (BAC, before PPN)
    item_count: int
    planned_item_count: int  # items with a planned distribution
    curve: list[WeekProgress]
    earned: list[EarnedValue]
    reported_weeks: int  # the last week with progress or a report (0 = none yet)
    current_week: int | None  # the week today falls in, None outside the project
    reports: dict[int, WeekReport]
    # Exact sums over the items of amount x share per week 1..N (rupiah x %): ``weekly_sums``' result.
    planned_sums: list[Decimal]
    actual_sums: list[Decimal]
    project_id: int = field(repr=False, compare=False)

    @property
    def is_scheduled(self) -> bool:
        return bool(self.weeks)

    @property
    def unplanned_item_count(self) -> int:
        return self.item_count - self.planned_item_count

    def week_row(self, week: int) -> WeekProgress | None:
        return self.curve[week - 1] if 1 <= week <= len(self.curve) else None

    # The per-item values, read on first use (one query, ``load_item_schedules``).

    @cached_property
    def item_schedules(self) -> ItemSchedules:
        return load_item_schedules(self.project_id)

    @property
    def planned(self) -> dict[int, dict[int, Decimal]]:  # item id -> week -> share
        return self.item_schedules.planned

    @property
    def actual(self) -> dict[int, dict[int, Decimal]]:  # item id -> week -> progress
        return self.item_schedules.actual

    @property
    def amounts(self) -> dict[int, Decimal]:  # item id -> amount
        return self.item_schedules.amounts


def current_week(project: Project, today: date | None = None) -> int | None:
    if not project.start_date or not project.duration_weeks:
        return None
    week = week_of(project.start_date, today or timezone.localdate())
    return week if 1 <= week <= project.duration_weeks else None


def _exact(units: int, places: int) -> Decimal:
    """An integer count of 10**-places as a Decimal with exactly ``places`` decimals (as the ORM reads
    a DecimalField): ``(250000, 4)`` -> ``Decimal("25.0000")``."""
    with exact_context():
        return Decimal(units).scaleb(-places)


def _stored(text: str, places: int) -> Decimal:
    """A stored decimal read as text as the ORM reads it, with exactly ``places`` decimals: PostgreSQL's
    text is exact ("1234.50"); SQLite prints its float ("1234.5", "1.0e+15"; 15 significant digits, as
    Django's converter keeps before quantizing, or more digits of float noise, rounded away here)."""
    value = Decimal(text)
    return value if value.as_tuple().exponent == -places else value.quantize(Decimal(1).scaleb(-places))


def load_schedule(project: Project, *, today: date | None = None) -> ScheduleSummary:
    """The schedule of ``project`` (four queries; the per-item values on first use, one more)."""
    count = project.duration_weeks or 0 if project.start_date else 0
    weeks = project_weeks(project.start_date, count) if count else []
    items = WorkItem.objects.filter(project=project).aggregate(
        count=Count("pk"),
        cents=Sum(Scaled("amount", CENTS)),
        planned=Count("pk", filter=Q(Exists(PlannedShare.objects.filter(work_item=OuterRef("pk"))))),
    )
    # Weekly sums as weekly_sums computes them: Decimal(0) for a week without rows, else the exact sum
    # of products of 2 x 4 decimals (6 decimals).
    places = CENTS + SHARE_PLACES
    planned_sums = [Decimal(0)] * count
    for row in (
        PlannedShare.objects.filter(work_item__project=project, week__gte=1, week__lte=count)
        .order_by()
        .values("week")
        .annotate(**weighted_sums("work_item__amount", "share"))
    ):
        planned_sums[row["week"] - 1] = _exact(joined(row), places)
    actual_sums = [Decimal(0)] * count
    last_progress_week = 0
    for row in (
        ProgressEntry.objects.filter(work_item__project=project)
        .order_by()
        .values("week")
        .annotate(**weighted_sums("work_item__amount", "progress"))
    ):
        week = row["week"]
        last_progress_week = max(last_progress_week, week)
        if 1 <= week <= count:
            actual_sums[week - 1] = _exact(joined(row), places)
    reports = {report.week: report for report in WeekReport.objects.filter(project=project)}
    reported = min(max([last_progress_week, *reports.keys()]), count)
    total = _exact(int(items["cents"] or 0), CENTS)
    costs = {week: r.actual_cost for week, r in reports.items() if r.actual_cost is not None}
    return ScheduleSummary(
        weeks=weeks,
        total=total,
        item_count=items["count"],
        planned_item_count=items["planned"],
        curve=s_curve(planned_sums, actual_sums, total, reported),
        earned=earned_value(planned_sums, actual_sums, total, reported, costs),
        reported_weeks=reported,
        current_week=current_week(project, today),
        reports=reports,
        planned_sums=planned_sums,
        actual_sums=actual_sums,
        project_id=project.pk,
    )


def load_item_schedules(project: Project | int) -> ItemSchedules:
    """Every work item's amount, planned shares and progress, in one query (a UNION of the three), the
    decimals read as text: the same Decimals as the ORM's (2 decimals for amounts, 4 for shares)."""
    project_id = project.pk if isinstance(project, Project) else project

    def rows(queryset, row_kind: int, item: str, week: str | None, value: str):
        return (
            queryset.order_by()
            .annotate(
                k=Value(row_kind, output_field=IntegerField()),
                i=F(item),
                w=F(week) if week else Value(0, output_field=IntegerField()),
                v=as_text(value),
            )
            .values_list("k", "i", "w", "v")
        )

    # No ORDER BY: sorting the rows costs the database more than the rest of the query; the dicts are
    # looked up by item and week (their order is not the ORM's).
    query = (
        rows(WorkItem.objects.filter(project_id=project_id), _AMOUNT, "pk", None, "amount")
        .union(
            rows(
                PlannedShare.objects.filter(work_item__project_id=project_id),
                _PLANNED,
                "work_item_id",
                "week",
                "share",
            ),
            rows(
                ProgressEntry.objects.filter(work_item__project_id=project_id),
                _ACTUAL,
                "work_item_id",
                "week",
                "progress",
            ),
            all=True,
        )
        .order_by()
    )  # not even the model's default ordering
    amounts: dict[int, Decimal] = {}
    planned: dict[int, dict[int, Decimal]] = {}
    actual: dict[int, dict[int, Decimal]] = {}
    shares: dict[str, Decimal] = {}  # text -> Decimal: a plan repeats a few values (25, 33.3333)
    # Straight from the cursor: every column is an integer or text (no converter needed), fetched at once.
    sql, params = query.query.sql_with_params()
    with connections[query.db].cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    for row_kind, item_id, week, text in fetched:
        if row_kind == _AMOUNT:
            amounts[item_id] = _stored(text, CENTS)
            continue
        share = shares.get(text)
        if share is None:
            share = shares[text] = _stored(text, SHARE_PLACES)
        (planned if row_kind == _PLANNED else actual).setdefault(item_id, {})[week] = share
    return ItemSchedules(amounts=amounts, planned=planned, actual=actual)
