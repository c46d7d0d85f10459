"""Copy a reference analysis (and the analyses it nests) into a project.

The copy is independent of the library: editing it never touches the reference. Resources are copied
once per project (matched by code), nested reference analyses become project analyses (matched by code),
so copying the same reference twice reuses what is already there. A fixed number of queries per level of
nesting, whatever the number of components.

``copy_for_item`` gives one work item its own copy of a shared project analysis (issue 11 §8).
"""

import re

from django.db.models import F

from ahsp.models import (
    AnalysisComponent,
    Project,
    ProjectAnalysis,
    ProjectResource,
    ReferenceAnalysis,
    ReferenceComponent,
    WorkItem,
)
from ahsp.services.recalc import ANALYSIS_FIELDS


# long-function: the nested closure is read breadth-first, then analyses and components are bulk-created in order
def copy_reference_analysis(*, project: Project, reference: ReferenceAnalysis) -> ProjectAnalysis:
    """Return the project's analysis for `reference.code`, copying it (and its nested ones) if missing."""
    existing = ProjectAnalysis.objects.filter(project=project, code=reference.code).first()
    if existing is not None:
        return existing

    to_copy: dict[int, ReferenceAnalysis] = {}
    frontier = [reference]
    components_by_analysis: dict[int, list[ReferenceComponent]] = {}
    while frontier:
        for ref in frontier:
            to_copy[ref.pk] = ref
        rows = list(
            ReferenceComponent.objects.filter(analysis_id__in=[r.pk for r in frontier])
            .select_related("resource", "nested_analysis")
            .order_by("analysis_id", "position", "id")
        )
        next_frontier = {}
        for row in rows:
            components_by_analysis.setdefault(row.analysis_id, []).append(row)
            nested = row.nested_analysis
            if nested is not None and nested.pk not in to_copy:
                next_frontier[nested.pk] = nested
        frontier = list(next_frontier.values())

    existing_by_code = {
        a.code: a
        for a in ProjectAnalysis.objects.filter(project=project, code__in=[r.code for r in to_copy.values()])
    }
    new_analyses = [
        ProjectAnalysis(
            project=project,
            code=ref.code,
            name=ref.name,
            unit=ref.unit or "ls",
            reference=ref,
            reference_code=ref.code,
        )
        for ref in to_copy.values()
        if ref.code not in existing_by_code
    ]
    ProjectAnalysis.objects.bulk_create(new_analyses)
    analyses_by_code = {
        **existing_by_code,
        **{
            a.code: a
            for a in ProjectAnalysis.objects.filter(project=project, code__in=[a.code for a in new_analyses])
        },
    }

    resources = _ensure_resources(project, components_by_analysis)
    new_codes = {a.code for a in new_analyses}
    components = []
    for ref in to_copy.values():
        if ref.code not in new_codes:
            continue  # already in the project: keep the project's (possibly edited) version
        for row in components_by_analysis.get(ref.pk, []):
            components.append(
                AnalysisComponent(
                    analysis=analyses_by_code[ref.code],
                    position=row.position,
                    resource=resources[row.resource.code] if row.resource_id else None,
                    nested_analysis=analyses_by_code[row.nested_analysis.code]
                    if row.nested_analysis_id
                    else None,
                    coefficient=row.coefficient,
                )
            )
    AnalysisComponent.objects.bulk_create(components)
    return analyses_by_code[reference.code]


def _ensure_resources(
    project: Project, components_by_analysis: dict[int, list[ReferenceComponent]]
) -> dict[str, ProjectResource]:
    references = {
        row.resource.code: row.resource
        for rows in components_by_analysis.values()
        for row in rows
        if row.resource_id is not None
    }
    existing = {r.code: r for r in ProjectResource.objects.filter(project=project, code__in=list(references))}
    ProjectResource.objects.bulk_create(
        [
            ProjectResource(
                project=project,
                code=ref.code,
                name=ref.name,
                unit=ref.unit,
                category=ref.category,
                reference=ref,
            )
            for code, ref in references.items()
            if code not in existing
        ]
    )
    return {r.code: r for r in ProjectResource.objects.filter(project=project, code__in=list(references))}


def reference_signature(reference: ReferenceAnalysis) -> list[tuple[str, str]]:
    """(target code, coefficient) pairs of a reference analysis, to tell whether a copy was modified."""
    return sorted(
        (
            row.resource.code if row.resource_id else f"@{row.nested_analysis.code}",
            str(row.coefficient.normalize()),
        )
        for row in reference.components.select_related("resource", "nested_analysis")
    )


def project_signature(analysis: ProjectAnalysis) -> list[tuple[str, str]]:
    return sorted(
        (
            row.resource.code if row.resource_id else f"@{row.nested_analysis.code}",
            str(row.coefficient.normalize()),
        )
        for row in analysis.components.select_related("resource", "nested_analysis")
    )


# --------------------------------------------------------------------------------------------------------
# Per-item copies ("ubah hanya untuk pekerjaan ini")

VARIANT_SUFFIX = re.compile(r"-[a-z]{1,3}$")
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _suffixes():
    yield from LETTERS
    for first in LETTERS:
        for second in LETTERS:
            yield first + second


def variant_code(*, project_id: int, code: str) -> str:
    """The next free per-item code for an analysis: ``2.2.1.4.5`` -> ``2.2.1.4.5-a``, then ``-b``...
    A variant of a variant gets the next letter of the same base (``2.2.1.4.5-a`` -> ``2.2.1.4.5-b``)."""
    base = VARIANT_SUFFIX.sub("", code)
    max_length = ProjectAnalysis._meta.get_field("code").max_length
    taken = set(
        ProjectAnalysis.objects.filter(project_id=project_id, code__startswith=f"{base}-").values_list(
            "code", flat=True
        )
    )
    for suffix in _suffixes():
        candidate = f"{base}-{suffix}"
        if candidate not in taken:
            return candidate if len(candidate) <= max_length else f"{base[: max_length - 4]}-{suffix}"
    raise ValueError(f"No free variant code left for {base}.")


def copy_for_item(
    *, analysis: ProjectAnalysis, item: WorkItem
) -> tuple[ProjectAnalysis, dict[int, AnalysisComponent]]:
    """Give `item` its own copy of `analysis` and re-point the item to it (rows only: no audit event, no
    recalculation; the calling service does both). Name, unit, library reference (so "reset to reference"
    still works), ``is_modified`` and the stored A/B/C/D are kept; components are copied with the same
    resources and the same nested analyses. Returns the copy and ``{original component id: its copy}``.
    Three queries plus the inserts, whatever the number of components."""
    copy = ProjectAnalysis(
        project_id=analysis.project_id,
        code=variant_code(project_id=analysis.project_id, code=analysis.code),
        name=analysis.name,
        unit=analysis.unit,
        reference_id=analysis.reference_id,
        reference_code=analysis.reference_code,
        is_modified=analysis.is_modified,
        **{field: getattr(analysis, field) for field in ANALYSIS_FIELDS},
    )
    copy.full_clean()
    copy.save()
    rows = list(analysis.components.order_by("position", "id"))
    copies = [
        AnalysisComponent(
            analysis=copy,
            position=row.position,
            resource_id=row.resource_id,
            nested_analysis_id=row.nested_analysis_id,
            coefficient=row.coefficient,
        )
        for row in rows
    ]
    AnalysisComponent.objects.bulk_create(copies)
    WorkItem.objects.filter(pk=item.pk).update(analysis=copy, version=F("version") + 1)
    return copy, {row.pk: new for row, new in zip(rows, copies, strict=True)}
