"""An export of an unchanged project is a copy of today's identical build, not a new build (issue 13 §1:
work done once per change, not per request). Anything that changes the document builds it again."""

from decimal import Decimal

import pytest

from ahsp.exports import registry
from ahsp.models import ExportJob, Project, WorkItem
from ahsp.services import exports, work_items
from ahsp.tests.rab_data import build_small_rab

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def builds(monkeypatch):
    """Counts the real builds of the RAB CSV."""
    counted = {"n": 0}
    real = registry.BUILDERS[("rab", "csv")]

    def counting(job, progress):
        counted["n"] += 1
        return real(job, progress)

    monkeypatch.setitem(registry.BUILDERS, ("rab", "csv"), counting)
    return counted


def export(project, user, capture, **parameters) -> ExportJob:
    with capture(execute=True):
        job = exports.start(
            project=project, document="rab", fmt="csv", by=user, parameters=parameters or None
        )
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE, job.error
    return job


def content(job) -> bytes:
    with job.file.open("rb") as handle:
        return handle.read()


def test_a_second_export_of_an_unchanged_project_is_a_copy(user, builds, django_capture_on_commit_callbacks):
    rab = build_small_rab(user)
    first = export(rab.project, user, django_capture_on_commit_callbacks)
    second = export(rab.project, user, django_capture_on_commit_callbacks)
    assert builds["n"] == 1
    assert first.file.name != second.file.name and content(first) == content(second)
    assert (
        first.content_version
        == second.content_version
        == Project.objects.get(pk=rab.project.pk).content_version
    )


def test_starting_an_export_changes_no_content_version(user, django_capture_on_commit_callbacks):
    rab = build_small_rab(user)
    before = Project.objects.get(pk=rab.project.pk).content_version
    export(rab.project, user, django_capture_on_commit_callbacks)
    assert Project.objects.get(pk=rab.project.pk).content_version == before


def test_a_change_to_the_project_builds_it_again(user, builds, django_capture_on_commit_callbacks):
    rab = build_small_rab(user)
    first = export(rab.project, user, django_capture_on_commit_callbacks)
    item = WorkItem.objects.filter(project=rab.project).order_by("id").first()
    work_items.set_volume(item=item, volume=Decimal("3.125"), expected_version=None, by=user)
    second = export(rab.project, user, django_capture_on_commit_callbacks)
    assert builds["n"] == 2 and content(first) != content(second)


def test_other_parameters_another_requester_or_a_gone_file_build_again(
    user, make_user, builds, django_capture_on_commit_callbacks
):
    rab = build_small_rab(user)
    first = export(rab.project, user, django_capture_on_commit_callbacks)
    export(rab.project, user, django_capture_on_commit_callbacks, section="all")
    assert builds["n"] == 2
    Project.objects.filter(pk=rab.project.pk).update(owner=make_user("colleague@example.com"))
    export(rab.project, Project.objects.get(pk=rab.project.pk).owner, django_capture_on_commit_callbacks)
    assert builds["n"] == 3
    ExportJob.objects.exclude(pk=first.pk).delete()
    first.file.delete(save=False)  # purged, the row still says done
    export(rab.project, user, django_capture_on_commit_callbacks)
    assert builds["n"] == 4


def test_a_file_built_while_the_project_changed_is_nobodys_copy(
    user, monkeypatch, django_capture_on_commit_callbacks
):
    rab = build_small_rab(user)
    real = registry.BUILDERS[("rab", "csv")]

    def changing(job, progress):
        built = real(job, progress)
        Project.bump_content_version(job.project_id)  # a change committed during the build
        return built

    monkeypatch.setitem(registry.BUILDERS, ("rab", "csv"), changing)
    assert export(rab.project, user, django_capture_on_commit_callbacks).content_version is None
