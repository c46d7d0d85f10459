"""The analyses of all work items (rincian AHSP) as a formal PDF document (xhtml2pdf), portrait A4.

One block per analysis of the project, in natural code order (as on the Rincian AHSP page): its title,
unit and reference, then a table (header repeated when it runs over a page) with the groups A tenaga
kerja, B bahan, C peralatan and the nested analyses, each with its subtotal, and D, E (BUK) and F (HSP).
The data comes from ``ahsp.services.analyses.load_project_sheets`` (two queries), so the document shows
exactly the values of the page.
"""

from __future__ import annotations

from ahsp.exports.pdf_render import Progress, document_context, render_pdf
from ahsp.models import Project
from ahsp.services.analyses import load_project_sheets

TEMPLATE = "ahsp/pdf/analyses.html"
TITLE = "Analisa Harga Satuan Pekerjaan (AHSP)"
ANALYSES_PER_PAGE = 2  # an estimate for progress reporting only
READ_SHARE = 10


def build_analyses_pdf(project: Project, *, progress: Progress | None = None) -> bytes:
    """The PDF bytes of every analysis of the project."""
    if progress is not None:
        progress(0, 100, "Menghitung analisa")
    sheets = load_project_sheets(project=project)
    context = document_context(project, title=TITLE, subtitle="Rincian analisa harga satuan pekerjaan")
    context["sheets"] = sheets
    return render_pdf(
        TEMPLATE,
        context,
        progress=progress,
        estimated_pages=len(sheets) // ANALYSES_PER_PAGE + 1,
        progress_start=READ_SHARE,
        progress_span=100 - READ_SHARE,
    )
