"""Real-user metrics: real page loads and htmx swaps in the browser show up on the staff page /metrics/."""

import re
import time
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from ahsp.metrics import client as rum
from ahsp.tests.factories import ProjectFactory

POSITIVE = re.compile(r"^[1-9][\d.]*$")  # a count or a millisecond figure above zero


def wait_until_stored(condition: Callable[[rum.MetricsReport], bool], timeout: float = 10.0) -> None:
    """Wait until the server has stored the beacons ``condition`` looks for.

    Beacons are fire-and-forget: the page gets no answer, and Playwright does not reliably report
    sendBeacon requests (Firefox misses some, and their Blob body is never shown). The live server
    runs in this process with the same cache, so the test reads the aggregates themselves.
    """
    deadline = time.monotonic() + timeout
    while not condition(report := rum.load_report()):
        assert time.monotonic() < deadline, f"beacons not stored after {timeout} s: {report}"
        time.sleep(0.1)


def loads(report: rum.MetricsReport, path: str) -> int:
    return sum(page.count for page in report.pages if page.path == path)


def fragments(report: rum.MetricsReport, target: str) -> int:
    return sum(row.fragment.count for row in report.targets if row.path == target)


@pytest.fixture
def staff(make_user):
    return make_user("staf@example.com", is_staff=True)


def test_metrics_page_shows_real_page_loads_and_swaps(page: Page, context, login_user, staff):
    project = ProjectFactory(owner=staff, name="Gedung Serbaguna")
    ProjectFactory(owner=staff, name="Jalan Desa Cibiru")
    login_user(context, staff)

    # The dashboard: its page timing after load...
    page.goto("/")
    wait_until_stored(lambda report: loads(report, "/") == 1)
    # ...and the search, an htmx swap of the project list (GET /?q=…, sent a second after the swap;
    # the dashboard's lazy widgets are swaps too, of /widgets/<name>/).
    page.get_by_label("Cari nama atau lokasi").fill("cibiru")
    expect(page.locator("#project-list tbody tr")).to_have_count(1)
    wait_until_stored(lambda report: fragments(report, "/") >= 1)
    # A project page.
    page.goto(f"/projects/{project.pk}/")
    wait_until_stored(lambda report: loads(report, "/projects/<id>/") == 1)

    page.get_by_role("link", name="Metrik", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Metrik halaman")
    table = page.locator("#metrics-pages")
    home = table.locator('tr[data-path="/"]')
    expect(home.locator('[data-cell="count"]')).to_have_text("1")
    for cell in ["ttfb-p50", "ttfb-p95", "dcl-p50", "load-p95", "swap-count", "swap-p50"]:
        expect(home.locator(f'[data-cell="{cell}"]')).to_have_text(POSITIVE)
    detail = table.locator('tr[data-path="/projects/<id>/"]')
    expect(detail.locator('[data-cell="count"]')).to_have_text("1")
    expect(detail.locator('[data-cell="load-p50"]')).to_have_text(POSITIVE)
    search = page.locator("#metrics-targets").locator('tr[data-path="/"]')
    expect(search.locator('[data-cell="count"]')).to_have_text(POSITIVE)

    # The metrics page reports its own load too: let that land before the reset.
    wait_until_stored(lambda report: loads(report, "/metrics/") == 1)
    page.get_by_role("button", name="Reset metrik").click()

    expect(page.get_by_text("Metrik halaman direset.")).to_be_visible()
    expect(page.get_by_text("Belum ada data.")).to_be_visible()
    expect(page.locator("#metrics-pages")).to_have_count(0)


def test_failing_beacons_never_break_the_page(logged_in_page: Page, user):
    """sendBeacon throwing and fetch rejecting: the page and its swaps work, and nothing is logged
    (the conftest fails the test on any console error or uncaught exception)."""
    ProjectFactory(owner=user, name="Gedung Serbaguna")
    ProjectFactory(owner=user, name="Jalan Desa Cibiru")
    page = logged_in_page
    page.add_init_script(
        "navigator.sendBeacon = function () { window.__beaconCalls = (window.__beaconCalls || 0) + 1;"
        " throw new Error('blocked'); };"
        "window.fetch = function () { window.__fetchCalls = (window.__fetchCalls || 0) + 1;"
        " return Promise.reject(new TypeError('offline')); };"
    )
    page.goto("/")
    # A function, not an expression string: the page's CSP forbids the eval Playwright would use for one.
    page.wait_for_function("() => window.__fetchCalls >= 1")  # the page beacon fell back to fetch

    page.get_by_label("Cari nama atau lokasi").fill("cibiru")

    expect(page.locator("#project-list tbody tr")).to_have_count(1)
    page.wait_for_function("() => window.__fetchCalls >= 2")  # the swap beacon, a second later
    assert page.evaluate("window.__beaconCalls") >= 2
    page.get_by_role("link", name="Jalan Desa Cibiru").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Jalan Desa Cibiru")
