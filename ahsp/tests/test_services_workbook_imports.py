"""Project and price import jobs (``ahsp.services.workbook_imports``): start + run in huey immediate mode,
the import's message and report on failure (nothing written), a generic message for a crash, the upload
deleted after every run, a failed enqueue picked up by the sweep, stale jobs failed by the sweep."""

import logging
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ahsp import tasks
from ahsp.models import AuditEvent, Project, WorkbookImportJob
from ahsp.services import jobs, workbook_imports
from ahsp.tests.test_services_project_import import make_library, valid_sheets, write_workbook
from ahsp.tests.test_services_resources import HEADER, make_estimate, xlsx

pytestmark = pytest.mark.django_db
Status = WorkbookImportJob.Status


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_uploads(media_root: Path) -> list[Path]:
    folder = media_root / "workbook-imports"
    return sorted(folder.iterdir()) if folder.exists() else []


def project_upload(tmp_path, sheets=None, name="proyek.xlsx") -> SimpleUploadedFile:
    path = write_workbook(tmp_path / "upload.xlsx", sheets or valid_sheets())
    return SimpleUploadedFile(name, path.read_bytes())


def price_upload(rows, name="harga.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, xlsx(rows).getvalue())


def test_start_stores_the_upload_and_enqueues_on_commit_without_an_audit_event(
    user, tmp_path, monkeypatch, media_root, django_capture_on_commit_callbacks
):
    enqueued = []
    monkeypatch.setitem(jobs.TASKS, "workbook_import", enqueued.append)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = workbook_imports.start_project(upload=project_upload(tmp_path), by=user)
        assert enqueued == []  # only once the transaction commits

    assert job.status == Status.QUEUED and job.kind == "project" and job.project is None
    assert job.file_name == "proyek.xlsx" and job.requested_by == user and job.attempts == 0
    assert len(stored_uploads(media_root)) == 1 and not AuditEvent.objects.exists()
    for callback in callbacks:
        callback()
    assert enqueued == [job.pk]


def test_a_project_job_creates_the_project_as_the_uploader(
    user, tmp_path, media_root, django_capture_on_commit_callbacks
):
    make_library()
    with django_capture_on_commit_callbacks(execute=True):
        job = workbook_imports.start_project(upload=project_upload(tmp_path), by=user)

    job.refresh_from_db()
    project = Project.objects.get()
    assert job.status == Status.DONE and job.project == project and project.owner == user
    assert job.report["counts"] == {"work_items": 3} and job.report["warnings_count"] == 0
    assert "diimpor dari Excel: 3 pekerjaan" in job.report["summary"]
    assert job.attempts == 1 and job.started_at and job.finished_at and not job.error
    assert not job.file and stored_uploads(media_root) == []
    event = AuditEvent.objects.get(action="import")
    assert event.actor_id == user.pk and event.after["file_name"] == "proyek.xlsx"


def test_a_project_job_with_problems_fails_with_the_report_and_writes_nothing(
    user, tmp_path, media_root, django_capture_on_commit_callbacks
):
    make_library()
    sheets = valid_sheets()
    sheets["Proyek"][1] = ["nama", None]
    with django_capture_on_commit_callbacks(execute=True):
        job = workbook_imports.start_project(upload=project_upload(tmp_path, sheets), by=user)

    job.refresh_from_db()
    assert job.status == Status.FAILED and job.error == "Impor dibatalkan: 1 masalah ditemukan."
    assert job.report["problems_count"] == 1
    problem = job.report["problems"][0]
    assert problem["sheet"] == "Proyek" and problem["reason"] == "nama wajib diisi."
    assert problem["text"].startswith("Proyek, baris 2")
    assert Project.objects.count() == 0 and not AuditEvent.objects.exists()
    assert stored_uploads(media_root) == []


def test_a_non_workbook_fails_with_its_reason_never_raises(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = workbook_imports.start_project(upload=SimpleUploadedFile("x.xlsx", b"not a zip"), by=user)

    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert "bukan buku kerja Excel .xlsx yang sah" in job.report["problems"][0]["reason"]


def test_a_price_job_updates_the_prices_and_keeps_the_notes(user, django_capture_on_commit_callbacks):
    project, _item, worker, _foreman, _cement = make_estimate(user)
    rows = [HEADER, ["L.01", "Pekerja", "OH", "Tenaga Kerja", 100000], ["B.99", "Pasir", "m3", "Bahan", 1]]
    with django_capture_on_commit_callbacks(execute=True):
        job = workbook_imports.start_prices(project=project, upload=price_upload(rows), by=user)

    job.refresh_from_db()
    worker.refresh_from_db()
    assert job.status == Status.DONE and worker.unit_price == Decimal("100000.00")
    assert job.report["summary"].startswith("Impor harga dari “harga.xlsx” selesai: 1 harga diubah")
    assert job.report["notes_count"] == 1 and job.report["notes"][0]["value"] == "B.99"
    assert AuditEvent.objects.get(action="import").actor_id == user.pk


def test_a_price_job_with_a_bad_row_fails_with_the_summary(user, django_capture_on_commit_callbacks):
    project, _item, worker, _foreman, _cement = make_estimate(user)
    rows = [HEADER, ["L.01", "Pekerja", "OH", "", 100000], ["L.04", "Mandor", "OH", "", "1.5.00"]]
    with django_capture_on_commit_callbacks(execute=True):
        job = workbook_imports.start_prices(project=project, upload=price_upload(rows), by=user)

    job.refresh_from_db()
    worker.refresh_from_db()
    assert job.status == Status.FAILED and job.error.startswith("Impor harga dibatalkan: 1 masalah")
    assert job.report["problems"][0]["value"] == "1.5.00" and worker.unit_price is None
    assert not AuditEvent.objects.filter(action="import").exists()


def test_a_crash_fails_the_job_with_a_generic_message(user, monkeypatch, caplog, tmp_path):
    monkeypatch.setitem(jobs.TASKS, "workbook_import", lambda job_id: None)
    job = workbook_imports.start_project(upload=project_upload(tmp_path), by=user)

    def crash(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(workbook_imports, "import_project_report", crash)
    with caplog.at_level(logging.ERROR):
        job = workbook_imports.run(job.pk)

    assert job.status == Status.FAILED and job.error == workbook_imports.RUN_FAILED_MESSAGE.format(pk=job.pk)
    assert "boom" not in job.error and "boom" in caplog.text and not job.file


def test_run_claims_once(user, monkeypatch, tmp_path):
    make_library()
    monkeypatch.setitem(jobs.TASKS, "workbook_import", lambda job_id: None)
    job = workbook_imports.start_project(upload=project_upload(tmp_path), by=user)

    first = workbook_imports.run(job.pk)
    second = workbook_imports.run(job.pk)

    assert first.status == second.status == Status.DONE and second.attempts == 1
    assert Project.objects.count() == 1 and AuditEvent.objects.filter(action="import").count() == 1
    assert workbook_imports.run(999999) is None


def test_a_failed_enqueue_keeps_the_job_queued_and_the_sweep_enqueues_it(
    user, tmp_path, monkeypatch, caplog, media_root, django_capture_on_commit_callbacks
):
    def queue_down(job_id):
        raise ConnectionError("redis down")

    monkeypatch.setitem(jobs.TASKS, "workbook_import", queue_down)
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        job = workbook_imports.start_project(upload=project_upload(tmp_path), by=user)

    job.refresh_from_db()
    assert job.status == Status.QUEUED and len(stored_uploads(media_root)) == 1
    assert "could not be enqueued" in caplog.text

    WorkbookImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=1))
    enqueued = []
    monkeypatch.setitem(jobs.TASKS, "workbook_import", enqueued.append)
    monkeypatch.setattr(tasks.HUEY, "pending", lambda: [])
    assert tasks.requeue_lost_workbook_imports() == [job.pk] and enqueued == [job.pk]


def test_mark_stale_fails_dead_running_jobs_only_and_deletes_their_uploads(
    user, tmp_path, monkeypatch, media_root
):
    monkeypatch.setitem(jobs.TASKS, "workbook_import", lambda job_id: None)
    now = timezone.now()
    dead, alive, queued = (
        workbook_imports.start_project(upload=project_upload(tmp_path), by=user) for _ in range(3)
    )
    WorkbookImportJob.objects.filter(pk=dead.pk).update(
        status=Status.RUNNING, heartbeat_at=now - timedelta(hours=1)
    )
    WorkbookImportJob.objects.filter(pk=alive.pk).update(status=Status.RUNNING, heartbeat_at=now)
    dead_path = Path(dead.file.path)

    assert workbook_imports.mark_stale(older_than_seconds=15 * 60) == 1

    dead.refresh_from_db()
    assert dead.status == Status.FAILED and dead.error == workbook_imports.STALE_MESSAGE.format(pk=dead.pk)
    assert not dead.file and not dead_path.exists() and dead.finished_at
    statuses = dict(WorkbookImportJob.objects.values_list("pk", "status"))
    assert (statuses[alive.pk], statuses[queued.pk]) == (Status.RUNNING, Status.QUEUED)
    assert len(stored_uploads(media_root)) == 2
    assert not AuditEvent.objects.exists()  # worker housekeeping: no event


def test_the_periodic_sweep_also_fails_dead_workbook_imports(user):
    job = WorkbookImportJob.objects.create(
        kind="project",
        requested_by=user,
        file_name="proyek.xlsx",
        status=Status.RUNNING,
        heartbeat_at=timezone.now() - timedelta(minutes=16),
    )

    tasks.sweep_jobs.call_local()

    job.refresh_from_db()
    assert job.status == Status.FAILED and "unggah ulang" in job.error
