"""Loading the schedule of a project for the pages and documents (Gantt, progress, Kurva S, reports).

``load_schedule(project)`` reads, in a constant number of queries whatever the size: every work item's
amount, every planned share, every progress entry and the weekly reports, and computes the weekly and
cumulative planned and actual % of the project, the deviation and status, and earned value
(``ahsp.calculations.schedule``). Weights follow the current amounts: nothing is stored per week.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone

from ahsp.calculations.schedule import (
    EarnedValue,
    ItemSchedule,
    Week,
    WeekProgress,
    earned_value,
    project_weeks,
    s_curve,
    week_of,
    weekly_sums,
)
from ahsp.models import PlannedShare, ProgressEntry, Project, WeekReport, WorkItem


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
    planned: dict[int, dict[int, Decimal]]  # item id -> week -> share
    actual: dict[int, dict[int, Decimal]]  # item id -> week -> progress
    amounts: dict[int, Decimal]  # item id -> amount

    @property
    def is_scheduled(self) -> bool:
        return bool(self.weeks)

    @property
    def unplanned_item_count(self) -> int:
        return self.item_count - self.planned_item_count

    def week_row(self, week: int) -> WeekProgress | None:
        return self.curve[week - 1] if 1 <= week <= len(self.curve) else None


def current_week(project: Project, today: date | None = None) -> int | None:
    if not project.start_date or not project.duration_weeks:
        return None
    week = week_of(project.start_date, today or timezone.localdate())
    return week if 1 <= week <= project.duration_weeks else None


def load_schedule(project: Project, *, today: date | None = None) -> ScheduleSummary:
    """The schedule of ``project`` (four queries)."""
    count = project.duration_weeks or 0 if project.start_date else 0
    weeks = project_weeks(project.start_date, count) if count else []
    amounts = dict(WorkItem.objects.filter(project=project).values_list("pk", "amount"))
    planned: dict[int, dict[int, Decimal]] = {}
    for item_id, week, share in PlannedShare.objects.filter(work_item__project=project).values_list(
        "work_item_id", "week", "share"
    ):
        planned.setdefault(item_id, {})[week] = share
    actual: dict[int, dict[int, Decimal]] = {}
    last_progress_week = 0
    for item_id, week, progress in ProgressEntry.objects.filter(work_item__project=project).values_list(
        "work_item_id", "week", "progress"
    ):
        actual.setdefault(item_id, {})[week] = progress
        last_progress_week = max(last_progress_week, week)
    reports = {report.week: report for report in WeekReport.objects.filter(project=project)}
    reported = min(max([last_progress_week, *reports.keys()]), count)
    total = sum(amounts.values(), Decimal("0.00"))
    items = [ItemSchedule(amount, planned.get(pk, {}), actual.get(pk, {})) for pk, amount in amounts.items()]
    planned_sums, actual_sums = weekly_sums(items, count)
    costs = {week: r.actual_cost for week, r in reports.items() if r.actual_cost is not None}
    return ScheduleSummary(
        weeks=weeks,
        total=total,
        item_count=len(amounts),
        planned_item_count=sum(1 for pk in amounts if planned.get(pk)),
        curve=s_curve(planned_sums, actual_sums, total, reported),
        earned=earned_value(planned_sums, actual_sums, total, reported, costs),
        reported_weeks=reported,
        current_week=current_week(project, today),
        reports=reports,
        planned=planned,
        actual=actual,
        amounts=amounts,
    )
