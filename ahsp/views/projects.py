"""Dashboard and project pages. Permissions are checked here, in every view."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from ahsp import idempotency
from ahsp.forms.projects import ProjectFilterForm, ProjectForm, overhead_warning
from ahsp.loaders import rab_notes
from ahsp.loaders.dashboard import WIDGETS
from ahsp.models import AuditEvent, Project
from ahsp.services import projects
from ahsp.views._access import project_for
from ahsp.views._page_cache import cached_user_page
from ahsp.views._version import with_posted_version
from partials.htmx import is_partial, template_for


@login_required
@cached_user_page("dashboard")
def dashboard(request: HttpRequest) -> HttpResponse:
    form = ProjectFilterForm(request.GET or None)
    qs = Project.objects.visible_to(request.user)
    sort = "-updated_at"
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        if query:
            qs = qs.filter(Q(name__icontains=query) | Q(location__icontains=query))
        if form.cleaned_data["status"]:
            qs = qs.filter(status=form.cleaned_data["status"])
        sort = form.cleaned_data["sort"] or sort
    qs = rab_notes.with_completeness(
        qs.order_by(sort, "-id").only(
            "id", "name", "location", "client", "fiscal_year", "status", "budget_ceiling", "updated_at"
        )
    )
    page_obj = Paginator(qs, settings.DASHBOARD_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page_obj": page_obj, "projects": page_obj.object_list, "widgets": WIDGETS}
    return render(request, template_for(request, "ahsp/project_list.html", "project-list"), context)


def _warn_overhead(request: HttpRequest, project: Project) -> None:
    """After saving: the BUK above the government ceiling stays visible on the next page."""
    warning = overhead_warning(project.overhead_profit_pct)
    if warning:
        messages.warning(request, warning)


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if (repeated := idempotency.replay(request)) is not None:
            return repeated
        form = ProjectForm(request.POST)
        if form.is_valid():
            project = idempotency.create_once(
                request,
                lambda: projects.create(data=form.cleaned_data, by=request.user),
                Project.get_absolute_url,
            )
            if isinstance(project, HttpResponse):  # the same form, submitted twice at once
                return project
            messages.success(request, _("Proyek “%(name)s” dibuat.") % {"name": project.name})
            _warn_overhead(request, project)
            if is_partial(request):
                return HttpResponseClientRedirect(project.get_absolute_url())
            return redirect(project)
    else:
        form = ProjectForm()
    return render(
        request,
        template_for(request, "ahsp/project_form.html", "project-form"),
        {"form": form, "project": None},
    )


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Not page-cached: its recent activity shows events that change no content (an export started)."""
    project = project_for(request, pk)
    events = AuditEvent.objects.filter(project_id=project.pk).order_by("-created_at", "-id")[:10]
    return render(request, "ahsp/project_detail.html", {"project": project, "events": events})


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk, edit=True)
    if request.method == "POST":
        form = ProjectForm(with_posted_version(request.POST), instance=project)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                project = projects.update(
                    project=project, data=data, expected_version=form.cleaned_data["version"], by=request.user
                )
            except projects.ConflictError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Perubahan proyek disimpan."))
                _warn_overhead(request, project)
                if is_partial(request):
                    return HttpResponseClientRedirect(project.get_absolute_url())
                return redirect(project)
    else:
        form = ProjectForm(instance=project)
    return render(
        request,
        template_for(request, "ahsp/project_form.html", "project-form"),
        {"form": form, "project": project},
    )


@login_required
@require_POST
def project_archive(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk, edit=True)
    projects.archive(project=project, by=request.user)
    messages.success(request, _("Proyek “%(name)s” diarsipkan.") % {"name": project.name})
    if is_partial(request):
        return HttpResponseClientRedirect(project.get_absolute_url())
    return redirect(project)


@login_required
@require_http_methods(["GET", "POST"])
def project_delete(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk, edit=True)
    if request.method == "POST":
        if request.POST.get("confirm_name", "").strip() != project.name.strip():
            return render(
                request,
                "ahsp/project_confirm_delete.html",
                {"project": project, "error": _("Nama yang diketik tidak sama dengan nama proyek.")},
            )
        name = project.name
        projects.delete(project=project, by=request.user)
        messages.success(request, _("Proyek “%(name)s” dihapus.") % {"name": name})
        if is_partial(request):
            return HttpResponseClientRedirect("/")
        return redirect("ahsp:dashboard")
    return render(request, "ahsp/project_confirm_delete.html", {"project": project})
