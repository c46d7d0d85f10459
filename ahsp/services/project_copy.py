"""Copies of a project: exactly a restore of its document (issue 15 §2), so a copy can never hold less
than a backup, and both go through the same checks.

"Salin proyek" offers the parts of ``ahsp.loaders.project_document.PARTS``: the header only, the estimate,
the estimate and the schedule, or everything (the progress too). A new start date moves the schedule with
it. A copy is a new draft of the user who makes it; a batch makes 1-50 copies with numbered names in one
transaction (all or none).
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from ahsp.importers.project_document import DocumentPlan, plan_document
from ahsp.loaders.project_document import load_project_document
from ahsp.models import Project
from ahsp.models.copy_job import MAX_COPIES
from ahsp.services.project_restore import Origin, restore

MAX_BATCH = MAX_COPIES


def batch_names(name: str, count: int) -> list[str]:
    """``["Gedung (1)", "Gedung (2)", ...]``; one copy keeps the name as given."""
    if count == 1:
        return [name]
    width = len(str(count))
    return [f"{name[: 255 - width - 3]} ({number})" for number in range(1, count + 1)]


def plan_copy(project: Project, parts: str) -> tuple[DocumentPlan, Origin]:
    """What every copy of ``project`` writes: its document (``parts`` of it), checked like an upload."""
    plan = plan_document(load_project_document(project, parts=parts))
    origin = Origin(
        summary=f"Proyek disalin dari “{project.name}”"[:200], details={"salinan_dari": project.name}
    )
    return plan, origin


def write_copy(
    *, plan: DocumentPlan, origin: Origin, by, name: str, start_date: date | None = None
) -> Project:
    """One copy: a new draft of ``by`` (one transaction, one audit event)."""
    return restore(
        plan=plan, by=by, origin=origin, name=name, start_date=start_date, status=Project.Status.DRAFT
    )


@transaction.atomic
def copy_project(
    *, project: Project, by, parts: str, name: str, start_date: date | None = None, count: int = 1
) -> list[Project]:
    """``count`` copies of ``project`` (the ``parts`` of it) owned by ``by``, all or none; each records
    one audit event. The worker's job (``project_copy_jobs``) writes them one by one instead, with progress."""
    if not 1 <= count <= MAX_BATCH:
        raise ValueError(f"count must be 1..{MAX_BATCH}")
    plan, origin = plan_copy(project, parts)
    return [
        write_copy(plan=plan, origin=origin, by=by, name=copy_name, start_date=start_date)
        for copy_name in batch_names(name, count)
    ]
