"""Numbers typed by users (volumes, prices, coefficients): Indonesian and plain formats, strictly.

Accepted: ``1.234,56`` (Indonesian), ``1.234.567``, ``0,5``, ``1234.56``, ``1234,56``, ``1,234.56`` (English
grouping), ``Rp 1.234.567``, ``1 234 567,5`` (spaces as thousands separators), ``,5``, surrounding spaces,
and a leading ``-`` when ``allow_negative=True``.

Rules, in order (the language is Django's active language unless ``language`` is given; ``id`` by default):

1. When both ``.`` and ``,`` occur, the LAST one is the decimal separator and must occur once; the other
   groups thousands.
2. When one kind occurs several times it groups thousands (``1.234.567``; no decimals).
3. When one kind occurs once it is the decimal separator (``1234,56``, ``0,500``, ``1234.567``), EXCEPT when
   it is the language's thousands separator (``.`` in Indonesian, ``,`` in English) followed by exactly
   three digits after a 1-3 digit integer part not starting with 0: then it groups thousands. So in
   Indonesian ``1.500`` is 1500 and ``13,632`` is 13.632; in English ``1,500`` is 1500 and ``1.500`` is 1.5;
   ``1234.56`` and ``0.125`` are decimals in both (a thousands group never starts with 0 or follows 4
   digits). Where at most two decimals are allowed (``max_places < 3``, prices in rupiah), three digits
   after either separator can only be a thousands group, so ``Rp 100.000`` and ``12,500`` read as
   100000 and 12500 in both languages.
4. Thousands groups: the first has 1-3 digits and does not start with 0, every other has exactly 3.

Errors are ``NumberInputError`` (a ``ValueError``) with a message in Bahasa Indonesia and a ``code``
(``empty``, ``invalid``, ``grouping``, ``incomplete``, ``places``, ``too_large``, ``negative``).
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.utils.translation import get_language, gettext

MAX_INTEGER_DIGITS = 15

_SIGNS = "-−+"  # ASCII minus, U+2212 minus sign, plus
_CURRENCY = re.compile(r"^rp\.?", re.IGNORECASE)
_ALLOWED = re.compile(r"^[0-9.,\s]*$")
_AROUND_SEPARATOR = re.compile(r"\s*([.,])\s*")
_WHITESPACE = re.compile(r"\s+")


class NumberInputError(ValueError):
    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


def _quoted(text: str) -> str:
    text = text.strip()
    return f"“{text[:30]}…”" if len(text) > 30 else f"“{text}”"


def _strip_sign(text: str) -> tuple[str, str | None]:
    if text and text[0] in _SIGNS:
        return text[1:].lstrip(), text[0]
    return text, None


def _check_groups(int_part: str, group_chars: str, original: str) -> str:
    """Validate thousands grouping in ``int_part``; return its digits."""
    groups = re.split(f"[{re.escape(group_chars)}]", int_part) if group_chars else [int_part]
    if len(groups) > 1:
        first, rest = groups[0], groups[1:]
        if not (1 <= len(first) <= 3) or first[0] == "0" or any(len(group) != 3 for group in rest):
            raise NumberInputError(
                gettext(
                    "%(text)s: pemisah ribuan tidak konsisten. "
                    "Contoh penulisan yang benar: 1.234.567,89 atau 1234567,89."
                )
                % {"text": _quoted(original)},
                "grouping",
            )
    return "".join(groups)


def thousands_separator(language: str | None = None) -> str:
    """``"."`` in the Indonesian UI (the default), ``","`` in the English one."""
    language = (language or get_language() or "id").lower()
    return "," if language.startswith("en") else "."


# long-function: one ordered decision table of the accepted number forms (module docstring); each branch returns
def parse_decimal(  # noqa: C901  the same decision table: one branch per accepted form, in the documented order
    text: str | None, *, max_places: int = 6, allow_negative: bool = False, language: str | None = None
) -> Decimal:
    """Parse user input into an exact ``Decimal`` (see the module docstring for the accepted forms).

    ``language`` (``"id"``, ``"en"``) decides a lone separator followed by three digits; by default the
    active Django language (importers and tests pass it explicitly).

    The result keeps the decimals as typed (``"1,50"`` -> ``Decimal("1.50")``); trailing zeros beyond
    ``max_places`` are dropped (``"0,50000000"`` -> ``Decimal("0.500000")``), significant ones are an error.
    """
    if text is not None and not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")
    if text is None or not text.strip():
        raise NumberInputError(gettext("Angka wajib diisi."), "empty")

    rest, sign = _strip_sign(text.strip())
    rest = _CURRENCY.sub("", rest, count=1).lstrip()
    if sign is None:
        rest, sign = _strip_sign(rest)
    if not _ALLOWED.match(rest) or not any(char.isdigit() for char in rest):
        raise NumberInputError(
            gettext("%(text)s bukan angka. Tulis angka saja, misalnya 1.234,56 atau 1234.56.")
            % {"text": _quoted(text)},
            "invalid",
        )
    number = _WHITESPACE.sub(" ", _AROUND_SEPARATOR.sub(r"\1", rest))

    dots, commas = number.count("."), number.count(",")
    if dots and commas:
        decimal_sep = "." if number.rfind(".") > number.rfind(",") else ","
        group_chars = " " + ("," if decimal_sep == "." else ".")
        if number.count(decimal_sep) > 1:
            raise NumberInputError(
                gettext(
                    "%(text)s: pemisah ribuan dan desimal tidak konsisten. "
                    "Contoh penulisan yang benar: 1.234.567,89 atau 1234567,89."
                )
                % {"text": _quoted(text)},
                "grouping",
            )
        int_part, fraction = number.split(decimal_sep)
    elif dots + commas > 1:
        int_part, fraction, group_chars = number, None, " " + ("." if dots else ",")
        decimal_sep = None
    elif dots + commas == 1:
        separator = "." if dots else ","
        int_part, fraction = number.split(separator)
        looks_grouped = (
            " " not in int_part and len(fraction) == 3 and 1 <= len(int_part) <= 3 and int_part[0] != "0"
        )
        if looks_grouped and (separator == thousands_separator(language) or max_places < 3):
            int_part, fraction, group_chars, decimal_sep = number, None, " " + separator, None
        else:
            group_chars, decimal_sep = " ", separator
    else:
        int_part, fraction, group_chars, decimal_sep = number, None, " ", None

    digits = _check_groups(int_part, group_chars, text)
    if fraction is not None:
        if not fraction:
            raise NumberInputError(
                gettext("%(text)s tidak lengkap: tulis angka sesudah tanda “%(separator)s”.")
                % {"text": _quoted(text), "separator": decimal_sep},
                "incomplete",
            )
        if not fraction.isdigit():
            raise NumberInputError(
                gettext("%(text)s: bagian desimal hanya boleh berisi angka, tanpa spasi atau pemisah.")
                % {"text": _quoted(text)},
                "grouping",
            )
        significant = fraction.rstrip("0")
        if len(significant) > max_places:
            message = (
                gettext("Harus bilangan bulat (tanpa angka desimal).")
                if max_places == 0
                else gettext("Paling banyak %(places)s angka di belakang koma.") % {"places": max_places}
            )
            raise NumberInputError(message, "places")
        fraction = fraction[:max_places]

    integer = digits.lstrip("0")
    if len(integer) > MAX_INTEGER_DIGITS:
        raise NumberInputError(
            gettext("Angka terlalu besar (paling banyak %(digits)s angka sebelum koma).")
            % {"digits": MAX_INTEGER_DIGITS},
            "too_large",
        )
    literal = (integer or "0") + (f".{fraction}" if fraction else "")
    value = Decimal(literal)
    if sign is not None and sign in "-−":
        if not allow_negative:
            raise NumberInputError(gettext("Angka tidak boleh negatif."), "negative")
        if value:
            value = -value
    return value
