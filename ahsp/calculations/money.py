"""Money rounding: the ONE place where amounts are rounded (house style 2.2 rule 3).

Everything in ``ahsp.calculations`` keeps intermediate values exact (``Decimal`` products and sums computed
in :func:`exact_context`, which refuses to round silently) and rounds only at documented boundaries:

- ``quantize_money``: to whole cents (Rp 0,01), half-up (``ROUND_HALF_UP``: 0,005 -> 0,01; -0,005 -> -0,01);
- ``round_to_step``: the project's rounding rules (HSP to Rp 1/10/100, total to Rp 1.000 ...);
- ``quantize_quotient``: percentages/ratios (bobot) that cannot be exact.

Floats are refused everywhere (``TypeError``): a float already carries a binary rounding error.
"""

from __future__ import annotations

from decimal import (
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    localcontext,
)
from typing import Literal

CENT = Decimal("0.01")

#: Precision of exact arithmetic. Far beyond any real estimate (15 integer digits x several levels of
#: 6-decimal coefficients); if it were ever exceeded, ``Inexact`` is raised instead of rounding silently.
EXACT_PRECISION = 400

_EXACT = Context(
    prec=EXACT_PRECISION,
    rounding=ROUND_HALF_UP,
    traps=[InvalidOperation, DivisionByZero, Overflow, Inexact],
)
# Quantizing rounds on purpose, so its context must not trap Inexact.
_ROUNDING = Context(prec=EXACT_PRECISION, rounding=ROUND_HALF_UP, traps=[InvalidOperation, Overflow])

RoundingMode = Literal["down", "half_up", "up"]
ROUNDING_MODES: tuple[str, ...] = ("down", "half_up", "up")


def exact_context():
    """Context manager for exact sums and products: raises ``decimal.Inexact`` rather than round."""
    return localcontext(_EXACT)


def to_decimal(value: Decimal | int, *, name: str = "value") -> Decimal:
    """Accept ``Decimal`` or ``int`` (not ``bool``, not ``float``) and return a finite ``Decimal``."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{name} must be Decimal or int, not {type(value).__name__}")
    number = Decimal(value)
    if not number.is_finite():
        raise ValueError(f"{name} must be finite, not {number}")
    return number


def quantize_money(x: Decimal | int) -> Decimal:
    """Round to whole cents, half away from zero: ``1.005 -> 1.01``, ``-1.005 -> -1.01``, ``7 -> 7.00``.

    The result always has exactly two decimal places (exponent -2), and never shows as ``-0.00``.
    """
    number = to_decimal(x, name="x")
    result = number.quantize(CENT, rounding=ROUND_HALF_UP, context=_ROUNDING)
    return result if result else abs(result)


QUANTITY_PLACES = Decimal("0.0001")


def quantize_quantity(x: Decimal | int) -> Decimal:
    """Volumes are stored with 4 decimals: a formula result is rounded half up at that boundary."""
    number = to_decimal(x, name="x")
    result = number.quantize(QUANTITY_PLACES, rounding=ROUND_HALF_UP, context=_ROUNDING)
    return result if result else abs(result)


def validate_rounding(step: int, mode: str) -> None:
    """``ValueError`` unless ``step`` is an int >= 0 and ``mode`` one of ``ROUNDING_MODES``."""
    if isinstance(step, bool) or not isinstance(step, int) or step < 0:
        raise ValueError(f"rounding step must be a non-negative int, not {step!r}")
    if mode not in ROUNDING_MODES:
        raise ValueError(f"rounding mode must be one of {ROUNDING_MODES}, not {mode!r}")


def round_to_step(value: Decimal | int, step: int, mode: str) -> Decimal:
    """Round ``value`` to a multiple of ``step`` rupiah.

    - ``step == 0``: no rounding beyond cents, i.e. ``quantize_money(value)`` (``mode`` is still validated).
    - ``step >= 1``: a multiple of ``step`` (``1`` = whole rupiah, ``1000`` = Rp 1.000), computed from the
      EXACT value (no cent rounding first): ``down`` = toward zero, ``up`` = away from zero, ``half_up`` =
      nearest, ties away from zero. E.g. ``round_to_step(Decimal("1234567.89"), 1000, "down") == 1234000``.
    - Negative values round by magnitude, like ``decimal.ROUND_DOWN``/``ROUND_UP``/``ROUND_HALF_UP``, so
      ``round_to_step(-x, s, m) == -round_to_step(x, s, m)``: ``round_to_step(-1500, 1000, "down") == -1000``.
      (Totals are never negative in practice; symmetry keeps a negative correction the mirror of a positive.)

    The result always carries two decimal places (``Decimal("1234000.00")``), like every money value.
    """
    validate_rounding(step, mode)
    number = to_decimal(value)
    if step == 0:
        return quantize_money(number)
    negative = number < 0
    numerator, denominator = abs(number).as_integer_ratio()
    quotient, remainder = divmod(numerator, step * denominator)
    if mode == "up" and remainder:
        quotient += 1
    elif mode == "half_up" and 2 * remainder >= step * denominator:
        quotient += 1
    multiple = quotient * step
    if negative and multiple:
        multiple = -multiple
    # Built from a string: exact for any size (arithmetic would be bound by the context precision).
    return Decimal(f"{multiple}.00")


def quantize_quotient(numerator: Decimal | int, denominator: Decimal | int, places: int = 6) -> Decimal:
    """``numerator / denominator`` rounded half-up (away from zero) to ``places`` decimals, exactly.

    Uses integer arithmetic, so there is no double rounding (a quotient first cut at the context precision and
    then quantized). ``ZeroDivisionError`` for a zero denominator: callers decide what 0/0 means.
    """
    num = to_decimal(numerator, name="numerator")
    den = to_decimal(denominator, name="denominator")
    if not den:
        raise ZeroDivisionError("denominator is zero")
    negative = (num < 0) != (den < 0)
    n_num, d_num = abs(num).as_integer_ratio()
    n_den, d_den = abs(den).as_integer_ratio()
    # |num/den| * 10**places = (n_num * d_den * 10**places) / (d_num * n_den)
    top = n_num * d_den * 10**places
    bottom = d_num * n_den
    quotient, remainder = divmod(top, bottom)
    if 2 * remainder >= bottom:
        quotient += 1
    if negative and quotient:
        quotient = -quotient
    return Decimal(quotient).scaleb(-places, context=_ROUNDING)
