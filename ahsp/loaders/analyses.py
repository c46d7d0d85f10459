"""Analysis sheets (Rincian AHSP): the A/B/C/D/E/HSP sheet of analyses in a fixed number of queries,
priced with the same pure calculation (``calculate_unit_prices``) the stored values come from; and the
reads the analysis editor needs beside it (``shared_with``: who else an edit changes; ``search_resources``:
the resources a component can be added from). The writes are ``ahsp.services.analyses``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ahsp.calculations.graph import closure
from ahsp.calculations.money import exact_context
from ahsp.calculations.unit_price import (
    AnalysisInput,
    ComponentInput,
    UnitPriceBreakdown,
    calculate_unit_prices,
    component_amount,
)
from ahsp.formatting import coefficient_places, format_trimmed
from ahsp.models import (
    AnalysisComponent,
    Project,
    ProjectAnalysis,
    ProjectResource,
    ReferenceAnalysis,
    ReferenceResource,
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
    # A sheet of the same analysis at a work item's own BUK %: which items (empty on the project-% sheet).
    note: str = ""
    variant: int = 0  # 0 = the project's BUK %; 1, 2, ... = the analysis's other BUK % in use

    @property
    def anchor(self) -> str:
        """The HTML id of the sheet (unique on the page even when an analysis has several BUK %)."""
        suffix = f"-buk-{self.variant}" if self.variant else ""
        return f"analysis-{self.analysis.pk}{suffix}"


SheetRequest = tuple[int, Decimal]  # (analysis id, BUK %)


def _component_inputs(
    analyses: Mapping[int, ProjectAnalysis], by_analysis: Mapping[int, list[AnalysisComponent]], pct: Decimal
) -> dict[int, AnalysisInput]:
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
        out[pk] = AnalysisInput(pk, tuple(rows), pct)
    return out


def _sheet_groups(
    pk: int,
    analyses: Mapping[int, ProjectAnalysis],
    by_analysis: Mapping[int, list[AnalysisComponent]],
    results: Mapping[int, UnitPriceBreakdown],
) -> tuple[tuple[SheetGroup, ...], str]:
    grouped: dict[str, list[SheetRow]] = {key: [] for key, *_rest in GROUPS}
    for c in by_analysis.get(pk, ()):
        if c.nested_analysis_id is not None:
            nested = analyses[c.nested_analysis_id]
            price = results[nested.pk].direct  # its D, without its overhead (domain.md)
            row = SheetRow(
                component_id=c.pk,
                code=nested.code,
                name=nested.name,
                unit=nested.unit,
                coefficient=c.coefficient,
                places=coefficient_places(c.coefficient),
                unit_price=price,
                amount=component_amount(c.coefficient, price),
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
    return tuple(groups), " + ".join(parts)


def _build_sheets(
    project: Project,
    analyses: Mapping[int, ProjectAnalysis],
    components: Iterable[AnalysisComponent],
    requests: Iterable[SheetRequest],
) -> list[AnalysisSheet]:
    """One sheet per (analysis id, BUK %) in ``requests``, in that order; ``analyses`` must hold their
    nested closure.

    A BUK % other than the project's is priced exactly as ``recalc`` prices a work item with its own BUK:
    a one-line analysis nesting the analysis once at that % (so the sheet and the stored HSP are one
    derivation, whatever the HSP rounding).
    """
    by_analysis: dict[int, list[AnalysisComponent]] = {}
    for component in components:
        by_analysis.setdefault(component.analysis_id, []).append(component)
    requests = list(requests)
    inputs = _component_inputs(analyses, by_analysis, project.overhead_profit_pct)
    keys = []
    for index, (pk, pct) in enumerate(requests):
        if pct == project.overhead_profit_pct:
            keys.append(pk)
        else:
            key = -(index + 1)
            nested = ComponentInput("other", Decimal("1"), None, nested_analysis_id=pk)
            inputs[key] = AnalysisInput(key, (nested,), pct)
            keys.append(key)
    results = calculate_unit_prices(
        inputs, hsp_rounding_step=project.hsp_rounding_step, hsp_rounding_mode="half_up"
    )

    groups_of: dict[int, tuple[tuple[SheetGroup, ...], str]] = {}
    sheets = []
    for (pk, pct), key in zip(requests, keys, strict=True):
        if pk not in groups_of:
            groups_of[pk] = _sheet_groups(pk, analyses, by_analysis, results)
        groups, parts = groups_of[pk]
        result = results[key]
        sheets.append(
            AnalysisSheet(
                analysis=analyses[pk],
                groups=groups,
                direct=result.direct,
                direct_parts=parts,
                overhead_pct=pct,
                overhead=result.overhead,
                unit_rate=result.unit_rate,
                missing_prices=result.missing_prices,
            )
        )
    return sheets


def effective_overhead_pct(item: WorkItem, project: Project) -> Decimal:
    if item.overhead_pct_override is not None:
        return item.overhead_pct_override
    return project.overhead_profit_pct


def load_item_sheet(*, project: Project, item: WorkItem) -> AnalysisSheet:
    """The sheet of a work item's analysis, with the item's BUK %. Five queries whatever the size."""
    edges = nested_edges(project.pk)
    ids = closure(edges, [item.analysis_id])
    analyses = {a.pk: a for a in ProjectAnalysis.objects.filter(project=project, pk__in=ids)}
    components = (
        AnalysisComponent.objects.filter(analysis_id__in=ids)
        .select_related("resource")
        .order_by("position", "id")
    )
    [sheet] = _build_sheets(
        project, analyses, components, [(item.analysis_id, effective_overhead_pct(item, project))]
    )
    item_count = WorkItem.objects.filter(analysis_id=item.analysis_id).count()
    used_in = sum(1 for targets in edges.values() if item.analysis_id in targets)
    return _with_counts(sheet, item_count, used_in)


def _with_counts(sheet: AnalysisSheet, item_count: int, used_in: int) -> AnalysisSheet:
    return replace(sheet, item_count=item_count, used_in_count=used_in)


MAX_NOTE_NAMES = 5


def _note(pct: Decimal, names: list[str]) -> str:
    shown = "; ".join(name[:80] for name in names[:MAX_NOTE_NAMES])
    if len(names) > MAX_NOTE_NAMES:
        shown += str(_(" dan %(count)s pekerjaan lain")) % {"count": len(names) - MAX_NOTE_NAMES}
    return str(_("BUK khusus %(pct)s %% untuk: %(names)s")) % {
        "pct": format_trimmed(pct, 0, 2),
        "names": shown,
    }


def load_project_sheets(*, project: Project) -> list[AnalysisSheet]:
    """Every analysis of the project in natural code order, at the project's BUK %, and again at each
    other BUK % that work items using it have (issue 11 §2: the Rincian AHSP prints the HSP the RAB
    uses). The project-% sheet is left out only when every work item of the analysis has its own BUK
    and no other analysis nests it. Three queries."""
    analyses = {a.pk: a for a in ProjectAnalysis.objects.filter(project=project)}
    components = list(
        AnalysisComponent.objects.filter(analysis__project=project)
        .select_related("resource")
        .order_by("position", "id")
    )
    used_in: dict[int, set[int]] = {}
    for c in components:
        if c.nested_analysis_id is not None:
            used_in.setdefault(c.nested_analysis_id, set()).add(c.analysis_id)
    item_count: dict[int, int] = {}
    at_project_pct: set[int] = set()
    overrides: dict[int, dict[Decimal, list[str]]] = {}
    items = (
        WorkItem.objects.filter(project=project)
        .order_by("section_id", "position", "id")
        .values_list("analysis_id", "overhead_pct_override", "name")
    )
    for analysis_id, pct, name in items:
        item_count[analysis_id] = item_count.get(analysis_id, 0) + 1
        if pct is None or pct == project.overhead_profit_pct:
            at_project_pct.add(analysis_id)
        else:
            overrides.setdefault(analysis_id, {}).setdefault(pct, []).append(name)

    requests: list[SheetRequest] = []
    notes: list[tuple[str, int]] = []
    for a in sorted(analyses.values(), key=lambda a: (ReferenceAnalysis.build_sort_key(a.code), a.pk)):
        own = overrides.get(a.pk, {})
        if a.pk in at_project_pct or a.pk in used_in or not own:
            requests.append((a.pk, project.overhead_profit_pct))
            notes.append(("", 0))
        for variant, pct in enumerate(sorted(own), start=1):
            requests.append((a.pk, pct))
            notes.append((_note(pct, own[pct]), variant))
    sheets = _build_sheets(project, analyses, components, requests)
    return [
        replace(
            sheet,
            item_count=item_count.get(sheet.analysis.pk, 0),
            used_in_count=len(used_in.get(sheet.analysis.pk, ())),
            note=note,
            variant=variant,
        )
        for sheet, (note, variant) in zip(sheets, notes, strict=True)
    ]


# --- what the analysis editor shows beside a sheet ---------------------------------------------------


def shared_with(*, item: WorkItem) -> tuple[int, int]:
    """(other work items using the item's analysis, analyses nesting it): an edit of the analysis
    changes them too when either is not 0. Two queries."""
    others = WorkItem.objects.filter(analysis_id=item.analysis_id).exclude(pk=item.pk).count()
    nesting = (
        AnalysisComponent.objects.filter(nested_analysis_id=item.analysis_id)
        .values("analysis_id")
        .distinct()
        .count()
    )
    return others, nesting


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
