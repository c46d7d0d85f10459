"""The audit trail's filter (who, what, which kind of object, between which dates). Validation only."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ahsp.loaders.audit import TARGET_TYPES, TrailFilters
from ahsp.models import AuditEvent
from ahsp.models.project import EARLIEST_DATE, LATEST_DATE


class AuditFilterForm(forms.Form):
    """Validation only: the template writes the inputs out itself (see audit_list.html)."""

    actor = forms.CharField(label=gettext_lazy("Pengguna"), required=False, max_length=254)
    action = forms.ChoiceField(
        label=gettext_lazy("Tindakan"),
        required=False,
        choices=[("", gettext_lazy("Semua tindakan")), *AuditEvent.Action.choices],
    )
    type = forms.ChoiceField(
        label=gettext_lazy("Jenis objek"),
        required=False,
        choices=[("", gettext_lazy("Semua jenis")), *TARGET_TYPES.items()],
    )
    date_from = forms.DateField(label=gettext_lazy("Dari tanggal"), required=False)
    date_to = forms.DateField(label=gettext_lazy("Sampai tanggal"), required=False)

    def _bounded(self, name: str):
        value = self.cleaned_data.get(name)
        if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
            raise forms.ValidationError(_("Tanggal harus antara 1 Januari 1990 dan 31 Desember 2100."))
        return value

    def clean_date_from(self):
        return self._bounded("date_from")

    def clean_date_to(self):
        return self._bounded("date_to")

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("Tanggal akhir tidak boleh sebelum tanggal awal."))
        return data

    def filters(self) -> TrailFilters:
        """The valid filters (an invalid field is shown with its error and ignored)."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return TrailFilters(
            actor=(data.get("actor") or "").strip(),
            action=data.get("action") or "",
            target_type=data.get("type") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
