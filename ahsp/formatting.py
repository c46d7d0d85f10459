"""Indonesian display formats for money and quantities (pure functions over Decimal).

What each figure shows (full precision is stored; the screen and every document show what means something):
money 2 decimals; a volume as entered, 2 to 4 decimals (``format_volume``: ``12,50``, ``13,632``); bobot 2
(``format_number(w, 2)``); parameters and coefficients trimmed of trailing zeros, up to 6 decimals
(``format_coefficient``: ``0,0255``, ``13,632``, ``1``). Every displayed number reads back unchanged
through ``ahsp.parsing.parse_decimal`` in the Indonesian UI; ``format_input`` spells a value for an input
in the active language so it reads back in the English UI too.
"""

from decimal import ROUND_HALF_UP, Decimal

from ahsp.parsing import thousands_separator

COEFFICIENT_PLACES = 6
VOLUME_PLACES = (2, 4)


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


def trimmed_places(value: Decimal | int, min_places: int, max_places: int) -> int:
    """The decimals ``value`` needs, rounded half-up to ``max_places``, at least ``min_places``."""
    number = Decimal(value).quantize(Decimal(1).scaleb(-max_places), rounding=ROUND_HALF_UP)
    exponent = number.normalize().as_tuple().exponent if number else 0
    needed = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return min(max_places, max(min_places, needed))


def format_trimmed(value: Decimal | int | None, min_places: int = 0, max_places: int = 6) -> str:
    """Trailing zeros trimmed, between ``min_places`` and ``max_places`` decimals (half-up beyond):
    ``format_trimmed(Decimal("12.5000"), 2, 4)`` -> ``12,50``; ``(Decimal("0.025500"), 0, 6)`` -> ``0,0255``."""
    if value is None:
        return ""
    return format_number(value, trimmed_places(value, min_places, max_places))


def format_money(value: Decimal | int | None, places: int = 2) -> str:
    """`1234567.891` -> `Rp 1.234.567,89`."""
    if value is None:
        return ""
    return f"Rp {format_number(value, places)}"


def format_quantity(value: Decimal | int | None, places: int = 4) -> str:
    """A quantity with fixed decimals: `1234.5678` -> `1.234,5678`."""
    return format_number(value, places)


def format_volume(value: Decimal | int | None) -> str:
    """A volume as entered: at least 2 decimals, at most 4 (its stored precision): ``12,50``, ``13,632``."""
    return format_trimmed(value, *VOLUME_PLACES)


def coefficient_places(value: Decimal) -> int:
    """Decimals to show for a coefficient: those it has, trailing zeros trimmed, at most 6 (``0,0255``,
    ``13,632``, ``1``). Three decimals are fine: ``13,632`` reads back as 13.632 in the Indonesian UI."""
    return trimmed_places(value, 0, COEFFICIENT_PLACES)


def format_coefficient(value: Decimal) -> str:
    return format_number(value, coefficient_places(value))


def format_input(
    value: Decimal | int | None, min_places: int = 0, max_places: int = 6, *, language: str | None = None
) -> str:
    """A stored value for an input field, in the active language's spelling (``language`` overrides):
    Indonesian ``1.500.000.000,00`` / ``12,5``, English ``1,500,000,000.00`` / ``12.5``; what
    ``parse_decimal`` in that language reads back as the same value."""
    text = format_trimmed(value, min_places, max_places)
    if thousands_separator(language) == ",":
        return text.translate(str.maketrans(".,", ",."))
    return text


_SCALES = ((Decimal(10) ** 12, "triliun"), (Decimal(10) ** 9, "miliar"), (Decimal(10) ** 6, "juta"))


def format_short_money(value: Decimal | int) -> str:
    """An amount for a sentence, to 3 significant figures at most: ``Rp 48,2 juta``, ``Rp 1,25 miliar``,
    ``Rp 950.000``; the sign is the caller's word ("naik" / "turun"), so the absolute value is shown."""
    number = abs(Decimal(value))
    for scale, word in _SCALES:
        if number >= scale * Decimal("0.9995"):  # 999.999.999,99 reads "Rp 1 miliar", not "Rp 1.000 juta"
            scaled = number / scale
            places = 0 if scaled >= 100 else 1 if scaled >= 10 else 2
            return f"Rp {format_trimmed(scaled, 0, places)} {word}"
    return format_money(number, 0)
