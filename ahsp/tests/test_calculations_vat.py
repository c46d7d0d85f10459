"""ahsp.calculations.totals: PPN and Jumlah total of one total (the RAB recap and the dashboard). Pure.

Every expected value is worked out by hand in the comment next to it.
"""

from decimal import Decimal

import pytest

from ahsp.calculations.totals import grand_total, vat_amount

D = Decimal


@pytest.mark.parametrize(
    ("total", "vat_pct", "vat", "grand"),
    [
        (D("1000000.00"), D("11"), "110000.00", "1110000.00"),  # 11 % of Rp 1.000.000
        (D("1234567.89"), D("12"), "148148.15", "1382716.04"),  # 148.148,1468 -> ,15
        (D("333.33"), D("11"), "36.67", "370.00"),  # 36,6663 -> ,67
        (D("0.05"), D("10"), "0.01", "0.06"),  # PPN 0,005: the half cent goes up
        (D("0.04"), D("12"), "0.00", "0.04"),  # PPN 0,0048 -> 0,00
        (D("2500.00"), D("0"), "0.00", "2500.00"),  # no PPN
        (D("1000.00"), D("11.5"), "115.00", "1115.00"),  # a fractional percentage
    ],
)
def test_vat_and_grand_total_table(total, vat_pct, vat, grand):
    assert str(vat_amount(total, vat_pct)) == vat
    assert str(grand_total(total, vat_pct)) == grand


def test_vat_refuses_float():
    with pytest.raises(TypeError):
        vat_amount(D("1000"), 11.0)
