"""Loading the pages of actual progress and Kurva S: ORM -> ``ahsp.calculations.progress`` / ``schedule``.

``load_week(project, week)`` reads the schedule (``load_schedule``, four queries) plus the sections and
work items (two queries) whatever the size of the project, and returns the work items of week t in the
order of the work breakdown, each with its plan and progress seen from week t, and the project's totals
of that week. Which items are listed (the *active* ones) is defined in ``ahsp.calculations.progress``.

``load_curves(project, period)`` reads the schedule only (four queries) and adds what Kurva S shows
besides the weekly curve: planned value over every week and the weekly or monthly period report.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ahsp.calculations.numbering import number_tree
from ahsp.calculations.progress import (
    ItemWeekProgress,
    PeriodProgress,
    item_week_progress,
    period_report,
    planned_value_curve,
)
from ahsp.calculations.schedule import (
    PERCENT_PLACES,
    SHARE_PLACES,
    s_curve,
)
from ahsp.calculations.totals import ItemInput, SectionInput
from ahsp.calculations.tree import breakdown_order
from ahsp.formatting import format_number
from ahsp.loaders.schedule import ScheduleSummary, load_schedule
from ahsp.models import Project, Section, WorkItem

ZERO = Decimal(0)
ZERO_PERCENT = ZERO.quantize(Decimal(1).scaleb(-PERCENT_PLACES))
PERIODS = ("week", "month")


@dataclass(frozen=True)
class ItemRow:
    id: int
    number: str
    name: str
    unit: str
    version: int  # the item's schedule_version: the lock its progress input carries
    section_id: int
    section_number: str
    section_name: str
    progress: ItemWeekProgress

    @property
    def input_value(self) -> str:
        """This week's progress as the form shows it: ``""``, ``"40"``, ``"12,5"``, ``"33,3333"``."""
        return input_value(self.progress.actual_this_week)


def input_value(value: Decimal) -> str:
    """A % for an input field, read back by ``parse_decimal``: Indonesian decimal comma, no trailing
    zeros, empty for 0; exactly three decimals get a fourth (``1,1250``): the Indonesian UI reads
    ``1,125`` as 1,125, but the English UI reads a comma before exactly three digits as a thousands group
    (1125), and ``1,1250`` is 1,125 in both."""
    if not value:
        return ""
    text = format_number(value, SHARE_PLACES)
    whole, _, fraction = text.partition(",")
    fraction = fraction.rstrip("0")
    if len(fraction) == 3:
        fraction += "0"
    return f"{whole},{fraction}" if fraction else whole


@dataclass(frozen=True)
class WeekTotals:
    """The whole project seen from week t (% of the project, every item counted, reported or not)."""

    week: int
    weight: Decimal  # 100 when the project has an amount, else 0
    planned_this_week: Decimal
    planned_to_date: Decimal
    actual_before: Decimal
    actual_this_week: Decimal
    actual_to_date: Decimal
    deviation: Decimal
    status: str


@dataclass(frozen=True)
class WeekPage:
    summary: ScheduleSummary
    week: int
    rows: list[ItemRow]
    active_count: int  # items active in the week (rows may hold more: every item, or rows with errors)
    totals: WeekTotals | None  # None when the project has no weeks


def default_week(summary: ScheduleSummary) -> int:
    """The week the progress page opens on: the current week, else the last reported week, else 1."""
    return summary.current_week or summary.reported_weeks or 1


def _totals(summary: ScheduleSummary, week: int) -> WeekTotals | None:
    count = len(summary.weeks)
    if not count:
        return None
    # The database's exact weekly sums (load_schedule), the same as weekly_sums over the items.
    curve = s_curve(summary.planned_sums, summary.actual_sums, summary.total, week)  # actual up to week t
    row, before = curve[week - 1], curve[week - 2] if week > 1 else None
    actual_before = before.actual_cumulative if before else ZERO_PERCENT
    return WeekTotals(
        week=week,
        weight=Decimal(100) if summary.total else ZERO,
        planned_this_week=row.planned,
        planned_to_date=row.planned_cumulative,
        actual_before=actual_before,  # type: ignore[arg-type]
        actual_this_week=row.actual,  # type: ignore[arg-type]
        actual_to_date=row.actual_cumulative,  # type: ignore[arg-type]
        deviation=row.deviation,  # type: ignore[arg-type]
        status=row.status,  # type: ignore[arg-type]
    )


def load_week(
    project: Project,
    week: int | None = None,
    *,
    show_all: bool = False,
    include: Collection[int] = (),
    today: date | None = None,
) -> WeekPage:
    """The progress page of ``week`` (None: the default week): the active items, or every item with
    ``show_all``, plus the items in ``include`` (e.g. rows just posted with an error)."""
    summary = load_schedule(project, today=today)
    if not summary.is_scheduled:
        return WeekPage(summary, 0, [], 0, None)
    week = min(max(week or default_week(summary), 1), len(summary.weeks))
    sections = list(
        Section.objects.filter(project=project).values_list("id", "parent_id", "position", "name")
    )
    items = list(
        WorkItem.objects.filter(project=project).values(
            "id", "section_id", "position", "name", "unit", "schedule_version"
        )
    )
    section_inputs = [SectionInput(pk, parent, position) for pk, parent, position, _name in sections]
    item_inputs = [ItemInput(item["id"], item["section_id"], item["position"], ZERO, ZERO) for item in items]
    numbers = number_tree(section_inputs, item_inputs, project.numbering_style)
    section_names = {pk: name for pk, _parent, _position, name in sections}
    by_id = {item["id"]: item for item in items}
    rows, active = [], 0
    for pk in [pk for (kind, pk), _ in breakdown_order(section_inputs, item_inputs) if kind == "item"]:
        item = by_id[pk]
        progress = item_week_progress(
            amount=summary.amounts.get(pk, ZERO),
            total=summary.total,
            planned=summary.planned.get(pk, {}),
            actual=summary.actual.get(pk, {}),
            week=week,
        )
        active += progress.is_active
        if progress.is_active or show_all or pk in include:
            rows.append(
                ItemRow(
                    id=pk,
                    number=numbers[("item", pk)],
                    name=item["name"],
                    unit=item["unit"],
                    version=item["schedule_version"],
                    section_id=item["section_id"],
                    section_number=numbers[("section", item["section_id"])],
                    section_name=section_names[item["section_id"]],
                    progress=progress,
                )
            )
    return WeekPage(summary, week, rows, active, _totals(summary, week))


# --- Kurva S ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Curves:
    summary: ScheduleSummary
    planned_values: list[Decimal]  # PV of every week (the earned value rows cover the reported weeks)
    periods: list[PeriodProgress]
    period: str  # "week" or "month"


def load_curves(project: Project, period: str = "week", *, today: date | None = None) -> Curves:
    summary = load_schedule(project, today=today)
    if period not in PERIODS:
        raise ValueError(f"unknown period {period!r}")
    if not summary.is_scheduled:
        return Curves(summary, [], [], period)
    return Curves(
        summary,
        planned_value_curve(summary.planned_sums),  # no per-item read: the database's weekly sums
        period_report(summary.curve, summary.weeks, period),
        period,
    )
