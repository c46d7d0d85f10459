"""The pure cleaning layer of the SNI importer: no database, expected values worked out by hand."""

import re
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ahsp.formatting import format_number, format_quantity
from ahsp.importers import sni_values
from ahsp.importers.review import FLAGGED, MERGED, REJECTED, REPAIRED, RESOLVED, WHOLE_ROW, format_row_numbers
from ahsp.importers.sni_nested import (
    AMBIGUOUS,
    EXACT,
    PLACEHOLDER,
    SIMILAR,
    Candidate,
    NestedResolver,
    Reference,
)
from ahsp.importers.sni_parse import FLAG_REASON_MAX_LENGTH, SourceRow, parse_library
from ahsp.importers.sni_values import (
    CoefficientError,
    clean_text,
    match_tokens,
    normalise_unit,
    parse_coefficient,
    parse_decimal_text,
    repair_lost_decimal_comma,
    token_matches,
    unit_from_name,
)
from ahsp.models import ReferenceAnalysis, ReferenceComponent, ReferenceResource, ResourceCategory

# --------------------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.6", "0.6"),
        ("1009.0", "1009.0"),
        (" 0.013 ", "0.013"),
        ("26.406", "26.406"),  # the workbook writes text with a dot decimal
        ("0,6", "0.6"),  # Indonesian decimal comma
        ("1.234,56", "1234.56"),
        ("12.345.678,5", "12345678.5"),
        ("12.345.678", "12345678"),  # several dots: only grouping
        ("1,234.56", "1234.56"),
        ("1,234,567", "1234567"),
        ("1 234,5", "1234.5"),
        (".5", "0.5"),
        ("2.5E-05", "0.000025"),
    ],
)
def test_parse_decimal_text_reads_exactly(text, expected):
    assert parse_decimal_text(text) == Decimal(expected)
    assert str(parse_decimal_text(text)) == str(Decimal(expected))


@pytest.mark.parametrize(
    "text", ["abc", "1.2.3", "1,2,3", "1.234,5.6", "12,34.5", "1.23.456", "--1", "1,5 kg", "Rp 5"]
)
def test_parse_decimal_text_rejects_unclear_text(text):
    with pytest.raises(CoefficientError, match="bukan angka"):
        parse_decimal_text(text)


@pytest.mark.parametrize(
    ("cell", "value", "kind"),
    [
        (26.406, "26.406", "number"),  # via repr: no binary noise
        (0.1, "0.1", "number"),
        (26406, "26406", "integer"),
        (26406.0, "26406.0", "integer"),  # an integral number cell is an integer cell
        ("0.6", "0.6", "text"),
        (Decimal("0.25"), "0.25", "number"),
        (0, "0", "integer"),
    ],
)
def test_parse_coefficient_cells(cell, value, kind):
    coefficient = parse_coefficient(cell)
    assert (str(coefficient.value), coefficient.kind) == (value, kind)


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        (None, "kosong"),
        ("  ", "kosong"),
        (True, "bukan angka"),
        (-1, "negatif"),
        ("-0.5", "negatif"),
        (float("nan"), "bukan angka"),
        (date(2025, 1, 1), "bukan angka"),
        ("satu", "bukan angka"),
    ],
)
def test_parse_coefficient_rejects(cell, message):
    with pytest.raises(CoefficientError, match=message):
        parse_coefficient(cell)


def test_parse_coefficient_rounds_beyond_six_places_half_up_and_says_so():
    coefficient = parse_coefficient("0.1234565")
    assert coefficient.value == Decimal("0.123457") and coefficient.rounded


@pytest.mark.parametrize(
    ("cell", "repaired"),
    [
        (26406, "26.406"),  # Semen PC
        (83349, "83.349"),  # Kerikil
        (1351, "1.351"),  # Pekerja OH
        (1000, "1.000"),
        (387836, "387.836"),
        (999, None),  # below the threshold: taken as written
        ("26406", None),  # text is taken as written
        ("1009.0", None),
        (1009.5, None),  # fractional number cell
    ],
)
def test_repair_lost_decimal_comma_only_for_integer_cells_from_1000(cell, repaired):
    result = repair_lost_decimal_comma(parse_coefficient(cell))
    assert result == (None if repaired is None else Decimal(repaired))


@settings(database=None)
@given(st.integers(min_value=1000, max_value=10**12))
def test_repair_is_exactly_a_division_by_1000(number):
    assert repair_lost_decimal_comma(parse_coefficient(number)) * 1000 == number


coefficients = st.decimals(min_value=0, max_value=Decimal("99999999.999999"), places=6, allow_nan=False)


@settings(database=None)
@given(coefficients)
def test_plain_text_round_trips_exactly(value):
    assert parse_coefficient(format(value, "f")).value == value
    assert parse_coefficient(str(value)).value == value


@settings(database=None)
@given(coefficients, st.integers(min_value=1, max_value=6))
def test_indonesian_format_round_trips_exactly(value, places):
    """As the app writes quantities: dot thousands, comma decimals (`1.234,5678`)."""
    value = value.quantize(Decimal(1).scaleb(-places))
    assert parse_coefficient(format_number(value, places)).value == value
    assert parse_coefficient(format_quantity(value, 6)).value == value


@settings(database=None)
@given(st.text(alphabet="0123456789.,", min_size=1, max_size=14))
def test_separators_never_invent_lose_or_reorder_digits(text):
    """Whatever the parser accepts keeps the digits in order; a lone separator is the decimal one.

    (An Indonesian integer without decimals, `1.234`, reads as 1.234: the workbook's own text is
    dot-decimal. Values written by the app always carry a decimal comma, see the round trip above.)
    """
    try:
        value = parse_decimal_text(text)
    except CoefficientError:
        return
    digits = "".join(map(str, value.as_tuple().digits)).lstrip("0")
    assert digits == re.sub(r"\D", "", text).lstrip("0")
    separators = [c for c in text if c in ".,"]
    if len(separators) == 1:
        assert -value.as_tuple().exponent == len(text) - text.index(separators[0]) - 1


# ------------------------------------------------------------------------------------------ text


@pytest.mark.parametrize(
    ("raw", "text", "mojibake", "spaces"),
    [
        ("Tebas  tebang", "Tebas tebang", False, True),
        (" Pekerja ", "Pekerja", False, True),
        ("Slump (100 Â±  25) mm", "Slump (100 ± 25) mm", True, True),
        ("tanaman âˆ… 2 cm", "tanaman ∅ 2 cm", True, False),
        ("mÂ²", "m²", True, False),
        ("Baja â‰¥ 12 mm", "Baja ≥ 12 mm", True, False),
        ("TotalÂ\xa0Biaya", "Total Biaya", True, True),
        ("Pekerja", "Pekerja", False, False),
        (None, "", False, False),
        (12, "12", False, False),
    ],
)
def test_clean_text(raw, text, mojibake, spaces):
    cleaned = clean_text(raw)
    assert cleaned.text == text
    assert (any("mojibake" in r for r in cleaned.reasons), any("spasi" in r for r in cleaned.reasons)) == (
        mojibake,
        spaces,
    )


@pytest.mark.parametrize(
    ("raw", "unit", "changed"),
    [
        ("m3", "m3", False),
        ("M3", "m3", True),
        ("mÂ²", "m2", True),
        ("Kg", "kg", True),
        ("Bh", "buah", True),
        ("Buah", "buah", True),
        ("buah", "buah", False),
        ("Unit", "unit", True),
        ("unit hari", "unit-hari", True),
        ("unit/hari", "unit-hari", True),
        ("buah hari", "buah-hari", True),
        ("OH", "OH", False),
        ("oh", "OH", True),
        ("OJ", "OJ", False),
        ("Hari", "hari", True),
        (" Lot ", "lot", True),
        ("M", "m", True),
        ("m'", "m'", False),
        ("Gulung", "gulung", True),
        (None, "", False),
    ],
)
def test_normalise_unit(raw, unit, changed):
    result = normalise_unit(raw)
    assert (result.value, result.changed, result.implausible) == (unit, changed, False)


def test_normalise_unit_marks_a_pasted_note_and_cuts_it_to_fit():
    note = "bulan bulan hari hari orang orang hari hari hari/m2"
    assert len(note) == 51
    unit = normalise_unit(note)
    assert unit.implausible and unit.value == note and "51 karakter" in unit.reasons[0]
    long_unit = normalise_unit("x" * 70)
    assert long_unit.implausible and len(long_unit.value) == 60
    assert any("dipotong" in r for r in long_unit.reasons)


@pytest.mark.parametrize(
    ("name", "unit"),
    [
        ("Pembuatan 1 m3 pagar sementara dari kayu tinggi 2 meter", "m3"),
        ("Pemasangan 1 buah kloset duduk", "buah"),
        ("Pemasangan 1 Buah Wastafel", "buah"),
        ("Pemasangan 1 titik instalasi stop kontak", "titik"),
        ("1 m2 pembersihan dan pengupasan permukaan tanah (Striping) s.d. tanaman ∅ 2 cm", "m2"),
        ("Pemasangan 1 m' list profil kayu", "m'"),
        ('Pemasangan 1 m Pipa HDPE,DN. 1" (25 mm)', "m"),
        ("Pemasangan 1 m² keramik", "m2"),
        ("Pemasangan 1 Unit Kloset", "unit"),
        ("Pemasangan 10 m pipa PVC", "10 m"),
        ("1 kg Penulangan slab untuk BjTS diameter < 12 mm", "kg"),
        ("1 Ton Pekerjaan Lapis Antara (AC-BC)", "ton"),
        ("Gali dan cabut 1 tunggul pohon tanaman keras ∅ > 5 s.d. 15 cm", "tunggul"),
        (
            "Tebas tebang 1 batang pohon ∅ > 50 cm (diameter pohon diukur 1 m di atas permukaan tanah)",
            "batang",
        ),
        ("Pengukuran Ulang Topografi Seluas 1 Ha", "ha"),
        ("Per-m' penetrasi Tiang Beton Persegi 20 cm x 20 cm secara mekanis", "m'"),
        ("Penanaman pada Lereng Tanah 1:2, Metode Hydroseeding per m2 Permukaan Lereng", "m2"),
        ("Penyiraman untuk 1 Hari (dengan Selang Plastik 3/4 inch) untuk 1 Buah Pohon/Palem", "buah"),
        ("Penyiraman untuk 1 Hari di Tanah Subur di Kelerengan Tanah 1:2 per m2", "m2"),
        ("Sewa Water Truck untuk Penyiraman Satuan Pekerjaan : hari", "hari"),
        ("Pembuatan  1  m3  beton (Lihat Peraturan Menteri ... Lampiran B)", "m3"),
        # dimensions, not the unit
        ("Pengadaan dan Pengangkutan Pohon Kecil di Polybag 20 Liter", None),
        ("Patok kayu (kaso 5/7) panjang 0,5 m' (Lihat Peraturan Menteri)", None),
        ("Pengecoran pakai pompa beton ø1,5\"; 5 KW; 8 bar; T = 5 m'", None),
        ("Patok Tetap Bantu (PTB)", None),
        ("Pemasangan", None),
        ("", None),
    ],
)
def test_unit_from_name(name, unit):
    assert unit_from_name(name) == unit


@pytest.mark.parametrize(
    ("word", "words", "expected"),
    [
        ("galian", {"penggalian", "tanah"}, True),  # Indonesian prefix
        ("pasir", {"berpasir"}, True),
        ("tanah", {"tanah"}, True),
        ("15", {"115"}, False),  # numbers only match themselves
        ("cor", {"pengecoran"}, False),  # too short to match inside another word
        ("beton", {"betonan"}, False),
    ],
)
def test_token_matches(word, words, expected):
    assert token_matches(word, frozenset(words)) is expected


def test_match_tokens_normalise_concrete_grade_and_drop_the_regulation_note():
    assert match_tokens("Beton fc' 15 MPa") == {"beton", "fc", "15", "mpa"}
    assert match_tokens("1 m3 beton mutu f'c 15 MPa (Lihat Peraturan Menteri PUPR 8 (c))") == {
        "1",
        "m3",
        "beton",
        "mutu",
        "fc",
        "15",
        "mpa",
    }


@pytest.mark.parametrize(
    ("rows", "text"),
    [([2, 3, 4, 9], "2-4, 9"), ([], ""), ([5], "5"), ([6, 5, 5], "5-6"), ([1, 3, 5], "1, 3, 5")],
)
def test_format_row_numbers(rows, text):
    assert format_row_numbers(rows) == text


# ------------------------------------------------------------------------------ nested references


def resolver(*candidates):
    return NestedResolver(Candidate(code, name, unit, has) for code, name, unit, has in candidates)


def test_nested_exact_name_is_resolved():
    nested = resolver(("1.2.1", "Galian tanah biasa", "", True), ("1.2.2", "Galian tanah keras", "m3", True))
    result = nested.resolve(Reference(10, "1.1.4.5", "Galian  tanah biasa", "m3"))
    assert result == (result.__class__("1.2.1", EXACT, ("1.2.1",)))


def test_nested_similar_names_pick_the_first_code_in_natural_order():
    nested = resolver(
        ("1.2.10", "Penggalian 1 m3 tanah biasa sedalam > 1 m", "m3", True),
        ("1.2.9", "Penggalian 1 m3 tanah biasa sedalam s.d. 1 m", "m3", True),
        ("1.2.2", "Penggalian 1 m3 tanah biasa tanpa komponen", "m3", False),  # empty: not a candidate
        ("1.3.1", "Penggalian 1 m2 tanah biasa", "m2", True),  # other unit
    )
    result = nested.resolve(Reference(10, "1.1.4.5", "Galian tanah biasa", "m3"))
    assert (result.target, result.kind, result.candidates) == ("1.2.9", AMBIGUOUS, ("1.2.9", "1.2.10"))
    single = resolver(("2.2.1", "1 m3 beton mutu f'c 15 MPa manual", "m3", True))
    assert single.resolve(Reference(11, "1.1.4.5", "Beton fc' 15 MPa", "m3")).kind == SIMILAR


def test_nested_not_found_makes_one_placeholder_per_name_and_unit():
    nested = resolver(
        ("1.1.2.6", "Jalan tanah 1 m2", "m2", True), ("1.1.2.7", "Jalan kerikil 1 m2", "m2", True)
    )
    first = nested.resolve(Reference(5, "1.1.2.6", "Sewa Lahan", "m2"))
    again = nested.resolve(Reference(9, "1.1.2.7", "Sewa  lahan", "m2"))
    other_unit = nested.resolve(Reference(10, "1.1.2.7", "Sewa lahan", "hari"))
    assert (first.kind, first.target) == (PLACEHOLDER, "1.1.2.6.R1")
    assert again.target == "1.1.2.6.R1"
    assert other_unit.target == "1.1.2.7.R1"
    assert [p.code for p in nested.placeholders.values()] == ["1.1.2.6.R1", "1.1.2.7.R1"]


def test_nested_never_creates_a_cycle():
    nested = resolver(("A", "Pekerjaan alfa", "m3", True), ("B", "Pekerjaan beta", "m3", True))
    assert nested.resolve(Reference(1, "A", "Pekerjaan beta", "m3")).target == "B"
    assert nested.resolve(Reference(2, "B", "Pekerjaan alfa", "m3")).kind == PLACEHOLDER


# --------------------------------------------------------------------------------- whole library

CEMENT = ("B.1871", "Bahan", "Semen Portland (PC)", "kg")
WORKER = ("TK.0008", "Tenaga Kerja", "Pekerja", "OH")


def line(row, code, name, resource, coefficient, *, item=None, unit=None):
    item_code, kategori, item_name, item_unit = resource
    return SourceRow(
        row,
        code,
        name,
        item_code,
        kategori,
        item or item_name,
        item_unit if unit is None else unit,
        coefficient,
    )


def reviews(library, row):
    return [(r.column, r.action) for r in library.review_rows if r.row == row]


def test_library_repairs_lost_decimal_comma_flags_it_and_cites_the_evidence():
    library = parse_library(
        [
            line(2, "1.1", "Pembuatan 1 m3 pagar", CEMENT, "26.406"),
            line(3, "1.2", "Pembuatan 1 m3 pagar seng", CEMENT, 26406),
            line(4, "1.2", "Pembuatan 1 m3 pagar seng", WORKER, "0.6"),
        ]
    )
    [component, worker] = library.analyses["1.2"].components
    assert component.coefficient == Decimal("26.406") and component.raw_coefficient == "26406"
    assert component.is_flagged and "koma desimal hilang" in component.flag_reason and component.repaired
    assert not worker.is_flagged and worker.coefficient == Decimal("0.6")
    [review] = [r for r in library.review_rows if r.row == 3]
    assert (review.column, review.value, review.action) == ("koefisien", "26406", REPAIRED)
    assert "dibagi 1000" in review.reason and "baris 2" in review.reason
    analysis = library.analyses["1.2"]
    assert analysis.is_suspicious and "dibagi 1000" in "\n".join(analysis.notes)
    assert not library.analyses["1.1"].is_suspicious


def test_library_flags_large_coefficients_written_with_decimals():
    library = parse_library([line(2, "2.2", "1 m3 beton", ("B.0846", "Bahan", "Kerikil", "kg"), "1009.0")])
    [component] = library.analyses["2.2"].components
    assert component.coefficient == Decimal("1009.0") and component.is_flagged and not component.repaired
    assert reviews(library, 2) == [("koefisien", FLAGGED), ("koefisien", RESOLVED)]


def test_library_merges_exact_duplicates_and_flags_repeats_with_other_values():
    name = "1 kg Penulangan"
    library = parse_library(
        [
            line(2, "2.2.1", name, WORKER, "0.0016"),
            line(3, "2.2.1", name, CEMENT, "0.028"),
            line(4, "2.2.1", name, WORKER, "0.0016"),  # exact duplicate of row 2
            line(5, "2.2.1", name, CEMENT, "0.030"),  # same resource, other value
        ]
    )
    components = library.analyses["2.2.1"].components
    assert [(c.source_row, c.position) for c in components] == [(2, 1), (3, 2), (5, 3)]
    assert reviews(library, 4) == [(WHOLE_ROW, MERGED)]
    assert (
        "duplikat persis dari baris 2"
        in library.review_rows[[r.row for r in library.review_rows].index(4)].reason
    )
    assert [c.is_flagged for c in components] == [False, True, True]
    assert library.component_count == 3


def test_library_keeps_the_most_frequent_name_of_a_code_and_reports_the_other():
    library = parse_library(
        [
            line(10, "9.3.1.19", 'Pemasangan 1 m Pipa HDPE,DN. 1" (25 mm)', WORKER, "0.028"),
            line(11, "9.3.1.19", 'Pemasangan  1 m Pipa HDPE,DN. 1" (25 mm)', CEMENT, "0.014"),  # same, spaced
            line(
                12,
                "9.3.1.19",
                'Pemotongan 1 m Pipa HDPE,DN. 1" (25 mm)',
                ("B.1313", "Bahan", "Pipa", "m"),
                "1.0",
            ),
        ]
    )
    analysis = library.analyses["9.3.1.19"]
    assert analysis.name == 'Pemasangan 1 m Pipa HDPE,DN. 1" (25 mm)' and analysis.unit == "m"
    assert analysis.is_suspicious and len(analysis.components) == 3
    assert reviews(library, 12) == [("nama_ahsp", RESOLVED)]
    assert reviews(library, 11) == [("nama_ahsp", REPAIRED)]  # whitespace only: not a second name


def test_library_analysis_without_unit_in_name_is_suspicious_and_reported():
    library = parse_library([line(7, "3.16.2", "Pemasangan Signage Acrylic", WORKER, "0.5")])
    analysis = library.analyses["3.16.2"]
    assert (analysis.unit, analysis.unit_from_name, analysis.is_suspicious) == ("", False, True)
    assert reviews(library, 7) == [("nama_ahsp", FLAGGED), ("koefisien", RESOLVED)]


def test_library_rejects_a_pasted_worksheet_and_its_unit_note():
    name = "Harga Satuan Dasar Water Truck Satuan Pekerjaan : hari"
    note = "bulan bulan hari hari orang orang hari hari hari/m2"
    library = parse_library(
        [
            SourceRow(20, "4.1.1.28", name, None, None, "Kebutuhan air", None, "5.0"),
            SourceRow(
                21, "4.1.1.28", name, None, None, "Biaya maintenance Truck / bulan /", note, "1900000.0"
            ),
            SourceRow(22, "4.1.1.28", name, None, None, "Koefisien Alat", None, "0.0005"),
        ]
    )
    analysis = library.analyses["4.1.1.28"]
    assert analysis.components == [] and analysis.is_suspicious and analysis.unit == "hari"
    assert reviews(library, 20) == [("kode_ahsp", FLAGGED), ("koefisien", RESOLVED), (WHOLE_ROW, REJECTED)]
    assert reviews(library, 21) == [("satuan", REJECTED), (WHOLE_ROW, REJECTED)]
    assert library.nested_count == 0 and library.resources == {}


def test_library_resolves_references_by_name_to_nested_analyses():
    patok = "Patok Tetap Bantu (PTB)"
    library = parse_library(
        [
            line(2, "1.2.1.1.1", "Penggalian 1 m3 tanah biasa sedalam s.d. 1 m cara manual", WORKER, "0.75"),
            line(3, "2.2.1.3.1", "Pemasangan 1 m2 bekisting untuk fondasi", WORKER, "0.3"),
            line(4, "2.2.1.3.3", "Pemasangan 1 m2 bekisting untuk sloof", WORKER, "0.3"),
            SourceRow(5, "1.1.4.5", patok, None, None, "Galian tanah biasa", "m3", "0.273"),
            SourceRow(6, "1.1.4.5", patok, None, None, "Bekisting", "m2", "0.4"),
            SourceRow(7, "1.1.4.5", patok, None, None, "Pembesian", "kg", "2.3"),
            SourceRow(8, "1.1.4.5", patok, None, None, "Timbunan pasir", "m3", 1050),
            line(9, "1.1.4.5", patok, ("B.1247", "Bahan", "Pen kuningan", "buah"), "1.05"),
        ]
    )
    components = library.analyses["1.1.4.5"].components
    assert [(c.nested_code, c.resource_code) for c in components] == [
        ("1.2.1.1.1", None),
        ("2.2.1.3.1", None),
        ("1.1.4.5.R1", None),
        ("1.1.4.5.R2", None),
        (None, "B.1247"),
    ]
    assert [c.is_flagged for c in components] == [True, True, True, True, False]
    assert components[3].coefficient == Decimal("1.050")  # the lost-comma rule applies here too
    placeholder = library.analyses["1.1.4.5.R1"]
    assert placeholder.is_placeholder and placeholder.unit == "kg" and placeholder.name == "Pembesian"
    assert placeholder.components == [] and placeholder.is_suspicious
    assert library.nested_count == 4
    assert reviews(library, 5) == [("nama_ahsp", FLAGGED), ("item", FLAGGED)]  # the patok has no unit
    assert reviews(library, 6) == [("item", FLAGGED)]
    assert "2 analisa cocok" in next(r.reason for r in library.review_rows if r.row == 6)
    assert reviews(library, 8) == [("item", FLAGGED), ("koefisien", REPAIRED)]


def test_library_exact_reference_is_resolved_without_a_flag():
    library = parse_library(
        [
            line(2, "1.3.1", "Galian tanah biasa", WORKER, "0.75"),
            SourceRow(3, "1.1.4.6", "Patok 1 buah", None, None, "Galian  tanah biasa", "m3", "0.3"),
        ]
    )
    [component] = library.analyses["1.1.4.6"].components
    assert (component.nested_code, component.is_flagged) == ("1.3.1", False)
    assert ("item", RESOLVED) in reviews(library, 3)


def test_library_resources_take_the_most_frequent_values_and_report_conflicts():
    library = parse_library(
        [
            line(2, "1.1", "1 m3 a", CEMENT, "1.0"),
            line(3, "1.2", "1 m3 b", CEMENT, "2.0", item="Semen PC"),
            line(4, "1.3", "1 m3 c", CEMENT, "3.0", unit="zak"),
            line(5, "1.4", "1 m3 d", CEMENT, "4.0"),
            SourceRow(6, "1.5", "1 m3 e", "PR.0001", None, "Molen", "jam", "0.5"),
            SourceRow(7, "1.6", "1 m3 f", "X.1", "Entah", "Lainnya", "ls", "1"),
        ]
    )
    cement = library.resources["B.1871"]
    assert (cement.name, cement.unit, cement.category) == ("Semen Portland (PC)", "kg", "material")
    assert reviews(library, 3) == [("item", RESOLVED)]
    assert ("satuan", RESOLVED) in reviews(library, 4)
    assert library.resources["PR.0001"].category == "equipment"
    assert ("kategori", RESOLVED) in reviews(library, 6)
    assert library.resources["X.1"].category == "other"
    assert ("kategori", FLAGGED) in reviews(library, 7)
    # the pure layer's category strings are the model's choices
    assert {r.category for r in library.resources.values()} <= set(ResourceCategory.values)
    # component units stay per row
    assert library.analyses["1.3"].components[0].unit == "zak"


def test_library_reports_each_repaired_text_once_with_all_its_rows():
    chainsaw = ("PR.0030", "Peralatan", "Chainsaw  20â€\x9d; 5,5HP", "Bh")
    library = parse_library(
        [
            line(2, "1.1", "1 m2 Tebas  tebang", chainsaw, "0.1"),
            line(3, "1.1", "1 m2 Tebas  tebang", WORKER, "0.2"),
            line(4, "1.2", "1 m2 tebas tebang pohon", chainsaw, "0.3"),
        ]
    )
    item_reviews = [r for r in library.review_rows if r.column == "item"]
    assert len(item_reviews) == 1
    assert item_reviews[0].row == 2 and item_reviews[0].action == REPAIRED
    assert "mojibake" in item_reviews[0].reason and "2 baris: 2, 4" in item_reviews[0].reason
    assert library.resources["PR.0030"].name == 'Chainsaw 20"; 5,5HP'
    [name_review] = [r for r in library.review_rows if r.column == "nama_ahsp"]
    assert "2 baris: 2-3" in name_review.reason
    [unit_review] = [r for r in library.review_rows if r.column == "satuan"]
    assert "'buah'" in unit_review.reason and unit_review.row == 2
    assert library.analyses["1.1"].name == "1 m2 Tebas tebang"


def test_library_rejects_rows_it_cannot_place():
    library = parse_library(
        [
            SourceRow(2, None, "tanpa kode", "TK.0008", "Tenaga Kerja", "Pekerja", "OH", "1"),
            line(3, "1.1", "1 m3 a", WORKER, "satu"),
            SourceRow(4, "1.1", "1 m3 a", None, "Bahan", "Semen", "kg", "1"),
            line(5, "1.1", "1 m3 a", WORKER, "0.5"),
            line(6, 2.1, "1 m3 b", WORKER, "0.5"),  # a code Excel turned into a number
        ]
    )
    assert reviews(library, 2) == [("kode_ahsp", REJECTED)]
    assert reviews(library, 6) == [("kode_ahsp", FLAGGED)] and "2.1" in library.analyses
    assert reviews(library, 3) == [("koefisien", REJECTED)]
    assert reviews(library, 4) == [("kode_item_lookup", REJECTED)]
    assert [c.source_row for c in library.analyses["1.1"].components] == [5]


def test_library_counts_and_report_order():
    library = parse_library(
        [
            line(3, "1.1", "1 m3  a", WORKER, 1351),
            line(2, "1.1", "1 m3  a", CEMENT, "0.5"),
        ]
    )
    assert [r.row for r in library.review_rows] == sorted(r.row for r in library.review_rows)
    # repaired coefficient + repaired name; the text-coefficient note is not "suspicious"
    assert library.suspicious_count == 2
    assert (len(library.analyses), len(library.resources), library.component_count, library.nested_count) == (
        1,
        2,
        2,
        0,
    )


def test_clean_text_keeps_number_cells_apart():
    assert (clean_text(1).text, clean_text(1.0).text, clean_text("1").text) == ("1", "1.0", "1")


def test_pure_layer_field_sizes_match_the_models():
    component = ReferenceComponent._meta
    assert sni_values.UNIT_MAX_LENGTH == component.get_field("unit").max_length
    assert sni_values.UNIT_MAX_LENGTH == ReferenceResource._meta.get_field("unit").max_length
    assert sni_values.CODE_MAX_LENGTH == ReferenceAnalysis._meta.get_field("code").max_length
    assert sni_values.CODE_MAX_LENGTH == ReferenceResource._meta.get_field("code").max_length
    assert sni_values.RESOURCE_NAME_MAX_LENGTH == ReferenceResource._meta.get_field("name").max_length
    assert FLAG_REASON_MAX_LENGTH == component.get_field("flag_reason").max_length
    coefficient = component.get_field("coefficient")
    assert (sni_values.COEFFICIENT_MAX_DIGITS, sni_values.COEFFICIENT_PLACES) == (
        coefficient.max_digits,
        coefficient.decimal_places,
    )
