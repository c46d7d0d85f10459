"""ahsp.forms.progress: a row's % and the weekly report, read by the one number parser. Pure, no DB."""

from datetime import date
from decimal import Decimal

import pytest
from django import forms

from ahsp.forms.progress import WeekReportForm, progress_value


@pytest.mark.parametrize(
    ("text", "expected"), [("", Decimal(0)), ("  ", Decimal(0)), ("12,5", Decimal("12.5"))]
)
def test_progress_value_reads_a_percentage_and_empty_as_zero(text, expected):
    assert progress_value(text) == expected


@pytest.mark.parametrize(("text", "message"), [("abc", "bukan angka"), ("-5", "negatif"), ("1,123456", "")])
def test_progress_value_refuses_with_one_message(text, message):
    with pytest.raises(forms.ValidationError) as info:
        progress_value(text)
    assert len(info.value.messages) == 1 and message in info.value.messages[0]


def test_week_report_reads_an_iso_date_and_an_indonesian_amount():
    form = WeekReportForm({"report_date": "2026-03-21", "actual_cost": "1.000.000,50"})
    assert form.is_valid()
    assert form.cleaned_data == {"report_date": date(2026, 3, 21), "actual_cost": Decimal("1000000.50")}
    empty = WeekReportForm({"report_date": "", "actual_cost": ""})
    assert empty.is_valid() and empty.cleaned_data == {"report_date": None, "actual_cost": None}


def test_week_report_lists_its_errors_with_the_cost_named():
    form = WeekReportForm({"report_date": "21-03-2026", "actual_cost": "satu juta"})
    assert not form.is_valid()
    date_error, cost_error = form.messages()
    assert date_error.startswith("Tanggal laporan tidak valid")
    assert cost_error.startswith("Biaya aktual: “satu juta” bukan angka")
