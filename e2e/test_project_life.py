"""A project's life in a browser (issue 15): back it up from the export centre, restore the file as a new
project, copy a project with "Salin proyek", and compare the copy with its original after a price change.

The small RAB of ``rab_data.py``: Jumlah 1.854.149,00; Jumlah total dibulatkan Rp 2.058.000,00.
"""

from decimal import Decimal
from pathlib import Path

from playwright.sync_api import Page, expect

from ahsp.models import Project, ProjectResource
from ahsp.services import resources
from ahsp.tests.rab_data import build_small_rab


def test_backup_restore_copy_and_compare(logged_in_page: Page, user):
    rab = build_small_rab(user, name="Gedung Serbaguna Desa")
    page = logged_in_page

    # Back up: the export centre builds the JSON; download it.
    page.goto(f"/projects/{rab.project.pk}/exports/")
    page.get_by_role(
        "button", name="Ekspor Cadangan proyek lengkap (untuk dipulihkan atau disalin) (JSON)"
    ).click()
    progress = page.locator("#export-current .export-progress")
    expect(progress.get_by_role("status")).to_have_text("Selesai")
    with page.expect_download() as download_info:
        progress.get_by_role("link", name="Unduh berkas").click()
    backup = download_info.value
    assert backup.suggested_filename.endswith(".json")

    # Restore it from the dashboard: a new project with the same total.
    page.goto("/")
    page.get_by_role("link", name="Pulihkan cadangan").click()
    page.get_by_label("Berkas cadangan proyek (.json)").set_input_files(
        files=[
            {
                "name": backup.suggested_filename,
                "mimeType": "application/json",
                "buffer": Path(backup.path()).read_bytes(),
            }
        ]
    )
    page.get_by_role("button", name="Pulihkan").click()
    expect(page.locator(".message-success")).to_contain_text("dipulihkan dari cadangan: 3 pekerjaan")
    restored = Project.objects.exclude(pk=rab.project.pk).get()
    assert page.url.endswith(f"/projects/{restored.pk}/")
    page.goto(f"/projects/{restored.pk}/rab/")
    expect(page.locator("body")).to_contain_text("2.058.000,00")

    # Copy the original with "Salin proyek": estimate and schedule, one copy.
    page.goto(f"/projects/{rab.project.pk}/")
    page.get_by_role("link", name="Salin proyek").click()
    page.get_by_label("Estimasi dan jadwal").check()
    page.get_by_label("Nama salinan").fill("Gedung Serbaguna 2027")
    page.get_by_role("button", name="Salin").click()
    expect(page.locator(".message-success")).to_contain_text("Gedung Serbaguna 2027")
    copy = Project.objects.get(name="Gedung Serbaguna 2027")
    expect(page.locator("h1")).to_contain_text("Gedung Serbaguna 2027")

    # Cement dearer in the copy; the comparison names it and opens its section through htmx.
    cement = ProjectResource.objects.get(project=copy, code="M.15")
    resources.set_price(resource=cement, unit_price=Decimal("1650"), expected_version=None, by=user)
    page.get_by_role("link", name="Bandingkan").click()
    page.get_by_label("Bandingkan dengan proyek").select_option(str(rab.project.pk))
    page.get_by_role("button", name="Bandingkan").click()
    expect(page.locator(".compare-sentence")).to_contain_text("naik")
    expect(page.locator(".compare-causes")).to_contain_text("Harga Semen Portland")
    page.locator(".compare-section a").first.click()
    expect(page.locator(".compare-item").first).to_be_visible()


def test_freeze_open_a_version_and_compare_it_with_the_current_estimate(logged_in_page: Page, user):
    rab = build_small_rab(user, name="Gedung Serbaguna Desa")
    page = logged_in_page
    page.goto(f"/projects/{rab.project.pk}/")
    page.get_by_role("link", name="Versi beku").click()
    page.get_by_label("Nama versi").fill("HPS diajukan")
    page.get_by_role("button", name="Bekukan versi").click()
    expect(page.locator(".message-success")).to_contain_text("HPS diajukan")
    expect(page.locator(".versions-table")).to_contain_text("2.058.000,00")

    # The estimate changes after the freeze; the version still shows the frozen total, read-only.
    cement = ProjectResource.objects.get(project=rab.project, code="M.15")
    resources.set_price(resource=cement, unit_price=Decimal("1650"), expected_version=None, by=user)
    page.get_by_role("button", name="Buka").click()
    expect(page.locator(".frozen-banner")).to_contain_text("versi beku")
    expect(page.locator("body")).to_contain_text("2.058.000,00")

    page.goto(f"/projects/{rab.project.pk}/versions/")
    page.get_by_role("button", name="Bandingkan dengan sekarang").click()
    expect(page.locator(".compare-sentence")).to_contain_text("naik")
    expect(page.locator(".compare-causes")).to_contain_text("Harga Semen Portland")


def test_save_a_template_and_insert_it_with_a_preview(logged_in_page: Page, user):
    source = build_small_rab(user, name="Gedung Serbaguna Desa")
    target = build_small_rab(user, name="Puskesmas Pembantu")
    page = logged_in_page
    page.goto(f"/projects/{source.project.pk}/items/")
    page.get_by_role("link", name="Simpan sebagai templat").click()
    page.get_by_label("Bagian yang disimpan").select_option(label="Pekerjaan Plesteran")
    page.get_by_label("Nama templat").fill("Plesteran standar")
    page.get_by_label("Sertakan volume").check()
    page.get_by_role("button", name="Simpan templat").click()
    expect(page.locator(".message-success")).to_contain_text("Plesteran standar")

    page.goto(f"/projects/{target.project.pk}/items/")
    page.get_by_role("link", name="Sisipkan templat").click()
    page.get_by_label("Templat").select_option(label="Plesteran standar")
    expect(page.locator("#insert-preview")).to_contain_text("1 pekerjaan")  # the htmx preview
    page.get_by_role("button", name="Sisipkan", exact=True).click()
    expect(page.locator(".message-success")).to_contain_text("disisipkan: 1 pekerjaan")
    assert target.project.work_items.count() == 4
