"""Exact sums of money and schedule values computed in the database, shared by the Gantt, the schedule
loader and the dashboard widgets.

Amounts are stored with 2 decimals and shares / progress with 4 (% of an item). Summed as Decimals in
Python they would need every row; summed as floats in SQL (SQLite keeps decimals as REAL) they would not
be exact. So the database scales each value to an integer count of its smallest unit (``Scaled``) and
sums integers: cents, and cents x 1/10,000 % for amount x share (``weighted_sums``, split so that every
sum stays within 64 bits on SQLite, whose SUM raises rather than rounds on an overflow).
"""

from __future__ import annotations

from django.db.models import BigIntegerField, CharField, ExpressionWrapper, F, Func, IntegerField, Sum, Value
from django.db.models.functions import Cast

from ahsp.calculations.schedule import SHARE_PLACES

CENTS = 2  # amounts: integer cents
SHARE_UNITS = 10**SHARE_PLACES  # shares: integer 1/10,000 %
SPLIT = 10**6  # amounts are split at this many cents for the 64-bit sums (``weighted_sums``)


def as_text(field_name: str) -> Cast:
    """The stored decimal as text: exact on PostgreSQL and SQLite, and cheaper to read than Django's
    float -> Decimal converter (SQLite keeps decimals as REAL)."""
    return Cast(field_name, output_field=CharField())


class Scaled(Func):
    """``CAST(ROUND(x * 10**places) AS BIGINT)``: a stored decimal (amount: 2 places, share: 4) as an exact
    integer count of its smallest unit, in SQL (PostgreSQL and SQLite alike)."""

    template = "CAST(ROUND(%(expressions)s * %(scale)s) AS BIGINT)"
    output_field = BigIntegerField()

    def __init__(self, field_name: str, places: int):
        super().__init__(F(field_name), scale=10**places)


def weighted_sums(amount_field: str, share_field: str) -> dict[str, Sum]:
    """The aggregates ``hi`` and ``lo`` of amount x share in cents x 1/10,000 %, exact (``joined`` adds
    them). One product can reach 10**20 for a big item, beyond 64 bits, so the cents are split at
    ``SPLIT``: sum(hi x share) x SPLIT + sum(lo x share). Each sum stays far below 2**63
    (sum(hi x share) <= total cents)."""
    cents = Scaled(amount_field, CENTS)
    units = Scaled(share_field, SHARE_PLACES)
    split = Value(SPLIT, output_field=BigIntegerField())
    return {
        "hi": Sum(ExpressionWrapper(cents / split * units, output_field=BigIntegerField())),
        "lo": Sum(ExpressionWrapper(cents % split * units, output_field=BigIntegerField())),
    }


def joined(row: dict) -> int:
    """The exact integer of a row aggregated with ``weighted_sums``."""
    return int(row["hi"] or 0) * SPLIT + int(row["lo"] or 0)


class DayNumber(Func):
    """A date as a number of days since 1970-01-01, for integer arithmetic on dates in SQL."""

    output_field = IntegerField()
    template = "(%(expressions)s - DATE '1970-01-01')"  # PostgreSQL: date - date = integer days

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) - 2440587.5 AS INTEGER)",
            **extra_context,
        )
