"""ahsp.forms.fields: the number fields every form uses. Pure, no DB."""

from decimal import Decimal

import pytest
from django import forms
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from ahsp.forms.fields import DecimalInputField, IntegerInputField

D = Decimal


def test_widget_is_a_text_input_with_a_decimal_keyboard():
    html = DecimalInputField().widget.render("x", None)
    assert 'type="text"' in html and 'inputmode="decimal"' in html and "number" not in html
    assert 'inputmode="numeric"' in IntegerInputField().widget.render("y", None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1.500.000.000", D("1500000000")), ("12,5", D("12.5")), ("Rp 1.500,50", D("1500.50")), ("", None)],
)
def test_clean_reads_indonesian_numbers(text, expected):
    assert DecimalInputField(max_places=2, required=False).clean(text) == expected


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        (DecimalInputField(min_value=0, max_value=100), "101", "Harus antara 0 dan 100."),
        (DecimalInputField(min_value=1), "0,5", "Tidak boleh kurang dari 1."),
        (DecimalInputField(max_value=D("1000000")), "2.000.000", "Tidak boleh lebih dari 1.000.000."),
        (IntegerInputField(min_value=1990, max_value=2100), "1989", "Harus antara 1990 dan 2100."),
        (IntegerInputField(), "12,5", "Harus bilangan bulat"),
        (DecimalInputField(), "abc", "bukan angka"),
        (DecimalInputField(), "", "Angka wajib diisi."),
    ],
)
def test_clean_refuses_with_a_clear_message(field, text, message):
    with pytest.raises(forms.ValidationError) as info:
        field.clean(text)
    assert message in " ".join(info.value.messages)


def test_integer_field_returns_an_int_and_shows_a_year_ungrouped():
    field = IntegerInputField()
    assert field.clean("2.026") == 2026 and isinstance(field.clean("2026"), int)
    assert field.prepare_value(2026) == "2026"


def test_stored_values_are_shown_formatted_and_typed_text_is_left_alone():
    money = DecimalInputField(max_places=2, shown_places=(2, 2))
    assert money.prepare_value(D("1500000000")) == "1.500.000.000,00"
    assert DecimalInputField(max_places=2).prepare_value(D("12.50")) == "12,5"
    assert money.prepare_value("1.500.000.000") == "1.500.000.000"  # what the user typed
    with translation.override("en"):
        assert money.prepare_value(D("1500000000")) == "1,500,000,000.00"


@given(
    st.decimals(min_value=0, max_value=10**13, places=2, allow_nan=False, allow_infinity=False),
    st.sampled_from(["id", "en"]),
    st.sampled_from([(0, 2), (2, 2)]),
)
def test_a_shown_value_saves_back_unchanged(value, language, shown_places):
    """Opening an edit form and saving it as shown never changes a number, in either language."""
    field = DecimalInputField(max_places=2, shown_places=shown_places)
    with translation.override(language):
        assert field.clean(field.prepare_value(value)) == value
