"""The audit trail (Riwayat): per project for whoever sees the project, and across projects for staff.

One URL serves the page, the filtered list (htmx swap of ``#audit-list``) and the next rows (the
sentinel row's htmx swap); the next page is addressed by a signed keyset cursor, never a page number.
A row's before/after diff is a separate URL loaded when the row is opened. Non-staff users get 404 on
the global trail, like anybody on a project they cannot see.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import reswap, retarget

from ahsp.forms.audit import AuditFilterForm
from ahsp.loaders.audit import (
    InvalidCursor,
    action_label,
    load_page,
    present_diff,
    recent_actors,
    target_type_label,
)
from ahsp.models import AuditEvent, Project
from ahsp.views._access import project_for, staff_required
from partials.htmx import is_partial

LIST_PAGE = "ahsp/audit_list.html"
DETAIL_PAGE = "ahsp/audit_detail.html"
LIST_ID = "audit-list"


@dataclass(slots=True)
class AuditRow:
    """One line of the trail, formatted once here (50 rows: the template only prints)."""

    pk: int
    iso: str
    day: str
    clock: str
    who: str
    action_code: str
    action: str
    target: str
    summary: str
    diff_url: str
    project_id: int | None = None
    project_name: str = ""


class _RowFormatter:
    """Formats the rows of one page; labels are translated once per distinct value, not once per row."""

    def __init__(self, *, project: Project | None, project_names: dict[int, str]) -> None:
        # The diff URL of event 0, cut before the 0: reverse() once per page instead of once per row.
        if project is None:
            sample = reverse("ahsp:audit_event", args=[0])
        else:
            sample = reverse("ahsp:project_audit_event", args=[project.pk, 0])
        self.url_prefix = sample.removesuffix("0/")
        self.project_names = project_names
        self.zone = timezone.get_current_timezone()
        self.labels: dict[tuple[str, str], str] = {}

    def _label(self, kind: str, value: str) -> str:
        key = (kind, value)
        if key not in self.labels:
            if kind == "action":
                self.labels[key] = action_label(value)
            elif kind == "target":
                self.labels[key] = target_type_label(value)
            else:
                self.labels[key] = str(MONTHS_3[int(value)]).title()
        return self.labels[key]

    def __call__(self, event: AuditEvent) -> AuditRow:
        local = event.created_at.astimezone(self.zone)
        return AuditRow(
            pk=event.pk,
            iso=local.isoformat(),
            day=f"{local.day} {self._label('month', str(local.month))} {local.year}",
            clock=f"{local.hour:02d}:{local.minute:02d}:{local.second:02d} {local.tzname() or ''}".rstrip(),
            who=event.actor_label,
            action_code=event.action,
            action=self._label("action", event.action),
            target=self._label("target", event.target_type),
            summary=event.summary,
            diff_url=f"{self.url_prefix}{event.pk}/",
            project_id=event.project_id,
            project_name=self.project_names.get(event.project_id, "") if event.project_id else "",
        )


def _trail(request: HttpRequest, *, project: Project | None) -> HttpResponse:
    project_id = project.pk if project else None
    trail_url = reverse("ahsp:audit") if project is None else reverse("ahsp:project_audit", args=[project.pk])
    form = AuditFilterForm(request.GET)
    form.is_valid()
    filters = form.filters()
    cursor = request.GET.get("cursor", "").strip() or None
    notice = ""
    try:
        page = load_page(
            project_id=project_id, filters=filters, cursor=cursor, with_project_names=project is None
        )
    except InvalidCursor:
        notice = _(
            "Tautan lanjutan riwayat tidak sah atau sudah tidak berlaku; riwayat ditampilkan lagi dari "
            "perubahan terbaru."
        )
        page = load_page(project_id=project_id, filters=filters, with_project_names=project is None)
        cursor = None
    first_url = f"{trail_url}?{urlencode(filters.as_query())}" if filters.active else trail_url
    next_url = ""
    if page.next_cursor:
        next_url = f"{trail_url}?{urlencode({**filters.as_query(), 'cursor': page.next_cursor})}"
    format_row = _RowFormatter(project=project, project_names=page.project_names)
    rows = [format_row(event) for event in page.events]
    context = {
        "project": project,
        "form": form,
        "rows": rows,
        "next_url": next_url,
        "notice": notice,
        "continued": cursor is not None,
        "filtered": filters.active,
        "trail_url": trail_url,
        "first_url": first_url,
        "columns": 4 if project else 5,
    }
    if is_partial(request):
        wants_rows = bool(request.GET.get("cursor")) and request.htmx.target != LIST_ID
        if wants_rows and not notice:
            return render(request, f"{LIST_PAGE}#audit-rows", context)
        response = render(request, f"{LIST_PAGE}#audit-list", context)
        if wants_rows:  # a bad cursor from the sentinel: the whole list starts over, not just a row
            response = reswap(retarget(response, f"#{LIST_ID}"), "outerHTML")
        return response
    context["actors"] = recent_actors(project_id=project_id)
    context["values"] = {name: request.GET.get(name, "") for name in form.fields}
    context["choices"] = {name: form.fields[name].choices for name in ("action", "type")}
    return render(request, LIST_PAGE, context)


def _event_detail(request: HttpRequest, event: AuditEvent, *, project: Project | None) -> HttpResponse:
    context = {
        "project": project,
        "event": event,
        "action": action_label(event.action),
        "target": target_type_label(event.target_type),
        "diff": present_diff(event),
        "trail_url": reverse("ahsp:audit")
        if project is None
        else reverse("ahsp:project_audit", args=[project.pk]),
    }
    if is_partial(request):
        return render(request, f"{DETAIL_PAGE}#audit-diff", context)
    if project is None and event.project_id is not None:
        context["project_name"] = (
            Project.objects.filter(pk=event.project_id).values_list("name", flat=True).first() or ""
        )
    return render(request, DETAIL_PAGE, context)


@login_required
@require_GET
@vary_on_headers("HX-Request", "HX-Target")
def project_audit(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk)
    return _trail(request, project=project)


@login_required
@require_GET
def project_audit_event(request: HttpRequest, pk: int, event_id: int) -> HttpResponse:
    project = project_for(request, pk)
    event = get_object_or_404(AuditEvent, pk=event_id, project_id=project.pk)
    return _event_detail(request, event, project=project)


@login_required
@require_GET
@vary_on_headers("HX-Request", "HX-Target")
@staff_required
def audit(request: HttpRequest) -> HttpResponse:
    return _trail(request, project=None)


@login_required
@require_GET
@staff_required
def audit_event(request: HttpRequest, event_id: int) -> HttpResponse:
    event = get_object_or_404(AuditEvent, pk=event_id)
    return _event_detail(request, event, project=None)
