"""The one background-job mechanism (``ahsp.services.jobs``) on all three job models: claim, heartbeat,
finish, the stale sweep with its attempts, the lost-job requeue and the consumer's own heartbeat. The
services' tests cover each kind end to end; these pin what the kinds share and where they differ."""

import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from ahsp.models import ExportJob, ReferenceImportJob, WorkbookImportJob
from ahsp.models.jobs import BackgroundJob
from ahsp.services import exports, jobs, reference_imports, workbook_imports
from ahsp.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def enqueued(monkeypatch) -> list[tuple[str, int]]:
    calls = []
    for kind in (exports.JOB, reference_imports.JOB, workbook_imports.JOB):
        monkeypatch.setitem(
            jobs.TASKS, kind.name, lambda job_id, name=kind.name: calls.append((name, job_id))
        )
    return calls


def export_job(user, **fields) -> ExportJob:
    return ExportJob.objects.create(
        project=ProjectFactory(owner=user), document="rab", format="csv", **fields
    )


def test_every_job_model_is_a_background_job_with_the_same_states():
    for model in (ExportJob, ReferenceImportJob, WorkbookImportJob):
        assert issubclass(model, BackgroundJob)
        assert [value for value, _ in model.Status.choices] == ["queued", "running", "done", "failed"]
    assert ExportJob.Status.RUNNING.label == "Sedang dibuat"  # its own label: it builds, not imports
    assert ReferenceImportJob.Status.RUNNING.label == "Sedang diimpor"


def test_the_models_match_their_migrations():
    """Moving ExportJob onto the base changed no column: no migration is pending."""
    call_command("makemigrations", "ahsp", "--check", "--dry-run", verbosity=0)


def test_claim_takes_a_queued_job_once_and_counts_attempts_where_kept(user):
    export = export_job(user)
    reference = ReferenceImportJob.objects.create(file_name="a.xlsx", source="SNI")

    assert jobs.claim(exports.JOB, export.pk, stage="Memulai")
    assert not jobs.claim(exports.JOB, export.pk, stage="Memulai")  # a second delivery runs nothing
    assert jobs.claim(reference_imports.JOB, reference.pk, stage="Mengimpor")

    export.refresh_from_db()
    reference.refresh_from_db()
    assert (export.status, export.stage, export.attempts) == ("running", "Memulai", 1)
    assert export.started_at and export.heartbeat_at == export.started_at
    assert reference.status == "running" and not reference_imports.JOB.counts_attempts
    assert exports.JOB.counts_attempts and workbook_imports.JOB.counts_attempts


def test_heartbeat_and_finish_only_touch_a_job_in_the_expected_state(user):
    job = export_job(user, status="running", heartbeat_at=timezone.now() - timedelta(minutes=1))

    assert jobs.heartbeat(exports.JOB, job.pk, progress_done=3, progress_total=10)
    job.refresh_from_db()
    assert job.progress_done == 3 and job.heartbeat_at > timezone.now() - timedelta(seconds=5)

    ExportJob.objects.filter(pk=job.pk).update(status="failed")  # the sweep gave up on it meanwhile
    assert not jobs.heartbeat(exports.JOB, job.pk, progress_done=4)
    assert not jobs.finish(exports.JOB, job.pk, from_statuses=["running"], status="done")
    job.refresh_from_db()
    assert (job.status, job.progress_done, job.finished_at) == ("failed", 3, None)


def test_sweep_requeues_while_attempts_are_left_then_fails(user, enqueued):
    old = timezone.now() - timedelta(minutes=10)
    again = export_job(user, status="running", heartbeat_at=old, attempts=1, progress_done=5)
    last = export_job(user, status="running", heartbeat_at=old, attempts=2)
    alive = export_job(user, status="running", heartbeat_at=timezone.now(), attempts=1)

    requeued, failed = jobs.sweep_stale(
        exports.JOB,
        older_than_seconds=60,
        message="mati #{pk}",
        max_attempts=2,
        retry_fields={"progress_done": 0},
    )

    assert (requeued, failed) == ([again.pk], [last.pk]) and enqueued == [("export", again.pk)]
    again.refresh_from_db()
    last.refresh_from_db()
    alive.refresh_from_db()
    assert (again.status, again.progress_done, again.started_at, again.heartbeat_at) == (
        "queued",
        0,
        None,
        None,
    )
    assert (last.status, last.error) == ("failed", f"mati #{last.pk}") and last.finished_at
    assert alive.status == "running"


def test_sweep_never_requeues_a_kind_without_attempts(enqueued):
    job = ReferenceImportJob.objects.create(
        file_name="a.xlsx", source="SNI", status="running", heartbeat_at=timezone.now() - timedelta(hours=1)
    )

    requeued, failed = jobs.sweep_stale(
        reference_imports.JOB, older_than_seconds=60, message="m", max_attempts=3
    )

    assert (requeued, failed, enqueued) == ([], [job.pk], [])


def test_requeue_lost_enqueues_old_queued_jobs_that_no_task_message_carries(user, enqueued):
    lost, pending = export_job(user), export_job(user)
    ExportJob.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    export_job(user)  # a fresh one: it may still be on its way to the queue

    assert jobs.requeue_lost(exports.JOB, older_than_seconds=30, pending={pending.pk}) == [lost.pk]
    assert enqueued == [("export", lost.pk)]  # not the fresh one, nor the pending one


def test_the_consumer_heartbeat_is_read_back_as_seconds_of_silence():
    assert jobs.worker_silent_seconds() is None
    jobs.note_worker_alive()
    assert 0 <= jobs.worker_silent_seconds() < 5
    cache.set(jobs.WORKER_HEARTBEAT_KEY, time.time() - 300)
    assert 299 <= jobs.worker_silent_seconds() < 305
