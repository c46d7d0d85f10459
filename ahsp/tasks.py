"""Thin huey tasks: load by id, call a service. Periodic housekeeping lives here too."""

from datetime import timedelta

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task, periodic_task

from ahsp.services import exports, jobs, project_copy_jobs, reference_imports, workbook_imports

STALE_AFTER_SECONDS = 120
LOST_AFTER_SECONDS = 30  # a queued job this old that is on no task queue was never enqueued
# A reference import is one call of a few seconds with a heartbeat only at its start: still running after
# 15 minutes means its worker died.
REFERENCE_IMPORT_STALE_AFTER_SECONDS = 15 * 60
# Project and price imports: the same, and past safe_workbook's reading clock (WORKBOOK_LIMITS max_seconds).
WORKBOOK_IMPORT_STALE_AFTER_SECONDS = 15 * 60
# Project copies note their progress after each copy (a few seconds for 2,000 items).
PROJECT_COPY_STALE_AFTER_SECONDS = 15 * 60


@periodic_task(crontab(minute="*"))
def record_worker_heartbeat() -> float:
    """Every minute the consumer notes it is alive (read by /healthz and the worker's health check)."""
    return jobs.note_worker_alive()


@db_task(retries=0)
def build_export(job_id: int) -> None:
    """Build the file of one export job (the work lives in ahsp.services.exports / ahsp.exports)."""
    exports.run(job_id)


BUILD_EXPORT_TASK = build_export.task_class.__name__  # the name of its messages on the queue
jobs.bind_task(exports.JOB.name, build_export)


@db_task(retries=0)
def run_reference_import(job_id: int) -> None:
    """Import the workbook of one reference-import job (the work lives in ahsp.services.reference_imports)."""
    reference_imports.run(job_id)


RUN_REFERENCE_IMPORT_TASK = run_reference_import.task_class.__name__
jobs.bind_task(reference_imports.JOB.name, run_reference_import)


@db_task(retries=0)
def run_workbook_import(job_id: int) -> None:
    """Import the workbook of one project or price import job (ahsp.services.workbook_imports)."""
    workbook_imports.run(job_id)


RUN_WORKBOOK_IMPORT_TASK = run_workbook_import.task_class.__name__
jobs.bind_task(workbook_imports.JOB.name, run_workbook_import)


@db_task(retries=0)
def run_project_copy(job_id: int) -> None:
    """Make the copies of one project copy job (ahsp.services.project_copy_jobs)."""
    project_copy_jobs.run(job_id)


RUN_PROJECT_COPY_TASK = run_project_copy.task_class.__name__
jobs.bind_task(project_copy_jobs.JOB.name, run_project_copy)


# Each kind of job: its service (``mark_stale``, ``JOB``), the name of its task's messages, and how long
# one of its running jobs may go without a heartbeat before the sweep takes its worker for dead.
SWEPT = (
    (exports, BUILD_EXPORT_TASK, STALE_AFTER_SECONDS),
    (reference_imports, RUN_REFERENCE_IMPORT_TASK, REFERENCE_IMPORT_STALE_AFTER_SECONDS),
    (workbook_imports, RUN_WORKBOOK_IMPORT_TASK, WORKBOOK_IMPORT_STALE_AFTER_SECONDS),
    (project_copy_jobs, RUN_PROJECT_COPY_TASK, PROJECT_COPY_STALE_AFTER_SECONDS),
)


@db_periodic_task(crontab(minute="*"))
def sweep_jobs() -> None:
    """For every kind of job: queue again or fail running jobs whose worker died (no heartbeat in time),
    enqueue queued jobs whose enqueue failed (the queue was down when they were started); then remove
    expired export files."""
    for service, task_name, stale_after in SWEPT:
        service.mark_stale(older_than_seconds=stale_after)
        _requeue_lost(task_name, service.JOB)
    exports.purge(older_than=timedelta(hours=settings.EXPORT_RETENTION_HOURS))


def _requeue_lost(task_name: str, kind: jobs.JobKind) -> list[int]:
    """Enqueue the queued jobs of ``kind`` that are on no task queue (no pending ``task_name`` message
    for them): their enqueue failed (``jobs.requeue_lost``)."""
    pending = {task.args[0] for task in HUEY.pending() if task.name == task_name and task.args}
    return jobs.requeue_lost(kind, older_than_seconds=LOST_AFTER_SECONDS, pending=pending)


def requeue_lost_exports() -> list[int]:
    return _requeue_lost(BUILD_EXPORT_TASK, exports.JOB)


def requeue_lost_reference_imports() -> list[int]:
    return _requeue_lost(RUN_REFERENCE_IMPORT_TASK, reference_imports.JOB)


def requeue_lost_workbook_imports() -> list[int]:
    return _requeue_lost(RUN_WORKBOOK_IMPORT_TASK, workbook_imports.JOB)
