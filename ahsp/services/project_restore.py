"""Writing a checked project document (``ahsp.importers.project_document``) as a NEW project: the restore of
a backup and every copy (issue 15 §1-2).

One transaction, one audit event on the new project; derived values (A/B/C/D, HSP, amounts) are computed by
``ahsp.services.recalc`` from the inputs, never taken from the file. A value the database refuses at the
end (the header's own rules, an amount too large for its column) becomes a ``DocumentInvalid`` with its
path, and the transaction leaves nothing behind. References to the reference library (a resource's
``reference``, an analysis linked to its ``reference_code``) are linked again where this server's library
has that code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction

from ahsp.importers.project_document import DocumentInvalid, DocumentPlan, Problem, SectionPlan
from ahsp.models import (
    AnalysisComponent,
    AuditEvent,
    PlannedShare,
    ProgressEntry,
    Project,
    ProjectAnalysis,
    ProjectParameter,
    ProjectResource,
    ReferenceAnalysis,
    ReferenceResource,
    Section,
    Stage,
    WeekReport,
    WorkItem,
)
from ahsp.services import audit, recalc

BATCH_SIZE = 500


@dataclass(frozen=True)
class Origin:
    """Why the project is written, for its audit event: ``summary`` (Indonesian, stored as it is)."""

    summary: str
    details: dict


def _shifted(day: date | None, delta: timedelta) -> date | None:
    return day + delta if day is not None else None


@transaction.atomic
def restore(
    *, plan: DocumentPlan, by, origin: Origin, name: str | None = None, start_date: date | None = None,
    status: str | None = None,
) -> Project:  # fmt: skip
    """The document as a new project of ``by``. ``name`` / ``status`` replace the document's; a
    ``start_date`` moves the schedule with it (stage dates and report dates shift by the same days)."""
    header = dict(plan.header)
    delta = timedelta(0)
    if start_date is not None:
        if header.get("start_date"):
            delta = start_date - header["start_date"]
        header["start_date"] = start_date
    if name:
        header["name"] = name
    if status:
        header["status"] = status
    project = Project(owner=by, **header)
    try:
        project.full_clean()
    except ValidationError as error:
        raise DocumentInvalid(
            [
                Problem(f"$.project.{field}", " ".join(messages))
                for field, messages in error.message_dict.items()
            ]
        ) from error
    project.save()
    counts = _write_estimate(project, plan, delta)
    try:
        recalc.recalculate_project(project)
    except ValidationError as error:
        raise DocumentInvalid([Problem("$.sections", " ".join(error.messages))]) from error
    audit.record(
        by=by,
        action=AuditEvent.Action.IMPORT,
        target=project,
        project_id=project.pk,
        summary=f"{origin.summary}: {counts['work_items']} pekerjaan"[:300],
        after={**origin.details, "bagian": plan.parts, **counts},
    )
    return project


# long-function: bulk-creates level by level, each level needs the rows above it
def _write_estimate(project: Project, plan: DocumentPlan, delta: timedelta) -> dict:
    ProjectParameter.objects.bulk_create(
        [ProjectParameter(project=project, name=n, value=v, description=d) for n, v, d in plan.parameters],
        batch_size=BATCH_SIZE,
    )
    library = dict(
        ReferenceResource.objects.filter(
            code__in={r.reference for r in plan.resources if r.reference}
        ).values_list("code", "id")
    )
    resources = {
        r.code: ProjectResource(
            project=project,
            code=r.code,
            name=r.name,
            unit=r.unit,
            category=r.category,
            unit_price=r.unit_price,
            purchase_unit=r.purchase_unit,
            purchase_factor=r.purchase_factor,
            reference_id=library.get(r.reference),
        )
        for r in plan.resources
    }
    ProjectResource.objects.bulk_create(list(resources.values()), batch_size=BATCH_SIZE)
    references = dict(
        ReferenceAnalysis.objects.filter(
            code__in={a.reference_code for a in plan.analyses if a.linked_to_reference}
        )
        .order_by("id")
        .values_list("code", "id")  # the newest of a code wins (the last one read)
    )
    analyses = {
        a.code: ProjectAnalysis(
            project=project,
            code=a.code,
            name=a.name,
            unit=a.unit,
            reference_code=a.reference_code,
            reference_id=references.get(a.reference_code) if a.linked_to_reference else None,
            is_modified=a.is_modified,
        )
        for a in plan.analyses
    }
    ProjectAnalysis.objects.bulk_create(list(analyses.values()), batch_size=BATCH_SIZE)
    AnalysisComponent.objects.bulk_create(
        [
            AnalysisComponent(
                analysis=analyses[a.code],
                position=position,
                resource=resources[resource] if resource else None,
                nested_analysis=analyses[nested] if nested else None,
                coefficient=k,
            )
            for a in plan.analyses
            for position, (resource, nested, k) in enumerate(a.components, start=1)
        ],
        batch_size=BATCH_SIZE,
    )
    stages = {
        s.key: Stage(
            project=project,
            name=s.name,
            position=position,
            start_date=_shifted(s.start_date, delta),
            end_date=_shifted(s.end_date, delta),
        )
        for position, s in enumerate(plan.stages, start=1)
    }
    Stage.objects.bulk_create(list(stages.values()), batch_size=BATCH_SIZE)
    sections, items = write_breakdown(project, plan.sections, analyses, stages)
    WeekReport.objects.bulk_create(
        [
            WeekReport(project=project, week=week, report_date=_shifted(day, delta), actual_cost=cost)
            for week, day, cost in plan.week_reports
        ],
        batch_size=BATCH_SIZE,
    )
    return {
        "work_items": len(items),
        "sections": sections,
        "analyses": len(analyses),
        "resources": len(resources),
        "parameters": len(plan.parameters),
        "stages": len(stages),
    }


def write_breakdown(
    project: Project, top: tuple[SectionPlan, ...], analyses: dict, stages: dict, *, parent: Section | None = None,
    first_position: int = 1,
) -> tuple[int, list[WorkItem]]:  # fmt: skip
    """The section tree level by level (a parent's id exists before its children are inserted), then
    the items, their plans and their progress; ``top`` goes under ``parent`` from ``first_position`` on.
    ``analyses`` maps the plan's analysis codes to the rows the items use. Returns (sections, items)."""
    level: list[tuple[SectionPlan, Section | None, int]] = [
        (plan, parent, n) for n, plan in enumerate(top, first_position)
    ]
    placed: list[tuple[SectionPlan, Section]] = []
    while level:
        rows = [
            Section(project=project, parent=parent, name=plan.name, position=n) for plan, parent, n in level
        ]
        Section.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        placed.extend((plan, row) for (plan, _parent, _n), row in zip(level, rows, strict=True))
        level = [
            (child, row) for (plan, _p, _n), row in zip(level, rows, strict=True) for child in plan.sections
        ]
        level = [(child, row, n) for n, (child, row) in _numbered_by_parent(level)]
    work: list[tuple[WorkItem, object]] = []
    for plan, section in placed:
        for position, item in enumerate(plan.items, start=1):
            row = WorkItem(
                project=project,
                section=section,
                analysis=analyses[item.analysis],
                name=item.name,
                unit=item.unit,
                position=position,
                volume=item.volume,
                volume_formula=item.volume_formula,
                volume_error=item.volume_error,
                overhead_pct_override=item.overhead_pct_override,
                stage=stages.get(item.stage) if item.stage else None,
            )
            work.append((row, item))
    WorkItem.objects.bulk_create([row for row, _item in work], batch_size=BATCH_SIZE)
    PlannedShare.objects.bulk_create(
        [PlannedShare(work_item=row, week=w, share=s) for row, item in work for w, s in item.plan.items()],
        batch_size=BATCH_SIZE,
    )
    ProgressEntry.objects.bulk_create(
        [
            ProgressEntry(work_item=row, week=w, progress=p)
            for row, item in work
            for w, p in item.progress.items()
        ],
        batch_size=BATCH_SIZE,
    )
    return len(placed), [row for row, _item in work]


def _numbered_by_parent(level: list[tuple[SectionPlan, Section]]):
    """Positions 1, 2, ... among the children of each parent, in document order."""
    counters: dict[int, int] = {}
    for child, parent in level:
        counters[id(parent)] = counters.get(id(parent), 0) + 1
        yield counters[id(parent)], (child, parent)
