"""ahsp.importers.prices_workbook: parse a price sheet and plan the prices against the project's resources.

Pure: workbooks are built in memory, resources are plain ``ResourceKey`` values; no database.
"""

import io
from decimal import Decimal

import openpyxl

from ahsp.importers.prices_workbook import (
    UNKNOWN_CODE_REASON,
    ParsedPrices,
    PriceImportReport,
    PriceLine,
    ResourceKey,
    parse_price_workbook,
    plan_prices,
)

D = Decimal
RESOURCES = [
    ResourceKey(1, "B.01", "kg"),
    ResourceKey(2, "L.01", "OH"),
    ResourceKey(3, "ab.1", "m"),
    ResourceKey(4, "AB.1", "m"),
]


def xlsx(rows, title="Harga") -> io.BytesIO:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "harga.xlsx"
    return buffer


def parsed(*lines: PriceLine) -> ParsedPrices:
    return ParsedPrices("Harga", "A (kode_item)", "E (harga_satuan)", "C (satuan)", lines, None)


def line(row, code, price, *, error="", unit="", text=None) -> PriceLine:
    return PriceLine(row, code, text if text is not None else str(price or ""), price, error, unit)


def test_parse_reads_lines_with_prices_and_errors_and_skips_empty_rows():
    report = PriceImportReport(file_name="harga.xlsx")
    book = xlsx(
        [
            ["kode_item", "uraian", "satuan", "kategori", "harga_satuan"],
            ["B.01", "Semen", "kg", "Bahan", 1300],
            [None, None, None, None, None],
            ["L.01", "Pekerja", "OH", "Tenaga Kerja", "abc"],
        ]
    )
    result = parse_price_workbook(book, report)
    assert report.sheet == "Harga" and report.rows_read == 2 and not report.errors
    assert (result.code_column, result.price_column, result.unit_column) == (
        "A (kode_item)",
        "E (harga_satuan)",
        "C (satuan)",
    )
    first, second = result.lines
    assert (first.row, first.code, first.price, first.error, first.unit) == (
        2,
        "B.01",
        D("1300.00"),
        "",
        "kg",
    )
    assert (second.row, second.code, second.price, second.price_text) == (4, "L.01", None, "abc")
    assert second.error  # the parser's Indonesian reason


def test_parse_without_the_required_columns_is_one_error():
    report = PriceImportReport(file_name="harga.xlsx")
    assert parse_price_workbook(xlsx([["kode_item", "uraian"], ["B.01", "Semen"]]), report) is None
    assert [(e.row, e.reason.split(":")[0]) for e in report.errors] == [(1, "Kolom wajib tidak ada")]


def test_plan_maps_codes_exactly_then_ignoring_case_unless_ambiguous():
    report = PriceImportReport()
    lines = (
        line(2, "B.01", D("1300")),
        line(3, "l.01", D("150000")),
        line(4, "AB.1", D("5")),
        line(5, "Ab.1", D("6")),
    )
    prices = plan_prices(parsed(*lines), RESOURCES, report)
    # "ab.1" and "AB.1" differ only by case: each is found only by its exact spelling, "Ab.1" by neither
    assert prices == {1: D("1300"), 2: D("150000"), 4: D("5")}
    assert [(note.row, note.reason) for note in report.notes] == [(5, UNKNOWN_CODE_REASON)]


def test_plan_reports_every_problem_in_row_order():
    report = PriceImportReport()
    prices = plan_prices(
        parsed(
            line(2, "B.01", D("1300"), unit="zak"),  # unit differs: a note, the price still counts
            line(3, "Z.99", D("10")),  # unknown code: a note
            line(4, "", D("10")),  # price without a code: an error
            line(5, "L.01", None, error="Harga tidak boleh negatif.", text="-1"),  # bad price: an error
            line(6, "L.01", None),  # empty price: a note
            line(7, "B.01", D("1400")),  # same code, other price: an error
            line(8, "B.01", D("1300")),  # same code, same price: ignored
            line(9, "ab.1", D("2"), unit="M"),  # exact code; "M" is the project's "m"
        ),
        RESOURCES,
        report,
    )
    assert prices == {1: D("1300"), 3: D("2")}
    assert [(e.row, e.column, e.value) for e in report.errors] == [
        (4, "A (kode_item)", ""),
        (5, "E (harga_satuan)", "-1"),
        (7, "E (harga_satuan)", "1400"),
    ]
    assert report.errors[1].reason == "Harga tidak boleh negatif."
    assert "sudah ada di baris 2 dengan harga Rp 1.300,00" in report.errors[2].reason
    assert [(n.row, n.column, n.value) for n in report.notes] == [
        (2, "C (satuan)", "zak"),
        (3, "A (kode_item)", "Z.99"),
        (6, "E (harga_satuan)", ""),
    ]
    assert report.unknown_codes == ["Z.99"] and report.notes[1].reason == UNKNOWN_CODE_REASON


def test_plan_adds_the_row_limit_and_a_read_failure_after_the_rows():
    lines = (line(2, "", D("1")),)
    stopped = ParsedPrices("Harga", "A (kode_item)", "E (harga_satuan)", "", lines, 20_002)
    report = PriceImportReport(file_name="harga.xlsx")
    plan_prices(stopped, RESOURCES, report)
    assert [(e.row, e.reason) for e in report.errors][1] == (
        20_002,
        "Terlalu banyak baris (paling banyak 20000).",
    )
    failed = ParsedPrices("Harga", "A (kode_item)", "E (harga_satuan)", "", lines, None, "Berkas rusak.")
    report = PriceImportReport(file_name="harga.xlsx")
    plan_prices(failed, RESOURCES, report)
    assert [(e.row, e.value, e.reason) for e in report.errors][1] == (None, "harga.xlsx", "Berkas rusak.")
