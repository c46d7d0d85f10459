"""Copy a reference analysis (and the analyses it nests) into a project.

The copy is independent of the library: editing it never touches the reference. Resources are copied
once per project (matched by code), nested reference analyses become project analyses (matched by code),
so copying the same reference twice reuses what is already there. A fixed number of queries per level of
nesting, whatever the number of components.
"""

from ahsp.models import (
    AnalysisComponent,
    Project,
    ProjectAnalysis,
    ProjectResource,
    ReferenceAnalysis,
    ReferenceComponent,
)


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
