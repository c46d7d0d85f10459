"""A work item's volume from its formula over the project's parameters (``panjang * lebar * 0,15``).

The one boundary where a formula's exact result becomes a stored volume: ``quantize_quantity`` (4 decimals,
half up). Used by the volume edit and by the recomputation after a parameter changed, which must agree.
``FormulaError`` (Indonesian message) for a formula that cannot be evaluated.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from ahsp.calculations.formula import evaluate
from ahsp.calculations.money import quantize_quantity


def volume_from_formula(formula: str, params: Mapping[str, Decimal]) -> Decimal:
    """The formula's value rounded to the stored volume's 4 decimals, half up."""
    return quantize_quantity(evaluate(formula, params))
