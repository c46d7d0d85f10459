"""Dashboard widgets: each loads after the page through htmx (no reload), a failed one offers a retry,
and without JavaScript each has a link to its own page.

The dashboard fires its widget requests in parallel; on the in-memory SQLite test database the live
server serializes them (``e2e/conftest.py``, ``_one_request_at_a_time``).
"""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import BrowserContext, Page, Request, Route, expect

from ahsp.services import projects
from ahsp.tests.test_widgets import add_items

MARK_PAGE = "window.__marker = 'still-here'"
PAGE_MARKER = "window.__marker"
WIDGETS = {"ringkasan", "peringatan", "terbesar", "aktivitas"}


@pytest.fixture
def project(user):
    """One project (through the service: its creation is an audit event) with Jumlah Rp 866.250."""
    created = projects.create(
        data={"name": "Gedung Serbaguna", "status": "active", "budget_ceiling": Decimal("2000000")}, by=user
    )
    add_items(created, "866250")
    return created


def widget_name(request: Request) -> str | None:
    match = re.search(r"/widgets/([a-z-]+)/$", request.url)
    return match.group(1) if match else None


def test_widgets_load_after_the_page_without_a_reload(logged_in_page: Page, project):
    page = logged_in_page
    requests: list[Request] = []
    page.on("request", lambda request: requests.append(request) if widget_name(request) else None)

    response = page.goto("/")

    # The page itself arrives with the project list and skeletons, not the widgets' values.
    html = response.text()
    assert "Gedung Serbaguna" in html and html.count('class="widget-skeleton"') == 4
    assert "Rp 866.250" not in html
    page.evaluate(MARK_PAGE)
    expect(page.locator("#ringkasan-estimate")).to_have_text("Rp 866.250")
    expect(page.locator("#ringkasan-projects")).to_have_text("1")
    expect(page.locator("#widget-peringatan .widget-empty")).to_be_visible()
    page.locator("#widget-aktivitas").scroll_into_view_if_needed()
    expect(page.locator("#widget-terbesar svg.bar-chart")).to_be_visible()
    expect(page.locator(f"#terbesar-{project.pk} .bar-amount")).to_have_text("Rp 866.250")
    expect(page.locator("#widget-aktivitas")).to_contain_text("Proyek “Gedung Serbaguna” dibuat")
    expect(page.locator(".widget-skeleton")).to_have_count(0)
    assert page.evaluate(PAGE_MARKER) == "still-here"
    assert {widget_name(request) for request in requests} == WIDGETS
    assert all(request.header_value("hx-request") == "true" for request in requests)


def test_a_failed_widget_shows_the_error_and_the_retry_loads_it(
    logged_in_page: Page, project, browser_errors
):
    page = logged_in_page
    failed: list[str] = []

    def fail_once(route: Route) -> None:
        if failed:
            route.continue_()
        else:
            failed.append(route.request.url)
            route.fulfill(status=500, content_type="text/html", body="<h1>Server Error (500)</h1>")

    page.route(re.compile(r".*/widgets/ringkasan/$"), fail_once)
    page.goto("/")
    page.evaluate(MARK_PAGE)

    widget = page.locator("#widget-ringkasan")
    expect(widget).to_have_class(re.compile(r"\bis-failed\b"))
    expect(widget.get_by_text("Bagian ini gagal dimuat.")).to_be_visible()
    expect(widget.locator(".widget-skeleton")).to_be_hidden()
    expect(page.locator("#widget-peringatan .widget-empty")).to_be_visible()  # the others are unaffected

    widget.get_by_role("link", name="Coba lagi").click()

    expect(page.locator("#ringkasan-estimate")).to_have_text("Rp 866.250")
    expect(page.get_by_text("Bagian ini gagal dimuat.")).to_have_count(0)
    assert page.evaluate(PAGE_MARKER) == "still-here" and len(failed) == 1
    # The one failure was on purpose: htmx logs its responseError, the browser the status 500.
    expected = [m for m in browser_errors.messages if "responseError" in m or "500" in m]
    assert expected, browser_errors.messages
    browser_errors.messages[:] = [m for m in browser_errors.messages if m not in expected]


def test_without_javascript_each_widget_has_a_link_to_its_page(
    no_js_context: BrowserContext, login_user, user, project
):
    login_user(no_js_context, user)
    page = no_js_context.new_page()
    page.goto("/")
    expect(page.locator(".widget-skeleton").first).to_be_visible()
    page.get_by_role("link", name="Tampilkan ringkasan").click()
    expect(page).to_have_url(re.compile(r"/widgets/ringkasan/$"))
    expect(page.get_by_role("heading", name="Ringkasan")).to_be_visible()
    expect(page.locator("#ringkasan-estimate")).to_have_text("Rp 866.250")
    page.get_by_role("link", name="← Kembali ke dasbor").click()
    expect(page.locator("#project-list")).to_contain_text("Gedung Serbaguna")
