"""Per-user caching of the dashboard widgets, invalidated by data versions (issue 6 §1).

Every rendered widget fragment is cached under a key that holds the user's *data version* and the global
one (plus the language, and the date for widgets that depend on it). A write never deletes fragments: it
bumps the versions, so the next request misses and recomputes; the old fragments simply expire.

- ``ahsp.services.audit.record`` is the one place that bumps: every write service records an audit event
  with its ``project_id`` inside its transaction, and ``record`` bumps, on commit, the version of every
  user who can see that project (``users_seeing_project``) and the project's own version, or the global
  version for an event without a project. A rolled-back write bumps nothing; a committed one is never
  served stale.
- The project's version guards per-project values that a widget can reuse across users and days
  (``cached_per_project``: the schedule sums of the alerts), so after an edit of one project the alerts
  of a user with 500 projects recompute that one project, not 500.
- A version is a random token, not a counter: if Redis evicts a version key, the next read makes a new
  token (never a value an old fragment was stored under), so an eviction can cost a recomputation but can
  never bring back a stale fragment. Version keys have no timeout; fragments expire after
  ``FRAGMENT_TIMEOUT``, per-project values after ``PROJECT_DATA_TIMEOUT``.
- A warm request costs two cache round trips (both versions in one ``get_many``, then the fragment) and
  no database query.

Writes that bypass the services (bulk seeding commands, the shell) must call ``bump_for_project`` (or
``bump_users``) themselves, or wait for the values to expire.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable
from datetime import date

from django.core.cache import cache
from django.utils import translation

from ahsp.models import Project

FRAGMENT_TIMEOUT = 60 * 60  # seconds
# Per-project values (keyed by the current week too). Bounded so that a bump lost while Redis was
# unreachable (but kept its data) cannot leave the alerts stale for more than a few hours.
PROJECT_DATA_TIMEOUT = 6 * 60 * 60
GLOBAL_VERSION_KEY = "dash:v:global"

logger = logging.getLogger(__name__)


def user_version_key(user_id: int) -> str:
    return f"dash:v:user:{user_id}"


def users_seeing_project(project_id: int) -> list[int]:
    """The ids of the users who can see the project: today its owner (``Project.objects.visible_to``).
    When projects are shared, add the members here, and bump a member's version when they lose access."""
    return list(Project.objects.filter(pk=project_id).values_list("owner_id", flat=True))


def _token() -> str:
    return uuid.uuid4().hex[:16]


def project_version_key(project_id: int) -> str:
    return f"dash:v:project:{project_id}"


def bump_users(user_ids: Iterable[int]) -> None:
    """New data versions for these users: their cached widgets are recomputed on the next request."""
    versions = {user_version_key(user_id): _token() for user_id in set(user_ids)}
    if versions:
        cache.set_many(versions, timeout=None)


def bump_global() -> None:
    """A new global version: every user's widgets are recomputed (a change outside any project)."""
    cache.set(GLOBAL_VERSION_KEY, _token(), timeout=None)


def bump_for_project(project_id: int | None, user_ids: Iterable[int] | None = None) -> None:
    """After a change to a project: new versions for the project (its per-project data) and for every
    user who can see it (``user_ids``, looked up when not given); the global version without a project."""
    if project_id is None:
        bump_global()
        return
    if user_ids is None:
        user_ids = users_seeing_project(project_id)
    versions = {user_version_key(user_id): _token() for user_id in set(user_ids)}
    versions[project_version_key(project_id)] = _token()
    cache.set_many(versions, timeout=None)


def _versions(keys: list[str]) -> dict[str, str]:
    """The versions under ``keys``, a new token for each one missing. Creating one with a plain set is
    safe: a version is always read before the data it guards, so a value computed under an overwritten
    token is only orphaned, never served stale."""
    found = cache.get_many(keys)
    missing = {key: _token() for key in keys if found.get(key) is None}
    if missing:
        cache.set_many(missing, timeout=None)
        found.update(missing)
    return found


def data_version(user_id: int) -> str:
    """The user's and the global version, created when missing (one ``get_many`` when both exist)."""
    keys = [user_version_key(user_id), GLOBAL_VERSION_KEY]
    found = _versions(keys)
    return ".".join(found[key] for key in keys)


def fragment_key(name: str, user_id: int, version: str, day: date | None = None) -> str:
    key = f"dash:w:{name}:{user_id}:{version}:{translation.get_language() or ''}"
    return f"{key}:{day.isoformat()}" if day else key


def cached_fragment(name: str, user_id: int, render: Callable[[], str], *, day: date | None = None) -> str:
    """The widget's HTML from the cache, or ``render()`` stored for ``FRAGMENT_TIMEOUT``. ``day`` goes
    into the key of widgets that depend on the date (the current week of the schedule alerts)."""
    try:
        key = fragment_key(name, user_id, data_version(user_id), day)
        html = cache.get(key)
    except Exception as error:  # Redis down or restarting: the page still gets its widget
        logger.warning("Dashboard cache unavailable, widget %s computed without it: %s", name, error)
        return render()
    if html is None:
        html = render()
        _store(lambda: cache.set(key, html, FRAGMENT_TIMEOUT))
    return html


def _store(write: Callable[[], object]) -> None:
    """A cache write that may fail (the value is simply computed again next time)."""
    try:
        write()
    except Exception as error:
        logger.warning("Dashboard cache unavailable, value not stored: %s", error)


def cached_per_project(name: str, parts: dict[int, str], compute: Callable[[list[int]], dict]) -> dict:
    """Per project, a value cached under the project's data version (and the global one) and
    ``parts[project_id]`` (what else the value depends on, e.g. the current week): read in two round
    trips (the versions, then the values). ``compute(ids)`` returns the values of the projects that were
    not in the cache, in one go; they are stored for ``PROJECT_DATA_TIMEOUT``.

    So after a change to one project, a widget over 500 projects recomputes one project's value, not
    500; the values are not per user (the caller picks the projects the user can see)."""
    if not parts:
        return {}
    version_keys = {project_version_key(project_id): project_id for project_id in parts}
    try:
        versions = _versions([GLOBAL_VERSION_KEY, *version_keys])
        shared = versions[GLOBAL_VERSION_KEY]
        keys = {
            f"dash:p:{name}:{project_id}:{versions[key]}:{shared}:{parts[project_id]}": project_id
            for key, project_id in version_keys.items()
        }
        values = {keys[key]: value for key, value in cache.get_many(list(keys)).items()}
    except Exception as error:  # no cache: every project's value is computed
        logger.warning("Dashboard cache unavailable, %s computed without it: %s", name, error)
        return compute(list(parts))
    missing = [project_id for project_id in parts if project_id not in values]
    if missing:
        computed = compute(missing)
        _store(
            lambda: cache.set_many(
                {key: computed[project_id] for key, project_id in keys.items() if project_id in computed},
                PROJECT_DATA_TIMEOUT,
            )
        )
        values.update(computed)
    return values
