"""Rekap Kebutuhan Sumber Daya as a formal PDF document (xhtml2pdf), portrait A4.

One table (header repeated on every page): per category (A Tenaga Kerja, B Bahan, C Peralatan, D Lain-lain;
non-empty only) a title row, one row per resource (No, Kode, Uraian, Satuan, Kuantitas, Harga Satuan,
Jumlah Biaya, and the quantity in the purchase unit where the resource has one) and the category total;
then the grand total, the identity line "Jumlah biaya langsung (sebelum BUK)" and the RAB before PPN.
Quantities are printed with 4 decimals and money with 2 from the exact values (``requirements_doc``), so
a total may differ by a cent from the sum of its printed rows. Missing prices are marked and counted.
"""

from __future__ import annotations

from ahsp.exports.pdf_render import Progress, document_context, render_pdf
from ahsp.loaders import requirements_doc as doc
from ahsp.models import Project

TEMPLATE = "ahsp/pdf/requirements.html"
ROWS_PER_PAGE = 40  # an estimate for progress reporting only
READ_SHARE = 10


def build_requirements_pdf(project: Project, *, progress: Progress | None = None) -> bytes:
    """The PDF bytes of the project's resource requirements."""
    if progress is not None:
        progress(0, 100, "Menghitung kebutuhan")
    document = doc.load_document(project)
    context = document_context(
        project, title=doc.TITLE, subtitle="Kuantitas dan biaya upah, bahan dan peralatan"
    )
    context.update(
        document=document,
        report=document.report,
        groups=document.groups,
        labels={
            "missing": doc.MISSING_LABEL,
            "empty": doc.EMPTY_NOTE,
            "total": doc.TOTAL_LABEL,
            "direct": doc.DIRECT_LABEL,
            "rab": doc.RAB_LABEL,
            "balanced": doc.BALANCED_NOTE,
            "unbalanced": doc.UNBALANCED_NOTE,
        },
    )
    return render_pdf(
        TEMPLATE,
        context,
        progress=progress,
        estimated_pages=document.resource_count // ROWS_PER_PAGE + 1,
        progress_start=READ_SHARE,
        progress_span=100 - READ_SHARE,
    )
