"""ahsp.calculations.volume: a formula's value becomes a volume with 4 decimals, half up. Pure, no DB.

Every expected value is worked out by hand in the comment next to it.
"""

from decimal import Decimal

import pytest

from ahsp.calculations.formula import FormulaError
from ahsp.calculations.volume import volume_from_formula

D = Decimal
PARAMS = {"panjang": D("12"), "lebar": D("8"), "tebal": D("0.15")}


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("panjang * lebar * 0,15", "14.4000"),  # 12 x 8 x 0,15 = 14,4
        ("panjang * lebar * tebal", "14.4000"),  # the same through a parameter
        ("10 / 3", "3.3333"),  # 3,33333... -> down
        ("20 / 3", "6.6667"),  # 6,66666... -> up
        ("0,00005", "0.0001"),  # half of the last place goes up
        ("0,00004", "0.0000"),
        ("-0,00004", "0.0000"),  # rounds to zero: never -0.0000
        ("(panjang + 3) * 2", "30.0000"),  # (12 + 3) x 2
    ],
)
def test_volume_from_formula_table(formula, expected):
    assert str(volume_from_formula(formula, PARAMS)) == expected


@pytest.mark.parametrize("formula", ["tinggi * 2", "panjang *", "1 / 0"])
def test_volume_from_formula_raises_formula_error(formula):
    with pytest.raises(FormulaError):
        volume_from_formula(formula, PARAMS)
