"""The fields every form shares; numbers are text inputs read by the one parser (``ahsp.parsing``).

``DecimalInputField`` and ``IntegerInputField`` for single numbers, ``WeekField`` for a week of the
schedule, ``WeekSharesField`` for a plan typed as "% per minggu" (``3:25; 4:25; 5:50``) and
``IdListField`` for the rows a form names by id (``open=12&open=15``); ``XlsxFileField`` for an uploaded
workbook.

Never ``type=number``: browsers drop or mangle Indonesian numbers there (Firefox submits nothing for
``1.500.000.000``, Chromium turns ``12,5`` into ``125``). A stored value comes back in the input formatted
the way it was understood (``1.500.000.000,00``, ``12,5``; ``ahsp.formatting.format_input``); what the
user typed comes back unchanged with the error beside it.
"""

import re
from collections.abc import Iterable
from decimal import Decimal

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ahsp.calculations.schedule import SHARE_PLACES
from ahsp.formatting import format_input, format_trimmed
from ahsp.loaders.gantt import MAX_WEEK_DIGITS
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


class WeekField(IntegerInputField):
    """A week of the schedule (``3``); ``None`` when empty and not required. Any text that is not a whole
    number gets one message naming the field ("Minggu mulai harus berupa bilangan bulat, mis. 3."); the
    schedule's range is checked by the service."""

    def __init__(self, *, label: str, **kwargs):
        super().__init__(label=label, **kwargs)
        self.error_messages["required"] = _("Isi %(field)s.")

    def to_number(self, text: str) -> Decimal:
        try:
            return parse_decimal(text, max_places=0)
        except NumberInputError as exc:
            label = str(self.label)
            raise forms.ValidationError(
                gettext("%(field)s harus berupa bilangan bulat, mis. 3.")
                % {"field": label[:1].upper() + label[1:]},
                code="invalid",
            ) from exc

    def validate(self, value):
        if value in self.empty_values and self.required:
            raise forms.ValidationError(
                self.error_messages["required"] % {"field": self.label}, code="required"
            )


_SHARE_SEPARATORS = re.compile(r"[;\n]+")
_SHARE_PART = re.compile(r"(.*?)\s*[:=]\s*(.*)")
_WEEK_PREFIX = re.compile(r"^(?:minggu\s*(?:ke)?-?|m)\s*", re.IGNORECASE)


class WeekSharesField(forms.CharField):
    """A plan typed as % per week: ``"3:25; 4:25; 5:50"`` (also one per line, ``M3: 25``, ``minggu ke-3 =
    25 %``) -> ``{3: Decimal(25), 4: Decimal(25), 5: Decimal(50)}``.

    Week numbers are whole numbers, percentages Indonesian or plain decimals (``parse_decimal``, at most
    ``SHARE_PLACES`` decimals). The sum and the week range are the service's (``validate_shares``)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.error_messages["required"] = _("Isi persentase per minggu, mis. 3:25; 4:25; 5:50.")

    def to_python(self, value) -> dict[int, Decimal]:
        text = super().to_python(value)
        parts = [part.strip() for part in _SHARE_SEPARATORS.split(text) if part.strip()]
        shares: dict[int, Decimal] = {}
        for part in parts:
            match = _SHARE_PART.fullmatch(part)
            if not match:
                raise forms.ValidationError(
                    gettext("“%(text)s”: tulis minggu dan persen dengan titik dua, mis. 3:25.")
                    % {"text": part[:30]},
                    code="invalid",
                )
            week_text = _WEEK_PREFIX.sub("", match.group(1).strip())
            if not week_text.isascii() or not week_text.isdecimal() or len(week_text) > MAX_WEEK_DIGITS:
                raise forms.ValidationError(
                    gettext("“%(text)s”: nomor minggu harus bilangan bulat, mis. 3:25.")
                    % {"text": part[:30]},
                    code="invalid",
                )
            week = int(week_text)
            if week in shares:
                raise forms.ValidationError(
                    gettext("Minggu ke-%(week)s ditulis lebih dari sekali.") % {"week": week}, code="repeated"
                )
            try:
                shares[week] = parse_decimal(match.group(2).rstrip("%").strip(), max_places=SHARE_PLACES)
            except NumberInputError as exc:
                raise forms.ValidationError(
                    gettext("Minggu ke-%(week)s: %(error)s") % {"week": week, "error": exc.message},
                    code=exc.code,
                ) from exc
        return shares

    def validate(self, value):
        if not value and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")


# --- ids and small whole numbers (also read from query strings: ``ahsp.views._params``) -------------
#
# Ids come from the address bar, bookmarks, hidden inputs and htmx requests: anything that is not a plain
# positive ASCII number within the database's id range is ignored (never a 500: ``"²".isdigit()`` is True
# and ``int("²")`` raises, a 20-digit number overflows the database's integer), and only the first
# ``MAX_IDS`` values count.

#: The largest id the database holds (``BigAutoField``: a signed 64-bit integer).
MAX_ID = 2**63 - 1
#: How many ids one parameter may name: more sections than any project has open at once.
MAX_IDS = 1000
_MAX_DIGITS = len(str(MAX_ID))


def number_param(value: object, *, minimum: int = 0, maximum: int = MAX_ID) -> int | None:
    """``"12"`` -> 12 when ``minimum <= 12 <= maximum``; surrounding spaces allowed; anything else (``"-1"``,
    ``"²"``, ``"1e3"``, ``"99999999999999999999"``, not a string) -> None."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or len(value) > _MAX_DIGITS or not value.isascii() or not value.isdecimal():
        return None
    number = int(value)
    return number if minimum <= number <= maximum else None


def id_param(value: object) -> int | None:
    """``"12"`` -> 12; surrounding spaces allowed; anything else (``"0"``, ``"-1"``, ``"²"``, ``"1e3"``,
    ``"99999999999999999999"``, not a string) -> None."""
    return number_param(value, minimum=1)


def ids_param(values: Iterable[object]) -> set[int]:
    """``request.GET.getlist("open")`` -> the valid ids among the first ``MAX_IDS`` values."""
    ids = set()
    for count, value in enumerate(values):
        if count >= MAX_IDS:
            break
        number = id_param(value)
        if number is not None:
            ids.add(number)
    return ids


class IdListField(forms.Field):
    """The rows a form names by id (``open=12&open=15``, hidden inputs): a set of the valid ids among
    the first ``MAX_IDS`` values, anything else ignored (``ids_param``); never an error."""

    widget = forms.MultipleHiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value) -> set[int]:
        if not isinstance(value, list | tuple):
            value = [] if value in self.empty_values else [value]
        return ids_param(value)


class XlsxFileField(forms.FileField):
    """An uploaded Excel workbook: the name must end in ``.xlsx`` and the file be at most ``max_bytes``
    (``too_large`` says the limit in the user's words, e.g. "Berkas terlalu besar (maksimal 10 MB).")."""

    def __init__(self, *, max_bytes: int, too_large: str, **kwargs):
        kwargs.setdefault("label", _("Berkas Excel (.xlsx)"))
        super().__init__(**kwargs)
        self.max_bytes, self.too_large = max_bytes, too_large

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload:
            if not upload.name.lower().endswith(".xlsx"):
                raise forms.ValidationError(_("Berkas harus berformat Excel .xlsx."), code="extension")
            if upload.size > self.max_bytes:
                raise forms.ValidationError(self.too_large, code="size")
        return upload


def _limit(value) -> str:
    """``0``, ``100``, ``1990`` (a year, ungrouped), ``1.000.000``, ``0,5``."""
    if value is None:
        return ""
    if value == int(value) and abs(value) < 10_000:
        return str(int(value))
    return format_trimmed(value, 0, 6)
