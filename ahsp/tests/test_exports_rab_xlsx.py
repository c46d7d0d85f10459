"""The RAB workbook: live formulas, real numbers, formats, frozen header, formula injection, totals."""

import io
import re
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

import pytest
from openpyxl import load_workbook

from ahsp import loaders
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
from ahsp.models import Section, WorkItem
from ahsp.services import work_items
from ahsp.tests.factories import make_project
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
    assert ws.max_row == ROW_ROUNDED


def test_evaluated_formulas_match_the_hand_worked_rab(small):
    ws = open_sheet(build_rab_xlsx(small.project))
    summary = loaders.load_rab_summary(small.project)
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
    project = make_project(user, name=name, client=name)
    section = Section.objects.create(project=project, name=name, position=0)
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
        assert cell.data_type == "s"
        assert not cell.value.startswith("=")
        assert cell.value == "'" + text


def test_script_like_names_are_plain_text(user):
    project = make_project(user, name="<script>alert(1)</script>")
    ws = open_sheet(build_rab_xlsx(project))
    assert ws["C2"].value == "<script>alert(1)</script>"
    assert ws["C2"].data_type == "s"


def test_empty_project(user):
    project = make_project(user, fiscal_year=None)
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
    sub = Section.objects.create(project=project, parent=data.earthwork, name="Sub", position=1)
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
    assert evaluate(ws, f"G{total_row}") == loaders.load_rab_summary(project).totals.total


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
    from ahsp.management.commands.bench_rab import build_synthetic_project

    project = build_synthetic_project(user, top=2, sub=2, items=200, components=1, resources=3, unpriced=0)
    calls = []
    build_rab_xlsx(project, progress=lambda done, total, stage: calls.append((done, total, stage)))
    total = calls[0][1]
    assert total == 200 + 2 + 4 + 1
    gaps = [b[0] - a[0] for a, b in zip(calls, calls[1:], strict=False)]
    assert max(gaps) <= total / 10
    assert calls[-1][0] == total
