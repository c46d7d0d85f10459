"""Export jobs: start (or reuse) a job, build its file in the worker, and keep the queue tidy.

``start`` runs in the web request and only writes the job row (plus one audit event) and enqueues the
huey task after commit. ``run`` is the body of that task: it builds the file through the builder chosen
by (document, format) in ``ahsp.exports.registry``, reports progress and a heartbeat as it goes, and stores
the file through the default storage (``STORAGES["default"]``). ``mark_stale`` and ``purge`` are called by
a periodic task.

Every status change after ``start`` is a conditional UPDATE (``status=<expected>``), so a job that the
sweeper marked failed can never be flipped back to done by a worker that was only slow, and a task that
is delivered twice builds once.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from datetime import timedelta

from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from ahsp.models import AuditEvent, ExportJob, Project
from ahsp.services import audit, jobs

logger = logging.getLogger(__name__)

JOB = jobs.JobKind("export", ExportJob, "export")

Progress = Callable[[int, int, str], None]

STALE_MESSAGE = "Pekerja antrean berhenti saat membuat berkas; silakan ulangi."
MAX_ATTEMPTS = 2  # a job whose worker died is run once more before it fails with STALE_MESSAGE
RETRY_STAGE = "Diulang: pekerja sebelumnya berhenti"
BUILD_FAILED_MESSAGE = (
    "Berkas tidak dapat dibuat karena terjadi galat di server. Silakan ulangi; bila tetap gagal, "
    "hubungi admin (nomor ekspor #{pk})."
)
CONTENT_TYPES = {
    ExportJob.Format.CSV: "text/csv; charset=utf-8",
    ExportJob.Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportJob.Format.PDF: "application/pdf",
    ExportJob.Format.JSON: "application/json",
}


class ExportCancelled(Exception):
    """The job is no longer running (marked stale meanwhile): stop building."""


# --- What the export centre offers --------------------------------------------------------------------

_DOC = ExportJob.Document
_FMT = ExportJob.Format
# (document, format) in the order of the export centre (documents, then formats within a document): the
# keys of ``ahsp.exports.registry.BUILDERS`` (a test checks they agree), listed here so that the web
# process never imports the builders (openpyxl, xhtml2pdf, reportlab); the worker does, in ``run``.
OFFERED: tuple[tuple[str, str], ...] = (
    (_DOC.RAB, _FMT.PDF),
    (_DOC.RAB, _FMT.XLSX),
    (_DOC.RAB, _FMT.CSV),
    (_DOC.AHSP, _FMT.PDF),
    (_DOC.AHSP, _FMT.XLSX),
    (_DOC.AHSP, _FMT.CSV),
    (_DOC.HARGA, _FMT.PDF),
    (_DOC.HARGA, _FMT.XLSX),
    (_DOC.HARGA, _FMT.CSV),
    (_DOC.PROYEK, _FMT.XLSX),
    (_DOC.JADWAL, _FMT.PDF),
    (_DOC.JADWAL, _FMT.XLSX),
    (_DOC.KURVA_S, _FMT.PDF),
    (_DOC.KURVA_S, _FMT.XLSX),
    (_DOC.KEBUTUHAN, _FMT.PDF),
    (_DOC.KEBUTUHAN, _FMT.XLSX),
    (_DOC.KEBUTUHAN, _FMT.CSV),
    (_DOC.CADANGAN, _FMT.JSON),
)


DESCRIPTIONS = {
    _DOC.RAB: _("Klasifikasi, pekerjaan, volume, harga satuan, jumlah, PPN, pembulatan dan terbilang."),
    _DOC.AHSP: _("Analisa setiap pekerjaan: tenaga kerja, bahan, peralatan, BUK dan HSP."),
    _DOC.HARGA: _("Harga upah, bahan dan peralatan yang dipakai analisa proyek ini."),
    _DOC.PROYEK: _("Seluruh proyek dalam format impor, untuk disunting di Excel lalu diimpor kembali."),
    _DOC.CADANGAN: _(
        "Semua data proyek tanpa kehilangan (jadwal, progres, rumus, satuan beli): dipulihkan sebagai proyek baru."
    ),
    _DOC.JADWAL: _("Jadwal pelaksanaan (time schedule): bobot dan rencana % tiap pekerjaan per minggu."),
    _DOC.KURVA_S: _("Kurva S rencana dan realisasi, tabel progres mingguan dan nilai hasil (SPI, CPI, EAC)."),
    _DOC.KEBUTUHAN: _("Kuantitas dan biaya upah, bahan dan peralatan seluruh pekerjaan, per kategori."),
}


def available() -> list[tuple[str, str, str, list[tuple[str, str]]]]:
    """What the export centre offers: ``[(document, label, description, [(format, label), ...]), ...]``."""
    offered: dict[str, list[tuple[str, str]]] = {}
    for document, fmt in OFFERED:
        offered.setdefault(document, []).append((fmt, ExportJob.Format(fmt).label))
    return [
        (document, ExportJob.Document(document).label, DESCRIPTIONS.get(document, ""), formats)
        for document, formats in offered.items()
    ]


def is_available(document: str, fmt: str) -> bool:
    return (document, fmt) in OFFERED


def download_name(job: ExportJob) -> str:
    """``rab-pembangunan-gedung.xlsx``: ASCII, no path, safe in a Content-Disposition header."""
    name = slugify(job.project.name)[:80].strip("-") or f"proyek-{job.project_id}"
    return f"{job.document}-{name}.{job.format}"


def content_type(job: ExportJob) -> str:
    return CONTENT_TYPES.get(job.format, "application/octet-stream")


# --- Starting and retrying -------------------------------------------------------------------------


@transaction.atomic
def start(*, project: Project, document: str, fmt: str, by, parameters: dict | None = None) -> ExportJob:
    """A new queued job, or the identical queued/running one of this project (double clicks build once).

    The project row is locked so two simultaneous requests cannot both create a job.
    """
    if not is_available(document, fmt):
        raise ValueError(f"Export {document}/{fmt} is not available.")
    parameters = parameters or {}
    Project.objects.select_for_update().filter(pk=project.pk).values_list("pk", flat=True).get()
    active = ExportJob.objects.filter(
        project=project, document=document, format=fmt, status__in=ExportJob.ACTIVE_STATUSES
    ).order_by("-created_at", "-id")
    for job in active:
        if job.parameters == parameters:
            return job
    job = ExportJob(
        project=project,
        requested_by=by if getattr(by, "pk", None) else None,
        document=document,
        format=fmt,
        parameters=parameters,
        stage=jobs.STAGE_QUEUED,
    )
    job.full_clean(exclude=["file"])
    job.save()
    audit.record(
        by=by,
        action=AuditEvent.Action.CREATE,
        target=job,
        project_id=project.pk,
        summary=f"Ekspor {document.upper()} ({fmt.upper()}) dimulai",
        after={"document": document, "format": fmt, "parameters": parameters},
        changes=audit.Changes.NOTHING,  # the project's pages and documents stay as they are
    )
    job_id = job.pk
    # If the queue is down, the job stays queued and the sweep enqueues it later (``services.jobs``).
    transaction.on_commit(lambda: jobs.enqueue(JOB, job_id))
    return job


def retry(*, job: ExportJob, by) -> ExportJob:
    """A fresh job with the same project, document, format and parameters (the failed one stays)."""
    return start(project=job.project, document=job.document, fmt=job.format, by=by, parameters=job.parameters)


# --- The worker side -------------------------------------------------------------------------------


class _Reporter:
    """Writes progress + heartbeat at every 5 % step, when the kind of stage changes, at the end, and at
    least every few seconds; raises ``ExportCancelled`` once the job is no longer running."""

    STEP_PERCENT = 5
    MAX_SILENCE_SECONDS = 5.0

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.last_percent: int | None = None
        self.last_kind: str | None = None
        self.last_write = 0.0

    def __call__(self, done: int, total: int, stage: str = "") -> None:
        percent = done * 100 // total if total else 0
        kind = re.sub(r"\d+", "#", stage)
        now = time.monotonic()
        due = (
            self.last_percent is None
            or percent - self.last_percent >= self.STEP_PERCENT
            or kind != self.last_kind
            or (total and done >= total)
            or now - self.last_write >= self.MAX_SILENCE_SECONDS
        )
        if not due:
            return
        self.last_percent, self.last_kind, self.last_write = percent, kind, now
        alive = jobs.heartbeat(
            JOB, self.job_id, progress_done=max(done, 0), progress_total=max(total, 0), stage=stage[:200]
        )
        if not alive:
            raise ExportCancelled


def run(job_id: int) -> ExportJob | None:
    """Build the file of a queued job. Never raises for a build error: the job is marked failed."""
    if not jobs.claim(JOB, job_id, stage="Memulai"):
        return ExportJob.objects.filter(pk=job_id).first()
    job = ExportJob.objects.select_related("project").get(pk=job_id)
    try:
        version = _content_version(job.project_id)
        if (content := _copy_of_identical_build(job, version)) is None:
            content = _builder(job)(job, _Reporter(job_id))
        try:
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            job.file.save(f"{job.document}-{job.pk}-{stamp}.{job.format}", content, save=False)
        finally:
            content.close()
        size = job.file.size
        finished = jobs.finish(
            JOB,
            job_id,
            from_statuses=[ExportJob.Status.RUNNING],
            status=ExportJob.Status.DONE,
            file=job.file.name,
            size=size,
            # The version it was built from, or NULL if the project changed during the build.
            content_version=Subquery(
                Project.objects.filter(pk=OuterRef("project_id"), content_version=version).values(
                    "content_version"
                )[:1]
            ),
            progress_done=F("progress_total"),
            stage=jobs.STAGE_DONE,
        )
        if not finished:
            job.file.delete(save=False)
            raise ExportCancelled
    except ExportCancelled:
        logger.warning("Export job %s stopped: no longer running (marked stale?).", job_id)
    except Exception:
        logger.exception("Export job %s failed.", job_id)
        _fail(job_id, BUILD_FAILED_MESSAGE.format(pk=job_id))
    return ExportJob.objects.get(pk=job_id)


def _builder(job: ExportJob) -> Callable[[ExportJob, Progress], File]:
    """The builder of the job's (document, format). Imported here, in the worker only: the registry loads
    every builder (openpyxl, xhtml2pdf, reportlab), which the web process never needs."""
    from ahsp.exports.registry import BUILDERS  # noqa: PLC0415 (worker only, see above)

    return BUILDERS[(job.document, job.format)]


def _content_version(project_id: int) -> int:
    return Project.objects.filter(pk=project_id).values_list("content_version", flat=True).get()


def _copy_of_identical_build(job: ExportJob, version: int) -> File | None:
    """The file of an earlier job that built this very document today from this project's data at
    ``version`` (same document, format, parameters and requester), as a copy; None when there is none
    or its file is gone. A document shows the print date, so only today's builds count."""
    today = timezone.localdate()
    earlier = (
        ExportJob.objects.filter(
            project_id=job.project_id,
            document=job.document,
            format=job.format,
            requested_by_id=job.requested_by_id,
            status=ExportJob.Status.DONE,
            # The version it was built from, or NULL if the project changed during the build.
            content_version=Subquery(
                Project.objects.filter(pk=OuterRef("project_id"), content_version=version).values(
                    "content_version"
                )[:1]
            ),
            finished_at__date=today,
        )
        .exclude(pk=job.pk)
        .order_by("-finished_at")
    )
    for candidate in earlier[:3]:
        if candidate.parameters != job.parameters or not candidate.file:
            continue
        try:
            with candidate.file.open("rb") as stored:
                return ContentFile(stored.read())
        except OSError:  # purged meanwhile: look further, or build
            continue
    return None


def _fail(job_id: int, message: str) -> None:
    jobs.finish(
        JOB, job_id, from_statuses=ExportJob.ACTIVE_STATUSES, status=ExportJob.Status.FAILED, error=message
    )


# --- Housekeeping (periodic task) ------------------------------------------------------------------


def mark_stale(*, older_than_seconds: int) -> int:
    """Running jobs without a heartbeat for ``older_than_seconds`` (their worker died or hangs): queued
    again and enqueued while they have an attempt left (``MAX_ATTEMPTS``), else failed with
    ``STALE_MESSAGE`` (the user can retry). Returns how many jobs were handled (``jobs.sweep_stale``)."""
    requeued, failed = jobs.sweep_stale(
        JOB,
        older_than_seconds=older_than_seconds,
        message=STALE_MESSAGE,
        max_attempts=MAX_ATTEMPTS,
        retry_fields={"stage": RETRY_STAGE, "progress_done": 0},
    )
    return len(requeued) + len(failed)


def purge(*, older_than: timedelta) -> int:
    """Delete jobs (and their files) created before ``now - older_than``, except running ones."""
    cutoff = timezone.now() - older_than
    old = ExportJob.objects.filter(created_at__lt=cutoff).exclude(status=ExportJob.Status.RUNNING)
    deleted = 0
    for job in old.only("pk", "file").iterator():
        if job.file:
            try:
                job.file.delete(save=False)
            except OSError:
                logger.exception("Could not delete export file %s.", job.file.name)
                continue
        job.delete()
        deleted += 1
    return deleted
