"""Keep the derived values of an estimate up to date (analysis A/B/C/D, work item HSP and amount).

A volume edit touches one row (`refresh_item_amount`). A price or coefficient edit recomputes the unit
prices of the project in memory (a fixed number of queries: prices, components, analyses, items) and
writes back only the rows whose values changed.
"""

from dataclasses import dataclass
from decimal import Decimal

from ahsp.calculations.totals import line_amount
from ahsp.calculations.unit_price import AnalysisInput, ComponentInput, calculate_unit_prices
from ahsp.models import AnalysisComponent, Project, ProjectAnalysis, ProjectResource, WorkItem
from ahsp.services.bulk import update_rows

ANALYSIS_FIELDS = ["labour", "material", "equipment", "other", "direct", "missing_prices"]
STORED_PLACES = Decimal("1e-10")  # the stored A/B/C/D are for display; HSP is computed from exact values


@dataclass(frozen=True)
class RecalcResult:
    analyses_changed: int
    items_changed: int


def build_inputs(project: Project) -> dict[int, AnalysisInput]:
    """Calculation inputs for every analysis of the project, plus one per work item with its own BUK %."""
    prices = {
        pk: (category, price)
        for pk, category, price in ProjectResource.objects.filter(project=project).values_list(
            "id", "category", "unit_price"
        )
    }
    components: dict[int, list[ComponentInput]] = {}
    rows = (
        AnalysisComponent.objects.filter(analysis__project=project)
        .order_by("analysis_id", "position", "id")
        .values_list("analysis_id", "resource_id", "nested_analysis_id", "coefficient")
    )
    for analysis_id, resource_id, nested_id, coefficient in rows:
        if nested_id is not None:
            component = ComponentInput("other", coefficient, None, nested_analysis_id=nested_id)
        else:
            category, price = prices[resource_id]
            component = ComponentInput(category, coefficient, price)
        components.setdefault(analysis_id, []).append(component)
    inputs = {
        pk: AnalysisInput(pk, tuple(components.get(pk, ())), project.overhead_profit_pct)
        for pk in ProjectAnalysis.objects.filter(project=project).values_list("id", flat=True)
    }
    return inputs


def item_input_id(item_id: int) -> int:
    """Work items with their own BUK % are priced as a one-line analysis nesting theirs (negative ids)."""
    return -item_id


def recalculate_project(project: Project) -> RecalcResult:
    inputs = build_inputs(project)
    items = list(
        WorkItem.objects.filter(project=project).only(
            "id", "analysis_id", "volume", "overhead_pct_override", "unit_rate", "amount"
        )
    )
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
    for analysis in ProjectAnalysis.objects.filter(project=project).only("id", *ANALYSIS_FIELDS):
        result = results[analysis.pk]
        values = {
            "labour": result.labour.quantize(STORED_PLACES),
            "material": result.material.quantize(STORED_PLACES),
            "equipment": result.equipment.quantize(STORED_PLACES),
            "other": result.other.quantize(STORED_PLACES),
            "direct": result.direct.quantize(STORED_PLACES),
            "missing_prices": result.missing_prices,
        }
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
        if (item.unit_rate, item.amount) != (unit_rate, amount):
            item.unit_rate, item.amount = unit_rate, amount
            changed_items.append(item)
    update_rows(WorkItem, changed_items, ["unit_rate", "amount"])
    return RecalcResult(len(changed_analyses), len(changed_items))


def refresh_item_amount(item: WorkItem) -> None:
    """After a volume change: amount = volume x HSP for this row only."""
    item.amount = line_amount(item.volume, item.unit_rate)
