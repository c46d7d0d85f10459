"""Riwayat (audit trail): infinite scroll by keyset, the row's lazy diff, filters, and the no-JS link."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from ahsp.tests.factories import ProjectFactory
from ahsp.tests.test_audit_trail import T0, make_events

MARK_PAGE = "window.__marker = 'still-here'"
PAGE_MARKER = "window.__marker"


@pytest.fixture
def trail(user):
    """A project with 120 events, one minute apart: "Perubahan 119" is the newest."""
    project = ProjectFactory(owner=user, name="Gedung Serbaguna")
    events = make_events(
        120,
        project_id=project.pk,
        before={"name": "Galian tanah"},
        after={"name": "Galian tanah keras"},
    )
    return project, events


def scroll_to_bottom(page: Page) -> None:
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")


def test_scrolling_loads_the_next_rows_until_the_end(logged_in_page: Page, live_server, trail):
    project, _ = trail
    page = logged_in_page
    page.goto(f"/projects/{project.pk}/audit/")
    rows = page.locator("#audit-rows tr.audit-row")
    expect(rows).to_have_count(50)
    expect(rows.first).to_contain_text("Perubahan 119")
    page.evaluate(MARK_PAGE)

    with page.expect_response(lambda r: "cursor=" in r.url) as info:
        scroll_to_bottom(page)
    assert info.value.request.header_value("hx-request") == "true"
    expect(rows).to_have_count(100)
    expect(rows.nth(99)).to_contain_text("Perubahan 20")

    scroll_to_bottom(page)
    expect(rows).to_have_count(120)
    expect(rows.last).to_contain_text("Perubahan 0")
    expect(page.locator("#audit-more")).to_have_count(0)
    expect(page.get_by_text("Tidak ada perubahan yang lebih lama.")).to_be_visible()

    # Rows were appended in place: no reload, no URL change, one list.
    assert page.evaluate(PAGE_MARKER) == "still-here"
    expect(page).to_have_url(f"{live_server.url}/projects/{project.pk}/audit/")
    expect(page.locator("#audit-list")).to_have_count(1)
    ids = [int(i) for i in re.findall(r"audit-event-(\d+)", page.locator("#audit-rows").inner_html())]
    assert len(ids) == len(set(ids)) == 120 and ids == sorted(ids, reverse=True)


def test_opening_a_row_loads_its_diff(logged_in_page: Page, trail):
    project, events = trail
    page = logged_in_page
    page.goto(f"/projects/{project.pk}/audit/")
    row = page.locator(f"#audit-event-{events[-1].pk}")
    diff = row.locator("table.audit-diff-table")
    expect(diff).to_have_count(0)  # nothing loaded before the row is opened

    with page.expect_response(lambda r: f"/audit/{events[-1].pk}/" in r.url):
        row.get_by_text("Perubahan 119").click()

    expect(diff).to_be_visible()
    expect(diff.get_by_role("columnheader", name="Sebelum")).to_be_visible()
    expect(diff.get_by_role("columnheader", name="Sesudah")).to_be_visible()
    expect(diff.get_by_role("row", name=re.compile("Nama"))).to_contain_text("Galian tanah keras")
    expect(diff.locator("td.audit-before")).to_have_text("Galian tanah")

    # Closing and opening again does not ask the server a second time (hx-trigger="toggle once").
    requests = []
    page.on("request", lambda r: requests.append(r.url) if "/audit/" in r.url else None)
    row.get_by_text("Perubahan 119").click()
    row.get_by_text("Perubahan 119").click()
    expect(diff).to_be_visible()
    assert requests == []


def test_filter_swaps_the_list_and_pushes_the_url(logged_in_page: Page, live_server, user):
    project = ProjectFactory(owner=user, name="Gedung Serbaguna")
    make_events(3, project_id=project.pk, action="create", target_type="section")
    make_events(60, project_id=project.pk, start=T0 + timedelta(hours=1))
    page = logged_in_page
    page.goto(f"/projects/{project.pk}/audit/")
    expect(page.locator("tr.audit-row")).to_have_count(50)
    page.evaluate(MARK_PAGE)

    page.get_by_label("Tindakan").select_option(label="dibuat")

    expect(page.locator("tr.audit-row")).to_have_count(3)
    expect(page).to_have_url(re.compile(r"\?.*action=create"))
    assert page.evaluate(PAGE_MARKER) == "still-here"


def test_without_javascript_the_link_loads_the_next_page(
    no_js_context: BrowserContext, login_user, user, live_server, trail
):
    project, _ = trail
    login_user(no_js_context, user)
    page = no_js_context.new_page()
    page.goto(f"{live_server.url}/projects/{project.pk}/audit/")
    expect(page.locator("tr.audit-row")).to_have_count(50)

    page.get_by_role("link", name="Muat lebih banyak").click()

    expect(page).to_have_url(re.compile(r"/audit/\?cursor="))
    expect(page.locator("tr.audit-row")).to_have_count(50)
    expect(page.locator("tr.audit-row").first).to_contain_text("Perubahan 69")
    expect(page.get_by_role("link", name="Kembali ke perubahan terbaru")).to_be_visible()
