"""Templates of work (issue 15 §3): saved from a section or a whole breakdown, inserted under a section of
another project with resources and analyses merged by code (conflicts reported, the project's prices
kept), previewed by the same code, exported and imported as JSON."""

import json
from decimal import Decimal as D

import pytest

from ahsp.importers.project_document import DocumentInvalid
from ahsp.models import AuditEvent, ProjectAnalysis, ProjectResource, Section, WorkItem, WorkTemplate
from ahsp.services import sections, work_templates
from ahsp.tests.factories import ProjectFactory
from ahsp.tests.test_project_document import example  # noqa: F401  (the worked example)

pytestmark = pytest.mark.django_db


@pytest.fixture
def target(user):
    """Another project: its own Semen Portland at Rp 1.600 (the template's is Rp 1.450,75)."""
    project = ProjectFactory(owner=user, name="Puskesmas", overhead_profit_pct=D("10"))
    top = sections.create(project=project, name="Pekerjaan Struktur", by=user)
    ProjectResource.objects.create(
        project=project,
        code="M.15",
        name="Semen Portland",
        unit="kg",
        category="material",
        unit_price=D("1600"),
    )
    return project, top


def test_save_a_section_keeps_only_what_its_items_use(example, user):  # noqa: F811
    beton_section = Section.objects.get(project=example, name="Beton")
    template = work_templates.save_template(
        project=example, section=beton_section, name="Beton K-225", with_volumes=False, by=user
    )
    document = template.document
    assert document["format"] == "ahsp-template" and template.item_count == 1
    assert [s["name"] for s in document["sections"]] == ["Beton"]
    assert document["sections"][0]["items"][0]["volume"] == "0"  # without volumes
    assert {r["code"] for r in document["resources"]} == {"L.01", "M.15", "E.07"}
    assert len(document["analyses"]) == 1 and document["parameters"] == []


def test_insert_under_a_section_at_the_projects_prices(example, user, target):  # noqa: F811
    project, top = target
    template = work_templates.save_template(
        project=example, section=None, name="Gedung", with_volumes=True, by=user
    )
    before = AuditEvent.objects.count()
    report = work_templates.insert_template(project=project, template=template, parent=top, by=user)

    assert (report.sections, report.items) == (2, 2)
    assert sorted(report.new_resources) == ["E.07", "L.01"]  # M.15 is the project's own (same name and unit)
    assert report.conflicts == []
    inserted = Section.objects.get(project=project, name="Pekerjaan Struktur", parent=top)
    assert inserted.position == 1
    # Beton at the project's semen (Rp 1.600): D = 1,65 x 152.500 + 326 x 1.600 + 0,25 x 63.015,51
    # = 251.625 + 521.600 + 15.753,8775 = 788.978,8775; HSP = 867.876,76525 -> 867.876,77;
    # x 12,345 = 10.713.938,7265 -> 10.713.938,73.
    beton = WorkItem.objects.get(project=project, name="Beton K-225")
    assert (beton.unit_rate, beton.amount) == (D("867876.77"), D("10713938.73"))
    assert AuditEvent.objects.count() == before + 1


def test_preview_is_the_insert_rolled_back(example, user, target):  # noqa: F811
    project, top = target
    template = work_templates.save_template(
        project=example, section=None, name="Gedung", with_volumes=True, by=user
    )
    counts = (WorkItem.objects.count(), ProjectAnalysis.objects.count(), AuditEvent.objects.count())
    shown = work_templates.preview(project=project, template=template, parent=top)
    assert (WorkItem.objects.count(), ProjectAnalysis.objects.count(), AuditEvent.objects.count()) == counts
    done = work_templates.insert_template(project=project, template=template, parent=top, by=user)
    assert (shown.items, shown.value, shown.conflicts) == (done.items, done.value, done.conflicts)
    # Beton 10.713.938,73 + Pelat (nests Beton at D 788.978,8775): D = 53.375 + 94.677,4653 = 148.052,4653;
    # HSP 162.857,71183 -> 162.857,71 x 100 m2 = 16.285.771,00
    assert done.value == D("10713938.73") + D("16285771.00")


def test_a_different_analysis_with_the_same_code_goes_in_as_a_variant(example, user, target):  # noqa: F811
    project, top = target
    template = work_templates.save_template(
        project=example, section=None, name="Gedung", with_volumes=False, by=user
    )
    code = template.document["analyses"][0]["code"]
    ProjectAnalysis.objects.create(project=project, code=code, name="Lain", unit="m3")
    report = work_templates.insert_template(project=project, template=template, parent=None, by=user)
    assert f"{code}-a" in report.new_analyses
    assert any(code in conflict and "-a" in conflict for conflict in report.conflicts)
    # Inserting it again reuses the variants made the first time (same components): no new analysis.
    again = work_templates.insert_template(project=project, template=template, parent=None, by=user)
    assert again.items == report.items


def test_export_and_import_as_json(example, user):  # noqa: F811
    template = work_templates.save_template(
        project=example, section=None, name="Gedung", with_volumes=True, by=user
    )
    copy = work_templates.import_template(document=json.loads(json.dumps(template.document)), by=user)
    assert copy.document == template.document and copy.item_count == 2
    bad = json.loads(json.dumps(template.document))
    bad["sections"][0]["items"][0]["analysis"] = "TIDAK.ADA"
    with pytest.raises(DocumentInvalid) as caught:
        work_templates.import_template(document=bad, by=user)
    assert caught.value.problems[0].path == "$.sections[0].items[0].analysis"
    with pytest.raises(DocumentInvalid):
        work_templates.import_template(document={"format": "ahsp-project", "version": 1}, by=user)
    assert WorkTemplate.objects.count() == 2


# --- through the pages --------------------------------------------------------------------------------


def test_save_preview_and_insert_through_the_pages(example, user, target, logged_in_client):  # noqa: F811
    project, top = target
    section = Section.objects.get(project=example, name="Pekerjaan Struktur")
    response = logged_in_client.post(
        f"/projects/{example.pk}/templates/save/",
        {"section": str(section.pk), "name": "Struktur", "with_volumes": "on"},
    )
    assert response.status_code == 302 and response["Location"] == "/templates/"
    template = WorkTemplate.objects.get(name="Struktur")
    assert "Struktur" in logged_in_client.get("/templates/").content.decode()

    url = f"/projects/{project.pk}/templates/insert/"
    preview = logged_in_client.get(
        url, {"template": template.pk, "parent": top.pk}, headers={"HX-Request": "true"}
    )
    assert "<html" not in preview.content.decode() and "Rp 27.000.000" not in preview.content.decode()
    assert "Rp 26.999.709,73" in preview.content.decode()  # 10.713.938,73 + 16.285.771,00
    assert not WorkItem.objects.filter(project=project).exists()  # a preview writes nothing

    done = logged_in_client.post(url, {"template": template.pk, "parent": top.pk})
    assert done.status_code == 302 and WorkItem.objects.filter(project=project).count() == 2

    download = logged_in_client.get(f"/templates/{template.pk}/download.json")
    assert json.loads(download.content)["format"] == "ahsp-template"


def test_strangers_cannot_use_or_delete_a_template(example, user, other_user, client):  # noqa: F811
    template = work_templates.save_template(
        project=example, section=None, name="Pribadi", with_volumes=False, by=user
    )
    client.force_login(other_user)
    assert client.get(f"/templates/{template.pk}/download.json").status_code == 404
    assert client.post(f"/templates/{template.pk}/delete/").status_code == 404
    assert client.get(f"/projects/{example.pk}/templates/save/").status_code == 404
    own = ProjectFactory(owner=other_user)
    response = client.post(f"/projects/{own.pk}/templates/insert/", {"template": template.pk, "parent": ""})
    assert response.status_code == 200 and not WorkItem.objects.filter(project=own).exists()  # not offered
    assert WorkTemplate.objects.filter(pk=template.pk).exists()


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("templat.json", b"{bukan json", "Bukan JSON yang sah"),
        ("templat.json", b'{"format": "ahsp-project", "version": 1}', "bukan templat pekerjaan AHSP"),
        ("templat.xlsx", b"{}", ".json"),
    ],
)
def test_a_bad_template_upload_is_a_message_and_writes_nothing(logged_in_client, name, content, message):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = logged_in_client.post("/templates/", {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200 and message in response.content.decode()
    assert not WorkTemplate.objects.exists()


@pytest.mark.parametrize("parent", ["abc", "99999999", "\x00"])
def test_any_parent_value_is_a_form_error_or_a_404_never_a_500(example, user, logged_in_client, parent):  # noqa: F811
    template = work_templates.save_template(
        project=example, section=None, name="Gedung", with_volumes=False, by=user
    )
    before = WorkItem.objects.count()
    response = logged_in_client.post(
        f"/projects/{example.pk}/templates/insert/", {"template": template.pk, "parent": parent}
    )
    assert response.status_code in (200, 404) and WorkItem.objects.count() == before
