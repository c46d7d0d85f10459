"""ahsp.calculations.money: the one rounding helper and the rounding rules. Pure, no DB.

Every expected value is worked out by hand in the comment next to it.
"""

from decimal import Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ahsp.calculations.money import quantize_money, quantize_quotient, round_to_step

D = Decimal


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D("1.005"), "1.01"),  # exactly half a cent -> up (banker's rounding would give 1.00)
        (D("1.004999"), "1.00"),  # below half a cent -> down
        (D("-1.005"), "-1.01"),  # half away from zero
        (D("2.675"), "2.68"),  # the classic float trap: float(2.675) rounds to 2.67
        (D("0.125"), "0.13"),  # half-up, not half-even (0.12)
        (7, "7.00"),  # int accepted, always two places
        (D("1234567.891"), "1234567.89"),
        (D("-0.004"), "0.00"),  # rounds to zero: shown as 0.00, never -0.00
    ],
)
def test_quantize_money_table(value, expected):
    result = quantize_money(value)
    assert str(result) == expected  # str(): checks the exponent (two places) and the sign too


def test_quantize_money_refuses_float():
    with pytest.raises(TypeError):
        quantize_money(1.5)


def test_quantize_money_ignores_a_low_ambient_precision():
    # 30 significant digits; under a 10-digit ambient context a naive quantize would fail or round.
    with localcontext() as ctx:
        ctx.prec = 10
        assert str(quantize_money(D("1234567890123456789012345678.905"))) == "1234567890123456789012345678.91"


@pytest.mark.parametrize(
    ("value", "step", "mode", "expected"),
    [
        # 1234567.89 / 1000 = 1234.56789: down -> 1234, up -> 1235, half_up (.568 >= .5) -> 1235
        (D("1234567.89"), 1000, "down", D("1234000")),
        (D("1234567.89"), 1000, "up", D("1235000")),
        (D("1234567.89"), 1000, "half_up", D("1235000")),
        # 1234499.99 / 1000 = 1234.49999 < .5 -> 1234
        (D("1234499.99"), 1000, "half_up", D("1234000")),
        # 1234500 / 1000 = 1234.5, a tie -> away from zero -> 1235
        (D("1234500"), 1000, "half_up", D("1235000")),
        # already a multiple: "up" does not move it
        (D("1234000.00"), 1000, "up", D("1234000")),
        # HSP to Rp 1: 1234.49 -> 1234; 1234.50 -> 1235
        (D("1234.49"), 1, "half_up", D("1234")),
        (D("1234.50"), 1, "half_up", D("1235")),
        # to Rp 10 up: 1234.01 -> 1240; to Rp 100 down: 1234.99 -> 1200
        (D("1234.01"), 10, "up", D("1240")),
        (D("1234.99"), 100, "down", D("1200")),
        # any positive remainder goes up: 0.4 -> 1000
        (D("0.4"), 1000, "up", D("1000")),
        # from the EXACT value, not from cents first: 1234.4951 -> 1234 (1234.50 would give 1235)
        (D("1234.4951"), 1, "half_up", D("1234")),
        # step 0 = cents only (half-up), whatever the mode: 1234.567 -> 1234.57
        (D("1234.567"), 0, "down", D("1234.57")),
        (D("1234.565"), 0, "up", D("1234.57")),
        # negatives round by magnitude (symmetric): -1500 -> -1000 down, -2000 up, -2000 half_up (tie)
        (D("-1500"), 1000, "down", D("-1000")),
        (D("-1500"), 1000, "up", D("-2000")),
        (D("-1500"), 1000, "half_up", D("-2000")),
        (D("-1499.99"), 1000, "half_up", D("-1000")),
        (D("-999"), 1000, "down", D("0")),  # toward zero -> 0 (and not -0)
        # beyond the default 28-digit precision, still exact: ...890.99 down to 1000 -> ...000
        (D("123456789012345678901234567890.99"), 1000, "down", D("123456789012345678901234567000")),
    ],
)
def test_round_to_step_table(value, step, mode, expected):
    result = round_to_step(value, step, mode)
    assert result == expected
    assert result.as_tuple().exponent == -2  # money: always two places
    assert not result.is_signed() or result < 0  # never -0.00


@pytest.mark.parametrize(
    ("step", "mode"), [(-1, "down"), (1000, "floor"), (1.5, "down"), (True, "down"), (10, "DOWN")]
)
def test_round_to_step_rejects_bad_rules(step, mode):
    with pytest.raises(ValueError):
        round_to_step(D("1"), step, mode)


@pytest.mark.parametrize(
    ("numerator", "denominator", "places", "expected"),
    [
        (1, 3, 6, D("0.333333")),  # 0.3333333... -> 0.333333
        (2, 3, 6, D("0.666667")),  # 0.6666666... -> 0.666667
        (1, 8, 2, D("0.13")),  # 0.125, a tie -> 0.13
        (-1, 8, 2, D("-0.13")),  # away from zero
        (D("2500000"), D("10000000"), 6, D("0.250000")),
        (D("100"), D("0.3"), 6, D("333.333333")),  # 1000/3
    ],
)
def test_quantize_quotient_table(numerator, denominator, places, expected):
    assert quantize_quotient(numerator, denominator, places) == expected


def test_quantize_quotient_zero_denominator():
    with pytest.raises(ZeroDivisionError):
        quantize_quotient(1, 0)


money = st.decimals(min_value=-(10**15), max_value=10**15, places=4, allow_nan=False, allow_infinity=False)
steps = st.sampled_from([1, 10, 100, 1000, 10000, 100000, 3, 7, 250])
modes = st.sampled_from(["down", "half_up", "up"])


@given(value=money, step=steps, mode=modes)
def test_round_to_step_properties(value, step, mode):
    result = round_to_step(value, step, mode)
    with localcontext() as ctx:
        ctx.prec = 60
        assert result % step == 0  # a multiple of the step
        distance = abs(result) - abs(value)
        if mode == "down":
            assert -step < distance <= 0  # toward zero, by less than one step
        elif mode == "up":
            assert 0 <= distance < step  # away from zero, by less than one step
        else:
            assert abs(result - value) * 2 <= step  # nearest
    assert round_to_step(-value, step, mode) == -result  # symmetric


@given(value=money)
def test_round_to_step_zero_is_quantize_money(value):
    assert round_to_step(value, 0, "down") == quantize_money(value)


@given(value=money)
def test_quantize_money_is_idempotent_and_within_half_a_cent(value):
    once = quantize_money(value)
    assert quantize_money(once) == once
    assert abs(once - value) <= D("0.005")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("14.400000000000"), Decimal("14.4000")),
        (Decimal("1.23455"), Decimal("1.2346")),  # half up at the 5th decimal
        (Decimal("1.23454"), Decimal("1.2345")),
        (Decimal("-0.00001"), Decimal("0.0000")),  # never -0.0000
        (7, Decimal("7.0000")),
    ],
)
def test_quantize_quantity(value, expected):
    from ahsp.calculations.money import quantize_quantity

    result = quantize_quantity(value)
    assert result == expected and str(result) == str(expected)
