"""The analyses of all work items (rincian AHSP) as a formal PDF document (xhtml2pdf), portrait A4.

One block per analysis of the project, in natural code order (as on the Rincian AHSP page): its title,
unit and reference, then a table (header repeated when it runs over a page) with the groups A tenaga
kerja, B bahan, C peralatan and the nested analyses, each with its subtotal, and D, E (BUK) and F (HSP).
The data comes from ``ahsp.loaders.analyses.load_project_sheets`` (three queries; one sheet per (analysis, BUK %) in use), so the document shows
exactly the values of the page. The document is laid out in parts of ``ANALYSES_PER_PART`` analyses
(each part starts on a new page) so the worker's memory does not grow with the number of analyses.
"""

from __future__ import annotations

from ahsp.exports.pdf_render import Progress, document_context, render_pdf_in_parts
from ahsp.loaders.analyses import load_project_sheets
from ahsp.models import Project

TEMPLATE = "ahsp/pdf/analyses.html"
TITLE = "Analisa Harga Satuan Pekerjaan (AHSP)"
ANALYSES_PER_PART = 40  # laid out separately and joined: memory stays that of 40 analyses
READ_SHARE = 10


def build_analyses_pdf(project: Project, *, progress: Progress | None = None) -> bytes:
    """The PDF bytes of every analysis of the project."""
    if progress is not None:
        progress(0, 100, "Menghitung analisa")
    sheets = load_project_sheets(project=project)
    context = document_context(project, title=TITLE, subtitle="Rincian analisa harga satuan pekerjaan")
    parts = [sheets[start : start + ANALYSES_PER_PART] for start in range(0, len(sheets), ANALYSES_PER_PART)]
    count = len(sheets)
    return render_pdf_in_parts(
        TEMPLATE,
        context,
        key="sheets",
        parts=parts,
        progress=progress,
        stage=lambda done, total: f"Menyusun analisa {min(done * ANALYSES_PER_PART, count)}/{count}",
        progress_start=READ_SHARE,
        progress_span=100 - READ_SHARE,
    )
