"""Exports in a browser: start a PDF export in the export centre, watch its progress partial reach 100 %,
download the file and check it is a real PDF of this project with its grand total (issue 4, section 4).

The small RAB of ``rab_data.py``: Jumlah 1.854.149,00; PPN 11 % 203.956,39; Jumlah total 2.058.105,39;
rounded down to Rp 1.000: 2.058.000,00.
"""

import io
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, expect
from pypdf import PdfReader

from ahsp.models import ExportJob
from ahsp.tests.rab_data import build_small_rab

MARK_PAGE = "window.__marker = 'still-here'"
PAGE_MARKER = "window.__marker"


def test_pdf_export_shows_progress_and_downloads_a_valid_pdf(logged_in_page: Page, user):
    rab = build_small_rab(user, name="Gedung Serbaguna Desa")
    page = logged_in_page
    page.goto(f"/projects/{rab.project.pk}/exports/")
    page.evaluate(MARK_PAGE)

    page.get_by_role("button", name="Ekspor RAB (rencana anggaran biaya) (PDF)").click()

    progress = page.locator("#export-current .export-progress")
    expect(progress.get_by_role("status")).to_have_text("Selesai")
    job = ExportJob.objects.get(project=rab.project)
    expect(progress).to_contain_text("100 %")
    expect(progress).to_have_attribute("data-status", "done")
    assert page.evaluate(PAGE_MARKER) == "still-here"  # the partial was swapped in, no page load

    with page.expect_download() as download_info:
        progress.get_by_role("link", name="Unduh berkas").click()
    download = download_info.value
    assert download.suggested_filename == "rab-gedung-serbaguna-desa.pdf"
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"%PDF-")
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages)
    assert "Gedung Serbaguna Desa" in text
    assert "Jumlah total 2.058.105,39" in text
    assert "2.058.000,00" in text

    # The export is listed in the centre after a reload, with its download link.
    page.reload()
    expect(page.locator(f"#export-row-{job.pk}")).to_contain_text("Selesai")


def test_export_without_javascript_lands_on_the_job_page(
    no_js_context: BrowserContext, login_user, user, live_server
):
    rab = build_small_rab(user)
    login_user(no_js_context, user)
    page = no_js_context.new_page()
    page.goto(f"{live_server.url}/projects/{rab.project.pk}/exports/")

    page.get_by_role("button", name="Ekspor Harga satuan dasar (XLSX)").click()

    expect(page.locator(".export-progress").get_by_role("status")).to_have_text("Selesai")
    job = ExportJob.objects.get(project=rab.project)
    expect(page).to_have_url(f"{live_server.url}/exports/{job.pk}/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Unduh berkas").click()
    assert download_info.value.suggested_filename == "harga-gedung-serbaguna.xlsx"
