"""Kurva S: the cumulative planned and actual progress (% of the project) as a server-rendered SVG with
the weekly table, the cost S-curve with earned value (PV, EV, AC, SPI, CPI, EAC, ETC, VAC) and the
progress report per week or per calendar month (``?period=month``).

An htmx request gets only the ``s-curve-content`` fragment (the period toggle swaps its report out of
it); another user's project is a 404.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from ahsp.calculations.schedule import Week
from ahsp.charts import geometry as charts
from ahsp.loaders.progress import load_curves
from ahsp.views._access import project_for
from ahsp.views._page_cache import cached_project_page
from partials.htmx import template_for

PAGE = "ahsp/project_s_curve.html"


def week_labels(weeks: list[Week]) -> tuple[list[str], list[str]]:
    """Short labels for the axis (the week's first day, ``2 Mar``) and long ones for the point titles
    (``2 Mar – 8 Mar 2026``), in the active language."""
    short = [date_format(week.start, "j M") for week in weeks]
    long = [f"{date_format(week.start, 'j M')} – {date_format(week.end, 'j M Y')}" for week in weeks]
    return short, long


@login_required
@require_safe
@cached_project_page("project_s_curve")
def project_s_curve(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk)
    period = "month" if request.GET.get("period") == "month" else "week"
    curves = load_curves(project, period)
    summary = curves.summary
    url = reverse("ahsp:project_s_curve", args=[project.pk])
    context = {
        "project": project,
        "summary": summary,
        "curves": curves,
        "period": period,
        "week_url": url,
        "month_url": f"{url}?period=month",
    }
    if summary.is_scheduled:
        short, long = week_labels(summary.weeks)
        context |= {
            "weekly_rows": list(zip(summary.weeks, summary.curve, strict=True)),
            "earned_rows": list(zip(summary.weeks, summary.earned, strict=False)),
            "latest": summary.earned[-1] if summary.earned else None,
            "percent_chart": charts.s_curve_chart(
                summary.curve,
                short,
                long_labels=long,
                current_week=summary.current_week,
                names={"planned": _("Rencana kumulatif"), "actual": _("Realisasi kumulatif")},
            ),
            "cost_chart": charts.cost_curve_chart(
                curves.planned_values,
                summary.earned,
                short,
                budget=summary.total,
                long_labels=long,
                current_week=summary.current_week,
                names={
                    "pv": _("Nilai rencana (PV)"),
                    "ev": _("Nilai hasil (EV)"),
                    "ac": _("Biaya aktual (AC)"),
                },
            ),
        }
    return render(request, template_for(request, PAGE, "s-curve-content"), context)
