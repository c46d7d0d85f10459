"""Rekap RAB: the recap page (sections collapsed, opened through HTMX), its print view and the CSV.

Permissions are checked here, in every view: another user's project is a 404, for pages and fragments.
The page and the print view state the BUK % and whether the RAB is complete from ``ahsp.loaders.rab_notes``
(the one notion of completeness; the summary's own unpriced count is not loaded).
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from ahsp.exports import rab_csv
from ahsp.loaders import rab as rab_loader
from ahsp.loaders.rab_notes import load_rab_notes
from ahsp.models import Project
from ahsp.views._access import project_for
from ahsp.views._page_cache import cached_project_page
from ahsp.views._params import ids_param
from partials.htmx import is_partial

PAGE = "ahsp/project_rab.html"
CSV_CHUNK_SIZE = 500


def _open_ids(request: HttpRequest) -> set[int]:
    """``?open=12&open=15``: the sections to show open (anything not a number is ignored)."""
    return ids_param(request.GET.getlist("open"))


def _page(request: HttpRequest, project: Project, summary, rows, *, printing: bool) -> HttpResponse:
    context = {
        "project": project,
        "summary": summary,
        "notes": load_rab_notes(project, summary),
        "totals": summary.totals,
        "rows": rows,
        "printing": printing,
        "prices_url": reverse("ahsp:project_prices", args=[project.pk]),
    }
    return render(request, PAGE, context)


@login_required
@require_safe
@cached_project_page("project_rab")
def project_rab(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk)
    summary = rab_loader.load_rab_summary(project, count_missing_prices=False)
    if request.GET.get("print") == "1":
        return _page(request, project, summary, rab_loader.load_full_rab(project, summary), printing=True)
    rows = rab_loader.load_rab_rows(project, summary, _open_ids(request))
    return _page(request, project, summary, rows, printing=False)


@login_required
@require_safe
@cached_project_page("project_rab_section")
def project_rab_section(request: HttpRequest, pk: int, section_id: int) -> HttpResponse:
    """HTMX: the section's row (open) followed by its rows, or with ``?collapsed=1`` its closed row.
    A plain GET renders the whole page with that section open."""
    project = project_for(request, pk)
    partial = is_partial(request)
    summary = rab_loader.load_rab_summary(project, count_missing_prices=False)
    if section_id not in summary.sections:
        raise Http404
    if not partial:
        rows = rab_loader.load_rab_rows(project, summary, {section_id} | _open_ids(request))
        return _page(request, project, summary, rows, printing=False)
    if request.GET.get("collapsed") == "1":
        rows = [summary.sections[section_id]]
    else:
        rows = rab_loader.load_section_rows(project, section_id, summary)
    return render(request, f"{PAGE}#rab-rows", {"project": project, "rows": rows, "printing": False})


@login_required
@require_safe
def project_rab_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    project = project_for(request, pk)
    summary = rab_loader.load_rab_summary(project, count_missing_prices=False)
    notes = load_rab_notes(project, summary)
    rows = rab_loader.iter_full_rab(project, summary, chunk_size=CSV_CHUNK_SIZE)
    response = StreamingHttpResponse(
        rab_csv.build_rab_csv(summary, rows, notes=notes), content_type="text/csv; charset=utf-8"
    )
    name = slugify(project.name)[:80].strip("-") or f"proyek-{project.pk}"
    response["Content-Disposition"] = content_disposition_header(True, f"rab-{name}.csv")
    return response
