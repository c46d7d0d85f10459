"""The work breakdown page (Daftar Pekerjaan): sections, work items, volumes, the reference picker."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ahsp import idempotency
from ahsp.forms.work_items import CustomItemForm, DirectPriceItemForm, ParameterForm, SectionForm, VolumeForm
from ahsp.loaders import work_breakdown
from ahsp.models import Project, ReferenceAnalysis, Section, WorkItem
from ahsp.services import parameters as parameter_services
from ahsp.services import sections as section_services
from ahsp.services import work_items as item_services
from ahsp.views._access import project_for
from ahsp.views._page_cache import cached_project_page
from ahsp.views._params import has_nul, id_param, ids_param, text_param
from ahsp.views._version import with_posted_version
from partials.htmx import is_partial


@login_required
@require_GET
@cached_project_page("work_item_section")
def work_item_section(request: HttpRequest, pk: int, section_id: int) -> HttpResponse:
    """The rows of one section (HTMX), or the page with that section open (no JS)."""
    project = project_for(request, pk)
    section = get_object_or_404(Section, project=project, pk=section_id)
    if not is_partial(request):
        return redirect(
            reverse("ahsp:work_item_list", args=[project.pk]) + f"?open={section.pk}#section-{section.pk}"
        )
    numbers, _counts = work_breakdown.load_numbers(project, list(Section.objects.filter(project=project)))
    items = work_breakdown.load_items(project, {section.pk})
    for item in items:
        item.number = numbers[("item", item.pk)]
    return render(request, "ahsp/work_item_list.html#section-items", {"project": project, "items": items})


@login_required
@require_GET
@cached_project_page("work_item_list")
def work_item_list(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk)
    open_ids = ids_param(request.GET.getlist("open"))
    roots, _nodes = work_breakdown.load_tree(project, open_ids)
    flat = work_breakdown.flat_sections(roots)
    context = {
        "project": project,
        "roots": roots,
        "section_form": SectionForm(project=project),
        "custom_form": CustomItemForm(project=project),
        "flat_sections": flat,
        "total": work_breakdown.load_total(project),
        "parameters": list(project.parameters.all()),
        "parameter_form": ParameterForm(),
    }
    return render(request, "ahsp/work_item_list.html", context)


def _back(project: Project, anchor: str = "") -> HttpResponse:
    return redirect(reverse("ahsp:work_item_list", args=[project.pk]) + (f"#{anchor}" if anchor else ""))


@login_required
@require_POST
def section_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk, edit=True)
    if (repeated := idempotency.replay(request)) is not None:
        return repeated
    form = SectionForm(request.POST, project=project)
    if form.is_valid():
        section = idempotency.create_once(
            request,
            lambda: section_services.create(
                project=project,
                name=form.cleaned_data["name"],
                parent=form.cleaned_data["parent"],
                by=request.user,
            ),
            lambda section: f"{reverse('ahsp:work_item_list', args=[project.pk])}#section-{section.pk}",
        )
        if isinstance(section, HttpResponse):
            return section
        messages.success(request, gettext("Klasifikasi ditambahkan."))
        return _back(project)
    for error in form.errors.values():
        messages.error(request, " ".join(error))
    return _back(project)


@login_required
@require_POST
def section_move(request: HttpRequest, pk: int, section_id: int) -> HttpResponse:
    project = project_for(request, pk, edit=True)
    section = get_object_or_404(Section, project=project, pk=section_id)
    section_services.move(section=section, direction=_direction(request), by=request.user)
    return _back(project, f"section-{section.pk}")


@login_required
@require_http_methods(["GET", "POST"])
def section_delete(request: HttpRequest, pk: int, section_id: int) -> HttpResponse:
    project = project_for(request, pk, edit=True)
    section = get_object_or_404(Section, project=project, pk=section_id)
    if request.method == "POST":
        section_services.delete(section=section, by=request.user)
        messages.success(request, f"Klasifikasi “{section.name}” dihapus.")
        return _back(project)
    count = WorkItem.objects.filter(section__in=_descendants(section)).count()
    return render(
        request,
        "ahsp/confirm_delete.html",
        {
            "project": project,
            "what": gettext("klasifikasi “%(name)s”") % {"name": section.name},
            "detail": gettext("%(count)s pekerjaan di dalamnya ikut terhapus.") % {"count": count},
        },
    )


def _descendants(section: Section) -> list[int]:
    ids, frontier = [section.pk], [section.pk]
    while frontier:
        frontier = list(Section.objects.filter(parent_id__in=frontier).values_list("id", flat=True))
        ids.extend(frontier)
    return ids


def _direction(request: HttpRequest) -> str:
    return "up" if request.POST.get("direction") == "up" else "down"


@login_required
@require_GET
def reference_picker(request: HttpRequest, pk: int) -> HttpResponse:
    """HTMX search in the reference library; each result has an 'add' button for the chosen section."""
    project = project_for(request, pk, edit=True)
    query = text_param(request.GET.get("q"))
    results = []
    if query:
        results = list(
            ReferenceAnalysis.objects.search(query).only(
                "id", "code", "name", "unit", "source", "is_suspicious"
            )[: settings.REFERENCE_PAGE_SIZE]
        )
    context = {
        "project": project,
        "query": query,
        "results": results,
        "flat_sections": work_breakdown.flat_sections(work_breakdown.load_tree(project)[0])
        if not is_partial(request)
        else None,
        "section_id": request.GET.get("section", ""),
    }
    template = "ahsp/work_item_picker.html" + ("#picker-results" if is_partial(request) else "")
    return render(request, template, context)


@login_required
@require_POST
def work_item_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a work item from the library (`reference`) or a custom one (`name` + `unit`)."""
    project = project_for(request, pk, edit=True)
    section = Section.objects.filter(project=project, pk=id_param(request.POST.get("section"))).first()
    if section is None:
        messages.error(
            request, "Pilih klasifikasi tempat pekerjaan ditambahkan (buat klasifikasi dulu bila belum ada)."
        )
        return _back(project)
    if request.POST.get("reference"):
        reference = ReferenceAnalysis.objects.filter(pk=id_param(request.POST["reference"])).first()
        if reference is None:
            messages.error(request, "AHSP referensi tidak ditemukan.")
            return _back(project)
        item = item_services.add_from_reference(
            project=project, section=section, reference=reference, by=request.user
        )
    else:
        form = CustomItemForm(request.POST, project=project)
        direct = DirectPriceItemForm(request.POST)
        if not (form.is_valid() and direct.is_valid()):
            for error in [*form.errors.values(), *direct.errors.values()]:
                messages.error(request, " ".join(error))
            if request.POST.get("lump_sum"):
                return redirect(
                    reverse("ahsp:work_item_picker", args=[project.pk]) + f"?section={section.pk}"
                )
            return _back(project)
        try:
            item = item_services.add_custom(
                project=project,
                section=section,
                name=form.cleaned_data["name"],
                unit=form.cleaned_data["unit"],
                unit_price=direct.cleaned_data["unit_price"],
                price_includes_overhead=direct.cleaned_data["includes_overhead"] == "1",
                by=request.user,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return _back(project)
    messages.success(request, gettext("Pekerjaan “%(name)s” ditambahkan.") % {"name": item.name[:80]})
    return _back(project, f"item-{item.pk}")


def _row_context(project: Project, item: WorkItem, form: VolumeForm | None = None) -> dict:
    item.number = work_breakdown.load_item_number(project, item)
    return {
        "project": project,
        "item": item,
        "form": form,
        "total": work_breakdown.load_total(project),
        "oob": True,
    }


@login_required
@require_POST
def work_item_volume(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    """Inline volume edit: the row swaps, the project total updates out of band."""
    project = project_for(request, pk, edit=True)
    item = get_object_or_404(WorkItem.objects.select_related("analysis"), project=project, pk=item_id)
    form = VolumeForm(with_posted_version(request.POST))
    if form.is_valid():
        try:
            item = item_services.set_volume(
                item=item,
                volume=form.cleaned_data["volume"],
                formula=form.cleaned_data["volume_formula"],
                expected_version=form.cleaned_data["version"],
                by=request.user,
            )
        except item_services.ConflictError as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
    if not is_partial(request):
        if form.errors:
            for message in form.non_field_errors() or [e for errs in form.errors.values() for e in errs]:
                messages.error(request, message)
        return _back(project, f"item-{item.pk}")
    item = WorkItem.objects.select_related("analysis").get(pk=item.pk)
    return render(
        request,
        "ahsp/work_item_list.html#work-item-row",
        _row_context(project, item, form if form.errors else None),
    )


@login_required
@require_POST
def work_item_move(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    project = project_for(request, pk, edit=True)
    item = get_object_or_404(WorkItem, project=project, pk=item_id)
    target = request.POST.get("section")
    if target:
        section = get_object_or_404(Section, project=project, pk=id_param(target))
        item_services.move_to_section(item=item, section=section, by=request.user)
    else:
        item_services.move(item=item, direction=_direction(request), by=request.user)
    return _back(project, f"item-{item.pk}")


@login_required
@require_http_methods(["GET", "POST"])
def work_item_delete(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    project = project_for(request, pk, edit=True)
    item = get_object_or_404(WorkItem, project=project, pk=item_id)
    if request.method == "POST":
        item_services.delete(item=item, by=request.user)
        messages.success(request, f"Pekerjaan “{item.name[:80]}” dihapus.")
        return _back(project)
    return render(
        request,
        "ahsp/confirm_delete.html",
        {
            "project": project,
            "what": gettext("pekerjaan “%(name)s”") % {"name": item.name[:120]},
            "detail": "",
        },
    )


@login_required
@require_POST
def parameter_set(request: HttpRequest, pk: int) -> HttpResponse:
    """Create or update a parameter by name; formulas using it are recomputed."""
    project = project_for(request, pk, edit=True)
    form = ParameterForm(request.POST)
    if form.is_valid():
        parameter = parameter_services.set_value(
            project=project,
            name=form.cleaned_data["name"],
            value=form.cleaned_data["value"],
            description=form.cleaned_data["description"],
            by=request.user,
        )
        messages.success(
            request, f"Parameter {parameter.name} disimpan; volume yang memakainya dihitung ulang."
        )
    else:
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    return _back(project, "parameters")


@login_required
@require_POST
def parameter_delete(request: HttpRequest, pk: int, parameter_id: int) -> HttpResponse:
    project = project_for(request, pk, edit=True)
    parameter = get_object_or_404(project.parameters, pk=parameter_id)
    broken = parameter_services.delete(parameter=parameter, by=request.user)
    if broken:
        messages.warning(
            request, f"Parameter {parameter.name} dihapus; {broken} rumus volume perlu diperbaiki."
        )
    else:
        messages.success(request, f"Parameter {parameter.name} dihapus.")
    return _back(project, "parameters")


@login_required
@require_POST
def work_item_rename(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    project = project_for(request, pk, edit=True)
    item = get_object_or_404(WorkItem, project=project, pk=item_id)
    name = request.POST.get("name", "").strip()
    if not name:
        messages.error(request, "Uraian pekerjaan wajib diisi.")
    elif has_nul(name):
        messages.error(request, gettext("Uraian pekerjaan tidak boleh berisi karakter kontrol (NUL)."))
    elif len(name) > 500:
        messages.error(request, "Uraian pekerjaan paling banyak 500 karakter.")
    else:
        item_services.rename(item=item, name=name, by=request.user)
        messages.success(request, "Uraian pekerjaan diganti.")
    return redirect("ahsp:work_item_detail", project.pk, item.pk)


@login_required
@require_POST
def section_rename(request: HttpRequest, pk: int, section_id: int) -> HttpResponse:
    project = project_for(request, pk, edit=True)
    section = get_object_or_404(Section, project=project, pk=section_id)
    form = SectionForm({"name": request.POST.get("name", "")}, project=project)
    if form.is_valid():
        section_services.rename(section=section, name=form.cleaned_data["name"], by=request.user)
        messages.success(request, "Nama klasifikasi diganti.")
    else:
        messages.error(request, " ".join(form.errors["name"]))
    return _back(project, f"section-{section.pk}")
