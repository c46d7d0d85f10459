"""The AHSP export (XLSX and CSV): layout, real numbers, live formulas that give the app's HSP, injection."""

import csv
import io
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from openpyxl import load_workbook

from ahsp.exports.analyses_csv import HEADER as CSV_HEADER
from ahsp.exports.analyses_csv import build_analyses_csv
from ahsp.exports.analyses_xlsx import EMPTY_NOTE, HEADER, build_analyses_xlsx
from ahsp.exports.xlsx_common import FREEZE, HEADER_ROW
from ahsp.loaders.analyses import load_project_sheets
from ahsp.models import AnalysisComponent, ExportJob, ProjectAnalysis, ProjectResource
from ahsp.services import exports
from ahsp.tests.factories import ProjectAnalysisFactory, ProjectFactory, ProjectResourceFactory
from ahsp.tests.rab_data import build_small_rab

pytestmark = pytest.mark.django_db

INJECTION = '=HYPERLINK("http://x","klik")'
SCRIPT = "<script>alert(1)</script> Dinding bata"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def build_wall(user, **fields):
    """The small RAB (C.1 62.700, C.2 93.500, C.3 59.796; BUK 10 %) plus C.4, worked out by hand:

    C.4 "<script>... Dinding bata" (m2):
    - A: Pekerja 0,3 x 150.000 = 45.000; Tukang (price missing) 0,1 x - = 0         -> A = 45.000
    - B: Semen 9,68 x 1.500 = 14.520                                                   -> B = 14.520
    - C: none                                                                          -> C = 0
    - Lain-lain: =HYPERLINK... 0,25 x 1.234,57 = 308,6425 (exact, not cents)
    - nested C.3 (D = 54.360, without its BUK) x 1,5 = 81.540
    D = 45.000 + 14.520 + 0 + 308,6425 + 81.540 = 141.368,6425
    E = 10 % x D = 14.136,86425
    D + E = 155.505,50675 -> HSP (cents) 155.505,51; with HSP rounding Rp 100: 155.500,00
    """
    rab = build_small_rab(user, **fields)
    project = rab.project
    analyses = {a.code: a for a in ProjectAnalysis.objects.filter(project=project)}
    resources = {r.code: r for r in ProjectResource.objects.filter(project=project)}
    mason = ProjectResourceFactory(
        project=project, code="L.02", name="Tukang batu", unit="OH", category="labour"
    )
    fee = ProjectResourceFactory(
        project=project,
        code="X.01",
        name=INJECTION,
        unit="ls",
        category="other",
        unit_price=Decimal("1234.57"),
    )
    wall = ProjectAnalysisFactory(project=project, code="C.4", name=SCRIPT, unit="m2")
    lines = [
        (resources["L.01"], None, "0.3"),
        (mason, None, "0.1"),
        (resources["M.15"], None, "9.68"),
        (fee, None, "0.25"),
        (None, analyses["C.3"], "1.5"),
    ]
    AnalysisComponent.objects.bulk_create(
        AnalysisComponent(analysis=wall, position=i, resource=r, nested_analysis=n, coefficient=Decimal(k))
        for i, (r, n, k) in enumerate(lines)
    )
    return project


def open_sheet(data: bytes):
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["AHSP"]
    return workbook["AHSP"]


# --- a tiny Decimal evaluator for the formula shapes the builders write ---------------------------------

TOKEN = re.compile(r"(?P<range>[A-Z]+\d+:[A-Z]+\d+)|(?P<ref>[A-Z]+\d+)|(?P<func>ROUND|SUM)\(|(?P<num>\d+)")


def _round(value: Decimal, digits: Decimal) -> Decimal:
    """Excel ROUND: half away from zero."""
    return value.quantize(Decimal(1).scaleb(-int(digits)), rounding=ROUND_HALF_UP)


def evaluate(ws, ref: str) -> Decimal:
    """A cell as Decimal: numbers as written, empty = 0, formulas of +, *, /, ROUND, SUM over cells."""
    value = ws[ref].value
    if value is None:
        return Decimal(0)
    if not isinstance(value, str):
        return Decimal(str(value))
    assert value.startswith("="), f"{ref} holds text {value!r}"
    formula = value[1:]
    assert re.fullmatch(r"[A-Z0-9(),:+*/]+", formula), formula

    def cells(area: str) -> list[Decimal]:
        return [evaluate(ws, cell.coordinate) for row in ws[area] for cell in row]

    def token(match: re.Match) -> str:
        if match["range"]:
            return f"_cells({match['range']!r})"
        if match["ref"]:
            return f"_cell({match['ref']!r})"
        if match["func"]:
            return f"_{match['func'].lower()}("
        return f"_D({match['num']!r})"

    def total(*parts) -> Decimal:
        return sum((sum(p, Decimal(0)) if isinstance(p, list) else p for p in parts), Decimal(0))

    names = {
        "_cells": cells,
        "_cell": lambda r: evaluate(ws, r),
        "_round": _round,
        "_sum": total,
        "_D": Decimal,
    }
    return eval(TOKEN.sub(token, formula), {"__builtins__": {}}, names)  # noqa: S307 (own formulas only)


# --- helpers to read the blocks --------------------------------------------------------------------------


def row_values(ws, row: int) -> list:
    return [ws.cell(row=row, column=column).value for column in range(1, 9)]


def block(ws, code: str) -> dict:
    """Rows of one analysis block: ``title``, components by kode, subtotals by label, D, E and F."""
    title = next(r for r in range(HEADER_ROW + 1, ws.max_row + 1) if ws.cell(row=r, column=1).value == code)
    rows = {"title": title}
    for r in range(title + 2, ws.max_row + 1):
        first, label, kode = (ws.cell(row=r, column=c).value for c in (1, 2, 3))
        if first is None and label is None:
            break
        if kode is not None:
            rows[kode] = r
        elif str(label).startswith("Jumlah Harga"):
            rows[label] = r
        elif first in ("D", "E", "F"):
            rows[first] = r
    return rows


# --- XLSX ------------------------------------------------------------------------------------------------


def test_header_block_frozen_panes_print_setup(user):
    project = build_wall(user)
    ws = open_sheet(build_analyses_xlsx(project))
    assert ws["A1"].value == "RINCIAN ANALISA HARGA SATUAN PEKERJAAN (AHSP)"
    fields = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=3).value for r in range(2, 7)}
    assert fields == {
        "Nama Proyek": "Gedung Serbaguna",
        "Pemilik": "Dinas PUPR Kabupaten Contoh",
        "Lokasi": "Kecamatan Sukamaju",
        "Sumber Dana": "APBD",
        "Tahun Anggaran": 2026,
    }
    assert tuple(row_values(ws, HEADER_ROW)) == HEADER
    assert ws.freeze_panes == FREEZE == f"A{HEADER_ROW + 1}"
    assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
    # fit to 1 page wide (fitToWidth 1 is the default XlsxWriter leaves out), any number of pages tall
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.column_dimensions["B"].width >= 40


def test_blocks_have_real_numbers_and_formulas_giving_the_apps_hsp(user):
    project = build_wall(user)
    ws = open_sheet(build_analyses_xlsx(project))
    rows = block(ws, "C.4")
    assert row_values(ws, rows["title"])[:4] == ["C.4", SCRIPT, None, "m2"]  # <script> kept as plain text
    assert ws.cell(row=rows["title"], column=8).value == "1 harga belum diisi"
    assert tuple(row_values(ws, rows["title"] + 1)) == HEADER
    worker = rows["L.01"]
    assert row_values(ws, worker)[:7] == [1, "Pekerja", "L.01", "OH", 0.3, 150000, f"=E{worker}*F{worker}"]
    # the coefficient's meaningful decimals (``formatting.coefficient_places``)
    assert ws[f"E{worker}"].data_type == "n" and ws[f"E{worker}"].number_format.startswith("#,##0.0")
    assert ws[f"F{worker}"].data_type == "n" and ws[f"F{worker}"].number_format == "#,##0.00"
    mason = rows["L.02"]
    assert ws[f"F{mason}"].value is None and ws[f"H{mason}"].value == "harga belum diisi"
    fee = rows["X.01"]
    assert ws[f"B{fee}"].value == INJECTION and ws[f"B{fee}"].data_type == "s" and ws[f"B{fee}"].quotePrefix
    assert evaluate(ws, f"G{fee}") == Decimal("308.6425")  # exact, as the app
    nested = rows["C.3"]
    assert ws[f"F{nested}"].value == f"=G{block(ws, 'C.3')['D']}"  # live link to C.3's D
    assert evaluate(ws, f"F{nested}") == Decimal("54360")
    assert evaluate(ws, f"G{rows['Jumlah Harga Tenaga Kerja (A)']}") == Decimal("45000")
    assert evaluate(ws, f"G{rows['Jumlah Harga Bahan (B)']}") == Decimal("14520")
    assert ws[f"G{rows['Jumlah Harga Peralatan (C)']}"].value == "=0"
    assert evaluate(ws, f"G{rows['D']}") == Decimal("141368.6425")
    assert ws[f"F{rows['E']}"].value == 10
    assert evaluate(ws, f"G{rows['E']}") == Decimal("14136.86425")
    assert ws[f"G{rows['F']}"].value == f"=ROUND(G{rows['D']}+G{rows['E']},2)"
    assert evaluate(ws, f"G{rows['F']}") == Decimal("155505.51")
    by_code = {sheet.analysis.code: sheet for sheet in load_project_sheets(project=project)}
    assert by_code["C.4"].unit_rate == Decimal("155505.51")
    for code, hsp in (("C.1", "62700"), ("C.2", "93500"), ("C.3", "59796"), ("C.4", "155505.51")):
        assert evaluate(ws, f"G{block(ws, code)['F']}") == Decimal(hsp) == by_code[code].unit_rate


def test_hsp_rounding_step_is_a_live_round_of_the_cent_value(user):
    project = build_wall(user, hsp_rounding_step=100)
    ws = open_sheet(build_analyses_xlsx(project))
    rows = block(ws, "C.4")
    d, e, f = rows["D"], rows["E"], rows["F"]
    assert ws[f"G{f}"].value == f"=ROUND(ROUND(G{d}+G{e},2)/F{f},0)*F{f}"
    assert ws[f"F{f}"].value == 100
    # 155.505,51 / 100 = 1.555,0551 -> 1.555 -> 155.500; C.3: 59.796 -> 597,96 -> 598 -> 59.800
    assert evaluate(ws, f"G{f}") == Decimal("155500")
    assert evaluate(ws, f"G{block(ws, 'C.3')['F']}") == Decimal("59800")
    by_code = {sheet.analysis.code: sheet.unit_rate for sheet in load_project_sheets(project=project)}
    assert by_code["C.4"] == Decimal("155500") and by_code["C.3"] == Decimal("59800")


def test_empty_project_progress_and_query_count(user, django_assert_max_num_queries):
    ws = open_sheet(build_analyses_xlsx(ProjectFactory(owner=user)))
    assert ws.cell(row=HEADER_ROW + 1, column=2).value == EMPTY_NOTE

    project = build_wall(user)
    calls = []
    with django_assert_max_num_queries(4):  # analyses, components, work items (their BUK %), draft counts
        build_analyses_xlsx(project, progress=lambda *args: calls.append(args))
    assert calls[-1] == (5, 5, "Selesai")  # 4 analyses + saving
    assert "Menulis analisa 3/4" in {stage for _, _, stage in calls}
    done = [d for d, t, _ in calls if t]  # at least every 10 % of the 5 units
    assert done[0] == 0 and all(b - a <= max(1, 5 // 10) for a, b in zip(done, done[1:], strict=False))


def test_formulas_carry_the_apps_figures_as_results(user):
    """What a viewer that does not recalculate shows: the results stored with the formulas, as worked out
    by hand in ``build_wall``; and the draft mark (Tukang batu has no price)."""
    project = build_wall(user)
    data = build_analyses_xlsx(project)
    ws = load_workbook(io.BytesIO(data), data_only=True)["AHSP"]
    rows = block(open_sheet(data), "C.4")

    def number(ref: str) -> Decimal:
        assert isinstance(ws[ref].value, int | float), (ref, ws[ref].value)
        return Decimal(str(ws[ref].value))

    assert number(f"G{rows['L.01']}") == Decimal("45000")
    assert ws[f"G{rows['L.02']}"].value == 0  # no price: counts 0, as in the app
    assert number(f"G{rows['X.01']}") == Decimal("308.6425")
    assert number(f"F{rows['C.3']}") == Decimal("54360") and number(f"G{rows['C.3']}") == Decimal("81540")
    assert number(f"G{rows['Jumlah Harga Tenaga Kerja (A)']}") == Decimal("45000")
    assert number(f"G{rows['Jumlah Harga Bahan (B)']}") == Decimal("14520")
    assert number(f"G{rows['Jumlah Harga Peralatan (C)']}") == 0
    assert number(f"G{rows['D']}") == Decimal("141368.6425")
    assert number(f"G{rows['E']}") == Decimal("14136.86425")
    assert number(f"G{rows['F']}") == Decimal("155505.51")
    draft = ws[f"A{HEADER_ROW - 1}"].value
    assert draft.startswith("DRAF — RAB belum lengkap: ") and "1 sumber daya tanpa harga" in draft


def test_a_work_items_own_buk_gets_its_block_with_the_note_in_the_title(user):
    """Bowplank (the only item of C.1) at 12 %: D 57.000, E 12 % = 6.840, HSP 63.840,00."""
    from ahsp.models import WorkItem
    from ahsp.services import analyses

    rab = build_small_rab(user)
    analyses.set_overhead_override(item=WorkItem.objects.get(pk=rab.bowplank.pk), pct=Decimal("12"), by=user)
    data = build_analyses_xlsx(rab.project)
    formulas, ws = open_sheet(data), load_workbook(io.BytesIO(data), data_only=True)["AHSP"]
    rows = block(formulas, "C.1")
    sheet = next(s for s in load_project_sheets(project=rab.project) if s.analysis.code == "C.1")
    note = getattr(sheet, "note", "")
    assert note and "12" in note
    assert formulas.cell(row=rows["title"], column=2).value == f"Pemasangan bowplank — {note}"
    assert formulas[f"F{rows['E']}"].value == 12
    assert Decimal(str(ws[f"G{rows['E']}"].value)) == Decimal("6840")
    assert Decimal(str(ws[f"G{rows['F']}"].value)) == Decimal("63840")


# --- CSV -------------------------------------------------------------------------------------------------


def read_csv(project) -> tuple[bytes, list[list[str]]]:
    data = b"".join(build_analyses_csv(project))
    return data, list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_csv_has_bom_header_components_and_totals(user, django_assert_max_num_queries):
    project = build_wall(user)
    with django_assert_max_num_queries(4):  # analyses, components, work items (their BUK %), draft counts
        data, lines = read_csv(project)
    assert data.startswith("\ufeff".encode()) and b"\r\n" in data
    assert tuple(lines[0]) == CSV_HEADER
    wall = [line for line in lines[1:] if line[0] == "C.4"]
    assert all(line[1] == SCRIPT and line[2] == "m2" for line in wall)
    by_label = {(line[3], line[4] or line[5]): line[4:] for line in wall}
    assert by_label[("A. Tenaga Kerja", "L.01")] == [
        "L.01",
        "Pekerja",
        "OH",
        "0,3",  # coefficients trimmed of trailing zeros, as on the page
        "150000,00",
        "45000,00",
        "",
    ]
    assert by_label[("A. Tenaga Kerja", "L.02")][4:] == ["", "0,00", "harga belum diisi"]
    assert by_label[("Lain-lain", "X.01")][1] == "'" + INJECTION
    assert by_label[("Lain-lain", "X.01")][5] == "308,6425"
    assert by_label[("Analisa lain (bersarang)", "C.3")][4:6] == ["54360,00", "81540,00"]
    assert by_label[("A. Tenaga Kerja", "Jumlah Harga Tenaga Kerja (A)")][5] == "45000,00"
    assert by_label[("D", "Jumlah (A + B + C + lain-lain + analisa bersarang)")][5] == "141368,6425"
    assert by_label[("E", "Biaya Umum dan Keuntungan (BUK) 10,00 % × D")][3:6] == ["10,00", "", "14136,86425"]
    assert by_label[("F", "Harga Satuan Pekerjaan (HSP) = D + E")][5] == "155505,51"
    assert [line[3] for line in lines[1:] if line[0] == "C.1"][-3:] == ["D", "E", "F"]


def test_csv_of_an_empty_project_is_the_header_only(user):
    _, lines = read_csv(ProjectFactory(owner=user))
    assert lines == [list(CSV_HEADER)]


# --- through the export job service ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_job_service_builds_the_ahsp_file(user, fmt, django_capture_on_commit_callbacks):
    project = build_wall(user)
    with django_capture_on_commit_callbacks(execute=True):
        job = exports.start(project=project, document="ahsp", fmt=fmt, by=user)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE, job.error
    assert job.file.name.endswith(f".{fmt}") and job.size > 0 and job.percent == 100
    with job.file.open("rb") as handle:
        content = handle.read()
    if fmt == "xlsx":
        assert load_workbook(io.BytesIO(content)).sheetnames == ["AHSP"]
    else:
        assert content.startswith("\ufeff".encode()) and b"155505,51" in content
