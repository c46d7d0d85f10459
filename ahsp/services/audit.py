"""Recording audit events. Only services call this, inside the transaction of the change."""

from django.db import transaction

from ahsp.models import AuditEvent


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
) -> AuditEvent:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Audit events are written inside the transaction of the change.")
    before, after = diff(before, after)
    return AuditEvent.objects.create(
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
