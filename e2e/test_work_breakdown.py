"""Daftar Pekerjaan of a big project: sections start closed and their rows load in place through htmx."""

from playwright.sync_api import Page, expect

from ahsp.services import sections, work_items
from ahsp.tests.factories import ProjectFactory


def test_closed_section_loads_rows_in_place_and_volume_edit_works(logged_in_page: Page, user, settings):
    settings.WORK_BREAKDOWN_EAGER_ITEMS = 2  # a "big" project for the page, kept small for the test
    project = ProjectFactory(owner=user)
    section = sections.create(project=project, name="Pekerjaan Beton", by=user)
    for name in ("Beton K-225", "Bekisting", "Pembesian"):
        work_items.add_custom(project=project, section=section, name=name, unit="m3", by=user)

    page = logged_in_page
    page.goto(f"/projects/{project.pk}/items/")
    expect(page.locator("tr.item-row")).to_have_count(0)
    page.evaluate("window.__marker = 'still-here'")

    page.get_by_role("link", name="Tampilkan 3 pekerjaan").click()

    rows = page.locator("tr.item-row")
    expect(rows).to_have_count(3)
    expect(rows.nth(2)).to_contain_text("I.3")
    rows.nth(1).locator("input[name=volume]").fill("2,5")
    rows.nth(1).get_by_role("button", name="Simpan").click()
    expect(page.locator("tr.item-row").nth(1).locator("input[name=volume]")).to_have_value("2,50")
    assert page.evaluate("window.__marker") == "still-here"
