"""The Jadwal Pelaksanaan forms: a plan over a range of weeks (one work item or a whole section), a plan
typed as % per week, the sections a posted form keeps open or closed, and a stage (tahapan).

Input validation only: the sums, the schedule's week range and the writes are ``ahsp.services.schedule``'s.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from ahsp.forms.fields import IdListField, WeekField, WeekSharesField


class WeekRangeForm(forms.Form):
    """Plan evenly from ``first_week`` to ``last_week`` ("Ratakan")."""

    first_week = WeekField(label=_("minggu mulai"))
    last_week = WeekField(label=_("minggu akhir"))


class WeekSharesForm(forms.Form):
    """Plan by explicit % per week ("3:25; 4:25; 5:50")."""

    shares = WeekSharesField()


class OpenSectionsForm(forms.Form):
    """The sections of the Gantt a posted form keeps open (``open``) or closed (``closed``)."""

    open = IdListField()
    closed = IdListField()


class StageForm(forms.Form):
    name = forms.CharField(max_length=200, strip=True)
    start_date = forms.DateField(required=False)
    end_date = forms.DateField(required=False)


def first_error(form: forms.Form) -> str:
    """The first message of an invalid form, in field order (the row shows one message at a time)."""
    return next(iter(form.errors.values()))[0]
