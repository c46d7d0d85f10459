"""The reference library: HTMX active search, analysis pages, and the staff upload of a workbook.

The upload is imported in the background (``ahsp.services.reference_imports``): the upload page starts
a job and shows its progress partial, which polls the job page until the import is done or failed.
"""

from itertools import groupby

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from ahsp.forms.reference import ReferenceUploadForm
from ahsp.importers.workbook_reader import ImportFailed
from ahsp.models import (
    ReferenceAnalysis,
    ReferenceComponent,
    ReferenceImport,
    ReferenceImportJob,
    ResourceCategory,
)
from ahsp.services import reference_imports
from ahsp.views._access import staff_required
from ahsp.views._jobs import job_progress
from ahsp.views._params import has_nul, text_param
from partials.htmx import is_partial, template_for

UPLOAD_PAGE = "ahsp/reference_upload.html"
JOB_PAGE = "ahsp/reference_import_job.html"
PROGRESS_PARTIAL = f"{JOB_PAGE}#reference-import-progress"


@login_required
def reference_search(request: HttpRequest) -> HttpResponse:
    query = text_param(request.GET.get("q"))
    qs = ReferenceAnalysis.objects.all()
    if query:
        qs = qs.search(query)
    qs = qs.only("id", "source", "code", "name", "unit", "is_suspicious")
    page_obj = Paginator(qs, settings.REFERENCE_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"query": query, "page_obj": page_obj, "analyses": page_obj.object_list}
    return render(request, template_for(request, "ahsp/reference_search.html", "reference-results"), context)


CATEGORY_LABELS = dict(ResourceCategory.choices)


def _component_groups(components: list[ReferenceComponent]) -> list[tuple[str, list[ReferenceComponent]]]:
    """Components grouped A labour, B material, C equipment, other, then nested analyses."""
    order = {value: index for index, value in enumerate(c.value for c in ResourceCategory)}

    def key(component: ReferenceComponent) -> int:
        if component.resource_id is None:
            return len(order)
        return order[component.resource.category]

    groups = []
    for index, items in groupby(sorted(components, key=key), key=key):
        label = list(CATEGORY_LABELS.values())[index] if index < len(order) else "Analisa bertingkat"
        groups.append((label, list(items)))
    return groups


@login_required
def reference_detail(request: HttpRequest, code: str) -> HttpResponse:
    if has_nul(code):
        raise Http404("AHSP referensi tidak ditemukan")
    candidates = ReferenceAnalysis.objects.filter(code=code)
    if source := text_param(request.GET.get("source")):
        candidates = candidates.filter(source=source)
    analysis = candidates.order_by("-source").first()
    if analysis is None:
        raise Http404("AHSP referensi tidak ditemukan")
    components = list(
        analysis.components.select_related("resource", "nested_analysis").order_by("position", "id")
    )
    context = {
        "analysis": analysis,
        "groups": _component_groups(components),
        "used_in": analysis.used_in.select_related("analysis").order_by("analysis__sort_key")[:50],
        "flagged_count": sum(1 for c in components if c.is_flagged),
    }
    return render(request, "ahsp/reference_detail.html", context)


#: Why a signed-in non-staff user gets 403 on the reference upload pages (linked for everyone).
STAFF_ONLY = "Hanya staf yang dapat mengimpor pustaka referensi."


def _progress(request: HttpRequest, job: ReferenceImportJob) -> HttpResponse:
    """The progress partial, polled until the job is done or failed (``views._jobs``); a finished
    import also refreshes the upload page's list of recent imports."""
    context = {"job": job}
    upload_page = reverse("ahsp:reference_upload")
    if job.status == ReferenceImportJob.Status.DONE and request.htmx.current_url_abs_path == upload_page:
        context["recent_oob"] = _recent_imports()  # the upload page's "Impor terakhir" gets the new row
    return job_progress(request, PROGRESS_PARTIAL, context)


def _recent_imports() -> list[ReferenceImport]:
    return list(ReferenceImport.objects.select_related("created_by")[:10])


@login_required
@require_http_methods(["GET", "POST"])
@staff_required(forbidden=STAFF_ONLY)
def reference_upload(request: HttpRequest) -> HttpResponse:
    job = None
    error = None
    if request.method == "POST":
        form = ReferenceUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                job = reference_imports.start(
                    file=form.cleaned_data["file"], source=form.cleaned_data["source"], by=request.user
                )
            except ImportFailed as exc:
                error = str(exc)
            else:
                if not is_partial(request):
                    return redirect("ahsp:reference_import_job", job_id=job.pk)
                form = ReferenceUploadForm()  # ready for the next workbook; the job polls below it
    else:
        form = ReferenceUploadForm()
    context = {"form": form, "error": error, "job": job}
    if is_partial(request):
        return render(request, f"{UPLOAD_PAGE}#reference-upload", context)
    context["recent"] = _recent_imports()
    return render(request, UPLOAD_PAGE, context)


@login_required
@require_safe
@staff_required(forbidden=STAFF_ONLY)
def reference_import_job(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(ReferenceImportJob.objects.select_related("result"), pk=job_id)
    if is_partial(request):
        return _progress(request, job)
    return render(request, JOB_PAGE, {"job": job})
