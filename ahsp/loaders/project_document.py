"""The lossless project document (``format: "ahsp-project"``, ``version: 1``): everything a project owns, as
JSON-safe data, for the backup file, the copy and the restore (issue 15 §1).

What it holds, in the order of the document:

- ``project``: the header, signatories and pricing settings (``HEADER_FIELDS``);
- ``parameters`` (name, value, description), ``resources`` (code, prices, purchase units) and ``analyses``
  (code, components that name a resource or a nested analysis by code: per-item variants are analyses of
  their own code);
- ``stages`` (key ``T1``, ``T2``... in their order), and ``sections``: the work breakdown as a tree, each
  section with its ``items`` and its ``sections``, in their order, each item with its analysis code, volume
  and formula, BUK override, stage key, and (parts ``schedule`` / ``progress``) its planned and actual %
  per week;
- ``week_reports`` (part ``progress``) and, when asked for, an ``audit`` summary (read, never restored).

No database id is written: references are codes and keys, and the order of a list is the order on the
page, so export -> restore -> export gives the same document. Derived values (A/B/C/D, HSP, amounts) are not
written: a restore recomputes them (``ahsp.services.recalc``) from the inputs here. Decimals are strings
with their stored places, dates ISO strings.

Parts (``PARTS``): ``header`` only, ``estimate`` (the header and the estimate), ``schedule`` (+ stages and
plans), ``progress`` (+ actual progress and week reports): the options of "Salin proyek".
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from enum import Enum

from ahsp.calculations.tree import children_by_parent
from ahsp.models import (
    AnalysisComponent,
    AuditEvent,
    PlannedShare,
    ProgressEntry,
    Project,
    ProjectAnalysis,
    ProjectParameter,
    ProjectResource,
    Section,
    Stage,
    WeekReport,
    WorkItem,
)
from ahsp.models.project import EDITABLE_FIELDS

FORMAT = "ahsp-project"
VERSION = 1

#: The parts a document can hold, each including the ones before it.
PARTS = ("header", "estimate", "schedule", "progress")

#: The project's own fields in the document: those a user edits (``models.project.EDITABLE_FIELDS``).
HEADER_FIELDS = tuple(EDITABLE_FIELDS)

#: How many audit events the optional summary keeps (the newest).
AUDIT_LIMIT = 500


def _json_value(value):
    if isinstance(value, Enum):  # a choice not yet read back from the database (Project.Status.DRAFT)
        value = value.value
    if value is None or isinstance(value, (str, int, bool)):
        return value
    if isinstance(value, Decimal):
        return str(value)
    return value.isoformat()  # date


def _weeks(rows) -> dict[int, dict[str, str]]:
    by_item: dict[int, dict[str, str]] = defaultdict(dict)
    for item_id, week, value in rows:
        by_item[item_id][str(week)] = str(value)
    return by_item


def includes(parts: str, part: str) -> bool:
    """Whether a document of ``parts`` holds ``part`` (``PARTS`` are cumulative)."""
    return PARTS.index(parts) >= PARTS.index(part)


def load_project_document(project: Project, *, parts: str = "progress", audit: bool = False) -> dict:
    """The document of ``project`` (see the module docstring), in a fixed number of queries."""
    if parts not in PARTS:
        raise ValueError(f"unknown parts {parts!r}")
    document: dict = {
        "format": FORMAT,
        "version": VERSION,
        "parts": parts,
        "project": {name: _json_value(getattr(project, name)) for name in HEADER_FIELDS},
    }
    if includes(parts, "estimate"):
        document.update(_estimate(project))
    if includes(parts, "schedule"):
        stage_keys = _stage_keys(project)
        document["stages"] = [
            {"key": stage_keys[stage.pk], **_stage_fields(stage)}
            for stage in project.stages.order_by("position", "id")
        ]
    document["sections"] = _sections(project, parts) if includes(parts, "estimate") else []
    if includes(parts, "progress"):
        document["week_reports"] = [
            {"week": week, "report_date": _json_value(day), "actual_cost": _json_value(cost)}
            for week, day, cost in WeekReport.objects.filter(project=project)
            .order_by("week")
            .values_list("week", "report_date", "actual_cost")
        ]
    if audit:
        document["audit"] = [
            {"at": at.isoformat(), "actor": actor, "action": action, "summary": summary}
            for at, actor, action, summary in AuditEvent.objects.filter(project_id=project.pk)
            .order_by("-created_at", "-id")
            .values_list("created_at", "actor_label", "action", "summary")[:AUDIT_LIMIT]
        ]
    return document


def _stage_fields(stage: Stage) -> dict:
    return {
        "name": stage.name,
        "start_date": _json_value(stage.start_date),
        "end_date": _json_value(stage.end_date),
    }


def _stage_keys(project: Project) -> dict[int, str]:
    ids = Stage.objects.filter(project=project).order_by("position", "id").values_list("id", flat=True)
    return {pk: f"T{number}" for number, pk in enumerate(ids, start=1)}


def _estimate(project: Project) -> dict:
    resources = list(ProjectResource.objects.filter(project=project).order_by("code"))
    resource_codes = {resource.pk: resource.code for resource in resources}
    analyses = list(ProjectAnalysis.objects.filter(project=project).order_by("code"))
    analysis_codes = {analysis.pk: analysis.code for analysis in analyses}
    components: dict[int, list[dict]] = defaultdict(list)
    for analysis_id, resource_id, nested_id, coefficient in (
        AnalysisComponent.objects.filter(analysis__project=project)
        .order_by("analysis_id", "position", "id")
        .values_list("analysis_id", "resource_id", "nested_analysis_id", "coefficient")
    ):
        line = (
            {"resource": resource_codes[resource_id]}
            if resource_id
            else {"analysis": analysis_codes[nested_id]}
        )
        line["coefficient"] = str(coefficient)
        components[analysis_id].append(line)
    reference_codes = dict(
        ProjectResource.objects.filter(project=project, reference__isnull=False).values_list(
            "id", "reference__code"
        )
    )
    return {
        "parameters": [
            {"name": name, "value": str(value), "description": description}
            for name, value, description in ProjectParameter.objects.filter(project=project)
            .order_by("name")
            .values_list("name", "value", "description")
        ],
        "resources": [
            {
                "code": r.code,
                "name": r.name,
                "unit": r.unit,
                "category": r.category,
                "unit_price": _json_value(r.unit_price),
                "purchase_unit": r.purchase_unit,
                "purchase_factor": _json_value(r.purchase_factor),
                "reference": reference_codes.get(r.pk, ""),
            }
            for r in resources
        ],
        "analyses": [
            {
                "code": a.code,
                "name": a.name,
                "unit": a.unit,
                "reference_code": a.reference_code,
                "linked_to_reference": a.reference_id is not None,
                "is_modified": a.is_modified,
                "components": components.get(a.pk, []),
            }
            for a in analyses
        ],
    }


def _sections(project: Project, parts: str) -> list[dict]:
    sections = {s.pk: s for s in Section.objects.filter(project=project).order_by("position", "id")}
    children = children_by_parent(sections.values())
    items: dict[int, list[WorkItem]] = defaultdict(list)
    for item in (
        WorkItem.objects.filter(project=project).select_related("analysis").order_by("position", "id")
    ):
        items[item.section_id].append(item)
    schedule = includes(parts, "schedule")
    plans = (
        _weeks(
            PlannedShare.objects.filter(work_item__project=project).values_list(
                "work_item_id", "week", "share"
            )
        )
        if schedule
        else {}
    )
    progress = (
        _weeks(
            ProgressEntry.objects.filter(work_item__project=project).values_list(
                "work_item_id", "week", "progress"
            )
        )
        if includes(parts, "progress")
        else {}
    )
    stage_keys = _stage_keys(project) if schedule else {}

    def item_entry(item: WorkItem) -> dict:
        entry = {
            "name": item.name,
            "unit": item.unit,
            "analysis": item.analysis.code,
            "volume": str(item.volume),
            "volume_formula": item.volume_formula,
            "volume_error": item.volume_error,
            "overhead_pct_override": _json_value(item.overhead_pct_override),
        }
        if schedule:
            entry["stage"] = stage_keys.get(item.stage_id)
            entry["plan"] = plans.get(item.pk, {})
        if includes(parts, "progress"):
            entry["progress"] = progress.get(item.pk, {})
        return entry

    entries = {
        pk: {"name": section.name, "items": [item_entry(item) for item in items.get(pk, [])], "sections": []}
        for pk, section in sections.items()
    }
    for parent, kids in children.items():  # no recursion: any stored depth
        if parent is not None:
            entries[parent]["sections"] = [entries[kid] for kid in kids]
    return [entries[pk] for pk in children.get(None, ())]
