"""Every write service records exactly one audit event, with the right action, target and diff.

One table row per write: the case builds what it needs on a small estimate (``world``), then the write is
called once and the events it added are compared with the expectation. A write that changes nothing
records nothing. ``test_every_write_service_is_in_the_table`` fails when a new public service function
appears that is neither covered here nor listed as a reader or as worker housekeeping.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal as D
from types import SimpleNamespace

import pytest
from django.core.files import File

from ahsp.loaders.audit import field_label
from ahsp.models import (
    AnalysisComponent,
    AuditEvent,
    ExportJob,
    Project,
    ReferenceImport,
    ReferenceResource,
    Section,
    WorkItem,
)
from ahsp.services import (
    analyses,
    exports,
    parameters,
    project_copy,
    project_copy_jobs,
    project_import,
    project_restore,
    projects,
    recalc,
    reference_imports,
    reference_library,
    resources,
    schedule,
    sections,
    versions,
    work_items,
    work_templates,
    workbook_imports,
)
from ahsp.tests.estimate_fixtures import make_reference_library
from ahsp.tests.factories import AnalysisComponentFactory, ProjectFactory, ProjectResourceFactory
from ahsp.tests.test_importers_reference_workbook import make_workbook
from ahsp.tests.test_services_project_import import make_library, valid_sheets, write_workbook
from ahsp.tests.test_services_resources import HEADER as PRICE_HEADER
from ahsp.tests.test_services_resources import xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(user, settings, tmp_path):
    """A 4-week project: two sections, two custom work items (the first priced: Pekerja 0,75 OH at
    Rp 100.000), an unused resource, a parameter, a stage, and a work item copied from the library."""
    settings.AHSP_REPORT_DIR = tmp_path / "reports"
    library = make_reference_library()
    project = ProjectFactory(owner=user, start_date=date(2026, 3, 2), duration_weeks=4)
    section = sections.create(project=project, name="Pekerjaan Tanah", by=user)
    section2 = sections.create(project=project, name="Pekerjaan Beton", by=user)
    item = work_items.add_custom(project=project, section=section, name="Galian tanah", unit="m3", by=user)
    item2 = work_items.add_custom(project=project, section=section, name="Urugan pasir", unit="m3", by=user)
    worker = ProjectResourceFactory(
        project=project, code="L.01", name="Pekerja", unit="OH", category="labour", unit_price=D("100000")
    )
    foreman = ProjectResourceFactory(
        project=project, code="L.04", name="Mandor", unit="OH", category="labour", unit_price=D("150000")
    )
    cement = ProjectResourceFactory(
        project=project, code="B.01", name="Semen Portland", unit="kg", category="material"
    )
    component = AnalysisComponentFactory(analysis=item.analysis, resource=worker, coefficient=D("0.75"))
    recalc.recalculate_project(project)
    parameter = parameters.set_value(project=project, name="panjang", value=D("10"), by=user)
    stage = schedule.create_stage(project=project, name="Tahap 1", by=user)
    ref_item = work_items.add_from_reference(
        project=project, section=section2, reference=library["dig"], by=user
    )
    return SimpleNamespace(
        user=user,
        tmp_path=tmp_path,
        library=library,
        project=Project.objects.get(pk=project.pk),
        section=Section.objects.get(pk=section.pk),
        section2=Section.objects.get(pk=section2.pk),
        item=WorkItem.objects.get(pk=item.pk),
        item2=WorkItem.objects.get(pk=item2.pk),
        ref_item=WorkItem.objects.get(pk=ref_item.pk),
        worker=worker,
        foreman=foreman,
        cement=cement,
        component=component,
        parameter=parameter,
        stage=stage,
    )


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


@dataclass
class Expect:
    action: str
    target_type: str
    before: dict | None
    after: dict | None
    target_id: object = None  # default: the pk of what the write returned / was given
    project_id: object = True  # True: the world's project; or the id itself (None: no project)


@dataclass
class Case:
    name: str
    # (world) -> (the write, (result of the write) -> Expect); arranging happens before the write.
    arrange: Callable[[SimpleNamespace], tuple[Callable[[], object], Callable[[object], Expect]]]


def _project_create(w):
    def write():
        return projects.create(data={"name": "Gedung Baru", "location": "Garut"}, by=w.user)

    return write, lambda p: Expect("create", "project", None, fresh(p).audit_snapshot(), p.pk, p.pk)


def _project_restore(w):
    from ahsp.importers.project_document import plan_document
    from ahsp.loaders.project_document import load_project_document

    plan = plan_document(load_project_document(w.project, parts="estimate"))
    origin = project_restore.Origin("Proyek dipulihkan dari cadangan", {"file_name": "cadangan.json"})

    def write():
        return project_restore.restore(plan=plan, by=w.user, origin=origin)

    # The world: 3 items in 2 sections, 3 analyses, 3 resources + 2 copied with the library item, 1 parameter.
    counts = {"work_items": 3, "sections": 2, "analyses": 3, "resources": 5, "parameters": 1, "stages": 0}
    return write, lambda p: Expect(
        "import", "project", None, {"file_name": "cadangan.json", "bagian": "estimate", **counts}, p.pk, p.pk
    )


def _project_copy(w):
    def write():
        (copy,) = project_copy.copy_project(project=w.project, by=w.user, parts="header", name="Salinan")
        return copy

    counts = {"work_items": 0, "sections": 0, "analyses": 0, "resources": 0, "parameters": 0, "stages": 0}
    return write, lambda p: Expect(
        "import", "project", None, {"salinan_dari": w.project.name, "bagian": "header", **counts}, p.pk, p.pk
    )


def _project_write_copy(w):
    plan, origin = project_copy.plan_copy(w.project, "header")

    def write():
        return project_copy.write_copy(plan=plan, origin=origin, by=w.user, name="Salinan")

    counts = {"work_items": 0, "sections": 0, "analyses": 0, "resources": 0, "parameters": 0, "stages": 0}
    return write, lambda p: Expect(
        "import", "project", None, {"salinan_dari": w.project.name, "bagian": "header", **counts}, p.pk, p.pk
    )


def _template_save(w):
    def write():
        return work_templates.save_template(
            project=w.project, section=None, name="Standar", with_volumes=False, by=w.user
        )

    return write, lambda t: Expect("create", "worktemplate", None, {"name": "Standar", "work_items": 3})


def _template_import(w):
    document = work_templates.save_template(
        project=w.project, section=None, name="Standar", with_volumes=False, by=w.user
    ).document

    def write():
        return work_templates.import_template(document=document, by=w.user)

    return write, lambda t: Expect(
        "import", "worktemplate", None, {"name": "Standar", "work_items": 3}, None, None
    )


def _template_delete(w):
    template = work_templates.save_template(
        project=w.project, section=None, name="Standar", with_volumes=False, by=w.user
    )
    pk = template.pk

    def write():
        work_templates.delete_template(template=template, by=w.user)
        return template

    return write, lambda t: Expect(
        "delete", "worktemplate", {"name": "Standar", "work_items": 3}, None, pk, None
    )


def _template_insert(w):
    template = work_templates.save_template(
        project=w.project, section=None, name="Standar", with_volumes=False, by=w.user
    )

    def write():
        work_templates.insert_template(project=w.project, template=template, parent=None, by=w.user)
        return w.project

    return write, lambda p: Expect(
        "import", "project", None, {"name": "Standar", "work_items": 3, "sections": 2}
    )


def _version_freeze(w):
    def write():
        return versions.freeze(project=w.project, name="HPS diajukan", by=w.user)

    return write, lambda v: Expect(
        "create",
        "projectversion",
        None,
        {"name": "HPS diajukan", "content_hash": v.content_hash, "total": str(v.rounded_total)},
    )


def _version_open(w):
    version = versions.freeze(project=w.project, name="HPS diajukan", by=w.user)

    # The whole world: 3 items in 2 sections, 3 analyses, 5 resources, 1 parameter and its one stage.
    def write():
        return versions.open_version(version=version)

    counts = {"work_items": 3, "sections": 2, "analyses": 3, "resources": 5, "parameters": 1, "stages": 1}
    return write, lambda p: Expect(
        "import", "project", None, {"name": "HPS diajukan", "bagian": "progress", **counts}, p.pk, p.pk
    )


def _project_update(w):
    def write():
        return projects.update(
            project=w.project, data={"name": "Gedung Baru"}, expected_version=w.project.version, by=w.user
        )

    before = {"name": w.project.name, "version": w.project.version}
    return write, lambda p: Expect(
        "update", "project", before, {"name": "Gedung Baru", "version": w.project.version + 1}, p.pk
    )


def _project_archive(w):
    v = w.project.version
    return (
        lambda: projects.archive(project=w.project, by=w.user),
        lambda p: Expect(
            "archive",
            "project",
            {"status": "draft", "version": v},
            {"status": "archived", "version": v + 1},
            p.pk,
        ),
    )


def _project_delete(w):
    snapshot = w.project.audit_snapshot()
    pk = w.project.pk
    return (
        lambda: projects.delete(project=w.project, by=w.user),
        lambda _: Expect("delete", "project", snapshot, None, pk, pk),
    )


def _section_create(w):
    return (
        lambda: sections.create(project=w.project, name="Pekerjaan Atap", by=w.user),
        lambda s: Expect(
            "create", "section", None, {"name": "Pekerjaan Atap", "parent_id": None, "position": 2}
        ),
    )


def _section_create_child(w):
    return (
        lambda: sections.create(project=w.project, name="Galian", parent=w.section, by=w.user),
        lambda s: Expect(
            "create", "section", None, {"name": "Galian", "parent_id": w.section.pk, "position": 0}
        ),
    )


def _section_rename(w):
    return (
        lambda: sections.rename(section=w.section, name="Persiapan", by=w.user),
        lambda s: Expect("update", "section", {"name": "Pekerjaan Tanah"}, {"name": "Persiapan"}),
    )


def _section_move(w):
    return (
        lambda: sections.move(section=w.section2, direction="up", by=w.user),
        lambda s: Expect("update", "section", {"position": 1}, {"position": 0}),
    )


def _section_delete(w):
    pk = w.section.pk
    return (
        lambda: sections.delete(section=w.section, by=w.user),
        lambda _: Expect(
            "delete", "section", {"name": "Pekerjaan Tanah", "parent_id": None, "position": 0, "work_items": 2},
            None, pk,
        ),
    )  # fmt: skip


def _item_snapshot(item: WorkItem, **changes) -> dict:
    data = {
        "name": item.name,
        "unit": item.unit,
        "section_id": item.section_id,
        "position": item.position,
        "volume": str(item.volume),
        "volume_formula": item.volume_formula,
        "analysis_id": item.analysis_id,
    }
    return {**data, **changes}


def _item_add_custom(w):
    return (
        lambda: work_items.add_custom(
            project=w.project, section=w.section2, name="Bekisting", unit="m2", by=w.user
        ),
        lambda i: Expect("create", "workitem", None, _item_snapshot(fresh(i))),
    )


def _item_add_from_reference(w):
    def expect(i):
        assert (i.name, i.unit, i.section_id, i.position) == (
            "Beton mutu fc 19,3 MPa",
            "m3",
            w.section2.pk,
            1,
        )
        return Expect("create", "workitem", None, _item_snapshot(fresh(i)))

    return (
        lambda: work_items.add_from_reference(
            project=w.project, section=w.section2, reference=w.library["concrete"], by=w.user
        ),
        expect,
    )


def _item_set_volume(w):
    return (
        lambda: work_items.set_volume(
            item=w.item, volume=D("12.5"), expected_version=w.item.version, by=w.user
        ),
        lambda i: Expect("update", "workitem", {"volume": "0.0000"}, {"volume": "12.5000"}),
    )


def _item_set_volume_formula(w):
    return (
        lambda: work_items.set_volume(
            item=w.item, volume=None, formula="panjang * 2", expected_version=None, by=w.user
        ),
        lambda i: Expect(
            "update",
            "workitem",
            {"volume": "0.0000", "volume_formula": ""},
            {"volume": "20.0000", "volume_formula": "panjang * 2"},
        ),
    )


def _item_rename(w):
    return (
        lambda: work_items.rename(item=w.item, name="Galian tanah keras", by=w.user),
        lambda i: Expect("update", "workitem", {"name": "Galian tanah"}, {"name": "Galian tanah keras"}),
    )


def _item_move(w):
    return (
        lambda: work_items.move(item=w.item2, direction="up", by=w.user),
        lambda i: Expect("update", "workitem", {"position": 1}, {"position": 0}),
    )


def _item_move_to_section(w):
    return (
        lambda: work_items.move_to_section(item=w.item2, section=w.section2, by=w.user),
        lambda i: Expect(
            "update",
            "workitem",
            {"section_id": w.section.pk},
            {"section_id": w.section2.pk},
        ),  # last of the old section (1) and of the new one (1: the library item is 0)
    )


def _item_delete(w):
    snapshot = _item_snapshot(w.item2)
    pk = w.item2.pk
    return (
        lambda: work_items.delete(item=w.item2, by=w.user),
        lambda _: Expect("delete", "workitem", snapshot, None, pk),
    )


def _parameter_create(w):
    return (
        lambda: parameters.set_value(project=w.project, name="lebar", value=D("5"), by=w.user),
        lambda p: Expect("create", "projectparameter", None, {"name": "lebar", "value": "5"}),
    )


def _parameter_update(w):
    return (
        lambda: parameters.set_value(project=w.project, name="panjang", value=D("12"), by=w.user),
        lambda p: Expect("update", "projectparameter", {"value": "10.000000"}, {"value": "12"}),
    )


def _parameter_delete(w):
    pk = w.parameter.pk
    return (
        lambda: parameters.delete(parameter=fresh(w.parameter), by=w.user),
        lambda _: Expect("delete", "projectparameter", {"name": "panjang", "value": "10.000000"}, None, pk),
    )


def _analysis(w, before, after, analysis=None):
    analysis = analysis or w.item.analysis
    return lambda _: Expect("update", "projectanalysis", before, after, analysis.pk)


def _coefficient(w):
    return (
        lambda: analyses.set_coefficient(component=w.component, coefficient=D("0.8"), by=w.user),
        _analysis(w, {"components": [["L.01", "0.75"]]}, {"components": [["L.01", "0.8"]]}),
    )


def _add_resource(w):
    return (
        lambda: analyses.add_resource_component(
            analysis=w.item.analysis, resource=w.foreman, coefficient=D("0.025"), by=w.user
        ),
        _analysis(
            w, {"components": [["L.01", "0.75"]]}, {"components": [["L.01", "0.75"], ["L.04", "0.025"]]}
        ),
    )


def _add_reference_resource(w):
    mandor = ReferenceResource.objects.get(code="TK.0006")
    return (
        lambda: analyses.add_resource_component(
            analysis=w.item.analysis, reference_resource=mandor, coefficient=D("0.025"), by=w.user
        ),
        _analysis(
            w, {"components": [["L.01", "0.75"]]}, {"components": [["L.01", "0.75"], ["TK.0006", "0.025"]]}
        ),
    )


def _add_nested(w):
    code = w.item2.analysis.code
    return (
        lambda: analyses.add_nested_component(
            analysis=w.item.analysis, nested=w.item2.analysis, coefficient=D("0.5"), by=w.user
        ),
        _analysis(
            w, {"components": [["L.01", "0.75"]]}, {"components": [["L.01", "0.75"], [f"@{code}", "0.5"]]}
        ),
    )


def _remove_component(w):
    return (
        lambda: analyses.remove_component(component=w.component, by=w.user),
        _analysis(w, {"components": [["L.01", "0.75"]]}, {"components": []}),
    )


def _reset_to_reference(w):
    analysis = w.ref_item.analysis
    AnalysisComponent.objects.filter(analysis=analysis, resource__code="TK.0008").update(coefficient=D("0.9"))
    type(analysis).objects.filter(pk=analysis.pk).update(is_modified=True)
    return (
        lambda: analyses.reset_to_reference(analysis=analysis, by=w.user),
        _analysis(
            w,
            {"components": [["TK.0008", "0.9"], ["TK.0006", "0.025"]], "is_modified": True},
            {"components": [["TK.0008", "0.75"], ["TK.0006", "0.025"]], "is_modified": False},
            analysis,
        ),
    )


def _share_ref_item(w):
    """A second work item from the same library code: the analysis of ``ref_item`` is shared."""
    return work_items.add_from_reference(
        project=w.project, section=w.section2, reference=w.library["dig"], by=w.user
    )


def _make_item_variant(w):
    _share_ref_item(w)
    analysis = w.ref_item.analysis
    return (
        lambda: analyses.make_item_variant(item=w.ref_item, by=w.user),
        lambda i: Expect(
            "update",
            "workitem",
            {"analysis_code": "2.2.1.1", "analysis_id": analysis.pk},
            {"analysis_code": "2.2.1.1-a", "analysis_id": i.analysis_id},
        ),
    )


def _coefficient_for_item(w):
    _share_ref_item(w)
    component = w.ref_item.analysis.components.get(resource__code="TK.0008")
    return (
        lambda: analyses.set_coefficient(
            component=component, coefficient=D("0.0255"), for_item=w.ref_item, by=w.user
        ),
        lambda c: Expect(
            "update",
            "projectanalysis",
            {
                "code": "2.2.1.1",
                "components": [["TK.0008", "0.75"], ["TK.0006", "0.025"]],
                "is_modified": False,
            },
            {
                "code": "2.2.1.1-a",
                "components": [["TK.0008", "0.0255"], ["TK.0006", "0.025"]],
                "is_modified": True,
            },
            c.analysis_id,
        ),
    )


def _add_new_resource(w):
    return (
        lambda: analyses.add_new_resource_component(
            analysis=w.item.analysis,
            name="Papan nama proyek",
            unit="ls",
            category="other",
            unit_price=D("1234567.89"),
            coefficient=D("1"),
            by=w.user,
        ),
        _analysis(
            w,
            {"components": [["L.01", "0.75"]], "new_resource": None},
            {
                "components": [["L.01", "0.75"], ["L.05", "1"]],  # L.01 and L.04 taken: next is L.05
                "new_resource": {
                    "code": "L.05",
                    "name": "Papan nama proyek",
                    "unit": "ls",
                    "category": "other",
                    "unit_price": "1234567.89",
                },
            },
        ),
    )


def _direct_price(w):
    # item2 (Urugan pasir, m3) has an empty analysis: Rp 1.234.567,89 including BUK -> HSP = the price
    return (
        lambda: analyses.set_direct_price(
            item=w.item2, unit_price=D("1234567.89"), includes_overhead=True, by=w.user
        ),
        lambda i: Expect(
            "update",
            "workitem",
            {"direct_unit_price": None, "overhead_pct_override": None, "unit_rate": "0.00"},
            {"direct_unit_price": "1234567.89", "overhead_pct_override": "0.00", "unit_rate": "1234567.89"},
        ),
    )


def _item_add_custom_direct_price(w):
    return (
        lambda: work_items.add_custom(
            project=w.project,
            section=w.section2,
            name="Mobilisasi",
            unit="ls",
            unit_price=D("1500000"),
            price_includes_overhead=True,
            by=w.user,
        ),
        lambda i: Expect(
            "create",
            "workitem",
            None,
            {
                **_item_snapshot(fresh(i)),
                "overhead_pct_override": "0.00",
                "direct_unit_price": "1500000.00",
            },
        ),
    )


def _overhead_override(w):
    # HSP = 0,75 x 100.000 = 75.000 (D) + 12 % = 84.000 (was + 10 % = 82.500); volume 0 -> amount 0.
    return (
        lambda: analyses.set_overhead_override(item=w.item, pct=D("12"), by=w.user),
        lambda i: Expect(
            "update",
            "workitem",
            {"overhead_pct_override": None, "unit_rate": "82500.00"},
            {"overhead_pct_override": "12.00", "unit_rate": "84000.00"},
        ),
    )


def _set_price(w):
    return (
        lambda: resources.set_price(resource=w.worker, unit_price=D("110000"), by=w.user),
        lambda r: Expect(
            "update", "projectresource", {"unit_price": "100000.00"}, {"unit_price": "110000.00"}
        ),
    )


def _set_purchase_price(w):
    return (
        lambda: resources.set_price(
            resource=w.cement,
            unit_price=None,
            purchase_unit="zak",
            purchase_factor=D("50"),
            purchase_price=D("65000"),
            by=w.user,
        ),
        lambda r: Expect(
            "update",
            "projectresource",
            {"unit_price": None, "purchase_unit": "", "purchase_factor": None},
            {"unit_price": "1300.00", "purchase_unit": "zak", "purchase_factor": "50.000000"},
        ),
    )


def _delete_unused(w):
    pk = w.cement.pk
    return (
        lambda: resources.delete_unused(resource=w.cement, by=w.user),
        lambda _: Expect(
            "delete",
            "projectresource",
            {
                "code": "B.01",
                "name": "Semen Portland",
                "unit": "kg",
                "unit_price": None,
                "purchase_unit": "",
                "purchase_factor": None,
            },
            None,
            pk,
        ),
    )


def _import_prices(w):
    book = xlsx(
        [
            PRICE_HEADER,
            ["L.01", "Pekerja", "OH", "Tenaga Kerja", 120000],
            ["L.04", "Mandor", "OH", "", 150000],
        ]
    )
    return (
        lambda: resources.import_prices(project=w.project, path_or_file=book, by=w.user),
        lambda report: Expect(
            "import", "project", {"L.01": "100000.00"}, {"L.01": "120000.00"}, w.project.pk
        ),
    )


def _export_start(w):
    return (
        lambda: exports.start(project=w.project, document="rab", fmt="csv", by=w.user),
        lambda job: Expect(
            "create", "exportjob", None, {"document": "rab", "format": "csv", "parameters": {}}
        ),
    )


def _export_retry(w):
    failed = ExportJob.objects.create(
        project=w.project, document="rab", format="xlsx", status=ExportJob.Status.FAILED, parameters={}
    )
    return (
        lambda: exports.retry(job=failed, by=w.user),
        lambda job: Expect(
            "create", "exportjob", None, {"document": "rab", "format": "xlsx", "parameters": {}}
        ),
    )


def _set_plan(w):
    return (
        lambda: schedule.set_plan(item=w.item, shares={1: D("40"), 2: D("60")}, by=w.user),
        lambda i: Expect("update", "workitem", {"rencana": {}}, {"rencana": {"1": "40", "2": "60"}}),
    )


def _set_even_plan(w):
    return (
        lambda: schedule.set_even_plan(item=w.item, first_week=1, last_week=4, by=w.user),
        lambda i: Expect(
            "update",
            "workitem",
            {"rencana": {}},
            {"rencana": {"1": "25.0000", "2": "25.0000", "3": "25.0000", "4": "25.0000"}},
        ),
    )


def _clear_plan(w):
    schedule.set_plan(item=w.item, shares={1: D("100")}, by=w.user)
    return (
        lambda: schedule.clear_plan(item=fresh(w.item), by=w.user),
        lambda i: Expect("update", "workitem", {"rencana": {"1": "100.0000"}}, {"rencana": {}}),
    )


def _plan_section(w):
    return (
        lambda: schedule.plan_section(section=w.section, first_week=1, last_week=2, by=w.user),
        lambda count: Expect(
            "update", "section", None, {"minggu_mulai": 1, "minggu_akhir": 2, "pekerjaan": 2}, w.section.pk
        ),
    )


def _set_progress(w):
    return (
        lambda: schedule.set_progress(item=w.item, week=1, progress=D("30"), by=w.user),
        lambda i: Expect("update", "workitem", {"realisasi": "0"}, {"realisasi": "30"}),
    )


def _week_report_create(w):
    return (
        lambda: schedule.set_week_report(
            project=w.project, week=1, report_date=date(2026, 3, 8), actual_cost=D("1000000"), by=w.user
        ),
        lambda r: Expect(
            "create", "weekreport", None, {"tanggal_laporan": "2026-03-08", "biaya_aktual": "1000000"}
        ),
    )


def _week_report_update(w):
    schedule.set_week_report(
        project=w.project, week=1, report_date=date(2026, 3, 8), actual_cost=None, by=w.user
    )
    return (
        lambda: schedule.set_week_report(
            project=w.project, week=1, report_date=date(2026, 3, 8), actual_cost=D("2000000"), by=w.user
        ),
        lambda r: Expect("update", "weekreport", {"biaya_aktual": ""}, {"biaya_aktual": "2000000"}),
    )


def _stage_create(w):
    return (
        lambda: schedule.create_stage(
            project=w.project,
            name="Tahap 2",
            start_date=date(2026, 3, 9),
            end_date=date(2026, 3, 22),
            by=w.user,
        ),
        lambda s: Expect(
            "create",
            "stage",
            None,
            {"nama": "Tahap 2", "tanggal_mulai": "2026-03-09", "tanggal_selesai": "2026-03-22"},
        ),
    )


def _stage_update(w):
    return (
        lambda: schedule.update_stage(stage=w.stage, name="Tahap Awal", end_date=date(2026, 3, 8), by=w.user),
        lambda s: Expect(
            "update",
            "stage",
            {"nama": "Tahap 1", "tanggal_selesai": ""},
            {"nama": "Tahap Awal", "tanggal_selesai": "2026-03-08"},
        ),
    )


def _stage_delete(w):
    pk = w.stage.pk
    return (
        lambda: schedule.delete_stage(stage=w.stage, by=w.user),
        lambda _: Expect(
            "delete", "stage", {"nama": "Tahap 1", "tanggal_mulai": "", "tanggal_selesai": ""}, None, pk
        ),
    )


def _assign_stage(w):
    return (
        lambda: schedule.assign_stage(item=w.item, stage=w.stage, by=w.user),
        lambda i: Expect("update", "workitem", {"tahapan": ""}, {"tahapan": "Tahap 1"}),
    )


def _reference_import(w):
    rows = [("9.9.9.1", "Pembersihan 1 m2 lapangan", "TK.0008", "Tenaga Kerja", "Pekerja", "OH", "0.05")]
    path = make_workbook(w.tmp_path / "sni.xlsx", rows)

    def expect(result):
        record = ReferenceImport.objects.get(pk=result.record.pk)
        return Expect(
            "import",
            "referenceimport",
            None,
            {"file_name": "sni.xlsx", "summary": record.summary_line},
            record.pk,
            project_id=None,
        )

    return lambda: reference_library.import_reference(path, source="SNI 2099", by=w.user), expect


def _reference_import_job(w, *, started: bool):
    """The background upload: ``start`` records nothing itself; the worker's ``run`` imports, and the
    import records the one event, with the uploader as the actor."""
    rows = [("9.9.9.1", "Pembersihan 1 m2 lapangan", "TK.0008", "Tenaga Kerja", "Pekerja", "OH", "0.05")]
    upload = make_workbook(w.tmp_path / "sni.xlsx", rows)

    def start():
        with upload.open("rb") as handle:
            return reference_imports.start(file=File(handle, name="sni.xlsx"), source="SNI 2099", by=w.user)

    job = start() if started else None

    def write():
        return reference_imports.run((job or start()).pk)

    def expect(job):
        record = ReferenceImport.objects.get(pk=job.result_id)
        return Expect(
            "import",
            "referenceimport",
            None,
            {"file_name": "sni.xlsx", "summary": record.summary_line},
            record.pk,
            project_id=None,
        )

    return write, expect


def _price_import_job(w, *, started: bool):
    """The background price upload: ``start_prices`` records nothing itself; the worker's ``run`` imports,
    and ``import_prices`` records the one event, with the uploader as the actor."""
    rows = [PRICE_HEADER, ["L.01", "Pekerja", "OH", "Tenaga Kerja", 120000]]

    def start():
        return workbook_imports.start_prices(
            project=w.project, upload=File(xlsx(rows), name="harga.xlsx"), by=w.user
        )

    job = start() if started else None

    def write():
        return workbook_imports.run((job or start()).pk)

    return write, lambda job: Expect(
        "import", "project", {"L.01": "100000.00"}, {"L.01": "120000.00"}, w.project.pk
    )


CASES = [
    Case("projects.create", _project_create),
    Case("project_restore.restore", _project_restore),
    Case("project_copy.copy_project", _project_copy),
    Case("project_copy.write_copy", _project_write_copy),
    Case("versions.freeze", _version_freeze),
    Case("work_templates.save_template", _template_save),
    Case("work_templates.import_template", _template_import),
    Case("work_templates.delete_template", _template_delete),
    Case("work_templates.insert_template", _template_insert),
    Case("versions.open_version", _version_open),
    Case("projects.update", _project_update),
    Case("projects.archive", _project_archive),
    Case("projects.delete", _project_delete),
    Case("sections.create", _section_create),
    Case("sections.create (sub-section)", _section_create_child),
    Case("sections.rename", _section_rename),
    Case("sections.move", _section_move),
    Case("sections.delete", _section_delete),
    Case("work_items.add_custom", _item_add_custom),
    Case("work_items.add_from_reference", _item_add_from_reference),
    Case("work_items.set_volume", _item_set_volume),
    Case("work_items.set_volume (formula)", _item_set_volume_formula),
    Case("work_items.rename", _item_rename),
    Case("work_items.move", _item_move),
    Case("work_items.move_to_section", _item_move_to_section),
    Case("work_items.delete", _item_delete),
    Case("parameters.set_value (new)", _parameter_create),
    Case("parameters.set_value (change)", _parameter_update),
    Case("parameters.delete", _parameter_delete),
    Case("analyses.set_coefficient", _coefficient),
    Case("analyses.add_resource_component", _add_resource),
    Case("analyses.add_resource_component (reference)", _add_reference_resource),
    Case("analyses.add_nested_component", _add_nested),
    Case("analyses.remove_component", _remove_component),
    Case("analyses.reset_to_reference", _reset_to_reference),
    Case("analyses.set_overhead_override", _overhead_override),
    Case("analyses.make_item_variant", _make_item_variant),
    Case("analyses.add_new_resource_component", _add_new_resource),
    Case("analyses.set_direct_price", _direct_price),
    Case("work_items.add_custom (direct price)", _item_add_custom_direct_price),
    Case("analyses.set_coefficient (only for this item, shared)", _coefficient_for_item),
    Case("resources.set_price", _set_price),
    Case("resources.set_price (purchase unit)", _set_purchase_price),
    Case("resources.delete_unused", _delete_unused),
    Case("resources.import_prices", _import_prices),
    Case("exports.start", _export_start),
    Case("exports.retry", _export_retry),
    Case("schedule.set_plan", _set_plan),
    Case("schedule.set_even_plan", _set_even_plan),
    Case("schedule.clear_plan", _clear_plan),
    Case("schedule.plan_section", _plan_section),
    Case("schedule.set_progress", _set_progress),
    Case("schedule.set_week_report (new)", _week_report_create),
    Case("schedule.set_week_report (change)", _week_report_update),
    Case("schedule.create_stage", _stage_create),
    Case("schedule.update_stage", _stage_update),
    Case("schedule.delete_stage", _stage_delete),
    Case("schedule.assign_stage", _assign_stage),
    Case("reference_library.import_reference", _reference_import),
    Case("reference_imports.start (then run)", lambda w: _reference_import_job(w, started=False)),
    Case("reference_imports.run", lambda w: _reference_import_job(w, started=True)),
    Case("workbook_imports.start_prices (then run)", lambda w: _price_import_job(w, started=False)),
    Case("workbook_imports.run", lambda w: _price_import_job(w, started=True)),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_each_write_records_exactly_one_event_with_its_diff(world, case):
    write, expect = case.arrange(world)
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    result = write()

    new = list(AuditEvent.objects.filter(id__gt=last))
    assert len(new) == 1, [(e.action, e.target_type, e.summary) for e in new]
    event, expected = new[0], expect(result)
    target_id = expected.target_id if expected.target_id is not None else result.pk
    assert (event.action, event.target_type, event.target_id) == (
        expected.action,
        expected.target_type,
        str(target_id),
    )
    assert event.before == expected.before
    assert event.after == expected.after
    assert event.project_id == (world.project.pk if expected.project_id is True else expected.project_id)
    assert (event.actor_id, event.actor_label) == (world.user.pk, world.user.email)
    assert event.summary  # the one line the trail shows
    if not case.name.startswith(
        ("resources.import_prices", "workbook_imports.")
    ):  # its keys are the resource codes whose price changed
        assert unlabelled_keys(event) == []  # the trail names every field in Bahasa Indonesia


def unlabelled_keys(event: AuditEvent) -> list[str]:
    """Keys of the event's before/after that the trail would show as the raw key (no Indonesian label)."""
    keys = {*(event.before or {}), *(event.after or {})}
    return sorted(key for key in keys if field_label(event, key) == key.replace("_", " "))


def test_project_import_records_the_project_and_the_import(user, tmp_path):
    """Two events, by design: ``projects.create`` ("dibuat") and the import itself ("diimpor")."""
    make_library()
    path = write_workbook(tmp_path / "proyek.xlsx", valid_sheets())
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    # import_project is import_project_report(...).project: one test covers both
    project = project_import.import_project_report(source=path, by=user, file_name="proyek.xlsx").project

    new = list(AuditEvent.objects.filter(id__gt=last).order_by("id"))
    assert [(e.action, e.target_type, e.target_id, e.project_id) for e in new] == [
        ("create", "project", str(project.pk), project.pk),
        ("import", "project", str(project.pk), project.pk),
    ]
    assert new[0].after["name"] == "Gedung Serbaguna Desa Sukamaju"
    assert new[1].before is None
    assert new[1].after == {
        "file_name": "proyek.xlsx",
        "work_items": 3,
        "sections": 3,
        "analyses": 3,
        "resources": 4,
    }
    assert [unlabelled_keys(event) for event in new] == [[], []]


NO_CHANGE = [
    ("analyses.set_coefficient (same value)", lambda w: analyses.set_coefficient(component=w.component, coefficient=D("0.75"), by=w.user)),
    ("analyses.set_overhead_override (same)", lambda w: analyses.set_overhead_override(item=w.item, pct=None, by=w.user)),
    ("analyses.set_coefficient (same, for the item)", lambda w: analyses.set_coefficient(component=w.component, coefficient=D("0.75"), for_item=w.item, by=w.user)),
    ("resources.set_price (same)", lambda w: resources.set_price(resource=w.worker, unit_price=D("100000"), by=w.user)),
    ("resources.import_prices (same prices)", lambda w: resources.import_prices(project=w.project, path_or_file=xlsx([PRICE_HEADER, ["L.01", "Pekerja", "OH", "", 100000]]), by=w.user)),
    ("sections.move (already first)", lambda w: sections.move(section=w.section, direction="up", by=w.user)),
    ("work_items.move (already last)", lambda w: work_items.move(item=w.item2, direction="down", by=w.user)),
    ("schedule.clear_plan (no plan)", lambda w: schedule.clear_plan(item=w.item, by=w.user)),
    ("schedule.set_progress (same)", lambda w: schedule.set_progress(item=w.item, week=1, progress=D("0"), by=w.user)),
    ("schedule.assign_stage (same)", lambda w: schedule.assign_stage(item=w.item, stage=None, by=w.user)),
]  # fmt: skip


@pytest.mark.parametrize(("name", "write"), NO_CHANGE, ids=[name for name, _ in NO_CHANGE])
def test_a_write_that_changes_nothing_records_nothing(world, name, write):
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    write(world)
    assert AuditEvent.objects.filter(id__gt=last).count() == 0


def test_starting_the_same_queued_export_again_records_nothing(world):
    first = exports.start(project=world.project, document="rab", fmt="csv", by=world.user)
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    again = exports.start(project=world.project, document="rab", fmt="csv", by=world.user)
    assert again.pk == first.pk and not AuditEvent.objects.filter(id__gt=last).exists()


def test_events_survive_the_deletion_of_what_they_describe(world):
    project_id, item_id = world.project.pk, world.item.pk
    count = AuditEvent.objects.filter(project_id=project_id).count()

    projects.delete(project=world.project, by=world.user)

    assert (
        not Project.objects.filter(pk=project_id).exists()
        and not WorkItem.objects.filter(pk=item_id).exists()
    )
    assert AuditEvent.objects.filter(project_id=project_id).count() == count + 1
    assert AuditEvent.objects.filter(
        project_id=project_id, target_type="workitem", target_id=str(item_id)
    ).exists()


def test_backup_and_copy_jobs_record_one_event_per_new_project_as_the_requester(user, world):
    """``start_backup`` and ``project_copy_jobs.start`` record nothing; their runs record one import event
    on each project they create, with the requester as the actor."""
    import json

    from django.core.files.base import ContentFile

    from ahsp.loaders.project_document import load_project_document

    raw = json.dumps(load_project_document(world.project)).encode()
    first = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    backup = workbook_imports.start_backup(upload=ContentFile(raw, name="cadangan.json"), by=user)
    copies = project_copy_jobs.start(
        project=world.project, by=user, parts="estimate", name="Salinan", count=2
    )
    assert not AuditEvent.objects.filter(id__gt=first).exists()

    restored = workbook_imports.run(backup.pk).project
    made = [pk for pk, _name in project_copy_jobs.run(copies.pk).projects]

    events = list(AuditEvent.objects.filter(id__gt=first).order_by("id"))
    assert [(e.action, int(e.target_id), e.actor_id) for e in events] == [
        ("import", pk, user.pk) for pk in [restored.pk, *made]
    ]


def test_project_import_job_records_the_events_of_the_import_as_the_uploader(user, tmp_path):
    """``workbook_imports.start_project`` records nothing; its ``run`` records the import's two events
    ("dibuat" and "diimpor"), with the uploader as the actor."""
    make_library()
    path = write_workbook(tmp_path / "proyek.xlsx", valid_sheets())
    with path.open("rb") as handle:
        job = workbook_imports.start_project(upload=File(handle, name="proyek.xlsx"), by=user)
    assert not AuditEvent.objects.exists()

    job = workbook_imports.run(job.pk)

    events = list(AuditEvent.objects.order_by("id"))
    assert [(e.action, e.target_id, e.actor_id) for e in events] == [
        ("create", str(job.project_id), user.pk),
        ("import", str(job.project_id), user.pk),
    ]


# --- completeness guard ---------------------------------------------------------------------------------

SERVICE_MODULES = [
    projects,
    versions,
    work_templates,
    project_copy,
    project_copy_jobs,
    project_restore,
    sections,
    work_items,
    parameters,
    analyses,
    resources,
    exports,
    project_import,
    schedule,
    reference_imports,
    reference_library,
    workbook_imports,
]
COVERED = {case.name.split(" ")[0] for case in CASES} | {
    "project_import.import_project",
    "project_import.import_project_report",
    "workbook_imports.start_project",  # then run: the two events of import_project_report (test below)
    "workbook_imports.start_backup",  # then run: the restore's one event (test below)
    "project_copy_jobs.start",  # then run: one event per copy (test below)
    "project_copy_jobs.run",
}
# Helpers and readers: they write nothing, or only inside a covered write.
NOT_WRITES = {
    "project_restore.write_breakdown",  # inside the restore and the template insert
    "work_templates.preview",  # the insert, rolled back
    "versions.canonical",
    "versions.split",
    "versions.assemble",
    "versions.storage_bytes",
    "project_copy.batch_names",
    "project_copy.plan_copy",
    "sections.next_position",
    "work_items.project_parameters",
    "analyses.direct_price_component",
    "resources.propose_code",
    # The row write of a new resource, only inside a covered write (add_new_resource_component, add_custom).
    "resources.insert_resource",
    "resources.base_price_from_purchase",
    "resources.read_price_rows",
    "exports.available",
    "exports.is_available",
    "exports.download_name",
    "exports.content_type",
    "schedule.week_count",
    "schedule.planned_shares",
    "schedule.subtree_ids",
    # Part of import_project (its write half, covered through it).
    "project_import.write_plan",
    # Parts of import_reference (its write half and report path, covered through it).
    "reference_library.write_plan",
    "reference_library.default_report_path",
    "reference_library.write_library",
    "reference_library.upsert_resources",
    "reference_library.upsert_analyses",
    "reference_library.replace_components",
}
# Writes without an audit event, on purpose: the export worker and its periodic sweep change job state
# (running/done/failed) and delete expired files; no user acted. Reported, not audited.
WORKER_HOUSEKEEPING = {
    "exports.run",
    "exports.mark_stale",
    "exports.purge",
    "reference_imports.mark_stale",
    "workbook_imports.mark_stale",
    "project_copy_jobs.mark_stale",
}


def test_every_write_service_is_in_the_table():
    found = set()
    for module in SERVICE_MODULES:
        short = module.__name__.rsplit(".", 1)[1]
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if not name.startswith("_") and function.__module__ == module.__name__:
                found.add(f"{short}.{name}")
    unclassified = found - COVERED - NOT_WRITES - WORKER_HOUSEKEEPING
    assert not unclassified, (
        f"new service functions, add them to the audit coverage table: {sorted(unclassified)}"
    )
    assert COVERED <= found  # no stale names


def test_worker_housekeeping_writes_record_no_event(world, django_capture_on_commit_callbacks):
    """The writes that lack events (listed in WORKER_HOUSEKEEPING): the worker's job-state changes."""
    job = exports.start(project=world.project, document="rab", fmt="csv", by=world.user)
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()

    exports.run(job.pk)
    exports.mark_stale(older_than_seconds=0)

    assert ExportJob.objects.get(pk=job.pk).status == ExportJob.Status.DONE
    assert not AuditEvent.objects.filter(id__gt=last).exists()
