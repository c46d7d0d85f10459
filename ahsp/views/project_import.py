"""Import a whole project from an Excel workbook (``/projects/import/``) and its empty template."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from ahsp import idempotency
from ahsp.importers.project_template import build_template
from ahsp.services import project_import as import_service
from partials.htmx import is_partial, template_for

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_PROBLEMS_SHOWN = 1000  # a broken 100.000-row sheet must not produce a page the browser cannot open
MAX_WARNINGS_SHOWN = 20  # after a successful import, as messages on the project page
TEMPLATE_FILE_NAME = "templat-impor-proyek.xlsx"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ProjectImportForm(forms.Form):
    """Input validation only (kept beside its single view; it can move to ahsp/forms.py)."""

    file = forms.FileField(label=gettext_lazy("Berkas Excel (.xlsx)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Berkas harus berformat Excel .xlsx."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("Berkas terlalu besar (maksimal 20 MB)."))
        return upload


@login_required
@require_http_methods(["GET", "POST"])
def project_import(request: HttpRequest) -> HttpResponse:
    problems = warnings = ()
    if request.method == "POST":
        if (repeated := idempotency.replay(request)) is not None:
            return repeated
        form = ProjectImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = idempotency.create_once(
                    request,
                    lambda: import_service.import_project_report(
                        source=upload, by=request.user, file_name=upload.name
                    ),
                    lambda report: report.project.get_absolute_url(),
                )
            except import_service.ProjectImportError as exc:
                problems, warnings = exc.problems, exc.warnings
            else:
                if isinstance(report, HttpResponse):
                    return report
                project = report.project
                messages.success(
                    request,
                    _("Proyek “%(name)s” diimpor dari Excel: %(count)s pekerjaan.")
                    % {"name": project.name, "count": project.work_items.count()},
                )
                _warn(request, report.warnings)
                if is_partial(request):
                    return HttpResponseClientRedirect(project.get_absolute_url())
                return redirect(project)
    else:
        form = ProjectImportForm()
    context = {
        "form": form,
        "problems": problems[:MAX_PROBLEMS_SHOWN],
        "problem_count": len(problems),
        "warnings": warnings[:MAX_PROBLEMS_SHOWN],
        "warning_count": len(warnings),
        "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
    }
    return render(request, template_for(request, "ahsp/project_import.html", "import-form"), context)


def _warn(request: HttpRequest, warnings) -> None:
    """The workbook's warnings on the project page: the project was imported, but these deserve a look."""
    for warning in warnings[:MAX_WARNINGS_SHOWN]:
        messages.warning(request, _("Peringatan impor: %(warning)s") % {"warning": warning})
    if len(warnings) > MAX_WARNINGS_SHOWN:
        messages.warning(
            request,
            _("… dan %(count)s peringatan impor lainnya.") % {"count": len(warnings) - MAX_WARNINGS_SHOWN},
        )


@login_required
@require_GET
def project_import_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(build_template(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{TEMPLATE_FILE_NAME}"'
    return response
