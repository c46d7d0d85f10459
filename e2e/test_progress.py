"""Progress and Kurva S in real browsers: enter the progress of one item in a week (htmx row save, no
reload), see the error of a cumulative over 100 %, then read the values on the Kurva S page (table
cells and an SVG point's title) and switch its report to calendar months.

The project is the 3-item, 4-week example of ``ahsp/tests/test_calculations_schedule.py`` (start
Monday 2 March 2026; A 20 %, B 50 %, C 30 % of Rp 10.000.000), with progress entered up to week 2
(A 40 + 60, B 10). Entering B's 20 % in week 3 adds 50 x 0,2 = 10 % of the project: cumulative
25 -> 35 %, against 45 % planned, deviation -10 % ("terlambat").
"""

import re
from datetime import date
from decimal import Decimal as D

from playwright.sync_api import Page, expect

from ahsp.models import WorkItem
from ahsp.services import schedule, sections, work_items
from ahsp.tests.factories import ProjectFactory


def build_example(user):
    project = ProjectFactory(owner=user, start_date=date(2026, 3, 2), duration_weeks=4)
    section = sections.create(project=project, name="Pekerjaan Utama", by=user)
    items = []
    for name, amount in (("Pekerjaan A", "2000000"), ("Pekerjaan B", "5000000"), ("Pekerjaan C", "3000000")):
        item = work_items.add_custom(project=project, section=section, name=name, unit="ls", by=user)
        WorkItem.objects.filter(pk=item.pk).update(amount=D(amount))
        items.append(WorkItem.objects.get(pk=item.pk))
    a, b, c = items
    schedule.set_even_plan(item=a, first_week=1, last_week=2, by=user)
    schedule.set_plan(item=b, shares={2: D(20), 3: D(30), 4: D(50)}, by=user)
    schedule.set_even_plan(item=c, first_week=4, last_week=4, by=user)
    for item, week, progress in ((a, 1, 40), (a, 2, 60), (b, 2, 10)):
        schedule.set_progress(item=item, week=week, progress=D(progress), by=user)
    return project, b


def test_enter_progress_then_read_the_s_curve(logged_in_page: Page, user):
    project, b = build_example(user)
    page = logged_in_page

    page.goto(f"/projects/{project.pk}/progress/?week=3")
    expect(page.get_by_role("heading", name="Progres minggu ke-3")).to_be_visible()
    page.evaluate("window.__marker = 'still-here'")
    row = page.locator(f"#progress-item-{b.pk}")

    # More than what is left of B (90 %): the message on the row, nothing saved.
    row.locator(f"input[name='progress-{b.pk}']").fill("95")
    row.get_by_role("button", name="Simpan").click()
    expect(page.locator(f"#progress-item-{b.pk} [role=alert]")).to_contain_text(
        "Progres kumulatif tidak boleh lebih dari 100 %: sudah 10 %, sisa paling banyak 90 %."
    )

    page.locator(f"#progress-item-{b.pk} input[name='progress-{b.pk}']").fill("20")
    page.locator(f"#progress-item-{b.pk}").get_by_role("button", name="Simpan").click()
    saved = page.locator(f"#progress-item-{b.pk}")
    expect(saved.locator("[role=alert]")).to_have_count(0)
    expect(saved.locator("td").nth(6)).to_have_text("30,00")  # B's cumulative: 10 + 20
    expect(page.locator("#week-totals-cumulative")).to_have_text("35,00")  # out of band
    expect(page.locator("#deviation-week-3 td").nth(6)).to_have_text("-10,00")
    assert page.evaluate("window.__marker") == "still-here"  # swapped, not reloaded

    page.get_by_role("link", name="Kurva S").click()
    expect(page.locator("#s-curve-week-3 td").nth(5)).to_have_text("35,00")
    expect(page.locator("#s-curve-week-3 td").nth(6)).to_have_text("-10,00")
    expect(page.locator("#s-curve-week-3 td").nth(7)).to_have_text("terlambat")
    points = page.locator("#s-curve-chart .series-actual circle")
    expect(points).to_have_count(3)
    expect(points.nth(2).locator("title")).to_have_text(
        "Realisasi kumulatif, minggu ke-3 (16 Mar – 22 Mar 2026): 35,00 %"
    )
    expect(page.locator("#ev-week-3 td").nth(2)).to_have_text("3.500.000,00")  # EV = 35 % of the budget

    page.evaluate("window.__marker = 'still-here'")
    page.locator("#period-report").get_by_role("link", name="Bulanan").click()
    expect(page.locator("#period-report h2")).to_have_text("Laporan progres bulanan")
    expect(page.locator("#period-1 td").first).to_contain_text("Maret 2026")
    expect(page).to_have_url(re.compile(rf"/projects/{project.pk}/kurva-s/\?period=month$"))
    assert page.evaluate("window.__marker") == "still-here"


def test_enter_in_a_row_saves_the_whole_form(logged_in_page: Page, user):
    """The form's first submit button is a hidden "Simpan semua": Enter posts every changed row, even
    with htmx on the rows' own buttons (which would otherwise catch the implicit submission)."""
    project, b = build_example(user)
    c = WorkItem.objects.get(project=project, name="Pekerjaan C")
    page = logged_in_page
    page.goto(f"/projects/{project.pk}/progress/?week=4")

    page.locator(f"input[name='progress-{b.pk}']").fill("30")
    page.locator(f"input[name='progress-{c.pk}']").fill("12,5")
    page.locator(f"input[name='progress-{c.pk}']").press("Enter")

    expect(page.locator("#messages")).to_contain_text("Progres 2 pekerjaan disimpan.")
    expect(page.locator(f"input[name='progress-{c.pk}']")).to_have_value("12,5")
    # Week 4: 25 + 50 x 0,3 + 30 x 0,125 = 25 + 15 + 3,75 = 43,75 % of the project.
    expect(page.locator("#week-totals-cumulative")).to_have_text("43,75")
