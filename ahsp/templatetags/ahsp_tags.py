"""Formatting filters only (no logic): each one a function of ``ahsp.formatting``, so the screen and the
printed documents show a figure the same way."""

from django import template

from ahsp.formatting import (
    COEFFICIENT_PLACES,
    format_coefficient,
    format_input,
    format_money,
    format_number,
    format_trimmed,
    format_volume,
)

register = template.Library()


@register.filter
def rupiah(value, places: int = 2) -> str:
    return format_money(value, int(places))


@register.filter
def quantity(value, places: int | None = None) -> str:
    """``quantity:4`` fixed decimals; ``quantity`` alone: a quantity as it means something, like a volume
    (2 to 4 decimals, trailing zeros trimmed: ``12,50``, ``13,632``, ``0,0255``)."""
    if places is None or places == "":
        return format_volume(value)
    return format_number(value, int(places))


@register.filter
def number(value, places: int = 2) -> str:
    """A plain Indonesian number for printed tables (the column header says Rp): ``1.234.567,89``."""
    return format_number(value, int(places))


@register.filter
def volume(value) -> str:
    """A volume as entered: at least 2 decimals, at most 4 (``12,50``, ``13,632``, ``1.500,00``)."""
    return format_volume(value)


@register.filter
def bobot(value) -> str:
    """A weight (bobot, %) on screen and paper: 2 decimals (the full precision stays in the CSV)."""
    return format_number(value, 2)


@register.filter
def coefficient(value) -> str:
    """A coefficient or a parameter: trailing zeros trimmed, up to 6 decimals (``0,0255``, ``13,632``)."""
    return "" if value is None else format_coefficient(value)


@register.filter
def trimmed(value, places: int = COEFFICIENT_PLACES) -> str:
    """Trailing zeros trimmed, at most ``places`` decimals: ``12,5`` for a BUK of 12.50 %."""
    return format_trimmed(value, 0, int(places))


@register.filter
def input_number(value, places: str = "") -> str:
    """A stored value for an input, in the active language's spelling so it reads back unchanged:
    ``input_number:"2,4"`` (a volume), ``input_number:"2,2"`` (money), ``input_number`` (0 to 6)."""
    if value is None:
        return ""
    low, _, high = str(places).partition(",")
    min_places = int(low) if low else 0
    max_places = int(high) if high else max(min_places, COEFFICIENT_PLACES)
    return format_input(value, min_places, max_places)
