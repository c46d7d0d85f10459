"""Copies made by the worker ("Salin proyek", issue 15 §2), on the shared job mechanism (``jobs``).

``start`` runs in the web request (the view has checked that the user may see the project): it writes the
job and enqueues it after the commit. ``run`` is the task's body: it claims the job, reads and checks the
source's document once, then writes the copies one by one, each in its own transaction with its own audit
event, noting after each one which copies exist (the job page shows them as they come). If the source is
gone or a copy fails, the job fails and says which copies were made; none is half-written.
"""

from __future__ import annotations

import logging
from datetime import date

from django.db import transaction

from ahsp.importers.project_document import DocumentInvalid
from ahsp.models import Project, ProjectCopyJob
from ahsp.services import jobs
from ahsp.services.project_copy import MAX_BATCH, batch_names, plan_copy, write_copy

logger = logging.getLogger(__name__)

Job = ProjectCopyJob
JOB = jobs.JobKind("project_copy", Job, "project copy")
STAGE_READING = "Membaca proyek sumber"
STALE_MESSAGE = (
    "Pekerja antrean berhenti saat menyalin proyek (salinan #{pk}). Salinan yang sudah jadi tercantum di bawah; "
    "silakan ulangi untuk sisanya."
)
CRASH_MESSAGE = (
    "Penyalinan gagal karena galat di server (salinan #{pk}); salinan yang sudah jadi tercantum di bawah."
)


@transaction.atomic
def start(
    *, project: Project, by, parts: str, name: str, start_date: date | None = None, count: int = 1
) -> ProjectCopyJob:
    if not 1 <= count <= MAX_BATCH:
        raise ValueError(f"count must be 1..{MAX_BATCH}")
    job = Job(
        requested_by=by,
        source=project,
        source_name=project.name,
        parts=parts,
        name=name,
        start_date=start_date,
        count=count,
        stage=jobs.STAGE_QUEUED,
    )
    job.full_clean()
    job.save()
    job_id = job.pk
    transaction.on_commit(lambda: jobs.enqueue(JOB, job_id))
    return job


def run(job_id: int) -> ProjectCopyJob | None:
    """Make the copies of a queued job; never raises (anything unexpected fails the job, logged)."""
    if not jobs.claim(JOB, job_id, stage=STAGE_READING):
        return Job.objects.filter(pk=job_id).first()
    job = Job.objects.select_related("requested_by", "source").get(pk=job_id)
    made: list[list] = []
    try:
        outcome = _copies(job, made)
    except Exception:
        logger.exception("Project copy job %s failed.", job_id)
        outcome = {"status": Job.Status.FAILED, "error": CRASH_MESSAGE.format(pk=job_id)}
    done = outcome["status"] == Job.Status.DONE
    jobs.finish(
        JOB,
        job_id,
        from_statuses=[Job.Status.RUNNING, Job.Status.FAILED],
        **{"error": "", **outcome, "stage": jobs.STAGE_DONE if done else "", "report": {"projects": made}},
    )
    return Job.objects.get(pk=job_id)


def _copies(job: ProjectCopyJob, made: list[list]) -> dict:
    if job.source is None:
        return {"status": Job.Status.FAILED, "error": "Proyek sumber sudah dihapus; tidak ada yang disalin."}
    try:
        plan, origin = plan_copy(job.source, job.parts)
    except DocumentInvalid as exc:  # the source holds what the format refuses: say where
        return {"status": Job.Status.FAILED, "error": f"Proyek sumber tidak dapat disalin: {exc}"[:2000]}
    names = batch_names(job.name, job.count)
    for number, name in enumerate(names, start=1):
        copy = write_copy(plan=plan, origin=origin, by=job.requested_by, name=name, start_date=job.start_date)
        made.append([copy.pk, copy.name])
        alive = jobs.heartbeat(
            JOB, job.pk, stage=f"Salinan {number} dari {len(names)} selesai", report={"projects": made}
        )
        if not alive:  # the sweep gave up on this worker meanwhile: stop, the job says what exists
            return {"status": Job.Status.FAILED, "error": STALE_MESSAGE.format(pk=job.pk)}
    return {"status": Job.Status.DONE}


def mark_stale(*, older_than_seconds: int) -> int:
    """Running copy jobs without a heartbeat for ``older_than_seconds`` fail (the copies made stay)."""
    _, failed = jobs.sweep_stale(JOB, older_than_seconds=older_than_seconds, message=STALE_MESSAGE)
    return len(failed)
