"""The Progres page's forms: one work item's progress in a week and the weekly report (cut-off date,
actual cost).

A row's input is named after its item (``progress-<id>``), so ``progress_value`` reads one with the
page's one field rather than a form per row. Input validation only: the 100 % ceiling and the writes
are ``ahsp.services.schedule``'s.
"""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ahsp.calculations.schedule import SHARE_PLACES
from ahsp.forms.fields import DecimalInputField

#: This week's % of one work item; empty means 0.
PROGRESS = DecimalInputField(required=False, max_places=SHARE_PLACES, max_length=None)


def progress_value(text: str) -> Decimal:
    """The % typed in a row (``"12,5"``); ``0`` when empty; ``ValidationError`` with one message."""
    value = PROGRESS.clean(text)
    return Decimal(0) if value is None else value


class WeekReportForm(forms.Form):
    """The weekly report: both fields may stay empty (the date then defaults to the week's last day)."""

    report_date = forms.DateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={
            "invalid": _("Tanggal laporan tidak valid: pilih tanggal dari kalender (hh/bb/tttt).")
        },
    )
    actual_cost = DecimalInputField(required=False, max_places=2, max_length=None)

    def messages(self) -> list[str]:
        """The errors as the report card lists them, the cost's named (``Biaya aktual: ...``)."""
        found = list(self.errors.get("report_date", []))
        found += [
            gettext("Biaya aktual: %(message)s") % {"message": m} for m in self.errors.get("actual_cost", [])
        ]
        return found
