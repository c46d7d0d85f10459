"""The export builders by (document, format): real references to the builder functions.

A builder takes the job and a progress callback ``progress(done, total, stage)`` and returns the file as a
``File``. Builders that return bytes (PDF, XLSX) are wrapped in a ``ContentFile``; builders that yield
``bytes`` chunks (CSV) are written to a temporary file, so memory stays flat at any size.

Only the export worker imports this module (``ahsp.services.exports.run``, when a job is built): importing
it loads openpyxl, xhtml2pdf and reportlab, which the web process never needs. The export centre lists
``ahsp.services.exports.OFFERED``, which ``ahsp/tests/test_services_exports.py`` checks against
``BUILDERS`` (same pairs, same order).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator

from django.core.files import File
from django.core.files.base import ContentFile

from ahsp.exports import (
    analyses_csv,
    analyses_pdf,
    analyses_xlsx,
    prices_csv,
    prices_pdf,
    prices_xlsx,
    project_json,
    project_workbook,
    rab_csv,
    rab_pdf,
    rab_xlsx,
    requirements_csv,
    requirements_pdf,
    requirements_xlsx,
    s_curve_pdf,
    s_curve_xlsx,
    schedule_pdf,
    schedule_xlsx,
)
from ahsp.loaders import rab as rab_loader
from ahsp.loaders.rab_notes import load_rab_notes
from ahsp.models import ExportJob

Progress = Callable[[int, int, str], None]
Builder = Callable[[ExportJob, Progress], File]


def build_rab_csv_file(job: ExportJob, progress: Progress) -> File:
    """The streamed RAB CSV (ahsp/exports/rab_csv.py) written to a temporary file, rows counted."""
    progress(0, 0, "Menghitung RAB")
    project = job.project
    summary = rab_loader.load_rab_summary(project, count_missing_prices=False)
    total = len(summary.sections) + summary.item_count
    rows = rab_loader.iter_full_rab(project, summary, chunk_size=500)

    def counted() -> Iterator[rab_loader.Row]:
        for number, row in enumerate(rows, start=1):
            progress(number, total, f"Menulis baris {number}/{total}")
            yield row

    target = tempfile.TemporaryFile()
    notes = load_rab_notes(project, summary)
    for chunk in rab_csv.build_rab_csv(summary, counted(), notes=notes):
        target.write(chunk)
    target.seek(0)
    return File(target, name="rab.csv")


def bytes_builder(function: Callable[..., bytes], extension: str) -> Builder:
    """A builder from ``function(project, progress=...) -> bytes``."""

    def build(job: ExportJob, progress: Progress) -> File:
        return ContentFile(function(job.project, progress=progress), name=f"{job.document}.{extension}")

    build.__name__ = f"build_{function.__name__}"
    return build


def chunks_builder(function: Callable[..., Iterable[bytes]]) -> Builder:
    """A builder from ``function(project, progress=...)`` that yields ``bytes`` chunks (CSV): written to a
    temporary file, so memory stays flat at any size."""

    def build(job: ExportJob, progress: Progress) -> File:
        target = tempfile.TemporaryFile()
        for chunk in function(job.project, progress=progress):
            target.write(chunk)
        target.seek(0)
        return File(target, name=f"{job.document}.csv")

    build.__name__ = f"build_{function.__name__}"
    return build


_DOC = ExportJob.Document
_FMT = ExportJob.Format
# Order = the order of the export centre (documents, then formats within a document).
BUILDERS: dict[tuple[str, str], Builder] = {
    (_DOC.RAB, _FMT.PDF): bytes_builder(rab_pdf.build_rab_pdf, "pdf"),
    (_DOC.RAB, _FMT.XLSX): bytes_builder(rab_xlsx.build_rab_xlsx, "xlsx"),
    (_DOC.RAB, _FMT.CSV): build_rab_csv_file,
    (_DOC.AHSP, _FMT.PDF): bytes_builder(analyses_pdf.build_analyses_pdf, "pdf"),
    (_DOC.AHSP, _FMT.XLSX): bytes_builder(analyses_xlsx.build_analyses_xlsx, "xlsx"),
    (_DOC.AHSP, _FMT.CSV): chunks_builder(analyses_csv.build_analyses_csv),
    (_DOC.HARGA, _FMT.PDF): bytes_builder(prices_pdf.build_prices_pdf, "pdf"),
    (_DOC.HARGA, _FMT.XLSX): bytes_builder(prices_xlsx.build_prices_xlsx, "xlsx"),
    (_DOC.HARGA, _FMT.CSV): chunks_builder(prices_csv.build_prices_csv),
    (_DOC.PROYEK, _FMT.XLSX): bytes_builder(project_workbook.build_project_workbook, "xlsx"),
    (_DOC.JADWAL, _FMT.PDF): bytes_builder(schedule_pdf.build_schedule_pdf, "pdf"),
    (_DOC.JADWAL, _FMT.XLSX): bytes_builder(schedule_xlsx.build_schedule_xlsx, "xlsx"),
    (_DOC.KURVA_S, _FMT.PDF): bytes_builder(s_curve_pdf.build_s_curve_pdf, "pdf"),
    (_DOC.KURVA_S, _FMT.XLSX): bytes_builder(s_curve_xlsx.build_s_curve_xlsx, "xlsx"),
    (_DOC.KEBUTUHAN, _FMT.PDF): bytes_builder(requirements_pdf.build_requirements_pdf, "pdf"),
    (_DOC.KEBUTUHAN, _FMT.XLSX): bytes_builder(requirements_xlsx.build_requirements_xlsx, "xlsx"),
    (_DOC.KEBUTUHAN, _FMT.CSV): chunks_builder(requirements_csv.build_requirements_csv),
    (_DOC.CADANGAN, _FMT.JSON): bytes_builder(project_json.build_project_json, "json"),
}
