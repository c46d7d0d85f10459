"""Putting background jobs (export jobs, reference, project and price imports) on the task queue without losing them.

A job row is written first, with status ``queued``; the task is enqueued after the commit. If the
queue (Redis) is unreachable then, ``enqueue`` logs and leaves the row queued, and the periodic sweep
(``ahsp.tasks``) finds it with ``lost_queued_ids`` once the queue is back and enqueues it again. A job
enqueued twice by a race still runs once: its ``run`` claims it with a conditional UPDATE.
"""

import logging
import uuid
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

logger = logging.getLogger(__name__)


# The huey task of each kind of job, bound by ``ahsp.tasks`` when it is imported (``AhspConfig.ready``
# imports it in every process). Services name the kind, so they never import the tasks module, which
# imports them (tasks -> services, never back).
TASKS: dict[str, Callable[[int], object]] = {}


def bind_task(kind: str, task: Callable[[int], object]) -> None:
    """``task(job_id)`` enqueues a job of ``kind`` (``"export"``, ``"reference_import"``, ...)."""
    TASKS[kind] = task


def enqueue(kind: str, job_id: int, label: str) -> bool:
    """Call the huey task of ``kind`` for ``job_id``; False (logged, nothing raised) when the queue is
    down. A kind with no task bound raises: the tasks module was not imported, a setup error."""
    task = TASKS[kind]
    try:
        task(job_id)
    except Exception:
        logger.warning(
            "%s job %s could not be enqueued; the sweep will enqueue it.", label, job_id, exc_info=True
        )
        return False
    return True


def lost_queued_ids(model: type[Model], *, older_than_seconds: int, pending: set[int]) -> list[int]:
    """Jobs of ``model`` queued more than ``older_than_seconds`` ago that are not on the task queue
    (``pending``: the job ids of its queued tasks): their enqueue failed."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    queued = model.objects.filter(status="queued", created_at__lt=cutoff)
    return [pk for pk in queued.order_by("pk").values_list("pk", flat=True) if pk not in pending]


def save_with_upload(job, upload, enqueue_job: Callable[[int], object]):
    """Store ``upload`` as the new import ``job``'s file (a random name), validate and save the job, and
    enqueue it once the transaction commits; the stored file is deleted again if the job is not saved.
    Call inside the caller's transaction."""
    job.file.save(f"{uuid.uuid4().hex}.xlsx", upload, save=False)
    try:
        job.full_clean()
        job.save()
    except BaseException:
        job.file.delete(save=False)
        raise
    job_id = job.pk
    transaction.on_commit(lambda: enqueue_job(job_id))
    return job


def discard_upload(job, label: str) -> None:
    """Delete the stored upload of an import job (never needed after a run); a storage error is only
    logged."""
    if not job.file:
        return
    try:
        job.file.delete(save=False)
    except OSError:
        logger.exception("Could not delete the upload %s of %s job %s.", job.file.name, label, job.pk)


def mark_stale(model: type[Model], *, older_than_seconds: int, message: str, label: str) -> list[int]:
    """Import jobs of ``model`` running with no heartbeat for ``older_than_seconds`` (their worker died)
    become failed with ``message`` (formatted with ``pk``); their stored uploads are deleted."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=older_than_seconds)
    failed = []
    for job in model.objects.filter(status="running", heartbeat_at__lt=cutoff).only("pk", "file"):
        updated = model.objects.filter(pk=job.pk, status="running", heartbeat_at__lt=cutoff).update(
            status="failed", error=message.format(pk=job.pk), stage="", file="", finished_at=now
        )
        if updated:
            discard_upload(job, label)  # the in-memory job still has the stored name
            failed.append(job.pk)
    if failed:
        logger.warning("Marked %s stale %s job(s) failed: %s", len(failed), label, failed)
    return failed
