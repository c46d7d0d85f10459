"""``format_short_money``: amounts in sentences ("Rp 48,2 juta berasal dari harga Semen Portland")."""

from decimal import Decimal as D

import pytest

from ahsp.formatting import format_short_money


@pytest.mark.parametrize(
    "value, text",
    [
        ("48231000", "Rp 48,2 juta"),
        ("61000000", "Rp 61 juta"),
        ("-61000000", "Rp 61 juta"),  # the sign is the sentence's word
        ("63015516.60", "Rp 63 juta"),
        ("1250000000", "Rp 1,25 miliar"),
        ("999999999.99", "Rp 1 miliar"),
        ("123456789012345", "Rp 123 triliun"),
        ("950000", "Rp 950.000"),
        ("999.60", "Rp 1.000"),
    ],
)
def test_short_money(value, text):
    assert format_short_money(D(value)) == text
