"""Recording audit events. Only services call this, inside the transaction of the change.

Recording an event also invalidates what was built from the project's data, as ``Changes`` names it: the
cached pages and documents (``Project.content_version`` and ``estimate_version``, in the transaction of
the change: ``invalidate_project``) and the dashboard widgets (``ahsp.dashboard.cache``): once the
change commits, the data versions of the project and of every user who can see it are bumped (the global
version for an event without a project).
"""

from enum import Enum
from functools import partial

from django.db import transaction

from ahsp.dashboard import cache as dashboard_cache
from ahsp.models import AuditEvent, Project


class Changes(Enum):
    """What a change touches, so what ``record`` invalidates.

    - ``ESTIMATE`` (the default, and the safe choice): anything; every cached page and document of the
      project is rebuilt.
    - ``SCHEDULE``: only plans, stages, actual progress or week reports (``services/schedule.py``); the
      estimate pages (``ahsp.views._page_cache.ESTIMATE_PAGES``) stay cached.
    - ``NOTHING``: bookkeeping that no page or document shows (an export started).
    """

    ESTIMATE = "estimate"
    SCHEDULE = "schedule"
    NOTHING = "nothing"


def invalidate_project(project_id: int, changes: Changes) -> None:
    """Mark the project's cached pages and built documents out of date, inside the transaction of the
    change, so that no reader of the new data can get a page of the old."""
    if changes is not Changes.NOTHING:
        Project.bump_content_version(project_id, estimate=changes is Changes.ESTIMATE)


def diff(before: dict | None, after: dict | None) -> tuple[dict | None, dict | None]:
    """Keep only the keys whose values changed (all keys for a create or a delete)."""
    if before is None or after is None:
        return before, after
    changed = {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}
    return {k: before.get(k) for k in sorted(changed)}, {k: after.get(k) for k in sorted(changed)}


def record(
    *,
    by,
    action: str,
    target,
    summary: str,
    project_id: int | None = None,
    before: dict | None = None,
    after: dict | None = None,
    changes: Changes = Changes.ESTIMATE,
) -> AuditEvent:
    """One audit event for a change, and the invalidation of what ``changes`` touches (``Changes``)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Audit events are written inside the transaction of the change.")
    before, after = diff(before, after)
    event = AuditEvent.objects.create(
        actor_id=getattr(by, "pk", None),
        actor_label=(getattr(by, "email", "") or str(by or ""))[:254],
        project_id=project_id,
        action=action,
        target_type=target._meta.model_name,
        target_id=str(target.pk or ""),
        summary=summary[:300],
        before=before,
        after=after,
    )
    if project_id is not None:
        invalidate_project(project_id, changes)
    _bump_widgets_on_commit(event, target)
    return event


def _bump_widgets_on_commit(event: AuditEvent, target) -> None:
    """Bump the widget versions after the commit (a rolled-back change bumps nothing). The users are
    looked up after the commit too, except for a project about to be deleted: then they are read now,
    while the project still exists. ``robust``: a cache outage never fails a committed write."""
    if event.project_id is None:
        callback = dashboard_cache.bump_global
    elif event.action == AuditEvent.Action.DELETE and target._meta.model_name == "project":
        users = dashboard_cache.users_seeing_project(event.project_id)
        callback = partial(dashboard_cache.bump_for_project, event.project_id, users)
    else:
        callback = partial(dashboard_cache.bump_for_project, event.project_id)
    transaction.on_commit(callback, robust=True)
