"""Indonesian display formats for money and quantities (pure functions over Decimal)."""

from decimal import ROUND_HALF_UP, Decimal


def format_number(value: Decimal | int | None, places: int = 2) -> str:
    """`1234567.891` -> `1.234.567,89` (dot thousands, comma decimals, half-up)."""
    if value is None:
        return ""
    quantum = Decimal(1).scaleb(-places)
    number = Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if number < 0 else ""
    whole, _, fraction = f"{abs(number):f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = ".".join(groups)
    return f"{sign}{text},{fraction}" if places > 0 else f"{sign}{text}"


def format_money(value: Decimal | int | None, places: int = 2) -> str:
    """`1234567.891` -> `Rp 1.234.567,89`."""
    if value is None:
        return ""
    return f"Rp {format_number(value, places)}"


def format_quantity(value: Decimal | int | None, places: int = 4) -> str:
    """Quantities and coefficients: `1234.5678` -> `1.234,5678`."""
    return format_number(value, places)


def coefficient_places(value: Decimal) -> int:
    """Decimals to show for a coefficient: 4 to 6, never 3 (``1,125`` would read as ambiguous on input)."""
    exponent = value.normalize().as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return min(6, max(4, decimals))


def format_coefficient(value: Decimal) -> str:
    return format_number(value, coefficient_places(value))
