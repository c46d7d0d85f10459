"""The Daftar Pekerjaan forms: a section, a custom item (optionally priced directly), an item's volume and
a project parameter.

Input validation only: the writes are in ``ahsp.services``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ahsp.forms.fields import DecimalInputField
from ahsp.models.estimate import MAX_PARAMETER, MAX_PRICE, MAX_VOLUME


class SectionForm(forms.Form):
    name = forms.CharField(label=_("Nama klasifikasi"), max_length=255)
    parent = forms.ModelChoiceField(
        label=_("Di bawah"), queryset=None, required=False, empty_label=_("(klasifikasi utama)")
    )

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = project.sections.order_by("position", "id")
        self.fields["parent"].error_messages["invalid_choice"] = _("Klasifikasi induk tidak ditemukan.")
        self.fields["name"].error_messages["required"] = _("Nama klasifikasi wajib diisi.")


class CustomItemForm(forms.Form):
    name = forms.CharField(label=_("Uraian pekerjaan"), max_length=500)
    unit = forms.CharField(label=_("Satuan"), max_length=60)

    def __init__(self, *args, project=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].error_messages["required"] = _("Uraian pekerjaan wajib diisi.")
        self.fields["unit"].error_messages["required"] = _("Satuan wajib diisi.")


class VolumeForm(forms.Form):
    volume = DecimalInputField(label=_("Volume"), required=False, max_places=4, max_value=MAX_VOLUME)
    volume_formula = forms.CharField(label=_("Rumus volume"), required=False, max_length=500)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if not self.errors and data.get("volume") is None and not data.get("volume_formula", "").strip():
            raise forms.ValidationError(_("Isi volume atau rumus volume."))
        return data


class ParameterForm(forms.Form):
    name = forms.RegexField(
        label=_("Nama parameter"),
        regex=r"^[A-Za-z][A-Za-z0-9_]*$",
        max_length=40,
        error_messages={
            "invalid": _("Nama parameter diawali huruf dan hanya berisi huruf, angka, atau garis bawah."),
            "required": _("Nama parameter wajib diisi."),
        },
    )
    value = DecimalInputField(label=_("Nilai"), max_places=6, max_value=MAX_PARAMETER)
    description = forms.CharField(label=_("Keterangan"), required=False, max_length=200)

    def clean_value(self):
        value = self.cleaned_data.get("value")
        if value is None:
            raise forms.ValidationError(_("Nilai parameter wajib diisi."))
        return value


class DirectPriceItemForm(forms.Form):
    """A custom item priced directly when it is added (harga satuan langsung, e.g. a lump sum): optional."""

    unit_price = DecimalInputField(
        label=_("Harga satuan langsung (Rp)"), required=False, max_places=2, max_value=MAX_PRICE
    )
    includes_overhead = forms.ChoiceField(label=_("BUK"), choices=[("0", "0"), ("1", "1")], required=False)
