"""The "Salin proyek" form and the backup upload of "Pulihkan dari cadangan" (issue 15 §1-2)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ahsp.forms.fields import IntegerInputField
from ahsp.importers.project_document import MAX_BYTES
from ahsp.models.copy_job import MAX_COPIES, PARTS
from ahsp.models.project import EARLIEST_DATE, LATEST_DATE

MAX_BACKUP_MB = MAX_BYTES // (1024 * 1024)


class ProjectCopyForm(forms.Form):
    parts = forms.ChoiceField(
        label=_("Yang disalin"), choices=PARTS, initial="estimate", widget=forms.RadioSelect
    )
    name = forms.CharField(label=_("Nama salinan"), max_length=240)
    start_date = forms.DateField(
        label=_("Tanggal mulai salinan"),
        required=False,
        help_text=_("Kosongkan untuk memakai tanggal proyek sumber; jadwal dan tahapan ikut bergeser."),
        widget=forms.DateInput(
            attrs={"type": "date", "min": EARLIEST_DATE.isoformat(), "max": LATEST_DATE.isoformat()},
            format="%Y-%m-%d",
        ),
    )
    count = IntegerInputField(
        label=_("Jumlah salinan"),
        min_value=1,
        max_value=MAX_COPIES,
        initial=1,
        help_text=_("1 sampai 50; lebih dari satu salinan diberi nomor: “Nama (1)”, “Nama (2)”, …"),
    )

    def clean_start_date(self):
        day = self.cleaned_data.get("start_date")
        if day is not None and not EARLIEST_DATE <= day <= LATEST_DATE:
            raise forms.ValidationError(_("Tanggal mulai harus antara 1 Januari 1990 dan 31 Desember 2100."))
        return day


class BackupUploadForm(forms.Form):
    file = forms.FileField(label=_("Berkas cadangan proyek (.json)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".json"):
            raise forms.ValidationError(
                _("Berkas harus berupa cadangan proyek AHSP (.json)."), code="extension"
            )
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("Berkas terlalu besar (maksimal %(mb)s MB).") % {"mb": MAX_BACKUP_MB}, code="size"
            )
        return upload
