"""ahsp.forms.fields: the number, week, week-shares and id-list fields every form uses. Pure, no DB."""

from decimal import Decimal

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from ahsp.forms.fields import (
    MAX_IDS,
    DecimalInputField,
    IdListField,
    IntegerInputField,
    WeekField,
    WeekSharesField,
    XlsxFileField,
)

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


# --- weeks and week shares (the Gantt's plan forms) -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3:25; 4:25; 5:50", {3: D(25), 4: D(25), 5: D(50)}),
        ("3:33,3333\n4:33,3333\n5 : 33,3334 %", {3: D("33.3333"), 4: D("33.3333"), 5: D("33.3334")}),
        ("M1=100", {1: D(100)}),
        ("minggu ke-2: 12.5; 3:87,5;", {2: D("12.5"), 3: D("87.5")}),
    ],
)
def test_week_shares_are_read_in_every_written_form(text, expected):
    assert WeekSharesField().clean(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("3:-5", "Minggu ke-3: "),
        ("3:33,33333", "Minggu ke-3: "),
        ("x:100", "“x:100”: nomor minggu harus bilangan bulat, mis. 3:25."),
        ("1234567:100", "nomor minggu harus bilangan bulat"),
        ("2 50", "“2 50”: tulis minggu dan persen dengan titik dua, mis. 3:25."),
        ("2:50; 2:50", "Minggu ke-2 ditulis lebih dari sekali."),
        ("", "Isi persentase per minggu, mis. 3:25; 4:25; 5:50."),
        (" ; ", "Isi persentase per minggu, mis. 3:25; 4:25; 5:50."),
    ],
)
def test_week_shares_refuse_with_one_message(text, message):
    with pytest.raises(forms.ValidationError) as info:
        WeekSharesField().clean(text)
    assert info.value.messages == [next(m for m in info.value.messages if message in m)]


@pytest.mark.parametrize(("text", "expected"), [("3", 3), (" 12 ", 12), ("1.000", 1000)])
def test_week_field_reads_a_whole_number(text, expected):
    assert WeekField(label="minggu mulai").clean(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Isi minggu mulai."),
        ("tiga", "Minggu mulai harus berupa bilangan bulat, mis. 3."),
        ("2,5", "Minggu mulai harus berupa bilangan bulat, mis. 3."),
        ("-3", "Minggu mulai harus berupa bilangan bulat, mis. 3."),
    ],
)
def test_week_field_names_itself_in_its_message(text, message):
    with pytest.raises(forms.ValidationError) as info:
        WeekField(label="minggu mulai").clean(text)
    assert info.value.messages == [message]


# --- id lists ----------------------------------------------------------------------------------------------


def test_id_list_keeps_the_valid_ids_and_ignores_the_rest():
    field = IdListField()
    assert field.clean(["12", " 15 ", "0", "-1", "²", "1e3", "99999999999999999999", "12"]) == {12, 15}
    assert field.clean([]) == set() and field.clean(None) == set() and field.clean("7") == {7}


def test_id_list_reads_only_the_first_max_ids_values():
    values = [str(n) for n in range(1, MAX_IDS + 50)]
    assert IdListField().clean(values) == set(range(1, MAX_IDS + 1))


def test_id_list_comes_from_every_posted_value():
    class Sections(forms.Form):
        open = IdListField()

    data = QueryDict("open=3&open=x&open=5")
    form = Sections(data)
    assert form.is_valid() and form.cleaned_data["open"] == {3, 5}
    assert 'type="hidden"' in str(Sections(initial={"open": [3]})["open"])


# --- workbook uploads ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("harga.csv", b"a;b", "Berkas harus berformat Excel .xlsx."),
        ("harga.xlsx", b"x" * 11, "terlalu besar (batas uji)"),
    ],
)
def test_xlsx_field_refuses_another_format_and_a_too_large_file(name, content, message):
    field = XlsxFileField(max_bytes=10, too_large="terlalu besar (batas uji)")
    with pytest.raises(forms.ValidationError) as info:
        field.clean(SimpleUploadedFile(name, content))
    assert info.value.messages == [message]


def test_xlsx_field_accepts_a_workbook_within_the_limit_whatever_the_case_of_its_name():
    upload = SimpleUploadedFile("HARGA.XLSX", b"x" * 10)
    assert XlsxFileField(max_bytes=10, too_large="-").clean(upload) is upload
