"""Reading and checking a project workbook: parsing (no database) and planning against a hand-built library."""

import io
import zipfile
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest

from ahsp.importers import project_workbook
from ahsp.importers.project_template import build_template
from ahsp.importers.project_workbook import (
    Library,
    LibraryAnalysis,
    LibraryResource,
    build_plan,
    parse_workbook,
    rounding_step_from_workbook,
)
from ahsp.models import Project
from ahsp.tests.test_services_project_import import (
    ANALYSIS_HEADER,
    PRICE_HEADER,
    WORK_HEADER,
    valid_sheets,
    write_workbook,
)


def parse(tmp_path, sheets):
    return parse_workbook(write_workbook(tmp_path / "proyek.xlsx", sheets))


def problems_at(result) -> dict[tuple, tuple[str, str]]:
    return {(p.sheet, p.row, p.column): (p.value, p.reason) for p in result.problems}


def with_project_value(key, value):
    sheets = valid_sheets()
    for row in sheets["Proyek"]:
        if row[0] == key:
            row[1] = value
    return sheets


LIBRARY = Library(
    analyses={
        "2.2.1.1": LibraryAnalysis(
            1,
            "2.2.1.1",
            "Galian tanah biasa",
            "m3",
            (("resource", "TK.0008", Decimal("0.75")), ("resource", "TK.0006", Decimal("0.025"))),
        ),
        "3.1.1.10": LibraryAnalysis(
            2,
            "3.1.1.10",
            "Beton mutu fc 19,3 MPa",
            "m3",
            (("resource", "B.1871", Decimal("371")), ("resource", "TK.0008", Decimal("1.65"))),
        ),
        # A slab that nests the concrete (the library's own nesting takes part in cycle checks).
        "3.1.2.1": LibraryAnalysis(
            3,
            "3.1.2.1",
            "Plat lantai beton",
            "m2",
            (("analysis", "3.1.1.10", Decimal("0.12")),),
        ),
    },
    resources={
        "TK.0008": LibraryResource(11, "TK.0008", "Pekerja", "OH", "labour"),
        "TK.0006": LibraryResource(12, "TK.0006", "Mandor", "OH", "labour"),
        "B.1871": LibraryResource(13, "B.1871", "Semen Portland", "kg", "material"),
        "PR.0001": LibraryResource(14, "PR.0001", "Molen", "jam", "equipment"),
    },
)


def plan(tmp_path, sheets):
    return build_plan(parse(tmp_path, sheets), LIBRARY)


# ------------------------------------------------------------------------------------------ parsing


def test_valid_workbook_parses_without_problems(tmp_path):
    parsed = parse(tmp_path, valid_sheets())

    assert parsed.problems == []
    assert parsed.project["name"] == "Gedung Serbaguna Desa Sukamaju"
    assert parsed.project["start_date"] == date(2026, 3, 2)
    assert parsed.project["rounding_mode"] == "down"
    assert [(w.row, w.code, w.volume) for w in parsed.works] == [
        (2, "2.2.1.1", Decimal("12.5")),
        (3, "3.1.1.10", Decimal("2.4")),
        (4, "K.1", Decimal("1250.5")),
    ]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1.234,56", Decimal("1234.56")),  # Indonesian text
        ("1234.56", Decimal("1234.56")),  # plain text
        ("Rp 2.500.000", Decimal("2500000")),
        ("85.000,00", Decimal("85000.00")),
        (1234.56, Decimal("1234.56")),  # numeric cell
        (0.1 + 0.2, Decimal("0.3")),  # a formula's float noise: Excel's 15 significant digits
        (150000, Decimal("150000")),
        (None, None),  # no price yet: allowed, shown as missing in the project
    ],
)
def test_prices_accept_numeric_cells_and_indonesian_or_plain_text(tmp_path, cell, expected):
    sheets = valid_sheets()
    sheets["Harga"][1][4] = cell

    parsed = parse(tmp_path, sheets)

    assert parsed.problems == []
    assert parsed.prices[0].unit_price == expected


@pytest.mark.parametrize(
    ("cell", "reason_part"),
    [
        ("1.2.34", "pemisah ribuan"),
        ("dua ribu", "bukan angka"),
        ("12,3456", "Paling banyak 2 angka"),
        ("1,2,3", "pemisah ribuan"),
        (12.345, "Paling banyak 2 angka di belakang koma"),
        ("-5", "tidak boleh negatif"),
        (-5, "tidak boleh negatif"),
        (True, "bukan angka"),
    ],
)
def test_bad_prices_are_reported_with_the_parsers_message(tmp_path, cell, reason_part):
    sheets = valid_sheets()
    sheets["Harga"][1][4] = cell

    parsed = parse(tmp_path, sheets)

    ((value, reason),) = problems_at(parsed).values()
    assert reason_part in reason
    assert list(problems_at(parsed)) == [("Harga", 2, "harga_satuan")]


def test_coefficients_allow_six_decimals_and_volumes_four(tmp_path):
    sheets = valid_sheets()
    sheets["Analisa"][1][2] = "0,123456"
    sheets["Analisa"][2][2] = "0,1234567"  # row 3: too many decimals
    sheets["Pekerjaan"][1][5] = "1,23456"  # row 2: too many decimals for a volume

    parsed = parse(tmp_path, sheets)

    assert parsed.lines[0].coefficient == Decimal("0.123456")
    found = problems_at(parsed)
    assert set(found) == {("Analisa", 3, "koefisien"), ("Pekerjaan", 2, "volume")}
    assert "6 angka" in found[("Analisa", 3, "koefisien")][1]
    assert "4 angka" in found[("Pekerjaan", 2, "volume")][1]


def with_item_overheads(*cells):
    """valid_sheets() with the optional Pekerjaan column buk_persen (one cell per work row, rows 2-4)."""
    sheets = valid_sheets()
    sheets["Pekerjaan"][0] = [*WORK_HEADER, "buk_persen"]
    for row, cell in zip(sheets["Pekerjaan"][1:], cells, strict=True):
        row.append(cell)
    return sheets


def test_without_the_buk_persen_column_items_use_the_projects_overhead(tmp_path):
    """An older workbook (no buk_persen column in Pekerjaan) imports as before."""
    sheets = valid_sheets()
    assert "buk_persen" not in sheets["Pekerjaan"][0]

    result = plan(tmp_path, sheets)

    assert result.problems == ()
    assert [item.overhead_pct for item in result.plan.items] == [None, None, None]
    assert result.plan.project["overhead_profit_pct"] == Decimal("10")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("7,5", Decimal("7.5")),  # Indonesian text
        ("7.25", Decimal("7.25")),  # plain text
        ("12,5%", Decimal("12.5")),
        (7.25, Decimal("7.25")),  # numeric cell
        (0, Decimal("0")),  # an override of 0 %, not "empty"
        ("15", Decimal("15")),
        (None, None),  # empty = the project's BUK
        (" ", None),
    ],
)
def test_item_overhead_column_is_read_and_carried_by_the_plan(tmp_path, cell, expected):
    result = plan(tmp_path, with_item_overheads(cell, None, "5"))

    assert result.problems == ()
    assert [item.overhead_pct for item in result.plan.items] == [expected, None, Decimal("5")]


@pytest.mark.parametrize(
    ("cell", "reason_part"),
    [
        ("100,01", "antara 0 dan 100%"),
        (101, "antara 0 dan 100%"),
        ("-1", "tidak boleh negatif"),
        (-0.5, "tidak boleh negatif"),
        ("7,1234", "Paling banyak 2 angka"),
        (7.125, "Paling banyak 2 angka"),
        ("7,125", "antara 0 dan 100%"),  # 2 decimals at most: 7125 (thousands), as the project's reads it
        ("sepuluh", "bukan angka"),
        ("1.2.3", "pemisah ribuan"),
        (True, "bukan angka"),
    ],
)
def test_bad_item_overhead_is_reported_at_its_cell(tmp_path, cell, reason_part):
    sheets = with_item_overheads(None, cell, None)

    parsed = parse(tmp_path, sheets)

    ((value, reason),) = problems_at(parsed).values()
    assert list(problems_at(parsed)) == [("Pekerjaan", 3, "buk_persen")]
    assert reason_part in reason
    assert value  # the bad value is shown in the report
    (problem,) = parsed.problems
    assert str(problem).startswith("Pekerjaan, baris 3, kolom buk_persen (nilai")
    assert build_plan(parsed, LIBRARY).plan is None


@pytest.mark.parametrize("cell", ["20", 20, "15,01", "100"])
def test_item_overhead_above_15_is_imported_with_a_warning(tmp_path, cell):
    parsed = parse(tmp_path, with_item_overheads(None, cell, "15"))

    assert parsed.problems == []
    (warning,) = parsed.warnings  # 15 % itself (row 4) is within the ceiling
    assert (warning.sheet, warning.row, warning.column) == ("Pekerjaan", 3, "buk_persen")
    assert "di atas batas 15% untuk pekerjaan pemerintah (Permen PUPR 8/2023)" in warning.reason
    result = build_plan(parsed, LIBRARY)
    assert result.problems == () and result.warnings == (warning,)
    assert [item.overhead_pct for item in result.plan.items][1:] == [
        Decimal(str(cell).replace(",", ".")),
        Decimal("15"),
    ]


def test_project_overhead_above_15_is_imported_with_a_warning(tmp_path):
    parsed = parse(tmp_path, with_project_value("buk_persen", "20"))

    assert parsed.problems == []
    assert parsed.project["overhead_profit_pct"] == Decimal("20")
    (warning,) = parsed.warnings
    assert (warning.sheet, warning.column, warning.value) == ("Proyek", "buk_persen", "20")
    assert "Permen PUPR 8/2023" in warning.reason


@pytest.mark.parametrize("cell", ["15", 15, "0", "12,5%"])
def test_project_overhead_within_15_has_no_warning(tmp_path, cell):
    assert parse(tmp_path, with_project_value("buk_persen", cell)).warnings == []


@pytest.mark.parametrize(
    "cell",
    [datetime(2026, 3, 2), date(2026, 3, 2), "02/03/2026", "2/3/2026", "2026-03-02", " 2026-3-2 "],
)
def test_dates_as_cells_or_text(tmp_path, cell):
    parsed = parse(tmp_path, with_project_value("tanggal_mulai", cell))

    assert parsed.problems == []
    assert parsed.project["start_date"] == date(2026, 3, 2)


@pytest.mark.parametrize(
    ("cell", "reason_part"),
    [("03-02-2026", "dd/mm/yyyy"), ("30/02/2026", "tidak ada di kalender"), (46083, "sebagai angka")],
)
def test_bad_dates_are_reported(tmp_path, cell, reason_part):
    parsed = parse(tmp_path, with_project_value("tanggal_mulai", cell))

    (problem,) = parsed.problems
    assert (problem.sheet, problem.row, problem.column) == ("Proyek", 7, "tanggal_mulai")
    assert reason_part in problem.reason


@pytest.mark.parametrize(
    ("key", "cell", "field", "expected"),
    [
        ("buk_persen", "12,5%", "overhead_profit_pct", Decimal("12.5")),
        ("buk_persen", 0, "overhead_profit_pct", Decimal("0")),
        ("ppn_persen", "11", "vat_pct", Decimal("11")),
        ("pembulatan", 0, "rounding_step", 0),
        ("pembulatan", "100000", "rounding_step", 100000),
        ("tahun_anggaran", "2026", "fiscal_year", 2026),
        ("durasi_minggu", 20.0, "duration_weeks", 20),
        ("pemilik", None, "client", ""),
        ("tahun_anggaran", None, "fiscal_year", None),
    ],
)
def test_project_values(tmp_path, key, cell, field, expected):
    parsed = parse(tmp_path, with_project_value(key, cell))

    assert parsed.problems == []
    assert parsed.project[field] == expected


@pytest.mark.parametrize(
    ("key", "cell", "reason_part"),
    [
        ("buk_persen", "100,01", "paling tinggi 100%"),
        ("ppn_persen", 101, "paling tinggi 100%"),
        ("pembulatan", 500, "salah satu dari: 0, 1, 10, 100, 1000, 10000, 100000"),
        ("pembulatan", "1000,5", "bilangan bulat"),
        ("tahun_anggaran", 1989, "antara 1990 dan 2100"),
        ("durasi_minggu", 0, "antara 1 dan 520"),
        ("nama", "x" * 256, "paling banyak 255"),
        ("nama", " ", "wajib diisi"),
    ],
)
def test_bad_project_values(tmp_path, key, cell, reason_part):
    parsed = parse(tmp_path, with_project_value(key, cell))

    (problem,) = parsed.problems
    assert (problem.sheet, problem.column) == ("Proyek", key)
    assert reason_part in problem.reason


def test_rounding_steps_are_the_models_choices(monkeypatch):
    assert [rounding_step_from_workbook(step) for step in (0, 1, 10, 100, 1000, 10000, 100000)] == [
        0,
        1,
        10,
        100,
        1000,
        10000,
        100000,
    ]
    assert rounding_step_from_workbook(500) is None
    monkeypatch.setattr(Project, "ROUNDING_STEPS", [(1000, "Rp 1.000")])
    assert rounding_step_from_workbook(0) is None  # follows the model, nothing hard-coded


def test_unknown_missing_and_duplicate_project_keys(tmp_path):
    sheets = valid_sheets()
    sheets["Proyek"] = [row for row in sheets["Proyek"] if row[0] != "lokasi"]
    sheets["Proyek"] += [["nama proyek", "X"], ["nama", "Lagi"], [None, "tanpa kunci"]]

    parsed = parse(tmp_path, sheets)

    found = problems_at(parsed)
    assert set(found) == {
        ("Proyek", None, "lokasi"),
        ("Proyek", 13, "kunci"),
        ("Proyek", 14, "nama"),
        ("Proyek", 15, "kunci"),
    }
    assert found[("Proyek", 13, "kunci")][0] == "nama proyek"
    assert "baris 2" in found[("Proyek", 14, "nama")][1]


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Tenaga Kerja", "labour"),
        ("tenaga  kerja", "labour"),
        ("BAHAN", "material"),
        ("Peralatan", "equipment"),
        ("Lain-lain", "other"),
        ("labour", "labour"),
        ("material", "material"),
        ("equipment", "equipment"),
        ("other", "other"),
    ],
)
def test_categories_in_indonesian_or_english(tmp_path, text, category):
    sheets = valid_sheets()
    sheets["Harga"][1][3] = text

    parsed = parse(tmp_path, sheets)

    assert parsed.problems == []
    assert parsed.prices[0].category == category


def test_sheet_and_column_names_are_matched_loosely_and_rows_are_excel_rows(tmp_path):
    sheets = valid_sheets()
    sheets["pekerjaan "] = [["Klasifikasi", "Sub Klasifikasi", "Kode AHSP", "Uraian", "Satuan", "Volume"]] + [
        [None] * 6,  # an empty line is skipped, row numbers stay Excel's
        ["Pekerjaan Tanah", None, "2.2.1.1", "Galian", "m3", 1],
    ]
    del sheets["Pekerjaan"]

    parsed = parse(tmp_path, sheets)

    assert parsed.problems == []
    assert [(w.row, w.section, w.code) for w in parsed.works] == [(3, "Pekerjaan Tanah", "2.2.1.1")]


def test_required_cells_of_every_sheet(tmp_path):
    sheets = valid_sheets()
    sheets["Pekerjaan"].append([None, None, None, "Tanpa kode", "m3", None])  # row 5
    sheets["Harga"].append(["B.2", None, None, None, 1])  # row 6
    sheets["Analisa"].append(["K.1", None, None])  # row 5

    found = problems_at(parse(tmp_path, sheets))

    assert set(found) == {
        ("Pekerjaan", 5, "klasifikasi"),
        ("Pekerjaan", 5, "kode_ahsp"),
        ("Pekerjaan", 5, "volume"),
        ("Harga", 6, "uraian"),
        ("Harga", 6, "satuan"),
        ("Harga", 6, "kategori"),
        ("Analisa", 5, "kode_item"),
        ("Analisa", 5, "koefisien"),
    }


def test_duplicate_analysis_lines_and_conflicting_names_are_reported(tmp_path):
    sheets = valid_sheets()
    sheets["Analisa"] = [
        [*ANALYSIS_HEADER, "uraian"],
        ["K.1", "L.01", 1, "Paving"],
        ["K.1", "L.01", 2, None],  # row 3: the same resource twice
        ["K.1", "TK.0008", 1, "Paving block"],  # row 4: another name for K.1
    ]

    found = problems_at(parse(tmp_path, sheets))

    assert set(found) == {("Analisa", 3, "kode_item"), ("Analisa", 4, "uraian")}
    assert "baris 2" in found[("Analisa", 3, "kode_item")][1]


def test_missing_sheets_and_columns(tmp_path):
    sheets = {"Proyek": valid_sheets()["Proyek"], "Pekerjaan": [WORK_HEADER[:-1]], "Analisa": [["kode_ahsp"]]}

    found = problems_at(parse(tmp_path, sheets))

    assert set(found) == {
        ("Harga", None, ""),
        ("Pekerjaan", 1, "volume"),
        ("Analisa", 1, "kode_item"),
        ("Analisa", 1, "koefisien"),
    }


def test_a_sheet_with_too_many_rows_is_reported(tmp_path, monkeypatch):
    monkeypatch.setattr(project_workbook, "MAX_DATA_ROWS", 2)

    parsed = parse(tmp_path, valid_sheets())  # data rows: Pekerjaan 3, Harga 4, Analisa 3, Proyek 12

    found = problems_at(parsed)
    limits = {key for key in found if key[2] == ""}
    assert limits == {("Pekerjaan", 4, ""), ("Harga", 4, ""), ("Analisa", 4, ""), ("Proyek", 4, "")}
    assert "lebih dari 2 baris data" in found[("Pekerjaan", 4, "")][1]
    assert len(parsed.works) == 2


def test_not_a_workbook(tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")

    (problem,) = parse_workbook(path).problems

    assert "bukan buku kerja Excel .xlsx" in problem.reason and problem.sheet == ""


def test_a_workbook_with_a_damaged_sheet_is_reported(tmp_path):
    good = write_workbook(tmp_path / "good.xlsx", valid_sheets())
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet2.xml":
                data = data[: len(data) // 2]  # truncated XML
            target.writestr(item, data)

    (problem,) = parse_workbook(damaged).problems

    assert "tidak dapat dibaca sebagai buku kerja Excel (XML rusak)" in problem.reason


def test_reads_a_file_object(tmp_path):
    buffer = io.BytesIO(write_workbook(tmp_path / "a.xlsx", valid_sheets()).read_bytes())

    assert parse_workbook(buffer).problems == []


# ------------------------------------------------------------------------------------------ planning


def test_plan_resolves_library_custom_and_nested_codes(tmp_path):
    result = plan(tmp_path, valid_sheets())

    assert result.problems == ()
    (custom,) = result.plan.analyses
    assert (custom.code, custom.name, custom.unit, custom.reference_id) == (
        "K.1",
        "Pemasangan paving block",  # taken from its Pekerjaan row
        "m2",
        None,
    )
    assert [(line.resource_code, line.nested_code, line.coefficient) for line in custom.lines] == [
        ("L.01", None, Decimal("1.05")),
        ("TK.0008", None, Decimal("0.1")),
        (None, "2.2.1.1", Decimal("0.05")),
    ]
    assert sorted(result.plan.library_copies) == [1, 2]  # galian (nested and a row) and beton
    resources = {r.code: r.reference_id for r in result.plan.resources}
    assert resources == {"TK.0008": 11, "TK.0006": 12, "B.1871": 13, "L.01": None}


def test_plan_takes_reference_resources_named_only_in_analisa(tmp_path):
    sheets = valid_sheets()
    sheets["Analisa"].append(["K.1", "PR.0001", "0,2"])

    result = plan(tmp_path, sheets)

    extra = [r for r in result.plan.resources if r.code == "PR.0001"]
    assert [(r.name, r.category, r.unit_price, r.reference_id) for r in extra] == [
        ("Molen", "equipment", None, 14)
    ]


def test_plan_marks_modified_library_analyses_only_when_lines_differ(tmp_path):
    sheets = valid_sheets()
    sheets["Analisa"] += [
        ["3.1.1.10", "TK.0008", "1,65"],
        ["3.1.1.10", "B.1871", 371],  # the library's lines, in another order
        ["2.2.1.1", "TK.0008", "0,8"],  # galian changed
        ["2.2.1.1", "TK.0006", "0,025"],
    ]

    result = plan(tmp_path, sheets)

    modified = {a.code: (a.reference_id, a.is_modified, a.name) for a in result.plan.analyses}
    assert modified == {
        "K.1": (None, False, "Pemasangan paving block"),
        "3.1.1.10": (2, False, "Beton mutu fc 19,3 MPa"),
        "2.2.1.1": (1, True, "Galian tanah biasa"),
    }
    assert result.plan.library_copies == ()  # both are defined by the sheet, nothing left to copy


def test_plan_reports_unknown_codes(tmp_path):
    sheets = valid_sheets()
    sheets["Pekerjaan"].append(["Lain", None, "TK.0008", "Bukan analisa", "OH", 1])  # row 5: a resource code
    sheets["Analisa"].append(["K.1", "Z.1", 1])  # row 5

    found = problems_at(plan(tmp_path, sheets))

    assert set(found) == {("Pekerjaan", 5, "kode_ahsp"), ("Analisa", 5, "kode_item")}
    assert "tidak ditemukan" in found[("Pekerjaan", 5, "kode_ahsp")][1]


def test_rows_with_problems_still_have_their_codes_checked(tmp_path):
    sheets = valid_sheets()
    sheets["Pekerjaan"].append(["Lain", None, "9.9.9", "X", "m3", "x"])  # row 5: two problems
    sheets["Harga"][1][4] = "abc"  # TK.0008's price is bad, but the code is still defined
    sheets["Analisa"].append(["K.1", "Z.9", "-1"])  # row 5: two problems

    found = problems_at(plan(tmp_path, sheets))

    assert set(found) == {
        ("Pekerjaan", 5, "volume"),
        ("Pekerjaan", 5, "kode_ahsp"),
        ("Harga", 2, "harga_satuan"),
        ("Analisa", 5, "koefisien"),
        ("Analisa", 5, "kode_item"),
    }
    assert found[("Analisa", 5, "koefisien")][1] == "Koefisien tidak boleh negatif."


def test_plan_requires_name_and_unit_of_custom_analyses(tmp_path):
    sheets = valid_sheets()
    sheets["Pekerjaan"][3][3:5] = [None, None]  # K.1's row without uraian and satuan
    sheets["Analisa"].append(["K.9", "L.01", 1])  # row 5: used nowhere, no name

    found = problems_at(plan(tmp_path, sheets))

    assert set(found) == {
        ("Pekerjaan", 4, "uraian"),
        ("Pekerjaan", 4, "satuan"),
        ("Analisa", 5, "uraian"),
        ("Analisa", 5, "satuan"),
    }


def test_plan_names_custom_analyses_from_the_analisa_columns(tmp_path):
    sheets = valid_sheets()
    sheets["Analisa"] = [[*ANALYSIS_HEADER, "uraian", "satuan"]] + [
        row + [None, None] for row in sheets["Analisa"][1:]
    ]
    sheets["Analisa"].append(["K.9", "L.01", 1, "Lapisan pasir", "m2"])

    result = plan(tmp_path, sheets)

    assert {a.code: (a.name, a.unit) for a in result.plan.analyses}["K.9"] == ("Lapisan pasir", "m2")


@pytest.mark.parametrize(
    ("lines", "row", "cycle"),
    [
        ([["K.1", "K.1", 1]], 5, "K.1 → K.1"),  # itself
        ([["K.2", "K.3", 1], ["K.3", "K.2", 1]], 6, "K.3 → K.2 → K.3"),
        # Through the library: the slab nests the concrete; a modified concrete nesting the slab loops.
        ([["3.1.1.10", "3.1.2.1", 1]], 5, "3.1.1.10 → 3.1.2.1 → 3.1.1.10"),
    ],
)
def test_plan_reports_nested_cycles_on_the_closing_line(tmp_path, lines, row, cycle):
    sheets = valid_sheets()
    sheets["Analisa"] = [[*ANALYSIS_HEADER, "uraian", "satuan"]] + [
        r + ["Analisa", "ls"] for r in sheets["Analisa"][1:] + lines
    ]
    sheets["Pekerjaan"].append(["Lain", None, "3.1.2.1", None, None, 1])

    found = problems_at(plan(tmp_path, sheets))

    assert list(found) == [("Analisa", row, "kode_item")]
    assert cycle in found[("Analisa", row, "kode_item")][1]


# ------------------------------------------------------------------------------------------ template


def test_template_has_the_sheets_and_headers_of_the_format_and_no_data_rows():
    workbook = openpyxl.load_workbook(io.BytesIO(build_template()))

    assert workbook.sheetnames == ["Petunjuk", "Proyek", "Pekerjaan", "Harga", "Analisa"]
    assert [c.value for c in workbook["Pekerjaan"][1]] == [*WORK_HEADER, "buk_persen"]
    assert [c.value for c in workbook["Harga"][1]] == PRICE_HEADER
    assert [c.value for c in workbook["Analisa"][1]] == [*ANALYSIS_HEADER, "uraian", "satuan"]
    keys = [row[0] for row in workbook["Proyek"].iter_rows(min_row=2, values_only=True)]
    assert keys == list(project_workbook.PROJECT_KEYS)
    assert all(row[1] is None for row in workbook["Proyek"].iter_rows(min_row=2, values_only=True))
    for name in ("Pekerjaan", "Harga", "Analisa"):
        assert workbook[name].max_row == 1
    assert workbook["Pekerjaan"].column_dimensions["C"].number_format == "@"  # kode_ahsp stays text
    (validation,) = workbook["Harga"].data_validations.dataValidation
    assert validation.formula1 == '"Tenaga Kerja,Bahan,Peralatan,Lain-lain"'
    guide = "\n".join(
        str(cell) for row in workbook["Petunjuk"].iter_rows(values_only=True) for cell in row if cell
    )
    for column in (*WORK_HEADER, *PRICE_HEADER, *ANALYSIS_HEADER, *project_workbook.PROJECT_KEYS):
        assert column in guide
    assert "BUK khusus pekerjaan ini" in guide  # the help row of Pekerjaan's optional buk_persen


def _guide_text() -> str:
    workbook = openpyxl.load_workbook(io.BytesIO(build_template()))
    return "\n".join(
        str(cell) for row in workbook["Petunjuk"].iter_rows(values_only=True) for cell in row if cell
    )


def test_template_guide_states_the_current_buk_range_and_its_warning():
    guide = _guide_text()

    assert "0-15" not in guide
    assert guide.count("0-100") == 2  # the project's and the item's buk_persen
    assert "Di atas 15 % (batas untuk pekerjaan pemerintah) tetap diimpor, dengan peringatan." in guide


@pytest.mark.parametrize(
    ("text", "places", "expected"),
    [
        ("1.500", 4, "1500"),
        ("1.234,56", 4, "1234.56"),
        ("13,632", 6, "13.632"),
        ("1234.56", 4, "1234.56"),
        ("Rp 100.000", 2, "100000"),
    ],
)
def test_template_guide_number_examples_read_as_it_says(text, places, expected):
    """Every example of the Petunjuk sheet's number note is read by the importer as the note says; nothing
    there is refused as ambiguous any more (issue 11 §10)."""
    guide = _guide_text()

    assert text in guide and "ambigu" not in guide and "ditolak" not in guide
    assert project_workbook._number(text, places=places) == Decimal(expected)
