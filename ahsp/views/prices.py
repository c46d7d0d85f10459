"""The resource price page (Harga Satuan Dasar): used resources by category with inline price edits,
active search, unused resources with removal, and the import of prices from an Excel sheet."""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from ahsp.calculations.prices import purchase_price
from ahsp.forms.prices import PriceForm, PriceImportForm
from ahsp.loaders.prices import missing_price_count, unused_resources, used_resources
from ahsp.models import Project, ProjectResource, ResourceCategory, WorkbookImportJob
from ahsp.services import resources as resource_services
from ahsp.services import workbook_imports
from ahsp.views import workbook_imports as job_views
from ahsp.views._access import project_for
from ahsp.views._page_cache import cached_project_page
from ahsp.views._params import text_param
from ahsp.views._version import with_posted_version
from partials.htmx import is_partial, template_for

PAGE = "ahsp/project_prices.html"


@dataclass
class CategoryGroup:
    value: str
    label: str
    resources: list


def _prices_url(project: Project, anchor: str = "") -> str:
    return reverse("ahsp:project_prices", args=[project.pk]) + (f"#{anchor}" if anchor else "")


def _plain_number(value: Decimal | None) -> str:
    """A number for an input that ``parse_decimal`` reads back unchanged in either UI language: no
    thousands separators, a decimal comma, no trailing zeros, and never exactly 3 decimals (``1,1250``:
    the English UI reads ``1,125`` as 1125, a comma before exactly three digits grouping thousands)."""
    if value is None:
        return ""
    text = f"{Decimal(value).normalize():f}"
    whole, _, fraction = text.partition(".")
    if len(fraction) == 3:
        fraction += "0"
    return f"{whole},{fraction}" if fraction else whole


def _decorate(resource: ProjectResource) -> ProjectResource:
    """Display values of one row, computed here so the template only displays."""
    resource.factor_input = _plain_number(resource.purchase_factor)
    resource.purchase_price_hint = purchase_price(resource.unit_price, resource.purchase_factor)
    return resource


def _groups(resources: list[ProjectResource]) -> list[CategoryGroup]:
    """Tenaga Kerja, Bahan, Peralatan, Lain-lain (only the non-empty ones), each ordered by code."""
    by_category: dict[str, list] = {}
    for resource in resources:
        by_category.setdefault(resource.category, []).append(_decorate(resource))
    return [
        CategoryGroup(value, label, by_category[value])
        for value, label in ResourceCategory.choices
        if value in by_category
    ]


def _table_context(project: Project, query: str) -> dict:
    resources = list(used_resources(project, query))
    return {"project": project, "query": query, "groups": _groups(resources), "shown": len(resources)}


def _page_context(project: Project, query: str) -> dict:
    return {
        **_table_context(project, query),
        "missing_count": missing_price_count(project),
        "unused": unused_resources(project),
        "import_form": PriceImportForm(),
    }


@login_required
@require_GET
@cached_project_page("project_prices")
def project_prices(request: HttpRequest, pk: int) -> HttpResponse:
    """The page; to an htmx request (active search) only the table of used resources."""
    project = project_for(request, pk)
    query = text_param(request.GET.get("q"))
    if is_partial(request):
        context = _table_context(project, query)
    else:
        context = _page_context(project, query)
    return render(request, template_for(request, PAGE, "price-table"), context)


def _add_service_errors(form: PriceForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            for message in errors:
                form.add_error(name if name in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


@login_required
@require_POST
def project_price_edit(request: HttpRequest, pk: int, resource_id: int) -> HttpResponse:
    """Inline edit of one row (price, purchase unit and factor, or a price per purchase unit).

    htmx: the row swaps (errors shown in it, status 200) and the "belum berharga" counter updates out of
    band. Without JavaScript: POST-redirect-GET with a message. The row's ``version`` travels with the
    form: when someone saved the row since it was loaded, nothing is written and the row comes back with
    the conflict message and the current values and version, so the user can apply the change again.
    """
    project = project_for(request, pk, edit=True)
    resource = get_object_or_404(ProjectResource, project=project, pk=resource_id)
    form = PriceForm(with_posted_version(request.POST))
    conflict = ""
    if form.is_valid():
        data = dict(form.cleaned_data)
        expected_version = data.pop("version")
        try:
            resource = resource_services.set_price(
                resource=resource, **data, expected_version=expected_version, by=request.user
            )
        except resource_services.ConflictError as exc:
            conflict = str(exc)
        except ProjectResource.DoesNotExist:  # deleted (unused) by someone else since the lookup above
            raise Http404("Sumber daya ini sudah dihapus.") from None
        except ValidationError as exc:
            _add_service_errors(form, exc)
    if not is_partial(request):
        if conflict:
            messages.error(request, f"{resource.code}: {conflict}")
        elif form.errors:
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, f"{resource.code}: {message}")
        else:
            messages.success(request, f"Harga “{resource.code} {resource.name[:80]}” disimpan.")
        return redirect(_prices_url(project, f"resource-{resource.pk}"))
    row = (
        ProjectResource.objects.filter(pk=resource.pk)
        .annotate(analysis_count=Count("components__analysis", distinct=True))
        .first()
    )
    if row is None:
        raise Http404("Sumber daya ini sudah dihapus.")
    row = _decorate(row)
    context = {
        "project": project,
        "resource": row,
        "form": form if form.errors else None,
        "conflict": conflict,
        "missing_count": missing_price_count(project),
        "oob": True,
    }
    return render(request, f"{PAGE}#price-row", context)


@login_required
@require_POST
def project_price_delete(request: HttpRequest, pk: int, resource_id: int) -> HttpResponse:
    """Remove a resource no analysis uses (refused with a message if it became used)."""
    project = project_for(request, pk, edit=True)
    resource = get_object_or_404(ProjectResource, project=project, pk=resource_id)
    try:
        resource_services.delete_unused(resource=resource, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Sumber daya “{resource.code} {resource.name[:80]}” dihapus.")
    return redirect(_prices_url(project, "unused-resources"))


@login_required
@require_POST
def project_prices_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload an .xlsx of prices: a job imports it in the worker (``ahsp.services.workbook_imports``).
    Without htmx the browser goes to the job page; with htmx the import section comes back with the
    job's progress partial, polling until the summary (or the problem table) is there. An invalid
    upload re-renders the form with its message (200)."""
    project = project_for(request, pk, edit=True)
    form = PriceImportForm(request.POST, request.FILES)
    job = None
    if form.is_valid():
        job = workbook_imports.start_prices(
            project=project, upload=form.cleaned_data["file"], by=request.user
        )
        if not is_partial(request):
            return redirect("ahsp:workbook_import_job", job_id=job.pk)
        job = WorkbookImportJob.objects.select_related("project").get(pk=job.pk)
        form = PriceImportForm()  # ready for the next workbook; the job polls below it
    if is_partial(request):
        context = {"project": project, "import_form": form, "job": job}
        if job is not None:
            context.update(job_views.job_context(job))
        return render(request, f"{PAGE}#price-import", context)
    context = _page_context(project, "")
    context["import_form"] = form
    return render(request, PAGE, context)
