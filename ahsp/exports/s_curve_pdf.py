"""Kurva S and earned value as a formal PDF document (xhtml2pdf), landscape A4.

Content, from ``ahsp.loaders.progress.load_curves`` (the values of the Kurva S page):

- the S-curve chart (cumulative planned and actual % of the project; ``charts.s_curve_chart`` geometry drawn
  as a standalone SVG with inline attributes, ``charts.svg``, embedded as a data-URI image that xhtml2pdf
  draws through svglib as vector graphics);
- the weekly table: minggu, tanggal, rencana, rencana kumulatif, realisasi, realisasi kumulatif, deviasi
  and status (its header repeated on every page);
- the cost S-curve (PV, EV, AC) and the earned value table of the reported weeks: PV, EV, AC, SPI, CPI,
  EAC, ETC and VAC, with the latest figures and the formulas.

A project without a start date or duration, without reported weeks, without planned items or with a zero
RAB gets a note in Bahasa Indonesia where the missing part would be.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.formats import date_format

from ahsp.calculations.schedule import Week
from ahsp.charts import geometry as charts
from ahsp.charts.svg import LEGEND_HEIGHT, chart_svg, data_uri
from ahsp.exports.pdf_render import Progress, document_context, render_pdf
from ahsp.loaders.progress import load_curves
from ahsp.models import Project

TEMPLATE = "ahsp/pdf/s_curve.html"
TITLE = "Kurva S dan Nilai Hasil"
SUBTITLE = "Rencana dan realisasi progres pekerjaan"
CHART_WIDTH_CM = Decimal(25)
ROWS_PER_PAGE = 30  # an estimate for progress reporting only
READ_SHARE = 20
STATUS_LABELS = {
    "ahead": "lebih cepat",
    "on_track": "sesuai rencana",
    "behind": "terlambat",
    "critical": "kritis",
}
NO_SCHEDULE_NOTE = (
    "Proyek ini belum memiliki jadwal. Kurva S disusun per minggu sejak tanggal mulai proyek: isi tanggal "
    "mulai dan durasi (minggu) proyek di halaman ubah proyek, lalu susun rencana di halaman Jadwal."
)
ZERO_TOTAL_NOTE = (
    "Jumlah RAB masih nol: isi volume dan harga pekerjaan agar bobot, Kurva S dan nilai hasil dapat dihitung."
)
NOT_REPORTED_NOTE = (
    "Belum ada minggu yang dilaporkan: realisasi, nilai hasil dan biaya aktual muncul setelah progres "
    "minggu pertama diisi di halaman Progres."
)


def week_labels(weeks: list[Week]) -> tuple[list[str], list[str]]:
    """Short axis labels (``2 Mar``) and long ones (``2 Mar – 8 Mar 2026``), as the Kurva S page."""
    short = [date_format(week.start, "j M") for week in weeks]
    long = [f"{date_format(week.start, 'j M')} – {date_format(week.end, 'j M Y')}" for week in weeks]
    return short, long


def image(chart: charts.Chart, *, money: bool) -> dict:
    """The ``src`` and the printed size of a chart image (its aspect ratio kept)."""
    height = CHART_WIDTH_CM * (chart.height + LEGEND_HEIGHT) / chart.width
    return {
        "src": data_uri(chart_svg(chart, money=money)),
        "width": f"{CHART_WIDTH_CM:.2f}cm",
        "height": f"{height:.2f}cm",
    }


def build_s_curve_pdf(project: Project, *, progress: Progress | None = None) -> bytes:
    """The PDF bytes of the project's Kurva S and earned value."""
    if progress is not None:
        progress(0, 100, "Menghitung Kurva S")
    curves = load_curves(project, "week")
    summary = curves.summary
    context = document_context(project, title=TITLE, subtitle=SUBTITLE, landscape=True)
    context.update(
        summary=summary,
        no_schedule_note=NO_SCHEDULE_NOTE,
        zero_total_note=ZERO_TOTAL_NOTE,
        not_reported_note=NOT_REPORTED_NOTE,
    )
    if summary.is_scheduled:
        short, long = week_labels(summary.weeks)
        percent_chart = charts.s_curve_chart(
            summary.curve, short, long_labels=long, current_week=summary.current_week
        )
        weekly = [
            (week, row, STATUS_LABELS.get(row.status or "", ""))
            for week, row in zip(summary.weeks, summary.curve, strict=True)
        ]
        context.update(
            percent_chart=image(percent_chart, money=False),
            weekly_rows=weekly,
            earned_rows=list(zip(summary.weeks, summary.earned, strict=False)),
            latest=summary.earned[-1] if summary.earned else None,
            last_week=summary.weeks[-1],
        )
        if summary.total:
            cost_chart = charts.cost_curve_chart(
                curves.planned_values,
                summary.earned,
                short,
                budget=summary.total,
                long_labels=long,
                current_week=summary.current_week,
            )
            context["cost_chart"] = image(cost_chart, money=True)
    if progress is not None:
        progress(READ_SHARE, 100, "Menggambar Kurva S")
    weeks = len(summary.weeks)
    return render_pdf(
        TEMPLATE,
        context,
        progress=progress,
        estimated_pages=2 * weeks // ROWS_PER_PAGE + 3,
        progress_start=READ_SHARE,
        progress_span=100 - READ_SHARE,
    )
