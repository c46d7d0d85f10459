"""Frozen versions of a project (issue 15 §4): the list with "Bekukan versi", and "Buka" / "Bandingkan",
which open a version as a read-only project (``ahsp.services.versions``) and go to its RAB or to the
comparison with the current estimate. Freezing needs the right to edit the project; opening, to see it.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ahsp.forms.versions import FreezeForm
from ahsp.models import ProjectVersion
from ahsp.services import versions
from ahsp.views._access import may_edit, project_for
from partials.htmx import template_for

PAGE = "ahsp/project_versions.html"


@login_required
@require_http_methods(["GET", "POST"])
def project_versions(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk, edit=request.method == "POST")
    form = FreezeForm()
    if request.method == "POST":
        form = FreezeForm(request.POST)
        if form.is_valid():
            version = versions.freeze(
                project=project,
                name=form.cleaned_data["name"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
            messages.success(
                request,
                _("Versi %(number)s “%(name)s” dibekukan (#%(hash)s).")
                % {"number": version.number, "name": version.name, "hash": version.short_hash},
            )
            return redirect("ahsp:project_versions", pk=project.pk)
    context = {
        "project": project,
        "form": form,
        "versions": ProjectVersion.objects.filter(project=project).select_related("created_by"),
        "can_freeze": project.snapshot_of_id is None and may_edit(request, project),
    }
    return render(request, template_for(request, PAGE, "versions-body"), context)


@login_required
@require_POST
def version_open(request: HttpRequest, pk: int, version_id: int) -> HttpResponse:
    """Open the version read-only (its RAB), or with ``compare=1`` compare the current estimate with it."""
    project = project_for(request, pk)
    version = get_object_or_404(ProjectVersion, project=project, pk=version_id)
    snapshot = versions.open_version(version=version)
    if request.POST.get("compare") == "1":
        return redirect(reverse("ahsp:project_compare", args=[project.pk]) + f"?with={snapshot.pk}")
    return redirect("ahsp:project_rab", pk=snapshot.pk)
