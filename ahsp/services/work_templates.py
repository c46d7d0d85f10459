"""Templates of work (issue 15 §3): save a section (or the whole work breakdown) as a named template,
insert a template into a project under a chosen section, import and export templates as JSON.

Inserting merges by code, and never changes what the project already has:
- a resource whose code the project has keeps the project's row and price (a different name, unit or
  category is reported);
- an analysis whose code the project has is reused when its components are the same (resource codes,
  nested analyses and coefficients); otherwise the template's is inserted under a variant code (``-a``,
  ``-b`` ...) and reported;
- a parameter the project has keeps the project's value (a different one is reported).
``preview`` runs the same insert inside a savepoint that is rolled back, so the value it shows (the new
items at the project's prices) is computed by the same code as the real insert.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Max, Sum

from ahsp.calculations.graph import fold
from ahsp.importers.project_document import DocumentPlan, plan_template
from ahsp.loaders.work_template import load_template_document
from ahsp.models import (
    AnalysisComponent,
    AuditEvent,
    Project,
    ProjectAnalysis,
    ProjectParameter,
    ProjectResource,
    ReferenceResource,
    Section,
    WorkItem,
    WorkTemplate,
)
from ahsp.services import audit, recalc
from ahsp.services.analysis_copy import project_signature, variant_code
from ahsp.services.project_restore import write_breakdown


@dataclass
class InsertReport:
    sections: int = 0
    items: int = 0
    new_resources: list[str] = field(default_factory=list)
    new_analyses: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    value: Decimal = Decimal(0)  # the inserted items' amounts at the project's prices


@transaction.atomic
def save_template(
    *, project: Project, section: Section | None, name: str, description: str = "", with_volumes: bool,
    shared: bool = False, by,
) -> WorkTemplate:  # fmt: skip
    document = load_template_document(
        project,
        section=section,
        name=name.strip(),
        description=description.strip(),
        with_volumes=with_volumes,
    )
    plan = plan_template(document)  # what is saved can be inserted
    template = WorkTemplate.objects.create(
        owner=by,
        shared=shared and by.is_staff,
        name=name.strip()[:120],
        description=description.strip(),
        document=document,
        item_count=plan.item_count,
        with_volumes=with_volumes,
    )
    audit.record(
        by=by,
        action=AuditEvent.Action.CREATE,
        target=template,
        project_id=project.pk,
        summary=f"Templat “{template.name}” disimpan dari “{section.name if section else project.name}”"[
            :300
        ],
        after={"name": template.name, "work_items": template.item_count},
        changes=audit.Changes.NOTHING,
    )
    return template


@transaction.atomic
def import_template(*, document: dict, by, shared: bool = False) -> WorkTemplate:
    """A template from its JSON (checked first: ``DocumentInvalid`` with the paths of its problems)."""
    plan = plan_template(document)
    template = WorkTemplate.objects.create(
        owner=by,
        shared=shared and by.is_staff,
        name=plan.header["name"],
        description=str(document.get("description", ""))[:2000],
        document=document,
        item_count=plan.item_count,
        with_volumes=bool(document.get("with_volumes")),
    )
    audit.record(
        by=by,
        action=AuditEvent.Action.IMPORT,
        target=template,
        summary=f"Templat “{template.name}” diimpor"[:300],
        after={"name": template.name, "work_items": template.item_count},
    )
    return template


@transaction.atomic
def delete_template(*, template: WorkTemplate, by) -> None:
    audit.record(
        by=by,
        action=AuditEvent.Action.DELETE,
        target=template,
        summary=f"Templat “{template.name}” dihapus"[:300],
        before={"name": template.name, "work_items": template.item_count},
    )
    template.delete()


@transaction.atomic
def insert_template(*, project: Project, template: WorkTemplate, parent: Section | None, by) -> InsertReport:
    """The template's sections under ``parent`` (at the top level when None), after its other children;
    one audit event on the project."""
    report = _insert(project, template, parent)
    audit.record(
        by=by,
        action=AuditEvent.Action.IMPORT,
        target=project,
        project_id=project.pk,
        summary=f"Templat “{template.name}” disisipkan: {report.items} pekerjaan"[:300],
        after={"name": template.name, "work_items": report.items, "sections": report.sections},
    )
    return report


def preview(*, project: Project, template: WorkTemplate, parent: Section | None) -> InsertReport:
    """What ``insert_template`` would do, computed by doing it and rolling it back."""
    with transaction.atomic():
        report = _insert(project, template, parent)
        transaction.set_rollback(True)
    return report


def _insert(project: Project, template: WorkTemplate, parent: Section | None) -> InsertReport:
    locked = Project.objects.select_for_update().get(pk=project.pk)
    plan = plan_template(template.document)
    report = InsertReport()
    _merge_parameters(locked, plan, report)
    resources = _merge_resources(locked, plan, report)
    analyses = _merge_analyses(locked, plan, resources, report)
    siblings = Section.objects.filter(project=locked, parent=parent)
    first = (siblings.aggregate(last=Max("position"))["last"] or 0) + 1
    report.sections, items = write_breakdown(
        locked, plan.sections, analyses, {}, parent=parent, first_position=first
    )
    report.items = len(items)
    recalc.recalculate_project(locked)
    report.value = WorkItem.objects.filter(pk__in=[i.pk for i in items]).aggregate(v=Sum("amount"))[
        "v"
    ] or Decimal(0)
    return report


def _merge_parameters(project: Project, plan: DocumentPlan, report: InsertReport) -> None:
    existing = dict(ProjectParameter.objects.filter(project=project).values_list("name", "value"))
    for name, value, description in plan.parameters:
        if name not in existing:
            ProjectParameter.objects.create(project=project, name=name, value=value, description=description)
        elif existing[name] != value:
            report.conflicts.append(
                f"Parameter {name}: templat {value}, proyek {existing[name]}; nilai proyek yang dipakai."
            )


def _merge_resources(
    project: Project, plan: DocumentPlan, report: InsertReport
) -> dict[str, ProjectResource]:
    existing = {
        r.code: r
        for r in ProjectResource.objects.filter(project=project, code__in=[r.code for r in plan.resources])
    }
    library = dict(
        ReferenceResource.objects.filter(code__in=[r.reference for r in plan.resources]).values_list(
            "code", "id"
        )
    )
    rows = {}
    for r in plan.resources:
        current = existing.get(r.code)
        if current is not None:
            if (current.name, current.unit, current.category) != (r.name, r.unit, r.category):
                report.conflicts.append(
                    f"Sumber daya {r.code}: di templat “{r.name}” ({r.unit}), di proyek “{current.name}” "
                    f"({current.unit}); yang di proyek dipakai."
                )
            rows[r.code] = current
            continue
        rows[r.code] = ProjectResource.objects.create(
            project=project, code=r.code, name=r.name, unit=r.unit, category=r.category, unit_price=r.unit_price,
            purchase_unit=r.purchase_unit, purchase_factor=r.purchase_factor, reference_id=library.get(r.reference),
        )  # fmt: skip
        report.new_resources.append(r.code)
    return rows


def _merge_analyses(
    project: Project, plan: DocumentPlan, resources: dict[str, ProjectResource], report: InsertReport
) -> dict[str, ProjectAnalysis]:
    """Nested analyses first (``fold`` walks children before parents), so a parent's signature can name
    the code its nested analysis got in the project."""
    by_code = {a.code: a for a in plan.analyses}
    existing = {a.code: a for a in ProjectAnalysis.objects.filter(project=project, code__in=list(by_code))}
    rows: dict[str, ProjectAnalysis] = {}

    def place(code: str, _done) -> None:
        analysis = by_code[code]
        lines = [
            (resource, rows[nested].code if nested else None, k)
            for resource, nested, k in analysis.components
        ]
        signature = sorted((r if r else f"@{n}", str(k.normalize())) for r, n, k in lines)
        current = existing.get(code)
        if current is not None and project_signature(current) == signature:
            rows[code] = current
            return
        new_code = code if current is None else variant_code(project_id=project.pk, code=code)
        if current is not None:
            report.conflicts.append(
                f"Analisa {code} di templat berbeda dari yang di proyek; disisipkan sebagai {new_code}."
            )
        row = ProjectAnalysis.objects.create(
            project=project, code=new_code, name=analysis.name, unit=analysis.unit,
            reference_code=analysis.reference_code, is_modified=analysis.is_modified or current is not None,
        )  # fmt: skip
        AnalysisComponent.objects.bulk_create(
            AnalysisComponent(
                analysis=row,
                position=position,
                coefficient=k,
                resource=resources[resource] if resource else None,
                nested_analysis=rows[nested] if nested else None,
            )  # fmt: skip
            for position, (resource, nested, k) in enumerate(analysis.components, start=1)
        )
        rows[code] = row
        report.new_analyses.append(new_code)

    edges = {a.code: [n for _r, n, _k in a.components if n] for a in plan.analyses}
    fold(list(by_code), lambda code: edges[code], place)
    return rows
