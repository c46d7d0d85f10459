"""Query and form parameters that name rows by id (``?open=12&open=15``, ``resource=12``) or carry a small
whole number (a week, a row version, a row count), read one way everywhere.

Ids come from the address bar, bookmarks and htmx requests: anything that is not a plain positive ASCII
number within the database's id range is ignored (never a 500: ``"²".isdigit()`` is True and ``int("²")``
raises, a 20-digit number overflows the database's integer), and only the first ``MAX_IDS`` values count.
"""

import re
from collections.abc import Iterable

#: The largest id the database holds (``BigAutoField``: a signed 64-bit integer).
MAX_ID = 2**63 - 1
#: How many ids one parameter may name: more sections than any project has open at once.
MAX_IDS = 1000
_MAX_DIGITS = len(str(MAX_ID))
#: Control characters (NUL included: PostgreSQL refuses it in text) are never part of a search.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def text_param(value: object, *, max_length: int = 100) -> str:
    """A search text (``?q=``, ``?source=``): control characters (NUL, tabs, newlines) become spaces,
    surrounding spaces go, at most ``max_length`` characters; anything that is not a string -> ``""``."""
    if not isinstance(value, str):
        return ""
    return _CONTROL.sub(" ", value).strip()[:max_length].strip()


def has_nul(value: object) -> bool:
    """Whether a posted text holds a NUL character (refused with a message: the database cannot store it)."""
    return isinstance(value, str) and "\x00" in value


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
