from decimal import Decimal

import pytest
from django.urls import reverse

from ahsp.models import AuditEvent, ProjectParameter, WorkItem
from ahsp.services import parameters, sections, work_items
from ahsp.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(user):
    project = ProjectFactory(owner=user)
    section = sections.create(project=project, name="Tanah", by=user)
    parameters.set_value(project=project, name="panjang", value=Decimal("12"), by=user)
    parameters.set_value(project=project, name="lebar", value=Decimal("8"), by=user)
    slab = work_items.add_custom(project=project, section=section, name="Urugan", unit="m3", by=user)
    slab = work_items.set_volume(
        item=slab, volume=None, formula="panjang * lebar * 0,15", expected_version=None, by=user
    )
    fence = work_items.add_custom(project=project, section=section, name="Pagar", unit="m'", by=user)
    fence = work_items.set_volume(
        item=fence, volume=None, formula="2 * (panjang + lebar)", expected_version=None, by=user
    )
    plain = work_items.add_custom(project=project, section=section, name="Papan", unit="bh", by=user)
    plain = work_items.set_volume(item=plain, volume=Decimal("1"), expected_version=None, by=user)
    return project, slab, fence, plain


def test_changing_a_parameter_recomputes_every_volume_that_uses_it(items, user):
    project, slab, fence, plain = items

    parameters.set_value(project=project, name="panjang", value=Decimal("10"), by=user)

    slab.refresh_from_db()
    fence.refresh_from_db()
    plain.refresh_from_db()
    assert slab.volume == Decimal("12.0000")  # 10 x 8 x 0,15
    assert fence.volume == Decimal("36.0000")  # 2 x (10 + 8)
    assert plain.volume == Decimal("1")
    event = AuditEvent.objects.filter(target_type="projectparameter", action="update").get()
    assert event.before == {"value": "12.000000"} and event.after == {"value": "10"}
    assert "2 volume dihitung ulang" in event.summary


def test_deleting_a_parameter_marks_formulas_broken_and_keeps_volumes(items, user):
    project, slab, fence, plain = items
    parameter = ProjectParameter.objects.get(project=project, name="lebar")

    broken = parameters.delete(parameter=parameter, by=user)

    assert broken == 2
    slab.refresh_from_db()
    assert slab.volume == Decimal("14.4000") and "lebar" in slab.volume_error
    assert AuditEvent.objects.filter(target_type="projectparameter", action="delete").count() == 1


def test_parameter_page_forms(logged_in_client, items):
    project = items[0]
    response = logged_in_client.post(
        reverse("ahsp:parameter_set", args=[project.pk]), {"name": "Tinggi", "value": "2,5"}, follow=True
    )
    assert "Parameter tinggi disimpan" in response.text
    assert ProjectParameter.objects.get(project=project, name="tinggi").value == Decimal("2.5")
    bad = logged_in_client.post(
        reverse("ahsp:parameter_set", args=[project.pk]), {"name": "1x", "value": "abc"}, follow=True
    )
    assert "diawali huruf" in bad.text
    assert ProjectParameter.objects.filter(project=project).count() == 3


def test_parameter_urls_are_404_for_others(client, other_user, items):
    project = items[0]
    client.force_login(other_user)
    parameter = ProjectParameter.objects.filter(project=project).first()
    assert (
        client.post(reverse("ahsp:parameter_set", args=[project.pk]), {"name": "x", "value": "1"}).status_code
        == 404
    )
    assert client.post(reverse("ahsp:parameter_delete", args=[project.pk, parameter.pk])).status_code == 404
    assert WorkItem.objects.filter(project=project).count() == 3
