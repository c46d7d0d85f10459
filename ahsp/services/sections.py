"""Writes to the sections (klasifikasi) of the work breakdown. One audit event per write."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from ahsp.models import AuditEvent, Project, Section
from ahsp.services import audit
from ahsp.services.ordering import swap_with_neighbour


def _snapshot(section: Section) -> dict:
    return {"name": section.name, "parent_id": section.parent_id, "position": section.position}


def next_position(project: Project, parent: Section | None) -> int:
    last = Section.objects.filter(project=project, parent=parent).aggregate(m=Max("position"))["m"]
    return 0 if last is None else last + 1


@transaction.atomic
def create(*, project: Project, name: str, parent: Section | None = None, by) -> Section:
    if parent is not None and parent.project_id != project.pk:
        raise ValidationError("Klasifikasi induk bukan milik proyek ini.")
    section = Section(
        project=project, parent=parent, name=name.strip(), position=next_position(project, parent)
    )
    section.full_clean()
    section.save()
    audit.record(
        by=by,
        action=AuditEvent.Action.CREATE,
        target=section,
        project_id=project.pk,
        summary=f"Klasifikasi “{section.name}” ditambahkan",
        after=_snapshot(section),
    )
    return section


@transaction.atomic
def rename(*, section: Section, name: str, by) -> Section:
    before = _snapshot(section)
    section.name = name.strip()
    section.full_clean()
    section.save(update_fields=["name"])
    audit.record(
        by=by,
        action=AuditEvent.Action.UPDATE,
        target=section,
        project_id=section.project_id,
        summary=f"Klasifikasi diganti nama menjadi “{section.name}”",
        before=before,
        after=_snapshot(section),
    )
    return section


@transaction.atomic
def move(*, section: Section, direction: str, by) -> Section:
    """Swap with the previous ("up") or next ("down") sibling; at an end nothing changes."""
    before = _snapshot(section)
    siblings = Section.objects.filter(project_id=section.project_id, parent_id=section.parent_id)
    if not swap_with_neighbour(siblings, section, direction):
        return section
    audit.record(
        by=by,
        action=AuditEvent.Action.UPDATE,
        target=section,
        project_id=section.project_id,
        summary=f"Klasifikasi “{section.name}” dipindah ke {'atas' if direction == 'up' else 'bawah'}",
        before=before,
        after=_snapshot(section),
    )
    return section


@transaction.atomic
def delete(*, section: Section, by) -> None:
    """Delete a section with its sub-sections and work items (the caller asked for confirmation)."""
    item_count = section.items.count()
    before = {**_snapshot(section), "work_items": item_count}
    audit.record(
        by=by,
        action=AuditEvent.Action.DELETE,
        target=section,
        project_id=section.project_id,
        summary=f"Klasifikasi “{section.name}” dihapus",
        before=before,
    )
    section.delete()
