"""Optimistic locking, one way for every service: a form carries the ``version`` of the row it was loaded
with; the write locks the row (``select_for_update``) and compares, and a row changed since raises
``ConflictError`` with a message for the user instead of overwriting someone else's change.

The caller bumps ``version`` (``F("version") + 1``) when it saves; views catch ``ConflictError`` and show
its message where the form is.
"""

from django.db import models

#: The message for a row of a table (a work item, a price) changed since the user loaded it.
CONFLICT_MESSAGE = "Baris ini sudah diubah oleh pengguna lain. Muat ulang untuk melihat nilai terbaru."


class ConflictError(Exception):
    """The row changed since the user loaded it (optimistic locking)."""


def lock_version[M: models.Model](
    model_or_queryset: type[M] | models.QuerySet[M],
    pk: int,
    expected_version: int | None,
    *,
    message: str = CONFLICT_MESSAGE,
    field: str = "version",
) -> M:
    """The row ``pk``, locked for this transaction; ``ConflictError(message)`` if its ``version`` is no
    longer ``expected_version``. ``expected_version=None``: lock only (a write that does not compare).
    ``field``: the version column compared (a work item's schedule has its own, ``schedule_version``)."""
    rows = (
        model_or_queryset
        if isinstance(model_or_queryset, models.QuerySet)
        else model_or_queryset._default_manager
    )
    current = rows.select_for_update().get(pk=pk)
    if expected_version is not None and getattr(current, field) != expected_version:
        raise ConflictError(message)
    return current
