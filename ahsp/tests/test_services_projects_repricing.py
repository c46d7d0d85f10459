"""Issue 11 §1: a project-wide change (BUK %, HSP rounding) reprices every stored HSP and amount in the
same transaction, with one audit event.

Figures from the small RAB of ``rab_data`` (D of the three analyses: C.1 57.000, C.2 85.000, C.3 54.360;
volumes 2,5 / 10 / 12,75), worked out by hand:

BUK 12 %: HSP 63.840,00 / 95.200,00 / 60.883,20; amounts 159.600,00 / 952.000,00 / 776.260,80;
          total 1.887.860,80 (it stayed 1.854.149,00 before the fix).
BUK 10 %, HSP rounded to Rp 100 (nearest): 62.700 / 93.500 / 59.796 -> 59.800; II.1 = 12,75 x 59.800 =
          762.450,00; total 156.750 + 935.000 + 762.450 = 1.854.200,00.
II.1 with its own BUK 15 %: 54.360 x 1,15 = 62.514,00; x 12,75 = 797.053,50; the project at 12 % then
          totals 159.600 + 952.000 + 797.053,50 = 1.908.653,50.
"""

from decimal import Decimal as D

import pytest
from django.db.models import Sum

from ahsp.models import AuditEvent, WorkItem
from ahsp.services import analyses, projects
from ahsp.tests.rab_data import build_small_rab

pytestmark = pytest.mark.django_db


def _rates(rab):
    items = {i.pk: i for i in WorkItem.objects.filter(project=rab.project)}
    return [
        (items[item.pk].unit_rate, items[item.pk].amount)
        for item in (rab.bowplank, rab.excavation, rab.plastering)
    ]


def _total(project) -> D:
    return WorkItem.objects.filter(project=project).aggregate(s=Sum("amount"))["s"]


def test_changing_project_buk_reprices_every_item_in_one_event(user):
    rab = build_small_rab(user)
    events_before = AuditEvent.objects.count()

    projects.update(
        project=rab.project,
        data={"overhead_profit_pct": D("12")},
        expected_version=rab.project.version,
        by=user,
    )

    assert _rates(rab) == [
        (D("63840.00"), D("159600.00")),
        (D("95200.00"), D("952000.00")),
        (D("60883.20"), D("776260.80")),
    ]
    assert _total(rab.project) == D("1887860.80")
    assert AuditEvent.objects.count() == events_before + 1
    assert "3 pekerjaan dihitung ulang" in AuditEvent.objects.latest("id").summary


def test_changing_hsp_rounding_reprices(user):
    rab = build_small_rab(user)

    projects.update(
        project=rab.project, data={"hsp_rounding_step": 100}, expected_version=rab.project.version, by=user
    )

    assert _rates(rab)[2] == (D("59800.00"), D("762450.00"))
    assert _total(rab.project) == D("1854200.00")


def test_item_buk_override_survives_a_project_buk_change(user):
    rab = build_small_rab(user)
    analyses.set_overhead_override(item=rab.plastering, pct=D("15"), by=user)
    rab.project.refresh_from_db()

    projects.update(
        project=rab.project,
        data={"overhead_profit_pct": D("12")},
        expected_version=rab.project.version,
        by=user,
    )

    assert _rates(rab)[2] == (D("62514.00"), D("797053.50"))
    assert _total(rab.project) == D("1908653.50")


def test_a_change_that_prices_nothing_does_not_reprice(user):
    rab = build_small_rab(user)

    projects.update(
        project=rab.project, data={"name": "Nama baru"}, expected_version=rab.project.version, by=user
    )

    assert "dihitung ulang" not in AuditEvent.objects.latest("id").summary
    assert _total(rab.project) == D("1854149.00")
