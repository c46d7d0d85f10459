"""Export jobs: start/reuse, the worker body in huey immediate mode, progress, stale jobs, retry, purge."""

import os
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ahsp.exports import registry
from ahsp.models import AuditEvent, ExportJob, ProjectResource
from ahsp.services import exports, jobs
from ahsp.tasks import sweep_jobs
from ahsp.tests.factories import ProjectFactory
from ahsp.tests.rab_data import build_small_rab, rab_csv_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def start_and_run(project, user, fmt="csv", capture=None):
    with capture(execute=True):
        job = exports.start(project=project, document="rab", fmt=fmt, by=user)
    job.refresh_from_db()
    return job


def test_csv_job_runs_in_immediate_mode_and_matches_the_rab_csv_bytes(
    user, django_capture_on_commit_callbacks
):
    rab = build_small_rab(user)
    before = AuditEvent.objects.count()

    job = start_and_run(rab.project, user, capture=django_capture_on_commit_callbacks)

    assert job.status == ExportJob.Status.DONE
    assert job.file.name.startswith("exports/") and job.file.name.endswith(".csv")
    with job.file.open("rb") as handle:
        content = handle.read()
    assert content == rab_csv_bytes(rab.project)
    assert job.size == len(content)
    assert "sudah termasuk Biaya Umum dan Keuntungan (BUK) 10 %" in content.decode("utf-8-sig")
    assert job.percent == 100 and job.progress_done == job.progress_total == 5  # 2 sections + 3 items
    assert job.started_at and job.finished_at and job.heartbeat_at and not job.error
    events = AuditEvent.objects.order_by("-id")[: AuditEvent.objects.count() - before]
    assert [event.summary for event in events] == ["Ekspor RAB (CSV) dimulai"]
    assert events[0].action == AuditEvent.Action.CREATE and events[0].project_id == rab.project.pk


def test_identical_queued_job_is_reused_and_other_formats_are_not(
    user, monkeypatch, django_capture_on_commit_callbacks
):
    project = ProjectFactory(owner=user)
    enqueued = []
    monkeypatch.setitem(jobs.TASKS, "export", enqueued.append)
    with django_capture_on_commit_callbacks(execute=True):
        first = exports.start(project=project, document="rab", fmt="xlsx", by=user)
        again = exports.start(project=project, document="rab", fmt="xlsx", by=user)
        other = exports.start(project=project, document="rab", fmt="csv", by=user)

    assert again.pk == first.pk and other.pk != first.pk
    assert ExportJob.objects.count() == 2 and enqueued == [first.pk, other.pk]
    assert AuditEvent.objects.filter(target_type="exportjob").count() == 2


def test_running_job_is_reused_but_a_finished_one_is_not(user):
    project = ProjectFactory(owner=user)
    running = ExportJob.objects.create(project=project, document="rab", format="csv", status="running")
    assert exports.start(project=project, document="rab", fmt="csv", by=user).pk == running.pk
    ExportJob.objects.filter(pk=running.pk).update(status="done")
    assert exports.start(project=project, document="rab", fmt="csv", by=user).pk != running.pk


def test_unknown_document_or_format_is_refused(user):
    project = ProjectFactory(owner=user)
    for document, fmt in [("proyek", "pdf"), ("jadwal", "csv"), ("rab", "docx"), ("", "")]:
        with pytest.raises(ValueError):
            exports.start(project=project, document=document, fmt=fmt, by=user)
    assert not ExportJob.objects.exists()


def test_xlsx_job_uses_the_xlsx_builder_with_progress(user, monkeypatch, django_capture_on_commit_callbacks):
    project = ProjectFactory(owner=user)
    seen = []

    def fake_build_rab_xlsx(project_arg, *, progress):
        seen.append(project_arg.pk)
        progress(0, 0, "Menghitung RAB")
        for done in range(1, 101):
            progress(done, 100, f"Menulis baris {done}/100")
        return b"PK\x03\x04 fake workbook"

    monkeypatch.setitem(
        registry.BUILDERS, ("rab", "xlsx"), registry.bytes_builder(fake_build_rab_xlsx, "xlsx")
    )

    job = start_and_run(project, user, fmt="xlsx", capture=django_capture_on_commit_callbacks)

    assert seen == [project.pk]
    assert job.status == ExportJob.Status.DONE and job.file.name.endswith(".xlsx")
    assert job.size == len(b"PK\x03\x04 fake workbook")
    assert (job.progress_done, job.progress_total, job.percent) == (100, 100, 100)


def test_progress_is_written_at_least_every_ten_percent_but_not_for_every_row(user):
    project = ProjectFactory(owner=user)
    job = ExportJob.objects.create(project=project, document="rab", format="csv", status="running")
    reporter = exports._Reporter(job.pk)
    percents = []

    with CaptureQueriesContext(connection) as queries:
        for done in range(1, 1001):
            before = len(queries.captured_queries)
            reporter(done, 1000, f"Menulis baris {done}/1000")
            if len(queries.captured_queries) > before:
                percents.append(done // 10)

    assert 10 <= len(percents) <= 25
    assert all(b - a <= 10 for a, b in zip([0, *percents], percents, strict=False))
    job.refresh_from_db()
    assert (job.progress_done, job.stage) == (1000, "Menulis baris 1000/1000")


def test_builder_error_marks_the_job_failed_with_a_clear_message(
    user, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    project = ProjectFactory(owner=user)

    def broken(job, progress):
        raise ZeroDivisionError("secret internal detail")

    monkeypatch.setitem(registry.BUILDERS, ("rab", "csv"), broken)

    job = start_and_run(project, user, capture=django_capture_on_commit_callbacks)

    assert job.status == ExportJob.Status.FAILED and job.finished_at and not job.file
    assert job.error == exports.BUILD_FAILED_MESSAGE.format(pk=job.pk)
    assert "secret" not in job.error and "Traceback" not in job.error
    assert "ZeroDivisionError" in caplog.text  # logged for the admins


def test_a_stale_job_with_an_attempt_left_is_queued_again_and_built_once_more(
    user, monkeypatch, django_capture_on_commit_callbacks
):
    """Its worker died during the first run: the sweep queues it again (no user action), the next run
    builds the file; a second death fails it."""
    rab = build_small_rab(user)
    enqueued = []
    monkeypatch.setitem(jobs.TASKS, "export", enqueued.append)
    with django_capture_on_commit_callbacks(execute=True):
        job = exports.start(project=rab.project, document="rab", fmt="csv", by=user)
    ExportJob.objects.filter(pk=job.pk).update(
        status="running", attempts=1, progress_done=2, heartbeat_at=timezone.now() - timedelta(minutes=5)
    )

    assert exports.mark_stale(older_than_seconds=120) == 1

    job.refresh_from_db()
    assert (job.status, job.stage, job.progress_done, job.heartbeat_at) == (
        ExportJob.Status.QUEUED,
        exports.RETRY_STAGE,
        0,
        None,
    )
    assert enqueued == [job.pk, job.pk] and not job.error  # at the start, and again by the sweep
    exports.run(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.attempts == 2 and job.file

    # A second death: no attempt left, the job fails with the message that asks the user to retry.
    ExportJob.objects.filter(pk=job.pk).update(
        status="running", heartbeat_at=timezone.now() - timedelta(hours=1)
    )
    assert exports.mark_stale(older_than_seconds=120) == 1
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and job.error == exports.STALE_MESSAGE
    assert len(enqueued) == 2


def test_stale_running_job_is_marked_failed_and_retry_creates_a_new_job(
    user, django_capture_on_commit_callbacks
):
    rab = build_small_rab(user)
    old = timezone.now() - timedelta(seconds=300)
    stale = ExportJob.objects.create(
        project=rab.project,
        document="rab",
        format="csv",
        status="running",
        heartbeat_at=old,
        attempts=exports.MAX_ATTEMPTS,  # its last attempt: no run left
    )
    fresh = ExportJob.objects.create(
        project=rab.project, document="rab", format="xlsx", status="running", heartbeat_at=timezone.now()
    )

    assert exports.mark_stale(older_than_seconds=120) == 1

    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == ExportJob.Status.FAILED and stale.error == exports.STALE_MESSAGE
    assert fresh.status == ExportJob.Status.RUNNING
    with django_capture_on_commit_callbacks(execute=True):
        retried = exports.retry(job=stale, by=user)
    retried.refresh_from_db()
    assert retried.pk != stale.pk and retried.status == ExportJob.Status.DONE
    assert (retried.document, retried.format) == ("rab", "csv")


def test_worker_that_was_marked_stale_stops_and_leaves_no_file(user, monkeypatch):
    project = ProjectFactory(owner=user)
    job = ExportJob.objects.create(project=project, document="rab", format="csv")

    def slow(job_arg, progress):
        progress(1, 10, "Menghitung RAB")
        ExportJob.objects.filter(pk=job_arg.pk).update(status="failed", error=exports.STALE_MESSAGE)
        progress(10, 10, "Menulis baris 10/10")
        raise AssertionError("not reached")

    monkeypatch.setitem(registry.BUILDERS, ("rab", "csv"), slow)

    result = exports.run(job.pk)

    assert result.status == ExportJob.Status.FAILED and result.error == exports.STALE_MESSAGE
    assert not result.file


def test_run_skips_a_job_that_is_not_queued(user):
    project = ProjectFactory(owner=user)
    job = ExportJob.objects.create(project=project, document="rab", format="csv", status="done")
    assert exports.run(job.pk).status == ExportJob.Status.DONE
    assert exports.run(999999) is None


def test_purge_removes_old_jobs_and_their_files(user, django_capture_on_commit_callbacks, settings):
    rab = build_small_rab(user)
    old_job = start_and_run(rab.project, user, capture=django_capture_on_commit_callbacks)
    path = old_job.file.path
    ExportJob.objects.filter(pk=old_job.pk).update(created_at=timezone.now() - timedelta(hours=30))
    recent = ExportJob.objects.create(project=rab.project, document="rab", format="xlsx", status="failed")
    running = ExportJob.objects.create(project=rab.project, document="rab", format="xlsx", status="running")
    ExportJob.objects.filter(pk=running.pk).update(created_at=timezone.now() - timedelta(hours=30))

    settings.EXPORT_RETENTION_HOURS = 24
    sweep_jobs.call_local()

    assert set(ExportJob.objects.values_list("pk", flat=True)) == {recent.pk, running.pk}
    assert not os.path.exists(path)


def test_xlsx_job_with_the_real_builder_produces_a_workbook(user, django_capture_on_commit_callbacks):
    openpyxl = pytest.importorskip("openpyxl")
    rab = build_small_rab(user)

    job = start_and_run(rab.project, user, fmt="xlsx", capture=django_capture_on_commit_callbacks)

    assert job.status == ExportJob.Status.DONE, job.error
    assert job.percent == 100 and job.progress_done == job.progress_total > 0
    with job.file.open("rb") as handle:
        workbook = openpyxl.load_workbook(handle)
    assert workbook.sheetnames


def test_csv_job_of_an_incomplete_rab_carries_the_draft_line(user, django_capture_on_commit_callbacks):
    rab = build_small_rab(user)
    ProjectResource.objects.filter(project=rab.project, code="M.15").update(unit_price=None)

    job = start_and_run(rab.project, user, capture=django_capture_on_commit_callbacks)

    with job.file.open("rb") as handle:
        lines = handle.read().decode("utf-8-sig").splitlines()
    assert "DRAF — RAB belum lengkap" in lines[1]


def test_the_export_centre_offers_exactly_the_registered_builders():
    """The web process lists ``OFFERED`` without importing the builders; the worker builds from
    ``ahsp.exports.registry.BUILDERS``: same (document, format) pairs, in the same order."""
    assert list(registry.BUILDERS) == list(exports.OFFERED)
    assert all(callable(builder) for builder in registry.BUILDERS.values())
