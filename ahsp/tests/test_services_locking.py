"""The one optimistic-locking helper (services/_locking.py) that projects, work items, prices and the schedule use."""

import pytest
from django.db import transaction

from ahsp.models import Project
from ahsp.services import _locking, projects, resources, work_items
from ahsp.services._locking import CONFLICT_MESSAGE, ConflictError, lock_version
from ahsp.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def test_every_service_raises_the_same_conflict_class():
    """A view that catches ``projects.ConflictError`` also catches the one a work item write raises."""
    assert projects.ConflictError is work_items.ConflictError is resources.ConflictError is ConflictError
    assert work_items.CONFLICT_MESSAGE is _locking.CONFLICT_MESSAGE


def test_lock_version_returns_the_row_at_its_version(user):
    project = ProjectFactory(owner=user)
    with transaction.atomic():
        assert lock_version(Project, project.pk, project.version) == project
        assert lock_version(Project.objects.filter(owner=user), project.pk, None) == project


def test_lock_version_refuses_another_version_with_the_given_message(user):
    project = ProjectFactory(owner=user)
    with transaction.atomic(), pytest.raises(ConflictError) as info:
        lock_version(Project, project.pk, project.version + 1)
    assert str(info.value) == CONFLICT_MESSAGE
    with transaction.atomic(), pytest.raises(ConflictError, match="^Proyek berubah$"):
        lock_version(Project, project.pk, 0, message="Proyek berubah")


def test_lock_version_of_a_missing_row_raises_does_not_exist(user):
    with transaction.atomic(), pytest.raises(Project.DoesNotExist):
        lock_version(Project, 999_999, None)
