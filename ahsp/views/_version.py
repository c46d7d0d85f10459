"""The row version a form was loaded with (optimistic locking), as the views read it.

A form that leaves ``version`` out, or sends something that is no version, must not skip the check: it
is read as ``MISSING`` (0; rows start at version 1), so the service refuses the write with its usual
conflict message (status 200 for htmx, like any stale version). The services keep
``expected_version=None`` ("no check") for internal callers (imports, bulk actions), never for requests.
"""

from django.http import QueryDict

from ahsp.views._params import number_param

#: No row has this version: a write that carries it is refused as a conflict.
MISSING = 0


def posted_version(value: object) -> int:
    """``"7"`` -> 7; missing, empty or not a plain number -> ``MISSING``."""
    version = number_param(value)
    return MISSING if version is None else version


def with_posted_version(data: QueryDict, name: str = "version") -> QueryDict:
    """A copy of the POST data whose ``name`` is always a version (``MISSING`` when absent or invalid),
    for forms whose optional ``version`` field would otherwise read "no check"."""
    data = data.copy()
    data[name] = str(posted_version(data.get(name)))
    return data
