"""ahsp.calculations.prices: base unit <-> purchase unit, both directions. Pure, no DB.

Every expected value is worked out by hand in the comment next to it.
"""

from decimal import Decimal

import pytest

from ahsp.calculations.prices import base_price_from_purchase, purchase_price, purchase_quantity

D = Decimal


@pytest.mark.parametrize(
    ("unit_price", "factor", "expected"),
    [
        (D("1300"), D("50"), D("65000.00")),  # Rp 1.300 per kg x 50 kg per zak
        (D("1625.33"), D("40"), D("65013.20")),  # 1.625,33 x 40 = 65.013,20 exactly
        (D("12.35"), D("0.5"), D("6.18")),  # 6,175: a half cent goes up
        (D("33333.33"), D("3"), D("99999.99")),
        (D("0.01"), D("0.4"), D("0.00")),  # 0,004 -> down to 0,00
        (None, D("50"), None),  # not priced yet
        (D("1300"), None, None),  # no purchase unit
        (D("1300"), D("0"), None),  # a zero factor gives no hint
    ],
)
def test_purchase_price_table(unit_price, factor, expected):
    result = purchase_price(unit_price, factor)
    assert result == expected
    if expected is not None:
        assert result.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("price", "factor", "expected"),
    [
        (D("65000"), D("50"), "1300.00"),  # Rp 65.000 per zak of 50 kg
        (D("100000"), D("3"), "33333.33"),  # 33.333,333... -> down
        (D("200000"), D("3"), "66666.67"),  # 66.666,666... -> up
        (D("0.05"), D("2"), "0.03"),  # 0,025: the half goes up
        (D("1000"), D("0.5"), "2000.00"),  # a purchase unit smaller than the base unit
        (D("1"), D("7"), "0.14"),  # 0,142857... -> 0,14
    ],
)
def test_base_price_from_purchase_table(price, factor, expected):
    assert str(base_price_from_purchase(price, factor)) == expected


@pytest.mark.parametrize("factor", [D("0"), D("-1")])
def test_base_price_from_purchase_refuses_a_factor_that_is_not_positive(factor):
    with pytest.raises(ValueError, match="factor must be positive"):
        base_price_from_purchase(D("65000"), factor)


def test_base_price_from_purchase_refuses_float():
    with pytest.raises(TypeError):
        base_price_from_purchase(D("65000"), 50.0)


@pytest.mark.parametrize(
    ("quantity", "factor", "expected"),
    [
        (D("19.89"), D("50"), "0.3978"),  # 19,89 kg of cement in zak of 50 kg, exact
        (D("59.67"), D("50"), "1.1934"),
        (D("10"), D("3"), "3.3333"),  # 3,33333... -> down
        (D("20"), D("3"), "6.6667"),  # 6,66666... -> up
        (D("0.00005"), D("1"), "0.0001"),  # half of the last place goes up
        (D("0"), D("50"), "0.0000"),
    ],
)
def test_purchase_quantity_table(quantity, factor, expected):
    assert str(purchase_quantity(quantity, factor)) == expected


@pytest.mark.parametrize("factor", [None, D("0")])
def test_purchase_quantity_without_a_factor_is_none(factor):
    assert purchase_quantity(D("19.89"), factor) is None


def test_price_round_trip_through_the_purchase_unit():
    """Rp 65.000 per zak -> Rp 1.300 per kg -> Rp 65.000 per zak again (the quotient is exact here)."""
    base = base_price_from_purchase(D("65000"), D("50"))
    assert purchase_price(base, D("50")) == D("65000.00")
