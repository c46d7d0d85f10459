"""Templates of work (issue 15 §3): the list (own and shared, import, download, delete), "Simpan sebagai
templat" from a project, and "Sisipkan templat" into a project with an HTMX preview (the insert done and
rolled back: counts, new analyses, conflicts and the value at the project's prices).

Saving reads the project (seeing it is enough); inserting changes it (editing it is needed). A template is
used by its owner, or by anyone when staff shared it; only its owner deletes it.
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ahsp.forms.work_templates import (
    InsertTemplateForm,
    SaveTemplateForm,
    TemplateUploadForm,
    available_templates,
)
from ahsp.importers.project_document import MAX_BYTES, DocumentInvalid
from ahsp.importers.project_document.reader import parse_json
from ahsp.models import Section, WorkTemplate
from ahsp.services import work_templates
from ahsp.views._access import project_for
from partials.htmx import is_partial

MAX_PROBLEMS_SHOWN = 20


def _section(project, value: str) -> Section | None:
    if not value:
        return None
    return get_object_or_404(Section, project=project, pk=value)


@login_required
@require_http_methods(["GET", "POST"])
def template_list(request: HttpRequest) -> HttpResponse:
    form = TemplateUploadForm()
    if request.method == "POST":
        form = TemplateUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                document = parse_json(form.cleaned_data["file"].read(MAX_BYTES + 1))
                template = work_templates.import_template(document=document, by=request.user)
            except DocumentInvalid as error:
                for problem in error.problems[:MAX_PROBLEMS_SHOWN]:
                    form.add_error("file", str(problem))
            else:
                messages.success(request, _("Templat “%(name)s” diimpor.") % {"name": template.name})
                return redirect("ahsp:template_list")
    context = {"templates": available_templates(request.user).select_related("owner"), "form": form}
    return render(request, "ahsp/work_template_list.html", context)


def _usable(request: HttpRequest, template_id: int) -> WorkTemplate:
    return get_object_or_404(
        WorkTemplate.objects.filter(Q(owner=request.user) | Q(shared=True)), pk=template_id
    )


@login_required
@require_safe
def template_download(request: HttpRequest, template_id: int) -> HttpResponse:
    template = _usable(request, template_id)
    response = HttpResponse(
        json.dumps(template.document, ensure_ascii=False, indent=1), content_type="application/json"
    )
    name = slugify(template.name)[:80] or f"templat-{template.pk}"
    response["Content-Disposition"] = f'attachment; filename="templat-{name}.json"'
    return response


@login_required
@require_POST
def template_delete(request: HttpRequest, template_id: int) -> HttpResponse:
    template = get_object_or_404(WorkTemplate, owner=request.user, pk=template_id)
    work_templates.delete_template(template=template, by=request.user)
    messages.success(request, _("Templat “%(name)s” dihapus.") % {"name": template.name})
    return redirect("ahsp:template_list")


@login_required
@require_http_methods(["GET", "POST"])
def template_save(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk)
    form = SaveTemplateForm(request.POST or None, project=project, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        template = work_templates.save_template(
            project=project,
            section=_section(project, data["section"]),
            name=data["name"],
            description=data["description"],
            with_volumes=data["with_volumes"],
            shared=data.get("shared", False),
            by=request.user,
        )
        messages.success(
            request,
            _("Templat “%(name)s” disimpan: %(count)s pekerjaan.")
            % {"name": template.name, "count": template.item_count},
        )
        return redirect("ahsp:template_list")
    return render(request, "ahsp/work_template_save.html", {"project": project, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def template_insert(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the form (htmx with a template chosen: the preview fragment); POST: insert and go back to the
    work breakdown with what was merged as messages."""
    project = project_for(request, pk, edit=True)
    data = request.POST if request.method == "POST" else (request.GET if "template" in request.GET else None)
    form = InsertTemplateForm(data, project=project, user=request.user)
    if data is not None and form.is_valid():
        template, parent = form.cleaned_data["template"], _section(project, form.cleaned_data["parent"])
        if request.method == "GET":
            report = work_templates.preview(project=project, template=template, parent=parent)
            if not is_partial(request):
                return render(
                    request,
                    "ahsp/work_template_insert.html",
                    {"project": project, "form": form, "report": report},
                )
            return render(
                request,
                "ahsp/work_template_insert.html#insert-preview",
                {"report": report, "template": template},
            )
        report = work_templates.insert_template(
            project=project, template=template, parent=parent, by=request.user
        )
        messages.success(
            request,
            _("Templat “%(name)s” disisipkan: %(items)s pekerjaan.")
            % {"name": template.name, "items": report.items},
        )
        for conflict in report.conflicts:
            messages.warning(request, conflict)
        return redirect("ahsp:work_item_list", pk=project.pk)
    if is_partial(request) and data is not None:
        return HttpResponse("")  # no template chosen (yet): no preview
    return render(request, "ahsp/work_template_insert.html", {"project": project, "form": form})
