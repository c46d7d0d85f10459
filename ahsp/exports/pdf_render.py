"""Render a Django template to PDF bytes with xhtml2pdf, reporting the pages as they are laid out.

The PDF templates live in ``ahsp/templates/ahsp/pdf/`` and extend ``pdf/base.html`` (page size and
orientation, the footer frame with "Halaman x dari y", the project header block, the signature block).

Draft: while the RAB is incomplete (``ahsp.loaders.rab_notes``: a work item with HSP 0 or a used resource without a
price), ``document_context`` carries ``draft_mark`` ("DRAF — RAB belum lengkap: ..."), which ``pdf/base.html``
prints in a box at the top of the document, and every page gets a light diagonal "DRAF" watermark in the
same stamping pass as the page numbers.

Page numbers: "Halaman x dari y" is stamped on every page after the layout (ReportLab overlay merged by
pypdf), because xhtml2pdf's ``<pdf:pagecount>`` lays the whole document out twice, which doubled the time
of a 1,000-item RAB.

Progress: xhtml2pdf has no progress hook, so ReportLab's ``handle_pageBegin`` of xhtml2pdf's document
class is wrapped once (at import) to call the callback of the *current thread*, if any; pages are
reported against an estimate of the page count. Nothing of the request or the user is ever fetched by
xhtml2pdf: the templates reference no external files, and user text is escaped by Django.
"""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Callable, Sequence

from django.template.loader import render_to_string
from django.utils import timezone
from pypdf import PdfReader, PdfWriter
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas
from xhtml2pdf import pisa
from xhtml2pdf.xhtml2pdf_reportlab import PmlBaseDoc

from ahsp.loaders.rab_notes import RabNotes, load_rab_notes

Progress = Callable[[int, int, str], None]

logger = logging.getLogger(__name__)
_local = threading.local()
_original_page_begin = PmlBaseDoc.handle_pageBegin


class PdfRenderError(Exception):
    """xhtml2pdf reported errors while converting the document."""


def _page_begin(self) -> None:
    _original_page_begin(self)
    listener = getattr(_local, "on_page", None)
    if listener is not None:
        listener(self.page)


PmlBaseDoc.handle_pageBegin = _page_begin


class _PageCounter:
    """Turns page numbers into ``progress(done, total, stage)``; ``start`` and ``span`` place the layout
    in the job's overall 0..``total`` scale (pages beyond the estimate stay at the end of the span)."""

    def __init__(self, progress: Progress, *, estimated_pages: int, start: int, span: int, total: int):
        self.progress = progress
        self.estimate = max(estimated_pages, 1)
        self.start, self.span, self.total = start, span, total

    def __call__(self, page: int) -> None:
        fraction = min(page / self.estimate, 1)
        stage = f"Menyusun halaman {page}/{max(page, self.estimate)}"
        self.progress(self.start + int(self.span * fraction), self.total, stage)


WATERMARK = "DRAF"


def _watermark(canvas: Canvas, width: float, height: float) -> None:
    """A light diagonal "DRAF" across the page, drawn over the content but light enough to read through."""
    canvas.saveState()
    canvas.setFont("Helvetica-Bold", min(width, height) / 4.2)
    canvas.setFillColorRGB(0.75, 0.1, 0.1)
    canvas.setFillAlpha(0.09)
    canvas.translate(width / 2, height / 2)
    canvas.rotate(35 if height > width else 25)
    canvas.drawCentredString(0, -min(width, height) / 14, WATERMARK)
    canvas.restoreState()


def number_pages(
    pdf: bytes, *, right_margin: float = 1.5 * cm, baseline: float = 1.45 * cm, draft: bool = False
) -> bytes:
    """``pdf`` with "Halaman x dari y" at the bottom right of every page (and, for a ``draft``, the
    "DRAF" watermark and "DRAF" before the page number)."""
    reader = PdfReader(io.BytesIO(pdf))
    count = len(reader.pages)
    overlay_buffer = io.BytesIO()
    overlay = Canvas(overlay_buffer)
    for number, page in enumerate(reader.pages, start=1):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        overlay.setPageSize((width, height))
        if draft:
            _watermark(overlay, width, height)
        overlay.setFont("Helvetica", 7)
        overlay.setFillGray(0.27)
        label = f"Halaman {number} dari {count}"
        overlay.drawRightString(width - right_margin, baseline, f"{WATERMARK} · {label}" if draft else label)
        overlay.showPage()
    overlay.save()
    stamps = PdfReader(io.BytesIO(overlay_buffer.getvalue())).pages
    writer = PdfWriter(clone_from=reader)
    for page, stamp in zip(writer.pages, stamps, strict=True):
        page.merge_page(stamp)
        page.compress_content_streams()
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def render_pdf(
    template_name: str,
    context: dict,
    *,
    progress: Progress | None = None,
    estimated_pages: int = 1,
    progress_start: int = 0,
    progress_span: int = 100,
    progress_total: int = 100,
) -> bytes:
    """The PDF of ``template_name`` rendered with ``context``.

    ``progress`` (optional) receives ``(done, progress_total, stage)`` while pages are laid out, with
    ``done`` running from ``progress_start`` to ``progress_start + progress_span``.
    """
    html = render_to_string(template_name, context)
    if progress is not None:
        progress(progress_start, progress_total, "Menyusun halaman")
        _local.on_page = _PageCounter(
            progress,
            estimated_pages=estimated_pages,
            start=progress_start,
            span=progress_span,
            total=progress_total,
        )
    try:
        pdf = _convert(html, template_name)
    finally:
        _local.on_page = None
    numbered = number_pages(pdf, draft=bool(context.get("draft_mark")))
    if progress is not None:
        progress(progress_start + progress_span, progress_total, "Menomori halaman")
    return numbered


def _convert(html: str, template_name: str) -> bytes:
    output = io.BytesIO()
    status = pisa.CreatePDF(html, dest=output, encoding="utf-8")
    if status.err:
        raise PdfRenderError(f"xhtml2pdf reported {status.err} error(s) in {template_name}")
    return output.getvalue()


def render_pdf_in_parts(
    template_name: str,
    context: dict,
    *,
    key: str,
    parts: Sequence[Sequence],
    progress: Progress | None = None,
    stage: Callable[[int, int], str] = lambda done, total: f"Menyusun bagian {done}/{total}",
    progress_start: int = 0,
    progress_span: int = 100,
    progress_total: int = 100,
) -> bytes:
    """A long document laid out part by part (``context[key]`` = one part at a time), joined, then
    numbered: xhtml2pdf keeps the whole story of a document in memory, so a 500-page document in one go
    needs gigabytes; in parts the memory is that of one part. The first part has the header block
    (``continuation`` false), the last the signature block (``more_parts`` false); each part starts on a
    new page. ``stage(done, total)`` labels the progress after each part."""
    writer = PdfWriter()
    count = max(len(parts), 1)
    for index, part in enumerate(parts or [[]]):
        html = render_to_string(
            template_name, {**context, key: part, "continuation": index > 0, "more_parts": index < count - 1}
        )
        writer.append(PdfReader(io.BytesIO(_convert(html, template_name))))
        if progress is not None:
            progress(
                progress_start + progress_span * (index + 1) // count, progress_total, stage(index + 1, count)
            )
    joined = io.BytesIO()
    writer.write(joined)
    return number_pages(joined.getvalue(), draft=bool(context.get("draft_mark")))


def document_context(
    project, *, title: str, subtitle: str = "", landscape: bool = False, notes: RabNotes | None = None
) -> dict:
    """What ``pdf/base.html`` needs: the title, page orientation, print date, the signature block, and
    the RAB's notes (``ahsp.loaders.rab_notes``; loaded here unless given) with the draft mark of an incomplete
    RAB, so that every document is marked the same way."""
    if notes is None:
        notes = load_rab_notes(project)
    return {
        "project": project,
        "notes": notes,
        "draft_mark": notes.draft_mark,
        "document_title": title,
        "document_subtitle": subtitle,
        "landscape": landscape,
        "printed_on": timezone.localdate(),
        "signatories": [
            ("Dibuat oleh", project.prepared_by_title, project.prepared_by_name),
            ("Diperiksa oleh", project.checked_by_title, project.checked_by_name),
            ("Disetujui oleh", project.approved_by_title, project.approved_by_name),
        ],
    }
