"""Background jobs (exports, reference imports, project and price imports): one mechanism for all of them.

Every job row moves queued -> running -> done / failed (``ahsp.models.jobs.BackgroundJob``). The row is
written first, with status ``queued``, and the task is enqueued after the commit. If the queue (Redis) is
unreachable then, ``enqueue`` logs and leaves the row queued, and the periodic sweep (``ahsp.tasks``)
enqueues it again once the queue is back (``requeue_lost``).

Every later status change is a conditional UPDATE on the status the caller expects: ``claim`` takes a
queued job (a task delivered twice runs once), ``heartbeat`` and ``finish`` only touch a job still in the
expected state, so a job the sweep gave up on can never be flipped back by a worker that was only slow.
``sweep_stale`` finds running jobs without a recent heartbeat (their worker died) and queues them again
while they have an attempt left, else fails them. ``run_import`` is the whole worker body of an import
job (the export builds in steps, with progress, in ``services.exports``). The consumer itself notes every minute that it is
alive (``note_worker_alive``), which ``/healthz`` and the ``worker_health`` command read.
"""

import logging
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from django.core.cache import cache
from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ahsp.models.jobs import BackgroundJob

logger = logging.getLogger(__name__)

Status = BackgroundJob.Status
# The stages (progress text) every kind shows: waiting, and done; an import job has one running stage.
STAGE_QUEUED = "Menunggu giliran"
STAGE_DONE = "Selesai"
STAGE_IMPORTING = "Membaca dan mengimpor buku kerja"


@dataclass(frozen=True)
class JobKind:
    """One type of background job: ``name`` is the key its huey task binds to (``bind_task``), ``label``
    names it in the logs."""

    name: str
    model: type[BackgroundJob]
    label: str

    @property
    def counts_attempts(self) -> bool:
        """Whether the model keeps ``attempts`` (runs started); a model without it is never rerun."""
        try:
            self.model._meta.get_field("attempts")
        except FieldDoesNotExist:
            return False
        return True


# --- Queueing ------------------------------------------------------------------------------------------

# The huey task of each kind of job, bound by ``ahsp.tasks`` when it is imported (``AhspConfig.ready``
# imports it in every process). Services name the kind, so they never import the tasks module, which
# imports them (tasks -> services, never back).
TASKS: dict[str, Callable[[int], object]] = {}


def bind_task(name: str, task: Callable[[int], object]) -> None:
    """``task(job_id)`` enqueues a job of the kind ``name`` (``"export"``, ``"reference_import"``, ...)."""
    TASKS[name] = task


def enqueue(kind: JobKind, job_id: int) -> bool:
    """Call the huey task of ``kind`` for ``job_id``; False (logged, nothing raised) when the queue is
    down. A kind with no task bound raises: the tasks module was not imported, a setup error."""
    task = TASKS[kind.name]
    try:
        task(job_id)
    except Exception:
        logger.warning(
            "%s job %s could not be enqueued; the sweep will enqueue it.",
            kind.label.capitalize(),
            job_id,
            exc_info=True,
        )
        return False
    return True


def lost_queued_ids(kind: JobKind, *, older_than_seconds: int, pending: set[int]) -> list[int]:
    """Jobs of ``kind`` queued more than ``older_than_seconds`` ago that are not on the task queue
    (``pending``: the job ids of its queued tasks): their enqueue failed."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    queued = kind.model.objects.filter(status=Status.QUEUED, created_at__lt=cutoff)
    return [pk for pk in queued.order_by("pk").values_list("pk", flat=True) if pk not in pending]


def requeue_lost(kind: JobKind, *, older_than_seconds: int, pending: set[int]) -> list[int]:
    """Enqueue again the ``lost_queued_ids`` of ``kind`` (their enqueue failed); their ids."""
    lost = lost_queued_ids(kind, older_than_seconds=older_than_seconds, pending=pending)
    for job_id in lost:
        enqueue(kind, job_id)
    if lost:
        logger.warning("Enqueued %s %s job(s) whose enqueue had failed: %s", len(lost), kind.label, lost)
    return lost


def save_with_upload(kind: JobKind, job: BackgroundJob, upload) -> BackgroundJob:
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
    transaction.on_commit(lambda: enqueue(kind, job_id))
    return job


def discard_upload(kind: JobKind, job: BackgroundJob) -> None:
    """Delete the stored upload of an import job (never needed after a run); a storage error is only
    logged."""
    if not job.file:
        return
    try:
        job.file.delete(save=False)
    except OSError:
        logger.exception("Could not delete the upload %s of %s job %s.", job.file.name, kind.label, job.pk)


# --- The worker side -----------------------------------------------------------------------------------


def claim(kind: JobKind, job_id: int, *, stage: str) -> bool:
    """Take the queued job ``job_id`` for this worker (running, started now, with a first heartbeat and
    one more attempt counted); False when it is not queued (gone, or another delivery took it)."""
    now = timezone.now()
    fields = {"status": Status.RUNNING, "started_at": now, "heartbeat_at": now, "stage": stage}
    if kind.counts_attempts:
        fields["attempts"] = F("attempts") + 1
    claimed = kind.model.objects.filter(pk=job_id, status=Status.QUEUED).update(**fields)
    if not claimed:
        logger.info(
            "%s job %s is not queued (gone or already taken); skipped.", kind.label.capitalize(), job_id
        )
    return bool(claimed)


def heartbeat(kind: JobKind, job_id: int, **fields) -> bool:
    """Note that the worker of the running job ``job_id`` is alive (and save ``fields``, its progress);
    False when the job is no longer running (the sweep took it for dead): the worker should stop."""
    running = kind.model.objects.filter(pk=job_id, status=Status.RUNNING)
    return bool(running.update(heartbeat_at=timezone.now(), **fields))


def finish(kind: JobKind, job_id: int, *, from_statuses: Iterable[str], **fields) -> bool:
    """Save the outcome ``fields`` (status, error, result ...) of ``job_id`` if its status is still one of
    ``from_statuses``, with the finishing time; False when it is not."""
    now = timezone.now()
    rows = kind.model.objects.filter(pk=job_id, status__in=list(from_statuses))
    return bool(rows.update(finished_at=now, heartbeat_at=now, **fields))


def run_import(
    kind: JobKind,
    job_id: int,
    work: Callable[[BackgroundJob], dict],
    *,
    crash_message: str,
    related: tuple = (),
) -> BackgroundJob | None:
    """The worker body of an import job: claim it (else return it as it is, or None), ``work(job)`` ->
    its outcome fields (``status`` done or failed, the error, the result), delete the stored upload and
    save the outcome. Never raises: anything unexpected fails the job with ``crash_message`` (formatted
    with ``pk``) and its traceback goes to the log. ``related``: ``select_related`` for the job.

    The outcome is saved if the job is running, or failed because the sweep took its worker for dead
    meanwhile: the worker's outcome is the truth (a committed import changed data, so the job must say
    done and link its result)."""
    if not claim(kind, job_id, stage=STAGE_IMPORTING):
        return kind.model.objects.filter(pk=job_id).first()
    job = kind.model.objects.select_related(*related).get(pk=job_id)
    try:
        outcome = work(job)
    except Exception:
        logger.exception("%s job %s failed.", kind.label.capitalize(), job_id)
        outcome = {"status": Status.FAILED, "error": crash_message.format(pk=job_id)}
    discard_upload(kind, job)
    done = outcome["status"] == Status.DONE
    fields = {"error": "", **outcome, "stage": STAGE_DONE if done else "", "file": ""}
    finish(kind, job_id, from_statuses=[Status.RUNNING, Status.FAILED], **fields)
    return kind.model.objects.select_related(*related).get(pk=job_id)


@contextmanager
def local_copy(job: BackgroundJob) -> Iterator[tempfile._TemporaryFileWrapper]:
    """A temporary local copy of the job's stored upload, read from its start: the default storage (shared
    by the web server and the worker) need not be on this disk."""
    with job.file.open("rb") as stored, tempfile.NamedTemporaryFile(suffix=".xlsx") as copy:
        shutil.copyfileobj(stored, copy)
        copy.flush()
        copy.seek(0)
        yield copy


# --- Housekeeping (the periodic sweep) -----------------------------------------------------------------


def sweep_stale(
    kind: JobKind,
    *,
    older_than_seconds: int,
    message: str,
    max_attempts: int = 1,
    retry_fields: dict | None = None,
    discard_uploads: bool = False,
) -> tuple[list[int], list[int]]:
    """Running jobs of ``kind`` with no heartbeat for ``older_than_seconds`` (their worker died or
    hangs): ``(requeued, failed)`` job ids.

    A job with fewer than ``max_attempts`` runs started is queued again (its run fields reset, plus
    ``retry_fields``) and enqueued; any other one fails with ``message`` (formatted with ``pk``). With
    ``discard_uploads`` (import jobs), a failed job's stage is cleared and its stored upload deleted. A
    worker that was only slow cannot finish the job afterwards: ``heartbeat`` and ``finish`` expect it
    running."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=older_than_seconds)

    def stale():
        return kind.model.objects.filter(status=Status.RUNNING, heartbeat_at__lt=cutoff)

    requeued: list[int] = []
    if max_attempts > 1 and kind.counts_attempts:
        requeued = list(stale().filter(attempts__lt=max_attempts).values_list("pk", flat=True))
        stale().filter(pk__in=requeued).update(
            status=Status.QUEUED, started_at=None, heartbeat_at=None, **(retry_fields or {})
        )
        for job_id in requeued:
            enqueue(kind, job_id)  # a failed enqueue leaves it queued for the lost-job sweep
    cleared = {"stage": "", "file": ""} if discard_uploads else {}
    failed = []
    for job in stale().only("pk", *(("file",) if discard_uploads else ())):
        error = message.format(pk=job.pk)
        if stale().filter(pk=job.pk).update(status=Status.FAILED, error=error, finished_at=now, **cleared):
            if discard_uploads:
                discard_upload(kind, job)  # the in-memory job still has the stored name
            failed.append(job.pk)
    if requeued or failed:
        logger.warning("Stale %s jobs: %s queued again, failed: %s", kind.label, requeued, failed)
    return requeued, failed


# --- The consumer's own heartbeat ----------------------------------------------------------------------

WORKER_HEARTBEAT_KEY = "ahsp:worker:heartbeat"


def note_worker_alive() -> float:
    """Note in the cache that the task consumer is alive now (its periodic task calls this); the time."""
    now = time.time()
    cache.set(WORKER_HEARTBEAT_KEY, now, timeout=3600)
    return now


def worker_silent_seconds() -> float | None:
    """Seconds since the consumer last noted it was alive; None if it never did (or the note expired).
    A cache that is down raises: the caller reports it."""
    beat = cache.get(WORKER_HEARTBEAT_KEY)
    return None if beat is None else time.time() - float(beat)
