"""Reference-library import jobs: start + run in huey immediate mode, failures (the importer's message or a
generic one, nothing half-written), the upload deleted after every run, a failed enqueue, stale jobs."""

import logging
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.utils import timezone

from ahsp import tasks
from ahsp.importers.workbook_reader import ImportFailed
from ahsp.models import AuditEvent, ReferenceImport, ReferenceImportJob
from ahsp.services import jobs, reference_imports, reference_library
from ahsp.tests.test_importers_reference_workbook import (
    DEFECTS,
    DEFECTS_SUMMARY,
    library_state,
    make_workbook,
)

pytestmark = pytest.mark.django_db
Status = ReferenceImportJob.Status
EMPTY_LIBRARY = {"resources": [], "analyses": [], "components": [], "imports": 0}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.AHSP_REPORT_DIR = tmp_path / "reports"
    return settings.MEDIA_ROOT


@pytest.fixture
def workbook(tmp_path) -> bytes:
    return make_workbook(tmp_path / "sni.xlsx", DEFECTS).read_bytes()


def upload(content: bytes, name: str = "sni.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def stored_uploads(media_root: Path) -> list[Path]:
    folder = media_root / "reference-imports"
    return sorted(folder.iterdir()) if folder.exists() else []


def start_and_run(content: bytes, user, capture, *, source: str = "SNI 2025") -> ReferenceImportJob:
    with capture(execute=True):
        job = reference_imports.start(file=upload(content), source=source, by=user)
    job.refresh_from_db()
    return job


def test_start_stores_the_upload_and_queues_without_an_audit_event(user, workbook, monkeypatch, media_root):
    enqueued = []
    monkeypatch.setitem(jobs.TASKS, "reference_import", enqueued.append)

    job = reference_imports.start(file=upload(workbook), source="  SNI   2025 ", by=user)

    assert (job.status, job.stage, job.source, job.file_name) == (
        Status.QUEUED,
        "Menunggu giliran",
        "SNI 2025",
        "sni.xlsx",
    )
    assert job.requested_by == user and job.file.name.startswith("reference-imports/")
    assert [path.read_bytes() for path in stored_uploads(media_root)] == [workbook]
    assert not AuditEvent.objects.exists() and not ReferenceImport.objects.exists()
    assert enqueued == []  # only once the transaction commits


def test_start_and_run_in_immediate_mode_imports_and_links_the_record(
    user, workbook, media_root, django_capture_on_commit_callbacks
):
    job = start_and_run(workbook, user, django_capture_on_commit_callbacks)

    assert job.status == Status.DONE and job.stage == "Selesai" and not job.error
    record = job.result
    assert record == ReferenceImport.objects.get()
    assert (record.summary_line, record.file_name, record.source, record.created_by) == (
        DEFECTS_SUMMARY,
        "sni.xlsx",
        "SNI 2025",
        user,
    )
    assert Path(record.report_path).is_file()
    assert job.started_at and job.finished_at and job.heartbeat_at and job.started_at <= job.finished_at
    # exactly one audit event per import: the import's, by the uploader
    event = AuditEvent.objects.get()
    assert (event.action, event.target_type, event.target_id, event.actor_id) == (
        "import",
        "referenceimport",
        str(record.pk),
        user.pk,
    )
    assert not job.file and stored_uploads(media_root) == []  # the upload is deleted after the run


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"id,kode_ahsp\n1,1.1\n", "bukan buku kerja Excel"),
        ("header-only", "tidak berisi baris data"),
    ],
    ids=["csv", "header-only"],
)
def test_an_invalid_workbook_fails_the_job_with_the_importers_message(
    user, content, message, tmp_path, media_root, django_capture_on_commit_callbacks
):
    if content == "header-only":
        content = make_workbook(tmp_path / "kosong.xlsx", []).read_bytes()

    job = start_and_run(content, user, django_capture_on_commit_callbacks)

    assert job.status == Status.FAILED and message in job.error and job.finished_at
    assert job.result is None and "Traceback" not in job.error
    assert library_state() == EMPTY_LIBRARY and not AuditEvent.objects.exists()
    assert not job.file and stored_uploads(media_root) == []


def test_a_database_failure_midway_leaves_nothing_half_written(
    user, workbook, monkeypatch, django_capture_on_commit_callbacks
):
    original = reference_library.replace_components

    def fail_after_writing(library, **kwargs):
        original(library, **kwargs)
        raise DatabaseError("disk penuh")

    monkeypatch.setattr(reference_library, "replace_components", fail_after_writing)

    job = start_and_run(workbook, user, django_capture_on_commit_callbacks)

    assert job.status == Status.FAILED and "pustaka referensi tidak berubah" in job.error
    assert library_state() == EMPTY_LIBRARY and not AuditEvent.objects.exists()


def test_an_unexpected_error_fails_with_a_generic_message_and_logs_the_traceback(
    user, workbook, monkeypatch, caplog, media_root, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise RuntimeError("bug in the importer")

    monkeypatch.setattr(reference_imports, "import_reference", broken)

    with caplog.at_level(logging.ERROR, logger="ahsp.services.reference_imports"):
        job = start_and_run(workbook, user, django_capture_on_commit_callbacks)

    assert job.status == Status.FAILED
    assert job.error == reference_imports.RUN_FAILED_MESSAGE.format(pk=job.pk)
    assert "bug in the importer" not in job.error
    assert any(
        record.exc_info and "bug in the importer" in str(record.exc_info[1]) for record in caplog.records
    )
    assert stored_uploads(media_root) == []


def test_a_blank_source_is_refused_before_anything_is_stored(user, workbook, media_root):
    with pytest.raises(ImportFailed, match="Sumber/edisi wajib"):
        reference_imports.start(file=upload(workbook), source="   ", by=user)
    with pytest.raises(ImportFailed, match="paling banyak 60"):
        reference_imports.start(file=upload(workbook), source="S" * 61, by=user)
    assert not ReferenceImportJob.objects.exists() and stored_uploads(media_root) == []


def test_a_failed_enqueue_keeps_the_job_queued_and_the_sweep_enqueues_it(
    user, workbook, monkeypatch, caplog, media_root, django_capture_on_commit_callbacks
):
    def queue_down(job_id):
        raise ConnectionError("redis down")

    monkeypatch.setitem(jobs.TASKS, "reference_import", queue_down)
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        job = reference_imports.start(file=upload(workbook), source="SNI 2025", by=user)

    job.refresh_from_db()
    assert job.status == Status.QUEUED and len(stored_uploads(media_root)) == 1
    assert "could not be enqueued" in caplog.text

    ReferenceImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=1))
    enqueued = []
    monkeypatch.setitem(jobs.TASKS, "reference_import", enqueued.append)
    monkeypatch.setattr(tasks.HUEY, "pending", lambda: [])
    assert tasks.requeue_lost_reference_imports() == [job.pk] and enqueued == [job.pk]


def test_run_claims_once(user, workbook, monkeypatch):
    monkeypatch.setitem(jobs.TASKS, "reference_import", lambda job_id: None)
    job = reference_imports.start(file=upload(workbook), source="SNI 2025", by=user)

    first = reference_imports.run(job.pk)
    second = reference_imports.run(job.pk)

    assert first.status == second.status == Status.DONE
    assert ReferenceImport.objects.count() == 1 and AuditEvent.objects.count() == 1
    assert reference_imports.run(999999) is None


def test_mark_stale_fails_dead_running_jobs_only_and_deletes_their_uploads(
    user, workbook, monkeypatch, media_root
):
    monkeypatch.setitem(jobs.TASKS, "reference_import", lambda job_id: None)
    now = timezone.now()
    dead = reference_imports.start(file=upload(workbook), source="SNI 2025", by=user)
    alive = reference_imports.start(file=upload(workbook), source="SNI 2025", by=user)
    queued = reference_imports.start(file=upload(workbook), source="SNI 2025", by=user)
    ReferenceImportJob.objects.filter(pk=dead.pk).update(
        status=Status.RUNNING, heartbeat_at=now - timedelta(hours=1)
    )
    ReferenceImportJob.objects.filter(pk=alive.pk).update(status=Status.RUNNING, heartbeat_at=now)
    dead_path = Path(dead.file.path)

    assert reference_imports.mark_stale(older_than_seconds=15 * 60) == 1

    dead.refresh_from_db()
    assert dead.status == Status.FAILED and dead.error == reference_imports.STALE_MESSAGE.format(pk=dead.pk)
    assert not dead.file and not dead_path.exists() and dead.finished_at
    statuses = dict(ReferenceImportJob.objects.values_list("pk", "status"))
    assert (statuses[alive.pk], statuses[queued.pk]) == (Status.RUNNING, Status.QUEUED)
    assert len(stored_uploads(media_root)) == 2
    assert not AuditEvent.objects.exists()  # worker housekeeping: no event


def test_the_periodic_sweep_also_fails_dead_reference_imports(user):
    job = ReferenceImportJob.objects.create(
        source="SNI 2025",
        file_name="sni.xlsx",
        status=Status.RUNNING,
        heartbeat_at=timezone.now() - timedelta(minutes=16),
    )

    tasks.sweep_jobs.call_local()

    job.refresh_from_db()
    assert job.status == Status.FAILED and "unggah ulang" in job.error


def test_an_import_that_commits_after_the_sweep_gave_up_still_ends_done(
    user, workbook, monkeypatch, django_capture_on_commit_callbacks
):
    """The library changed, so the job must say so, even if the sweep took its worker for dead."""
    original = reference_imports.import_reference

    def slow_import(*args, **kwargs):
        assert reference_imports.mark_stale(older_than_seconds=-60) == 1
        return original(*args, **kwargs)

    monkeypatch.setattr(reference_imports, "import_reference", slow_import)

    job = start_and_run(workbook, user, django_capture_on_commit_callbacks)

    assert job.status == Status.DONE and job.result == ReferenceImport.objects.get() and not job.error


def test_a_missing_upload_fails_the_job(user, workbook, monkeypatch, media_root):
    monkeypatch.setitem(jobs.TASKS, "reference_import", lambda job_id: None)
    job = reference_imports.start(file=ContentFile(workbook, name="sni.xlsx"), source="SNI 2025", by=user)
    job.file.delete(save=False)

    job = reference_imports.run(job.pk)

    assert job.status == Status.FAILED and job.error == reference_imports.RUN_FAILED_MESSAGE.format(pk=job.pk)
