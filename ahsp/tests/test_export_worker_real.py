"""Export jobs against REAL huey consumer processes (``manage.py run_huey``), PostgreSQL and Redis.

A consumer killed mid-build leaves its job running until the sweep queues it again; a fresh consumer
then builds it (a second death would fail it: see test_services_exports). Twenty users exporting at once get twenty files, each built once; a double click
queues one job. The consumers are separate processes on the test database, so the tests commit
(``transaction=True``); each test has its own huey queue (see ahsp/tests/real_worker.py).

Skipped without REDIS_URL and PostgreSQL (SQLite cannot be shared safely with a consumer here, and
there is no queue to isolate); CI has both.
"""

import os
import signal
import threading
import time
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.db import connection, connections
from django.utils import timezone

from ahsp.models import AuditEvent, ExportJob
from ahsp.services import exports
from ahsp.tasks import sweep_jobs
from ahsp.tests.factories import ProjectFactory
from ahsp.tests.rab_data import build_small_rab, rab_csv_bytes
from ahsp.tests.real_worker import Workers

needs_real_services = pytest.mark.skipif(
    not os.environ.get("REDIS_URL") or connection.vendor != "postgresql",
    reason="real huey consumer tests need REDIS_URL and DATABASE_URL=postgres://... (CI has both)",
)
Status = ExportJob.Status


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def workers(transactional_db, media_root, tmp_path):
    """An isolated queue for this test; every consumer started on it is ended afterwards."""
    from huey.contrib.djhuey import HUEY  # noqa: PLC0415

    pool = Workers(
        huey=HUEY,
        redis_url=os.environ["REDIS_URL"],
        settings_dict=connection.settings_dict,
        media_root=media_root,
        tmp=tmp_path,
    )
    try:
        yield pool
    finally:
        pool.stop_all()


def fresh(job: ExportJob) -> ExportJob:
    return ExportJob.objects.select_related("project").get(pk=job.pk)


def stored_files(media_root) -> list[str]:
    folder = media_root / "exports"
    return sorted(f"exports/{path.name}" for path in folder.iterdir()) if folder.exists() else []


def run_at_once(calls):
    """Run the callables in threads released together; each thread closes its DB connection."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=20)
            results[index] = call()
        except BaseException as error:  # noqa: BLE001 (reported by the test)
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    errors = [result for result in results if isinstance(result, BaseException)]
    assert not errors, errors
    return results


@needs_real_services
@pytest.mark.django_db(transaction=True)
def test_killed_consumer_leaves_a_running_job_that_the_sweep_queues_again_for_a_new_consumer(
    workers, make_user, media_root
):
    slow = workers.start(step_delay=1.0)  # ~1 s per progress step: 6 steps, killed after the first
    user = make_user()
    rab = build_small_rab(user)

    job = exports.start(project=rab.project, document="rab", fmt="csv", by=user)
    workers.wait_for(
        "the job to be running with progress",
        lambda: (j := fresh(job)).status == Status.RUNNING and j.heartbeat_at and j.progress_done > 0,
    )
    assert exports.mark_stale(older_than_seconds=60) == 0  # a live worker's job is not stale
    assert slow.kill() == -signal.SIGKILL
    assert "Executing ahsp.tasks.build_export" in slow.log() and "executed in" not in slow.log()

    killed = fresh(job)
    assert killed.status == Status.RUNNING and 0 < killed.progress_done < killed.progress_total
    assert not killed.file and not killed.finished_at
    assert workers.queue_size() == 0  # the dead consumer had taken the task: nothing is redelivered

    # A new consumer does not pick the orphaned job up: it stays running, its heartbeat frozen.
    replacement = workers.start()
    replacement.wait_ready()
    time.sleep(1.2)
    still = fresh(job)
    assert (still.status, still.heartbeat_at, still.progress_done) == (
        Status.RUNNING,
        killed.heartbeat_at,
        killed.progress_done,
    )

    # The sweep queues it again (one attempt left) and enqueues it: the new consumer builds it, no user
    # action needed.
    assert exports.mark_stale(older_than_seconds=1) == 1
    requeued = fresh(job)
    # Queued for its retry, unless the waiting consumer has already claimed it (the enqueue runs on commit,
    # and a fast consumer can win the race with this read): then it is on its second attempt.
    assert (requeued.attempts, requeued.stage) == (1, exports.RETRY_STAGE) or (
        requeued.attempts == 2 and requeued.status in (Status.RUNNING, Status.DONE)
    )
    workers.wait_for("the requeued job to finish", lambda: fresh(job).status in ExportJob.TERMINAL_STATUSES)

    done = fresh(job)
    assert done.status == Status.DONE, done.error
    assert done.attempts == 2 and done.progress_done == done.progress_total == 5 and not done.error
    with done.file.open("rb") as handle:
        content = handle.read()
    assert content == rab_csv_bytes(rab.project) and done.size == len(content) > 0
    assert stored_files(media_root) == [done.file.name]  # the killed build left no file behind
    assert workers.queue_size() == 0
    assert len(workers.executed_tasks()) == 2  # the killed run and the retry; nothing ran twice


@needs_real_services
@pytest.mark.django_db(transaction=True)
def test_twenty_users_exporting_at_once_get_twenty_files_built_once(workers, make_user, media_root):
    first = workers.start(workers=4)  # two consumers, four threads each, on one queue
    second = workers.start(workers=4)
    rabs = [build_small_rab(make_user(), name=f"Gedung {n:02d}") for n in range(20)]
    formats = ["csv" if n % 2 == 0 else "xlsx" for n in range(20)]

    started = run_at_once(
        [
            lambda rab=rab, fmt=fmt: exports.start(
                project=rab.project, document="rab", fmt=fmt, by=rab.project.owner
            )
            for rab, fmt in zip(rabs, formats, strict=True)
        ]
    )
    assert len({job.pk for job in started}) == 20

    workers.wait_for(
        "20 finished jobs",
        lambda: ExportJob.objects.filter(status__in=ExportJob.TERMINAL_STATUSES).count() == 20,
        timeout=60,
    )
    jobs = list(ExportJob.objects.select_related("project"))
    assert len(jobs) == 20
    assert [job.error for job in jobs if job.status != Status.DONE] == []
    assert {(job.project_id, job.document, job.format) for job in jobs} == {
        (rab.project.pk, "rab", fmt) for rab, fmt in zip(rabs, formats, strict=True)
    }
    assert {job.requested_by_id for job in jobs} == {rab.project.owner_id for rab in rabs}
    names = {job.file.name for job in jobs}
    assert len(names) == 20 and sorted(names) == stored_files(media_root)
    for job in jobs:
        assert default_storage.exists(job.file.name)
        assert default_storage.size(job.file.name) == job.size > 0
        with job.file.open("rb") as handle:
            content = handle.read()
        if job.format == "csv":
            assert content == rab_csv_bytes(job.project)
        else:
            assert content[:4] == b"PK\x03\x04"  # an XLSX (zip) workbook
    assert workers.queue_size() == 0 and workers.huey.pending_count() == 0
    assert first.process.poll() is None and second.process.poll() is None  # both still alive
    executed = workers.executed_tasks()
    assert len(executed) == len(set(executed)) == 20  # every task ran once, in one of the consumers
    assert "Traceback" not in workers.logs(tail=None)


@needs_real_services
@pytest.mark.django_db(transaction=True)
def test_a_double_start_at_the_same_moment_queues_one_job(workers, make_user):
    user = make_user()
    project = ProjectFactory(owner=user)

    first, second = run_at_once(
        [lambda: exports.start(project=project, document="rab", fmt="xlsx", by=user) for _ in range(2)]
    )

    assert first.pk == second.pk
    assert ExportJob.objects.filter(project=project, document="rab", format="xlsx").count() == 1
    assert AuditEvent.objects.filter(target_type="exportjob").count() == 1
    assert workers.queue_size() == 1  # one task enqueued (no consumer runs in this test)


def test_sweep_task_in_immediate_mode_reruns_or_fails_stale_jobs_only(db, user, settings):
    """``sweep_jobs`` as the periodic task runs it (purge is covered in test_services_exports): a stale
    job with an attempt left runs again (immediately here), one without fails."""
    from huey.contrib.djhuey import HUEY  # noqa: PLC0415

    assert HUEY.immediate
    project = ProjectFactory(owner=user)
    settings.EXPORT_RETENTION_HOURS = 24
    now = timezone.now()
    stale = ExportJob.objects.create(
        project=project,
        document="rab",
        format="csv",
        status="running",
        heartbeat_at=now - timedelta(minutes=3),
        attempts=exports.MAX_ATTEMPTS,
    )
    rerun = ExportJob.objects.create(
        project=project,
        document="rab",
        format="csv",
        status="running",
        heartbeat_at=now - timedelta(minutes=3),
        attempts=1,
    )
    alive = ExportJob.objects.create(
        project=project,
        document="rab",
        format="xlsx",
        status="running",
        heartbeat_at=now - timedelta(seconds=30),
    )
    queued = ExportJob.objects.create(project=project, document="rab", format="pdf")

    sweep_jobs()

    stale.refresh_from_db()
    assert (stale.status, stale.error) == (Status.FAILED, exports.STALE_MESSAGE) and stale.finished_at
    assert (fresh(rerun).status, fresh(rerun).attempts) == (Status.DONE, 2)
    assert fresh(alive).status == Status.RUNNING and fresh(queued).status == Status.QUEUED
    assert HUEY.pending_count() == 0
