"""The reference library: htmx active search, then an analysis page with its grouped components."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from ahsp.models import ResourceCategory
from ahsp.tests.factories import ReferenceAnalysisFactory, ReferenceComponentFactory, ReferenceResourceFactory

SOURCE = "SNI 2025"
MARK_PAGE = "window.__marker = 'still-here'"
PAGE_MARKER = "window.__marker"


@pytest.fixture
def reference_library() -> None:
    worker = ReferenceResourceFactory(
        code="L.01", name="Pekerja", unit="OH", category=ResourceCategory.LABOUR
    )
    foreman = ReferenceResourceFactory(
        code="L.04", name="Mandor", unit="OH", category=ResourceCategory.LABOUR
    )
    stone = ReferenceResourceFactory(
        code="M.07", name="Batu belah", unit="m3", category=ResourceCategory.MATERIAL
    )
    excavation = ReferenceAnalysisFactory(
        source=SOURCE, code="2.2.1.1", name="Galian tanah biasa sedalam s.d. 1 m", unit="m3"
    )
    ReferenceComponentFactory(
        analysis=excavation, position=1, resource=worker, unit="OH", coefficient=Decimal("0.75")
    )
    ReferenceComponentFactory(
        analysis=excavation, position=2, resource=foreman, unit="OH", coefficient=Decimal("0.025")
    )
    masonry = ReferenceAnalysisFactory(
        source=SOURCE, code="3.1.1", name="Pasangan batu belah 1 SP : 4 PP", unit="m3"
    )
    ReferenceComponentFactory(
        analysis=masonry, position=1, resource=stone, unit="m3", coefficient=Decimal("1.2")
    )
    ReferenceAnalysisFactory(source=SOURCE, code="4.1.1", name="Beton mutu fc' 7,4 MPa (K-100)", unit="m3")


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
