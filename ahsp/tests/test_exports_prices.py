"""Daftar Harga Satuan Dasar: the shared loader, the XLSX (live purchase price) and the CSV."""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from ahsp.exports.prices_csv import HEADER as CSV_HEADER
from ahsp.exports.prices_csv import build_prices_csv
from ahsp.exports.prices_xlsx import EMPTY_NOTE, HEADER, build_prices_xlsx
from ahsp.exports.xlsx_common import FREEZE, HEADER_ROW
from ahsp.loaders.prices import PriceGroup, PriceRow, load_price_list, missing_count
from ahsp.models import ExportJob, ProjectResource
from ahsp.services import exports
from ahsp.tests.factories import ProjectFactory, ProjectResourceFactory
from ahsp.tests.test_exports_analyses import INJECTION, build_wall, evaluate

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def build_prices(user):
    """The project of test_exports_analyses (resources L.01, L.02 without price, L.04, M.10, M.15, X.01),
    with purchase units worked out by hand, and one resource that no analysis uses (left out):

    - M.15 Semen Portland 1.500 / kg, bought per zak of 50 kg: 1.500 x 50 = 75.000,00
    - X.01 (=HYPERLINK...) 1.234,57 / ls, factor 0,333333: 411,52292181 -> 411,52 (cents, half up)
    - L.02 Tukang batu: no price, factor 1 -> no purchase price either
    """
    project = build_wall(user)
    ProjectResource.objects.filter(project=project, code="M.15").update(
        purchase_unit="zak", purchase_factor=Decimal("50")
    )
    ProjectResource.objects.filter(project=project, code="X.01").update(
        purchase_unit="paket", purchase_factor=Decimal("0.333333")
    )
    ProjectResource.objects.filter(project=project, code="L.02").update(
        purchase_unit="minggu", purchase_factor=Decimal("1")
    )
    ProjectResourceFactory(
        project=project, code="A.01", name="Molen (tak dipakai)", unit="jam", category="equipment"
    )
    return project


def test_loader_groups_used_resources_by_category_in_one_query(user, django_assert_num_queries):
    project = build_prices(user)
    with django_assert_num_queries(1):
        groups = load_price_list(project)
    assert [(g.category, g.label) for g in groups] == [
        ("labour", "Tenaga Kerja"),
        ("material", "Bahan"),
        ("other", "Lain-lain"),
    ]  # the unused equipment (A.01) is left out, and with it the empty Peralatan group
    assert [row.code for row in groups[0].rows] == ["L.01", "L.02", "L.04"]
    assert isinstance(groups[0], PriceGroup) and isinstance(groups[0].rows, tuple)
    cement = groups[1].rows[1]
    assert cement == PriceRow(
        "M.15", "Semen Portland", "kg", Decimal("1500.00"), "zak", Decimal("50"), Decimal("75000.00")
    )
    assert groups[2].rows[0].purchase_price == Decimal("411.52")
    mason = groups[0].rows[1]
    assert mason.missing and mason.unit_price is None and mason.purchase_price is None
    assert groups[0].rows[0].purchase_factor is None and groups[0].rows[0].purchase_price is None
    assert missing_count(groups) == 1
    assert load_price_list(ProjectFactory(owner=user)) == []


def open_sheet(data: bytes):
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["Harga Satuan Dasar"]
    return workbook["Harga Satuan Dasar"]


def rows_by_code(ws) -> dict[str, int]:
    return {ws.cell(row=r, column=2).value: r for r in range(HEADER_ROW + 1, ws.max_row + 1)}


def test_xlsx_header_groups_numbers_formulas_and_missing(user, django_assert_max_num_queries):
    project = build_prices(user)
    calls = []
    with django_assert_max_num_queries(2):  # the price list, the RAB's completeness (the draft line)
        data = build_prices_xlsx(project, progress=lambda *args: calls.append(args))
    ws = open_sheet(data)
    assert ws["A1"].value == "DAFTAR HARGA SATUAN DASAR"
    fields = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=3).value for r in range(2, 7)}
    assert fields["Nama Proyek"] == "Gedung Serbaguna" and fields["Tahun Anggaran"] == 2026
    assert tuple(ws.cell(row=HEADER_ROW, column=c).value for c in range(1, 10)) == HEADER
    assert ws.freeze_panes == FREEZE and ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
    titles = [ws.cell(row=r, column=3).value for r in range(HEADER_ROW + 1, ws.max_row + 1)]
    assert titles[0] == "Tenaga Kerja" and "Bahan" in titles and "Lain-lain" in titles
    assert "Peralatan" not in titles and "Molen (tak dipakai)" not in titles

    rows = rows_by_code(ws)
    cement = rows["M.15"]
    assert [ws.cell(row=cement, column=c).value for c in range(1, 8)] == [
        2,
        "M.15",
        "Semen Portland",
        "kg",
        1500,
        "zak",
        50,
    ]
    assert ws[f"E{cement}"].data_type == "n" and ws[f"E{cement}"].number_format == "#,##0.00"
    assert ws[f"H{cement}"].value == f"=ROUND(E{cement}*G{cement},2)"
    assert evaluate(ws, f"H{cement}") == Decimal("75000")
    fee = rows["X.01"]
    assert ws[f"C{fee}"].value == INJECTION and ws[f"C{fee}"].data_type == "s" and ws[f"C{fee}"].quotePrefix
    assert evaluate(ws, f"H{fee}") == Decimal("411.52")  # 1.234,57 x 0,333333 = 411,5229... (cents)
    mason = rows["L.02"]
    assert ws[f"E{mason}"].value is None and ws[f"H{mason}"].value is None
    assert ws[f"I{mason}"].value == "belum diisi"
    assert ws[f"H{rows['L.01']}"].value is None  # no purchase unit: no formula
    counts = {
        ws.cell(row=r, column=3).value: ws.cell(row=r, column=4).value
        for r in range(ws.max_row - 1, ws.max_row + 1)
    }
    assert counts == {"Jumlah sumber daya": 6, "Harga belum diisi": 1}

    assert calls[-1] == (7, 7, "Selesai")  # 6 resources + saving
    done = [d for d, t, _ in calls if t]
    assert done[0] == 0 and all(b - a <= 1 for a, b in zip(done, done[1:], strict=False))


def test_xlsx_purchase_price_formula_carries_its_result(user):
    """Semen 1.437,50 /kg bought per zak of 42,35 kg: 1.437,50 x 42,35 = 60.878,125 -> 60.878,13 (half up,
    as ``quantize_money`` and Excel's ROUND); a viewer that does not recalculate shows that figure."""
    from ahsp.tests.test_exports_rab_xlsx import build_awkward_rab

    project = build_awkward_rab(user)
    ProjectResource.objects.filter(project=project, code="M.15").update(
        purchase_unit="zak", purchase_factor=Decimal("42.35")
    )
    data = build_prices_xlsx(project)
    ws = load_workbook(io.BytesIO(data), data_only=True)["Harga Satuan Dasar"]
    row = rows_by_code(ws)["M.15"]
    assert open_sheet(data)[f"H{row}"].value == f"=ROUND(E{row}*G{row},2)"
    assert Decimal(str(ws[f"H{row}"].value)) == Decimal("60878.13")
    assert Decimal(str(ws[f"E{row}"].value)) == Decimal("1437.5") and ws[f"A{HEADER_ROW - 1}"].value is None


def test_xlsx_of_an_empty_project(user):
    ws = open_sheet(build_prices_xlsx(ProjectFactory(owner=user)))
    assert ws.cell(row=HEADER_ROW + 1, column=3).value == EMPTY_NOTE
    assert ws.cell(row=ws.max_row, column=4).value == 0


def test_csv_bom_separator_numbers_and_injection(user, django_assert_max_num_queries):
    project = build_prices(user)
    calls = []
    with django_assert_max_num_queries(2):  # the price list, the RAB's completeness (the draft line)
        data = b"".join(build_prices_csv(project, progress=lambda *args: calls.append(args)))
    assert data.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert tuple(lines[0]) == CSV_HEADER
    # L.02 has no price: the RAB is a draft, said right after the header, in the uraian column
    assert lines[1][2].startswith("DRAF — RAB belum lengkap:") and "1 sumber daya tanpa harga" in lines[1][2]
    assert lines[1][:2] == ["", ""] and set(lines[1][3:]) == {""}
    by_code = {line[1]: line for line in lines[2:]}
    assert list(by_code) == ["L.01", "L.02", "L.04", "M.10", "M.15", "X.01"]
    assert by_code["M.15"] == [
        "Bahan",
        "M.15",
        "Semen Portland",
        "kg",
        "1500,00",
        "zak",
        "50",  # the purchase factor trimmed, as on the page
        "75000,00",
        "",
    ]
    assert by_code["X.01"][2] == "'" + INJECTION
    assert by_code["X.01"][6:8] == ["0,333333", "411,52"]
    assert by_code["L.02"][4:] == ["", "minggu", "1", "", "belum diisi"]
    assert by_code["L.01"][5:] == ["", "", "", ""]
    assert calls[-1] == (6, 6, "Menulis harga 6/6")
    assert b"".join(build_prices_csv(ProjectFactory(owner=user))).decode("utf-8-sig").splitlines() == [
        ";".join(CSV_HEADER)
    ]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_job_service_builds_the_price_list_file(user, fmt, django_capture_on_commit_callbacks):
    project = build_prices(user)
    with django_capture_on_commit_callbacks(execute=True):
        job = exports.start(project=project, document="harga", fmt=fmt, by=user)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE, job.error
    assert job.file.name.endswith(f".{fmt}") and job.size > 0 and job.percent == 100
    with job.file.open("rb") as handle:
        content = handle.read()
    if fmt == "xlsx":
        assert load_workbook(io.BytesIO(content)).sheetnames == ["Harga Satuan Dasar"]
    else:
        assert content.startswith("\ufeff".encode()) and b"75000,00" in content
