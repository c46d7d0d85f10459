"""Input validation only: no writes here."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ahsp.models import Project
from ahsp.services.projects import EDITABLE_FIELDS


class ProjectForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Project
        fields = EDITABLE_FIELDS
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 3}),
            "budget_ceiling": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
        }
        error_messages = {
            "name": {"required": _("Nama proyek wajib diisi.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        else:
            del self.fields["version"]
            self.fields["status"].choices = [
                c for c in Project.Status.choices if c[0] != Project.Status.ARCHIVED
            ]


class ProjectFilterForm(forms.Form):
    SORTS = [
        ("-updated_at", _("Terakhir diubah")),
        ("name", _("Nama (A-Z)")),
        ("-name", _("Nama (Z-A)")),
        ("-created_at", _("Terbaru dibuat")),
        ("-fiscal_year", _("Tahun anggaran")),
        ("-budget_ceiling", _("Pagu terbesar")),
    ]
    q = forms.CharField(label=_("Cari nama atau lokasi"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Semua status"))] + list(Project.Status.choices)
    )
    sort = forms.ChoiceField(label=_("Urutkan"), required=False, choices=SORTS)


class ReferenceUploadForm(forms.Form):
    file = forms.FileField(label=_("Berkas Excel (.xlsx)"))
    source = forms.CharField(label=_("Sumber / edisi"), initial="SNI 2025", max_length=60)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Berkas harus berformat Excel .xlsx."))
        if upload.size > 50 * 1024 * 1024:
            raise forms.ValidationError(_("Berkas terlalu besar (maksimal 50 MB)."))
        return upload
