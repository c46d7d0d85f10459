"""Salin proyek (copies made by the worker, with progress) and Pulihkan dari cadangan (a backup JSON
restored as a new project through the import job), issue 15 §1-2.

``/projects/<pk>/copy/``: the form; a valid POST starts a ``ProjectCopyJob`` and goes to its page (htmx:
the page's progress card comes back below the form). ``/copies/<job>/``: the job page, polled by its card
until the copies exist; one copy done sends the user to it. ``/projects/restore/``: the upload form; the
job is a ``WorkbookImportJob`` of kind ``backup`` and its page is the import job page. Only the user who
asked sees a job; the source project goes through the access helper.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe
from django_htmx.http import HttpResponseClientRedirect

from ahsp import idempotency
from ahsp.forms.project_copy import MAX_BACKUP_MB, BackupUploadForm, ProjectCopyForm
from ahsp.models import ProjectCopyJob
from ahsp.services import project_copy_jobs, workbook_imports
from ahsp.views._access import project_for
from ahsp.views._jobs import job_progress, stop_polling_when_terminal
from partials.htmx import is_partial, template_for

COPY_PAGE = "ahsp/project_copy.html"
JOB_PAGE = "ahsp/project_copy_job.html"
RESTORE_PAGE = "ahsp/project_restore.html"


@login_required
@require_http_methods(["GET", "POST"])
def project_copy(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk)  # a copy reads the project: seeing it is enough
    if request.method == "POST":
        if (repeated := idempotency.replay(request)) is not None:
            return repeated
        form = ProjectCopyForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            created = idempotency.create_once(
                request,
                lambda: project_copy_jobs.start(
                    project=project,
                    by=request.user,
                    parts=data["parts"],
                    name=data["name"],
                    start_date=data["start_date"],
                    count=data["count"],
                ),
                lambda job: reverse("ahsp:project_copy_job", args=[job.pk]),
            )
            if isinstance(created, HttpResponse):
                return created
            url = reverse("ahsp:project_copy_job", args=[created.pk])
            return HttpResponseClientRedirect(url) if is_partial(request) else redirect(url)
    else:
        form = ProjectCopyForm(initial={"name": (_("Salinan %(name)s") % {"name": project.name})[:240]})
    return render(request, template_for(request, COPY_PAGE, "copy-form"), {"project": project, "form": form})


def _finished_single(request: HttpRequest, job: ProjectCopyJob) -> HttpResponse | None:
    """One copy made: say so and go to it (htmx: HX-Redirect with 286, so the polling stops)."""
    if job.status != ProjectCopyJob.Status.DONE or len(job.projects) != 1:
        return None
    pk, name = job.projects[0]
    messages.success(request, _("Proyek disalin sebagai “%(name)s”.") % {"name": name})
    url = reverse("ahsp:project_detail", args=[pk])
    return (
        stop_polling_when_terminal(HttpResponseClientRedirect(url), job)
        if is_partial(request)
        else redirect(url)
    )


@login_required
@require_safe
def project_copy_job(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(ProjectCopyJob.objects.filter(requested_by=request.user), pk=job_id)
    if (finished := _finished_single(request, job)) is not None:
        return finished
    if is_partial(request):
        return job_progress(request, f"{JOB_PAGE}#copy-progress", {"job": job})
    return render(request, JOB_PAGE, {"job": job})


@login_required
@require_http_methods(["GET", "POST"])
def project_restore(request: HttpRequest) -> HttpResponse:
    """Upload a backup (``Cadangan proyek`` JSON from the export centre): the import job restores it as
    a new project in the worker; its page is the import job page."""
    if request.method == "POST":
        if (repeated := idempotency.replay(request)) is not None:
            return repeated
        form = BackupUploadForm(request.POST, request.FILES)
        if form.is_valid():
            created = idempotency.create_once(
                request,
                lambda: workbook_imports.start_backup(upload=form.cleaned_data["file"], by=request.user),
                lambda job: reverse("ahsp:workbook_import_job", args=[job.pk]),
            )
            if isinstance(created, HttpResponse):
                return created
            url = reverse("ahsp:workbook_import_job", args=[created.pk])
            return HttpResponseClientRedirect(url) if is_partial(request) else redirect(url)
    else:
        form = BackupUploadForm()
    context = {"form": form, "max_mb": MAX_BACKUP_MB}
    return render(request, template_for(request, RESTORE_PAGE, "restore-form"), context)
