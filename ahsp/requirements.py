"""Loader of the Rekap Kebutuhan (resource requirements) page: ORM -> ``ahsp.calculations.requirements``.

Four queries whatever the size of the project: sections, work items (with their analysis's stored D),
analysis components, resources. Every quantity and cost is EXACT; the page formats them (``rupiah``,
``quantity``), so a total may differ by a cent from the sum of its rounded rows.

The identity shown on the page: the sum of the requirement costs equals the sum over the work items of
volume x D (the direct cost per unit, before BUK), i.e. the RAB before overhead and per-item rounding.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ahsp.calculations.money import exact_context, quantize_money, quantize_quotient
from ahsp.calculations.numbering import number_tree
from ahsp.calculations.requirements import calculate_costs, calculate_requirements
from ahsp.calculations.totals import ItemInput, SectionInput
from ahsp.models import AnalysisComponent, Project, ProjectResource, ResourceCategory, Section, WorkItem

ZERO = Decimal("0")
PURCHASE_PLACES = 4


class SectionNotFound(LookupError):
    """The requested section is not one of the project's."""


@dataclass(frozen=True)
class SectionOption:
    id: int
    number: str
    name: str
    depth: int  # 0 = top level


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
class Requirements:
    groups: tuple[RequirementGroup, ...]  # Tenaga Kerja, Bahan, Peralatan, Lain-lain; non-empty only
    total: Decimal  # exact sum of the requirement costs
    direct_total: Decimal  # exact sum over the work items of volume x D (stored on the analysis)
    rab_amount: Decimal  # sum of the work items' amounts (HSP with BUK, rounded per item)
    item_count: int
    missing_count: int  # resources needed without a price
    sections: tuple[SectionOption, ...]  # every section of the project, in tree order
    section: SectionOption | None  # the filter (None = every section)

    @property
    def is_balanced(self) -> bool:
        """The identity, at the cent shown on the page."""
        return quantize_money(self.total) == quantize_money(self.direct_total)


def _section_tree(project: Project, section_rows, item_rows) -> tuple[list[SectionOption], dict]:
    """Sections in tree order (numbered as in the RAB) and the sub-section ids of each section."""
    inputs = [SectionInput(pk, parent_id, position) for pk, parent_id, _, position in section_rows]
    numbers = number_tree(
        inputs,
        [ItemInput(pk, section_id, position, ZERO, ZERO) for pk, section_id, position, *_ in item_rows],
        project.numbering_style,
    )
    children: dict[int | None, list[SectionInput]] = {}
    for section in inputs:
        children.setdefault(section.parent_id, []).append(section)
    names = {pk: name for pk, _, name, _ in section_rows}
    options = []
    stack = [(s, 0) for s in sorted(children.get(None, []), key=lambda s: (s.position, s.id), reverse=True)]
    while stack:
        section, depth = stack.pop()
        options.append(SectionOption(section.id, numbers[("section", section.id)], names[section.id], depth))
        below = sorted(children.get(section.id, []), key=lambda s: (s.position, s.id), reverse=True)
        stack.extend((child, depth + 1) for child in below)
    return options, {pk: [s.id for s in group] for pk, group in children.items()}


def _subtree(children: dict, section_id: int) -> set[int]:
    ids, stack = set(), [section_id]
    while stack:
        current = stack.pop()
        ids.add(current)
        stack.extend(children.get(current, ()))
    return ids


def load_requirements(project: Project, *, section_id: int | None = None) -> Requirements:
    """The requirements of the whole project, or with ``section_id`` of the work items in that section and
    its descendants. ``SectionNotFound`` for a section that is not the project's (checked by the first
    query, before any other)."""
    section_rows = list(
        Section.objects.filter(project=project).order_by().values_list("id", "parent_id", "name", "position")
    )
    if section_id is not None and section_id not in {row[0] for row in section_rows}:
        raise SectionNotFound(section_id)
    item_rows = list(
        WorkItem.objects.filter(project=project)
        .order_by()
        .values_list("id", "section_id", "position", "analysis_id", "volume", "amount", "analysis__direct")
    )
    options, children = _section_tree(project, section_rows, item_rows)
    selected = None
    if section_id is not None:
        selected = next(option for option in options if option.id == section_id)
        inside = _subtree(children, section_id)
        item_rows = [row for row in item_rows if row[1] in inside]

    analyses: dict[int, list] = {row[3]: [] for row in item_rows}
    if item_rows:
        for analysis_id, resource_id, nested_id, coefficient in (
            AnalysisComponent.objects.filter(analysis__project=project)
            .order_by()
            .values_list("analysis_id", "resource_id", "nested_analysis_id", "coefficient")
        ):
            analyses.setdefault(analysis_id, []).append((resource_id, nested_id, coefficient))
            if nested_id is not None:
                analyses.setdefault(nested_id, [])
    quantities = calculate_requirements(analyses, [(row[0], row[3], row[4]) for row in item_rows])

    resources = [
        row
        for row in (
            ProjectResource.objects.filter(project=project)
            .order_by("code", "id")
            .values_list(
                "id", "code", "name", "unit", "category", "unit_price", "purchase_unit", "purchase_factor"
            )
            if quantities
            else ()
        )
        if row[0] in quantities
    ]
    costs = calculate_costs(quantities, {row[0]: row[5] for row in resources})

    with exact_context():
        direct_total = sum((volume * direct for *_, volume, _, direct in item_rows), ZERO)
        rab_amount = sum((amount for *_, amount, _ in item_rows), ZERO)
    return Requirements(
        groups=_groups(resources, quantities, costs.costs),
        total=costs.total,
        direct_total=direct_total,
        rab_amount=rab_amount,
        item_count=len(item_rows),
        missing_count=len(costs.missing),
        sections=tuple(options),
        section=selected,
    )


def _groups(resources, quantities, costs) -> tuple[RequirementGroup, ...]:
    by_category: dict[str, list[RequirementRow]] = {}
    for pk, code, name, unit, category, unit_price, purchase_unit, factor in resources:
        quantity = quantities[pk]
        if category not in ResourceCategory.values:
            category = ResourceCategory.OTHER
        by_category.setdefault(category, []).append(
            RequirementRow(
                id=pk,
                code=code,
                name=name,
                unit=unit,
                quantity=quantity,
                unit_price=unit_price,
                cost=costs[pk],
                purchase_unit=purchase_unit,
                purchase_factor=factor,
                purchase_quantity=quantize_quotient(quantity, factor, PURCHASE_PLACES) if factor else None,
            )
        )
    groups = []
    for value, label in ResourceCategory.choices:
        rows = by_category.get(value)
        if not rows:
            continue
        with exact_context():
            total = sum((row.cost for row in rows if row.cost is not None), ZERO)
        missing = sum(1 for row in rows if row.cost is None)
        groups.append(RequirementGroup(value, label, tuple(rows), total, missing))
    return tuple(groups)
