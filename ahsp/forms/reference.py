"""The reference library upload (staff): which workbook, and which edition it is. No writes here."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ahsp.forms.fields import XlsxFileField

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


class ReferenceUploadForm(forms.Form):
    file = XlsxFileField(max_bytes=MAX_UPLOAD_BYTES, too_large=_("Berkas terlalu besar (maksimal 50 MB)."))
    source = forms.CharField(label=_("Sumber / edisi"), initial="SNI 2025", max_length=60)
