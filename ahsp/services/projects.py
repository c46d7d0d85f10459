"""Writes to projects. Each runs in one transaction and records exactly one audit event.

Audit summaries are stored data, always written in Bahasa Indonesia (never translated at write time).
"""

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from ahsp.models import AuditEvent, Project
from ahsp.models.project import EDITABLE_FIELDS as EDITABLE_FIELDS  # re-exported (forms)
from ahsp.services import audit, recalc
from ahsp.services._locking import ConflictError as ConflictError  # re-exported
from ahsp.services._locking import lock_version

#: Project fields that stored derived values (analysis A/B/C/D, work item HSP and amount) depend on. PPN %
#: and the total's rounding are not stored anywhere: every page and document derives them when it reads.
PRICING_FIELDS = ("overhead_profit_pct", "hsp_rounding_step")


@transaction.atomic
def create(*, data: dict, by) -> Project:
    project = Project(owner=by, **{k: v for k, v in data.items() if k in EDITABLE_FIELDS})
    project.full_clean()
    project.save()
    audit.record(
        by=by,
        action=AuditEvent.Action.CREATE,
        target=project,
        project_id=project.pk,
        summary=f"Proyek “{project.name}” dibuat",
        after=project.audit_snapshot(),
    )
    return project


@transaction.atomic
def update(*, project: Project, data: dict, expected_version: int, by) -> Project:
    """Save the changes only if nobody saved the project since `expected_version` was read."""
    current = lock_version(
        Project,
        project.pk,
        expected_version,
        message=_(
            "Proyek ini sudah diubah oleh pengguna lain. Muat ulang halaman untuk melihat versi terbaru."
        ),
    )
    before = current.audit_snapshot()
    for key, value in data.items():
        if key in EDITABLE_FIELDS:
            setattr(current, key, value)
    current.full_clean()
    current.version = F("version") + 1
    current.save()
    current.refresh_from_db()
    summary = f"Proyek “{current.name}” diubah"
    if any(before[name] != current.audit_snapshot()[name] for name in PRICING_FIELDS):
        # Every HSP and amount depends on these: reprice the whole project in this transaction.
        result = recalc.recalculate_project(current)
        summary += f"; {result.items_changed} pekerjaan dihitung ulang"
    audit.record(
        by=by,
        action=AuditEvent.Action.UPDATE,
        target=current,
        project_id=current.pk,
        summary=summary,
        before=before,
        after=current.audit_snapshot(),
    )
    return current


@transaction.atomic
def archive(*, project: Project, by) -> Project:
    current = Project.objects.select_for_update().get(pk=project.pk)
    before = current.audit_snapshot()
    current.status = Project.Status.ARCHIVED
    current.version = F("version") + 1
    current.save(update_fields=["status", "version", "updated_at"])
    current.refresh_from_db()
    audit.record(
        by=by,
        action=AuditEvent.Action.ARCHIVE,
        target=current,
        project_id=current.pk,
        summary=f"Proyek “{current.name}” diarsipkan",
        before=before,
        after=current.audit_snapshot(),
    )
    return current


@transaction.atomic
def delete(*, project: Project, by) -> None:
    before = project.audit_snapshot()
    project_id = project.pk
    audit.record(
        by=by,
        action=AuditEvent.Action.DELETE,
        target=project,
        project_id=project_id,
        summary=f"Proyek “{project.name}” dihapus",
        before=before,
    )
    project.delete()
