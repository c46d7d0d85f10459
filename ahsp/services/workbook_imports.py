"""Project and price workbook imports in the background, built like ``reference_imports``.

``start_project`` / ``start_prices`` run in the web request: they store the uploaded workbook through the
default storage (shared by the web server and the worker), write the job row and enqueue the huey task
after commit (``jobs``). ``run`` is the body of that task: it claims the job with a conditional
UPDATE (a task delivered twice imports once), imports a local copy of the stored workbook with
``import_project_report`` or ``import_prices`` as the user who uploaded it (the import records its own
single audit event, so ``start`` records none), saves the report on the job and deletes the upload. A bad
workbook never raises: the job is failed with the import's Indonesian message and its problem list.
``mark_stale`` is the hook of the periodic sweep (``ahsp.tasks``), which also enqueues again a job whose
enqueue failed (``jobs.requeue_lost``).

Budget per job. Time: ``safe_workbook`` stops reading after ``WORKBOOK_LIMITS["max_seconds"]``, and the
sweep fails a job still running after ``tasks.WORKBOOK_IMPORT_STALE_AFTER_SECONDS``. Memory: bounded by
``safe_workbook``'s caps (compressed and uncompressed bytes per part and in total, a byte counter on
what is really inflated, rows, columns and cell length), which fix the most a workbook can make the
reader hold. No per-job RSS check: huey runs jobs in threads of one process, so RSS
(``resource.getrusage``, even ``RUSAGE_THREAD``'s ``ru_maxrss``) is the whole process's and cannot be
charged to one job, and ``tracemalloc`` would slow every import; the peak RSS growth seen during a run
is logged for the operator instead.
"""

from __future__ import annotations

import dataclasses
import logging
import resource
from pathlib import Path

from django.core.files import File
from django.db import transaction

from ahsp.importers.project_document import MAX_BYTES as MAX_DOCUMENT_BYTES
from ahsp.importers.project_document import DocumentInvalid, read_document
from ahsp.importers.sni_values import fit
from ahsp.models import Project, WorkbookImportJob
from ahsp.services import jobs
from ahsp.services.project_import import ProjectImportError, import_project_report
from ahsp.services.project_restore import Origin, restore
from ahsp.services.resources import import_prices

logger = logging.getLogger(__name__)

Job = WorkbookImportJob
JOB = jobs.JobKind("workbook_import", Job, "workbook import")
FILE_NAME_MAX_LENGTH = Job._meta.get_field("file_name").max_length
MAX_ROWS_KEPT = 1000  # problems / warnings / notes stored on the job; the counts always cover all

STALE_MESSAGE = (
    "Pekerja antrean berhenti saat mengimpor buku kerja (impor #{pk}); tidak ada yang disimpan. Silakan "
    "unggah ulang berkasnya."
)
RUN_FAILED_MESSAGE = (
    "Impor gagal karena terjadi galat di server; tidak ada yang disimpan. Silakan ulangi; bila tetap "
    "gagal, hubungi admin (impor #{pk})."
)


# --- Starting ----------------------------------------------------------------------------------------


def start_project(*, upload, by) -> WorkbookImportJob:
    """A queued job that will create a project from the workbook ``upload``, as ``by``."""
    return _start(kind=Job.Kind.PROJECT, project=None, upload=upload, by=by)


def start_backup(*, upload, by) -> WorkbookImportJob:
    """A queued job that will restore the project backup ``upload`` (JSON) as a new project of ``by``."""
    return _start(kind=Job.Kind.BACKUP, project=None, upload=upload, by=by)


def start_prices(*, project: Project, upload, by) -> WorkbookImportJob:
    """A queued job that will import the prices of ``project`` from the workbook ``upload``, as ``by``
    (the view has checked that ``by`` may edit the project)."""
    return _start(kind=Job.Kind.PRICES, project=project, upload=upload, by=by)


@transaction.atomic
def _start(*, kind: str, project: Project | None, upload, by) -> WorkbookImportJob:
    original = Path(getattr(upload, "name", "") or "").name or "berkas.xlsx"
    job = Job(
        kind=kind,
        project=project,
        requested_by=by,
        file_name=fit(original, FILE_NAME_MAX_LENGTH),
        stage=jobs.STAGE_QUEUED,
    )
    return jobs.save_with_upload(JOB, job, upload)


# --- The worker side ---------------------------------------------------------------------------------


def run(job_id: int) -> WorkbookImportJob | None:
    """Import the workbook of a queued job. Never raises for an import error: the job is failed with
    the import's message and report (anything unexpected: a generic message, the traceback is logged)."""
    related = ("requested_by", "project")
    return jobs.run_import(JOB, job_id, _measured_import, crash_message=RUN_FAILED_MESSAGE, related=related)


def _measured_import(job: WorkbookImportJob) -> dict:
    """``_import``, with the growth of the worker's peak RSS logged (see the module docstring)."""
    rss_before = _peak_rss_kb()
    try:
        return _import(job)
    finally:
        grown = _peak_rss_kb() - rss_before
        if grown > 0:
            logger.info("Workbook import job %s: the worker's peak RSS grew by %s KiB.", job.pk, grown)


def _import(job: WorkbookImportJob) -> dict:
    """Import a local copy of the stored upload; the job's outcome fields (``jobs.run_import``)."""
    if job.kind == Job.Kind.BACKUP:
        return _restore_backup(job)
    with jobs.local_copy(job) as copy:
        if job.kind == Job.Kind.PROJECT:
            return _import_project(job, Path(copy.name))
        return _import_prices(job, File(copy, name=job.file_name))


def _import_project(job: WorkbookImportJob, path: Path) -> dict:
    try:
        report = import_project_report(source=path, by=job.requested_by, file_name=job.file_name)
    except ProjectImportError as exc:
        return {
            "status": Job.Status.FAILED,
            "error": str(exc),
            "report": {
                **_rows("problems", exc.problems),
                **_rows("warnings", exc.warnings),
            },
        }
    project = report.project
    count = project.work_items.count()
    return {
        "status": Job.Status.DONE,
        "project": project,
        "report": {
            "summary": f"Proyek “{project.name}” diimpor dari Excel: {count} pekerjaan.",
            "counts": {"work_items": count},
            **_rows("warnings", report.warnings),
        },
    }


def _restore_backup(job: WorkbookImportJob) -> dict:
    """The stored JSON read within ``MAX_BYTES``, checked, and written as a new project (one transaction);
    a bad document fails the job with every problem and its JSON path, and nothing is written."""
    with job.file.open("rb") as stored:
        raw = stored.read(MAX_DOCUMENT_BYTES + 1)
    origin = Origin("Proyek dipulihkan dari cadangan", {"file_name": job.file_name})
    try:
        project = restore(plan=read_document(raw), by=job.requested_by, origin=origin)
    except DocumentInvalid as exc:
        return {
            "status": Job.Status.FAILED,
            "error": "Cadangan tidak dapat dipulihkan; tidak ada yang disimpan.",
            "report": {  # in the rows of the import report table: where (the JSON path) and why
                "problems": [
                    {
                        "sheet": "JSON",
                        "row": None,
                        "column": p.path,
                        "value": "",
                        "reason": p.message,
                        "text": str(p),
                    }
                    for p in exc.problems[:MAX_ROWS_KEPT]
                ],
                "problems_count": len(exc.problems),
            },
        }
    count = project.work_items.count()
    return {
        "status": Job.Status.DONE,
        "project": project,
        "report": {
            "summary": f"Proyek “{project.name}” dipulihkan dari cadangan: {count} pekerjaan.",
            "counts": {"work_items": count},
        },
    }


def _import_prices(job: WorkbookImportJob, upload: File) -> dict:
    report = import_prices(project=job.project, path_or_file=upload, by=job.requested_by)
    fields = {
        "summary": report.summary,
        "counts": {
            "rows": report.rows_read,
            "changed": len(report.changes),
            "unchanged": report.unchanged,
            "unknown_codes": len(report.unknown_codes),
        },
        **_rows("problems", report.errors),
        **_rows("notes", report.notes),
    }
    if not report.ok:
        return {"status": Job.Status.FAILED, "error": report.summary, "report": fields}
    return {"status": Job.Status.DONE, "report": fields}


def _rows(key: str, problems) -> dict:
    """``{key: [first MAX_ROWS_KEPT rows as dicts with their text], key_count: total}`` for the report."""
    kept = [{**dataclasses.asdict(p), "text": str(p)} for p in list(problems)[:MAX_ROWS_KEPT]]
    return {key: kept, f"{key}_count": len(problems)}


def _peak_rss_kb() -> int:
    """The worker process's peak RSS in KiB (Linux): logged per job, not a per-job budget (see above)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


# --- Housekeeping (periodic task) --------------------------------------------------------------------


def mark_stale(*, older_than_seconds: int) -> int:
    """Running jobs with no heartbeat for ``older_than_seconds`` (their worker died) become failed, and
    their stored uploads are deleted."""
    _, failed = jobs.sweep_stale(
        JOB, older_than_seconds=older_than_seconds, message=STALE_MESSAGE, discard_uploads=True
    )
    return len(failed)
