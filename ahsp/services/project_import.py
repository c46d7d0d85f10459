"""Create a whole project from an Excel workbook: all or nothing.

``ahsp.importers.project_workbook`` reads and checks EVERYTHING first; if it finds any problem nothing is
written and ``ProjectImportError.problems`` lists them all. Otherwise ``write_plan`` writes the project in
one transaction (a database error leaves nothing behind). A 2,000-row Pekerjaan sheet imports in seconds:
every table is filled with bulk inserts, and the derived values (A/B/C/D of analyses, HSP and amount of
work items) are computed in memory BEFORE the insert with the same pure calculation as ``recalc``, so the
single ``recalc.recalculate_project`` at the end (the authority) normally has nothing left to update.

1. the project (``projects.create``, which records its own "dibuat" audit event);
2. resources: the Harga sheet, reference resources named by the Analisa sheet, and those of the copied
   library analyses (without a price) that Harga does not list;
3. analyses: the Analisa sheet's (custom codes, and modified copies of library codes whose lines REPLACE
   the library's), then the library analyses the workbook uses with everything they nest, copied like
   ``analysis_copy.copy_reference_analysis`` does (matched by code: an Analisa redefinition or a Harga
   price applies inside copied library analyses too), but for all roots at once;
4. their components; 5. sections and work items in sheet order (an item's own BUK % from the optional
   ``buk_persen`` column is stored in ``overhead_pct_override`` and priced like ``recalc`` prices it: a
   one-line analysis nesting the item's analysis, with that BUK); 6. ``recalculate_project``;
7. ONE audit event "Proyek diimpor dari Excel: N pekerjaan".
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from ahsp.calculations.totals import line_amount
from ahsp.calculations.unit_price import (
    AnalysisInput,
    ComponentInput,
    UnitPriceBreakdown,
    calculate_unit_prices,
)
from ahsp.importers.project_workbook import (
    DEFAULT_UNIT,
    PROJECT_KEYS,
    SHEET_PROJECT,
    ImportPlan,
    Problem,
    read_project_workbook,
)
from ahsp.models import (
    AnalysisComponent,
    AuditEvent,
    Project,
    ProjectAnalysis,
    ProjectResource,
    ReferenceAnalysis,
    ReferenceComponent,
    Section,
    WorkItem,
)
from ahsp.services import audit, projects, recalc

BATCH_SIZE = 500
KEY_OF_FIELD = {field_name: key for key, (field_name, _kind, _required) in PROJECT_KEYS.items()}


class ProjectImportError(Exception):
    """The workbook cannot be imported; ``problems`` lists every reason (nothing was written), ``warnings``
    what would have been imported but deserves a look (e.g. a BUK above the government ceiling)."""

    def __init__(self, problems, warnings=()):
        self.problems = tuple(problems)
        self.warnings = tuple(warnings)
        super().__init__(f"Impor dibatalkan: {len(self.problems)} masalah ditemukan.")


@dataclass(frozen=True)
class ImportReport:
    """An imported project and the warnings of its workbook: imported anyway, shown to the user."""

    project: Project
    warnings: tuple[Problem, ...] = ()


def import_project_report(*, source, by, file_name: str = "") -> ImportReport:
    """Read, check and (only if there is no problem) write the workbook at ``source`` (path or file); the
    project with the reader's warnings (a warning is no problem: the import goes through)."""
    result = read_project_workbook(source)
    if result.problems:
        raise ProjectImportError(result.problems, result.warnings)
    try:
        project = write_plan(plan=result.plan, by=by, file_name=file_name)
    except ValidationError as exc:
        # The reader checks what the model checks; this is a safety net, reported the same way.
        raise ProjectImportError(_validation_problems(exc), result.warnings) from exc
    return ImportReport(project, tuple(result.warnings))


def import_project(*, source, by, file_name: str = "") -> Project:
    """``import_project_report`` for callers that need only the project."""
    return import_project_report(source=source, by=by, file_name=file_name).project


def _validation_problems(exc: ValidationError) -> list[Problem]:
    if not hasattr(exc, "error_dict"):
        return [Problem(SHEET_PROJECT, None, "", "", message) for message in exc.messages]
    return [
        Problem(SHEET_PROJECT, None, KEY_OF_FIELD.get(field_name, field_name), "", message)
        for field_name, errors in exc.message_dict.items()
        for message in errors
    ]


@dataclass
class _Draft:
    """A project analysis before it is inserted; lines are (position, resource code, nested code, k)."""

    code: str
    name: str
    unit: str
    reference_id: int | None
    is_modified: bool
    lines: list[tuple[int, str | None, str | None, Decimal]] = field(default_factory=list)


@transaction.atomic
def write_plan(*, plan: ImportPlan, by, file_name: str = "") -> Project:
    project = projects.create(data=plan.project, by=by)

    resources = {
        r.code: ProjectResource(
            project=project,
            code=r.code,
            name=r.name,
            unit=r.unit,
            category=r.category,
            unit_price=r.unit_price,
            reference_id=r.reference_id,
        )
        for r in plan.resources
    }
    drafts = {
        a.code: _Draft(
            a.code,
            a.name,
            a.unit,
            a.reference_id,
            a.is_modified,
            [(line.position, line.resource_code, line.nested_code, line.coefficient) for line in a.lines],
        )
        for a in plan.analyses
    }
    _add_library_analyses(project, plan.library_copies, drafts, resources)
    ProjectResource.objects.bulk_create(list(resources.values()), batch_size=BATCH_SIZE)

    overheads = {
        (item.analysis_code, item.overhead_pct) for item in plan.items if item.overhead_pct is not None
    }
    results, index, item_index = _unit_prices(project, drafts, resources, overheads)
    for result in results.values():
        recalc.check_analysis_fits(result)  # a ValidationError: reported like the model's checks
    analyses = _write_analyses(project, drafts, {code: results[index[code]] for code in drafts}, resources)

    unit_rates = {key: results[number].unit_rate for key, number in item_index.items()}
    section_count, items = _write_breakdown(project, plan, analyses, unit_rates)
    # The authority on derived values: normally it finds nothing to change (computed above the same way).
    recalc.recalculate_project(project)
    audit.record(
        by=by,
        action=AuditEvent.Action.IMPORT,
        target=project,
        project_id=project.pk,
        summary=f"Proyek diimpor dari Excel: {len(items)} pekerjaan",
        after={
            "file_name": file_name,
            "work_items": len(items),
            "sections": section_count,
            "analyses": len(analyses),
            "resources": len(resources),
        },
    )
    return project


def _write_analyses(
    project: Project,
    drafts: dict[str, _Draft],
    results: dict[str, UnitPriceBreakdown],
    resources: dict[str, ProjectResource],
) -> dict[str, ProjectAnalysis]:
    """The analyses with their A/B/C/D already computed, then their components (two bulk inserts)."""
    analyses = {}
    for code, draft in drafts.items():
        result = results[code]
        analyses[code] = ProjectAnalysis(
            project=project,
            code=code,
            name=draft.name,
            unit=draft.unit,
            reference_id=draft.reference_id,
            reference_code=code if draft.reference_id else "",
            is_modified=draft.is_modified,
            labour=result.labour.quantize(recalc.STORED_PLACES),
            material=result.material.quantize(recalc.STORED_PLACES),
            equipment=result.equipment.quantize(recalc.STORED_PLACES),
            other=result.other.quantize(recalc.STORED_PLACES),
            direct=result.direct.quantize(recalc.STORED_PLACES),
            missing_prices=result.missing_prices,
        )
    ProjectAnalysis.objects.bulk_create(list(analyses.values()), batch_size=BATCH_SIZE)
    AnalysisComponent.objects.bulk_create(
        [
            AnalysisComponent(
                analysis=analyses[code],
                position=position,
                resource=resources[resource_code] if resource_code else None,
                nested_analysis=analyses[nested_code] if nested_code else None,
                coefficient=coefficient,
            )
            for code, draft in drafts.items()
            for position, resource_code, nested_code, coefficient in draft.lines
        ],
        batch_size=BATCH_SIZE,
    )
    return analyses


def _add_library_analyses(
    project: Project,
    reference_ids: tuple[int, ...],
    drafts: dict[str, _Draft],
    resources: dict[str, ProjectResource],
) -> None:
    """Copy library analyses (and what they nest) into ``drafts``, like ``copy_reference_analysis`` for
    many roots at once: one query per level of nesting, whatever the number of analyses.

    Same rules as that service: an analysis or resource already present (by code) is reused, not copied:
    here those are the Analisa sheet's analyses and the Harga sheet's resources (with their prices). A code
    reached twice (e.g. two editions) is copied once, the roots (newest editions) first.
    """
    frontier = list(ReferenceAnalysis.objects.filter(pk__in=list(reference_ids)).order_by("code"))
    while frontier:
        fresh = [ref for ref in frontier if ref.code not in drafts]
        for ref in fresh:
            drafts[ref.code] = _Draft(ref.code, ref.name, ref.unit or DEFAULT_UNIT, ref.pk, False)
        code_of = {ref.pk: ref.code for ref in fresh}
        following: dict[str, ReferenceAnalysis] = {}
        rows = (
            ReferenceComponent.objects.filter(analysis_id__in=list(code_of))
            .select_related("resource", "nested_analysis")
            .order_by("analysis_id", "position", "id")
        )
        for row in rows:
            lines = drafts[code_of[row.analysis_id]].lines
            if row.resource_id is not None:
                ref = row.resource
                if ref.code not in resources:
                    resources[ref.code] = ProjectResource(
                        project=project,
                        code=ref.code,
                        name=ref.name,
                        unit=ref.unit,
                        category=ref.category,
                        reference_id=ref.pk,
                    )
                lines.append((row.position, ref.code, None, row.coefficient))
            else:
                nested = row.nested_analysis
                lines.append((row.position, None, nested.code, row.coefficient))
                if nested.code not in drafts:
                    following.setdefault(nested.code, nested)
        frontier = list(following.values())


def _unit_prices(
    project: Project,
    drafts: dict[str, _Draft],
    resources: dict[str, ProjectResource],
    overheads: Collection[tuple[str, Decimal]] = (),
) -> tuple[dict[int, UnitPriceBreakdown], dict[str, int], dict[tuple[str, Decimal | None], int]]:
    """A/B/C/D and HSP of every draft, with the same pure calculation and settings as ``recalc``.

    ``overheads``: the (analysis code, BUK %) pairs of work items with their own BUK; each is priced as
    ``recalc`` prices such an item (``recalc.item_input_id``): a one-line analysis nesting the item's
    analysis with coefficient 1 and that BUK. Returns the results and two indexes into them: code -> id
    of the drafts, and ``(code, None)`` / ``(code, BUK %)`` -> id of the HSP a work item gets.
    """
    index = {code: number for number, code in enumerate(drafts, start=1)}
    inputs = {}
    for code, draft in drafts.items():
        components = []
        for _position, resource_code, nested_code, coefficient in draft.lines:
            if nested_code is not None:
                components.append(
                    ComponentInput("other", coefficient, None, nested_analysis_id=index[nested_code])
                )
            else:
                resource = resources[resource_code]
                components.append(ComponentInput(resource.category, coefficient, resource.unit_price))
        inputs[index[code]] = AnalysisInput(index[code], tuple(components), project.overhead_profit_pct)
    item_index: dict[tuple[str, Decimal | None], int] = {
        (code, None): number for code, number in index.items()
    }
    for number, (code, pct) in enumerate(sorted(overheads), start=1):
        nested = ComponentInput("other", Decimal("1"), None, nested_analysis_id=index[code])
        inputs[-number] = AnalysisInput(-number, (nested,), pct)
        item_index[(code, pct)] = -number
    results = calculate_unit_prices(
        inputs, hsp_rounding_step=project.hsp_rounding_step, hsp_rounding_mode="half_up"
    )
    return results, index, item_index


def _write_breakdown(
    project: Project,
    plan: ImportPlan,
    analyses: dict[str, ProjectAnalysis],
    unit_rates: dict[tuple[str, Decimal | None], Decimal],
) -> tuple[int, list[WorkItem]]:
    """Sections and work items in the order of the Pekerjaan sheet.

    A klasifikasi (or sub-klasifikasi) appears where it is first named; rows naming it later join it. Under
    a klasifikasi, its sub-klasifikasi and the items without one share one position counter in sheet order,
    so the derived numbering (I, I.1, I.1.1) follows the sheet.
    """
    tops: dict[str, Section] = {}
    subs: dict[tuple[str, str], Section] = {}
    next_child: dict[str, int] = {}
    next_item: dict[tuple[str, str], int] = {}
    items: list[WorkItem] = []
    for row in plan.items:
        top = tops.get(row.section)
        if top is None:
            top = tops[row.section] = Section(project=project, name=row.section, position=len(tops))
            next_child[row.section] = 0
        if row.subsection:
            key = (row.section, row.subsection)
            section = subs.get(key)
            if section is None:
                section = subs[key] = Section(
                    project=project, parent=top, name=row.subsection, position=next_child[row.section]
                )
                next_child[row.section] += 1
                next_item[key] = 0
            position = next_item[key]
            next_item[key] += 1
        else:
            section = top
            position = next_child[row.section]
            next_child[row.section] += 1
        analysis = analyses[row.analysis_code]
        unit_rate = unit_rates[(row.analysis_code, row.overhead_pct)]
        items.append(
            WorkItem(
                project=project,
                section=section,
                analysis=analysis,
                name=row.name or analysis.name,
                unit=row.unit or analysis.unit,
                position=position,
                volume=row.volume,
                overhead_pct_override=row.overhead_pct,
                unit_rate=unit_rate,
                amount=line_amount(row.volume, unit_rate),
            )
        )
    Section.objects.bulk_create(list(tops.values()), batch_size=BATCH_SIZE)
    Section.objects.bulk_create(list(subs.values()), batch_size=BATCH_SIZE)  # parents now have ids
    for item in items:
        recalc.check_item_fits(item)
    WorkItem.objects.bulk_create(items, batch_size=BATCH_SIZE)
    return len(tops) + len(subs), items
