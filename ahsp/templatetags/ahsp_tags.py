"""Formatting filters only (no logic)."""

from decimal import Decimal

from django import template

from ahsp.formatting import format_money, format_number, format_quantity

register = template.Library()


@register.filter
def rupiah(value, places: int = 2) -> str:
    return format_money(value, int(places))


@register.filter
def quantity(value, places: int = 4) -> str:
    return format_quantity(value, int(places))


@register.filter
def number(value, places: int = 2) -> str:
    """A plain Indonesian number for printed tables (the column header says Rp): ``1.234.567,89``."""
    return format_number(value, int(places))


@register.filter
def volume(value) -> str:
    """A printed volume: 2 decimals, or 4 when the volume has more (never hides precision)."""
    if value is None:
        return ""
    places = 2 if Decimal(value) == Decimal(value).quantize(Decimal("0.01")) else 4
    return format_number(value, places)
