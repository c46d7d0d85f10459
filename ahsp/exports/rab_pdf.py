"""The RAB as a formal PDF document (xhtml2pdf), landscape A4.

Content: the project header block; one table (its header repeated on every page) with every section and
work item in tree order (numbering as on the page), each section closed by a "Jumlah <section>" row with
its subtotal; then the recap (Rekapitulasi) of the top-level sections with Jumlah, PPN, Jumlah total,
Dibulatkan and the rounded total in words (terbilang); the BUK % the unit prices include, with the work
items that have their own (``ahsp.loaders.rab_notes``); and the signature block. While the RAB is incomplete the
document is a draft (``pdf/base.html``: the "DRAF — RAB belum lengkap" box and the watermark). Every page has "Halaman x dari y" in its footer.

The table is written in chunks of ``ROWS_PER_TABLE`` rows (each chunk a table with the same repeated
header): ReportLab splits a long table once per page, and splitting a 1,000-row table re-measures the rest
of it every time, which makes one big table quadratic.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ahsp.exports.pdf_render import Progress, document_context, render_pdf
from ahsp.loaders.rab import ItemRow, Row, SectionRow, iter_full_rab, load_rab_summary
from ahsp.loaders.rab_notes import load_rab_notes
from ahsp.models import Project

TEMPLATE = "ahsp/pdf/rab.html"
TITLE = "Rencana Anggaran Biaya (RAB)"
ROWS_PER_TABLE = 40
ROWS_PER_PAGE = 30  # an estimate for progress reporting only
READ_SHARE = 10  # % of the progress bar for reading the rows; the rest is page layout


@dataclass(frozen=True)
class SubtotalRow:
    """The "Jumlah <section>" line closing a section in the printed RAB."""

    kind = "subtotal"
    section: SectionRow


def with_subtotals(rows: Iterable[Row]) -> Iterator[Row | SubtotalRow]:
    """The rows in tree (pre-)order with a ``SubtotalRow`` after the last descendant of each section."""
    open_sections: list[SectionRow] = []
    for row in rows:
        if isinstance(row, SectionRow):
            while open_sections and open_sections[-1].depth >= row.depth:
                yield SubtotalRow(open_sections.pop())
            open_sections.append(row)
        else:
            while open_sections and open_sections[-1].id != row.section_id:
                yield SubtotalRow(open_sections.pop())
        yield row
    while open_sections:
        yield SubtotalRow(open_sections.pop())


def chunked(lines: Iterable, size: int) -> list[list]:
    chunks: list[list] = [[]]
    for line in lines:
        if len(chunks[-1]) == size:
            chunks.append([])
        chunks[-1].append(line)
    return [chunk for chunk in chunks if chunk]


def build_rab_pdf(project: Project, *, progress: Progress | None = None) -> bytes:
    """The PDF bytes of the project's RAB."""
    report = progress or (lambda done, total, stage="": None)
    report(0, 100, "Menghitung RAB")
    summary = load_rab_summary(project, count_missing_prices=False)
    notes = load_rab_notes(project, summary)
    total_rows = len(summary.sections) + summary.item_count
    lines: list[Row | SubtotalRow] = []
    for number, line in enumerate(with_subtotals(iter_full_rab(project, summary)), start=1):
        lines.append(line)
        if isinstance(line, ItemRow | SectionRow) and total_rows:
            report(READ_SHARE * min(number, total_rows) // total_rows, 100, "Menghitung RAB")
    context = document_context(project, title=TITLE, landscape=True, notes=notes)
    context.update(
        summary=summary,
        totals=summary.totals,
        tables=chunked(lines, ROWS_PER_TABLE),
    )
    return render_pdf(
        TEMPLATE,
        context,
        progress=progress,
        estimated_pages=len(lines) // ROWS_PER_PAGE + 2,
        progress_start=READ_SHARE,
        progress_span=100 - READ_SHARE,
        progress_total=100,
    )
