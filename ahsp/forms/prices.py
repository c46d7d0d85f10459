"""Input validation for the resource price page (harga satuan dasar): no writes here.

Cross-field rules (purchase unit and factor together, a purchase price needs both) live in
``ahsp.services.resources.set_price``, so they hold for every caller; the view shows their messages in
the row like any form error.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from ahsp.forms.fields import DecimalInputField, XlsxFileField
from ahsp.models.estimate import MAX_COEFFICIENT, MAX_PRICE

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class PriceForm(forms.Form):
    unit_price = DecimalInputField(label=_("Harga satuan"), required=False, max_places=2, max_value=MAX_PRICE)
    purchase_unit = forms.CharField(label=_("Satuan beli"), required=False, max_length=60)
    purchase_factor = DecimalInputField(
        label=_("Isi per satuan beli"), required=False, max_places=6, max_value=MAX_COEFFICIENT
    )
    purchase_price = DecimalInputField(
        label=_("Harga per satuan beli"), required=False, max_places=2, max_value=MAX_PRICE
    )
    # The row's version when the form was loaded (optimistic locking); the view reads a missing or
    # invalid one as a conflict (ahsp/views/_version.py), never as "no check".
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purchase_unit"].error_messages["max_length"] = _(
            "Satuan beli paling banyak %(limit_value)d karakter."
        )


class PriceImportForm(forms.Form):
    file = XlsxFileField(
        max_bytes=MAX_UPLOAD_BYTES,
        too_large=_("Berkas terlalu besar (maksimal 10 MB)."),
        error_messages={
            "required": _("Pilih berkas Excel (.xlsx) yang akan diimpor."),
            "empty": _("Berkas yang diunggah kosong."),
        },
    )
