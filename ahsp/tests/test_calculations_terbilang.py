"""ahsp.calculations.terbilang: amounts in Indonesian words. Pure, no DB."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ahsp.calculations.terbilang import terbilang, terbilang_rupiah

D = Decimal


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        # the values listed in the issue
        (0, "nol"),
        (1, "satu"),
        (11, "sebelas"),
        (12, "dua belas"),
        (19, "sembilan belas"),
        (100, "seratus"),
        (101, "seratus satu"),
        (1000, "seribu"),
        (1001, "seribu satu"),
        (1_000_000, "satu juta"),
        (10**9 + 1, "satu miliar satu"),
        (10**12, "satu triliun"),
        (2_500_000, "dua juta lima ratus ribu"),
        (111, "seratus sebelas"),
        (1_100_000, "satu juta seratus ribu"),
        # more
        (2, "dua"),
        (10, "sepuluh"),
        (15, "lima belas"),
        (20, "dua puluh"),
        (21, "dua puluh satu"),
        (99, "sembilan puluh sembilan"),
        (110, "seratus sepuluh"),
        (200, "dua ratus"),
        (999, "sembilan ratus sembilan puluh sembilan"),
        (1100, "seribu seratus"),
        (2000, "dua ribu"),
        (11_000, "sebelas ribu"),
        (21_000, "dua puluh satu ribu"),  # "satu ribu" inside a larger group is right
        (100_000, "seratus ribu"),
        (101_000, "seratus satu ribu"),  # the group is 101, not 1: no "seribu"
        (1_001_000, "satu juta seribu"),
        (10**9, "satu miliar"),
        (12_345_678, "dua belas juta tiga ratus empat puluh lima ribu enam ratus tujuh puluh delapan"),
        (17_046_000, "tujuh belas juta empat puluh enam ribu"),
        (1_000_000_001_000, "satu triliun seribu"),
        (
            999_999_999_999_999,
            "sembilan ratus sembilan puluh sembilan triliun sembilan ratus sembilan puluh sembilan miliar "
            "sembilan ratus sembilan puluh sembilan juta sembilan ratus sembilan puluh sembilan ribu "
            "sembilan ratus sembilan puluh sembilan",
        ),
        (-5, "minus lima"),
        (-1000, "minus seribu"),
    ],
)
def test_terbilang_table(n, expected):
    assert terbilang(n) == expected


@pytest.mark.parametrize("n", [10**15, -(10**15), 10**18])
def test_terbilang_too_large(n):
    with pytest.raises(ValueError, match="terlalu besar"):
        terbilang(n)


@pytest.mark.parametrize("n", [1.0, D("1"), "1", True])
def test_terbilang_needs_int(n):
    with pytest.raises(TypeError):
        terbilang(n)


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (D("1200000000"), "satu miliar dua ratus juta rupiah"),
        (D("1200.50"), "seribu dua ratus rupiah lima puluh sen"),
        (D("17046000.00"), "tujuh belas juta empat puluh enam ribu rupiah"),  # .00: no "sen"
        (17_046_000, "tujuh belas juta empat puluh enam ribu rupiah"),  # int
        (D("0"), "nol rupiah"),
        (D("0.05"), "nol rupiah lima sen"),
        (D("0.005"), "nol rupiah satu sen"),  # half-up to 0.01
        (D("99.995"), "seratus rupiah"),  # half-up to 100.00
        (D("12.114"), "dua belas rupiah sebelas sen"),  # 12.11
        (D("-5000"), "minus lima ribu rupiah"),
        (D("-0.50"), "minus nol rupiah lima puluh sen"),
    ],
)
def test_terbilang_rupiah_table(amount, expected):
    assert terbilang_rupiah(amount) == expected


def test_terbilang_rupiah_refuses_float():
    with pytest.raises(TypeError):
        terbilang_rupiah(1200.5)


_UNITS = dict(
    zip(
        ["nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan"],
        range(10),
        strict=True,
    )
)
_SCALES = {"ribu": 10**3, "juta": 10**6, "miliar": 10**9, "triliun": 10**12}


def _words_to_int(text: str) -> int:
    """An independent reader of the words (used to check terbilang without copying its output)."""
    negative = text.startswith("minus ")
    words = text.removeprefix("minus ").split()
    total = group = current = 0
    for word in words:
        if word in _UNITS:
            current = _UNITS[word]
        elif word == "sepuluh":
            current = 10
        elif word == "sebelas":
            current = 11
        elif word == "belas":
            current += 10
        elif word == "puluh":
            group += current * 10
            current = 0
        elif word == "ratus":
            group += current * 100
            current = 0
        elif word == "seratus":
            group += 100
        elif word == "seribu":
            total += 1000
        else:
            total += (group + current) * _SCALES[word]
            group = current = 0
    value = total + group + current
    return -value if negative else value


@given(st.integers(min_value=-(10**15) + 1, max_value=10**15 - 1))
def test_terbilang_reads_back(n):
    text = terbilang(n)
    assert _words_to_int(text) == n
    # never the non-standard forms
    for wrong in ("satu ratus", "satu puluh", "satu belas", "sepuluh satu", "nol "):
        assert wrong not in text
    assert text == text.lower() and "  " not in text


@given(st.decimals(min_value=-(10**14), max_value=10**14, places=2, allow_nan=False, allow_infinity=False))
def test_terbilang_rupiah_reads_back(amount):
    text = terbilang_rupiah(amount)
    rupiah, _, cents = text.partition(" rupiah")
    sign = -1 if rupiah.startswith("minus ") else 1
    value = abs(_words_to_int(rupiah)) * 100 + (
        _words_to_int(cents.removesuffix(" sen").strip()) if cents else 0
    )
    assert sign * value == amount * 100
