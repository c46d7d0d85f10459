"""Rekap RAB in a browser: sections open and close through htmx without a reload, and the no-JS links."""

from playwright.sync_api import BrowserContext, Page, expect

from ahsp.tests.factories import SectionFactory, WorkItemFactory
from ahsp.tests.rab_data import build_small_rab

MARK_PAGE = "window.__marker = 'still-here'"
PAGE_MARKER = "window.__marker"


def test_sections_open_and_close_in_place(logged_in_page: Page, user):
    rab = build_small_rab(user)
    sub = SectionFactory(project=rab.project, parent=rab.earthwork, name="Urugan", position=5)
    WorkItemFactory(
        project=rab.project, section=sub, analysis=rab.excavation.analysis, name="Urugan pasir", unit="m3"
    )
    page = logged_in_page
    page.goto(f"/projects/{rab.project.pk}/rab/")
    expect(page.locator("#rab-terbilang")).to_have_text("Dua juta lima puluh delapan ribu rupiah")
    table = page.locator("#rab-table tbody")
    expect(table.locator("tr")).to_have_count(2)
    page.evaluate(MARK_PAGE)

    table.get_by_role("link", name="Pekerjaan Persiapan dan Tanah").click()
    expect(table.locator("tr")).to_have_count(2 + 3)  # I.1, I.2 and the sub-section I.3
    expect(table.locator(f"#rab-item-{rab.excavation.pk}")).to_contain_text("Rp 935.000,00")
    table.get_by_role("link", name="Urugan").click()
    expect(table.get_by_text("Urugan pasir")).to_be_visible()
    expect(table.locator(f"#rab-section-{sub.pk} + tr td.no")).to_have_text("I.3.1")

    # Closing section I removes its rows and its sub-section's rows.
    table.get_by_role("link", name="Pekerjaan Persiapan dan Tanah").click()
    expect(table.locator("tr")).to_have_count(2)
    expect(table.get_by_role("link", name="Pekerjaan Persiapan dan Tanah")).to_have_attribute(
        "aria-expanded", "false"
    )
    table.get_by_role("link", name="Pekerjaan Plesteran").click()
    expect(table.locator(f"#rab-item-{rab.plastering.pk}")).to_contain_text("II.1")
    assert page.evaluate(PAGE_MARKER) == "still-here"


def test_sections_open_without_javascript(no_js_context: BrowserContext, login_user, user, live_server):
    rab = build_small_rab(user)
    login_user(no_js_context, user)
    page = no_js_context.new_page()
    page.goto(f"{live_server.url}/projects/{rab.project.pk}/rab/")

    page.get_by_role("link", name="Pekerjaan Plesteran").click()

    expect(page).to_have_url(
        f"{live_server.url}/projects/{rab.project.pk}/rab/?open={rab.plaster.pk}#rab-section-{rab.plaster.pk}"
    )
    expect(page.locator(f"#rab-item-{rab.plastering.pk}")).to_contain_text("Plesteran 1:4")
