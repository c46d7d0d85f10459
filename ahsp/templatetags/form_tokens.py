"""``{% submit_token_field %}``: the hidden one-time token of a create form (``ahsp.idempotency``)."""

from django import template
from django.utils.html import format_html

from ahsp.idempotency import FIELD, new_token

register = template.Library()


@register.simple_tag
def submit_token_field() -> str:
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, new_token())
