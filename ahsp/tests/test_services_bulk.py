from decimal import Decimal

import pytest

from ahsp.models import WorkItem
from ahsp.services import sections, work_items
from ahsp.services.bulk import update_rows
from ahsp.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def test_update_rows_writes_exactly_the_given_values(user):
    project = ProjectFactory(owner=user)
    section = sections.create(project=project, name="A", by=user)
    items = [
        work_items.add_custom(project=project, section=section, name=f"P{i}", unit="ls", by=user)
        for i in range(3)
    ]
    untouched = items.pop()
    for index, item in enumerate(items):
        item.unit_rate = Decimal("1234567.89") + index
        item.amount = Decimal("0.01") * (index + 1)

    update_rows(WorkItem, items, ["unit_rate", "amount"])

    rows = dict(WorkItem.objects.values_list("id", "unit_rate"))
    assert rows[items[0].pk] == Decimal("1234567.89") and rows[items[1].pk] == Decimal("1234568.89")
    assert WorkItem.objects.get(pk=items[1].pk).amount == Decimal("0.02")
    assert rows[untouched.pk] == Decimal("0")
    update_rows(WorkItem, [], ["amount"])  # nothing to write is fine
