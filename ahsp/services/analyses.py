"""The analysis editor (Rincian AHSP): writes to project analyses (the sheets are read by
``ahsp.loaders.analyses``).

Writes: one transaction each, the project row locked first (a change to one analysis reprices every work
item that uses it, directly or nested, so analysis writes of a project are serialised), ``full_clean()``
before ``save()``, ``is_modified`` refreshed against the library version, the project's derived values
recomputed (``recalc.recalculate_project``) and exactly one audit event. Messages are Bahasa Indonesia.

A project analysis is shared by every work item copied from the same library code (and by the analyses
that nest it). The edits take ``for_item=``: when the analysis is shared, that work item first gets its own
copy (``2.2.1.4.5-a``, ``analysis_copy.copy_for_item``) and the edit applies to the copy only, in the same
transaction and under the same one audit event ("ubah hanya untuk pekerjaan ini"). ``make_item_variant``
makes the copy alone.

"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max

from ahsp.calculations.unit_price import (
    find_cycle,
)
from ahsp.formatting import format_coefficient, format_money, format_number
from ahsp.loaders.analyses import nested_edges, shared_with
from ahsp.models import (
    AnalysisComponent,
    AuditEvent,
    Project,
    ProjectAnalysis,
    ProjectResource,
    ReferenceAnalysis,
    ReferenceResource,
    ResourceCategory,
    WorkItem,
)
from ahsp.services import audit, recalc, resources
from ahsp.services.analysis_copy import (
    copy_for_item,
    copy_reference_analysis,
    project_signature,
    reference_signature,
)

MAX_OVERHEAD_PCT = Decimal("100")  # private estimates; above 15 % the pages warn (rab_notes ceiling)
ZERO = Decimal("0")
ONE = Decimal("1")
CENT = Decimal("0.01")


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
        "code": analysis.code,
        "components": [[_target_code(row), f"{row.coefficient.normalize():f}"] for row in rows],
        "is_modified": analysis.is_modified,
    }


@dataclass(frozen=True)
class EditTarget:
    analysis: ProjectAnalysis  # the analysis to change: the original, or the item's new copy
    components: Mapping[int, AnalysisComponent]  # original component id -> its copy (empty: no copy)
    note: str  # for the audit summary: "" or " (hanya untuk pekerjaan ...: ... disalin menjadi ...)"


def _edit_target(analysis: ProjectAnalysis, for_item: WorkItem | None) -> EditTarget:
    """The analysis to change (``analysis`` locked by ``_lock``). With ``for_item`` (a work item using it)
    and a shared analysis, the item gets its own copy first and that copy is returned."""
    if for_item is None:
        return EditTarget(analysis, {}, "")
    item = WorkItem.objects.select_for_update(of=("self",)).get(pk=for_item.pk)
    if item.analysis_id != analysis.pk:
        raise ValidationError("Pekerjaan ini tidak memakai analisa itu; muat ulang halaman.")
    if shared_with(item=item) == (0, 0):
        return EditTarget(analysis, {}, "")
    copy, components = copy_for_item(analysis=analysis, item=item)
    copy = ProjectAnalysis.objects.select_related("project").get(pk=copy.pk)
    note = f" (hanya untuk pekerjaan “{item.name[:80]}”: analisa {analysis.code} disalin menjadi {copy.code})"
    return EditTarget(copy, components, note)


def _component(target: EditTarget, component: AnalysisComponent) -> AnalysisComponent:
    """The component to change: the given one, or its copy in the item's new analysis."""
    pk = target.components[component.pk].pk if target.components else component.pk
    return AnalysisComponent.objects.select_related("resource", "nested_analysis").get(
        pk=pk, analysis=target.analysis
    )


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


def _record(target: ProjectAnalysis | WorkItem, *, by, summary: str, before: dict, after: dict) -> None:
    """The one audit event (an update) of an analysis or a work item edit."""
    audit.record(
        by=by,
        action=AuditEvent.Action.UPDATE,
        target=target,
        project_id=target.project_id,
        summary=summary,
        before=before,
        after=after,
    )


# --------------------------------------------------------------------------------------------------------
# Writes


@transaction.atomic
def set_coefficient(
    *, component: AnalysisComponent, coefficient: Decimal, for_item: WorkItem | None = None, by
) -> AnalysisComponent:
    """Change one coefficient (every work item using the analysis is repriced; with ``for_item`` and a
    shared analysis, only that item's own copy changes)."""
    original = _lock(component.analysis)
    old = AnalysisComponent.objects.get(pk=component.pk, analysis=original).coefficient
    if old == coefficient:
        return component  # nothing to change (and no copy made)
    before = _snapshot(original)
    target = _edit_target(original, for_item)
    analysis = target.analysis
    current = _component(target, component)
    current.coefficient = coefficient
    current.full_clean()
    current.save(update_fields=["coefficient"])
    analysis = _finish(analysis)
    _record(
        analysis,
        by=by,
        summary=(
            f"Koefisien {_target_label(current)} pada analisa {analysis.code} diubah dari "
            f"{format_coefficient(old)} menjadi {format_coefficient(current.coefficient)}{target.note}"
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
    for_item: WorkItem | None = None,
    by,
) -> AnalysisComponent:
    """Add a resource of the project, or a reference resource (copied into the project's resources once,
    matched by code, without a price)."""
    if (resource is None) == (reference_resource is None):
        raise ValueError("Give exactly one of resource and reference_resource.")
    analysis = _lock(analysis)
    before = _snapshot(analysis)
    target = _edit_target(analysis, for_item)
    analysis = target.analysis
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
            f"{format_coefficient(component.coefficient)}{note}{target.note}"
        ),
        before=before,
        after=_snapshot(analysis),
    )
    return component


@transaction.atomic
def add_new_resource_component(
    *,
    analysis: ProjectAnalysis,
    code: str = "",
    name: str,
    unit: str,
    category: str,
    unit_price: Decimal | None,
    coefficient: Decimal,
    for_item: WorkItem | None = None,
    by,
) -> AnalysisComponent:
    """Create a NEW resource of the project (code proposed when blank: ``L.01``, ``TK.P.01``...) with its
    price, and add it to the analysis, as one action (e.g. "Papan nama proyek", 1 ls, Rp 1.500.000)."""
    analysis = _lock(analysis)
    before = _snapshot(analysis)
    target = _edit_target(analysis, for_item)
    analysis = target.analysis
    resource = resources.insert_resource(
        project=analysis.project, code=code, name=name, unit=unit, category=category, unit_price=unit_price
    )
    component = AnalysisComponent(
        analysis=analysis, resource=resource, coefficient=coefficient, position=_next_position(analysis)
    )
    component.full_clean()
    component.save()
    analysis = _finish(analysis)
    price = (
        "tanpa harga" if unit_price is None else f"{format_money(resource.unit_price)} per {resource.unit}"
    )
    _record(
        analysis,
        by=by,
        summary=(
            f"Sumber daya baru {resource.code} {resource.name[:60]} ({resource.get_category_display()}, "
            f"{price}) dibuat dan ditambahkan ke analisa {analysis.code} dengan koefisien "
            f"{format_coefficient(component.coefficient)}{target.note}"
        ),
        before=before,
        after={**_snapshot(analysis), "new_resource": _resource_snapshot(resource)},
    )
    return component


def _resource_snapshot(resource: ProjectResource) -> dict:
    return {
        "code": resource.code,
        "name": resource.name,
        "unit": resource.unit,
        "category": resource.category,
        "unit_price": None
        if resource.unit_price is None
        else str(Decimal(resource.unit_price).quantize(CENT)),
    }


@transaction.atomic
def add_nested_component(
    *,
    analysis: ProjectAnalysis,
    nested: ProjectAnalysis,
    coefficient: Decimal,
    for_item: WorkItem | None = None,
    by,
) -> AnalysisComponent:
    """Use another analysis of the project as a component (priced at its D); cycles are refused."""
    analysis = _lock(analysis)
    before = _snapshot(analysis)
    if nested.project_id != analysis.project_id:
        raise ValidationError("Analisa itu bukan milik proyek ini.")
    target = _edit_target(analysis, for_item)
    analysis = target.analysis
    _refuse_cycle(analysis, nested, nested_edges(analysis.project_id))
    if analysis.components.filter(nested_analysis=nested).exists():
        raise ValidationError(
            f"Analisa {nested.code} sudah dipakai di analisa ini. Ubah koefisiennya di tabel."
        )
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
            f"{format_coefficient(component.coefficient)}{target.note}"
        ),
        before=before,
        after=_snapshot(analysis),
    )
    return component


@transaction.atomic
def remove_component(
    *, component: AnalysisComponent, for_item: WorkItem | None = None, by
) -> ProjectAnalysis:
    original = _lock(component.analysis)
    before = _snapshot(original)
    target = _edit_target(original, for_item)
    analysis = target.analysis
    current = _component(target, component)
    label = _target_label(current)
    current.delete()
    analysis = _finish(analysis)
    _record(
        analysis,
        by=by,
        summary=f"{label} dihapus dari analisa {analysis.code}{target.note}",
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
def reset_to_reference(*, analysis: ProjectAnalysis, for_item: WorkItem | None = None, by) -> ProjectAnalysis:
    """Replace the components with the library version's (resources and nested analyses of the project
    are reused by code; missing ones are copied). Prices in the project stay as they are."""
    original = _lock(analysis)
    if original.reference_id is None:
        raise ValidationError(
            "Analisa ini tidak berasal dari AHSP referensi, jadi tidak dapat dikembalikan ke referensi."
        )
    before = _snapshot(original)
    target = _edit_target(original, for_item)
    analysis = target.analysis
    project = analysis.project
    reference: ReferenceAnalysis = analysis.reference
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
    for nested_target in nested_targets.values():
        _refuse_cycle(analysis, nested_target, edges)

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
        summary=(
            f"Analisa {analysis.code} dikembalikan ke versi referensi {reference.code} ({reference.source})"
            f"{target.note}"
        ),
        before=before,
        after=_snapshot(analysis),
    )
    return analysis


@transaction.atomic
def make_item_variant(*, item: WorkItem, by) -> WorkItem:
    """ "Ubah hanya untuk pekerjaan ini": the work item gets its own copy of its shared analysis (code
    ``2.2.1.4.5-a``; same name, components, nested analyses and library reference) and is re-pointed to
    it. Refused when no other work item or analysis uses the analysis (it is already the item's own)."""
    analysis = _lock(WorkItem.objects.select_related("analysis").get(pk=item.pk).analysis)
    target = _edit_target(analysis, item)
    if target.analysis.pk == analysis.pk:
        raise ValidationError(
            "Analisa ini hanya dipakai oleh pekerjaan ini; perubahannya sudah hanya berlaku untuk pekerjaan ini."
        )
    recalc.recalculate_project(target.analysis.project, analysis_ids={target.analysis.pk})
    current = WorkItem.objects.get(pk=item.pk)
    _record(
        current,
        by=by,
        summary=(
            f"Pekerjaan “{current.name[:120]}” memakai analisa sendiri {target.analysis.code} "
            f"(salinan {analysis.code}; pekerjaan lain tetap memakai {analysis.code})"
        ),
        before={"analysis_id": analysis.pk, "analysis_code": analysis.code},
        after={"analysis_id": target.analysis.pk, "analysis_code": target.analysis.code},
    )
    return current


def _item_snapshot(item: WorkItem) -> dict:
    override = item.overhead_pct_override
    return {
        "overhead_pct_override": None if override is None else str(override),
        "unit_rate": str(item.unit_rate),
        "amount": str(item.amount),
    }


@transaction.atomic
def set_overhead_override(*, item: WorkItem, pct: Decimal | None, by) -> WorkItem:
    """The work item's own BUK % (``None`` = the project's): 0-100 %. Above the 15 % ceiling for government
    work (``rab_notes.GOVERNMENT_OVERHEAD_CEILING``) it is accepted and the pages warn."""
    if pct is not None and not (ZERO <= pct <= MAX_OVERHEAD_PCT):
        raise ValidationError(
            {
                "overhead_pct_override": (
                    f"BUK harus antara 0 dan {format_number(MAX_OVERHEAD_PCT, 0)} %. Kosongkan untuk memakai "
                    "BUK proyek."
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
    _record(current, by=by, summary=summary, before=before, after=_item_snapshot(current))
    return current


def direct_price_component(rows: list[AnalysisComponent]) -> AnalysisComponent | None:
    """The one line of a directly priced analysis (harga satuan langsung / lump sum): exactly one
    component, a resource of category "other", coefficient 1. ``None`` for any other analysis."""
    if len(rows) != 1:
        return None
    row = rows[0]
    if row.resource_id is None or row.resource.category != ResourceCategory.OTHER or row.coefficient != ONE:
        return None
    return row


def _direct_snapshot(item: WorkItem, price: Decimal | None) -> dict:
    return {"direct_unit_price": None if price is None else str(Decimal(price).quantize(CENT))} | (
        _item_snapshot(item)
    )


def _write_direct_line(
    item: WorkItem,
    analysis: ProjectAnalysis,
    resource: ProjectResource | None,
    *,
    own_line: bool,
    unit_price: Decimal,
) -> ProjectResource:
    """The analysis's one price line at ``unit_price``: the item's own price ``resource`` repriced, or a new
    "other" resource on a new line (after removing a price line shared with other items or analyses)."""
    if resource is not None and own_line:
        if resource.unit_price != unit_price:
            resource.unit_price = unit_price
            resource.full_clean()
            resource.version = F("version") + 1
            resource.save(update_fields=["unit_price", "version"])
        return resource
    if resource is not None:  # the price line is shared with other items or analyses: this item gets its own
        AnalysisComponent.objects.filter(analysis=analysis).delete()
    resource = resources.insert_resource(
        project=item.project,
        code="",
        name=item.name[:255],
        unit=item.unit,
        category=ResourceCategory.OTHER,
        unit_price=unit_price,
    )
    component = AnalysisComponent(analysis=analysis, resource=resource, coefficient=ONE, position=0)
    component.full_clean()
    component.save()
    return resource


@transaction.atomic
def set_direct_price(*, item: WorkItem, unit_price: Decimal, includes_overhead: bool, by) -> WorkItem:
    """Price a work item directly (harga satuan langsung, e.g. a lump sum "ls"): its analysis becomes one
    resource of category "other" (named like the item, code ``L.nn``) at ``unit_price`` with coefficient 1,
    so every figure still comes from the one calculation. ``includes_overhead``: the typed price already
    includes BUK, so the item gets its own BUK 0 %; otherwise the BUK applies on top (an own BUK of 0 %
    goes back to the project's). Only for an item whose analysis is empty or already priced directly; a
    shared analysis is first copied for this item. One audit event."""
    if unit_price is None or unit_price < ZERO:
        raise ValidationError({"unit_price": "Harga satuan wajib diisi dan tidak boleh negatif."})
    current = WorkItem.objects.select_related("analysis").get(pk=item.pk)
    analysis = _lock(current.analysis)
    current = WorkItem.objects.select_for_update(of=("self",)).select_related("project").get(pk=item.pk)
    rows = list(analysis.components.select_related("resource"))
    line = direct_price_component(rows)
    if rows and line is None:
        raise ValidationError(
            "Analisa pekerjaan ini sudah berisi komponen, jadi harganya dihitung dari komponen itu. Harga "
            "satuan langsung hanya untuk pekerjaan yang analisanya kosong atau sudah berharga langsung."
        )
    override = current.overhead_pct_override
    if includes_overhead:
        override = ZERO
    elif override == ZERO:
        override = None
    resource = line.resource if line else None
    own_line = resource is not None and not (
        shared_with(item=current) != (0, 0)
        or AnalysisComponent.objects.filter(resource=resource).exclude(analysis=analysis).exists()
    )
    if own_line and resource.unit_price == unit_price and override == current.overhead_pct_override:
        return current  # nothing changes: no write, no event
    before = _direct_snapshot(current, resource.unit_price if resource else None)
    target = _edit_target(analysis, current)
    analysis = target.analysis
    resource = _write_direct_line(current, analysis, resource, own_line=own_line, unit_price=unit_price)
    current.overhead_pct_override = override
    current.full_clean()
    current.version = F("version") + 1
    current.save(update_fields=["overhead_pct_override", "version"])
    recalc.recalculate_project(current.project, analysis_ids={analysis.pk}, resource_ids={resource.pk})
    current.refresh_from_db()
    after = _direct_snapshot(current, unit_price)
    included = "sudah termasuk BUK (BUK pekerjaan ini 0 %)" if includes_overhead else "belum termasuk BUK"
    _record(
        current,
        by=by,
        summary=(
            f"Harga satuan langsung pekerjaan “{current.name[:100]}”: {format_money(unit_price)} per "
            f"{current.unit}, {included}{target.note}"
        ),
        before=before,
        after=after,
    )
    return current
