"""The reference library upload (staff): which workbook, and which edition it is. No writes here."""

from django import forms
from django.utils.translation import gettext_lazy as _


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
