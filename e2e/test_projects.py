"""Projects: create through the htmx form, and the dashboard list (pagination, search, no-JS links)."""

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from ahsp.models import Project
from ahsp.tests.factories import ProjectFactory

MARK_PAGE = "window.__marker = 'still-here'"
PAGE_MARKER = "window.__marker"


def test_project_create_through_htmx_form(logged_in_page: Page, live_server, user):
    page = logged_in_page
    page.goto("/")
    page.get_by_role("link", name="+ Proyek baru").click()
    expect(page).to_have_url(live_server.url + "/projects/new/")
    form = page.locator("#project-form")

    # An empty name re-renders the form fragment in place, with the error (no reload).
    page.evaluate(MARK_PAGE)
    form.get_by_role("button", name="Simpan").click()
    expect(form.get_by_text("Nama proyek wajib diisi.")).to_be_visible()
    assert page.evaluate(PAGE_MARKER) == "still-here"

    form.get_by_label("Nama proyek").fill("Rehabilitasi Puskesmas Sukamaju")
    form.get_by_label("Lokasi").fill("Kabupaten Contoh")
    form.get_by_label("Status").select_option(label="Berjalan")
    with page.expect_response(
        lambda r: r.url.endswith("/projects/new/") and r.request.method == "POST"
    ) as info:
        form.get_by_role("button", name="Simpan").click()

    response = info.value
    assert response.request.header_value("hx-request") == "true"
    project = Project.objects.get(owner=user, name="Rehabilitasi Puskesmas Sukamaju")
    assert response.header_value("hx-redirect") == f"/projects/{project.pk}/"
    expect(page).to_have_url(f"{live_server.url}/projects/{project.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rehabilitasi Puskesmas Sukamaju")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Berjalan")
    expect(page.get_by_text("Proyek “Rehabilitasi Puskesmas Sukamaju” dibuat.")).to_be_visible()
    assert project.location == "Kabupaten Contoh"
    assert project.status == Project.Status.ACTIVE


def test_project_form_reads_indonesian_numbers_in_the_browser(logged_in_page: Page, live_server, user):
    """Issue 11 §6: a number input dropped "1.500.000.000" (Firefox) or read "12,5" as 125 (Chromium). The
    text inputs send what was typed; the server reads it the Indonesian way and shows it back formatted."""
    project = ProjectFactory(owner=user, name="Gedung Uji", budget_ceiling=None)
    page = logged_in_page
    page.goto(f"/projects/{project.pk}/edit/")
    form = page.locator("#project-form")
    form.get_by_label("Pagu anggaran (Rp)").fill("1.500.000.000")
    form.get_by_label("Biaya umum dan keuntungan (%)").fill("20")
    form.get_by_label("PPN (%)").fill("12,5")
    form.get_by_role("button", name="Simpan").click()

    expect(page).to_have_url(f"{live_server.url}/projects/{project.pk}/")
    expect(
        page.get_by_text("di atas batas 15 % untuk pekerjaan pemerintah (Permen PUPR 8/2023)")
    ).to_be_visible()
    project.refresh_from_db()
    assert (str(project.budget_ceiling), str(project.overhead_profit_pct), str(project.vat_pct)) == (
        "1500000000.00",
        "20.00",
        "12.50",
    )
    page.goto(f"/projects/{project.pk}/edit/")
    expect(form.get_by_label("Pagu anggaran (Rp)")).to_have_value("1.500.000.000,00")
    expect(form.get_by_label("PPN (%)")).to_have_value("12,5")
    expect(form.locator("#overhead-warning")).to_be_visible()


@pytest.fixture
def twenty_five_projects(user) -> list[Project]:
    # Newest first on the dashboard: page 1 shows "Proyek 25".."Proyek 06", page 2 "Proyek 05".."Proyek 01".
    return [ProjectFactory(owner=user, name=f"Proyek {n:02d}") for n in range(1, 26)]


def test_dashboard_next_page_swaps_list_and_pushes_url(
    logged_in_page: Page, live_server, twenty_five_projects
):
    page = logged_in_page
    page.goto("/")
    project_list = page.locator("#project-list")
    expect(project_list.locator("tbody tr")).to_have_count(20)
    expect(project_list.get_by_role("link", name="Proyek 25")).to_be_visible()
    expect(project_list).to_contain_text("Halaman 1 dari 2")

    page.evaluate(MARK_PAGE)
    project_list.get_by_role("link", name="Berikutnya »").click()

    expect(project_list.locator("tbody tr")).to_have_count(5)
    expect(project_list.get_by_role("link", name="Proyek 05")).to_be_visible()
    expect(project_list.get_by_role("link", name="Proyek 01")).to_be_visible()
    expect(project_list.get_by_role("link", name="Proyek 25")).to_have_count(0)
    expect(project_list).to_contain_text("Halaman 2 dari 2")
    expect(project_list.get_by_role("link", name="« Sebelumnya")).to_be_visible()
    expect(page).to_have_url(live_server.url + "/?page=2")
    assert page.evaluate(PAGE_MARKER) == "still-here"
    # Exactly one list: the section replaced itself (outerHTML), it did not nest.
    expect(page.locator("#project-list")).to_have_count(1)


def test_dashboard_search_filters_without_reload(logged_in_page: Page, live_server, user):
    ProjectFactory(owner=user, name="Gedung Serbaguna", location="Sukamaju")
    ProjectFactory(owner=user, name="Jalan Desa Cibiru", location="Bandung")
    ProjectFactory(owner=user, name="Jembatan Kali Progo", location="Kulon Progo")
    page = logged_in_page
    page.goto("/")
    project_list = page.locator("#project-list")
    expect(project_list.locator("tbody tr")).to_have_count(3)

    page.evaluate(MARK_PAGE)
    page.get_by_label("Cari nama atau lokasi").fill("bandung")

    expect(project_list.locator("tbody tr")).to_have_count(1)
    expect(project_list.get_by_role("link", name="Jalan Desa Cibiru")).to_be_visible()
    expect(project_list.get_by_role("link", name="Gedung Serbaguna")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/\?(.*&)?q=bandung(&|$)"))
    assert page.evaluate(PAGE_MARKER) == "still-here"

    # Searching by name works too, and an unknown term shows the empty state.
    page.get_by_label("Cari nama atau lokasi").fill("jembatan")
    expect(project_list.get_by_role("link", name="Jembatan Kali Progo")).to_be_visible()
    expect(project_list.locator("tbody tr")).to_have_count(1)
    page.get_by_label("Cari nama atau lokasi").fill("tidak ada")
    expect(project_list).to_contain_text("Tidak ada proyek yang cocok dengan pencarian.")
    assert page.evaluate(PAGE_MARKER) == "still-here"


def test_dashboard_pagination_link_works_without_javascript(
    no_js_context: BrowserContext, login_user, live_server, user, twenty_five_projects
):
    login_user(no_js_context, user)
    page = no_js_context.new_page()
    page.goto("/")
    project_list = page.locator("#project-list")
    expect(project_list.locator("tbody tr")).to_have_count(20)

    with page.expect_response(lambda r: r.url == live_server.url + "/?page=2") as info:
        project_list.get_by_role("link", name="Berikutnya »").click()

    # A plain GET of the whole page (no HX-Request): the link's href, not htmx.
    response = info.value
    assert response.request.header_value("hx-request") is None
    assert "<html" in response.text()
    expect(page).to_have_url(live_server.url + "/?page=2")
    expect(project_list.locator("tbody tr")).to_have_count(5)
    expect(project_list.get_by_role("link", name="Proyek 01")).to_be_visible()
    expect(project_list).to_contain_text("Halaman 2 dari 2")
