"""The project form (create and edit, fields grouped for the page), the project list filter and the
workbook a project is imported from.

Input validation only: the writes are in ``ahsp.services.projects``."""

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from ahsp.formatting import format_trimmed
from ahsp.forms.fields import DecimalInputField, IntegerInputField, XlsxFileField
from ahsp.loaders.rab_notes import GOVERNMENT_OVERHEAD_CEILING
from ahsp.models import Project
from ahsp.models.project import EARLIEST_DATE, LATEST_DATE
from ahsp.services.projects import EDITABLE_FIELDS

SIGNATORY_FIELDS = [
    "signing_place",
    "prepared_by_name",
    "prepared_by_title",
    "checked_by_name",
    "checked_by_title",
    "approved_by_name",
    "approved_by_title",
]
CALCULATION_FIELDS = [
    "overhead_profit_pct",
    "vat_pct",
    "rounding_step",
    "rounding_mode",
    "hsp_rounding_step",
    "numbering_style",
]
FIELDSETS = [
    (_("Data proyek"), [f for f in EDITABLE_FIELDS if f not in SIGNATORY_FIELDS + CALCULATION_FIELDS]),
    (_("Perhitungan RAB"), CALCULATION_FIELDS),
    (_("Tanda tangan dokumen cetak"), SIGNATORY_FIELDS),
]


def overhead_warning(pct: Decimal | None) -> str:
    """The warning for a BUK % above the government ceiling (allowed for private work), or ""."""
    if pct is None or pct <= GOVERNMENT_OVERHEAD_CEILING:
        return ""
    return _(
        "BUK %(pct)s %% di atas batas %(ceiling)s %% untuk pekerjaan pemerintah (Permen PUPR 8/2023); "
        "boleh untuk pekerjaan swasta."
    ) % {"pct": format_trimmed(pct, 0, 2), "ceiling": format_trimmed(GOVERNMENT_OVERHEAD_CEILING, 0, 2)}


def _model_limits(model_field) -> dict:
    limits = {}
    for validator in model_field.validators:
        if isinstance(validator, MinValueValidator):
            limits["min_value"] = validator.limit_value
        elif isinstance(validator, MaxValueValidator):
            limits["max_value"] = validator.limit_value
    return limits


class ProjectForm(forms.ModelForm):
    """Every number is a text input read by ``ahsp.parsing`` (Pagu ``1.500.000.000``, BUK ``12,5``)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Project
        fields = EDITABLE_FIELDS
        widgets = {
            "start_date": forms.DateInput(
                attrs={"type": "date", "min": EARLIEST_DATE.isoformat(), "max": LATEST_DATE.isoformat()},
                format="%Y-%m-%d",
            ),
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        field_classes = {
            "budget_ceiling": DecimalInputField,
            "overhead_profit_pct": DecimalInputField,
            "vat_pct": DecimalInputField,
            "fiscal_year": IntegerInputField,
            "duration_weeks": IntegerInputField,
        }
        error_messages = {
            "name": {"required": _("Nama proyek wajib diisi.")},
        }

    #: Decimals a stored value shows in its input: money always 2, percentages as needed.
    SHOWN_PLACES = {"budget_ceiling": (2, 2), "overhead_profit_pct": (0, 2), "vat_pct": (0, 2)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, DecimalInputField):
                limits = _model_limits(Project._meta.get_field(name))
                field.min_value = limits.get("min_value", field.min_value)
                field.max_value = limits.get("max_value", field.max_value)
                field.shown_places = self.SHOWN_PLACES.get(name, field.shown_places)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        else:
            del self.fields["version"]
            self.fields["status"].choices = [
                c for c in Project.Status.choices if c[0] != Project.Status.ARCHIVED
            ]

    def overhead_warning(self) -> str:
        """The BUK ceiling warning for the value in the form (typed, or stored when not bound)."""
        if self.is_bound:
            value = self.cleaned_data.get("overhead_profit_pct") if hasattr(self, "cleaned_data") else None
        else:
            value = self.initial.get("overhead_profit_pct", self.instance.overhead_profit_pct)
        return overhead_warning(value)

    def fieldsets(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The visible fields in groups, in ``FIELDSETS`` order, for the template."""
        return [
            (legend, [self[name] for name in names if name in self.fields]) for legend, names in FIELDSETS
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


#: The largest project workbook accepted (the page states it).
MAX_IMPORT_BYTES = 20 * 1024 * 1024


class ProjectImportForm(forms.Form):
    file = XlsxFileField(max_bytes=MAX_IMPORT_BYTES, too_large=_("Berkas terlalu besar (maksimal 20 MB)."))
