from decimal import Decimal

import pytest

from ahsp.models import AuditEvent, Project
from ahsp.services import projects
from ahsp.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def test_create_records_one_event_with_values(user):
    project = projects.create(data={"name": "Jalan Desa", "location": "Cianjur"}, by=user)

    events = list(AuditEvent.objects.all())
    assert len(events) == 1
    event = events[0]
    assert (event.action, event.project_id, event.actor_id) == ("create", project.pk, user.pk)
    assert event.target_type == "project" and event.target_id == str(project.pk)
    assert event.after["name"] == "Jalan Desa"
    assert event.after["overhead_profit_pct"] == "10.00"
    assert event.before is None


def test_create_invalid_writes_nothing(user):
    with pytest.raises(Exception):  # noqa: B017 - full_clean raises ValidationError
        projects.create(data={"name": "", "overhead_profit_pct": Decimal("20")}, by=user)
    assert Project.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_update_bumps_version_and_records_only_changed_fields(user):
    project = ProjectFactory(owner=user, name="Lama")

    updated = projects.update(project=project, data={"name": "Baru"}, expected_version=1, by=user)

    assert updated.version == 2 and updated.name == "Baru"
    event = AuditEvent.objects.get()
    assert event.action == "update"
    assert event.before == {"name": "Lama", "version": 1}
    assert event.after == {"name": "Baru", "version": 2}


def test_update_with_stale_version_is_refused_and_changes_nothing(user):
    project = ProjectFactory(owner=user, name="Asli")
    projects.update(project=project, data={"name": "Versi kedua"}, expected_version=1, by=user)

    with pytest.raises(projects.ConflictError):
        projects.update(project=project, data={"name": "Versi basi"}, expected_version=1, by=user)

    project.refresh_from_db()
    assert project.name == "Versi kedua" and project.version == 2
    assert AuditEvent.objects.count() == 1


def test_archive_and_delete_keep_history(user):
    project = ProjectFactory(owner=user)
    project_id = project.pk

    projects.archive(project=project, by=user)
    projects.delete(project=Project.objects.get(pk=project_id), by=user)

    assert not Project.objects.filter(pk=project_id).exists()
    actions = list(
        AuditEvent.objects.filter(project_id=project_id).order_by("id").values_list("action", flat=True)
    )
    assert actions == ["archive", "delete"]
    assert AuditEvent.objects.get(action="archive").after == {"status": "archived", "version": 2}
    assert AuditEvent.objects.get(action="delete").before["name"] == project.name


def test_visible_to_and_editable_by_only_owner(user, other_user):
    mine = ProjectFactory(owner=user)
    ProjectFactory(owner=other_user)

    assert list(Project.objects.visible_to(user)) == [mine]
    assert list(Project.objects.editable_by(user)) == [mine]


@pytest.mark.django_db(transaction=True)
def test_audit_record_outside_transaction_is_refused(user):
    from ahsp.services import audit

    project = ProjectFactory(owner=user)
    with pytest.raises(RuntimeError):
        audit.record(by=user, action="update", target=project, summary="x")
