"""Loader of the Rekap Kebutuhan (resource requirements) page: ORM -> ``ahsp.calculations.requirements``.

Five queries whatever the size of the project: sections, stages, work items (with their analysis's stored
D), analysis components, resources. Every quantity and cost is EXACT; the page formats them (``rupiah``,
``quantity``), so a total may differ by a cent from the sum of its rounded rows.

The identity shown on the page: the sum of the requirement costs equals the sum over the (filtered) work
items of volume x D (the direct cost per unit, before BUK), i.e. the RAB before overhead and per-item
rounding.

The parts shared with the weekly breakdown (``ahsp.loaders.requirements_weekly``): ``load_scope`` (the section and
stage filters and the items they select), ``load_analyses``, ``load_resources``, ``by_category``; both
convert to purchase units with ``ahsp.calculations.prices.purchase_quantity``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, NamedTuple

from ahsp.calculations.money import exact_context, quantize_money
from ahsp.calculations.numbering import number_tree
from ahsp.calculations.prices import purchase_quantity
from ahsp.calculations.requirements import Component, calculate_costs, calculate_requirements
from ahsp.calculations.totals import ItemInput, SectionInput
from ahsp.calculations.tree import Children, children_by_parent, pre_order, subtree_ids
from ahsp.models import (
    AnalysisComponent,
    Project,
    ProjectResource,
    ResourceCategory,
    Section,
    Stage,
    WorkItem,
)

ZERO = Decimal("0")
NO_STAGE = "none"  # the stage filter of the items without a stage (``?stage=none``)

# The stage filter: None = every item, a stage id, or ``NO_STAGE``.
StageFilter = int | Literal["none"] | None


class SectionNotFound(LookupError):
    """The requested section is not one of the project's."""


class StageNotFound(LookupError):
    """The requested stage (tahapan) is not one of the project's."""


@dataclass(frozen=True)
class SectionOption:
    id: int
    number: str
    name: str
    depth: int  # 0 = top level


@dataclass(frozen=True)
class StageOption:
    id: int
    name: str


class ItemRow(NamedTuple):
    id: int
    section_id: int
    position: int
    analysis_id: int
    volume: Decimal
    amount: Decimal
    direct: Decimal  # D of its analysis (stored)
    stage_id: int | None


class ResourceRow(NamedTuple):
    id: int
    code: str
    name: str
    unit: str
    category: str
    unit_price: Decimal | None
    purchase_unit: str
    purchase_factor: Decimal | None


@dataclass(frozen=True)
class Scope:
    """The filter options of the page and the work items they select."""

    sections: tuple[SectionOption, ...]  # every section of the project, in tree order
    section: SectionOption | None  # the section filter (None = every section)
    stages: tuple[StageOption, ...]  # every stage of the project, in order
    stage: StageOption | None  # the stage filter (None = every stage, or ``without_stage``)
    without_stage: bool  # only the items without a stage
    items: tuple[ItemRow, ...]  # the selected work items

    @property
    def stage_value(self) -> str:
        """The stage filter as in the URL: ``""``, ``"none"`` or the stage id."""
        if self.without_stage:
            return NO_STAGE
        return str(self.stage.id) if self.stage else ""

    @property
    def is_filtered(self) -> bool:
        return self.section is not None or self.stage is not None or self.without_stage


class Filtered:
    """The filter of a report (``scope``), for the page's form."""

    scope: Scope

    @property
    def sections(self) -> tuple[SectionOption, ...]:
        return self.scope.sections

    @property
    def section(self) -> SectionOption | None:
        return self.scope.section

    @property
    def stages(self) -> tuple[StageOption, ...]:
        return self.scope.stages

    @property
    def stage(self) -> StageOption | None:
        return self.scope.stage

    @property
    def without_stage(self) -> bool:
        return self.scope.without_stage

    @property
    def stage_value(self) -> str:
        return self.scope.stage_value

    @property
    def item_count(self) -> int:
        return len(self.scope.items)


@dataclass(frozen=True)
class RequirementRow:
    id: int
    code: str
    name: str
    unit: str
    quantity: Decimal  # exact
    unit_price: Decimal | None
    cost: Decimal | None  # exact quantity x unit_price; None without a price
    purchase_unit: str
    purchase_factor: Decimal | None
    purchase_quantity: Decimal | None  # quantity / purchase_factor, 4 decimals half-up


@dataclass(frozen=True)
class RequirementGroup:
    category: str
    label: str
    rows: tuple[RequirementRow, ...]
    total: Decimal  # exact, priced rows only
    missing_count: int


@dataclass(frozen=True)
class Requirements(Filtered):
    groups: tuple[RequirementGroup, ...]  # Tenaga Kerja, Bahan, Peralatan, Lain-lain; non-empty only
    total: Decimal  # exact sum of the requirement costs
    direct_total: Decimal  # exact sum over the work items of volume x D (stored on the analysis)
    rab_amount: Decimal  # sum of the work items' amounts (HSP with BUK, rounded per item)
    missing_count: int  # resources needed without a price
    scope: Scope

    @property
    def is_balanced(self) -> bool:
        """The identity, at the cent shown on the page."""
        return quantize_money(self.total) == quantize_money(self.direct_total)


def _section_tree(project: Project, section_rows, item_rows) -> tuple[list[SectionOption], Children]:
    """Sections in tree order (numbered as in the RAB) and the sub-section ids of each section."""
    inputs = [SectionInput(pk, parent_id, position) for pk, parent_id, _, position in section_rows]
    numbers = number_tree(
        inputs,
        [ItemInput(row.id, row.section_id, row.position, ZERO, ZERO) for row in item_rows],
        project.numbering_style,
    )
    children = children_by_parent(inputs)
    names = {pk: name for pk, _, name, _ in section_rows}
    options = [
        SectionOption(section.id, numbers[("section", section.id)], names[section.id], len(ancestors))
        for section, ancestors in pre_order(inputs, children)
    ]
    return options, children


def load_scope(project: Project, *, section_id: int | None = None, stage: StageFilter = None) -> Scope:
    """The filter options and the selected work items (three queries: sections, stages, work items).

    ``section_id`` selects the items of that section and its descendants; ``stage`` the items of a stage,
    or with ``NO_STAGE`` the items without one. ``SectionNotFound`` / ``StageNotFound`` for a section or a
    stage that is not the project's (checked before the work items are read)."""
    section_rows = list(
        Section.objects.filter(project=project).order_by().values_list("id", "parent_id", "name", "position")
    )
    if section_id is not None and section_id not in {row[0] for row in section_rows}:
        raise SectionNotFound(section_id)
    stages = tuple(
        StageOption(pk, name)
        for pk, name in Stage.objects.filter(project=project)
        .order_by("position", "id")
        .values_list("id", "name")
    )
    selected_stage = None
    if stage is not None and stage != NO_STAGE:
        selected_stage = next((option for option in stages if option.id == stage), None)
        if selected_stage is None:
            raise StageNotFound(stage)
    item_rows = [
        ItemRow(*row)
        for row in WorkItem.objects.filter(project=project)
        .order_by()
        .values_list(
            "id", "section_id", "position", "analysis_id", "volume", "amount", "analysis__direct", "stage_id"
        )
    ]
    options, children = _section_tree(project, section_rows, item_rows)
    selected = None
    if section_id is not None:
        selected = next(option for option in options if option.id == section_id)
        inside = subtree_ids(children, section_id)
        item_rows = [row for row in item_rows if row.section_id in inside]
    if stage == NO_STAGE:
        item_rows = [row for row in item_rows if row.stage_id is None]
    elif selected_stage is not None:
        item_rows = [row for row in item_rows if row.stage_id == selected_stage.id]
    return Scope(
        sections=tuple(options),
        section=selected,
        stages=stages,
        stage=selected_stage,
        without_stage=stage == NO_STAGE,
        items=tuple(item_rows),
    )


def load_analyses(project: Project, items: Sequence[ItemRow]) -> dict[int, list[Component]]:
    """The components of every analysis of the project, as ``calculate_requirements`` takes them (one
    query; none without items)."""
    analyses: dict[int, list[Component]] = {row.analysis_id: [] for row in items}
    if items:
        for analysis_id, resource_id, nested_id, coefficient in (
            AnalysisComponent.objects.filter(analysis__project=project)
            .order_by()
            .values_list("analysis_id", "resource_id", "nested_analysis_id", "coefficient")
        ):
            analyses.setdefault(analysis_id, []).append((resource_id, nested_id, coefficient))
            if nested_id is not None:
                analyses.setdefault(nested_id, [])
    return analyses


def load_resources(project: Project, ids: Iterable[int]) -> list[ResourceRow]:
    """The project's resources among ``ids``, ordered by code (one query; none without ids)."""
    wanted = set(ids)
    if not wanted:
        return []
    return [
        ResourceRow(*row)
        for row in ProjectResource.objects.filter(project=project)
        .order_by("code", "id")
        .values_list(
            "id", "code", "name", "unit", "category", "unit_price", "purchase_unit", "purchase_factor"
        )
        if row[0] in wanted
    ]


def by_category[T](
    resources: Iterable[ResourceRow], make: Callable[[ResourceRow], T]
) -> list[tuple[str, str, list[T]]]:
    """``(category, label, rows)`` in the order of ``ResourceCategory`` (an unknown category counts as
    Lain-lain), non-empty categories only; ``make`` builds a row from a resource, in the given order."""
    grouped: dict[str, list[T]] = {}
    for resource in resources:
        category = (
            resource.category if resource.category in ResourceCategory.values else ResourceCategory.OTHER
        )
        grouped.setdefault(category, []).append(make(resource))
    return [(value, label, grouped[value]) for value, label in ResourceCategory.choices if grouped.get(value)]


def load_requirements(
    project: Project, *, section_id: int | None = None, stage: StageFilter = None
) -> Requirements:
    """The requirements of the whole project, or of the work items selected by ``section_id`` (that section
    and its descendants) and ``stage`` (see ``load_scope``). Five queries: sections, stages, work items
    (with their analysis's stored D), analysis components, resources."""
    scope = load_scope(project, section_id=section_id, stage=stage)
    items = scope.items
    quantities = calculate_requirements(
        load_analyses(project, items), [(row.id, row.analysis_id, row.volume) for row in items]
    )
    resources = load_resources(project, quantities)
    costs = calculate_costs(quantities, {row.id: row.unit_price for row in resources})

    with exact_context():
        direct_total = sum((row.volume * row.direct for row in items), ZERO)
        rab_amount = sum((row.amount for row in items), ZERO)
    return Requirements(
        groups=_groups(resources, quantities, costs.costs),
        total=costs.total,
        direct_total=direct_total,
        rab_amount=rab_amount,
        missing_count=len(costs.missing),
        scope=scope,
    )


def _groups(resources, quantities, costs) -> tuple[RequirementGroup, ...]:
    def row(resource: ResourceRow) -> RequirementRow:
        quantity = quantities[resource.id]
        return RequirementRow(
            id=resource.id,
            code=resource.code,
            name=resource.name,
            unit=resource.unit,
            quantity=quantity,
            unit_price=resource.unit_price,
            cost=costs[resource.id],
            purchase_unit=resource.purchase_unit,
            purchase_factor=resource.purchase_factor,
            purchase_quantity=purchase_quantity(quantity, resource.purchase_factor),
        )

    groups = []
    for value, label, rows in by_category(resources, row):
        with exact_context():
            total = sum((r.cost for r in rows if r.cost is not None), ZERO)
        missing = sum(1 for r in rows if r.cost is None)
        groups.append(RequirementGroup(value, label, tuple(rows), total, missing))
    return tuple(groups)
