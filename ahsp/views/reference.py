"""The reference library: HTMX active search, analysis pages, and the staff upload of a workbook."""

import tempfile
from itertools import groupby
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from ahsp.forms import ReferenceUploadForm
from ahsp.importers.reference_workbook import ImportFailed, import_reference
from ahsp.models import ReferenceAnalysis, ReferenceComponent, ReferenceImport, ResourceCategory
from partials.htmx import template_for


@login_required
@vary_on_headers("HX-Request")
def reference_search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
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
    candidates = ReferenceAnalysis.objects.filter(code=code)
    if source := request.GET.get("source"):
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


@login_required
@require_http_methods(["GET", "POST"])
def reference_upload(request: HttpRequest) -> HttpResponse:
    if not request.user.is_staff:
        raise PermissionDenied("Hanya staf yang dapat mengimpor pustaka referensi.")
    result = None
    error = None
    if request.method == "POST":
        form = ReferenceUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            with tempfile.NamedTemporaryFile(suffix=".xlsx") as tmp:
                for chunk in upload.chunks():
                    tmp.write(chunk)
                tmp.flush()
                try:
                    result = import_reference(
                        Path(tmp.name),
                        source=form.cleaned_data["source"],
                        file_name=upload.name,
                        by=request.user,
                    )
                except ImportFailed as exc:
                    error = str(exc)
    else:
        form = ReferenceUploadForm()
    context = {
        "form": form,
        "result": result,
        "error": error,
        "recent": ReferenceImport.objects.select_related("created_by")[:10],
    }
    return render(request, "ahsp/reference_upload.html", context)
