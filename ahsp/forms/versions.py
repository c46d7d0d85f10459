"""The "Bekukan versi" form (issue 15 §4)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class FreezeForm(forms.Form):
    name = forms.CharField(
        label=_("Nama versi"), max_length=120, help_text=_("Contoh: HPS diajukan, Addendum 1.")
    )
    note = forms.CharField(
        label=_("Catatan"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
