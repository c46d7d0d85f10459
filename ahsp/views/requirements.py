"""Rekap Kebutuhan: the resources the work items need (quantity, cost, purchase units), optionally of one
section and/or one stage (tahapan), in total or per week (``?view=mingguan``, by windows of weeks with
``?from=<week>``). An htmx request (the filters, the Total / Per minggu switch, the week pager) gets only
the table fragment; another user's project is a 404. A bad parameter never fails the page: an unknown
section or stage shows a message and is ignored, an unknown view is the total, a bad ``from`` is clamped.
"""

from functools import partial
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from ahsp.calculations.unit_price import UnitPriceError
from ahsp.loaders.requirements import NO_STAGE, SectionNotFound, StageFilter, StageNotFound, load_requirements
from ahsp.loaders.requirements_weekly import load_weekly_requirements
from ahsp.models import Project
from ahsp.views._access import project_for
from ahsp.views._page_cache import cached_project_page
from ahsp.views._params import id_param
from partials.htmx import template_for

PAGE = "ahsp/project_requirements.html"
WEEKLY = "mingguan"  # ?view=mingguan


def _id(raw: str) -> int | None:
    """``"12"`` -> 12; empty -> None; anything else -> ``ValueError``."""
    if not raw.strip():
        return None
    number = id_param(raw)
    if number is None:
        raise ValueError(raw)
    return number


def _section_id(raw: str) -> int | None:
    """``?section=12`` -> 12; empty -> None (every section). ``SectionNotFound`` for anything else."""
    try:
        return _id(raw)
    except ValueError:
        raise SectionNotFound(raw) from None


def _stage(raw: str) -> StageFilter:
    """``?stage=12`` -> 12, ``?stage=none`` -> ``NO_STAGE``, empty -> None. ``StageNotFound`` else."""
    if raw.strip() == NO_STAGE:
        return NO_STAGE
    try:
        return _id(raw)
    except ValueError:
        raise StageNotFound(raw) from None


def _section_message() -> str:
    return _(
        "Klasifikasi yang dipilih tidak ditemukan di proyek ini. Ditampilkan kebutuhan semua klasifikasi."
    )


def _stage_message() -> str:
    return _("Tahapan yang dipilih tidak ditemukan di proyek ini. Ditampilkan kebutuhan semua tahapan.")


def _load(load, raw_section: str, raw_stage: str) -> tuple[object | None, list[str]]:
    """(report, error messages). An unknown section or stage is dropped from the filter, with a message."""
    errors: list[str] = []
    section = stage = None
    try:
        section = _section_id(raw_section)
    except SectionNotFound:
        errors.append(_section_message())
    try:
        stage = _stage(raw_stage)
    except StageNotFound:
        errors.append(_stage_message())
    while True:
        try:
            return load(section_id=section, stage=stage), errors
        except SectionNotFound:
            section = None
            errors.append(_section_message())
        except StageNotFound:
            stage = None
            errors.append(_stage_message())
        except UnitPriceError as exc:  # a cycle or a dangling nested analysis: data to fix, not a crash
            return None, [*errors, str(exc)]


def _schedule_url(project: Project) -> str:
    try:
        return reverse("ahsp:project_schedule", args=[project.pk])
    except NoReverseMatch:
        return f"/projects/{project.pk}/schedule/"


@login_required
@require_safe
@cached_project_page("project_requirements")
def project_requirements(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk)
    weekly = request.GET.get("view", "") == WEEKLY
    raw_section, raw_stage = request.GET.get("section", ""), request.GET.get("stage", "")
    if weekly:
        load = partial(load_weekly_requirements, project, request.GET.get("from", ""))
    else:
        load = partial(load_requirements, project)
    report, errors = _load(load, raw_section, raw_stage)
    base = reverse("ahsp:project_requirements", args=[project.pk])

    def page_url(**params) -> str:
        """The page with the current (valid) filters and ``params``; empty values are left out."""
        query = {"section": "", "stage": ""}
        if report:
            query = {"section": report.section.id if report.section else "", "stage": report.stage_value}
        query.update(params)
        query = {key: value for key, value in query.items() if value not in ("", None)}
        return base + ("?" + urlencode(query) if query else "")

    context = {
        "project": project,
        "report": report,
        "errors": errors,
        "weekly": weekly,
        "no_stage": NO_STAGE,
        "page_url": base,
        "total_url": page_url(),
        "weekly_url": page_url(view=WEEKLY),
    }
    if weekly:
        context["schedule_url"] = _schedule_url(project)
        window = report.window if report else None
        if window is not None:
            context["pager"] = {
                name: page_url(view=WEEKLY, **{"from": first})
                for name, first in (("previous", window.previous), ("next", window.next))
                if first
            }
    return render(request, template_for(request, PAGE, "requirements-table"), context)
