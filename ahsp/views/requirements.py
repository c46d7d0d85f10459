"""Rekap Kebutuhan: the resources the work items need (quantity, cost, purchase units), optionally of one
section. An htmx request (the section filter) gets only the table; another user's project is a 404."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from ahsp.calculations.unit_price import UnitPriceError
from ahsp.models import Project
from ahsp.requirements import SectionNotFound, load_requirements
from partials.htmx import template_for

PAGE = "ahsp/project_requirements.html"


def _section_id(raw: str) -> int | None:
    """``?section=12`` -> 12; empty -> None (every section). ``SectionNotFound`` for anything else."""
    raw = raw.strip()
    if not raw:
        return None
    if not raw.isascii() or not raw.isdecimal() or len(raw) > 18:
        raise SectionNotFound(raw)
    return int(raw)


def _load(project: Project, raw_section: str):
    """(report, error message). An unknown section shows every section, with a message."""
    try:
        return load_requirements(project, section_id=_section_id(raw_section)), ""
    except SectionNotFound:
        report, error = _load(project, "")
        return report, error or _(
            "Klasifikasi yang dipilih tidak ditemukan di proyek ini. Ditampilkan kebutuhan semua klasifikasi."
        )
    except UnitPriceError as exc:  # a cycle or a dangling nested analysis: data to fix, not a crash
        return None, str(exc)


@login_required
@require_safe
@vary_on_headers("HX-Request")
def project_requirements(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(Project.objects.visible_to(request.user), pk=pk)
    report, error = _load(project, request.GET.get("section", ""))
    context = {"project": project, "report": report, "error": error}
    return render(request, template_for(request, PAGE, "requirements-table"), context)
