"""Resource requirements (Rekap Kebutuhan): how much of each resource the work items need, and its cost.

Pure functions over ``Decimal`` (no ORM): ``ahsp/loaders/requirements.py`` builds the inputs.

- An analysis's *per-unit resource vector* is ``{resource_id: quantity per unit of work}``: its own resource
  components (coefficient k), plus ``k x`` the vector of every nested analysis it uses, recursively. Each
  vector is computed once (memoised), in an iterative depth-first order (no recursion limit).
- The requirement of resource r = sum over work items w of ``volume(w) x vector(analysis(w))[r]``, EXACT.
- Its cost = quantity x unit price, EXACT; a resource without a price has cost ``None`` and is counted as
  missing (it adds nothing to the total, as a missing price adds 0 to D in ``unit_price``).

Hence (the identity the tests check): sum over resources of quantity x price == sum over work items of
volume x D of its analysis, D being the direct cost per unit without overhead (BUK).

Nested references that form a cycle raise ``AnalysisCycleError`` and references to an unknown analysis
raise ``UnknownAnalysisError``; both are ``ValueError`` (from ``ahsp.calculations.graph``, re-exported by
``unit_price``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from ahsp.calculations.graph import fold
from ahsp.calculations.money import exact_context, to_decimal

ZERO = Decimal("0")

# (resource_id, nested_analysis_id, coefficient): exactly one of the two ids is set.
Component = tuple[int | None, int | None, Decimal]
# (item_id, analysis_id, volume)
Item = tuple[int, int, Decimal]
Vector = dict[int, Decimal]


def _check_component(analysis_id: int, component: Component) -> None:
    resource_id, nested_id, coefficient = component
    if (resource_id is None) == (nested_id is None):
        raise ValueError(f"analysis {analysis_id}: a component needs a resource XOR a nested analysis")
    to_decimal(coefficient, name="coefficient")


def _nested_ids(components: Sequence[Component]) -> list[int]:
    return [nested for _, nested, _ in components if nested is not None]


def _vector(analysis_id: int, components: Sequence[Component], done: Mapping[int, Vector]) -> Vector:
    vector: Vector = {}
    with exact_context():
        for component in components:
            _check_component(analysis_id, component)
            resource_id, nested_id, coefficient = component
            if resource_id is not None:
                vector[resource_id] = vector.get(resource_id, ZERO) + coefficient
                continue
            for nested_resource, per_unit in done[nested_id].items():
                vector[nested_resource] = vector.get(nested_resource, ZERO) + coefficient * per_unit
    return vector


def resource_vectors(
    analyses: Mapping[int, Sequence[Component]], only: Iterable[int] | None = None
) -> dict[int, Vector]:
    """Per-unit resource vector of the analyses in ``only`` (default: all) and of everything they nest.

    ``ValueError`` for an id in ``only`` missing from ``analyses``, ``UnknownAnalysisError`` for such a
    nested id, ``AnalysisCycleError`` (path with the first id repeated at the end) for a cycle.
    """

    def roots() -> Iterable[int]:
        for root in analyses if only is None else only:
            if root not in analyses:
                raise ValueError(f"analysis {root} is not among the analyses")
            yield root

    return fold(
        analyses,
        lambda analysis_id: _nested_ids(analyses[analysis_id]),
        lambda analysis_id, done: _vector(analysis_id, analyses[analysis_id], done),
        roots=roots(),
    )


def item_requirements(
    analyses: Mapping[int, Sequence[Component]], items: Iterable[Item]
) -> dict[int, Vector]:
    """``{item_id: {resource_id: volume x per-unit quantity}}``, exact (e.g. to sum over a section)."""
    items = list(items)
    vectors = resource_vectors(analyses, {analysis_id for _, analysis_id, _ in items})
    result: dict[int, Vector] = {}
    with exact_context():
        for item_id, analysis_id, volume in items:
            volume = to_decimal(volume, name="volume")
            result[item_id] = {rid: volume * per_unit for rid, per_unit in vectors[analysis_id].items()}
    return result


def calculate_requirements(analyses: Mapping[int, Sequence[Component]], items: Iterable[Item]) -> Vector:
    """Total quantity per resource over ``items``, exact: ``{resource_id: sum of volume x per-unit}``.

    Every resource reached by an item is present, with quantity 0 when its volume (or coefficient) is 0.
    """
    items = list(items)
    vectors = resource_vectors(analyses, {analysis_id for _, analysis_id, _ in items})
    totals: Vector = {}
    with exact_context():
        for _, analysis_id, volume in items:
            volume = to_decimal(volume, name="volume")
            for resource_id, per_unit in vectors[analysis_id].items():
                totals[resource_id] = totals.get(resource_id, ZERO) + volume * per_unit
    return totals


def requirement_cost(quantity: Decimal, unit_price: Decimal | None) -> Decimal | None:
    """Exact ``quantity x unit_price``; ``None`` when the resource has no price."""
    quantity = to_decimal(quantity, name="quantity")
    if unit_price is None:
        return None
    with exact_context():
        return quantity * to_decimal(unit_price, name="unit_price")


@dataclass(frozen=True)
class RequirementCosts:
    costs: dict[int, Decimal | None]  # resource id -> exact cost, None without a price
    total: Decimal  # exact sum of the priced costs
    missing: tuple[int, ...]  # resource ids without a price, in input order


def calculate_costs(
    quantities: Mapping[int, Decimal], unit_prices: Mapping[int, Decimal | None]
) -> RequirementCosts:
    """Cost of every resource in ``quantities`` (a resource absent from ``unit_prices`` has no price)."""
    costs = {rid: requirement_cost(quantity, unit_prices.get(rid)) for rid, quantity in quantities.items()}
    with exact_context():
        total = sum((cost for cost in costs.values() if cost is not None), ZERO)
    missing = tuple(rid for rid, cost in costs.items() if cost is None)
    return RequirementCosts(costs=costs, total=total, missing=missing)
