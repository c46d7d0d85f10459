"""The resource requirements document (rekap kebutuhan): PDF, XLSX (live costs and totals) and CSV.

Expected values: the small RAB of ``rab_data.py`` (volumes 2,5 m' bowplank, 10 m3 galian, 12,75 m2
plesteran), worked out by hand::

    A Tenaga Kerja  L.01 Pekerja   0,1 x 2,5 + 0,5 x 10 + 0,3 x 12,75 = 9,075 OH x 150.000 = 1.361.250
                    L.04 Mandor    0,05 x 10                          = 0,5 OH   x 200.000 =   100.000
                                                                                   Jumlah A = 1.461.250
    B Bahan         M.10 Kayu      0,012 x 2,5                        = 0,03 m3  x 3.500.000 = 105.000
                    M.15 Semen     6,24 x 12,75                       = 79,56 kg x 1.500     = 119.340
                                   (bought per zak of 50 kg: 79,56 / 50 = 1,5912 zak)
                                                                                   Jumlah B =   224.340
    Total = 1.685.590,00 = volume x D over the items: 2,5 x 57.000 + 10 x 85.000 + 12,75 x 54.360
          = 142.500 + 850.000 + 693.090 (the identity); RAB before PPN 1.854.149,00.
"""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from ahsp.exports.requirements_csv import HEADER as CSV_HEADER
from ahsp.exports.requirements_csv import build_requirements_csv
from ahsp.exports.requirements_pdf import build_requirements_pdf
from ahsp.exports.requirements_xlsx import HEADER, build_requirements_xlsx
from ahsp.exports.xlsx_common import FREEZE, HEADER_ROW
from ahsp.loaders.requirements_doc import EMPTY_NOTE
from ahsp.models import AnalysisComponent, ExportJob, ProjectResource, WorkItem
from ahsp.services import exports, recalc
from ahsp.tests.factories import ProjectFactory, ProjectResourceFactory
from ahsp.tests.rab_data import build_small_rab
from ahsp.tests.test_exports_schedule_docs import (
    INJECTION,
    SCRIPT,
    SIGNATORIES,
    assert_numbered,
    evaluate,
    is_landscape,
    read_pdf,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def build(user, **fields):
    rab = build_small_rab(user, **{**SIGNATORIES, **fields})
    ProjectResource.objects.filter(project=rab.project, code="M.15").update(
        purchase_unit="zak", purchase_factor=Decimal("50")
    )
    return rab


@pytest.fixture
def small(user):
    return build(user)


def add_odd_resources(rab):
    """Two more resources on the bowplank analysis (volume 2,5): "<script>..." L.02 at 175.000, 0,2 per m'
    (0,5 OH = 87.500), and the =HYPERLINK... X.01 without a price, 0,4 per m' (1 ls, not in the totals).
    New total 1.685.590 + 87.500 = 1.773.090 (D of the bowplank grows by 0,2 x 175.000 = 35.000)."""
    project = rab.project
    mason = ProjectResourceFactory(
        project=project, code="L.02", name=SCRIPT, unit="OH", category="labour", unit_price=Decimal(175000)
    )
    fee = ProjectResourceFactory(project=project, code="X.01", name=INJECTION, unit="ls", category="other")
    AnalysisComponent.objects.bulk_create(
        AnalysisComponent(
            analysis_id=rab.bowplank.analysis_id, position=10 + i, resource=r, coefficient=Decimal(k)
        )
        for i, (r, k) in enumerate(((mason, "0.2"), (fee, "0.4")))
    )
    recalc.recalculate_project(project)


def make_cycle(rab):
    """The bowplank analysis nests the galian analysis and the galian the bowplank: incomputable."""
    AnalysisComponent.objects.bulk_create(
        [
            AnalysisComponent(
                analysis_id=rab.bowplank.analysis_id,
                position=20,
                nested_analysis_id=rab.excavation.analysis_id,
                coefficient=Decimal(1),
            ),
            AnalysisComponent(
                analysis_id=rab.excavation.analysis_id,
                position=20,
                nested_analysis_id=rab.bowplank.analysis_id,
                coefficient=Decimal(1),
            ),
        ]
    )


# --- PDF ----------------------------------------------------------------------------------------------------


def test_requirements_pdf_groups_resources_with_totals_and_the_identity(small):
    calls = []
    reader, pages = read_pdf(build_requirements_pdf(small.project, progress=lambda *args: calls.append(args)))
    text = " ".join(pages)

    assert not is_landscape(reader) and len(pages) == 1
    assert_numbered(pages)
    assert "REKAP KEBUTUHAN SUMBER DAYA" in text
    for field in ("Gedung Serbaguna", "Dinas PUPR Kabupaten Contoh", "Kecamatan Sukamaju", "APBD", "2026"):
        assert field in text
    assert (
        "No Kode Uraian Satuan Kuantitas Harga Satuan (Rp) Jumlah Biaya (Rp) Kuantitas Beli Satuan Beli "
        "A Tenaga Kerja 1 L.01 Pekerja OH 9,075 150.000,00 1.361.250,00 "
        "2 L.04 Mandor OH 0,50 200.000,00 100.000,00 Jumlah Tenaga Kerja (A) 1.461.250,00 "
        "B Bahan 1 M.10 Kayu kelas III m3 0,03 3.500.000,00 105.000,00 "
        "2 M.15 Semen Portland kg 79,56 1.500,00 119.340,00 1,5912 zak 1 zak = 50,00 kg "
        "Jumlah Bahan (B) 224.340,00 "
        "Total biaya kebutuhan sumber daya (A + B) 1.685.590,00 "
        "Jumlah biaya langsung (sebelum BUK) 1.685.590,00 "
        "Jumlah RAB (termasuk BUK, sebelum PPN) 1.854.149,00" in text
    )
    assert "Total biaya kebutuhan sama dengan jumlah volume × biaya langsung" in text
    for value in SIGNATORIES.values():
        assert value in text
    assert calls[0] == (0, 100, "Menghitung kebutuhan") and calls[-1] == (100, 100, "Menomori halaman")


def test_requirements_pdf_marks_missing_prices_and_prints_user_text_plainly(small):
    add_odd_resources(small)
    text = " ".join(read_pdf(build_requirements_pdf(small.project))[1])

    assert f"2 L.02 {SCRIPT} OH 0,50 175.000,00 87.500,00" in text
    # The long =HYPERLINK name wraps inside its narrow column (pypdf reads the break as a space).
    assert 'D Lain-lain 1 X.01 =HYPERLINK("http://x","k lik") (belum berharga) ls 1,00 — —' in text
    assert "Jumlah Lain-lain (D) (1 belum berharga) 0,00" in text
    assert "(A + B + D) 1.773.090,00 Jumlah biaya langsung (sebelum BUK) 1.773.090,00" in text
    assert "1 sumber daya belum berharga: biayanya belum dihitung dalam total." in text


def test_requirements_pdf_of_an_empty_project_and_of_a_cycle(user, small):
    reader, pages = read_pdf(build_requirements_pdf(ProjectFactory(owner=user)))
    assert EMPTY_NOTE in pages[0] and "Halaman 1 dari 1" in pages[0]

    make_cycle(small)
    reader, pages = read_pdf(build_requirements_pdf(small.project))
    assert "Catatan: Kebutuhan tidak dapat dihitung:" in pages[0] and "Disetujui oleh" in pages[0]


# --- XLSX ---------------------------------------------------------------------------------------------------


def open_sheet(data: bytes):
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["Kebutuhan"]
    return workbook["Kebutuhan"]


def rows_by_label(ws) -> dict[str, int]:
    """Sheet rows by kode (resources) or by the label in column C (titles and totals)."""
    rows = {}
    for r in range(HEADER_ROW + 1, ws.max_row + 1):
        key = ws.cell(row=r, column=2).value or ws.cell(row=r, column=3).value
        rows.setdefault(key, r)
    return rows


def test_requirements_xlsx_numbers_live_costs_and_totals(small, django_assert_max_num_queries):
    calls = []
    with django_assert_max_num_queries(6):
        data = build_requirements_xlsx(small.project, progress=lambda *args: calls.append(args))
    ws = open_sheet(data)

    assert ws["A1"].value == "REKAP KEBUTUHAN SUMBER DAYA" and ws["C2"].value == "Gedung Serbaguna"
    assert tuple(ws.cell(row=HEADER_ROW, column=c).value for c in range(1, 12)) == HEADER
    assert ws.freeze_panes == FREEZE and ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
    rows = rows_by_label(ws)
    worker, cement = rows["L.01"], rows["M.15"]
    assert [ws.cell(row=worker, column=c).value for c in range(1, 7)] == [
        1,
        "L.01",
        "Pekerja",
        "OH",
        9.075,
        150000,
    ]
    assert ws[f"E{worker}"].data_type == "n" and ws[f"E{worker}"].number_format == "#,##0.0000"
    assert ws[f"G{worker}"].value == f"=E{worker}*F{worker}"
    assert evaluate(ws, f"G{worker}") == Decimal("1361250")
    assert [ws.cell(row=cement, column=c).value for c in (8, 9)] == ["zak", 50]
    assert ws[f"J{cement}"].value == f"=ROUND(E{cement}/I{cement},4)"
    assert evaluate(ws, f"J{cement}") == Decimal("1.5912")
    labour, material = rows["Jumlah Tenaga Kerja (A)"], rows["Jumlah Bahan (B)"]
    assert ws[f"G{labour}"].value == f"=SUM(G{worker}:G{worker + 1})"
    assert evaluate(ws, f"G{labour}") == Decimal("1461250") and evaluate(ws, f"G{material}") == Decimal(
        "224340"
    )
    total, direct = rows["Total biaya kebutuhan sumber daya"], rows["Jumlah biaya langsung (sebelum BUK)"]
    assert ws[f"G{total}"].value == f"=SUM(G{labour},G{material})"
    assert evaluate(ws, f"G{total}") == Decimal("1685590") == evaluate(ws, f"G{direct}")
    assert evaluate(ws, f"G{rows['Selisih (harus 0)']}") == 0
    assert ws[f"G{rows['Jumlah RAB (termasuk BUK, sebelum PPN)']}"].value == 1854149
    # Editing a price in Excel recalculates the resource, its category and the total.
    ws[f"F{worker}"] = 160000
    assert evaluate(ws, f"G{total}") == Decimal("1776340")  # + 9,075 x 10.000
    assert evaluate(ws, f"G{rows['Selisih (harus 0)']}") == Decimal("90750")

    assert calls[-1] == (5, 5, "Selesai")  # 4 resources + saving


def test_requirements_xlsx_neutralises_user_text_and_marks_missing_prices(user):
    rab = build(user, name=INJECTION)
    add_odd_resources(rab)
    ws = open_sheet(build_requirements_xlsx(rab.project))
    rows = rows_by_label(ws)

    assert ws["C2"].value == INJECTION and ws["C2"].data_type == "s" and ws["C2"].quotePrefix
    fee, mason = rows["X.01"], rows["L.02"]
    assert ws[f"C{fee}"].value == INJECTION and ws[f"C{fee}"].data_type == "s" and ws[f"C{fee}"].quotePrefix
    assert ws[f"C{mason}"].value == SCRIPT
    assert ws[f"F{fee}"].value is None and ws[f"K{fee}"].value == "belum berharga"
    assert ws[f"A{rows['Lain-lain']}"].value == "D"
    assert evaluate(ws, f"G{rows['Total biaya kebutuhan sumber daya']}") == Decimal("1773090")
    notes = [ws.cell(row=r, column=3).value for r in range(HEADER_ROW + 1, ws.max_row + 1)]
    assert "1 sumber daya belum berharga: biayanya belum dihitung dalam total." in notes


def test_requirements_xlsx_of_an_empty_project_and_of_a_cycle(user, small):
    ws = open_sheet(build_requirements_xlsx(ProjectFactory(owner=user)))
    assert ws.cell(row=HEADER_ROW + 1, column=3).value == EMPTY_NOTE
    make_cycle(small)
    ws = open_sheet(build_requirements_xlsx(small.project))
    assert ws.cell(row=HEADER_ROW + 1, column=3).value.startswith("Kebutuhan tidak dapat dihitung:")


# --- CSV ----------------------------------------------------------------------------------------------------


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_requirements_csv_streams_one_line_per_resource(small, django_assert_max_num_queries):
    add_odd_resources(small)
    calls = []
    with django_assert_max_num_queries(6):  # + the RAB's completeness (the draft line)
        chunks = list(build_requirements_csv(small.project, progress=lambda *args: calls.append(args)))
    assert len(chunks) >= 2  # the header first, before the rows
    lines = read_csv(b"".join(chunks))

    assert tuple(lines[0]) == CSV_HEADER
    # X.01 has no price: a draft, said right after the header in the uraian column
    assert lines[1] == ["", "", "DRAF — RAB belum lengkap: 1 sumber daya tanpa harga"] + [""] * 8
    by_code = {line[1]: line for line in lines[2:]}
    assert list(by_code) == ["L.01", "L.02", "L.04", "M.10", "M.15", "X.01"]
    assert (
        by_code["L.01"]
        == ["Tenaga Kerja", "L.01", "Pekerja", "OH", "9,0750", "150000,00", "1361250,00"] + [""] * 4
    )
    assert by_code["L.02"][2] == SCRIPT and by_code["L.02"][4:7] == ["0,5000", "175000,00", "87500,00"]
    assert by_code["M.15"] == [
        "Bahan",
        "M.15",
        "Semen Portland",
        "kg",
        "79,5600",
        "1500,00",
        "119340,00",
        "zak",
        "50",  # the purchase factor trimmed, as on the page
        "1,5912",
        "",
    ]
    assert by_code["X.01"] == [
        "Lain-lain",
        "X.01",
        "'" + INJECTION,
        "ls",
        "1,0000",
        "",
        "",
        "",
        "",
        "",
        "belum berharga",
    ]
    assert calls[-1] == (6, 6, "Menulis sumber daya 6/6")


def test_requirements_csv_exact_values_empty_project_and_cycle(user, small):
    WorkItem.objects.filter(pk=small.plastering.pk).update(volume=Decimal("12.3456"))
    lines = read_csv(b"".join(build_requirements_csv(small.project)))
    cement = next(line for line in lines if line[1] == "M.15")
    # 6,24 x 12,3456 = 77,036544 kg (all decimals kept) x 1.500 = 115.554,816 (exact)
    assert cement[4:7] == ["77,036544", "1500,00", "115554,816"]
    assert read_csv(b"".join(build_requirements_csv(ProjectFactory(owner=user)))) == [list(CSV_HEADER)]
    make_cycle(small)
    lines = read_csv(b"".join(build_requirements_csv(small.project)))
    assert len(lines) == 2 and lines[1][2].startswith("Kebutuhan tidak dapat dihitung:")


# --- through the job service -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["pdf", "xlsx", "csv"])
def test_job_service_builds_the_requirements(small, user, fmt, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = exports.start(project=small.project, document="kebutuhan", fmt=fmt, by=user)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE, job.error
    assert job.file.name.endswith(f".{fmt}") and job.size > 0 and job.percent == 100
    with job.file.open("rb") as handle:
        data = handle.read()
    if fmt == "pdf":
        assert "1.685.590,00" in " ".join(read_pdf(data)[1])
    elif fmt == "xlsx":
        ws = open_sheet(data)
        assert evaluate(ws, f"G{rows_by_label(ws)['Total biaya kebutuhan sumber daya']}") == Decimal(
            "1685590"
        )
    else:
        assert "1361250,00" in data.decode("utf-8-sig")


def test_requirements_xlsx_formulas_carry_their_results(user):
    """The awkward RAB of ``test_exports_rab_xlsx`` (Plesteran 13,632 m2, Galian 7,125 m3), by hand:

    Pekerja 0,325 x 13,632 + 0,75 x 7,125 = 9,77415 OH x 137.500 = 1.343.945,625
    Mandor  0,025 x 7,125 = 0,178125 OH x 211.111 = 37.604,146875       -> A = 1.381.549,771875
    Semen   6,24 x 13,632 = 85,06368 kg x 1.437,50 = 122.279,04; per zak of 40 kg: 2,126592 -> 2,1266
    Total 1.503.828,811875 = 13,632 x 53.657,50 + 7,125 x 108.402,775 (volume x D): difference 0.
    """
    from ahsp.tests.test_exports_rab_xlsx import build_awkward_rab

    project = build_awkward_rab(user)
    ProjectResource.objects.filter(project=project, code="M.15").update(
        purchase_unit="zak", purchase_factor=Decimal("40")
    )
    data = build_requirements_xlsx(project)
    ws = load_workbook(io.BytesIO(data), data_only=True)["Kebutuhan"]
    formulas = open_sheet(data)
    rows = rows_by_label(ws)

    def number(ref: str) -> Decimal:
        assert isinstance(ws[ref].value, int | float), (ref, ws[ref].value)
        return Decimal(str(ws[ref].value))

    worker, foreman, cement = rows["L.01"], rows["L.04"], rows["M.15"]
    assert formulas[f"G{worker}"].value == f"=E{worker}*F{worker}"
    assert number(f"G{worker}") == Decimal("1343945.625")
    assert number(f"G{foreman}") == Decimal("37604.146875")
    assert number(f"G{rows['Jumlah Tenaga Kerja (A)']}") == Decimal("1381549.771875")
    assert number(f"G{cement}") == Decimal("122279.04") and number(f"J{cement}") == Decimal("2.1266")
    assert formulas[f"J{cement}"].value == f"=ROUND(E{cement}/I{cement},4)"
    total = rows["Total biaya kebutuhan sumber daya"]
    assert number(f"G{total}") == Decimal("1503828.811875")
    assert number(f"G{rows['Jumlah biaya langsung (sebelum BUK)']}") == Decimal("1503828.811875")
    assert number(f"G{rows['Selisih (harus 0)']}") == 0
    assert number(f"G{rows['Jumlah RAB (termasuk BUK, sebelum PPN)']}") == Decimal("1711116.68")
