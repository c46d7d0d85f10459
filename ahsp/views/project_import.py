"""Import a whole project from an Excel workbook (``/projects/import/``, run in the worker) and its
empty template."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from ahsp import idempotency
from ahsp.forms.projects import MAX_IMPORT_BYTES, ProjectImportForm
from ahsp.importers.project_template import build_template
from ahsp.models import WorkbookImportJob
from ahsp.services import workbook_imports
from ahsp.views import workbook_imports as job_views
from partials.htmx import is_partial, template_for

TEMPLATE_FILE_NAME = "templat-impor-proyek.xlsx"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_http_methods(["GET", "POST"])
def project_import(request: HttpRequest) -> HttpResponse:
    """Upload a workbook: a job imports it in the worker (``ahsp.services.workbook_imports``). Without
    htmx the browser goes to the job page; with htmx the form comes back with the job's progress
    partial below it, which polls until the project exists (then HX-Redirect to it) or the import failed
    (the problem table)."""
    job = None
    if request.method == "POST":
        if (repeated := idempotency.replay(request)) is not None:
            return repeated
        form = ProjectImportForm(request.POST, request.FILES)
        if form.is_valid():
            created = idempotency.create_once(
                request,
                lambda: workbook_imports.start_project(upload=form.cleaned_data["file"], by=request.user),
                lambda job: reverse("ahsp:workbook_import_job", args=[job.pk]),
            )
            if isinstance(created, HttpResponse):
                return created
            if not is_partial(request):
                return redirect("ahsp:workbook_import_job", job_id=created.pk)
            job = WorkbookImportJob.objects.select_related("project").get(pk=created.pk)
            if (finished := job_views.finished_project(request, job)) is not None:
                return HttpResponseClientRedirect(finished["HX-Redirect"])  # the worker was quicker
            form = ProjectImportForm()  # ready for the next workbook; the job polls below it
    else:
        form = ProjectImportForm()
    context = {"form": form, "max_mb": MAX_IMPORT_BYTES // (1024 * 1024), "job": job}
    if job is not None:
        context.update(job_views.job_context(job))
    return render(request, template_for(request, "ahsp/project_import.html", "import-form"), context)


@login_required
@require_GET
def project_import_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(build_template(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{TEMPLATE_FILE_NAME}"'
    return response
