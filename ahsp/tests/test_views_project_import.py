import io
from types import SimpleNamespace

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ahsp.forms.projects import ProjectImportForm
from ahsp.models import AuditEvent, Project, WorkbookImportJob, WorkItem
from ahsp.services import jobs
from ahsp.tests.test_services_project_import import make_library, valid_sheets, write_workbook
from ahsp.views import workbook_imports as job_views

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}
URL = "/projects/import/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(tmp_path, sheets, name="proyek.xlsx") -> SimpleUploadedFile:
    path = write_workbook(tmp_path / "upload.xlsx", sheets)
    return SimpleUploadedFile(name, path.read_bytes(), content_type=XLSX)


@pytest.fixture
def library():
    return make_library()


@pytest.fixture
def post_import(logged_in_client, django_capture_on_commit_callbacks):
    """POST the upload; the job is enqueued on commit and runs at once (HUEY immediate in the tests)."""

    def post(data, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return logged_in_client.post(URL, data, **kwargs)

    return post


def job_url(job=None) -> str:
    return f"/imports/{(job or WorkbookImportJob.objects.get()).pk}/"


def test_anonymous_users_are_sent_to_login(client):
    for url in (URL, "/projects/import/template.xlsx"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post(URL).status_code == 302


def test_get_shows_the_form_and_the_template_link(logged_in_client):
    response = logged_in_client.get(URL)

    assert response.status_code == 200 and "<html" in response.text
    assert 'enctype="multipart/form-data"' in response.text and 'name="file"' in response.text
    assert 'href="/projects/import/template.xlsx"' in response.text


def test_dashboard_links_to_the_import(logged_in_client):
    response = logged_in_client.get("/")

    assert 'href="/projects/import/"' in response.text and "Impor dari Excel" in response.text


def test_template_download_is_a_valid_workbook(logged_in_client):
    response = logged_in_client.get("/projects/import/template.xlsx")

    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == 'attachment; filename="templat-impor-proyek.xlsx"'
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert {"Proyek", "Pekerjaan", "Harga", "Analisa", "Petunjuk"} == set(workbook.sheetnames)


def test_post_valid_workbook_creates_the_project_via_the_job_page(
    logged_in_client, post_import, user, library, tmp_path
):
    response = post_import({"file": upload(tmp_path, valid_sheets())})

    job = WorkbookImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job_url(job)
    project = Project.objects.get()
    assert job.status == "done" and job.project == project and not job.file
    response = logged_in_client.get(job_url(job))
    assert response.status_code == 302 and response["Location"] == f"/projects/{project.pk}/"
    assert project.owner == user and project.name == "Gedung Serbaguna Desa Sukamaju"
    assert WorkItem.objects.filter(project=project).count() == 3
    event = AuditEvent.objects.get(action="import")
    assert event.after["file_name"] == "proyek.xlsx" and event.actor_id == user.pk
    page = logged_in_client.get(response["Location"])
    assert "diimpor dari Excel: 3 pekerjaan" in page.text


def test_htmx_post_valid_workbook_answers_with_hx_redirect(logged_in_client, post_import, library, tmp_path):
    """The form comes back with the progress partial; its poll of the finished job answers with
    HX-Redirect to the new project and 286 (polling stops)."""
    response = post_import({"file": upload(tmp_path, valid_sheets())}, headers=HX)

    job = WorkbookImportJob.objects.get()
    assert response.status_code == 200 and "<html" not in response.text
    assert response.text.lstrip().startswith('<section id="import-form">')
    assert f'id="workbook-import-{job.pk}"' in response.text
    poll = logged_in_client.get(job_url(job), headers=HX)
    project = Project.objects.get()
    assert poll.status_code == 286 and poll["HX-Redirect"] == f"/projects/{project.pk}/"
    page = logged_in_client.get(f"/projects/{project.pk}/")
    assert "diimpor dari Excel: 3 pekerjaan" in page.text


def test_htmx_post_when_the_worker_was_quicker_redirects_at_once(
    logged_in_client, library, tmp_path, monkeypatch
):
    """Outside a test transaction (huey immediate, e2e) the job runs at commit, before the answer."""
    monkeypatch.setattr(jobs, "transaction", SimpleNamespace(on_commit=lambda callback: callback()))

    response = logged_in_client.post(URL, {"file": upload(tmp_path, valid_sheets())}, headers=HX)

    project = Project.objects.get()
    assert response.status_code == 200 and response["HX-Redirect"] == f"/projects/{project.pk}/"


def test_htmx_post_swaps_in_the_polling_progress_partial(logged_in_client, library, tmp_path):
    """Until the worker has run (here: the commit never comes), the partial polls every second (200)."""
    response = logged_in_client.post(URL, {"file": upload(tmp_path, valid_sheets())}, headers=HX)

    job = WorkbookImportJob.objects.get()
    assert job.status == "queued" and Project.objects.count() == 0
    assert f'hx-get="{job_url(job)}" hx-trigger="every 1s"' in response.text
    poll = logged_in_client.get(job_url(job), headers=HX)
    assert poll.status_code == 200 and 'data-status="queued"' in poll.text and "<html" not in poll.text
    page = logged_in_client.get(job_url(job))  # without JS: the page, with a reload link
    assert page.status_code == 200 and "<html" in page.text and "Muat ulang status" in page.text


def _broken_sheets():
    sheets = valid_sheets()
    sheets["Proyek"][1] = ["nama", None]
    sheets["Pekerjaan"].append(["Pekerjaan Tanah", None, "9.9.9", "Tidak ada", "m3", "-1"])
    sheets["Harga"][2][3] = "Bahan Bangunan"
    return sheets


def test_post_with_problems_shows_every_problem_and_writes_nothing(
    logged_in_client, post_import, library, tmp_path
):
    post_import({"file": upload(tmp_path, _broken_sheets())})
    response = logged_in_client.get(job_url())

    assert WorkbookImportJob.objects.get().status == "failed"
    assert response.status_code == 200 and "<html" in response.text
    assert 'id="import-report"' in response.text
    text = response.text
    for expected in ("nama wajib diisi.", "9.9.9", "Volume tidak boleh negatif.", "Kategori tidak dikenal"):
        assert expected in text
    assert '<td>Pekerjaan</td><td class="num">5</td><td>kode_ahsp</td><td>9.9.9</td>' in text
    assert "4 masalah ditemukan" in text
    assert Project.objects.count() == 0 and AuditEvent.objects.count() == 0


def test_htmx_post_with_problems_polls_into_the_report(logged_in_client, post_import, library, tmp_path):
    response = post_import({"file": upload(tmp_path, _broken_sheets())}, headers=HX)
    poll = logged_in_client.get(job_url(), headers=HX)

    assert response.status_code == 200 and response.text.lstrip().startswith('<section id="import-form">')
    assert poll.status_code == 286 and "<html" not in poll.text and "hx-trigger" not in poll.text
    assert 'id="import-report"' in poll.text and "nama wajib diisi." in poll.text
    assert Project.objects.count() == 0


def test_a_very_long_report_is_cut_with_a_note(logged_in_client, post_import, library, tmp_path, monkeypatch):
    monkeypatch.setattr(job_views, "MAX_ROWS_SHOWN", 2)

    post_import({"file": upload(tmp_path, _broken_sheets())})
    response = logged_in_client.get(job_url())

    assert "4 masalah ditemukan" in response.text
    assert "Menampilkan 2 masalah pertama dari 4." in response.text
    assert (
        response.text.count("<td>Proyek</td>")
        + response.text.count("<td>Pekerjaan</td>")
        + response.text.count("<td>Harga</td>")
        == 2
    )


def test_post_without_file_or_with_another_format_shows_form_errors(logged_in_client):
    response = logged_in_client.post(URL, {})
    assert response.status_code == 200 and "errorlist" in response.text

    csv = SimpleUploadedFile("proyek.csv", b"a;b\n", content_type="text/csv")
    response = logged_in_client.post(URL, {"file": csv})
    assert response.status_code == 200 and "Berkas harus berformat Excel .xlsx." in response.text
    assert Project.objects.count() == 0


def test_post_of_a_too_large_file_is_refused(logged_in_client, library, tmp_path, monkeypatch):
    monkeypatch.setattr(ProjectImportForm.base_fields["file"], "max_bytes", 100)

    response = logged_in_client.post(URL, {"file": upload(tmp_path, valid_sheets())})

    assert response.status_code == 200 and "Berkas terlalu besar (maksimal 20 MB)." in response.text
    assert Project.objects.count() == 0


def test_a_renamed_non_workbook_gives_a_report(logged_in_client, post_import):
    fake = SimpleUploadedFile("proyek.xlsx", b"not a zip", content_type=XLSX)

    post_import({"file": fake})
    response = logged_in_client.get(job_url())

    assert response.status_code == 200 and "bukan buku kerja Excel .xlsx yang sah" in response.text
    assert Project.objects.count() == 0


def test_get_method_only_get_and_post(logged_in_client):
    assert logged_in_client.put(URL).status_code == 405
    assert logged_in_client.post("/projects/import/template.xlsx").status_code == 405


def _sheets_above_the_ceiling(sheets=None):
    """Project BUK 20 % and one item at 17,5 %: both above the 15 % government ceiling, both imported."""
    sheets = sheets or valid_sheets()
    sheets["Proyek"][8] = ["buk_persen", "20"]
    sheets["Pekerjaan"][0] = [*sheets["Pekerjaan"][0], "buk_persen"]
    sheets["Pekerjaan"][1] = [*sheets["Pekerjaan"][1], "17,5"]
    return sheets


def test_warnings_of_an_imported_workbook_are_shown_on_the_project_page(
    logged_in_client, post_import, library, tmp_path
):
    first = post_import({"file": upload(tmp_path, _sheets_above_the_ceiling())})
    response = logged_in_client.get(first["Location"], follow=True)

    project = Project.objects.get()  # a warning is not a problem: the import goes through
    assert project.overhead_profit_pct == 20
    assert response.redirect_chain == [(f"/projects/{project.pk}/", 302)]
    text = response.text
    assert "diimpor dari Excel: 3 pekerjaan" in text
    assert text.count('class="message message-warning"') >= 2
    assert "Peringatan impor: Proyek, baris 9, kolom buk_persen (nilai “20”): BUK di atas batas 15%" in text
    assert "Peringatan impor: Pekerjaan, baris 2, kolom buk_persen (nilai “17,5”)" in text


def test_many_warnings_are_cut_with_a_count(logged_in_client, post_import, library, tmp_path, monkeypatch):
    monkeypatch.setattr(job_views, "MAX_WARNINGS_SHOWN", 1)

    first = post_import({"file": upload(tmp_path, _sheets_above_the_ceiling())})
    response = logged_in_client.get(first["Location"], follow=True)

    assert response.text.count("Peringatan impor:") == 1
    assert "… dan 1 peringatan impor lainnya." in response.text


def test_a_refused_workbook_lists_its_warnings_apart_from_its_problems(
    logged_in_client, post_import, library, tmp_path
):
    sheets = _sheets_above_the_ceiling(_broken_sheets())

    post_import({"file": upload(tmp_path, sheets)}, headers=HX)
    response = logged_in_client.get(job_url(), headers=HX)

    assert 'id="import-report"' in response.text and "4 masalah ditemukan" in response.text
    report, warnings = response.text.split('id="import-warnings"')
    assert "BUK di atas batas 15%" not in report
    assert "2 peringatan: bukan masalah, tidak menghalangi impor" in warnings
    assert '<td>Proyek</td><td class="num">9</td><td>buk_persen</td><td>20</td>' in warnings
    assert Project.objects.count() == 0
