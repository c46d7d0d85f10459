"""Jadwal (Gantt) in a browser: plan two items through the row forms, see the bars and the weekly totals
update in place, page the week window forward and back without a reload; the same without JavaScript.

Numbers: the small RAB of ``ahsp.tests.rab_data`` (total 1.854.149); the hand-worked weekly values are in
the docstring of ``ahsp/tests/test_views_schedule.py``.
"""

from datetime import date

from playwright.sync_api import BrowserContext, Page, expect

from ahsp.tests.rab_data import build_small_rab

MARK_PAGE = "window.__marker = 'still-here'"
PAGE_MARKER = "window.__marker"
START = date(2020, 1, 6)  # no current week: the first window is weeks 1-12


def plan_evenly(page: Page, item_id: int, first: str, last: str) -> None:
    row = page.locator(f"#gantt-item-{item_id}")
    row.get_by_text("ubah rencana").click()
    row.get_by_label("Minggu mulai").fill(first)
    row.get_by_label("Minggu akhir").fill(last)
    row.get_by_role("button", name="Ratakan").click()


def totals(page: Page, row_id: str):
    return page.locator(f"#{row_id} td.wk-total")


def test_plan_two_items_and_page_the_window_without_reload(logged_in_page: Page, user):
    rab = build_small_rab(user, start_date=START, duration_weeks=20)
    page = logged_in_page
    page.goto(f"/projects/{rab.project.pk}/schedule/")
    expect(page.locator("#gantt-window-label")).to_have_text("Minggu ke-1 s.d. ke-12 dari 20")
    page.evaluate(MARK_PAGE)

    plan_evenly(page, rab.bowplank.pk, "1", "2")
    bowplank = page.locator(f"#gantt-item-{rab.bowplank.pk}")
    expect(bowplank.locator(".bar")).to_have_count(2)
    expect(bowplank.get_by_role("status")).to_have_text("Rencana disimpan.")
    expect(totals(page, "gantt-planned").first).to_have_text("4,23")

    excavation = page.locator(f"#gantt-item-{rab.excavation.pk}")
    excavation.get_by_text("ubah rencana").click()
    excavation.get_by_label("% per minggu").fill("2:20; 3:30; 4:50")
    excavation.get_by_role("button", name="Simpan %").click()
    expect(excavation.locator(".bar")).to_have_count(3)
    expect(excavation.locator(".bar").nth(2)).to_have_attribute(
        "title", "M4: rencana 50 % dari pekerjaan ini"
    )
    expect(totals(page, "gantt-planned").nth(1)).to_have_text("14,31")
    expect(totals(page, "gantt-planned-cumulative").nth(3)).to_have_text("58,88")
    expect(page.locator(f"#gantt-section-{rab.earthwork.pk} .bar")).to_have_count(4)  # out of band
    expect(page.locator("#gantt-plan-status")).to_contain_text("2 dari 3 pekerjaan sudah direncanakan")

    # A bad plan: the message in the row, nothing changed.
    excavation.get_by_text("ubah rencana").click()
    excavation.get_by_label("% per minggu").fill("2:20; 3:30")
    excavation.get_by_role("button", name="Simpan %").click()
    expect(excavation.get_by_role("alert")).to_have_text("Jumlah rencana harus 100 %, sekarang 50 %.")
    expect(excavation.locator(".bar")).to_have_count(3)

    page.get_by_role("link", name="Berikutnya").click()
    expect(page.locator("#gantt-window-label")).to_have_text("Minggu ke-13 s.d. ke-20 dari 20")
    expect(page).to_have_url(f"{page.url.split('/projects/')[0]}/projects/{rab.project.pk}/schedule/?from=13")
    expect(page.locator("#gantt-table thead th.wk-head").first).to_contain_text("M13")
    expect(bowplank.locator(".bar")).to_have_count(0)
    expect(totals(page, "gantt-planned-cumulative").first).to_have_text("58,88")

    page.get_by_role("link", name="Sebelumnya").click()
    expect(page.locator("#gantt-window-label")).to_have_text("Minggu ke-1 s.d. ke-12 dari 20")
    expect(bowplank.locator(".bar")).to_have_count(2)
    expect(excavation.locator(".bar")).to_have_count(3)
    assert page.evaluate(PAGE_MARKER) == "still-here"


def test_open_section_stays_open_while_paging(logged_in_page: Page, user, settings):
    settings.WORK_BREAKDOWN_EAGER_ITEMS = 2  # sections start closed, as in a big project
    rab = build_small_rab(user, start_date=START, duration_weeks=20)
    page = logged_in_page
    page.goto(f"/projects/{rab.project.pk}/schedule/")
    rows = page.locator("#gantt-rows tr")
    expect(rows).to_have_count(2)
    page.evaluate(MARK_PAGE)

    page.get_by_role("link", name="Pekerjaan Plesteran").click()
    expect(rows).to_have_count(3)
    plan_evenly(page, rab.plastering.pk, "13", "14")
    expect(page.locator(f"#gantt-item-{rab.plastering.pk}")).to_contain_text("M13–M14")

    page.get_by_role("link", name="Berikutnya").click()
    expect(page.locator("#gantt-window-label")).to_have_text("Minggu ke-13 s.d. ke-20 dari 20")
    expect(page.locator(f"#gantt-item-{rab.plastering.pk} .bar")).to_have_count(2)  # still open
    expect(page).to_have_url(f"{page.url.split('?')[0]}?from=13&open={rab.plaster.pk}")
    expect(totals(page, "gantt-planned").first).to_have_text("20,56")

    page.get_by_role("link", name="Pekerjaan Plesteran").click()  # close it
    expect(rows).to_have_count(2)
    assert page.evaluate(PAGE_MARKER) == "still-here"


def test_small_project_section_closed_by_hand_stays_closed_while_paging(logged_in_page: Page, user):
    rab = build_small_rab(user, start_date=START, duration_weeks=20)  # small: every section starts open
    page = logged_in_page
    page.goto(f"/projects/{rab.project.pk}/schedule/")
    bowplank = page.locator(f"#gantt-item-{rab.bowplank.pk}")
    expect(bowplank).to_be_visible()
    page.evaluate(MARK_PAGE)

    toggle = page.get_by_role("link", name="Pekerjaan Persiapan dan Tanah")
    toggle.click()  # close it
    expect(bowplank).to_have_count(0)
    expect(toggle).to_have_attribute("aria-expanded", "false")  # the closed row has arrived
    page.get_by_role("link", name="Berikutnya").click()
    expect(page.locator("#gantt-window-label")).to_have_text("Minggu ke-13 s.d. ke-20 dari 20")
    expect(bowplank).to_have_count(0)  # still closed
    expect(page.locator(f"#gantt-item-{rab.plastering.pk}")).to_be_visible()  # the other one still open
    expect(page).to_have_url(f"{page.url.split('?')[0]}?from=13&closed={rab.earthwork.pk}")

    page.get_by_role("link", name="Pekerjaan Persiapan dan Tanah").click()  # open it again
    expect(bowplank).to_be_visible()
    page.get_by_role("link", name="Sebelumnya").click()
    expect(page.locator("#gantt-window-label")).to_have_text("Minggu ke-1 s.d. ke-12 dari 20")
    expect(bowplank).to_be_visible()
    assert page.evaluate(PAGE_MARKER) == "still-here"


def test_paging_and_planning_without_javascript(no_js_context: BrowserContext, login_user, user, live_server):
    rab = build_small_rab(user, start_date=START, duration_weeks=20)
    login_user(no_js_context, user)
    page = no_js_context.new_page()
    page.goto(f"{live_server.url}/projects/{rab.project.pk}/schedule/")

    page.get_by_role("link", name="Berikutnya").click()
    expect(page).to_have_url(f"{live_server.url}/projects/{rab.project.pk}/schedule/?from=13")
    expect(page.locator("#gantt-window-label")).to_have_text("Minggu ke-13 s.d. ke-20 dari 20")

    plan_evenly(page, rab.plastering.pk, "13", "16")
    expect(page).to_have_url(
        f"{live_server.url}/projects/{rab.project.pk}/schedule/?from=13&open={rab.plaster.pk}"
        f"#gantt-item-{rab.plastering.pk}"
    )
    expect(page.get_by_text("Plesteran 1:4: Rencana disimpan.")).to_be_visible()
    expect(page.locator(f"#gantt-item-{rab.plastering.pk} .bar")).to_have_count(4)
