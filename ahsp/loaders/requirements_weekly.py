"""Rekap Kebutuhan per minggu: the quantity of each resource needed in each week of the schedule.

For a resource r and a week t::

    quantity(r, t) = sum over the planned work items w of quantity(w, r) x share(w, t) / 100

where ``quantity(w, r)`` is the item's requirement (volume x the per-unit vector of its analysis, expanded
through nested analyses: ``item_requirements``) and ``share(w, t)`` the % of the item planned in week t
(``PlannedShare``). Exact ``Decimal``; the page shows 4 decimals. Hence, when every item is planned (its
shares sum to 100), the sum over all weeks of a resource's quantity equals its total requirement.

Items without a planned share in the project's weeks are left out (counted as unplanned). The weeks are
shown by windows of ``WINDOW`` like the Gantt (``ahsp.loaders.gantt.window_for``: same ``?from=`` rules). The same
section and stage filters as the totals apply (``ahsp.loaders.requirements.load_scope``).

Six queries whatever the size of the project: sections, stages, work items, analysis components, planned
shares, resources (three for a project without a start date or duration).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ahsp.calculations.money import exact_context
from ahsp.calculations.prices import purchase_quantity
from ahsp.calculations.requirements import Vector, item_requirements
from ahsp.calculations.schedule import Week, project_weeks
from ahsp.loaders.gantt import WINDOW, Window, is_scheduled, window_for
from ahsp.loaders.requirements import (
    Filtered,
    ResourceRow,
    Scope,
    StageFilter,
    by_category,
    load_analyses,
    load_resources,
    load_scope,
)
from ahsp.loaders.schedule import current_week
from ahsp.models import PlannedShare, Project

ZERO = Decimal("0")

__all__ = ["WINDOW", "WeeklyRequirements", "load_weekly_requirements", "weekly_quantities"]


def weekly_quantities(
    item_quantities: Mapping[int, Vector],
    shares: Mapping[int, Mapping[int, Decimal]],
    weeks: Iterable[int],
) -> dict[int, dict[int, Decimal]]:
    """``{resource_id: {week: sum over items of quantity x share / 100}}`` for ``weeks``, exact.

    ``item_quantities``: ``{item_id: {resource_id: quantity}}``; ``shares``: ``{item_id: {week: %}}``.
    Only the items with shares count; every resource of such an item is present, with every week of
    ``weeks`` (0 where nothing is planned)."""
    weeks = list(weeks)
    result: dict[int, dict[int, Decimal]] = {}
    with exact_context():
        for item_id, item_shares in shares.items():
            vector = item_quantities.get(item_id)
            if not vector or not item_shares:
                continue
            for resource_id in vector:
                result.setdefault(resource_id, dict.fromkeys(weeks, ZERO))
            for week in weeks:
                share = item_shares.get(week)
                if not share:
                    continue
                for resource_id, quantity in vector.items():
                    result[resource_id][week] += quantity * share
        for by_week in result.values():
            for week, value in by_week.items():
                by_week[week] = value.scaleb(-2)  # / 100, exact
    return result


@dataclass(frozen=True)
class WeekQuantity:
    quantity: Decimal  # exact
    purchase_quantity: Decimal | None  # quantity / purchase factor, 4 decimals half-up


@dataclass(frozen=True)
class WeeklyRow:
    id: int
    code: str
    name: str
    unit: str
    purchase_unit: str
    purchase_factor: Decimal | None
    weeks: tuple[WeekQuantity, ...]  # one per week of the window, in order
    total: WeekQuantity  # the window's weeks


@dataclass(frozen=True)
class WeeklyGroup:
    category: str
    label: str
    rows: tuple[WeeklyRow, ...]


@dataclass(frozen=True)
class WeeklyRequirements(Filtered):
    scope: Scope
    window: Window | None  # None: the project has no start date or duration
    columns: tuple[Week, ...]  # the window's weeks (number, start, end)
    groups: tuple[WeeklyGroup, ...]
    planned_item_count: int  # selected items with a planned share in the project's weeks

    @property
    def is_scheduled(self) -> bool:
        return self.window is not None

    @property
    def unplanned_item_count(self) -> int:
        return self.item_count - self.planned_item_count


def _quantity(value: Decimal, resource: ResourceRow) -> WeekQuantity:
    return WeekQuantity(value, purchase_quantity(value, resource.purchase_factor))


def load_weekly_requirements(
    project: Project,
    raw_from: str | int | None = None,
    *,
    section_id: int | None = None,
    stage: StageFilter = None,
    today: date | None = None,
) -> WeeklyRequirements:
    """One window of weeks (``raw_from``: its first week, as ``?from=``; clamped, never an error) of the
    items selected by ``section_id`` and ``stage`` (``SectionNotFound`` / ``StageNotFound`` as
    ``load_scope``)."""
    scope = load_scope(project, section_id=section_id, stage=stage)
    if not is_scheduled(project):
        return WeeklyRequirements(scope=scope, window=None, columns=(), groups=(), planned_item_count=0)
    count = project.duration_weeks
    window = window_for(count, raw_from, current_week(project, today))
    columns = tuple(project_weeks(project.start_date, window.last)[window.first - 1 :])

    selected = {row.id for row in scope.items}
    shares: dict[int, dict[int, Decimal]] = {}
    if selected:
        for item_id, week, share in (
            PlannedShare.objects.filter(work_item__project=project, week__gte=1, week__lte=count)
            .order_by()
            .values_list("work_item_id", "week", "share")
        ):
            if item_id in selected and share:
                shares.setdefault(item_id, {})[week] = share
    planned = [row for row in scope.items if row.id in shares]

    analyses = load_analyses(project, planned)
    per_item = item_requirements(analyses, [(row.id, row.analysis_id, row.volume) for row in planned])
    by_week = weekly_quantities(per_item, shares, window.weeks)
    resources = load_resources(project, by_week)

    def row(resource: ResourceRow) -> WeeklyRow:
        values = by_week[resource.id]
        with exact_context():
            total = sum(values.values(), ZERO)
        return WeeklyRow(
            id=resource.id,
            code=resource.code,
            name=resource.name,
            unit=resource.unit,
            purchase_unit=resource.purchase_unit,
            purchase_factor=resource.purchase_factor,
            weeks=tuple(_quantity(values[week], resource) for week in window.weeks),
            total=_quantity(total, resource),
        )

    return WeeklyRequirements(
        scope=scope,
        window=window,
        columns=columns,
        groups=tuple(
            WeeklyGroup(value, label, tuple(rows)) for value, label, rows in by_category(resources, row)
        ),
        planned_item_count=len(planned),
    )
