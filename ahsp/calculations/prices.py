"""Purchase units: a resource priced per base unit (kg) but bought per purchase unit (zak = 50 kg).

The three conversions between the two units live here so the price page, the price list document, the
price service and the requirement documents cannot drift apart. Each rounds once, at its documented
boundary, from the exact value (``quantize_quotient`` works in integers, so there is no double rounding):

- ``purchase_price(unit_price, factor)``: price of one purchase unit = ``quantize_money(unit_price x factor)``
  (the hint on the price page, the "Harga per satuan beli" column); ``None`` when either is missing;
- ``base_price_from_purchase(purchase_price, factor)``: price of one base unit typed as the price of one
  purchase unit = ``purchase_price / factor`` to whole cents, half up (what the price form stores);
- ``purchase_quantity(quantity, factor)``: a requirement in purchase units = ``quantity / factor`` to
  ``PURCHASE_PLACES`` decimals, half up; ``None`` without a factor.
"""

from __future__ import annotations

from decimal import Decimal

from ahsp.calculations.money import exact_context, quantize_money, quantize_quotient, to_decimal

MONEY_PLACES = 2
PURCHASE_PLACES = 4


def purchase_price(unit_price: Decimal | None, factor: Decimal | None) -> Decimal | None:
    """``unit_price x factor`` rounded to cents (the price page's hint); ``None`` if either is missing."""
    if unit_price is None or not factor:
        return None
    with exact_context():
        product = unit_price * factor
    return quantize_money(product)


def base_price_from_purchase(price: Decimal, factor: Decimal) -> Decimal:
    """Price of one base unit from the price of one purchase unit, to whole cents, half up.

    ``ValueError`` for a factor that is not positive (a purchase unit holds some base units).
    """
    if to_decimal(factor, name="factor") <= 0:
        raise ValueError(f"factor must be positive, not {factor}")
    return quantize_quotient(price, factor, places=MONEY_PLACES)


def purchase_quantity(quantity: Decimal, factor: Decimal | None) -> Decimal | None:
    """``quantity`` in the purchase unit (quantity / factor, 4 decimals half-up); None without a factor."""
    return quantize_quotient(quantity, factor, PURCHASE_PLACES) if factor else None
