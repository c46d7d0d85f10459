from decimal import Decimal

import pytest

from ahsp.formatting import format_money, format_number, format_quantity


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Decimal("1234567.891"), 2, "1.234.567,89"),
        (Decimal("1234567.895"), 2, "1.234.567,90"),  # half-up, not banker's
        (Decimal("0"), 2, "0,00"),
        (Decimal("999"), 0, "999"),
        (Decimal("1000"), 0, "1.000"),
        (Decimal("-1500.5"), 2, "-1.500,50"),
        (Decimal("0.0125"), 4, "0,0125"),
        (12, 2, "12,00"),
    ],
)
def test_format_number(value, places, expected):
    assert format_number(value, places) == expected


def test_format_money_and_quantity():
    assert format_money(Decimal("1234567.89")) == "Rp 1.234.567,89"
    assert format_money(None) == ""
    assert format_quantity(Decimal("1234.56789")) == "1.234,5679"
