"""Export centre and export jobs: start a background export, poll its progress, download the file.

Permissions are checked in every view: a job is visible only through a project visible to the user;
anything else is a 404, for pages, fragments and downloads alike.
"""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ahsp.models import ExportJob, Project
from ahsp.services import exports
from ahsp.views._access import project_for
from ahsp.views._jobs import job_progress
from partials.htmx import is_partial

CENTRE_PAGE = "ahsp/export_centre.html"
JOB_PAGE = "ahsp/export_job.html"
PROGRESS_PARTIAL = f"{JOB_PAGE}#export-progress"
RECENT_JOBS = 20


def _visible_job(request: HttpRequest, job_id: int) -> ExportJob:
    visible = Project.objects.readable_by(request.user)  # a frozen version's exports too
    return get_object_or_404(
        ExportJob.objects.select_related("project").filter(project__in=visible), pk=job_id
    )


def _progress(request: HttpRequest, job: ExportJob) -> HttpResponse:
    """The progress partial, polled until the job is done or failed (``views._jobs``)."""
    return job_progress(request, PROGRESS_PARTIAL, {"job": job, "project": job.project})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def export_centre(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk)
    error = ""
    selected = {"document": "", "format": ""}
    if request.method == "POST":
        selected = {"document": request.POST.get("document", ""), "format": request.POST.get("format", "")}
        if exports.is_available(selected["document"], selected["format"]):
            job = exports.start(
                project=project, document=selected["document"], fmt=selected["format"], by=request.user
            )
            if not is_partial(request):
                return redirect("ahsp:export_job", job_id=job.pk)
            job.project = project
            return _progress(request, job)
        error = _("Pilih dokumen dan format yang tersedia.")
    if error and is_partial(request):
        return render(request, f"{CENTRE_PAGE}#export-error", {"error": error})
    jobs = list(
        ExportJob.objects.filter(project=project)
        .select_related("requested_by")
        .order_by("-created_at", "-id")[:RECENT_JOBS]
    )
    for job in jobs:
        job.project = project
    context = {
        "project": project,
        "documents": exports.available(),
        "jobs": jobs,
        "error": error,
        "selected": selected,
    }
    return render(request, CENTRE_PAGE, context)


@login_required
@require_safe
def export_job(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _visible_job(request, job_id)
    if is_partial(request):
        return _progress(request, job)
    return render(request, JOB_PAGE, {"job": job, "project": job.project})


@login_required
@require_POST
def export_retry(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _visible_job(request, job_id)
    if job.status != ExportJob.Status.FAILED:
        new_job = job
    else:
        new_job = exports.retry(job=job, by=request.user)
    if not is_partial(request):
        return redirect("ahsp:export_job", job_id=new_job.pk)
    new_job.project = job.project
    return _progress(request, new_job)


@login_required
@require_safe
def export_download(request: HttpRequest, job_id: int) -> FileResponse:
    job = _visible_job(request, job_id)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404
    try:
        handle = job.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    return FileResponse(
        handle,
        as_attachment=True,
        filename=exports.download_name(job),
        content_type=exports.content_type(job),
    )
