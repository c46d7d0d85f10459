"""The RAB recap: amounts, section subtotals, total, PPN, grand total, rounded total and bobot.

Boundaries where rounding happens (and nowhere else):

- amount(w) = quantize_money(volume x HSP)  (the "Jumlah Harga" column shows cents);
- subtotals and total are exact sums of those cent amounts (so they always add up on paper);
- PPN = quantize_money(total x vat_pct / 100); grand total = total + PPN (exact);
- rounded total = round_to_step(grand total, step, mode); step 0 = no rounding;
- bobot = amount / total x 100, rounded half-up to 6 decimals (0 for every item when the total is 0).
  Item weights are rounded one by one, so their sum may differ from 100 by a few millionths.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cached_property

from ahsp.calculations.money import (
    exact_context,
    quantize_money,
    quantize_quotient,
    round_to_step,
    to_decimal,
    validate_rounding,
)
from ahsp.calculations.tree import ancestor_paths

WEIGHT_PLACES = 6
ZERO_MONEY = Decimal("0.00")
ZERO_WEIGHT = Decimal("0.000000")


@dataclass(frozen=True)
class SectionInput:
    id: int
    parent_id: int | None
    position: int


@dataclass(frozen=True)
class ItemInput:
    id: int
    section_id: int
    position: int
    volume: Decimal
    unit_rate: Decimal  # HSP, already rounded per the project rule

    def __post_init__(self) -> None:
        to_decimal(self.volume, name="volume")
        to_decimal(self.unit_rate, name="unit_rate")


@dataclass(frozen=True)
class RabTotals:
    amounts: dict[int, Decimal]  # item id -> quantize_money(volume x HSP)
    subtotals: dict[int, Decimal]  # section id -> sum of the amounts of every item below it, any depth
    total: Decimal  # sum of all amounts (before PPN)
    vat: Decimal
    grand_total: Decimal
    rounded_total: Decimal
    vat_pct: Decimal
    rounding_step: int
    rounding_mode: str

    @cached_property
    def weights(self) -> dict[int, Decimal]:
        """Bobot of every item in % (6 decimals, half-up); computed lazily on first access, so an
        incremental update (``apply_amount_change``) costs nothing until weights are read."""
        return {item_id: _weight(amount, self.total) for item_id, amount in self.amounts.items()}


def line_amount(volume: Decimal, unit_rate: Decimal) -> Decimal:
    """Jumlah harga of one work item: ``quantize_money(volume x HSP)`` (the product itself is exact)."""
    volume = to_decimal(volume, name="volume")
    unit_rate = to_decimal(unit_rate, name="unit_rate")
    with exact_context():
        product = volume * unit_rate
    return quantize_money(product)


def _weight(amount: Decimal, total: Decimal) -> Decimal:
    if not total:
        return ZERO_WEIGHT
    with exact_context():
        hundredfold = amount * 100
    return quantize_quotient(hundredfold, total, WEIGHT_PLACES)


def section_weight(totals: RabTotals, section_id: int) -> Decimal:
    """Bobot of a section in %: its subtotal / total x 100, 6 decimals half-up (0 when the total is 0).

    Computed from the subtotal, not by adding the rounded item weights (which could differ by 0.000001s).
    """
    return _weight(totals.subtotals[section_id], totals.total)


def section_path(sections: Iterable[SectionInput], section_id: int) -> list[int]:
    """[section_id, its parent, ..., the top-level section]: the ``section_path`` of an item in it."""
    return ancestor_paths(sections)[section_id]


def vat_amount(total: Decimal, vat_pct: Decimal) -> Decimal:
    """PPN of a total: ``quantize_money(total x vat_pct / 100)`` (the division by 100 is exact)."""
    total = to_decimal(total, name="total")
    vat_pct = to_decimal(vat_pct, name="vat_pct")
    with exact_context():
        return quantize_money(total * vat_pct / 100)


def grand_total(total: Decimal, vat_pct: Decimal) -> Decimal:
    """Jumlah total: the total plus its PPN (``vat_amount``), before the project's rounding."""
    vat = vat_amount(total, vat_pct)
    with exact_context():
        return total + vat


def _finish(total: Decimal, vat_pct: Decimal, rounding_step: int, rounding_mode: str) -> dict:
    vat = vat_amount(total, vat_pct)
    with exact_context():
        grand = total + vat
    return {
        "total": total,
        "vat": vat,
        "grand_total": grand,
        "rounded_total": round_to_step(grand, rounding_step, rounding_mode),
    }


def calculate_rab(
    sections: Iterable[SectionInput],
    items: Iterable[ItemInput],
    *,
    vat_pct: Decimal,
    rounding_step: int,
    rounding_mode: str,
) -> RabTotals:
    """The whole recap from scratch. Every section gets a subtotal (0.00 when it has no items)."""
    vat_pct = to_decimal(vat_pct, name="vat_pct")
    validate_rounding(rounding_step, rounding_mode)
    paths = ancestor_paths(sections)
    amounts: dict[int, Decimal] = {}
    subtotals = dict.fromkeys(paths, ZERO_MONEY)
    total = ZERO_MONEY
    with exact_context():
        for item in items:
            if item.id in amounts:
                raise ValueError(f"duplicate item id {item.id}")
            if item.section_id not in paths:
                raise ValueError(f"item {item.id} is in unknown section {item.section_id}")
            amount = line_amount(item.volume, item.unit_rate)
            amounts[item.id] = amount
            for section_id in paths[item.section_id]:
                subtotals[section_id] += amount
            total += amount
    return RabTotals(
        amounts=amounts,
        subtotals=subtotals,
        vat_pct=vat_pct,
        rounding_step=rounding_step,
        rounding_mode=rounding_mode,
        **_finish(total, vat_pct, rounding_step, rounding_mode),
    )


def apply_amount_change(
    totals: RabTotals, item_id: int, new_amount: Decimal, section_path: list[int]
) -> RabTotals:
    """A new ``RabTotals`` after ONE item's amount changed (e.g. its volume was edited).

    ``new_amount`` is the item's new ``quantize_money(volume x HSP)`` (quantized again here, harmlessly);
    ``section_path`` lists every section above the item (any order; see ``section_path()``). Only those
    subtotals, the total, PPN, grand and rounded totals are recomputed; weights are recomputed lazily on
    first access of ``.weights`` of the returned object. The result equals ``calculate_rab`` on the changed
    inputs. ``totals`` itself is left untouched.
    """
    if item_id not in totals.amounts:
        raise KeyError(item_id)
    new_amount = quantize_money(new_amount)
    amounts = dict(totals.amounts)
    subtotals = dict(totals.subtotals)
    with exact_context():
        delta = new_amount - amounts[item_id]
        amounts[item_id] = new_amount
        for section_id in set(section_path):
            subtotals[section_id] += delta
        total = totals.total + delta
    return replace(
        totals,
        amounts=amounts,
        subtotals=subtotals,
        **_finish(total, totals.vat_pct, totals.rounding_step, totals.rounding_mode),
    )
