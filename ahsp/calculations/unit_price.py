"""Unit price (HSP, harga satuan pekerjaan) of project analyses, including nested analyses.

Pure functions over frozen dataclasses (no ORM): ``ahsp/loaders/rab.py`` builds the inputs.

For one analysis with components (coefficient k, price p):

- A (labour), B (material), C (equipment), other = sum of k x p per category, EXACT (never rounded);
- a component that is another analysis (nested) adds k x that analysis's A, B, C and other to the same
  categories, so it contributes k x nested D, WITHOUT the nested analysis's overhead (domain.md);
- D = A + B + C + other; E = D x overhead_pct / 100 (both exact);
- HSP = quantize_money(D + E), then rounded with ``round_to_step`` when the project has an HSP rounding
  step (the step is applied to the cent value the user sees on the analysis sheet, so a hand check from
  the printed sheet gives the same HSP).

A missing price (``None``) counts as 0 and is counted in ``missing_prices``; a nested reference adds the
nested analysis's ``missing_prices`` once per referencing component.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from ahsp.calculations.graph import AnalysisCycleError, UnitPriceError, UnknownAnalysisError, find_cycle, fold
from ahsp.calculations.money import (
    exact_context,
    quantize_money,
    round_to_step,
    to_decimal,
    validate_rounding,
)

# The nested-analysis errors and ``find_cycle`` live in ``graph`` (``fold`` raises the errors); they are
# re-exported here, their first home, where the services, importers and views import them from.
__all__ = [
    "CATEGORIES",
    "AnalysisCycleError",
    "AnalysisInput",
    "ComponentInput",
    "UnitPriceBreakdown",
    "UnitPriceError",
    "UnknownAnalysisError",
    "calculate_unit_prices",
    "component_amount",
    "find_cycle",
]

CATEGORIES: tuple[str, ...] = ("labour", "material", "equipment", "other")

ZERO = Decimal("0")


@dataclass(frozen=True)
class ComponentInput:
    """One line of an analysis: a resource (category + price) or, when ``nested_analysis_id`` is set,
    another analysis of the project (then ``category`` and ``unit_price`` are ignored)."""

    category: str
    coefficient: Decimal
    unit_price: Decimal | None
    nested_analysis_id: int | None = None

    def __post_init__(self) -> None:
        to_decimal(self.coefficient, name="coefficient")
        if self.nested_analysis_id is None:
            if self.category not in CATEGORIES:
                raise ValueError(f"category must be one of {CATEGORIES}, not {self.category!r}")
            if self.unit_price is not None:
                to_decimal(self.unit_price, name="unit_price")


@dataclass(frozen=True)
class AnalysisInput:
    id: int
    components: tuple[ComponentInput, ...]
    overhead_pct: Decimal  # effective BUK %: the work item's override or the project default

    def __post_init__(self) -> None:
        to_decimal(self.overhead_pct, name="overhead_pct")


@dataclass(frozen=True)
class UnitPriceBreakdown:
    labour: Decimal  # A, exact
    material: Decimal  # B, exact
    equipment: Decimal  # C, exact
    other: Decimal  # exact
    direct: Decimal  # D = A + B + C + other, exact
    overhead: Decimal  # E = D x overhead_pct / 100, exact
    unit_rate: Decimal  # HSP = quantize_money(D + E), then the project's HSP rounding (if any)
    missing_prices: int


@dataclass(frozen=True)
class _Sums:
    labour: Decimal
    material: Decimal
    equipment: Decimal
    other: Decimal
    missing_prices: int


def component_amount(coefficient: Decimal, unit_price: Decimal | None) -> Decimal:
    """Exact ``coefficient x unit_price`` for display in the analysis table; a missing price counts as 0."""
    coefficient = to_decimal(coefficient, name="coefficient")
    if unit_price is None:
        return ZERO
    with exact_context():
        return coefficient * to_decimal(unit_price, name="unit_price")


def _sum_components(analysis: AnalysisInput, done: Mapping[int, _Sums]) -> _Sums:
    totals = dict.fromkeys(CATEGORIES, ZERO)
    missing = 0
    with exact_context():
        for component in analysis.components:
            if component.nested_analysis_id is not None:
                nested = done[component.nested_analysis_id]
                for category in CATEGORIES:
                    totals[category] += component.coefficient * getattr(nested, category)
                missing += nested.missing_prices
            elif component.unit_price is None:
                missing += 1
            else:
                totals[component.category] += component.coefficient * component.unit_price
    return _Sums(missing_prices=missing, **totals)


def _breakdown(sums: _Sums, overhead_pct: Decimal, step: int, mode: str) -> UnitPriceBreakdown:
    with exact_context():
        direct = sums.labour + sums.material + sums.equipment + sums.other
        overhead = direct * overhead_pct / 100
        before_rounding = direct + overhead
    unit_rate = quantize_money(before_rounding)
    if step:
        unit_rate = round_to_step(unit_rate, step, mode)
    return UnitPriceBreakdown(
        labour=sums.labour,
        material=sums.material,
        equipment=sums.equipment,
        other=sums.other,
        direct=direct,
        overhead=overhead,
        unit_rate=unit_rate,
        missing_prices=sums.missing_prices,
    )


def _nested_ids(analysis: AnalysisInput) -> list[int]:
    return [c.nested_analysis_id for c in analysis.components if c.nested_analysis_id is not None]


def calculate_unit_prices(
    analyses: Mapping[int, AnalysisInput],
    *,
    hsp_rounding_step: int = 0,
    hsp_rounding_mode: str = "half_up",
) -> dict[int, UnitPriceBreakdown]:
    """A, B, C, other, D, E and HSP of every analysis in ``analyses`` (keyed by id).

    Each analysis is computed once (nested analyses are memoised), in an iterative depth-first order, so
    deep nesting cannot hit Python's recursion limit. Raises ``AnalysisCycleError`` if nested references
    form a cycle and ``UnknownAnalysisError`` for a reference to an id that is not in ``analyses``.
    ``hsp_rounding_step`` 0 = HSP rounded to cents only.
    """
    validate_rounding(hsp_rounding_step, hsp_rounding_mode)
    for key, analysis in analyses.items():
        if key != analysis.id:
            raise ValueError(f"analyses[{key!r}] has id {analysis.id!r}")

    sums = fold(
        analyses,
        lambda analysis_id: _nested_ids(analyses[analysis_id]),
        lambda analysis_id, done: _sum_components(analyses[analysis_id], done),
    )
    return {
        analysis_id: _breakdown(
            sums[analysis_id], analysis.overhead_pct, hsp_rounding_step, hsp_rounding_mode
        )
        for analysis_id, analysis in analyses.items()
    }
