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

from pathlib import Path

from django.db import transaction

from ahsp.importers.reference_workbook import clean_source
from ahsp.importers.sni_values import fit
from ahsp.importers.workbook_reader import ImportFailed
from ahsp.models import ReferenceImportJob
from ahsp.services import jobs
from ahsp.services.reference_library import import_reference

Job = ReferenceImportJob
JOB = jobs.JobKind("reference_import", Job, "reference import")
FILE_NAME_MAX_LENGTH = Job._meta.get_field("file_name").max_length

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
        stage=jobs.STAGE_QUEUED,
    )
    return jobs.save_with_upload(JOB, job, file)


# --- The worker side ---------------------------------------------------------------------------------


def run(job_id: int) -> ReferenceImportJob | None:
    """Import the workbook of a queued job. Never raises for an import error: the job is marked failed
    (``ImportFailed``: its message; anything else: a generic message, the traceback goes to the log)."""
    related = ("requested_by", "result")
    return jobs.run_import(JOB, job_id, _import, crash_message=RUN_FAILED_MESSAGE, related=related)


def _import(job: ReferenceImportJob) -> dict:
    """Import a local copy of the stored upload; the job's outcome fields (``jobs.run_import``)."""
    try:
        with jobs.local_copy(job) as copy:
            result = import_reference(
                Path(copy.name), source=job.source, file_name=job.file_name, by=job.requested_by
            )
    except ImportFailed as exc:
        return {"status": Job.Status.FAILED, "error": str(exc)}
    return {"status": Job.Status.DONE, "result": result.record}


# --- Housekeeping (periodic task) --------------------------------------------------------------------


def mark_stale(*, older_than_seconds: int) -> int:
    """Running jobs claimed more than ``older_than_seconds`` ago (their worker died: the import runs
    in seconds) become failed, and their stored uploads are deleted."""
    _, failed = jobs.sweep_stale(
        JOB, older_than_seconds=older_than_seconds, message=STALE_MESSAGE, discard_uploads=True
    )
    return len(failed)
