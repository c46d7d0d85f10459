"""The analysis editor (Rincian AHSP): writes to project analyses (the sheets are read by
``ahsp.analysis_sheets``).

Writes: one transaction each, the project row locked first (a change to one analysis reprices every work
item that uses it, directly or nested, so analysis writes of a project are serialised), ``full_clean()``
before ``save()``, ``is_modified`` refreshed against the library version, the project's derived values
recomputed (``recalc.recalculate_project``) and exactly one audit event. Messages are Bahasa Indonesia.

"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Q

from ahsp.analysis_sheets import nested_edges
from ahsp.calculations.unit_price import (
    find_cycle,
)
from ahsp.formatting import format_coefficient, format_number
from ahsp.models import (
    AnalysisComponent,
    AuditEvent,
    Project,
    ProjectAnalysis,
    ProjectResource,
    ReferenceAnalysis,
    ReferenceResource,
    WorkItem,
)
from ahsp.services import audit, recalc
from ahsp.services.analysis_copy import copy_reference_analysis, project_signature, reference_signature

MAX_OVERHEAD_PCT = Decimal("15")
ZERO = Decimal("0")


# --------------------------------------------------------------------------------------------------------
# Helpers


def _lock(analysis: ProjectAnalysis) -> ProjectAnalysis:
    """Lock the project row (serialises analysis writes of the project), then re-read the analysis."""
    Project.objects.select_for_update().filter(pk=analysis.project_id).values_list("pk", flat=True).first()
    return (
        ProjectAnalysis.objects.select_related("project").select_for_update(of=("self",)).get(pk=analysis.pk)
    )


def _target_code(component: AnalysisComponent) -> str:
    return component.resource.code if component.resource_id else f"@{component.nested_analysis.code}"


def _target_label(component: AnalysisComponent) -> str:
    target = component.resource if component.resource_id else component.nested_analysis
    return f"{target.code} {target.name[:60]}"


def _snapshot(analysis: ProjectAnalysis) -> dict:
    rows = analysis.components.select_related("resource", "nested_analysis").order_by("position", "id")
    return {
        "components": [[_target_code(row), f"{row.coefficient.normalize():f}"] for row in rows],
        "is_modified": analysis.is_modified,
    }


def _next_position(analysis: ProjectAnalysis) -> int:
    last = analysis.components.aggregate(m=Max("position"))["m"]
    return 0 if last is None else last + 1


def _refuse_cycle(
    analysis: ProjectAnalysis, nested: ProjectAnalysis, edges: Mapping[int, Iterable[int]]
) -> None:
    cycle = find_cycle(edges, analysis.pk, nested.pk)
    if cycle is None:
        return
    codes = dict(ProjectAnalysis.objects.filter(pk__in=set(cycle)).values_list("id", "code"))
    chain = " → ".join(codes[pk] for pk in cycle)
    if len(cycle) == 2:
        reason = "sebuah analisa tidak boleh memakai dirinya sendiri"
    else:
        reason = "sebuah analisa tidak boleh memakai dirinya sendiri lewat analisa lain"
    raise ValidationError(
        f"Analisa {nested.code} tidak dapat dipakai di analisa {analysis.code} karena membentuk "
        f"lingkaran: {chain} ({reason})."
    )


def _finish(analysis: ProjectAnalysis) -> ProjectAnalysis:
    """Refresh ``is_modified`` against the library version and recompute the project's derived values."""
    modified = analysis.reference_id is not None and project_signature(analysis) != reference_signature(
        analysis.reference
    )
    if modified != analysis.is_modified:
        analysis.is_modified = modified
        analysis.save(update_fields=["is_modified"])
    recalc.recalculate_project(analysis.project, analysis_ids={analysis.pk})
    analysis.refresh_from_db()
    return analysis


def _record(analysis: ProjectAnalysis, *, by, summary: str, before: dict, after: dict) -> None:
    audit.record(
        by=by,
        action=AuditEvent.Action.UPDATE,
        target=analysis,
        project_id=analysis.project_id,
        summary=summary,
        before=before,
        after=after,
    )


# --------------------------------------------------------------------------------------------------------
# Writes


@transaction.atomic
def set_coefficient(*, component: AnalysisComponent, coefficient: Decimal, by) -> AnalysisComponent:
    """Change one coefficient (the analysis is shared: every work item using it is repriced)."""
    analysis = _lock(component.analysis)
    current = AnalysisComponent.objects.select_related("resource", "nested_analysis").get(
        pk=component.pk, analysis=analysis
    )
    old = current.coefficient
    if old == coefficient:
        return current
    before = _snapshot(analysis)
    current.coefficient = coefficient
    current.full_clean()
    current.save(update_fields=["coefficient"])
    analysis = _finish(analysis)
    _record(
        analysis,
        by=by,
        summary=(
            f"Koefisien {_target_label(current)} pada analisa {analysis.code} diubah dari "
            f"{format_coefficient(old)} menjadi {format_coefficient(current.coefficient)}"
        ),
        before=before,
        after=_snapshot(analysis),
    )
    current.refresh_from_db()
    return current


@transaction.atomic
def add_resource_component(
    *,
    analysis: ProjectAnalysis,
    resource: ProjectResource | None = None,
    reference_resource: ReferenceResource | None = None,
    coefficient: Decimal,
    by,
) -> AnalysisComponent:
    """Add a resource of the project, or a reference resource (copied into the project's resources once,
    matched by code, without a price)."""
    if (resource is None) == (reference_resource is None):
        raise ValueError("Give exactly one of resource and reference_resource.")
    analysis = _lock(analysis)
    before = _snapshot(analysis)
    copied = False
    if resource is not None:
        if resource.project_id != analysis.project_id:
            raise ValidationError("Sumber daya itu bukan milik proyek ini.")
    else:
        resource = ProjectResource.objects.filter(
            project_id=analysis.project_id, code=reference_resource.code
        ).first()
        if resource is None:
            resource = ProjectResource(
                project=analysis.project,
                code=reference_resource.code,
                name=reference_resource.name,
                unit=reference_resource.unit,
                category=reference_resource.category,
                reference=reference_resource,
            )
            resource.full_clean()
            resource.save()
            copied = True
    if analysis.components.filter(resource=resource).exists():
        raise ValidationError(
            f"{resource.code} {resource.name} sudah ada di analisa ini. Ubah koefisiennya di tabel."
        )
    component = AnalysisComponent(
        analysis=analysis, resource=resource, coefficient=coefficient, position=_next_position(analysis)
    )
    component.full_clean()
    component.save()
    analysis = _finish(analysis)
    note = " (disalin dari sumber daya referensi, harga belum diisi)" if copied else ""
    _record(
        analysis,
        by=by,
        summary=(
            f"{resource.code} {resource.name[:60]} ditambahkan ke analisa {analysis.code} dengan koefisien "
            f"{format_coefficient(component.coefficient)}{note}"
        ),
        before=before,
        after=_snapshot(analysis),
    )
    return component


@transaction.atomic
def add_nested_component(
    *, analysis: ProjectAnalysis, nested: ProjectAnalysis, coefficient: Decimal, by
) -> AnalysisComponent:
    """Use another analysis of the project as a component (priced at its D); cycles are refused."""
    analysis = _lock(analysis)
    if nested.project_id != analysis.project_id:
        raise ValidationError("Analisa itu bukan milik proyek ini.")
    _refuse_cycle(analysis, nested, nested_edges(analysis.project_id))
    if analysis.components.filter(nested_analysis=nested).exists():
        raise ValidationError(
            f"Analisa {nested.code} sudah dipakai di analisa ini. Ubah koefisiennya di tabel."
        )
    before = _snapshot(analysis)
    component = AnalysisComponent(
        analysis=analysis, nested_analysis=nested, coefficient=coefficient, position=_next_position(analysis)
    )
    component.full_clean()
    component.save()
    analysis = _finish(analysis)
    _record(
        analysis,
        by=by,
        summary=(
            f"Analisa {nested.code} {nested.name[:60]} dipakai di analisa {analysis.code} dengan koefisien "
            f"{format_coefficient(component.coefficient)}"
        ),
        before=before,
        after=_snapshot(analysis),
    )
    return component


@transaction.atomic
def remove_component(*, component: AnalysisComponent, by) -> ProjectAnalysis:
    analysis = _lock(component.analysis)
    current = AnalysisComponent.objects.select_related("resource", "nested_analysis").get(
        pk=component.pk, analysis=analysis
    )
    before = _snapshot(analysis)
    label = _target_label(current)
    current.delete()
    analysis = _finish(analysis)
    _record(
        analysis,
        by=by,
        summary=f"{label} dihapus dari analisa {analysis.code}",
        before=before,
        after=_snapshot(analysis),
    )
    return analysis


def _ensure_resources(
    project: Project, references: Iterable[ReferenceResource]
) -> dict[str, ProjectResource]:
    """The project's resource for each reference resource (by code), copying the missing ones."""
    by_code = {ref.code: ref for ref in references}
    existing = {r.code for r in ProjectResource.objects.filter(project=project, code__in=list(by_code))}
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
            for code, ref in by_code.items()
            if code not in existing
        ]
    )
    return {r.code: r for r in ProjectResource.objects.filter(project=project, code__in=list(by_code))}


@transaction.atomic
def reset_to_reference(*, analysis: ProjectAnalysis, by) -> ProjectAnalysis:
    """Replace the components with the library version's (resources and nested analyses of the project
    are reused by code; missing ones are copied). Prices in the project stay as they are."""
    analysis = _lock(analysis)
    if analysis.reference_id is None:
        raise ValidationError(
            "Analisa ini tidak berasal dari AHSP referensi, jadi tidak dapat dikembalikan ke referensi."
        )
    project = analysis.project
    reference: ReferenceAnalysis = analysis.reference
    before = _snapshot(analysis)
    rows = list(reference.components.select_related("resource", "nested_analysis").order_by("position", "id"))
    analysis.components.all().delete()

    resources = _ensure_resources(project, [row.resource for row in rows if row.resource_id])
    nested_targets: dict[int, ProjectAnalysis] = {}
    for row in rows:
        if row.nested_analysis_id is not None and row.nested_analysis_id not in nested_targets:
            # Reuses the project's analysis with that code (kept as edited), or copies it from the library.
            nested_targets[row.nested_analysis_id] = copy_reference_analysis(
                project=project, reference=row.nested_analysis
            )
    # The analysis has no components now, so only a path back from a target to it can close a cycle.
    edges = nested_edges(project.pk)
    for target in nested_targets.values():
        _refuse_cycle(analysis, target, edges)

    AnalysisComponent.objects.bulk_create(
        [
            AnalysisComponent(
                analysis=analysis,
                position=row.position,
                resource=resources[row.resource.code] if row.resource_id else None,
                nested_analysis=nested_targets.get(row.nested_analysis_id),
                coefficient=row.coefficient,
            )
            for row in rows
        ]
    )
    analysis = _finish(analysis)
    _record(
        analysis,
        by=by,
        summary=f"Analisa {analysis.code} dikembalikan ke versi referensi {reference.code} ({reference.source})",
        before=before,
        after=_snapshot(analysis),
    )
    return analysis


def _item_snapshot(item: WorkItem) -> dict:
    override = item.overhead_pct_override
    return {
        "overhead_pct_override": None if override is None else str(override),
        "unit_rate": str(item.unit_rate),
        "amount": str(item.amount),
    }


@transaction.atomic
def set_overhead_override(*, item: WorkItem, pct: Decimal | None, by) -> WorkItem:
    """The work item's own BUK % (``None`` = the project's). At most 15 % under the current guideline."""
    if pct is not None and not (ZERO <= pct <= MAX_OVERHEAD_PCT):
        raise ValidationError(
            {
                "overhead_pct_override": (
                    f"BUK harus antara 0 dan {format_number(MAX_OVERHEAD_PCT, 0)} % (batas pedoman yang "
                    "berlaku). Kosongkan untuk memakai BUK proyek."
                )
            }
        )
    Project.objects.select_for_update().filter(pk=item.project_id).values_list("pk", flat=True).first()
    current = WorkItem.objects.select_for_update(of=("self",)).select_related("project").get(pk=item.pk)
    if current.overhead_pct_override == pct:
        return current
    before = _item_snapshot(current)
    current.overhead_pct_override = pct
    current.full_clean()
    current.version = F("version") + 1
    current.save(update_fields=["overhead_pct_override", "version"])
    recalc.recalculate_project(current.project, analysis_ids={current.analysis_id})
    current.refresh_from_db()
    if pct is None:
        summary = f"BUK pekerjaan “{current.name[:120]}” kembali memakai BUK proyek"
    else:
        summary = f"BUK pekerjaan “{current.name[:120]}” diatur {format_number(pct, 2)} %"
    audit.record(
        by=by,
        action=AuditEvent.Action.UPDATE,
        target=current,
        project_id=current.project_id,
        summary=summary,
        before=before,
        after=_item_snapshot(current),
    )
    return current


def search_resources(
    *, project: Project, query: str, limit: int = 15
) -> tuple[list[ProjectResource], list[ReferenceResource]]:
    """Project resources first, then reference resources not yet in the project (every word must match
    the code or the name)."""
    words = query.split()[:6]
    if not words:
        return [], []
    match = Q()
    for word in words:
        match &= Q(code__icontains=word) | Q(name__icontains=word)
    own = list(
        ProjectResource.objects.filter(project=project).filter(match).order_by("category", "code")[:limit]
    )
    reference = list(
        ReferenceResource.objects.filter(match)
        .exclude(code__in=ProjectResource.objects.filter(project=project).values("code"))
        .order_by("code")[:limit]
    )
    return own, reference
