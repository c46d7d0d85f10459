"""Analysis sheets (Rincian AHSP): the A/B/C/D/E/HSP sheet of analyses in a fixed number of queries,
priced with the same pure calculation (``calculate_unit_prices``) the stored values come from.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from ahsp.calculations.money import exact_context
from ahsp.calculations.unit_price import (
    AnalysisInput,
    ComponentInput,
    calculate_unit_prices,
    component_amount,
)
from ahsp.formatting import coefficient_places
from ahsp.models import (
    AnalysisComponent,
    Project,
    ProjectAnalysis,
    ReferenceAnalysis,
    ResourceCategory,
    WorkItem,
)

ZERO = Decimal("0")


def nested_edges(project_id: int) -> dict[int, list[int]]:
    """analysis id -> ids of the analyses it uses as nested components (one query)."""
    edges: dict[int, list[int]] = {}
    rows = AnalysisComponent.objects.filter(
        analysis__project_id=project_id, nested_analysis__isnull=False
    ).values_list("analysis_id", "nested_analysis_id")
    for analysis_id, nested_id in rows:
        edges.setdefault(analysis_id, []).append(nested_id)
    return edges


GROUPS: tuple[tuple[str, str, object, object], ...] = (
    ("labour", "A", ResourceCategory.LABOUR.label, _("Jumlah Harga Tenaga Kerja")),
    ("material", "B", ResourceCategory.MATERIAL.label, _("Jumlah Harga Bahan")),
    ("equipment", "C", ResourceCategory.EQUIPMENT.label, _("Jumlah Harga Peralatan")),
    ("other", "", ResourceCategory.OTHER.label, _("Jumlah Harga Lain-lain")),
    ("nested", "", _("Analisa lain (bersarang)"), _("Jumlah Harga Analisa Bersarang")),
)
ALWAYS_SHOWN = {"labour", "material", "equipment"}


@dataclass(frozen=True)
class SheetRow:
    component_id: int
    code: str
    name: str
    unit: str
    coefficient: Decimal
    places: int  # decimals shown for the coefficient
    unit_price: Decimal | None  # resource price, or the nested analysis's D; None = no price yet
    amount: Decimal  # exact coefficient x unit price
    nested_id: int | None = None


@dataclass(frozen=True)
class SheetGroup:
    key: str
    letter: str
    label: str
    subtotal_label: str
    rows: tuple[SheetRow, ...]
    subtotal: Decimal


@dataclass(frozen=True)
class AnalysisSheet:
    analysis: ProjectAnalysis
    groups: tuple[SheetGroup, ...]
    direct: Decimal  # D, exact
    direct_parts: str  # "A + B + C" (+ the other groups present)
    overhead_pct: Decimal
    overhead: Decimal  # E, exact
    unit_rate: Decimal  # HSP, rounded like the stored work item HSP
    missing_prices: int
    item_count: int = 0  # work items using this analysis
    used_in_count: int = 0  # other analyses using it as a nested component


def _build_sheets(
    project: Project,
    analyses: Mapping[int, ProjectAnalysis],
    components: Iterable[AnalysisComponent],
    sheet_pcts: Mapping[int, Decimal],
) -> dict[int, AnalysisSheet]:
    """Sheets of the analyses in ``sheet_pcts`` (id -> BUK %); ``analyses`` must hold their nested closure."""
    by_analysis: dict[int, list[AnalysisComponent]] = {}
    for component in components:
        by_analysis.setdefault(component.analysis_id, []).append(component)

    def inputs(pct_for: Mapping[int, Decimal]) -> dict[int, AnalysisInput]:
        out = {}
        for pk in analyses:
            rows = []
            for c in by_analysis.get(pk, ()):
                if c.nested_analysis_id is not None:
                    rows.append(
                        ComponentInput("other", c.coefficient, None, nested_analysis_id=c.nested_analysis_id)
                    )
                else:
                    rows.append(ComponentInput(c.resource.category, c.coefficient, c.resource.unit_price))
            out[pk] = AnalysisInput(pk, tuple(rows), pct_for.get(pk, project.overhead_profit_pct))
        return out

    results = calculate_unit_prices(
        inputs(sheet_pcts), hsp_rounding_step=project.hsp_rounding_step, hsp_rounding_mode="half_up"
    )

    sheets = {}
    for pk in sheet_pcts:
        grouped: dict[str, list[SheetRow]] = {key: [] for key, *_rest in GROUPS}
        for c in by_analysis.get(pk, ()):
            if c.nested_analysis_id is not None:
                nested = analyses[c.nested_analysis_id]
                price = results[nested.pk].direct  # its D, without its overhead (domain.md)
                amount = component_amount(c.coefficient, price)
                row = SheetRow(
                    component_id=c.pk,
                    code=nested.code,
                    name=nested.name,
                    unit=nested.unit,
                    coefficient=c.coefficient,
                    places=coefficient_places(c.coefficient),
                    unit_price=price,
                    amount=amount,
                    nested_id=nested.pk,
                )
                grouped["nested"].append(row)
            else:
                r = c.resource
                row = SheetRow(
                    component_id=c.pk,
                    code=r.code,
                    name=r.name,
                    unit=r.unit,
                    coefficient=c.coefficient,
                    places=coefficient_places(c.coefficient),
                    unit_price=r.unit_price,
                    amount=component_amount(c.coefficient, r.unit_price),
                )
                grouped[r.category].append(row)
        groups = []
        for key, letter, label, subtotal_label in GROUPS:
            rows = grouped[key]
            if not rows and key not in ALWAYS_SHOWN:
                continue
            with exact_context():
                subtotal = sum((row.amount for row in rows), ZERO)
            groups.append(SheetGroup(key, letter, str(label), str(subtotal_label), tuple(rows), subtotal))
        parts = ["A", "B", "C"]
        if grouped["other"]:
            parts.append(str(_("lain-lain")))
        if grouped["nested"]:
            parts.append(str(_("analisa bersarang")))
        result = results[pk]
        sheets[pk] = AnalysisSheet(
            analysis=analyses[pk],
            groups=tuple(groups),
            direct=result.direct,
            direct_parts=" + ".join(parts),
            overhead_pct=sheet_pcts[pk],
            overhead=result.overhead,
            unit_rate=result.unit_rate,
            missing_prices=result.missing_prices,
        )
    return sheets


def _closure(edges: Mapping[int, Iterable[int]], root: int) -> set[int]:
    seen, stack = {root}, [root]
    while stack:
        for nxt in edges.get(stack.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def effective_overhead_pct(item: WorkItem, project: Project) -> Decimal:
    if item.overhead_pct_override is not None:
        return item.overhead_pct_override
    return project.overhead_profit_pct


def load_item_sheet(*, project: Project, item: WorkItem) -> AnalysisSheet:
    """The sheet of a work item's analysis, with the item's BUK %. Five queries whatever the size."""
    edges = nested_edges(project.pk)
    ids = _closure(edges, item.analysis_id)
    analyses = {a.pk: a for a in ProjectAnalysis.objects.filter(project=project, pk__in=ids)}
    components = (
        AnalysisComponent.objects.filter(analysis_id__in=ids)
        .select_related("resource")
        .order_by("position", "id")
    )
    sheet = _build_sheets(
        project, analyses, components, {item.analysis_id: effective_overhead_pct(item, project)}
    )[item.analysis_id]
    item_count = WorkItem.objects.filter(analysis_id=item.analysis_id).count()
    used_in = sum(1 for targets in edges.values() if item.analysis_id in targets)
    return _with_counts(sheet, item_count, used_in)


def _with_counts(sheet: AnalysisSheet, item_count: int, used_in: int) -> AnalysisSheet:
    return replace(sheet, item_count=item_count, used_in_count=used_in)


def load_project_sheets(*, project: Project) -> list[AnalysisSheet]:
    """Every analysis of the project with the project's BUK %, in natural code order. Two queries."""
    analyses = {
        a.pk: a
        for a in ProjectAnalysis.objects.filter(project=project).annotate(item_count=Count("work_items"))
    }
    components = list(
        AnalysisComponent.objects.filter(analysis__project=project)
        .select_related("resource")
        .order_by("position", "id")
    )
    used_in: dict[int, set[int]] = {}
    for c in components:
        if c.nested_analysis_id is not None:
            used_in.setdefault(c.nested_analysis_id, set()).add(c.analysis_id)
    sheets = _build_sheets(
        project, analyses, components, dict.fromkeys(analyses, project.overhead_profit_pct)
    )
    ordered = sorted(analyses.values(), key=lambda a: (ReferenceAnalysis.build_sort_key(a.code), a.pk))
    return [_with_counts(sheets[a.pk], a.item_count, len(used_in.get(a.pk, ()))) for a in ordered]
