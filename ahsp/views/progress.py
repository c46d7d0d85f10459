"""Progres minggu ke-t: the weekly report (cut-off date, actual cost) and the actual progress of the work
items active in that week (``ahsp.calculations.progress`` says which), with the deviation per week.

- GET ``?week=t`` (default: the current week, else the last reported week) and ``?all=1`` (every item,
  not only the active ones). An htmx GET gets only the ``progress-content`` fragment.
- One row is saved through htmx (``progress_item``): the response is the row, with the week's totals and
  the deviation table out of band. Without JS the whole form posts to the page: every row the user
  changed is saved, each on its own (one row = one transaction), then a redirect back (PRG); rows that
  failed are shown with their message and the typed value (status 200).
- Errors (not a number, cumulative over 100 %, a row changed meanwhile) are shown on the row, status 200;
  nothing of a failed row is written.

Permissions are checked in every view: another user's project is a 404 (GET and POST).
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, replace

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from ahsp.calculations.schedule import ScheduleError
from ahsp.formatting import format_number
from ahsp.forms.progress import WeekReportForm, progress_value
from ahsp.loaders.progress import WeekPage, load_week
from ahsp.models import Project, WorkItem
from ahsp.services import schedule as schedule_services
from ahsp.services.work_items import ConflictError
from ahsp.views._access import project_for
from ahsp.views._page_cache import cached_project_page
from ahsp.views._params import id_param, number_param
from ahsp.views._version import posted_version
from partials.htmx import is_partial, template_for

PAGE = "ahsp/project_progress.html"
ROW_WRITES = [{"model": "ahsp.WorkItem", "field": "get()"}, {"model": "ahsp.ProgressEntry"}]


def _repeated_reads_allowed(allowlist: list[dict]):
    """The test settings' N+1 guard (django-zeal, installed only there) told that these repeated reads
    are meant; in production zeal is not installed and nothing is imported."""
    if not apps.is_installed("zeal"):
        return nullcontext()
    from zeal import zeal_ignore  # noqa: PLC0415 (a test-only library: never imported in production)

    return zeal_ignore(allowlist)


FIELD = "progress-"  # progress-<item id>: this week's % of the item; version-<item id>, initial-<item id>
ROWS_PER_CHUNK = 150  # rows rendered at once; the next ones load when the last row is revealed (htmx)


@dataclass(frozen=True)
class RowState:
    """What the user typed in a row that was not saved, and why."""

    value: str
    error: str


@dataclass(frozen=True)
class ReportState:
    report_date: str
    actual_cost: str
    errors: tuple[str, ...] = ()
    saved: bool = False


def _int(raw: str | None) -> int | None:
    """A week, a row count or a row version from the request: a plain number up to 999.999, else None."""
    return number_param(raw, maximum=999_999)


def _page_url(project: Project, week: int | None, show_all: bool = False, shown: int = 0) -> str:
    """The page of ``week``; ``shown``: the rows already shown (the next chunk's request)."""
    pairs = (("week", week), ("all", 1 if show_all else None), ("shown", shown or None))
    query = {key: value for key, value in pairs if value}
    url = reverse("ahsp:project_progress", args=[project.pk])
    return f"{url}?{urlencode(query)}" if query else url


def _report_state(page: WeekPage) -> ReportState:
    """The weekly report form as stored (the report date defaults to the last day of the week)."""
    report = page.summary.reports.get(page.week)
    week = page.summary.weeks[page.week - 1]
    report_date = report.report_date if report and report.report_date else week.end
    cost = report.actual_cost if report else None
    return ReportState(
        report_date.isoformat() if report_date else "",
        format_number(cost, 2) if cost is not None else "",
    )


def _context(
    project: Project,
    page: WeekPage,
    *,
    show_all: bool,
    states: dict[int, RowState] | None = None,
    report: ReportState | None = None,
    start: int = 0,
    end: int | None = None,
) -> dict:
    states = states or {}
    # The rows [start, end): a chunk (the next ones load when the last is revealed); every row when
    # some have errors.
    if end is None:
        end = len(page.rows) if states else start + ROWS_PER_CHUNK
    end = min(end, len(page.rows))
    previous_section = page.rows[start - 1].section_id if 0 < start <= len(page.rows) else None
    entries = []
    for row in page.rows[start:end]:
        entries.append((row, states.get(row.id), row.section_id != previous_section))  # header?
        previous_section = row.section_id
    context = {
        "project": project,
        "page": page,
        "summary": page.summary,
        "show_all": show_all,
        "entries": entries,
        "report": report,
        "more_url": _page_url(project, page.week, show_all, end) if end < len(page.rows) else "",
        "more_count": min(ROWS_PER_CHUNK, len(page.rows) - end),
        "columns": 9,
    }
    if page.summary.is_scheduled:
        weeks = page.summary.weeks
        context.update(
            {
                "week": weeks[page.week - 1],
                "previous_url": _page_url(project, page.week - 1, show_all) if page.week > 1 else "",
                "next_url": _page_url(project, page.week + 1, show_all) if page.week < len(weeks) else "",
                "toggle_url": _page_url(project, page.week, not show_all),
                "deviations": list(zip(weeks, page.summary.curve, strict=True)),
                "report": report or _report_state(page),
            }
        )
    return context


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@cached_project_page("project_progress")
def project_progress(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "POST":
        return _save_all(request, pk)
    project = project_for(request, pk)
    show_all = request.GET.get("all") == "1"
    page = load_week(project, _int(request.GET.get("week")), show_all=show_all)
    shown = min(_int(request.GET.get("shown")) or 0, len(page.rows))
    if shown and is_partial(request):  # the next chunk of rows, replacing the "more" row
        if shown >= len(page.rows):  # nothing left (rows changed since): the "more" row just goes
            return HttpResponse("")
        context = _context(project, page, show_all=show_all, start=shown)
        return render(request, f"{PAGE}#progress-rows", context)
    # Without JS, "Tampilkan berikutnya" asks for the page again with the next chunk too.
    end = shown + ROWS_PER_CHUNK if shown else None
    context = _context(project, page, show_all=show_all, end=end)
    return render(request, template_for(request, PAGE, "progress-content"), context)


def _save_row(request: HttpRequest, item: WorkItem, week: int | None) -> str:
    """Save the posted progress of one row (its own transaction); the error message, or ``""``."""
    raw = request.POST.get(f"{FIELD}{item.pk}", "")
    if week is None:
        return _("Minggu tidak valid: muat ulang halaman.")
    try:
        schedule_services.set_progress(
            item=item,
            week=week,
            progress=progress_value(raw),
            by=request.user,
            expected_version=posted_version(request.POST.get(f"version-{item.pk}")),
        )
    except ValidationError as exc:
        return exc.messages[0]
    except (ScheduleError, ConflictError) as exc:
        return str(exc)
    return ""


def _save_all(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole form without JS: save every row whose input differs from what the page showed."""
    project = project_for(request, pk, edit=True)
    week = _int(request.POST.get("week"))
    show_all = request.POST.get("all") == "1"
    # Every row of the form, in page order (a week of a large project posts more rows than ids_param keeps).
    posted = [
        item_id
        for key in request.POST
        if key.startswith(FIELD) and (item_id := id_param(key.removeprefix(FIELD))) is not None
    ]
    items = WorkItem.objects.filter(project=project, pk__in=posted).in_bulk()
    states: dict[int, RowState] = {}
    saved = 0
    # One transaction per changed row, on purpose (a failed row leaves the others saved), so the service's
    # locked read repeats per row: not an N+1 of the page (the test settings' guard would flag it).
    with _repeated_reads_allowed(ROW_WRITES):
        for item_id in posted:
            item = items.get(item_id)
            raw = request.POST.get(f"{FIELD}{item_id}", "").strip()
            if item is None or raw == request.POST.get(f"initial-{item_id}", "").strip():
                continue
            error = _save_row(request, item, week)
            if error:
                states[item_id] = RowState(raw, error)
            else:
                saved += 1
    if not states:
        if saved:
            messages.success(
                request,
                ngettext(
                    "Progres %(count)s pekerjaan disimpan.", "Progres %(count)s pekerjaan disimpan.", saved
                )
                % {"count": saved},
            )
        else:
            messages.info(request, _("Tidak ada perubahan progres."))
        return redirect(_page_url(project, week, show_all))
    if saved:
        messages.success(
            request,
            ngettext("Progres %(count)s pekerjaan disimpan.", "Progres %(count)s pekerjaan disimpan.", saved)
            % {"count": saved},
        )
    messages.error(
        request,
        ngettext(
            "%(count)s baris belum disimpan: lihat pesan pada barisnya.",
            "%(count)s baris belum disimpan: lihat pesan pada barisnya.",
            len(states),
        )
        % {"count": len(states)},
    )
    page = load_week(project, week, show_all=show_all, include=states.keys())
    return render(request, PAGE, _context(project, page, show_all=show_all, states=states))


@login_required
@require_POST
def progress_item(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    """One row (htmx): save it, then swap the row; the week's totals and deviations go out of band."""
    project = project_for(request, pk, edit=True)
    item = get_object_or_404(WorkItem, project=project, pk=item_id)
    week = _int(request.POST.get("week"))
    show_all = request.POST.get("all") == "1"
    error = _save_row(request, item, week)
    if not is_partial(request):
        if error:
            messages.error(request, f"{item.name[:80]}: {error}")
        else:
            messages.success(request, _("Progres “%(name)s” disimpan.") % {"name": item.name[:80]})
        return redirect(_page_url(project, week, show_all) + f"#progress-item-{item.pk}")
    page = load_week(project, week, show_all=show_all, include={item.pk})
    row = next((row for row in page.rows if row.id == item.pk), None)
    if row is None:  # the project has no weeks (any more): show the page's explanation instead
        response = render(request, f"{PAGE}#progress-content", _context(project, page, show_all=show_all))
        return reswap(retarget(response, "#progress-content"), "outerHTML")
    state = RowState(request.POST.get(f"{FIELD}{item.pk}", "").strip(), error) if error else None
    context = _context(project, page, show_all=show_all) | {"row": row, "state": state, "oob": True}
    return render(request, f"{PAGE}#progress-row", context)


@login_required
@require_POST
def progress_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The weekly report (cut-off date, actual cost of the week): htmx swaps the report card and the
    deviation table (out of band); without JS a redirect back, or the page with the errors."""
    project = project_for(request, pk, edit=True)
    week = _int(request.POST.get("week"))
    show_all = request.POST.get("all") == "1"
    form = WeekReportForm(request.POST)
    errors = [] if form.is_valid() else form.messages()
    if week is None:
        errors.append(_("Minggu tidak valid: muat ulang halaman."))
    if not errors:
        try:
            schedule_services.set_week_report(
                project=project, week=week, **form.cleaned_data, by=request.user
            )
        except ScheduleError as exc:
            errors.append(str(exc))
    if not is_partial(request) and not errors:
        messages.success(request, _("Laporan minggu ke-%(week)s disimpan.") % {"week": week})
        return redirect(_page_url(project, week, show_all))
    page = load_week(project, week, show_all=show_all)
    typed = (request.POST.get(name, "").strip() for name in ("report_date", "actual_cost"))
    state = ReportState(*typed, tuple(errors)) if errors else None
    context = _context(project, page, show_all=show_all, report=state)
    if not is_partial(request):
        return render(request, PAGE, context)
    if not errors:
        context["report"] = replace(context["report"], saved=True)
    return render(request, f"{PAGE}#week-report", context | {"oob": True})
