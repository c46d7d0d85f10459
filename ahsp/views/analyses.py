"""The analysis editor of a work item (Rincian AHSP) and the read/print page of all project analyses.

Every write answers an htmx request with the whole ``analysis-sheet`` fragment (so A/B/C/D/E/HSP, the
"modified" badge and the item's amount update together; validation errors come back in it with status 200),
and a plain form post with a redirect to the page (POST-redirect-GET) and a flash message.

A shared analysis (used by other work items, or nested in other analyses) is never changed for all of them
without asking: an edit posted without ``scope`` answers (status 200, fragment or whole page) with the
question "ubah untuk semua / ubah hanya untuk pekerjaan ini", re-posting the same fields with ``scope=all``
or ``scope=item``. With ``scope=item`` the item gets its own copy first (same service call, one audit event).
"""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from ahsp.formatting import format_coefficient
from ahsp.forms.analyses import (
    INCLUDES_OVERHEAD_CHOICES,
    CoefficientForm,
    DirectPriceForm,
    NewResourceForm,
    OverheadForm,
)
from ahsp.loaders import analyses as analysis_sheets
from ahsp.loaders.rab_notes import GOVERNMENT_OVERHEAD_CEILING
from ahsp.models import (
    AnalysisComponent,
    Project,
    ProjectAnalysis,
    ProjectResource,
    ReferenceAnalysis,
    ReferenceResource,
    ResourceCategory,
    Section,
    WorkItem,
)
from ahsp.services import analyses as analysis_services
from ahsp.services import resources as resource_services
from ahsp.views._access import project_for
from ahsp.views._page_cache import cached_project_page
from ahsp.views._params import id_param, text_param
from partials.htmx import is_partial

PAGE = "ahsp/work_item_detail.html"


def _item(project: Project, item_id: int) -> WorkItem:
    return get_object_or_404(WorkItem.objects.select_related("analysis"), project=project, pk=item_id)


def _form_error(form: forms.Form) -> str:
    return " ".join(error for errors in form.errors.values() for error in errors)


def _direct_price_row(sheet: analysis_sheets.AnalysisSheet) -> analysis_sheets.SheetRow | None:
    """The one line of a directly priced analysis (one "other" resource, coefficient 1), else None."""
    rows = [(group.key, row) for group in sheet.groups for row in group.rows]
    if len(rows) == 1 and rows[0][0] == "other" and rows[0][1].coefficient == 1:
        return rows[0][1]
    return None


def _sheet_context(project: Project, item: WorkItem, **extra) -> dict:
    sheet = analysis_sheets.load_item_sheet(project=project, item=item)
    direct_row = _direct_price_row(sheet)
    is_empty = not any(group.rows for group in sheet.groups)
    return {
        "project": project,
        "item": item,
        "analysis": item.analysis,
        "sheet": sheet,
        "direct_row": direct_row,
        "can_price_directly": direct_row is not None or is_empty,
        "includes_overhead_choices": INCLUDES_OVERHEAD_CHOICES,
        "overhead_above_ceiling": sheet.overhead_pct > GOVERNMENT_OVERHEAD_CEILING,
        "government_ceiling": GOVERNMENT_OVERHEAD_CEILING,
        **extra,
    }


def _page_context(project: Project, item: WorkItem, **extra) -> dict:
    choices = sorted(
        ProjectAnalysis.objects.filter(project=project)
        .exclude(pk=item.analysis_id)
        .only("id", "code", "name", "unit"),
        key=lambda a: ReferenceAnalysis.build_sort_key(a.code),
    )
    sections = (
        Section.objects.filter(project=project).order_by("position", "id").only("id", "name", "parent_id")
    )
    new_resource = {
        "categories": ResourceCategory.choices,
        "proposed_code": resource_services.propose_code(project=project, category=ResourceCategory.OTHER),
    }
    return _sheet_context(
        project, item, nested_choices=choices, sections=sections, new_resource=new_resource, **extra
    )


SCOPES = ("all", "item")


def _scope(request: HttpRequest, item: WorkItem) -> str | None:
    """``"all"`` or ``"item"`` as the user chose; ``"all"`` for an analysis only this item uses; ``None``
    when the analysis is shared and the user has not been asked yet."""
    scope = request.POST.get("scope", "")
    if scope in SCOPES:
        return scope
    return "all" if analysis_sheets.shared_with(item=item) == (0, 0) else None


def _for_item(scope: str, item: WorkItem) -> WorkItem | None:
    return item if scope == "item" else None


def _ask_scope(
    request: HttpRequest, project: Project, item: WorkItem, *, action: str, what: str
) -> HttpResponse:
    """Nothing written yet: ask whether the edit applies to every user of the shared analysis or only to
    this item. The answer re-posts the same fields to ``action`` with ``scope``. Status 200."""
    fields = [
        (name, value)
        for name in request.POST
        if name not in ("csrfmiddlewaretoken", "scope")
        for value in request.POST.getlist(name)
    ]
    confirm = {"action": action, "fields": fields, "what": what}
    if is_partial(request):
        return render(request, PAGE + "#analysis-sheet", _sheet_context(project, item, confirm=confirm))
    return render(request, PAGE, _page_context(project, item, confirm=confirm))


def _saved(success: str, scope: str, item: WorkItem) -> str:
    if scope != "item":
        return success
    code = WorkItem.objects.filter(pk=item.pk).values_list("analysis__code", flat=True).first()
    note = gettext("Perubahan hanya berlaku untuk pekerjaan ini (analisa %(code)s).") % {"code": code}
    return f"{success} {note}"


def _respond(
    request: HttpRequest,
    project: Project,
    item: WorkItem,
    *,
    success: str = "",
    error: str = "",
    row_error: tuple[int, str, str] | None = None,
    overhead_error: tuple[str, str] | None = None,
    direct_error: tuple[str, str] | None = None,
    scope: str = "",
) -> HttpResponse:
    """The sheet fragment for htmx (errors shown in it, status 200); otherwise a redirect with a message.
    After the user chose to change a shared analysis for every item (``scope="all"``), the sheet's forms
    carry that choice so the next edits of this page do not ask again."""
    if not is_partial(request):
        if error:
            messages.error(request, error)
        elif success:
            messages.success(request, success)
        return redirect(reverse("ahsp:work_item_detail", args=[project.pk, item.pk]) + "#analysis-sheet")
    item.refresh_from_db()  # HSP, amount and maybe its own analysis copy, after the change
    item.analysis.refresh_from_db()  # is_modified
    inline_error = bool(row_error or overhead_error or direct_error)  # shown beside its input, not twice
    context = _sheet_context(
        project,
        item,
        sheet_error="" if inline_error else error,
        sheet_success="" if error else success,
        scope_all=scope == "all",
    )
    if row_error:
        context.update(error_component_id=row_error[0], error_value=row_error[1], row_error=row_error[2])
    if overhead_error:
        context.update(overhead_value=overhead_error[0], overhead_error=overhead_error[1])
    if direct_error:
        context.update(direct_value=direct_error[0], direct_error=direct_error[1])
    return render(request, PAGE + "#analysis-sheet", context)


@login_required
@require_GET
@cached_project_page("work_item_detail")
def work_item_detail(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    """The analysis of one work item (Detail AHSP): components, A/B/C/D/E, HSP; editable."""
    project = project_for(request, pk)
    item = _item(project, item_id)
    if is_partial(request):
        return render(request, PAGE + "#analysis-sheet", _sheet_context(project, item))
    return render(request, PAGE, _page_context(project, item))


@login_required
@require_GET
def analysis_resource_search(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    """Search resources to add: the project's first, then the reference library's."""
    project = project_for(request, pk, edit=True)
    item = _item(project, item_id)
    query = text_param(request.GET.get("q"))
    own, reference = analysis_sheets.search_resources(project=project, query=query)
    results = {"query": query, "own_results": own, "reference_results": reference, "searched": bool(query)}
    if is_partial(request):
        return render(request, PAGE + "#resource-results", {"project": project, "item": item, **results})
    return render(request, PAGE, _page_context(project, item, **results))


@login_required
@require_POST
def analysis_component_edit(request: HttpRequest, pk: int, item_id: int, component_id: int) -> HttpResponse:
    """Inline coefficient edit."""
    project = project_for(request, pk, edit=True)
    item = _item(project, item_id)
    component = get_object_or_404(
        AnalysisComponent.objects.select_related("resource", "nested_analysis"),
        analysis_id=item.analysis_id,
        pk=component_id,
    )
    form = CoefficientForm(request.POST)
    error = ""
    scope = ""
    if form.is_valid():
        coefficient = form.cleaned_data["coefficient"]
        scope = _scope(request, item) if coefficient != component.coefficient else "all"
        if scope is None:
            target = component.resource or component.nested_analysis
            what = gettext("Koefisien %(code)s %(name)s diubah dari %(old)s menjadi %(new)s.") % {
                "code": target.code,
                "name": target.name[:60],
                "old": format_coefficient(component.coefficient),
                "new": format_coefficient(coefficient),
            }
            return _ask_scope(request, project, item, action=request.path, what=what)
        try:
            analysis_services.set_coefficient(
                component=component, coefficient=coefficient, for_item=_for_item(scope, item), by=request.user
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = _form_error(form)
    if error:
        value = request.POST.get("coefficient", "")[:40]
        return _respond(
            request,
            project,
            item,
            error=f"Koefisien tidak disimpan: {error}",
            row_error=(component.pk, value, error),
        )
    return _respond(
        request, project, item, success=_saved(gettext("Koefisien disimpan."), scope, item), scope=scope
    )


def _component_to_add(project: Project, data, form: forms.Form) -> tuple[str, Callable, dict, str]:
    """What the posted fields add: (label for the scope question, service, its target argument, success
    message); a ``ValidationError`` when the chosen row is not there."""
    if data.get("new_resource"):
        new = form.cleaned_data
        category = ResourceCategory(new["category"])
        code = new["code"].strip()
        label = f"{code or gettext('(kode otomatis)')} {new['name'][:60]}"
        target = {key: new[key] for key in ("code", "name", "unit", "category", "unit_price")}
        success = gettext("Sumber daya baru %(name)s (%(category)s) dibuat dan ditambahkan.") % {
            "name": new["name"][:60],
            "category": category.label,
        }
        return label, analysis_services.add_new_resource_component, target, success
    if data.get("nested"):
        nested = ProjectAnalysis.objects.filter(project=project, pk=id_param(data["nested"])).first()
        if nested is None:
            raise ValidationError("Analisa yang dipilih tidak ditemukan di proyek ini.")
        success = gettext("Analisa %(code)s ditambahkan.") % {"code": nested.code}
        label = f"{nested.code} {nested.name[:60]}"
        return label, analysis_services.add_nested_component, {"nested": nested}, success
    if data.get("resource"):
        resource = ProjectResource.objects.filter(project=project, pk=id_param(data["resource"])).first()
        if resource is None:
            raise ValidationError("Sumber daya yang dipilih tidak ditemukan di proyek ini.")
        target = {"resource": resource}
    elif data.get("reference_resource"):
        resource = ReferenceResource.objects.filter(pk=id_param(data["reference_resource"])).first()
        if resource is None:
            raise ValidationError("Sumber daya referensi yang dipilih tidak ditemukan.")
        target = {"reference_resource": resource}
    else:
        raise ValidationError(gettext("Pilih sumber daya atau analisa yang akan ditambahkan."))
    success = gettext("%(code)s %(name)s ditambahkan.") % {"code": resource.code, "name": resource.name}
    label = f"{resource.code} {resource.name[:60]}"
    return label, analysis_services.add_resource_component, target, success


@login_required
@require_POST
def analysis_component_add(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    """Add a component: ``resource`` (project), ``reference_resource`` (library) or ``nested`` (analysis)."""
    project = project_for(request, pk, edit=True)
    item = _item(project, item_id)
    data = request.POST
    form = NewResourceForm(data) if data.get("new_resource") else CoefficientForm(data)
    if not form.is_valid():
        return _respond(request, project, item, error=f"Komponen tidak ditambahkan: {_form_error(form)}")
    coefficient = form.cleaned_data["coefficient"]
    try:
        label, add, target, success = _component_to_add(project, data, form)
        scope = _scope(request, item)
        if scope is None:
            what = gettext("%(label)s ditambahkan dengan koefisien %(coefficient)s.") % {
                "label": label,
                "coefficient": format_coefficient(coefficient),
            }
            return _ask_scope(request, project, item, action=request.path, what=what)
        add(
            analysis=item.analysis,
            coefficient=coefficient,
            for_item=_for_item(scope, item),
            by=request.user,
            **target,
        )
    except ValidationError as exc:
        return _respond(request, project, item, error=f"Komponen tidak ditambahkan: {' '.join(exc.messages)}")
    return _respond(request, project, item, success=_saved(success, scope, item), scope=scope)


@login_required
@require_POST
def analysis_component_delete(request: HttpRequest, pk: int, item_id: int, component_id: int) -> HttpResponse:
    project = project_for(request, pk, edit=True)
    item = _item(project, item_id)
    component = get_object_or_404(
        AnalysisComponent.objects.select_related("resource", "nested_analysis"),
        analysis_id=item.analysis_id,
        pk=component_id,
    )
    scope = _scope(request, item)
    if scope is None:
        target = component.resource or component.nested_analysis
        what = gettext("%(code)s %(name)s dihapus dari analisa.") % {
            "code": target.code,
            "name": target.name[:60],
        }
        return _ask_scope(request, project, item, action=request.path, what=what)
    analysis_services.remove_component(component=component, for_item=_for_item(scope, item), by=request.user)
    return _respond(request, project, item, success=_saved("Komponen dihapus.", scope, item), scope=scope)


@login_required
@require_POST
def analysis_reset(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    """Restore the components of the library version ("Reset ke referensi")."""
    project = project_for(request, pk, edit=True)
    item = _item(project, item_id)
    scope = _scope(request, item) if item.analysis.reference_id else "all"
    if scope is None:
        what = gettext("Semua komponen dan koefisien dikembalikan ke versi referensi.")
        return _ask_scope(request, project, item, action=request.path, what=what)
    try:
        analysis_services.reset_to_reference(
            analysis=item.analysis, for_item=_for_item(scope, item), by=request.user
        )
    except ValidationError as exc:
        return _respond(request, project, item, error=" ".join(exc.messages))
    success = _saved("Analisa dikembalikan ke versi referensi.", scope, item)
    return _respond(request, project, item, success=success, scope=scope)


@login_required
@require_POST
def analysis_variant(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    """ "Ubah hanya untuk pekerjaan ini": the item gets its own copy of its shared analysis."""
    project = project_for(request, pk, edit=True)
    item = _item(project, item_id)
    try:
        item = analysis_services.make_item_variant(item=item, by=request.user)
    except ValidationError as exc:
        return _respond(request, project, item, error=" ".join(exc.messages))
    success = gettext(
        "Pekerjaan ini sekarang memakai analisa sendiri %(code)s: perubahan berikutnya hanya berlaku untuk "
        "pekerjaan ini."
    ) % {"code": item.analysis.code}
    return _respond(request, project, item, success=success)


@login_required
@require_POST
def work_item_overhead(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    """The work item's own BUK % (blank = the project's)."""
    project = project_for(request, pk, edit=True)
    item = _item(project, item_id)
    form = OverheadForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            analysis_services.set_overhead_override(
                item=item, pct=form.cleaned_data["overhead_pct"], by=request.user
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = _form_error(form)
    if error:
        value = request.POST.get("overhead_pct", "")[:20]
        return _respond(
            request, project, item, error=f"BUK tidak disimpan: {error}", overhead_error=(value, error)
        )
    return _respond(request, project, item, success="BUK pekerjaan disimpan.")


@login_required
@require_POST
def work_item_direct_price(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    """Harga satuan langsung (lump sum): the item's price typed directly, with or without BUK."""
    project = project_for(request, pk, edit=True)
    item = _item(project, item_id)
    form = DirectPriceForm(request.POST)
    error, field_error = "", False
    if form.is_valid():
        try:
            analysis_services.set_direct_price(
                item=item,
                unit_price=form.cleaned_data["unit_price"],
                includes_overhead=form.cleaned_data["includes_overhead"] == "1",
                by=request.user,
            )
        except ValidationError as exc:
            error, field_error = " ".join(exc.messages), hasattr(exc, "error_dict")
    else:
        error, field_error = _form_error(form), True
    if error:
        value = request.POST.get("unit_price", "")[:40]
        return _respond(
            request,
            project,
            item,
            error=gettext("Harga satuan langsung tidak disimpan: %(error)s") % {"error": error},
            direct_error=(value, error) if field_error else None,  # beside the input, or above the sheet
        )
    return _respond(request, project, item, success=gettext("Harga satuan langsung disimpan."))


@login_required
@require_GET
@cached_project_page("project_analyses")
def project_analyses(request: HttpRequest, pk: int) -> HttpResponse:
    """All analyses of the project (rincian AHSP) for reading and printing."""
    project = project_for(request, pk)
    sheets = analysis_sheets.load_project_sheets(project=project)
    return render(request, "ahsp/project_analyses.html", {"project": project, "sheets": sheets})
