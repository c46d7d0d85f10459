"""Reference-library imports in the background: store the upload, import it in the worker, keep it tidy.

``start`` runs in the web request: it checks the source, stores the uploaded workbook through the default
storage (``STORAGES["default"]``, shared by the web server and the worker), writes the job row and
enqueues the huey task after commit. ``run`` is the body of that task: it claims the job with a
conditional UPDATE (a task delivered twice imports once), imports a local copy of the stored workbook
with ``import_reference`` (one transaction, one audit event, by the user who uploaded it), links the
``ReferenceImport`` record and deletes the stored upload. ``mark_stale`` is called by the periodic sweep.

The import is one call, so there is no progress to report: the heartbeat is written when the job is
claimed, and a job still running long after that (its worker died) is failed by ``mark_stale``.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path

from django.db import transaction

from ahsp.importers.reference_workbook import clean_source
from ahsp.importers.sni_values import fit
from ahsp.importers.workbook_reader import ImportFailed
from ahsp.models import ReferenceImport, ReferenceImportJob
from ahsp.services import jobs
from ahsp.services.reference_library import import_reference

logger = logging.getLogger(__name__)

Job = ReferenceImportJob
JOB = jobs.JobKind("reference_import", Job, "reference import")
FILE_NAME_MAX_LENGTH = Job._meta.get_field("file_name").max_length

STAGE_QUEUED = "Menunggu giliran"
STAGE_RUNNING = "Membaca dan mengimpor buku kerja"
STAGE_DONE = "Selesai"
STALE_MESSAGE = (
    "Pekerja antrean berhenti saat mengimpor buku kerja (impor #{pk}); silakan unggah ulang berkasnya."
)
RUN_FAILED_MESSAGE = (
    "Impor gagal karena terjadi galat di server; pustaka referensi tidak berubah. Silakan ulangi; bila "
    "tetap gagal, hubungi admin (impor #{pk})."
)


# --- Starting ----------------------------------------------------------------------------------------


@transaction.atomic
def start(*, file, source: str, by) -> ReferenceImportJob:
    """A new queued job for the uploaded workbook ``file`` as edition ``source``.

    Raises ``ImportFailed`` (message in Indonesian) for a blank or too long source, the same checks as
    ``import_reference``, so nothing is stored for an import that would be refused anyway. No audit
    event here: the import itself records the one event, with ``by`` as the actor.
    """
    source = clean_source(source)
    original = Path(getattr(file, "name", "") or "").name or "referensi.xlsx"
    job = Job(
        requested_by=by if getattr(by, "pk", None) else None,
        source=source,
        file_name=fit(original, FILE_NAME_MAX_LENGTH),
        stage=STAGE_QUEUED,
    )
    return jobs.save_with_upload(JOB, job, file)


# --- The worker side ---------------------------------------------------------------------------------


def run(job_id: int) -> ReferenceImportJob | None:
    """Import the workbook of a queued job. Never raises for an import error: the job is marked failed
    (``ImportFailed``: its message; anything else: a generic message, the traceback goes to the log)."""
    if not jobs.claim(JOB, job_id, stage=STAGE_RUNNING):
        return Job.objects.filter(pk=job_id).first()
    job = Job.objects.select_related("requested_by").get(pk=job_id)
    try:
        record = _import(job)
    except ImportFailed as exc:
        outcome = {"status": Job.Status.FAILED, "error": str(exc), "stage": ""}
    except Exception:
        logger.exception("Reference import job %s failed.", job_id)
        outcome = {"status": Job.Status.FAILED, "error": RUN_FAILED_MESSAGE.format(pk=job_id), "stage": ""}
    else:
        outcome = {"status": Job.Status.DONE, "result": record, "error": "", "stage": STAGE_DONE}
    jobs.discard_upload(JOB, job)
    # RUNNING, or FAILED when the sweep took the job for dead meanwhile: the worker's outcome is the
    # truth (a committed import changed the library, so the job must say done and link it).
    jobs.finish(JOB, job_id, from_statuses=[Job.Status.RUNNING, Job.Status.FAILED], **outcome, file="")
    return Job.objects.select_related("result").get(pk=job_id)


def _import(job: ReferenceImportJob) -> ReferenceImport:
    """Import a local copy of the stored upload: the default storage need not be on this disk."""
    with job.file.open("rb") as stored, tempfile.NamedTemporaryFile(suffix=".xlsx") as copy:
        shutil.copyfileobj(stored, copy)
        copy.flush()
        result = import_reference(
            Path(copy.name), source=job.source, file_name=job.file_name, by=job.requested_by
        )
    return result.record


# --- Housekeeping (periodic task) --------------------------------------------------------------------


def mark_stale(*, older_than_seconds: int) -> int:
    """Running jobs claimed more than ``older_than_seconds`` ago (their worker died: the import runs
    in seconds) become failed, and their stored uploads are deleted."""
    _, failed = jobs.sweep_stale(
        JOB, older_than_seconds=older_than_seconds, message=STALE_MESSAGE, discard_uploads=True
    )
    return len(failed)
