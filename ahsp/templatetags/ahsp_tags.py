"""Formatting filters only (no logic)."""

from django import template

from ahsp.formatting import format_money, format_quantity

register = template.Library()


@register.filter
def rupiah(value, places: int = 2) -> str:
    return format_money(value, int(places))


@register.filter
def quantity(value, places: int = 4) -> str:
    return format_quantity(value, int(places))
