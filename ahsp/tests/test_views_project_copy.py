"""Salin proyek and Pulihkan dari cadangan through the browser's requests: the jobs run at once in the
tests (HUEY immediate, enqueued on commit); a bad backup lists its problems with their JSON paths."""

import json
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ahsp.importers.project_document import MAX_BYTES
from ahsp.loaders.project_document import load_project_document
from ahsp.models import ExportJob, Project, ProjectCopyJob, Stage, WorkbookImportJob, WorkItem
from ahsp.services import exports, project_copy_jobs
from ahsp.tests.test_project_document import example, figures  # noqa: F401  (the worked example)

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    def run(call):
        with django_capture_on_commit_callbacks(execute=True):
            return call()

    return run


def test_one_copy_goes_to_the_new_project(logged_in_client, example, run_on_commit):  # noqa: F811
    page = logged_in_client.get(f"/projects/{example.pk}/copy/")
    assert page.status_code == 200 and 'name="parts"' in page.text and 'type="number"' not in page.text
    data = {"parts": "progress", "name": "Gedung 2027", "start_date": "2027-03-01", "count": "1"}
    response = run_on_commit(lambda: logged_in_client.post(f"/projects/{example.pk}/copy/", data))
    job = ProjectCopyJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/copies/{job.pk}/"
    copy = Project.objects.get(name="Gedung 2027")
    assert job.status == "done" and job.projects == [(copy.pk, "Gedung 2027")]
    page = logged_in_client.get(response["Location"])
    assert page.status_code == 302 and page["Location"] == f"/projects/{copy.pk}/"
    assert figures(copy) == figures(example)
    assert Stage.objects.get(project=copy).start_date == date(2027, 3, 1)


def test_a_batch_lists_its_copies_and_the_polling_stops(logged_in_client, example, run_on_commit):  # noqa: F811
    data = {"parts": "estimate", "name": "Puskesmas", "count": "3"}
    run_on_commit(lambda: logged_in_client.post(f"/projects/{example.pk}/copy/", data, headers=HX))
    job = ProjectCopyJob.objects.get()
    partial = logged_in_client.get(f"/copies/{job.pk}/", headers=HX)
    assert partial.status_code == 286
    assert [name for _pk, name in job.projects] == ["Puskesmas (1)", "Puskesmas (2)", "Puskesmas (3)"]
    for name in ("Puskesmas (1)", "Puskesmas (3)"):
        assert name in partial.text
    assert WorkItem.objects.filter(project__name="Puskesmas (2)").count() == 2


@pytest.mark.parametrize(
    "data, message",
    [
        ({"parts": "estimate", "name": "X", "count": "51"}, "50"),
        ({"parts": "estimate", "name": "X", "count": "dua"}, "angka"),
        ({"parts": "semua", "name": "X", "count": "1"}, "pilihan"),
        ({"parts": "estimate", "name": "", "count": "1"}, "tidak boleh kosong"),
        ({"parts": "estimate", "name": "X", "count": "1", "start_date": "2026-02-30"}, "tanggal"),
    ],
)
def test_bad_copy_input_is_shown_on_the_form_with_200(logged_in_client, example, data, message):  # noqa: F811
    response = logged_in_client.post(f"/projects/{example.pk}/copy/", data, headers=HX)
    assert response.status_code == 200 and message in response.text.lower()
    assert not ProjectCopyJob.objects.exists()


def test_strangers_cannot_copy_or_see_a_copy_job(client, other_user, example, user, run_on_commit):  # noqa: F811
    job = run_on_commit(
        lambda: project_copy_jobs.start(project=example, by=user, parts="header", name="Salinan", count=1)
    )
    client.force_login(other_user)
    assert client.get(f"/projects/{example.pk}/copy/").status_code == 404
    assert (
        client.post(
            f"/projects/{example.pk}/copy/", {"parts": "header", "name": "x", "count": "1"}
        ).status_code
        == 404
    )
    assert client.get(f"/copies/{job.pk}/").status_code == 404


def test_a_copy_of_a_deleted_source_fails_with_a_message(example, user):  # noqa: F811
    job = project_copy_jobs.start(project=example, by=user, parts="header", name="Salinan", count=1)
    ProjectCopyJob.objects.filter(pk=job.pk).update(source=None)
    finished = project_copy_jobs.run(job.pk)
    assert finished.status == "failed" and "sudah dihapus" in finished.error


# --- backup: export centre JSON -> restore page ----------------------------------------------------------


def test_the_export_centre_backup_restores_as_a_new_project(logged_in_client, example, user, run_on_commit):  # noqa: F811
    job = run_on_commit(lambda: exports.start(project=example, document="cadangan", fmt="json", by=user))
    job = ExportJob.objects.get(pk=job.pk)
    assert job.status == "done"
    download = logged_in_client.get(f"/exports/{job.pk}/download/")
    raw = b"".join(download.streaming_content) if download.streaming else download.content
    assert json.loads(raw)["format"] == "ahsp-project" and json.loads(raw)["audit"]

    upload = SimpleUploadedFile("cadangan.json", raw, content_type="application/json")
    response = run_on_commit(lambda: logged_in_client.post("/projects/restore/", {"file": upload}))
    import_job = WorkbookImportJob.objects.get(kind="backup")
    assert response["Location"] == f"/imports/{import_job.pk}/" and import_job.status == "done"
    restored = import_job.project
    assert load_project_document(restored) == load_project_document(example)
    page = logged_in_client.get(f"/imports/{import_job.pk}/")
    assert page.status_code == 302 and page["Location"] == f"/projects/{restored.pk}/"


def test_a_bad_backup_lists_its_problems_and_writes_nothing(logged_in_client, example, run_on_commit):  # noqa: F811
    document = load_project_document(example)
    document["resources"][0]["unit_price"] = "-1"
    document["sections"][0]["items"][0]["analysis"] = "TIDAK.ADA"
    raw = json.dumps(document).encode()
    before = Project.objects.count()
    upload = SimpleUploadedFile("rusak.json", raw, content_type="application/json")
    run_on_commit(lambda: logged_in_client.post("/projects/restore/", {"file": upload}))
    job = WorkbookImportJob.objects.get(kind="backup")
    page = logged_in_client.get(f"/imports/{job.pk}/").content.decode()
    assert job.status == "failed" and Project.objects.count() == before
    assert "$.resources[0].unit_price" in page and "$.sections[0].items[0].analysis" in page


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("cadangan.xlsx", b"{}", ".json"),
        ("besar.json", b" " * (MAX_BYTES + 1), "terlalu besar"),
    ],
)
def test_the_upload_form_refuses_other_files(logged_in_client, name, content, message):
    upload = SimpleUploadedFile(name, content, content_type="application/json")
    response = logged_in_client.post("/projects/restore/", {"file": upload}, headers=HX)
    assert response.status_code == 200 and message in response.text
    assert not WorkbookImportJob.objects.exists()
