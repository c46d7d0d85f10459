"""Number fields for every form: text inputs read by the one parser (``ahsp.parsing.parse_decimal``).

Never ``type=number``: browsers drop or mangle Indonesian numbers there (Firefox submits nothing for
``1.500.000.000``, Chromium turns ``12,5`` into ``125``). A stored value comes back in the input formatted
the way it was understood (``1.500.000.000,00``, ``12,5``; ``ahsp.formatting.format_input``); what the
user typed comes back unchanged with the error beside it.
"""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from ahsp.formatting import format_input, format_trimmed
from ahsp.parsing import NumberInputError, parse_decimal


class DecimalInputField(forms.CharField):
    """A decimal typed in Indonesian (1.234,56) or plain (1234.56) form; ``None`` when empty.

    ``max_places``: decimals accepted; ``shown_places``: (min, max) decimals of a stored value put back in
    the input (default: trailing zeros trimmed). ``min_value`` / ``max_value``: a clear message outside.
    Accepts and ignores the model field's ``max_digits`` / ``decimal_places`` (``Meta.field_classes``).
    """

    default_error_messages = {
        "required": _("Angka wajib diisi."),
        "range": _("Harus antara %(min)s dan %(max)s."),
        "min": _("Tidak boleh kurang dari %(min)s."),
        "max": _("Tidak boleh lebih dari %(max)s."),
    }

    def __init__(
        self,
        *,
        max_places: int | None = None,
        shown_places: tuple[int, int] | None = None,
        min_value: Decimal | int | None = None,
        max_value: Decimal | int | None = None,
        allow_negative: bool = False,
        decimal_places: int | None = None,
        max_digits: int | None = None,
        inputmode: str = "decimal",
        **kwargs,
    ):
        if max_places is None:
            max_places = decimal_places if decimal_places is not None else 6
        self.max_places = max_places
        self.shown_places = shown_places or (0, self.max_places)
        self.min_value, self.max_value, self.allow_negative = min_value, max_value, allow_negative
        del max_digits  # the model's; the parser bounds the integer part (15 digits)
        kwargs.setdefault("max_length", 60)
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": inputmode, "autocomplete": "off"})

    def prepare_value(self, value):
        if isinstance(value, Decimal | int) and not isinstance(value, bool):
            return format_input(value, *self.shown_places)
        return value

    def to_number(self, text: str) -> Decimal:
        try:
            return parse_decimal(text, max_places=self.max_places, allow_negative=self.allow_negative)
        except NumberInputError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from exc

    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return None
        number = self.to_number(value)
        self.check_range(number)
        return number

    def check_range(self, number: Decimal) -> None:
        low, high = self.min_value, self.max_value
        too_low = low is not None and number < low
        too_high = high is not None and number > high
        if not (too_low or too_high):
            return
        limits = {"min": _limit(low), "max": _limit(high)}
        code = "range" if low is not None and high is not None else ("min" if too_low else "max")
        raise forms.ValidationError(self.error_messages[code], code=code, params=limits)


class IntegerInputField(DecimalInputField):
    """A whole number (``2026``, ``1.500``) in a text input with ``inputmode="numeric"``; an ``int``."""

    def __init__(self, **kwargs):
        super().__init__(max_places=0, shown_places=(0, 0), inputmode="numeric", **kwargs)

    def prepare_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)  # a year reads 2026, not 2.026
        return super().prepare_value(value)

    def clean(self, value):
        number = super().clean(value)
        return None if number is None else int(number)


def _limit(value) -> str:
    """``0``, ``100``, ``1990`` (a year, ungrouped), ``1.000.000``, ``0,5``."""
    if value is None:
        return ""
    if value == int(value) and abs(value) < 10_000:
        return str(int(value))
    return format_trimmed(value, 0, 6)
