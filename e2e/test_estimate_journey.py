"""An estimator builds a small estimate entirely in the browser and reads the RAB (issue 3, section 7).

Arranged with the ORM: a tiny reference library (below) and an empty project (BUK 10 %, PPN 11 %, grand
total rounded down to Rp 1.000, HSP not rounded). Everything else goes through the UI: two sections, three
work items from the library through the picker, every resource price, the three volumes and one
coefficient edit; then the Rekap RAB page must show the figures worked out here by hand.

Resource prices (entered on "Harga Satuan Dasar", in several accepted spellings):
- L.01 Pekerja (OH)          135.000,00  typed "135000"
- L.04 Mandor (OH)           185.000,00  typed "185.000,00"
- M.07 Batu belah (m3)       285.000,00  typed "285000"
- M.12 Semen portland (kg)     1.475,50  typed "1.475,50"
- M.14 Pasir pasang (m3)     262.500,00  typed "262500"

Analyses (D = sum of coefficient x price; HSP = D x 1,10 (BUK 10 %) rounded half-up to Rp 0,01):
- 2.2.1.1 Galian tanah biasa (m3), Pekerja 0,75 edited to 0,8 on its analysis page:
    before the edit: 0,75 x 135.000 + 0,025 x 185.000 = 101.250 + 4.625 = 105.875
                     HSP = 105.875 x 1,10 = 116.462,50
    after the edit:  0,8 x 135.000 + 0,025 x 185.000 = 108.000 + 4.625 = 112.625
                     E = 11.262,50; HSP = 112.625 x 1,10 = 123.887,50
- 3.1.1 Pasangan batu belah (m3): 1,2 x 285.000 + 163 x 1.475,50 + 1,5 x 135.000
                     = 342.000 + 240.506,50 + 202.500 = 785.006,50
                     HSP = 785.006,50 x 1,10 = 863.507,15
- 6.1.1 Plesteran (m2): 6,24 x 1.475,50 + 0,024 x 262.500 + 0,3 x 135.000
                     = 9.207,12 + 6.300 + 40.500 = 56.007,12
                     HSP = 56.007,12 x 1,10 = 61.607,832 -> 61.607,83

Work items (amount = volume x HSP, rounded half-up to Rp 0,01):
- I   Pekerjaan Tanah
  - I.1  Galian tanah biasa   12,5 m3 x 116.462,50 = 1.455.781,25 (before the coefficient edit)
                              12,5 m3 x 123.887,50 = 1.548.593,75 (after)
- II  Pekerjaan Pasangan dan Plesteran
  - II.1 Pasangan batu belah  3,75 m3 x 863.507,15 = 3.238.151,8125 -> 3.238.151,81
  - II.2 Plesteran           42,75 m2 x  61.607,83 = 2.633.734,7325 -> 2.633.734,73

Running "Jumlah (sebelum PPN)" on the work list while the volumes are typed (before the edit):
  1.455.781,25; + 3.238.151,81 = 4.693.933,06; + 2.633.734,73 = 7.327.667,79

RAB after the coefficient edit:
  Jumlah        = 1.548.593,75 + 3.238.151,81 + 2.633.734,73 = 7.420.480,29
  PPN 11 %      = 7.420.480,29 x 0,11 = 816.252,8319 -> 816.252,83
  Jumlah total  = 7.420.480,29 + 816.252,83 = 8.236.733,12
  Dibulatkan    = 8.236.733,12 down to a multiple of Rp 1.000 = 8.236.000,00
  Terbilang     = 8.236.000 = delapan juta + dua ratus tiga puluh enam ribu
                -> "Delapan juta dua ratus tiga puluh enam ribu rupiah"
"""

from decimal import Decimal

import pytest
from playwright.sync_api import Locator, Page, expect

from ahsp.models import Project, ReferenceResource, ResourceCategory
from ahsp.tests.factories import (
    ProjectFactory,
    ReferenceAnalysisFactory,
    ReferenceComponentFactory,
    ReferenceResourceFactory,
)

SOURCE = "SNI 2025"
MARK_PAGE = "window.__marker = 'still-here'"
PAGE_MARKER = "window.__marker"

EXCAVATION = "Galian tanah biasa sedalam s.d. 1 m"
MASONRY = "Pasangan batu belah 1 SP : 4 PP"
PLASTER = "Plesteran 1 SP : 4 PP tebal 15 mm"


def make_analysis(code: str, name: str, unit: str, *lines: tuple[ReferenceResource, str]) -> None:
    analysis = ReferenceAnalysisFactory(source=SOURCE, code=code, name=name, unit=unit)
    for position, (resource, coefficient) in enumerate(lines, start=1):
        ReferenceComponentFactory(
            analysis=analysis,
            position=position,
            resource=resource,
            unit=resource.unit,
            coefficient=Decimal(coefficient),
        )


@pytest.fixture
def reference_library() -> None:
    def resource(code: str, name: str, unit: str, category: str) -> ReferenceResource:
        return ReferenceResourceFactory(code=code, name=name, unit=unit, category=category)

    worker = resource("L.01", "Pekerja", "OH", ResourceCategory.LABOUR)
    foreman = resource("L.04", "Mandor", "OH", ResourceCategory.LABOUR)
    stone = resource("M.07", "Batu belah", "m3", ResourceCategory.MATERIAL)
    cement = resource("M.12", "Semen portland", "kg", ResourceCategory.MATERIAL)
    sand = resource("M.14", "Pasir pasang", "m3", ResourceCategory.MATERIAL)
    make_analysis("2.2.1.1", EXCAVATION, "m3", (worker, "0.75"), (foreman, "0.025"))
    make_analysis("3.1.1", MASONRY, "m3", (stone, "1.2"), (cement, "163"), (worker, "1.5"))
    make_analysis("6.1.1", PLASTER, "m2", (cement, "6.24"), (sand, "0.024"), (worker, "0.3"))


@pytest.fixture
def project(user, reference_library) -> Project:
    return ProjectFactory(
        owner=user,
        name="Gedung Serbaguna",
        overhead_profit_pct=Decimal("10"),
        vat_pct=Decimal("11"),
        rounding_step=1000,
        rounding_mode="down",
        hsp_rounding_step=0,
    )


def open_tab(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Bagian proyek").get_by_role("link", name=name).click()
    expect(
        page.get_by_role("navigation", name="Bagian proyek").get_by_role("link", name=name)
    ).to_have_attribute("aria-current", "page")


def add_section(page: Page, name: str) -> None:
    page.locator("#id_name").fill(name)
    page.get_by_role("button", name="Tambah klasifikasi").click()
    expect(page.get_by_text("Klasifikasi ditambahkan.")).to_be_visible()
    expect(page.locator("table.breakdown tr.group").filter(has_text=name)).to_be_visible()


def add_from_library(page: Page, section_label: str, query: str, code: str, name: str) -> None:
    page.locator("#picker-section").select_option(label=section_label)
    page.locator("#picker-q").fill(query)
    results = page.locator("#picker-results")
    expect(results.locator("li")).to_have_count(1)
    expect(results).to_contain_text(code)
    results.get_by_role("button", name=f"Tambahkan {code}").click()
    expect(page.get_by_text(f"Pekerjaan “{name}” ditambahkan.")).to_be_visible()
    expect(item_row(page, name)).to_be_visible()


def item_row(page: Page, name: str) -> Locator:
    return page.locator("tr.item-row").filter(has=page.get_by_role("link", name=name, exact=True))


def set_price(page: Page, code: str, typed: str, shown: str) -> None:
    row = page.locator("tr.price-row").filter(has=page.get_by_label(f"Harga satuan {code}", exact=True))
    row.get_by_label(f"Harga satuan {code}", exact=True).fill(typed)
    row.get_by_role("button", name="Simpan").click()
    # The row swaps in place: no "belum berharga" flag any more, the price shown as stored.
    expect(row).not_to_have_class("price-missing")
    expect(row.get_by_label(f"Harga satuan {code}", exact=True)).to_have_value(shown)


def set_volume(page: Page, name: str, typed: str, unit_rate: str, amount: str, total: str) -> None:
    row = item_row(page, name)
    row.locator("input[name=volume]").fill(typed)
    row.get_by_role("button", name="Simpan").click()
    cells = row.locator("td")
    expect(cells.nth(5)).to_have_text(unit_rate)
    expect(cells.nth(6)).to_have_text(amount)
    # The project total arrives out of band in the same response.
    expect(page.locator("#project-total")).to_contain_text(total)


def test_build_estimate_and_read_rab(logged_in_page: Page, live_server, project):
    page = logged_in_page
    page.goto(f"/projects/{project.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Gedung Serbaguna")

    # --- sections and work items from the reference library ---
    open_tab(page, "Daftar Pekerjaan")
    expect(page).to_have_url(f"{live_server.url}/projects/{project.pk}/items/")
    add_section(page, "Pekerjaan Tanah")
    add_section(page, "Pekerjaan Pasangan dan Plesteran")
    add_from_library(page, "I. Pekerjaan Tanah", "galian", "2.2.1.1", EXCAVATION)
    add_from_library(page, "II. Pekerjaan Pasangan dan Plesteran", "pasangan batu", "3.1.1", MASONRY)
    add_from_library(page, "II. Pekerjaan Pasangan dan Plesteran", "plesteran", "6.1.1", PLASTER)
    expect(page.locator("tr.item-row")).to_have_count(3)
    expect(item_row(page, EXCAVATION).locator("td").first).to_have_text("I.1")
    expect(item_row(page, MASONRY).locator("td").first).to_have_text("II.1")
    expect(item_row(page, PLASTER).locator("td").first).to_have_text("II.2")

    # --- every resource price, each row saved through htmx ---
    open_tab(page, "Harga Satuan Dasar")
    expect(page.locator("#missing-count")).to_contain_text("5 sumber daya belum berharga")
    page.evaluate(MARK_PAGE)
    set_price(page, "L.01", "135000", "135.000,00")
    set_price(page, "L.04", "185.000,00", "185.000,00")
    set_price(page, "M.07", "285000", "285.000,00")
    set_price(page, "M.12", "1.475,50", "1.475,50")
    set_price(page, "M.14", "262500", "262.500,00")
    expect(page.locator("#missing-count")).to_have_text("Semua sumber daya yang dipakai sudah berharga.")
    assert page.evaluate(PAGE_MARKER) == "still-here"

    # --- volumes: each row swaps in place and the project total follows (no reload) ---
    open_tab(page, "Daftar Pekerjaan")
    expect(page.locator("#project-total")).to_contain_text("Rp 0,00")
    page.evaluate(MARK_PAGE)
    set_volume(page, EXCAVATION, "12,5", "Rp 116.462,50", "Rp 1.455.781,25", "Rp 1.455.781,25")
    set_volume(page, MASONRY, "3,75", "Rp 863.507,15", "Rp 3.238.151,81", "Rp 4.693.933,06")
    set_volume(page, PLASTER, "42,75", "Rp 61.607,83", "Rp 2.633.734,73", "Rp 7.327.667,79")
    expect(item_row(page, PLASTER).locator("input[name=volume]")).to_have_value(
        "42,75"
    )  # the volume as understood
    assert page.evaluate(PAGE_MARKER) == "still-here"

    # --- one coefficient edit on the excavation's analysis page ---
    page.get_by_role("link", name=EXCAVATION, exact=True).click()
    expect(page.get_by_role("heading", level=2, name=f"Rincian AHSP: {EXCAVATION}")).to_be_visible()
    sheet = page.locator("#analysis-sheet")
    expect(sheet.locator("#sheet-unit-rate")).to_have_text("Rp 116.462,50")
    page.evaluate(MARK_PAGE)
    coefficient = page.get_by_label("Koefisien L.01", exact=True)
    coefficient_form = sheet.locator("form").filter(has=coefficient)
    coefficient_form.get_by_label("Koefisien L.01", exact=True).fill("0,8")
    coefficient_form.get_by_role("button", name="Simpan").click()
    expect(sheet.get_by_role("status")).to_have_text("Koefisien disimpan.")
    expect(sheet.locator("#sheet-direct")).to_have_text("Rp 112.625,00")
    expect(sheet.locator("#sheet-overhead")).to_have_text("Rp 11.262,50")
    expect(sheet.locator("#sheet-unit-rate")).to_have_text("Rp 123.887,50")
    expect(sheet.locator("#item-amount")).to_have_text("Rp 1.548.593,75")
    expect(sheet.locator("#analysis-modified")).to_be_visible()
    assert page.evaluate(PAGE_MARKER) == "still-here"

    # --- the RAB recap shows the hand-worked figures ---
    open_tab(page, "Rekap RAB")
    expect(page).to_have_url(f"{live_server.url}/projects/{project.pk}/rab/")
    expect(page.locator("#rab-incomplete")).to_have_count(0)
    expect(page.get_by_text("3 pekerjaan dalam RAB ini.")).to_be_visible()
    expect(page.locator("#rab-total")).to_have_text("Rp 7.420.480,29")
    expect(page.locator("#rab-vat")).to_have_text("Rp 816.252,83")
    expect(page.locator("#rab-grand-total")).to_have_text("Rp 8.236.733,12")
    expect(page.locator("#rab-rounded-total")).to_have_text("Rp 8.236.000,00")
    expect(page.locator("#rab-terbilang")).to_have_text("Delapan juta dua ratus tiga puluh enam ribu rupiah")
