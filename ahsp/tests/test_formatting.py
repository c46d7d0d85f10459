from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from ahsp.formatting import (
    coefficient_places,
    format_coefficient,
    format_input,
    format_money,
    format_number,
    format_quantity,
    format_trimmed,
    format_volume,
)
from ahsp.parsing import parse_decimal


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


# ------------------------------------------------------- decimals that mean something (issue 11 §12)

D = Decimal


@pytest.mark.parametrize(
    ("value", "min_places", "max_places", "expected"),
    [
        (D("12.5000"), 2, 4, "12,50"),
        (D("13.632"), 2, 4, "13,632"),
        (D("0.0255"), 0, 6, "0,0255"),
        (D("1500"), 0, 6, "1.500"),
        (D("1500.000000"), 2, 2, "1.500,00"),
        (D("12.50"), 0, 2, "12,5"),
        (D("0.12345678"), 0, 6, "0,123457"),  # half-up beyond max_places
        (D("9.99995"), 2, 4, "10,00"),  # rounding up to a whole number keeps the minimum
        (D("0"), 0, 6, "0"),
        (D("0E-10"), 2, 4, "0,00"),
        (D("-1.25"), 0, 6, "-1,25"),
        (None, 0, 6, ""),
    ],
)
def test_format_trimmed(value, min_places, max_places, expected):
    assert format_trimmed(value, min_places, max_places) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D("12.5"), "12,50"),
        (D("12.5000"), "12,50"),
        (D("13.632"), "13,632"),
        (D("0.0255"), "0,0255"),
        (D("1500"), "1.500,00"),
        (D("10.0000"), "10,00"),
    ],
)
def test_format_volume_shows_a_volume_as_entered(value, expected):
    assert format_volume(value) == expected


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (D("0.750000"), 2, "0,75"),
        (D("0.0255"), 4, "0,0255"),
        (D("13.632"), 3, "13,632"),  # three decimals: fine with the Indonesian reading
        (D("1.125"), 3, "1,125"),
        (D("1.000000"), 0, "1"),
        (D("26.406"), 3, "26,406"),
        (D("0.123456"), 6, "0,123456"),
    ],
)
def test_coefficients_are_trimmed(value, places, expected):
    assert coefficient_places(value) == places
    assert format_coefficient(value) == expected


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=6, allow_nan=False, allow_infinity=False))
def test_trimmed_numbers_read_back_in_both_languages(value):
    """What the screen shows and what an input is prefilled with parse back to the value shown."""
    assert parse_decimal(format_trimmed(value, 0, 6), allow_negative=True, language="id") == value
    assert parse_decimal(format_coefficient(value), allow_negative=True, language="id") == value
    for language in ("id", "en"):
        text = format_input(value, 0, 6, language=language)
        assert parse_decimal(text, allow_negative=True, language=language) == value


def test_format_input_follows_the_language():
    assert format_input(D("1500000000"), 2, 2, language="id") == "1.500.000.000,00"
    assert format_input(D("1500000000"), 2, 2, language="en") == "1,500,000,000.00"
    assert format_input(D("13.632"), 0, 6, language="en") == "13.632"
    with translation.override("en"):
        assert format_input(D("12.5"), 0, 2) == "12.5"
    with translation.override("id"):
        assert format_input(D("12.5"), 0, 2) == "12,5"
    assert format_input(None) == ""


@pytest.mark.parametrize(
    ("template", "value", "expected"),
    [
        ("{{ v|volume }}", D("12.5000"), "12,50"),
        ("{{ v|quantity }}", D("9.0750"), "9,075"),  # no places: 2 to 4 as meaningful
        ("{{ v|quantity:4 }}", D("9.075"), "9,0750"),  # fixed places stay fixed
        ("{{ v|bobot }}", D("50.427447"), "50,43"),
        ("{{ v|coefficient }}", D("0.025500"), "0,0255"),
        ("{{ v|coefficient }}", None, ""),
        ("{{ v|trimmed:2 }}", D("12.50"), "12,5"),
        ('{{ v|input_number:"2,4" }}', D("1500"), "1.500,00"),
        ('{{ v|input_number:"2,2" }}', D("65000"), "65.000,00"),
        ("{{ v|input_number }}", D("13.632000"), "13,632"),
        ("{{ v|input_number }}", None, ""),
    ],
)
def test_template_filters(template, value, expected):
    rendered = Template("{% load ahsp_tags %}" + template).render(Context({"v": value}))
    assert rendered == expected
