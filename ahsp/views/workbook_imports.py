"""The page of one project or price import job, and its progress partial (polled every second).

The imports run in the worker (``ahsp.services.workbook_imports``). A finished project import sends the
user to the new project, with its warnings as messages, as the synchronous import did; a finished price
import shows its summary and notes; a failed one shows the problem table. Only the uploader sees a job
(another user's job is 404), and a price job only while the project is still visible to them.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from django_htmx.http import HttpResponseClientRedirect

from ahsp.models import Project, WorkbookImportJob
from ahsp.views._jobs import job_progress, stop_polling_when_terminal
from partials.htmx import is_partial

Job = WorkbookImportJob
JOB_PAGE = "ahsp/workbook_import_job.html"
PROGRESS_PARTIAL = f"{JOB_PAGE}#workbook-import-progress"
MAX_ROWS_SHOWN = 1000  # rows of each report table; the counts always cover all of them
MAX_WARNINGS_SHOWN = 20  # after a successful project import, as messages on the project page


def job_context(job: WorkbookImportJob) -> dict:
    """What the progress partial shows: the job and the first rows of its report tables."""
    report = job.report or {}
    context = {"job": job, "back_url": back_url(job)}
    for key in ("problems", "warnings", "notes"):
        rows = report.get(key) or []
        context[key] = rows[:MAX_ROWS_SHOWN]
        context[f"{key}_count"] = report.get(f"{key}_count", len(rows))
    return context


def back_url(job: WorkbookImportJob) -> str:
    """Where the user started: the project import page, or the project's prices page."""
    if job.kind == Job.Kind.PRICES and job.project_id:
        return reverse("ahsp:project_prices", args=[job.project_id])
    if job.kind == Job.Kind.BACKUP:
        return reverse("ahsp:project_restore")
    return reverse("ahsp:project_import")


def finished_project(request: HttpRequest, job: WorkbookImportJob) -> HttpResponse | None:
    """For a project import that is done: the messages (summary, warnings) and the way to the project
    (a redirect, or an HX-Redirect with 286 so the polling stops); else None."""
    if (
        job.kind not in (Job.Kind.PROJECT, Job.Kind.BACKUP)
        or job.status != Job.Status.DONE
        or job.project is None
    ):
        return None
    report = job.report or {}
    done = (
        _("Proyek “%(name)s” dipulihkan dari cadangan: %(count)s pekerjaan.")
        if job.kind == Job.Kind.BACKUP
        else _("Proyek “%(name)s” diimpor dari Excel: %(count)s pekerjaan.")  # the synchronous import's
    )
    messages.success(
        request, done % {"name": job.project.name, "count": (report.get("counts") or {}).get("work_items", 0)}
    )
    warnings = report.get("warnings") or []
    total = report.get("warnings_count", len(warnings))
    for warning in warnings[:MAX_WARNINGS_SHOWN]:
        messages.warning(request, _("Peringatan impor: %(warning)s") % {"warning": warning["text"]})
    if total > MAX_WARNINGS_SHOWN:
        messages.warning(
            request, _("… dan %(count)s peringatan impor lainnya.") % {"count": total - MAX_WARNINGS_SHOWN}
        )
    url = job.project.get_absolute_url()
    if is_partial(request):
        return stop_polling_when_terminal(HttpResponseClientRedirect(url), job)
    return redirect(url)


def progress(request: HttpRequest, job: WorkbookImportJob) -> HttpResponse:
    """The progress partial, polled until the job is done or failed (``views._jobs``)."""
    if (response := finished_project(request, job)) is not None:
        return response
    return job_progress(request, PROGRESS_PARTIAL, job_context(job))


@login_required
@require_safe
def workbook_import_job(request: HttpRequest, job_id: int) -> HttpResponse:
    jobs = Job.objects.select_related("project").filter(requested_by=request.user)
    job = get_object_or_404(jobs, pk=job_id)
    visible = Project.objects.visible_to(request.user)
    if job.project_id and not visible.filter(pk=job.project_id).exists():
        raise Http404("Impor tidak ditemukan")
    if is_partial(request):
        return progress(request, job)
    if (response := finished_project(request, job)) is not None:
        return response
    return render(request, JOB_PAGE, job_context(job))
