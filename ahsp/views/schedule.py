"""Jadwal Pelaksanaan: the Gantt page, its HTMX fragments (week window, sections, a row after an edit),
the plan edits (one work item, a whole section) and the stages (tahapan).

Every view checks the permission first: reading needs ``visible_to``, writing ``editable_by``; another
user's project is a 404 on every URL, GET or POST. Without JavaScript every link and form still works:
links carry ``?from=`` / ``?open=`` and POSTs redirect back to the page (PRG) with a message.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from ahsp import idempotency
from ahsp.calculations.schedule import ScheduleError
from ahsp.forms.schedule import OpenSectionsForm, StageForm, WeekRangeForm, WeekSharesForm, first_error
from ahsp.loaders import gantt as gantt_data
from ahsp.models import Project, Section, Stage, WorkItem
from ahsp.services import schedule as schedule_services
from ahsp.services.work_items import ConflictError
from ahsp.views._access import may_edit, project_for
from ahsp.views._page_cache import cached_project_page
from ahsp.views._params import id_param, ids_param
from ahsp.views._version import posted_version
from partials.htmx import is_partial

PAGE = "ahsp/project_schedule.html"


def _closed_ids(request: HttpRequest) -> set[int]:
    """``closed=12``: in a small project (every section open), the sections the user closed."""
    if request.method == "POST":
        return _sections_posted(request)["closed"]
    return ids_param(request.GET.getlist("closed"))


def _sections_posted(request: HttpRequest) -> dict[str, set[int]]:
    """The ``open`` and ``closed`` section ids a posted form carries (invalid ones ignored)."""
    form = OpenSectionsForm(request.POST)
    form.is_valid()  # an id list is never invalid: what is not an id is left out
    return form.cleaned_data


def _valid(form) -> dict:
    """The cleaned data of a plan form, or a ``ScheduleError`` with its first message (shown in the row)."""
    if not form.is_valid():
        raise ScheduleError(first_error(form))
    return form.cleaned_data


def _page_url(
    project: Project, first: int | str | None = None, open_ids=(), anchor: str = "", closed_ids=()
) -> str:
    url = reverse("ahsp:project_schedule", args=[project.pk])
    query = [f"from={first}"] if first not in (None, "") else []
    query += [f"open={pk}" for pk in sorted(open_ids)]
    query += [f"closed={pk}" for pk in sorted(closed_ids)]
    return url + ("?" + "&".join(query) if query else "") + (f"#{anchor}" if anchor else "")


def _raw_from(request: HttpRequest) -> str:
    return (request.POST.get("from") if request.method == "POST" else request.GET.get("from")) or ""


def _context(request: HttpRequest, project: Project, gantt, **extra) -> dict:
    context = {
        "project": project,
        "gantt": gantt,
        "window": gantt.window if gantt else None,
        "scheduled": gantt is not None,
        "can_edit": may_edit(request, project),
        "page_url": reverse("ahsp:project_schedule", args=[project.pk]),
    }
    if gantt is not None:
        window = gantt.window
        context["pager"] = {
            name: _page_url(project, first, gantt.open_ids, closed_ids=gantt.closed_ids)
            for name, first in (
                ("previous", window.previous),
                ("next", window.next),
                ("current", window.current_start),
            )
            if first
        }
        context["column_count"] = 4 + window.size
    context.update(extra)
    return context


def _render_page(
    request: HttpRequest, project: Project, open_ids=(), closed_ids=None, **extra
) -> HttpResponse:
    gantt = None
    if gantt_data.is_scheduled(project):
        closed = _closed_ids(request) if closed_ids is None else closed_ids
        gantt = gantt_data.load_gantt(project, _raw_from(request), open_ids, closed_ids=closed)
    template = f"{PAGE}#gantt-grid" if is_partial(request) and gantt is not None else PAGE
    return render(request, template, _context(request, project, gantt, **extra))


# --- reading -------------------------------------------------------------------------------------------


def _read_only(request: HttpRequest) -> HttpResponse | None:
    """A 405 for anything but GET/HEAD, once the permission is checked (so another user's project is a
    404 whatever the method)."""
    return None if request.method in ("GET", "HEAD") else HttpResponseNotAllowed(["GET", "HEAD"])


@login_required
@cached_project_page("project_schedule")
def project_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    """The Gantt page; an HTMX request (week window paging) gets only the grid."""
    project = project_for(request, pk)
    if refused := _read_only(request):
        return refused
    return _render_page(request, project, ids_param(request.GET.getlist("open")))


@login_required
@cached_project_page("project_schedule_section")
def project_schedule_section(request: HttpRequest, pk: int, section_id: int) -> HttpResponse:
    """HTMX: the section's row (open) followed by its rows, or with ``?collapsed=1`` its closed row.
    A plain GET renders the whole page with that section open."""
    project = project_for(request, pk)
    section = get_object_or_404(Section, project=project, pk=section_id)
    if refused := _read_only(request):
        return refused
    open_ids = {section.pk} | ids_param(request.GET.getlist("open"))
    if not is_partial(request) or not gantt_data.is_scheduled(project):
        return _render_page(request, project, open_ids, closed_ids=_closed_ids(request) - {section.pk})
    try:
        gantt = gantt_data.load_gantt_section(
            project, section.pk, _raw_from(request), collapsed=request.GET.get("collapsed") == "1"
        )
    except KeyError:  # the section went away between the two queries
        raise Http404 from None
    return render(request, f"{PAGE}#gantt-rows", _context(request, project, gantt))


# --- plan of one work item ----------------------------------------------------------------------------


def _edit_item(request: HttpRequest, project: Project, item: WorkItem) -> str:
    """Apply the posted action; the message for the user (a ``ScheduleError``/``ConflictError`` is raised
    on failure, nothing written)."""
    data = request.POST
    action = data.get("action") or "even"
    version = posted_version(data.get("version"))
    if action == "clear":
        schedule_services.clear_plan(item=item, by=request.user, expected_version=version)
        return _("Rencana dikosongkan.")
    if action == "explicit":
        shares = _valid(WeekSharesForm(data))["shares"]
        schedule_services.set_plan(item=item, shares=shares, by=request.user, expected_version=version)
        return _("Rencana disimpan.")
    if action == "stage":
        raw = (data.get("stage") or "").strip()
        stage = None
        if raw:
            stage = Stage.objects.filter(project=project, pk=id_param(raw)).first()
            if stage is None:
                raise ScheduleError(_("Tahapan tidak ditemukan di proyek ini."))
        schedule_services.assign_stage(item=item, stage=stage, by=request.user, expected_version=version)
        return _("Tahapan disimpan.")
    weeks = _valid(WeekRangeForm(data))
    schedule_services.set_even_plan(item=item, **weeks, by=request.user, expected_version=version)
    return _("Rencana disimpan.")


@login_required
@require_http_methods(["GET", "POST"])
def project_schedule_item(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    """POST: plan a work item evenly (``first_week``/``last_week``), by explicit % per week (``shares``),
    clear its plan, or set its stage (``action``), with the row's ``version``. HTMX gets the row and, out
    of band, its sections' rows and the weekly totals; a plain POST redirects back to the page. Errors
    (bad numbers, a sum other than 100 %, a stale version) come back in the row with status 200."""
    project = project_for(request, pk, edit=request.method == "POST")
    item = get_object_or_404(WorkItem, project=project, pk=item_id)
    raw_from = _raw_from(request)
    back = _page_url(project, raw_from, {item.section_id}, anchor=f"gantt-item-{item.pk}")
    if request.method == "GET":
        return redirect(back)
    if not gantt_data.is_scheduled(project):
        messages.error(request, schedule_services.NO_SCHEDULE)
        page = _page_url(project)
        return HttpResponseClientRedirect(page) if is_partial(request) else redirect(page)
    error = notice = ""
    try:
        notice = _edit_item(request, project, item)
    except (ScheduleError, ConflictError) as exc:
        error = str(exc)
    if not is_partial(request):
        if error:
            messages.error(request, f"{item.name[:80]}: {error}")
        else:
            messages.success(request, f"{item.name[:80]}: {notice}")
        return redirect(back)
    gantt = gantt_data.load_gantt_item(project, item, raw_from)
    if not gantt.items:  # deleted meanwhile
        return HttpResponseClientRedirect(_page_url(project, raw_from))
    context = _context(
        request,
        project,
        gantt,
        line=gantt.items[0],
        row_error=error,
        row_notice=notice,
        posted=request.POST if error else None,
        oob=True,
    )
    return render(request, f"{PAGE}#gantt-item-response", context)


# --- bulk plan of a section -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def project_schedule_section_plan(request: HttpRequest, pk: int, section_id: int) -> HttpResponse:
    """POST: plan every work item of the section (and its sub-sections) evenly over the same weeks.
    HTMX gets the whole grid back (the section open), a plain POST a redirect to the page."""
    project = project_for(request, pk, edit=request.method == "POST")
    section = get_object_or_404(Section, project=project, pk=section_id)
    raw_from = _raw_from(request)
    if request.method == "GET":
        return redirect(_page_url(project, raw_from, {section.pk}, anchor=f"gantt-section-{section.pk}"))
    error = notice = ""
    try:
        weeks = _valid(WeekRangeForm(request.POST))
        count = schedule_services.plan_section(section=section, **weeks, by=request.user)
        notice = _(
            "%(count)s pekerjaan di “%(name)s” direncanakan merata minggu ke-%(first)s s.d. ke-%(last)s."
        ) % {
            "count": count,
            "name": section.name,
            "first": weeks["first_week"],
            "last": weeks["last_week"],
        }
    except ScheduleError as exc:
        error = str(exc)
    if not is_partial(request) or not gantt_data.is_scheduled(project):
        if error:
            messages.error(request, f"{section.name[:80]}: {error}")
        else:
            messages.success(request, notice)
        return redirect(_page_url(project, raw_from, {section.pk}, anchor=f"gantt-section-{section.pk}"))
    open_ids = {section.pk} | _sections_posted(request)["open"]
    gantt = gantt_data.load_gantt(project, raw_from, open_ids, closed_ids=_closed_ids(request) - {section.pk})
    section_message = {
        "id": section.pk,
        "error": error,
        "notice": notice,
        "first_week": request.POST.get("first_week", ""),
        "last_week": request.POST.get("last_week", ""),
    }
    return render(
        request, f"{PAGE}#gantt-grid", _context(request, project, gantt, section_message=section_message)
    )


# --- stages -------------------------------------------------------------------------------------------


def _stages_back(project: Project, request: HttpRequest) -> HttpResponse:
    return redirect(_page_url(project, _raw_from(request), anchor="stages"))


def _stage_form(request: HttpRequest) -> StageForm | None:
    """The posted stage, or None after putting its errors in the messages."""
    form = StageForm(request.POST)
    if form.is_valid():
        return form
    labels = {"name": _("Nama tahapan"), "start_date": _("Tanggal mulai"), "end_date": _("Tanggal selesai")}
    for name, errors in form.errors.items():
        messages.error(request, f"{labels.get(name, name)}: {' '.join(errors)}")
    return None


@login_required
@require_http_methods(["GET", "POST"])
def project_schedule_stage_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk, edit=request.method == "POST")
    if request.method == "POST" and (repeated := idempotency.replay(request)) is not None:
        return repeated
    form = _stage_form(request) if request.method == "POST" else None
    if form is not None:
        try:
            stage = idempotency.create_once(
                request,
                lambda: schedule_services.create_stage(project=project, **form.cleaned_data, by=request.user),
                lambda stage: _stages_back(project, request)["Location"],
            )
            if isinstance(stage, HttpResponse):
                return stage
            messages.success(request, _("Tahapan “%(name)s” ditambahkan.") % {"name": stage.name})
        except ScheduleError as exc:
            messages.error(request, str(exc))
    return _stages_back(project, request)


@login_required
@require_http_methods(["GET", "POST"])
def project_schedule_stage_edit(request: HttpRequest, pk: int, stage_id: int) -> HttpResponse:
    project = project_for(request, pk, edit=request.method == "POST")
    stage = get_object_or_404(Stage, project=project, pk=stage_id)
    if request.method == "POST":
        form = _stage_form(request)
        if form is not None:
            try:
                stage = schedule_services.update_stage(stage=stage, **form.cleaned_data, by=request.user)
                messages.success(request, _("Tahapan “%(name)s” disimpan.") % {"name": stage.name})
            except ScheduleError as exc:
                messages.error(request, str(exc))
    return _stages_back(project, request)


@login_required
@require_http_methods(["GET", "POST"])
def project_schedule_stage_delete(request: HttpRequest, pk: int, stage_id: int) -> HttpResponse:
    """Delete a stage after a confirmation page (GET); its work items stay, without a stage."""
    project = project_for(request, pk, edit=True)
    stage = get_object_or_404(Stage, project=project, pk=stage_id)
    if request.method == "POST":
        schedule_services.delete_stage(stage=stage, by=request.user)
        messages.success(request, _("Tahapan “%(name)s” dihapus.") % {"name": stage.name})
        return _stages_back(project, request)
    count = WorkItem.objects.filter(stage=stage).count()
    return render(
        request,
        "ahsp/confirm_delete.html",
        {
            "project": project,
            "what": _("tahapan “%(name)s”") % {"name": stage.name},
            "detail": _("%(count)s pekerjaan di tahapan ini tetap ada, tanpa tahapan.") % {"count": count},
            "cancel_url": _page_url(project, _raw_from(request), anchor="stages"),
            "keep": {"from": _raw_from(request)},
        },
    )
