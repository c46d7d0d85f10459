"""The analysis editor's forms (Rincian AHSP): a component's coefficient, a new resource added with its
coefficient, the item's own BUK and a directly priced item (harga satuan langsung).

Input validation only: the writes are ``ahsp.services.analyses``'.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from ahsp.forms.fields import DecimalInputField
from ahsp.models import ResourceCategory
from ahsp.models.estimate import MAX_COEFFICIENT, MAX_PRICE


class CoefficientForm(forms.Form):
    coefficient = DecimalInputField(label=_("Koefisien"), max_places=6, max_value=MAX_COEFFICIENT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coefficient"].error_messages["required"] = _("Koefisien wajib diisi.")


class OverheadForm(forms.Form):
    overhead_pct = DecimalInputField(label=_("BUK khusus (%)"), required=False, max_places=2)


class NewResourceForm(CoefficientForm):
    """A new project resource (code proposed when blank) added to the analysis in the same action."""

    code = forms.CharField(label=_("Kode"), required=False, max_length=40)
    name = forms.CharField(label=_("Nama sumber daya"), max_length=255)
    unit = forms.CharField(label=_("Satuan"), max_length=60)
    category = forms.ChoiceField(label=_("Kategori"), choices=ResourceCategory.choices)
    unit_price = DecimalInputField(label=_("Harga satuan (Rp)"), max_places=2, max_value=MAX_PRICE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].error_messages["required"] = _("Nama sumber daya wajib diisi.")
        self.fields["unit"].error_messages["required"] = _("Satuan wajib diisi.")
        self.fields["unit_price"].error_messages["required"] = _("Harga satuan wajib diisi.")
        self.fields["category"].error_messages["invalid_choice"] = _("Pilih kategori sumber daya.")


INCLUDES_OVERHEAD_CHOICES = [
    ("0", _("Belum termasuk BUK: BUK ditambahkan di atas harga ini")),
    ("1", _("Sudah termasuk BUK: BUK pekerjaan ini 0 %")),
]


class DirectPriceForm(forms.Form):
    """Harga satuan langsung (lump sum) of one work item."""

    unit_price = DecimalInputField(label=_("Harga satuan langsung (Rp)"), max_places=2, max_value=MAX_PRICE)
    includes_overhead = forms.ChoiceField(
        label=_("BUK"), choices=INCLUDES_OVERHEAD_CHOICES, widget=forms.RadioSelect, initial="0"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit_price"].error_messages["required"] = _("Harga satuan wajib diisi.")
