"""Writes to work items (pekerjaan). Each runs in one transaction and records one audit event."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils.translation import gettext

from ahsp.calculations.formula import FormulaError
from ahsp.calculations.volume import volume_from_formula
from ahsp.formatting import format_money
from ahsp.models import (
    AnalysisComponent,
    AuditEvent,
    Project,
    ProjectAnalysis,
    ReferenceAnalysis,
    ResourceCategory,
    Section,
    WorkItem,
)
from ahsp.models.estimate import MAX_VOLUME
from ahsp.services import audit, recalc, resources
from ahsp.services._locking import CONFLICT_MESSAGE as CONFLICT_MESSAGE  # re-exported
from ahsp.services._locking import ConflictError as ConflictError  # re-exported
from ahsp.services._locking import lock_version
from ahsp.services.analysis_copy import copy_reference_analysis
from ahsp.services.ordering import swap_with_neighbour


def _snapshot(item: WorkItem) -> dict:
    return {
        "name": item.name,
        "unit": item.unit,
        "section_id": item.section_id,
        "position": item.position,
        "volume": str(item.volume),
        "volume_formula": item.volume_formula,
        "analysis_id": item.analysis_id,
    }


def _next_position(section: Section) -> int:
    last = WorkItem.objects.filter(section=section).aggregate(m=Max("position"))["m"]
    return 0 if last is None else last + 1


def _create_item(
    *,
    project: Project,
    section: Section,
    analysis: ProjectAnalysis,
    overhead_pct_override: Decimal | None = None,
    by,
    summary: str,
    extra: dict | None = None,
) -> WorkItem:
    if section.project_id != project.pk:
        raise ValidationError("Klasifikasi bukan milik proyek ini.")
    item = WorkItem(
        project=project,
        section=section,
        analysis=analysis,
        name=analysis.name,
        unit=analysis.unit,
        position=_next_position(section),
        overhead_pct_override=overhead_pct_override,
    )
    item.full_clean()
    item.save()
    recalc.recalculate_project(project, analysis_ids={analysis.pk})
    item.refresh_from_db()
    audit.record(
        by=by,
        action=AuditEvent.Action.CREATE,
        target=item,
        project_id=project.pk,
        summary=summary,
        after=_snapshot(item) | _overhead_snapshot(item) | (extra or {}),
    )
    return item


def _overhead_snapshot(item: WorkItem) -> dict:
    """The item's own BUK % in a create event, when it has one."""
    if item.overhead_pct_override is None:
        return {}
    return {"overhead_pct_override": str(item.overhead_pct_override)}


@transaction.atomic
def add_from_reference(*, project: Project, section: Section, reference: ReferenceAnalysis, by) -> WorkItem:
    """Copy the reference analysis into the project (once) and add a work item that uses it."""
    analysis = copy_reference_analysis(project=project, reference=reference)
    return _create_item(
        project=project,
        section=section,
        analysis=analysis,
        by=by,
        summary=f"Pekerjaan “{analysis.name[:120]}” ({reference.code}) ditambahkan dari referensi",
    )


@transaction.atomic
def add_custom(
    *,
    project: Project,
    section: Section,
    name: str,
    unit: str,
    unit_price: Decimal | None = None,
    price_includes_overhead: bool = False,
    by,
) -> WorkItem:
    """A work item with its own analysis (code C.1, C.2, ...): empty, or, with ``unit_price`` (harga
    satuan langsung, e.g. a lump sum "ls"), one new resource of category "other" (code ``L.nn``, named
    like the item) at that price with coefficient 1, so the HSP still comes from the one calculation.
    ``price_includes_overhead``: the typed price already includes BUK, so the item gets its own BUK 0 %."""
    if unit_price is not None and unit_price < 0:
        raise ValidationError({"unit_price": "Harga satuan tidak boleh negatif."})
    taken = set(
        ProjectAnalysis.objects.filter(project=project, code__startswith="C.").values_list("code", flat=True)
    )
    number = 1
    while f"C.{number}" in taken:
        number += 1
    analysis = ProjectAnalysis(project=project, code=f"C.{number}", name=name.strip(), unit=unit.strip())
    analysis.full_clean()
    analysis.save()
    if unit_price is None:
        return _create_item(
            project=project,
            section=section,
            analysis=analysis,
            by=by,
            summary=f"Pekerjaan khusus “{analysis.name[:120]}” ditambahkan",
        )
    resource = resources.insert_resource(
        project=project,
        code="",
        name=analysis.name[:255],
        unit=analysis.unit,
        category=ResourceCategory.OTHER,
        unit_price=unit_price,
    )
    line = AnalysisComponent(analysis=analysis, resource=resource, coefficient=Decimal("1"), position=0)
    line.full_clean()
    line.save()
    included = (
        "sudah termasuk BUK (BUK pekerjaan ini 0 %)" if price_includes_overhead else "belum termasuk BUK"
    )
    return _create_item(
        project=project,
        section=section,
        analysis=analysis,
        overhead_pct_override=Decimal("0") if price_includes_overhead else None,
        by=by,
        summary=(
            f"Pekerjaan khusus “{analysis.name[:120]}” ditambahkan dengan harga satuan langsung "
            f"{format_money(resource.unit_price)} per {analysis.unit}, {included}"
        ),
        extra={"direct_unit_price": str(resource.unit_price.quantize(Decimal("0.01")))},
    )


def project_parameters(project: Project) -> dict[str, Decimal]:
    return dict(project.parameters.values_list("name", "value"))


def _save_update(current: WorkItem, *, fields: list[str], before: dict, summary: str, by) -> WorkItem:
    """Save a locked row with its version bumped and record the one audit event of the change."""
    current.version = F("version") + 1
    current.save(update_fields=[*fields, "version"])
    current.refresh_from_db()
    audit.record(
        by=by,
        action=AuditEvent.Action.UPDATE,
        target=current,
        project_id=current.project_id,
        summary=summary,
        before=before,
        after=_snapshot(current),
    )
    return current


@transaction.atomic
def set_volume(
    *, item: WorkItem, volume: Decimal | None, formula: str = "", expected_version: int | None, by
) -> WorkItem:
    """Set the volume directly, or through a formula over the project's parameters."""
    current = lock_version(WorkItem, item.pk, expected_version)
    before = _snapshot(current)
    formula = formula.strip()
    if formula:
        try:
            volume = volume_from_formula(formula, project_parameters(current.project))
        except FormulaError as exc:
            raise ValidationError({"volume_formula": str(exc)}) from exc
        if volume < 0:
            raise ValidationError({"volume_formula": "Hasil rumus volume tidak boleh negatif."})
        if volume > MAX_VOLUME:
            raise ValidationError(
                {
                    "volume_formula": gettext(
                        "Hasil rumus volume terlalu besar (paling besar 999.999.999,9999)."
                    )
                }
            )
    if volume is None:
        raise ValidationError({"volume": "Volume wajib diisi."})
    current.volume = volume
    current.volume_formula = formula
    current.volume_error = ""
    current.full_clean()
    recalc.refresh_item_amount(current)
    return _save_update(
        current,
        fields=["volume", "volume_formula", "volume_error", "amount"],
        before=before,
        summary=f"Volume “{current.name[:120]}” diubah",
        by=by,
    )


@transaction.atomic
def rename(*, item: WorkItem, name: str, by) -> WorkItem:
    current = lock_version(WorkItem, item.pk, None)
    before = _snapshot(current)
    current.name = name.strip()
    current.full_clean()
    return _save_update(
        current,
        fields=["name"],
        before=before,
        summary=f"Pekerjaan diganti nama menjadi “{current.name[:120]}”",
        by=by,
    )


@transaction.atomic
def move(*, item: WorkItem, direction: str, by) -> WorkItem:
    """Swap with the previous ("up") or next ("down") item of the same section."""
    before = _snapshot(item)
    if not swap_with_neighbour(WorkItem.objects.filter(section_id=item.section_id), item, direction):
        return item
    audit.record(
        by=by,
        action=AuditEvent.Action.UPDATE,
        target=item,
        project_id=item.project_id,
        summary=f"Pekerjaan “{item.name[:120]}” dipindah ke {'atas' if direction == 'up' else 'bawah'}",
        before=before,
        after=_snapshot(item),
    )
    return item


@transaction.atomic
def move_to_section(*, item: WorkItem, section: Section, by) -> WorkItem:
    if section.project_id != item.project_id:
        raise ValidationError("Klasifikasi tujuan bukan milik proyek ini.")
    current = lock_version(WorkItem, item.pk, None)
    before = _snapshot(current)
    current.section = section
    current.position = _next_position(section)
    return _save_update(
        current,
        fields=["section", "position"],
        before=before,
        summary=f"Pekerjaan “{current.name[:120]}” dipindah ke “{section.name}”",
        by=by,
    )


@transaction.atomic
def delete(*, item: WorkItem, by) -> None:
    before = _snapshot(item)
    audit.record(
        by=by,
        action=AuditEvent.Action.DELETE,
        target=item,
        project_id=item.project_id,
        summary=f"Pekerjaan “{item.name[:120]}” dihapus",
        before=before,
    )
    item.delete()
