"""Issue 11 §2: the Rincian AHSP (page, PDF, XLSX, CSV) prints the HSP the RAB uses, also for work items
with their own BUK %.

The small RAB of ``rab_data`` (project BUK 10 %; D of C.2 Galian = 85.000, of C.3 Plesteran = 54.360) with:
- a second work item "Galian tanah kedua" on the SAME analysis C.2, with its own BUK 12,5 %:
  E = 85.000 x 12,5 % = 10.625 -> HSP 95.625,00 (the first Galian item stays at 93.500,00);
- the only Plesteran item with its own BUK 15 %: 54.360 x 1,15 = 62.514,00 (no sheet at 10 % is left:
  no item and no other analysis uses C.3 at the project's BUK).
"""

from decimal import Decimal as D

import pytest

from ahsp.exports.analyses_csv import build_analyses_csv
from ahsp.loaders.analyses import load_item_sheet, load_project_sheets
from ahsp.models import WorkItem
from ahsp.services import analyses, recalc
from ahsp.tests.factories import WorkItemFactory
from ahsp.tests.rab_data import build_small_rab

pytestmark = pytest.mark.django_db


@pytest.fixture
def rab(user):
    rab = build_small_rab(user)
    second = WorkItemFactory(
        project=rab.project,
        section=rab.earthwork,
        analysis=rab.excavation.analysis,
        name="Galian tanah kedua",
        unit="m3",
        position=9,
        volume=D("3"),
    )
    recalc.recalculate_project(rab.project)
    analyses.set_overhead_override(item=second, pct=D("12.5"), by=user)
    analyses.set_overhead_override(item=rab.plastering, pct=D("15"), by=user)
    rab.second = WorkItem.objects.get(pk=second.pk)
    return rab


def _by_code(project):
    sheets: dict[str, list] = {}
    for sheet in load_project_sheets(project=project):
        sheets.setdefault(sheet.analysis.code, []).append(sheet)
    return sheets


def test_a_shared_analysis_gets_one_sheet_per_buk_in_use(rab):
    galian = _by_code(rab.project)["C.2"]

    assert [(s.overhead_pct, s.unit_rate, s.note) for s in galian] == [
        (D("10.00"), D("93500.00"), ""),
        (D("12.50"), D("95625.00"), "BUK khusus 12,5 % untuk: Galian tanah kedua"),
    ]
    assert [s.anchor for s in galian] == [
        f"analysis-{rab.excavation.analysis_id}",
        f"analysis-{rab.excavation.analysis_id}-buk-1",
    ]
    assert rab.second.unit_rate == D("95625.00") and rab.second.amount == D("286875.00")


def test_an_analysis_used_only_at_its_own_buk_prints_only_that(rab):
    [plaster] = _by_code(rab.project)["C.3"]

    assert (plaster.overhead_pct, plaster.unit_rate) == (D("15.00"), D("62514.00"))
    assert plaster.note == "BUK khusus 15 % untuk: Plesteran 1:4"


def test_every_items_hsp_has_a_sheet_with_the_same_figure(rab):
    sheets = load_project_sheets(project=rab.project)
    printed = {(s.analysis.pk, s.overhead_pct): s.unit_rate for s in sheets}

    for item in WorkItem.objects.filter(project=rab.project):
        pct = item.overhead_pct_override if item.overhead_pct_override is not None else D("10")
        assert printed[(item.analysis_id, pct)] == item.unit_rate
        assert load_item_sheet(project=rab.project, item=item).unit_rate == item.unit_rate


def test_page_and_csv_print_the_items_own_buk(rab, client, user):
    client.force_login(user)

    page = client.get(f"/projects/{rab.project.pk}/ahsp/").content.decode()
    csv_text = b"".join(build_analyses_csv(rab.project)).decode("utf-8-sig")

    assert "BUK khusus 12,5 % untuk: Galian tanah kedua" in page
    assert "Rp 95.625,00" in page and "Rp 62.514,00" in page
    assert "95625,00" in csv_text and "62514,00" in csv_text
