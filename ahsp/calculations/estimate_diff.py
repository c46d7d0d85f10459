"""Where the money moved between two estimates (issue 15 §5): the change of the rounded total split into
effects that add up EXACTLY to it. Pure Decimal, no database.

Per matched work item (present in both estimates), with volume V, BUK o, and the analysis flattened to
effective coefficients c_r per resource (nested analyses multiplied through, priced at their D), prices p_r
(a missing price counts as 0), the exact unrounded amount is ``V x sum(c_r x p_r) x (1 + o/100)``. The
change is walked from A to B one input at a time:

    s0 = V_A x D(c_A, p_A) x (1 + o_A)        (A, exact)
    s1 = V_B x D(c_A, p_A) x (1 + o_A)        volume      = s1 - s0
    s2 = V_B x D(c_B, p_A) x (1 + o_A)        coefficient = s2 - s1 (components added/removed included)
    s3 = V_B x D(c_B, p_B) x (1 + o_A)        price       = s3 - s2, split per resource:
                                               V_B x c_B,r x (p_B,r - p_A,r) x (1 + o_A), exact (linear)
    s4 = V_B x D(c_B, p_B) x (1 + o_B)        BUK         = s4 - s3
    rounding = (amount_B - amount_A) - (s4 - s0)   (HSP and amount rounding: what the stored amounts add)

A resource only one side knows takes the other side's price on the side that lacks it (so a new component
is a recipe change, not a price change). Items only in B are "added" (+ amount_B), only in A "removed"
(- amount_A). Above the items: PPN (vat_B - vat_A, i.e. the rate change and the tax on the change) and the
total's rounding. So ``sum of every effect == rounded_B - rounded_A`` with no remainder: the property test
checks it on random pairs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from ahsp.calculations.graph import fold
from ahsp.calculations.money import exact_context

ZERO = Decimal(0)
HUNDRED = Decimal(100)

# Effect kinds (the keys of ``ItemEffects.effects`` and of the causes): prices are ``PRICE + code``.
VOLUME = "volume"
COEFFICIENT = "koefisien"
PRICE = "harga:"
OVERHEAD = "buk"
ROUNDING = "pembulatan"
ADDED = "ditambah"
REMOVED = "dihapus"
VAT = "ppn"
TOTAL_ROUNDING = "pembulatan_total"


@dataclass(frozen=True)
class Line:
    """A component: a resource code or a nested analysis code, times its coefficient."""

    resource: str | None
    nested: str | None
    coefficient: Decimal


@dataclass(frozen=True)
class ItemFacts:
    section: tuple[str, ...]  # the names of its sections, top first
    name: str
    unit: str
    analysis: str
    volume: Decimal
    overhead_pct: Decimal  # the BUK that applies (the item's own or the project's)
    amount: Decimal  # as stored (rounded HSP x volume)


@dataclass(frozen=True)
class EstimateFacts:
    items: Mapping[Hashable, ItemFacts]  # matched between the two sides by key
    analyses: Mapping[str, tuple[Line, ...]]
    prices: Mapping[str, Decimal | None]
    total: Decimal
    vat: Decimal
    rounded_total: Decimal


@dataclass(frozen=True)
class ItemEffects:
    key: Hashable
    section: tuple[str, ...]
    name: str
    before: Decimal
    after: Decimal
    effects: dict[str, Decimal]

    @property
    def change(self) -> Decimal:
        with exact_context():
            return self.after - self.before


@dataclass(frozen=True)
class EstimateDiff:
    items: list[ItemEffects]
    before: Decimal  # rounded totals
    after: Decimal
    vat: Decimal
    total_rounding: Decimal
    causes: dict[str, Decimal] = field(default_factory=dict)  # every effect kind summed over the items

    @property
    def change(self) -> Decimal:
        with exact_context():
            return self.after - self.before

    def sections(self, depth: int = 1) -> dict[tuple[str, ...], dict[str, Decimal]]:
        """The effects summed per section path cut at ``depth`` (1 = the top-level sections)."""
        sums: dict[tuple[str, ...], dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
        with exact_context():
            for item in self.items:
                for kind, value in item.effects.items():
                    sums[item.section[:depth]][kind] += value
        return {path: dict(values) for path, values in sums.items()}


def effective_coefficients(analyses: Mapping[str, tuple[Line, ...]]) -> dict[str, dict[str, Decimal]]:
    """Per analysis code, ``{resource code: coefficient}`` with nested analyses multiplied through
    (``AnalysisCycleError`` for a cycle, from ``graph.fold``)."""

    def combine(code: str, done: Mapping[str, dict[str, Decimal]]) -> dict[str, Decimal]:
        flat: dict[str, Decimal] = defaultdict(lambda: ZERO)
        with exact_context():
            for line in analyses[code]:
                if line.resource is not None:
                    flat[line.resource] += line.coefficient
                else:
                    for resource, k in done[line.nested].items():
                        flat[resource] += line.coefficient * k
        return dict(flat)

    return fold(analyses, lambda code: [line.nested for line in analyses[code] if line.nested], combine)


def _direct(coefficients: Mapping[str, Decimal], prices: Mapping[str, Decimal]) -> Decimal:
    with exact_context():
        return sum((k * prices[code] for code, k in coefficients.items()), ZERO)


def _matched(a: ItemFacts, b: ItemFacts, ca, cb, pa, pb) -> dict[str, Decimal]:
    with exact_context():
        gross_a, gross_b = 1 + a.overhead_pct / HUNDRED, 1 + b.overhead_pct / HUNDRED
        s0 = a.volume * _direct(ca, pa) * gross_a
        s1 = b.volume * _direct(ca, pa) * gross_a
        s2 = b.volume * _direct(cb, pa) * gross_a
        prices = {
            PRICE + code: b.volume * k * (pb[code] - pa[code]) * gross_a
            for code, k in sorted(cb.items())
            if pb[code] != pa[code] and k
        }
        s3 = s2 + sum(prices.values(), ZERO)
        s4 = b.volume * _direct(cb, pb) * gross_b
        effects = {VOLUME: s1 - s0, COEFFICIENT: s2 - s1, **prices, OVERHEAD: s4 - s3}
        effects[ROUNDING] = (b.amount - a.amount) - (s4 - s0)
    return {kind: value for kind, value in effects.items() if value}


def _price_lists(a: EstimateFacts, b: EstimateFacts) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """Both price lists over every resource code; a side without the code (or without a price) takes the
    other side's price, and a resource priced on neither side costs 0."""
    pa, pb = {}, {}
    for code in a.prices.keys() | b.prices.keys():
        left, right = a.prices.get(code), b.prices.get(code)
        pa[code] = (
            left if left is not None else (right if code not in a.prices and right is not None else ZERO)
        )
        pb[code] = (
            right if right is not None else (left if code not in b.prices and left is not None else ZERO)
        )
    return pa, pb


def diff_estimates(a: EstimateFacts, b: EstimateFacts) -> EstimateDiff:
    coefficients_a, coefficients_b = effective_coefficients(a.analyses), effective_coefficients(b.analyses)
    pa, pb = _price_lists(a, b)
    items: list[ItemEffects] = []
    for key in list(a.items) + [key for key in b.items if key not in a.items]:
        left, right = a.items.get(key), b.items.get(key)
        if left is not None and right is not None:
            effects = _matched(
                left, right, coefficients_a[left.analysis], coefficients_b[right.analysis], pa, pb
            )
        elif right is not None:
            effects = {ADDED: right.amount} if right.amount else {}
        else:
            effects = {REMOVED: -left.amount} if left.amount else {}
        shown = right or left
        items.append(
            ItemEffects(
                key=key,
                section=shown.section,
                name=shown.name,
                before=left.amount if left else ZERO,
                after=right.amount if right else ZERO,
                effects=effects,
            )
        )
    with exact_context():
        causes: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for item in items:
            for kind, value in item.effects.items():
                causes[kind] += value
        vat = b.vat - a.vat
        total_rounding = (b.rounded_total - b.total - b.vat) - (a.rounded_total - a.total - a.vat)
        if vat:
            causes[VAT] = vat
        if total_rounding:
            causes[TOTAL_ROUNDING] = total_rounding
    return EstimateDiff(
        items=items,
        before=a.rounded_total,
        after=b.rounded_total,
        vat=vat,
        total_rounding=total_rounding,
        causes=dict(causes),
    )


def biggest_causes(diff: EstimateDiff, count: int = 3) -> list[tuple[str, Decimal]]:
    """The effect kinds with the largest absolute value, largest first (ties by name)."""
    return sorted(
        ((kind, value) for kind, value in diff.causes.items() if value), key=lambda kv: (-abs(kv[1]), kv[0])
    )[:count]
