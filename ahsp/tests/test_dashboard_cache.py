"""Data versions and cached fragments of the dashboard widgets (``ahsp.dashboard.cache``), and the bump
that ``ahsp.services.audit.record`` schedules on commit."""

from datetime import date

import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import translation

from ahsp.dashboard import cache as dashboard_cache
from ahsp.models import AuditEvent
from ahsp.services import audit, projects
from ahsp.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


class Renderer:
    def __init__(self):
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        return f"<p>render {self.calls}</p>"


def test_a_version_is_created_once_and_kept():
    first = dashboard_cache.data_version(1)
    assert dashboard_cache.data_version(1) == first
    assert dashboard_cache.data_version(2) != first


def test_bumping_a_user_changes_only_that_users_version():
    mine, theirs = dashboard_cache.data_version(1), dashboard_cache.data_version(2)
    dashboard_cache.bump_users([1])
    assert dashboard_cache.data_version(1) != mine
    assert dashboard_cache.data_version(2) == theirs


def test_the_global_bump_changes_every_users_version():
    mine, theirs = dashboard_cache.data_version(1), dashboard_cache.data_version(2)
    dashboard_cache.bump_global()
    assert dashboard_cache.data_version(1) != mine and dashboard_cache.data_version(2) != theirs


def test_an_evicted_version_never_comes_back_as_an_old_value():
    """A counter restarting at 1 after an eviction could serve a fragment stored under 1; a token can't."""
    seen = {dashboard_cache.data_version(1)}
    for _ in range(5):
        cache.delete(dashboard_cache.user_version_key(1))
        version = dashboard_cache.data_version(1)
        assert version not in seen
        seen.add(version)


def test_a_fragment_is_rendered_once_until_the_version_changes():
    render = Renderer()
    assert dashboard_cache.cached_fragment("ringkasan", 1, render) == "<p>render 1</p>"
    assert dashboard_cache.cached_fragment("ringkasan", 1, render) == "<p>render 1</p>"
    assert render.calls == 1

    dashboard_cache.bump_users([1])

    assert dashboard_cache.cached_fragment("ringkasan", 1, render) == "<p>render 2</p>"
    assert render.calls == 2


def test_fragments_are_per_user_per_widget_per_language_and_per_day():
    render = Renderer()
    dashboard_cache.cached_fragment("ringkasan", 1, render)
    dashboard_cache.cached_fragment("ringkasan", 2, render)
    dashboard_cache.cached_fragment("terbesar", 1, render)
    with translation.override("en"):
        dashboard_cache.cached_fragment("ringkasan", 1, render)
    dashboard_cache.cached_fragment("peringatan", 1, render, day=date(2026, 3, 2))
    dashboard_cache.cached_fragment("peringatan", 1, render, day=date(2026, 3, 3))
    assert render.calls == 6
    dashboard_cache.cached_fragment("peringatan", 1, render, day=date(2026, 3, 3))
    assert render.calls == 6


def test_fragments_expire_and_versions_do_not(monkeypatch):
    timeouts = {}
    real_set = cache.set

    def spy(key, value, timeout=None, **kwargs):
        timeouts[key] = timeout
        return real_set(key, value, timeout, **kwargs)

    monkeypatch.setattr(cache, "set", spy)
    dashboard_cache.cached_fragment("ringkasan", 1, Renderer())
    dashboard_cache.bump_global()
    assert timeouts[dashboard_cache.GLOBAL_VERSION_KEY] is None
    (fragment_timeout,) = [t for key, t in timeouts.items() if key.startswith("dash:w:")]
    assert fragment_timeout == dashboard_cache.FRAGMENT_TIMEOUT == 3600


def test_users_seeing_a_project_is_its_owner(user, other_user):
    project = ProjectFactory(owner=user)
    assert dashboard_cache.users_seeing_project(project.pk) == [user.pk]
    assert dashboard_cache.users_seeing_project(project.pk + 1000) == []


# --- the bump in audit.record -------------------------------------------------------------------------


def test_a_committed_write_bumps_the_owner_after_the_commit(
    user, other_user, django_capture_on_commit_callbacks
):
    project = ProjectFactory(owner=user)
    mine, theirs = dashboard_cache.data_version(user.pk), dashboard_cache.data_version(other_user.pk)

    with django_capture_on_commit_callbacks() as callbacks:
        projects.archive(project=project, by=user)
        assert dashboard_cache.data_version(user.pk) == mine  # not before the commit
    for callback in callbacks:
        callback()

    assert dashboard_cache.data_version(user.pk) != mine
    assert dashboard_cache.data_version(other_user.pk) == theirs


def test_a_rolled_back_write_bumps_nothing(user, django_capture_on_commit_callbacks):
    project = ProjectFactory(owner=user)
    before = dashboard_cache.data_version(user.pk)

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            projects.archive(project=project, by=user)
            raise RuntimeError("rolled back")

    assert dashboard_cache.data_version(user.pk) == before


def test_deleting_a_project_bumps_its_owner(user, django_capture_on_commit_callbacks):
    project = ProjectFactory(owner=user)
    before = dashboard_cache.data_version(user.pk)
    with django_capture_on_commit_callbacks(execute=True):
        projects.delete(project=project, by=user)
    assert dashboard_cache.data_version(user.pk) != before


def test_an_event_without_a_project_bumps_the_global_version(user, django_capture_on_commit_callbacks):
    before = dashboard_cache.data_version(user.pk)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        audit.record(by=user, action=AuditEvent.Action.IMPORT, target=user, summary="Referensi diimpor")
    assert dashboard_cache.data_version(user.pk) != before


def test_a_cache_outage_does_not_fail_a_committed_write(
    user, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    def down(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(dashboard_cache.cache, "set_many", down)
    with django_capture_on_commit_callbacks(execute=True):
        project = projects.create(data={"name": "Gedung"}, by=user)
    assert project.pk and "redis down" in caplog.text


def test_a_write_bumps_the_projects_own_version(user, django_capture_on_commit_callbacks):
    project = ProjectFactory(owner=user)
    key = dashboard_cache.project_version_key(project.pk)
    before = dashboard_cache._versions([key])[key]
    with django_capture_on_commit_callbacks(execute=True):
        projects.archive(project=project, by=user)
    assert dashboard_cache._versions([key])[key] != before


# --- per-project values -------------------------------------------------------------------------------


class Computer:
    def __init__(self):
        self.calls: list[list[int]] = []

    def __call__(self, ids: list[int]) -> dict:
        self.calls.append(sorted(ids))
        return {pk: f"value {pk} #{len(self.calls)}" for pk in ids}


def test_per_project_values_are_computed_once_and_only_for_changed_projects():
    compute = Computer()
    parts = {1: "w3", 2: "w3", 3: "w5"}
    assert dashboard_cache.cached_per_project("schedule", parts, compute) == {
        1: "value 1 #1",
        2: "value 2 #1",
        3: "value 3 #1",
    }
    assert dashboard_cache.cached_per_project("schedule", parts, compute)[2] == "value 2 #1"
    assert compute.calls == [[1, 2, 3]]

    dashboard_cache.bump_for_project(2, user_ids=[])
    values = dashboard_cache.cached_per_project("schedule", parts, compute)

    assert compute.calls == [[1, 2, 3], [2]]
    assert values == {1: "value 1 #1", 2: "value 2 #2", 3: "value 3 #1"}


def test_per_project_values_follow_their_parts_and_the_global_version():
    compute = Computer()
    dashboard_cache.cached_per_project("schedule", {1: "w3"}, compute)
    dashboard_cache.cached_per_project("schedule", {1: "w4"}, compute)  # the next week
    dashboard_cache.bump_global()
    dashboard_cache.cached_per_project("schedule", {1: "w4"}, compute)
    assert compute.calls == [[1], [1], [1]]
    assert dashboard_cache.cached_per_project("schedule", {}, compute) == {}
