"""Bandingkan: where the money moved between this project's estimate and another one the user can see (a
copy, last year's project), split into effects that add up to the change (issue 15 §5).

``/projects/<pk>/compare/?with=<other>``: ``other`` is the estimate before, this project the one after
(``?swap=1`` turns it round). The page lists the top-level sections by the size of their change; a section
opens through HTMX (``?open=<name>`` without JavaScript) to its items and their effects. Both projects go
through the access helper: a project the user cannot see is a 404, as everywhere.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from ahsp.exports.comparison import build_comparison_pdf, build_comparison_xlsx
from ahsp.loaders import comparison as loader
from ahsp.models import Project
from ahsp.views._access import project_for, projects_for
from ahsp.views._params import id_param, text_param
from partials.htmx import is_partial

PAGE = "ahsp/project_compare.html"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _pair(request: HttpRequest, pk: int) -> tuple[Project, Project | None, bool]:
    other_id = id_param(request.GET.get("with"))
    if other_id is None or other_id == pk:
        return project_for(request, pk), None, False
    project, other = projects_for(request, pk, other_id)
    return project, other, request.GET.get("swap") == "1"


def _choices(request: HttpRequest, project: Project) -> list[Project]:
    """The user's projects, and the opened frozen versions of this one (or of its project, for a version)."""
    root = project.snapshot_of_id or project.pk
    versions = Project.objects.readable_by(request.user).filter(snapshot_of_id=root)
    others = Project.objects.visible_to(request.user).order_by("name", "id")[:500]
    return [p for p in [*others, *versions.order_by("name", "id")] if p.pk != project.pk]


@login_required
@require_safe
def project_compare(request: HttpRequest, pk: int) -> HttpResponse:
    project, other, swap = _pair(request, pk)
    context = {
        "project": project,
        "other": other,
        "swap": swap,
        "choices": _choices(request, project),
    }
    if other is not None:
        before, after = (project, other) if swap else (other, project)
        comparison = loader.load_comparison(before, after)
        opened = text_param(request.GET.get("open", ""), max_length=255)
        context.update(
            comparison=comparison,
            opened=opened,
            opened_items=loader.section_items(comparison, opened) if opened else [],
        )
    return render(request, PAGE, context)


@login_required
@require_safe
def project_compare_document(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The comparison as XLSX or PDF (built in the request: a diff of 2,000 items takes well under 1 s)."""
    project, other, swap = _pair(request, pk)
    if other is None or fmt not in ("xlsx", "pdf"):
        raise Http404
    before, after = (project, other) if swap else (other, project)
    comparison = loader.load_comparison(before, after)
    if fmt == "xlsx":
        names = loader.resource_names(before, after)
        data, content_type = build_comparison_xlsx(comparison, names), XLSX
    else:
        data, content_type = build_comparison_pdf(comparison), "application/pdf"
    response = HttpResponse(data, content_type=content_type)
    name = slugify(after.name)[:60] or f"proyek-{after.pk}"
    response["Content-Disposition"] = f'attachment; filename="perbandingan-{name}.{fmt}"'
    return response


@login_required
@require_safe
def project_compare_section(request: HttpRequest, pk: int) -> HttpResponse:
    """HTMX: the items of one top-level section (``?section=<name>``) and their effects."""
    project, other, swap = _pair(request, pk)
    if other is None or not is_partial(request):
        return project_compare(request, pk)
    before, after = (project, other) if swap else (other, project)
    comparison = loader.load_comparison(before, after)
    name = text_param(request.GET.get("section", ""), max_length=255)
    return render(
        request,
        f"{PAGE}#section-items",
        {"project": project, "items": loader.section_items(comparison, name), "name": name},
    )
