"""Query parameters that name rows by id (``?open=12&open=15``, ``resource=12``), carry a small whole
number (a week, a row count) or a search text, read one way everywhere.

The id and number readers are the ones the forms use (``ahsp.forms.fields``: ``IdListField`` reads a
posted id list with ``ids_param``), re-exported here for the query strings: anything that is not a plain
positive ASCII number within the database's id range is ignored, never a 500.
"""

import re

from ahsp.forms.fields import MAX_ID, MAX_IDS, id_param, ids_param, number_param

__all__ = ["MAX_ID", "MAX_IDS", "has_nul", "id_param", "ids_param", "number_param", "text_param"]

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
