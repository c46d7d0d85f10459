"""The reference library: htmx active search, then an analysis page with its grouped components."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from ahsp.models import ReferenceAnalysis, ReferenceComponent, ReferenceResource, ResourceCategory

SOURCE = "SNI 2025"
MARK_PAGE = "window.__marker = 'still-here'"
PAGE_MARKER = "window.__marker"


def make_analysis(code: str, name: str, unit: str) -> ReferenceAnalysis:
    return ReferenceAnalysis.objects.create(
        source=SOURCE,
        code=code,
        name=name,
        unit=unit,
        search_text=ReferenceAnalysis.build_search_text(code, name),
        sort_key=ReferenceAnalysis.build_sort_key(code),
    )


@pytest.fixture
def reference_library() -> None:
    worker = ReferenceResource.objects.create(
        code="L.01", name="Pekerja", unit="OH", category=ResourceCategory.LABOUR
    )
    foreman = ReferenceResource.objects.create(
        code="L.04", name="Mandor", unit="OH", category=ResourceCategory.LABOUR
    )
    stone = ReferenceResource.objects.create(
        code="M.07", name="Batu belah", unit="m3", category=ResourceCategory.MATERIAL
    )
    excavation = make_analysis("2.2.1.1", "Galian tanah biasa sedalam s.d. 1 m", "m3")
    ReferenceComponent.objects.create(
        analysis=excavation, position=1, resource=worker, unit="OH", coefficient=Decimal("0.75")
    )
    ReferenceComponent.objects.create(
        analysis=excavation, position=2, resource=foreman, unit="OH", coefficient=Decimal("0.025")
    )
    masonry = make_analysis("3.1.1", "Pasangan batu belah 1 SP : 4 PP", "m3")
    ReferenceComponent.objects.create(
        analysis=masonry, position=1, resource=stone, unit="m3", coefficient=Decimal("1.2")
    )
    make_analysis("4.1.1", "Beton mutu fc' 7,4 MPa (K-100)", "m3")


def test_reference_search_swaps_results_and_opens_analysis(
    logged_in_page: Page, live_server, reference_library
):
    page = logged_in_page
    page.goto("/referensi/")
    results = page.locator("#reference-results")
    expect(results.locator("tbody tr")).to_have_count(3)
    expect(results).to_contain_text("3 analisa ditemukan")

    page.evaluate(MARK_PAGE)
    page.get_by_label("Cari kode atau uraian pekerjaan").fill("galian")

    expect(results.locator("tbody tr")).to_have_count(1)
    expect(results).to_contain_text("1 analisa ditemukan")
    expect(results.get_by_role("row", name=re.compile("Galian tanah biasa"))).to_be_visible()
    expect(results.get_by_text("Pasangan batu belah")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/referensi/\?(.*&)?q=galian(&|$)"))
    assert page.evaluate(PAGE_MARKER) == "still-here"

    page.get_by_label("Cari kode atau uraian pekerjaan").fill("tidak ada")
    expect(results).to_contain_text("Tidak ada analisa yang cocok.")
    page.get_by_label("Cari kode atau uraian pekerjaan").fill("2.2.1")
    expect(results.locator("tbody tr")).to_have_count(1)
    assert page.evaluate(PAGE_MARKER) == "still-here"

    results.get_by_role("link", name="2.2.1.1").click()

    expect(page).to_have_url(re.compile(r"/referensi/2\.2\.1\.1/\?source=SNI(\+|%20)2025$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("2.2.1.1 — Galian tanah biasa sedalam s.d. 1 m")
    table = page.get_by_role("table")
    expect(table.get_by_role("row", name="Tenaga Kerja", exact=True)).to_be_visible()
    expect(table.get_by_role("row", name="Bahan", exact=True)).to_have_count(0)
    worker_row = table.get_by_role("row", name=re.compile(r"^L\.01 Pekerja"))
    expect(worker_row.get_by_role("cell")).to_have_text(["L.01", "Pekerja", "OH", "0,75", ""])
    foreman_row = table.get_by_role("row", name=re.compile(r"^L\.04 Mandor"))
    expect(foreman_row.get_by_role("cell").nth(3)).to_have_text("0,025")
