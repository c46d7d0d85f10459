"""Keep the derived values of an estimate up to date (analysis A/B/C/D, work item HSP and amount).

A volume edit touches one row (`refresh_item_amount`). A price or coefficient edit recomputes the unit
prices of the project in memory (a fixed number of queries: prices, components, analyses, items) and
writes back only the rows whose values changed.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from ahsp.calculations.graph import closure
from ahsp.calculations.totals import line_amount
from ahsp.calculations.unit_price import AnalysisInput, ComponentInput, calculate_unit_prices
from ahsp.models import AnalysisComponent, Project, ProjectAnalysis, ProjectResource, WorkItem
from ahsp.models.estimate import EXACT, MONEY, fits
from ahsp.services.bulk import update_rows

ANALYSIS_FIELDS = ["labour", "material", "equipment", "other", "direct", "missing_prices"]
STORED_PLACES = Decimal("1e-10")  # the stored A/B/C/D are for display; HSP is computed from exact values


def amount_too_large() -> ValidationError:
    """The refusal of a change whose result does not fit the stored columns (PostgreSQL would refuse the
    write with "numeric field overflow"); raised inside the change's transaction, so nothing is written."""
    return ValidationError(
        gettext(
            "Jumlah harga terlalu besar (paling besar Rp 999.999.999.999.999.999): "
            "perkecil volume, koefisien, atau harga satuan."
        ),
        code="amount_too_large",
    )


def check_analysis_fits(result) -> None:
    """A/B/C/D of an analysis result (``calculate_unit_prices``) and its HSP fit their columns."""
    parts = (result.labour, result.material, result.equipment, result.other, result.direct)
    if not (all(fits(part, EXACT) for part in parts) and fits(result.unit_rate, MONEY)):
        raise amount_too_large()


def check_item_fits(item: WorkItem) -> None:
    if not (fits(item.unit_rate, MONEY) and fits(item.amount, MONEY)):
        raise amount_too_large()


@dataclass(frozen=True)
class RecalcResult:
    analyses_changed: int
    items_changed: int


def build_inputs(project: Project, only: set[int] | None = None) -> dict[int, AnalysisInput]:
    """Calculation inputs for the project's analyses (all, or the ids in `only`, which must be closed
    under nesting: every analysis nested in one of them is in it too)."""
    prices = {
        pk: (category, price)
        for pk, category, price in ProjectResource.objects.filter(project=project).values_list(
            "id", "category", "unit_price"
        )
    }
    components: dict[int, list[ComponentInput]] = {}
    rows = AnalysisComponent.objects.filter(analysis__project=project)
    if only is not None:
        rows = rows.filter(analysis_id__in=only)
    rows = rows.order_by("analysis_id", "position", "id").values_list(
        "analysis_id", "resource_id", "nested_analysis_id", "coefficient"
    )
    for analysis_id, resource_id, nested_id, coefficient in rows:
        if nested_id is not None:
            component = ComponentInput("other", coefficient, None, nested_analysis_id=nested_id)
        else:
            category, price = prices[resource_id]
            component = ComponentInput(category, coefficient, price)
        components.setdefault(analysis_id, []).append(component)
    ids = (
        only
        if only is not None
        else ProjectAnalysis.objects.filter(project=project).values_list("id", flat=True)
    )
    return {pk: AnalysisInput(pk, tuple(components.get(pk, ())), project.overhead_profit_pct) for pk in ids}


def affected_analyses(project: Project, *, analysis_ids: set[int], resource_ids: set[int]) -> set[int]:
    """The analyses to recompute after a change to some analyses or resource prices: those, everything
    that nests them (any depth), and everything they nest (needed to price them). Two queries."""
    edges = list(
        AnalysisComponent.objects.filter(
            analysis__project=project, nested_analysis__isnull=False
        ).values_list("analysis_id", "nested_analysis_id")
    )
    seeds = set(analysis_ids)
    if resource_ids:
        seeds |= set(
            AnalysisComponent.objects.filter(resource_id__in=resource_ids).values_list(
                "analysis_id", flat=True
            )
        )
    parents: dict[int, set[int]] = {}
    children: dict[int, set[int]] = {}
    for parent, child in edges:
        parents.setdefault(child, set()).add(parent)
        children.setdefault(parent, set()).add(child)

    changed = closure(parents, seeds)
    return changed | closure(children, changed)


def item_input_id(item_id: int) -> int:
    """Work items with their own BUK % are priced as a one-line analysis nesting theirs (negative ids)."""
    return -item_id


def recalculate_project(
    project: Project, *, analysis_ids: set[int] | None = None, resource_ids: set[int] | None = None
) -> RecalcResult:
    """Recompute derived values: of the whole project, or only of what a change to `analysis_ids` /
    the prices of `resource_ids` can affect (so one price edit does not reprice the whole project)."""
    scope = None
    if analysis_ids is not None or resource_ids is not None:
        scope = affected_analyses(
            project, analysis_ids=analysis_ids or set(), resource_ids=resource_ids or set()
        )
        if not scope:
            return RecalcResult(0, 0)
    inputs = build_inputs(project, scope)
    items = WorkItem.objects.filter(project=project)
    analyses = ProjectAnalysis.objects.filter(project=project)
    if scope is not None:
        items = items.filter(analysis_id__in=scope)
        analyses = analyses.filter(id__in=scope)
    items = list(items.only("id", "analysis_id", "volume", "overhead_pct_override", "unit_rate", "amount"))
    for item in items:
        if item.overhead_pct_override is not None:
            nested = ComponentInput("other", Decimal("1"), None, nested_analysis_id=item.analysis_id)
            inputs[item_input_id(item.pk)] = AnalysisInput(
                item_input_id(item.pk), (nested,), item.overhead_pct_override
            )
    results = calculate_unit_prices(
        inputs, hsp_rounding_step=project.hsp_rounding_step, hsp_rounding_mode="half_up"
    )

    changed_analyses = []
    for analysis in analyses.only("id", *ANALYSIS_FIELDS):
        result = results[analysis.pk]
        values = {
            "labour": result.labour.quantize(STORED_PLACES),
            "material": result.material.quantize(STORED_PLACES),
            "equipment": result.equipment.quantize(STORED_PLACES),
            "other": result.other.quantize(STORED_PLACES),
            "direct": result.direct.quantize(STORED_PLACES),
            "missing_prices": result.missing_prices,
        }
        check_analysis_fits(result)
        if any(getattr(analysis, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(analysis, key, value)
            changed_analyses.append(analysis)
    update_rows(ProjectAnalysis, changed_analyses, ANALYSIS_FIELDS)

    changed_items = []
    for item in items:
        key = item_input_id(item.pk) if item.overhead_pct_override is not None else item.analysis_id
        unit_rate = results[key].unit_rate
        amount = line_amount(item.volume, unit_rate)
        if not (fits(unit_rate, MONEY) and fits(amount, MONEY)):
            raise amount_too_large()
        if (item.unit_rate, item.amount) != (unit_rate, amount):
            item.unit_rate, item.amount = unit_rate, amount
            changed_items.append(item)
    update_rows(WorkItem, changed_items, ["unit_rate", "amount"])
    return RecalcResult(len(changed_analyses), len(changed_items))


def refresh_item_amount(item: WorkItem) -> None:
    """After a volume change: amount = volume x HSP for this row only."""
    item.amount = line_amount(item.volume, item.unit_rate)
    check_item_fits(item)
