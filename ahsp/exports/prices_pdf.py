"""The resource prices (daftar harga satuan dasar) as a formal PDF document (xhtml2pdf), portrait A4.

The resources used by the project's analyses, by category (A Tenaga Kerja, B Bahan, C Peralatan,
D Lain-lain), each ordered by code, with the purchase unit, its factor and the price per purchase unit
where a resource has one; missing prices are marked and counted. Data: ``ahsp.loaders.prices.load_price_list``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ahsp.exports.pdf_render import Progress, document_context, render_pdf
from ahsp.loaders.prices import PriceGroup, load_price_list, missing_count
from ahsp.models import Project

TEMPLATE = "ahsp/pdf/prices.html"
TITLE = "Daftar Harga Satuan Dasar"
ROWS_PER_PAGE = 40  # an estimate for progress reporting only
READ_SHARE = 10


@dataclass(frozen=True)
class LetteredGroup:
    letter: str
    label: str
    rows: tuple

    @classmethod
    def of(cls, index: int, group: PriceGroup) -> LetteredGroup:
        return cls(chr(ord("A") + index), group.label, group.rows)


def build_prices_pdf(project: Project, *, progress: Progress | None = None) -> bytes:
    """The PDF bytes of the project's resource price list."""
    if progress is not None:
        progress(0, 100, "Membaca harga")
    groups = load_price_list(project)
    count = sum(len(group.rows) for group in groups)
    context = document_context(project, title=TITLE, subtitle="Harga upah, bahan dan peralatan")
    context.update(
        groups=[LetteredGroup.of(index, group) for index, group in enumerate(groups)],
        resource_count=count,
        missing=missing_count(groups),
    )
    return render_pdf(
        TEMPLATE,
        context,
        progress=progress,
        estimated_pages=count // ROWS_PER_PAGE + 1,
        progress_start=READ_SHARE,
        progress_span=100 - READ_SHARE,
    )
