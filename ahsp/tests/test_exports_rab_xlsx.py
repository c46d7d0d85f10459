"""The RAB workbook: live formulas stored with their results, real numbers, formats, frozen header, formula
injection, totals, terbilang, BUK statement, signatures and the draft mark.

The awkward RAB (``build_awkward_rab``), worked out by hand (BUK 12,5 %, PPN 11 %, total rounded down to
Rp 1.000, HSP to the cent)::

    resources: Pekerja 137.500 /OH; Mandor 211.111 /OH; Semen 1.437,50 /kg
    I.1  Plesteran 1:4 (m2): 0,325 x 137.500 + 6,24 x 1.437,50 = 44.687,50 + 8.970 = D 53.657,50;
         E = 12,5 % = 6.707,1875; HSP = 60.364,6875 -> 60.364,69; volume 13,632 -> 822.891,45408 -> 822.891,45
    II.1 Galian tanah keras (m3), its own BUK 15 %: 0,75 x 137.500 + 0,025 x 211.111 = 103.125 + 5.277,775
         = D 108.402,775; E = 16.260,41625; HSP = 124.663,19125 -> 124.663,19; volume 7,125
         -> 888.225,22875 -> 888.225,23
    Jumlah 1.711.116,68; PPN 11 % = 188.222,8348 -> 188.222,83; Jumlah total 1.899.339,51;
    Dibulatkan 1.899.000,00 ("satu juta delapan ratus sembilan puluh sembilan ribu rupiah")
    bobot I.1 = 822.891,45 / 1.711.116,68 x 100 = 48,0909022... -> 48,090902; II.1 51,9090977... -> 51,909098
"""

import io
import re
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

import pytest
from openpyxl import load_workbook

from ahsp.exports.rab_xlsx import (
    FIRST_DATA_ROW,
    FREEZE,
    HEADER,
    HEADER_ROW,
    MONEY_FORMAT,
    VOLUME_FORMAT,
    WEIGHT_FORMAT,
    _sum_formula,
    build_rab_xlsx,
)
from ahsp.exports.xlsx_common import DRAFT_ROW
from ahsp.loaders import rab as rab_loader
from ahsp.models import WorkItem
from ahsp.services import analyses, recalc, sections, work_items
from ahsp.tests.factories import (
    AnalysisComponentFactory,
    ProjectFactory,
    ProjectResourceFactory,
    SectionFactory,
)
from ahsp.tests.rab_data import build_small_rab

pytestmark = pytest.mark.django_db

# The small RAB (rab_data.py) as laid out in the sheet.
ROW_I, ROW_I1, ROW_I2, ROW_II, ROW_II1 = range(FIRST_DATA_ROW, FIRST_DATA_ROW + 5)
ROW_TOTAL, ROW_VAT, ROW_GRAND, ROW_ROUNDED = range(FIRST_DATA_ROW + 5, FIRST_DATA_ROW + 9)


@pytest.fixture
def small(user):
    return build_small_rab(user)


def open_sheet(data: bytes):
    workbook = load_workbook(io.BytesIO(data), data_only=False)
    assert workbook.sheetnames == ["RAB"]
    return workbook["RAB"]


def values(ws, row: int) -> list:
    return [ws.cell(row=row, column=column).value for column in range(1, 9)]


# --- a tiny evaluator for the formulas this module writes ---------------------------------------------

CENT = Decimal("0.01")


def evaluate(ws, ref: str) -> Decimal:
    """Evaluate a cell with Decimal arithmetic: numbers, and the formula shapes of rab_xlsx."""
    value = ws[ref].value
    if not isinstance(value, str) or not value.startswith("="):
        return Decimal(str(value or 0))
    formula = value[1:]
    if match := re.fullmatch(r"ROUND\(([A-Z]+\d+)\*([A-Z]+\d+),2\)", formula):
        product = evaluate(ws, match[1]) * evaluate(ws, match[2])
        return product.quantize(CENT, ROUND_HALF_UP)
    if match := re.fullmatch(r"ROUND\(([A-Z]+\d+)\*([A-Z]+\d+)/100,2\)", formula):
        return (evaluate(ws, match[1]) * evaluate(ws, match[2]) / 100).quantize(CENT, ROUND_HALF_UP)
    if match := re.fullmatch(r"SUM\((.*)\)", formula):
        total = Decimal(0)
        for part in match[1].split(","):
            first, _, last = part.partition(":")
            column, start = first[0], int(first[1:])
            end = int(last[1:]) if last else start
            total += sum((evaluate(ws, f"{column}{row}") for row in range(start, end + 1)), Decimal(0))
        return total
    if match := re.fullmatch(r"([A-Z]+\d+)\+([A-Z]+\d+)", formula):
        return evaluate(ws, match[1]) + evaluate(ws, match[2])
    if match := re.fullmatch(r"ROUNDDOWN\(([A-Z]+\d+)/([A-Z]+\d+),0\)\*([A-Z]+\d+)", formula):
        step = evaluate(ws, match[2])
        return (evaluate(ws, match[1]) / step).quantize(Decimal(1), ROUND_DOWN) * step
    if match := re.fullmatch(r"IF\(\$G\$(\d+)=0,0,(G\d+)/\$G\$\d+\*100\)", formula):
        total = evaluate(ws, f"G{match[1]}")
        return evaluate(ws, match[2]) / total * 100 if total else Decimal(0)
    if re.fullmatch(r"[A-Z]+\d+", formula):
        return evaluate(ws, formula)
    if formula == "0":
        return Decimal(0)
    raise AssertionError(f"unexpected formula {value!r} in {ref}")


# --- the small RAB -------------------------------------------------------------------------------------


def test_header_block_table_header_and_frozen_panes(small):
    ws = open_sheet(build_rab_xlsx(small.project))
    assert ws["A1"].value == "RENCANA ANGGARAN BIAYA (RAB)"
    fields = {ws.cell(row=row, column=1).value: ws.cell(row=row, column=3).value for row in range(2, 7)}
    assert fields == {
        "Nama Proyek": "Gedung Serbaguna",
        "Pemilik": "Dinas PUPR Kabupaten Contoh",
        "Lokasi": "Kecamatan Sukamaju",
        "Sumber Dana": "APBD",
        "Tahun Anggaran": 2026,
    }
    assert tuple(values(ws, HEADER_ROW)) == HEADER
    assert ws.freeze_panes == FREEZE == f"A{HEADER_ROW + 1}"
    assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
    assert ws.column_dimensions["C"].width >= 40
    assert ws["C" + str(ROW_I1)].alignment.wrap_text


def test_rows_in_tree_order_with_real_numbers_and_formats(small):
    ws = open_sheet(build_rab_xlsx(small.project))
    assert values(ws, ROW_I)[:4] == ["I", None, "Pekerjaan Persiapan dan Tanah", None]
    assert values(ws, ROW_I1)[:6] == ["I.1", "C.1", "Pemasangan bowplank", "m'", 2.5, 62700]
    assert values(ws, ROW_I2)[:6] == ["I.2", "2.2.1.1", "Galian tanah biasa", "m3", 10, 93500]
    assert values(ws, ROW_II)[:3] == ["II", None, "Pekerjaan Plesteran"]
    assert values(ws, ROW_II1)[:6] == ["II.1", "C.3", "Plesteran 1:4", "m2", 12.75, 59796]
    for row in (ROW_I1, ROW_I2, ROW_II1):
        volume, unit_rate = ws[f"E{row}"], ws[f"F{row}"]
        assert volume.data_type == "n" and isinstance(volume.value, int | float)
        assert unit_rate.data_type == "n" and isinstance(unit_rate.value, int | float)
        assert volume.number_format == VOLUME_FORMAT == "#,##0.0000"
        assert unit_rate.number_format == MONEY_FORMAT == "#,##0.00"
        assert ws[f"G{row}"].number_format == MONEY_FORMAT
        assert ws[f"H{row}"].number_format == WEIGHT_FORMAT
    for row in (ROW_I, ROW_II, ROW_TOTAL, ROW_VAT, ROW_GRAND, ROW_ROUNDED):
        assert ws[f"G{row}"].number_format == MONEY_FORMAT


def test_live_formulas(small):
    ws = open_sheet(build_rab_xlsx(small.project))
    for row in (ROW_I1, ROW_I2, ROW_II1):
        assert ws[f"G{row}"].value == f"=ROUND(E{row}*F{row},2)"
        assert ws[f"H{row}"].value == f"=IF($G${ROW_TOTAL}=0,0,G{row}/$G${ROW_TOTAL}*100)"
    assert ws[f"G{ROW_I}"].value == f"=SUM(G{ROW_I1}:G{ROW_I2})"
    assert ws[f"G{ROW_II}"].value == f"=SUM(G{ROW_II1})"
    assert ws[f"H{ROW_I}"].value == f"=IF($G${ROW_TOTAL}=0,0,G{ROW_I}/$G${ROW_TOTAL}*100)"
    assert values(ws, ROW_TOTAL)[2] == "Jumlah"
    assert ws[f"G{ROW_TOTAL}"].value == f"=SUM(G{ROW_I},G{ROW_II})"
    assert ws[f"C{ROW_VAT}"].value == "PPN"
    assert ws[f"F{ROW_VAT}"].value == 11
    assert ws[f"G{ROW_VAT}"].value == f"=ROUND(G{ROW_TOTAL}*F{ROW_VAT}/100,2)"
    assert ws[f"G{ROW_GRAND}"].value == f"=G{ROW_TOTAL}+G{ROW_VAT}"
    assert ws[f"F{ROW_ROUNDED}"].value == 1000
    assert ws[f"G{ROW_ROUNDED}"].value == f"=ROUNDDOWN(G{ROW_GRAND}/F{ROW_ROUNDED},0)*F{ROW_ROUNDED}"
    assert ws[f"A{ROW_ROUNDED + 2}"].value == "Terbilang: Dua juta lima puluh delapan ribu rupiah"


def test_evaluated_formulas_match_the_hand_worked_rab(small):
    ws = open_sheet(build_rab_xlsx(small.project))
    summary = rab_loader.load_rab_summary(small.project)
    assert evaluate(ws, f"G{ROW_I1}") == Decimal("156750.00")
    assert evaluate(ws, f"G{ROW_II1}") == Decimal("762399.00")
    assert evaluate(ws, f"G{ROW_I}") == summary.sections[small.earthwork.pk].subtotal == Decimal("1091750.00")
    assert evaluate(ws, f"G{ROW_TOTAL}") == summary.totals.total == Decimal("1854149.00")
    assert evaluate(ws, f"G{ROW_VAT}") == summary.totals.vat == Decimal("203956.39")
    assert evaluate(ws, f"G{ROW_GRAND}") == summary.totals.grand_total == Decimal("2058105.39")
    assert evaluate(ws, f"G{ROW_ROUNDED}") == summary.totals.rounded_total == Decimal("2058000.00")
    weight = evaluate(ws, f"H{ROW_I2}").quantize(Decimal("0.000001"), ROUND_HALF_UP)
    assert weight == Decimal("50.427447")


def test_editing_a_volume_recalculates_section_and_totals(small):
    """What Excel does when a user changes a volume: the formulas follow."""
    ws = open_sheet(build_rab_xlsx(small.project))
    ws[f"E{ROW_II1}"].value = 20  # 20 x 59.796 = 1.195.920
    assert evaluate(ws, f"G{ROW_II}") == Decimal("1195920.00")
    assert evaluate(ws, f"G{ROW_TOTAL}") == Decimal("2287670.00")


def test_no_rounding_and_other_modes(user):
    data = build_small_rab(user, rounding_step=0)
    ws = open_sheet(build_rab_xlsx(data.project))
    assert ws[f"G{ROW_ROUNDED}"].value == f"=G{ROW_GRAND}"
    assert evaluate(ws, f"G{ROW_ROUNDED}") == Decimal("2058105.39")
    data = build_small_rab(user, name="Naik", rounding_mode="up", rounding_step=100)
    ws = open_sheet(build_rab_xlsx(data.project))
    assert ws[f"G{ROW_ROUNDED}"].value == f"=ROUNDUP(G{ROW_GRAND}/F{ROW_ROUNDED},0)*F{ROW_ROUNDED}"
    assert ws[f"F{ROW_ROUNDED}"].value == 100


@pytest.mark.parametrize(
    "name",
    ['=HYPERLINK("http://x","klik")', "+1+2", "-2+3", "@SUM(1)", "\t=1", "\r=1"],
)
def test_formula_injection_is_stored_as_text(user, name):
    project = ProjectFactory(owner=user, name=name, client=name)
    section = SectionFactory(project=project, name=name, position=0)
    item = work_items.add_custom(project=project, section=section, name=name, unit="=1+1", by=user)
    item.refresh_from_db()
    ws = open_sheet(build_rab_xlsx(project))
    expected = {
        "C2": name,
        "C3": name,
        f"C{FIRST_DATA_ROW}": name,
        f"C{FIRST_DATA_ROW + 1}": item.name,  # the service trims edge whitespace
        f"D{FIRST_DATA_ROW + 1}": "=1+1",
    }
    for ref, text in expected.items():
        cell = ws[ref]
        assert cell.data_type == "s"  # a string cell, never a formula ("f")
        # XlsxWriter stores a CR in an inline string as its OOXML escape, which Excel reads back as CR.
        # No visible ': the quote-prefix style keeps it text in Excel (also when the cell is edited).
        assert cell.value.replace("_x000D_", "\r") == text
        assert cell.quotePrefix


def test_script_like_names_are_plain_text(user):
    project = ProjectFactory(owner=user, name="<script>alert(1)</script>")
    ws = open_sheet(build_rab_xlsx(project))
    assert ws["C2"].value == "<script>alert(1)</script>"
    assert ws["C2"].data_type == "s"


def test_empty_project(user):
    project = ProjectFactory(owner=user, fiscal_year=None)
    ws = open_sheet(build_rab_xlsx(project))
    assert ws[f"G{FIRST_DATA_ROW}"].value == "=0"
    assert (
        ws[f"G{FIRST_DATA_ROW + 3}"].value
        == f"=ROUNDDOWN(G{FIRST_DATA_ROW + 2}/F{FIRST_DATA_ROW + 3},0)*F{FIRST_DATA_ROW + 3}"
    )


def test_nested_sections_and_mixed_items(user):
    """A top section with an item before and after a sub-section: its SUM names the item rows and the
    sub-section's subtotal cell, never the sub-section's items twice."""
    data = build_small_rab(user)
    project = data.project
    sub = SectionFactory(project=project, parent=data.earthwork, name="Sub", position=1)
    WorkItem.objects.filter(pk=data.excavation.pk).update(position=2)
    WorkItem.objects.filter(pk=data.plastering.pk).update(section=sub, position=0)
    ws = open_sheet(build_rab_xlsx(project))
    numbers = [ws.cell(row=row, column=1).value for row in range(FIRST_DATA_ROW, FIRST_DATA_ROW + 6)]
    assert numbers == ["I", "I.1", "I.2", "I.2.1", "I.3", "II"]
    top, first, sub_row, sub_item, last, second = range(FIRST_DATA_ROW, FIRST_DATA_ROW + 6)
    assert ws[f"G{top}"].value == f"=SUM(G{first},G{sub_row},G{last})"
    assert ws[f"G{sub_row}"].value == f"=SUM(G{sub_item})"
    assert ws[f"G{second}"].value == "=0"
    total_row = FIRST_DATA_ROW + 6
    assert ws[f"G{total_row}"].value == f"=SUM(G{top},G{second})"
    assert evaluate(ws, f"G{total_row}") == rab_loader.load_rab_summary(project).totals.total


def test_sum_formula_splits_beyond_255_arguments():
    refs = [f"G{row}" for row in range(1, 600, 2)]  # 300 references
    formula = _sum_formula(refs)
    assert formula.startswith("=SUM(SUM(G1,") and formula.count("SUM(") == 3
    assert _sum_formula([]) == "=0"


def test_progress_is_reported_in_order_up_to_the_total(small):
    calls = []
    build_rab_xlsx(small.project, progress=lambda done, total, stage: calls.append((done, total, stage)))
    dones = [done for done, _, _ in calls]
    assert dones == sorted(dones)
    assert calls[0] == (0, 6, "Menghitung RAB")
    assert ("Menulis baris 5/5") in [stage for _, _, stage in calls]
    assert calls[-1][0] == calls[-1][1] == 6
    assert {total for _, total, _ in calls} == {6}


def test_progress_every_ten_percent(user):
    from tools.bench.synthetic import build_synthetic_project

    project = build_synthetic_project(user, top=2, sub=2, items=200, components=1, resources=3, unpriced=0)
    calls = []
    build_rab_xlsx(project, progress=lambda done, total, stage: calls.append((done, total, stage)))
    total = calls[0][1]
    assert total == 200 + 2 + 4 + 1
    gaps = [b[0] - a[0] for a, b in zip(calls, calls[1:], strict=False)]
    assert max(gaps) <= total / 10
    assert calls[-1][0] == total


# --- cached results, terbilang, BUK, signatures, draft (issue 11 §4, §5, §7) ---------------------------------

SIGNATORIES = {
    "signing_place": "Bandung",
    "prepared_by_name": "Ir. Budi Santoso",
    "prepared_by_title": "Estimator",
    "checked_by_name": "",
    "checked_by_title": "Kepala Seksi",
    "approved_by_name": '=HYPERLINK("x")',
    "approved_by_title": "Kepala Dinas PUPR",
}


def build_awkward_rab(user):
    project = ProjectFactory(
        owner=user,
        name="Rumah Dinas",
        overhead_profit_pct=Decimal("12.5"),
        vat_pct=Decimal("11"),
        rounding_step=1000,
        rounding_mode="down",
        **SIGNATORIES,
    )
    walls = sections.create(project=project, name="Pekerjaan Dinding", by=user)
    earth = sections.create(project=project, name="Pekerjaan Tanah", by=user)
    plaster = work_items.add_custom(project=project, section=walls, name="Plesteran 1:4", unit="m2", by=user)
    dig = work_items.add_custom(project=project, section=earth, name="Galian tanah keras", unit="m3", by=user)

    def resource(code, name, unit, category, price):
        return ProjectResourceFactory(
            project=project, code=code, name=name, unit=unit, category=category, unit_price=Decimal(price)
        )

    worker = resource("L.01", "Pekerja", "OH", "labour", "137500")
    foreman = resource("L.04", "Mandor", "OH", "labour", "211111")
    cement = resource("M.15", "Semen Portland", "kg", "material", "1437.50")
    for analysis, lines in (
        (plaster.analysis, ((worker, "0.325"), (cement, "6.24"))),
        (dig.analysis, ((worker, "0.75"), (foreman, "0.025"))),
    ):
        for position, (res, k) in enumerate(lines):
            AnalysisComponentFactory(analysis=analysis, position=position, resource=res, coefficient=k)
    recalc.recalculate_project(project)
    analyses.set_overhead_override(item=WorkItem.objects.get(pk=dig.pk), pct=Decimal("15"), by=user)
    for item, volume in ((plaster, "13.632"), (dig, "7.125")):
        item = WorkItem.objects.get(pk=item.pk)
        work_items.set_volume(item=item, volume=Decimal(volume), expected_version=None, by=user)
    return project


def cached(data: bytes):
    """The sheet as a viewer that does not recalculate sees it: the stored results."""
    return load_workbook(io.BytesIO(data), data_only=True)["RAB"]


def number(cell) -> Decimal:
    """A stored number as the decimal it was written as (numbers read back as int or float)."""
    assert cell.data_type == "n" and isinstance(cell.value, int | float), (cell.coordinate, cell.value)
    return Decimal(str(cell.value))


def test_formulas_carry_their_results_with_awkward_figures(user):
    data = build_rab_xlsx(build_awkward_rab(user))
    ws, formulas = cached(data), open_sheet(data)
    # rows: I, I.1, II, II.1, Jumlah, PPN, Jumlah total, Dibulatkan
    i, i1, ii, ii1, total, vat, grand, rounded = range(FIRST_DATA_ROW, FIRST_DATA_ROW + 8)
    assert [ws[f"A{r}"].value for r in (i, i1, ii, ii1)] == ["I", "I.1", "II", "II.1"]
    assert number(ws[f"F{i1}"]) == Decimal("60364.69") and number(ws[f"F{ii1}"]) == Decimal("124663.19")
    expected = {
        f"G{i1}": "822891.45",
        f"G{i}": "822891.45",
        f"G{ii1}": "888225.23",
        f"G{ii}": "888225.23",
        f"G{total}": "1711116.68",
        f"G{vat}": "188222.83",
        f"G{grand}": "1899339.51",
        f"G{rounded}": "1899000",
        f"H{i1}": "48.090902",
        f"H{i}": "48.090902",
        f"H{ii1}": "51.909098",
        f"H{ii}": "51.909098",
    }
    assert {ref: number(ws[ref]) for ref in expected} == {ref: Decimal(v) for ref, v in expected.items()}
    # ... and the formulas are still there, and give the same figures.
    assert formulas[f"G{i1}"].value == f"=ROUND(E{i1}*F{i1},2)"
    assert formulas[f"G{rounded}"].value == f"=ROUNDDOWN(G{grand}/F{rounded},0)*F{rounded}"
    for ref in expected:
        if ref.startswith("G"):
            assert evaluate(formulas, ref) == Decimal(expected[ref])


def test_terbilang_buk_statement_and_signature_block(user):
    ws = cached(build_rab_xlsx(build_awkward_rab(user)))
    texts = {
        cell.coordinate: cell.value
        for row in ws.iter_rows(min_row=FIRST_DATA_ROW + 8)
        for cell in row
        if cell.value is not None
    }
    rows = sorted({int(ref.lstrip("ABCDEFGH")) for ref in texts})
    first = rows[0]
    assert texts[f"A{first}"] == "Terbilang: Satu juta delapan ratus sembilan puluh sembilan ribu rupiah"
    assert texts[f"A{first + 1}"] == (
        "Harga satuan pekerjaan sudah termasuk Biaya Umum dan Keuntungan (BUK) 12,5 %, kecuali:"
    )
    assert texts[f"B{first + 2}"] == "II.1 Galian tanah keras 15 %"
    # The signature block: place and date over the last column, roles, titles, then the names.
    place = next(ref for ref, text in texts.items() if str(text).startswith("Bandung, "))
    assert place[0] == "G"
    row = int(place[1:])
    assert [texts.get(f"{c}{row + 1}") for c in "BEG"] == [
        "Dibuat oleh,",
        "Diperiksa oleh,",
        "Disetujui oleh,",
    ]
    assert [texts.get(f"{c}{row + 2}") for c in "BEG"] == ["Estimator", "Kepala Seksi", "Kepala Dinas PUPR"]
    names = [ws[f"{c}{ws.max_row}"] for c in "BEG"]
    assert [cell.value for cell in names] == [
        "Ir. Budi Santoso",
        "(..............................)",
        '=HYPERLINK("x")',  # user text: never a formula (quote-prefix style, below)
    ]
    assert all(cell.data_type == "s" and cell.font.b for cell in names)
    assert [cell.quotePrefix for cell in names] == [False, False, True]
    assert ws[f"A{DRAFT_ROW}"].value is None  # every item and resource is priced: no draft mark


def test_an_incomplete_rab_is_marked_as_draft(small, user):
    unpriced = ProjectResourceFactory(
        project=small.project, code="M.99", name="Cat tembok", unit="kg", category="material"
    )
    AnalysisComponentFactory(
        analysis=small.plastering.analysis, position=9, resource=unpriced, coefficient=Decimal("0.2")
    )
    work_items.add_custom(project=small.project, section=small.plaster, name="Papan nama", unit="ls", by=user)
    ws = cached(build_rab_xlsx(small.project))
    draft = ws[f"A{DRAFT_ROW}"]
    assert (
        draft.value == "DRAF — RAB belum lengkap: 1 pekerjaan tanpa harga satuan, 1 sumber daya tanpa harga"
    )
    assert draft.font.b and ws[f"A{HEADER_ROW}"].value == "No"


def test_buk_above_the_government_ceiling_is_stated_with_the_warning(user):
    project = build_small_rab(user, overhead_profit_pct=Decimal("20")).project
    ws = cached(build_rab_xlsx(project))
    texts = [ws.cell(row=r, column=1).value for r in range(ROW_ROUNDED + 1, ws.max_row + 1)]
    statement = "Harga satuan pekerjaan sudah termasuk Biaya Umum dan Keuntungan (BUK) 20 %."
    assert statement in texts
    warning = texts[texts.index(statement) + 1]  # its wording is rab_notes.RabNotes.ceiling_warning's
    assert warning.startswith("BUK ") and "di atas batas 15 %" in warning


def test_rows_with_wrapped_long_names_are_tall_enough(small):
    """LibreOffice and many viewers do not fit a row to wrapped text: a 130-character name in the 60-wide
    Uraian column needs 3 lines (15 pt each); short names keep the default height."""
    WorkItem.objects.filter(pk=small.bowplank.pk).update(name="Pemasangan bowplank kayu " + "x" * 105)
    ws = open_sheet(build_rab_xlsx(small.project))
    assert len(ws[f"C{ROW_I1}"].value) == 130
    assert ws.row_dimensions[ROW_I1].height == 45
    assert ws.row_dimensions[ROW_I2].height is None
    assert ws.row_dimensions[HEADER_ROW].height is None  # the column titles fit on one line
