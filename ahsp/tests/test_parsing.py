"""ahsp.parsing.parse_decimal: numbers typed by users. Pure, no DB."""

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ahsp.formatting import format_number
from ahsp.parsing import NumberInputError, parse_decimal

D = Decimal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234,56", "1234.56"),  # Indonesian
        ("1.234.567", "1234567"),  # several dots: thousands
        ("1.234.567,89", "1234567.89"),
        ("0,5", "0.5"),
        ("1234.56", "1234.56"),  # plain
        ("1234,56", "1234.56"),
        ("1,234.56", "1234.56"),  # English grouping
        ("1,234,567", "1234567"),
        ("1,234,567.5", "1234567.5"),
        ("1234", "1234"),
        ("0,500", "0.500"),  # 0 cannot start a thousands group: decimal
        ("0.125", "0.125"),
        ("1234.567", "1234.567"),  # 4-digit integer part: cannot be a thousands group
        ("12.5", "12.5"),
        ("12,3456", "12.3456"),
        ("1,50", "1.50"),  # decimals kept as typed
        ("  42  ", "42"),
        ("\t1.234,5\n", "1234.5"),
        ("Rp 1.234.567", "1234567"),
        ("Rp1.234.567,00", "1234567.00"),
        ("rp. 2.500.000", "2500000"),
        ("1 234 567", "1234567"),  # spaces as thousands separators
        ("1 234 567,5", "1234567.5"),
        ("1\u00a0234,5", "1234.5"),  # non-breaking space (copied from a spreadsheet)
        ("1 234,567", "1234.567"),  # space grouping shows the comma is the decimal
        (",5", "0.5"),
        ("007", "7"),
        ("0", "0"),
        ("0,000", "0.000"),
        ("+5", "5"),
        ("0,1234560000", "0.123456"),  # trailing zeros beyond 6 places dropped
        ("999999999999999,999999", "999999999999999.999999"),  # 15 integer digits: the limit
    ],
)
def test_parse_decimal_accepts(text, expected):
    result = parse_decimal(text)
    assert result == D(expected)
    assert str(result) == expected  # exponent as typed


@pytest.mark.parametrize(
    ("text", "kwargs", "expected"),
    [
        ("-1.234,5", {"allow_negative": True}, "-1234.5"),
        ("-Rp 1.000.000", {"allow_negative": True}, "-1000000"),
        ("Rp -1.000.000", {"allow_negative": True}, "-1000000"),
        ("\u22122,5", {"allow_negative": True}, "-2.5"),  # U+2212 minus sign
        ("-0", {"allow_negative": True}, "0"),  # never -0
        ("1,5", {"max_places": 2}, "1.5"),
        ("12,00", {"max_places": 0}, "12"),  # only zeros after the comma: fine for an integer field
        ("1,1234567891", {"max_places": 10}, "1.1234567891"),
    ],
)
def test_parse_decimal_options(text, kwargs, expected):
    result = parse_decimal(text, **kwargs)
    assert str(result) == expected


@pytest.mark.parametrize(
    ("text", "kwargs", "code", "fragment"),
    [
        ("", {}, "empty", "wajib diisi"),
        ("   ", {}, "empty", "wajib diisi"),
        (None, {}, "empty", "wajib diisi"),
        ("abc", {}, "invalid", "bukan angka"),
        ("12a", {}, "invalid", "bukan angka"),
        ("1e5", {}, "invalid", "bukan angka"),  # no scientific notation
        ("Rp", {}, "invalid", "bukan angka"),
        (".", {}, "invalid", "bukan angka"),
        ("--5", {}, "invalid", "bukan angka"),
        ("1/2", {}, "invalid", "bukan angka"),
        ("١٢", {}, "invalid", "bukan angka"),  # Arabic-Indic digits are not accepted
        ("1.23.4", {}, "grouping", "tidak konsisten"),
        ("1,234.5.6", {}, "grouping", "tidak konsisten"),
        ("1.2345.678", {}, "grouping", "tidak konsisten"),
        ("1234.567.890", {}, "grouping", "tidak konsisten"),  # first group of 4
        ("0.123.456", {}, "grouping", "tidak konsisten"),  # a group cannot start with 0
        ("12,34.5", {}, "grouping", "tidak konsisten"),
        ("12 34", {}, "grouping", "tidak konsisten"),
        ("0,12 34", {}, "grouping", "desimal"),
        ("5,", {}, "incomplete", "tidak lengkap"),
        ("1.234.", {}, "grouping", "tidak konsisten"),
        ("1,1234567", {}, "places", "Paling banyak 6 angka di belakang koma"),
        ("1,1255", {"max_places": 2}, "places", "Paling banyak 2 angka"),
        ("1,5", {"max_places": 0}, "places", "bilangan bulat"),
        ("1234567890123456", {}, "too_large", "terlalu besar"),  # 16 integer digits
        ("1.234.567.890.123.456,5", {}, "too_large", "terlalu besar"),
        ("-5", {}, "negative", "tidak boleh negatif"),
        ("-0", {}, "negative", "tidak boleh negatif"),
        ("1,5000", {"language": "id", "max_places": 0}, "places", "bilangan bulat"),
        ("1.500,5.0", {}, "grouping", "tidak konsisten"),
        ("1.5000.000", {"language": "id"}, "grouping", "tidak konsisten"),
    ],
)
def test_parse_decimal_rejects(text, kwargs, code, fragment):
    with pytest.raises(NumberInputError) as info:
        parse_decimal(text, **kwargs)
    assert info.value.code == code
    assert fragment in str(info.value)
    assert isinstance(info.value, ValueError)


def test_parse_decimal_quotes_long_input_briefly():
    with pytest.raises(NumberInputError) as info:
        parse_decimal("x" * 500)
    assert len(str(info.value)) < 150


def test_parse_decimal_rejects_non_string():
    with pytest.raises(TypeError):
        parse_decimal(12)


# Worked out by hand: a lone separator followed by exactly three digits (after a 1-3 digit integer part
# not starting with 0) groups thousands when it is the language's thousands separator, else it is decimal.
@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("1.500", "id", "1500"),
        ("1.500", "en", "1.500"),
        ("1,500", "id", "1.500"),
        ("1,500", "en", "1500"),
        ("13,632", "id", "13.632"),
        ("13.632", "en", "13.632"),
        ("13.632", "id", "13632"),
        ("13,632", "en", "13632"),
        ("999.999", "id", "999999"),
        ("999.999", "en", "999.999"),
        ("Rp 1.500", "id", "1500"),
        ("Rp 1,500", "en", "1500"),
        ("-1.234", "id", "-1234"),
        ("-1.234", "en", "-1.234"),
        ("1.125", "en", "1.125"),
        ("1,125", "id", "1.125"),
        # Decimal in both: a thousands group never starts with 0, never follows 4 digits, has 3 digits.
        ("1234.56", "id", "1234.56"),
        ("1234.56", "en", "1234.56"),
        ("1234,56", "id", "1234.56"),
        ("1234,56", "en", "1234.56"),
        ("1234.567", "id", "1234.567"),
        ("1234,567", "en", "1234.567"),
        ("0.500", "id", "0.500"),
        ("0,500", "en", "0.500"),
        ("12.5", "id", "12.5"),
        ("12,5", "en", "12.5"),
        ("1.5000", "id", "1.5000"),
        (".500", "id", "0.500"),
        ("1 234.567", "id", "1234.567"),  # spaces group: the dot is the decimal
        # Both separators, or one repeated: the same reading in both languages.
        ("1.500.000.000", "id", "1500000000"),
        ("1.500.000.000", "en", "1500000000"),
        ("1,500,000,000", "id", "1500000000"),
        ("1.500.000.000,00", "en", "1500000000.00"),
        ("1,500,000,000.00", "id", "1500000000.00"),
        ("1.234,567", "en", "1234.567"),
        ("1,234.567", "id", "1234.567"),
        # Language codes as Django reports them.
        ("1,500", "en-us", "1500"),
        ("1.500", "id-id", "1500"),
        ("1.500", "", "1500"),  # empty: the default, Indonesian
    ],
)
def test_parse_decimal_by_language(text, language, expected):
    result = parse_decimal(text, language=language or None, allow_negative=True)
    assert str(result) == expected


@pytest.mark.parametrize(
    ("language", "active", "text", "expected"),
    [
        (None, "id", "1.500", "1500"),
        (None, "en", "1.500", "1.500"),
        (None, "en", "1,500", "1500"),
        ("id", "en", "1.500", "1500"),  # an explicit language wins over the active one
        ("en", "id", "1.500", "1.500"),
    ],
)
def test_parse_decimal_follows_the_active_language(language, active, text, expected):
    from django.utils import translation

    with translation.override(active):
        assert str(parse_decimal(text, language=language)) == expected


def test_parse_decimal_defaults_to_indonesian_without_an_active_language():
    from django.utils import translation

    with translation.override(None):
        assert parse_decimal("1.500") == 1500
        assert parse_decimal("13,632") == D("13.632")


def test_format_number_reads_back_with_any_places():
    """What the app displays reads back exactly in the Indonesian UI, including 3 and 0 places."""
    assert parse_decimal(format_number(D("1.5"), 3), language="id") == D("1.5")
    assert parse_decimal(format_number(D("1234"), 0), language="id") == 1234
    assert parse_decimal(format_number(D("13.632"), 3), language="id") == D("13.632")


# ------------------------------------------------------------------------------------- properties

values_6 = st.decimals(
    min_value=-(10**15) + 1, max_value=10**15 - 1, places=6, allow_nan=False, allow_infinity=False
)


@given(values_6, st.sampled_from([6, 7, 8]))
def test_parse_decimal_reads_back_the_displayed_format(value, places):
    """Any value with up to 6 places, displayed the app's way (dot thousands, comma decimals, always a
    decimal part; format_number with 6+ places as for coefficients) parses back exactly."""
    text = format_number(value, places)
    assert parse_decimal(text, allow_negative=True, max_places=6) == value


@given(
    st.decimals(
        min_value=-(10**15) + 1, max_value=10**15 - 1, places=2, allow_nan=False, allow_infinity=False
    )
)
def test_parse_decimal_reads_back_money_format(value):
    assert parse_decimal(format_number(value, 2), allow_negative=True) == value
    assert parse_decimal("Rp " + format_number(abs(value), 2)) == abs(value)


@given(
    st.decimals(
        min_value=-(10**15) + 1, max_value=10**15 - 1, places=4, allow_nan=False, allow_infinity=False
    )
)
def test_parse_decimal_reads_back_quantity_format(value):
    assert parse_decimal(format_number(value, 4), allow_negative=True) == value


_THOUSANDS_SHAPE = re.compile(r"^-?[1-9]\d{0,2}[.,]\d{3}$")


def _english(text: str) -> str:
    return text.translate(str.maketrans(".,", ",."))


@given(values_6.filter(lambda d: d != d.to_integral_value()))
def test_parse_decimal_reads_back_plain_str(value):
    """str(d) of a Decimal with a decimal part round-trips in the English UI; in the Indonesian UI too,
    except the shape of a thousands group ("12.345", read as 12345)."""
    text = str(value)
    assert parse_decimal(text, allow_negative=True, language="en") == value
    expected = Decimal(text.replace(".", "")) if _THOUSANDS_SHAPE.match(text) else value
    assert parse_decimal(text, allow_negative=True, language="id") == expected


@given(values_6, st.integers(min_value=0, max_value=6))
def test_parse_decimal_reads_back_both_display_formats(value, places):
    """format_number with any places reads back in the Indonesian UI, its English spelling in the English
    UI (the places that format_number keeps; half-up rounding is format_number's)."""
    text = format_number(value, places)
    shown = Decimal(text.replace(".", "").replace(",", "."))
    assert parse_decimal(text, allow_negative=True, language="id") == shown
    assert parse_decimal(_english(text), allow_negative=True, language="en") == shown


@given(st.integers(min_value=1_000_000, max_value=10**15 - 1))
def test_parse_decimal_reads_back_grouped_integers(n):
    """Two or more thousands separators are never ambiguous."""
    assert parse_decimal(format_number(D(n), 0)) == n
    assert parse_decimal(f"{n:,}") == n


@given(
    st.text(max_size=40) | st.text(alphabet="0123456789.,- Rp+", max_size=25),
    st.sampled_from(["id", "en", None]),
)
def test_parse_decimal_only_raises_number_input_error(text, language):
    try:
        result = parse_decimal(text, allow_negative=True, language=language)
    except NumberInputError as error:
        assert str(error)
    else:
        assert isinstance(result, Decimal) and result.is_finite()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Rp 100.000", Decimal("100000")),  # a price cannot have 3 decimals: thousands
        ("65.000", Decimal("65000")),
        ("12,500", Decimal("12500")),
        ("0,500", Decimal("0.50")),  # 0 never starts a thousands group: still a decimal
        ("1.250,50", Decimal("1250.50")),
    ],
)
def test_three_digit_group_is_thousands_when_at_most_two_decimals_are_allowed(text, expected):
    assert parse_decimal(text, max_places=2, language="id") == expected
    assert parse_decimal(text, max_places=2, language="en") == expected


def test_messages_follow_the_active_language():
    from django.utils import translation

    with pytest.raises(NumberInputError) as indonesian:
        parse_decimal("abc")
    with translation.override("en"), pytest.raises(NumberInputError) as english:
        parse_decimal("abc")
    assert "bukan angka" in indonesian.value.message
    assert english.value.message == "“abc” is not a number. Write only the number, e.g. 1.234,56 or 1234.56."
