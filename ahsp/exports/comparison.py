"""The comparison of two estimates as documents (issue 15 §5): a workbook (summary with the causes, and one
row per changed item with a column per effect) and a PDF (the summary, the causes and the sections with
their items), both from ``ahsp.loaders.comparison`` so they show exactly the page's figures."""

from __future__ import annotations

import io

import xlsxwriter

from ahsp.calculations import estimate_diff as ed
from ahsp.exports.pdf_render import document_context, render_pdf
from ahsp.loaders.comparison import Comparison, effect_label, section_items

TEMPLATE = "ahsp/pdf/comparison.html"
TITLE = "Perbandingan Estimasi"


def _exact(value) -> str:
    """Every digit of an effect, no trailing zeros (``441526.25``): the cells show it rounded to cents."""
    return format(value.normalize(), "f")


def _kinds(comparison: Comparison) -> list[str]:
    """Every effect kind of the items, in the order of the causes (largest first)."""
    return [cause.kind for cause in comparison.causes if cause.kind not in (ed.VAT, ed.TOTAL_ROUNDING)]


def build_comparison_xlsx(comparison: Comparison, names: dict[str, str]) -> bytes:
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "#,##0.00"})
    summary = book.add_worksheet("Ringkasan")
    summary.set_column(0, 0, 48)
    summary.set_column(1, 1, 22)
    rows = [
        ("Estimasi awal", comparison.before.name, comparison.diff.before),
        ("Estimasi akhir", comparison.after.name, comparison.diff.after),
    ]
    summary.write(0, 0, comparison.sentence)
    for number, (label, name, total) in enumerate(rows, start=2):
        summary.write(number, 0, f"{label}: {name}")
        summary.write_number(number, 1, float(total), money)  # display only; the exact text follows
        summary.write(number, 2, _exact(total))
    summary.write(5, 0, "Penyebab", bold)
    summary.write(5, 1, "Pengaruh (Rp)", bold)
    for number, cause in enumerate(comparison.causes, start=6):
        summary.write(number, 0, cause.label)
        summary.write_number(number, 1, float(cause.amount), money)
        summary.write(number, 2, _exact(cause.amount))
    last = 6 + len(comparison.causes)
    summary.write(last, 0, "Selisih total dibulatkan", bold)
    summary.write_number(last, 1, float(comparison.diff.change), money)

    items = book.add_worksheet("Per pekerjaan")
    kinds = _kinds(comparison)
    header = ["Klasifikasi", "Pekerjaan", "Sebelum (Rp)", "Sesudah (Rp)", "Selisih (Rp)"]
    header += [effect_label(kind, names) for kind in kinds]
    items.write_row(0, 0, header, bold)
    items.set_column(0, 1, 36)
    items.set_column(2, len(header), 16)
    changed = [item for item in comparison.diff.items if item.effects]
    for number, item in enumerate(sorted(changed, key=lambda i: (-abs(i.change), i.name)), start=1):
        items.write(number, 0, " / ".join(item.section))
        items.write(number, 1, item.name)
        values = [item.before, item.after, item.change, *(item.effects.get(kind, ed.ZERO) for kind in kinds)]
        for column, value in enumerate(values, start=2):
            items.write_number(number, column, float(value), money)
    book.close()
    return output.getvalue()


def build_comparison_pdf(comparison: Comparison) -> bytes:
    context = document_context(
        comparison.after, title=TITLE, subtitle=f"dibandingkan dengan {comparison.before.name}"
    )
    context.update(
        comparison=comparison,
        sections=[(section, section_items(comparison, section.name)) for section in comparison.sections],
    )
    return render_pdf(TEMPLATE, context)
