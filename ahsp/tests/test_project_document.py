"""The lossless project document: export, restore as a new project, copy (issue 15 §1-2).

The worked example is built through the services (as a user would): a nested analysis, a per-item BUK,
purchase units, a formula volume over a parameter, stages, plans, progress and a week report. Its HSP and
amounts are worked out by hand below; the round trip must give the same document and the same figures.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ahsp.importers.project_document import MAX_BYTES, DocumentInvalid, plan_document, read_document
from ahsp.loaders.project_document import load_project_document
from ahsp.loaders.rab import load_rab_summary
from ahsp.models import AuditEvent, PlannedShare, Project, ProjectResource, Stage, WeekReport, WorkItem
from ahsp.services import analyses, parameters, schedule, sections, work_items
from ahsp.services.project_copy import batch_names, copy_project
from ahsp.services.project_restore import Origin, restore
from ahsp.tests.factories import ProjectFactory, ProjectResourceFactory

pytestmark = pytest.mark.django_db

ORIGIN = Origin("Proyek dipulihkan dari cadangan", {})


@pytest.fixture
def example(user):
    """Beton (HSP 814.355,72) x 12,345 m3 and Pelat (nests Beton at its D) x (panjang x 2,5) m2."""
    project = ProjectFactory(
        owner=user, overhead_profit_pct=D("10"), vat_pct=D("11"), start_date=date(2026, 3, 2)
    )
    top = sections.create(project=project, name="Pekerjaan Struktur", by=user)
    child = sections.create(project=project, name="Beton", parent=top, by=user)
    priced = {}
    for code, name, unit, category, price in (
        ("L.01", "Pekerja", "OH", "labour", D("152500.00")),
        ("M.15", "Semen Portland", "kg", "material", D("1450.75")),
        ("E.07", "Molen beton", "jam", "equipment", D("63015.51")),
    ):
        priced[code] = ProjectResourceFactory(
            project=project, code=code, name=name, unit=unit, category=category, unit_price=price
        )
    ProjectResource.objects.filter(pk=priced["M.15"].pk).update(purchase_unit="zak", purchase_factor=D("50"))
    beton = work_items.add_custom(project=project, section=child, name="Beton K-225", unit="m3", by=user)
    pelat = work_items.add_custom(project=project, section=top, name="Pelat lantai", unit="m2", by=user)
    for code, k in (("L.01", "1.65"), ("M.15", "326"), ("E.07", "0.25")):
        analyses.add_resource_component(
            analysis=beton.analysis, resource=priced[code], coefficient=D(k), by=user
        )
    analyses.add_resource_component(
        analysis=pelat.analysis, resource=priced["L.01"], coefficient=D("0.35"), by=user
    )
    analyses.add_nested_component(
        analysis=pelat.analysis, nested=beton.analysis, coefficient=D("0.12"), by=user
    )
    work_items.set_volume(item=beton, volume=D("12.345"), expected_version=None, by=user)
    parameters.set_value(project=project, name="panjang", value=D("40"), by=user)
    work_items.set_volume(
        item=WorkItem.objects.get(pk=pelat.pk),
        volume=None,
        formula="panjang * 2.5",
        expected_version=None,
        by=user,
    )
    stage = schedule.create_stage(project=project, name="Struktur", start_date=date(2026, 3, 2), by=user)
    schedule.assign_stage(item=WorkItem.objects.get(pk=beton.pk), stage=stage, by=user)
    schedule.set_even_plan(item=WorkItem.objects.get(pk=beton.pk), first_week=1, last_week=3, by=user)
    schedule.set_progress(item=WorkItem.objects.get(pk=beton.pk), week=1, progress=D("12.5"), by=user)
    schedule.set_week_report(
        project=project, week=1, report_date=date(2026, 3, 7), actual_cost=D("63015516.60"), by=user
    )
    return Project.objects.get(pk=project.pk)


def _keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {key for child in value.values() for key in _keys(child)}
    if isinstance(value, list):
        return {key for child in value for key in _keys(child)}
    return set()


def figures(project: Project) -> tuple:
    totals = load_rab_summary(project).totals
    items = sorted(
        WorkItem.objects.filter(project=project).values_list("name", "volume", "unit_rate", "amount")
    )
    return totals.total, totals.vat, totals.grand_total, totals.rounded_total, items


def test_the_worked_example_prices_as_worked_out_by_hand(example):
    # Beton: D = 1,65 x 152.500 + 326 x 1.450,75 + 0,25 x 63.015,51 = 251.625 + 472.944,50 + 15.753,8775
    #        = 740.323,3775; HSP = D x 1,10 = 814.355,71525 -> 814.355,72; 12,345 x 814.355,72 = 10.053.221,36
    # Pelat: D = 0,35 x 152.500 + 0,12 x 740.323,3775 = 53.375 + 88.838,8053 = 142.213,8053;
    #        HSP = 156.435,18583 -> 156.435,19; volume 40 x 2,5 = 100 -> 15.643.519,00
    _total, _vat, _grand, _rounded, items = figures(example)
    assert items == [
        ("Beton K-225", D("12.3450"), D("814355.72"), D("10053221.36")),
        ("Pelat lantai", D("100.0000"), D("156435.19"), D("15643519.00")),
    ]


def test_export_restore_export_is_the_same_document_and_the_same_figures(example, user):
    document = load_project_document(example)
    assert not {key for key in _keys(document) if key == "id" or key.endswith("_id")}  # no database ids
    restored = restore(plan=plan_document(document), by=user, origin=ORIGIN)

    assert restored.pk != example.pk and restored.owner == user
    assert load_project_document(restored) == document
    assert figures(restored) == figures(example)
    assert AuditEvent.objects.filter(project_id=restored.pk).count() == 1  # one event for the whole restore


def test_the_document_holds_what_the_project_owns(example):
    document = json.loads(json.dumps(load_project_document(example)))  # what the file holds
    assert (document["format"], document["version"], document["parts"]) == ("ahsp-project", 1, "progress")
    semen = next(r for r in document["resources"] if r["code"] == "M.15")
    assert (semen["unit_price"], semen["purchase_unit"], semen["purchase_factor"]) == (
        "1450.75",
        "zak",
        "50.000000",
    )
    assert document["parameters"] == [{"name": "panjang", "value": "40.000000", "description": ""}]
    top = document["sections"][0]
    assert [s["name"] for s in top["sections"]] == ["Beton"]
    beton = top["sections"][0]["items"][0]
    assert beton["stage"] == "T1" and document["stages"][0]["key"] == "T1"
    assert beton["plan"] == {"1": "33.3333", "2": "33.3333", "3": "33.3334"}
    assert beton["progress"] == {"1": "12.5000"}
    pelat = top["items"][0]
    assert (pelat["volume_formula"], pelat["volume"]) == ("panjang * 2.5", "100.0000")
    nested = [c for a in document["analyses"] for c in a["components"] if "analysis" in c]
    assert nested == [{"analysis": beton["analysis"], "coefficient": "0.120000"}]
    assert document["week_reports"] == [
        {"week": 1, "report_date": "2026-03-07", "actual_cost": "63015516.60"}
    ]


# --- bad documents: a clear message with the JSON path, nothing written ---------------------------------


def _valid(example) -> dict:
    return json.loads(json.dumps(load_project_document(example)))


def _nest(depth: int) -> bytes:
    return b'{"format": "ahsp-project", "version": 1, "x": ' + b"[" * depth + b"]" * depth + b"}"


@pytest.mark.parametrize(
    "raw, path, words",
    [
        (b"\xff\xfe not text", "$", "UTF-8"),
        (b'{"format": "ahsp-project", ', "$", "Bukan JSON yang sah (baris 1"),
        (b"[1, 2]", "$", "objek JSON"),
        (b'{"format": "lain", "version": 1}', "$.format", "bukan dokumen proyek AHSP"),
        (b'{"format": "ahsp-project", "version": 2}', "$.version", "versi aplikasi yang lebih baru"),
        (
            b'{"format": "ahsp-project", "version": 1, "parts": "progress", "x": NaN}',
            "$",
            "angka tidak terbaca",
        ),
        (_nest(10_000), "$", "terlalu dalam"),
        (b" " * (MAX_BYTES + 1), "$", "terlalu besar"),
    ],
)
def test_unreadable_documents_are_refused_at_the_root(raw, path, words):
    with pytest.raises(DocumentInvalid) as caught:
        read_document(raw)
    assert caught.value.problems[0].path == path and words in caught.value.problems[0].message


def _edit(document: dict, change) -> dict:
    change(document)
    return document


@pytest.mark.parametrize(
    "change, path, words",
    [
        (lambda d: d.pop("resources"), "$.resources", "kunci wajib tidak ada"),
        (lambda d: d["project"].update(name=""), "$.project.name", "wajib diisi"),
        (lambda d: d["project"].update(vat_pct=11), "$.project.vat_pct", None),  # an int is a fine number
        (lambda d: d["project"].update(start_date="2026-02-30"), "$.project.start_date", "bukan tanggal"),
        (lambda d: d["project"].update(rounding_mode="sideways"), "$.project.rounding_mode", "salah satu dari"),
        (lambda d: d["resources"][0].update(unit_price="-5.00"), "$.resources[0].unit_price", "harus antara"),
        (lambda d: d["resources"][0].update(unit_price=D("1.5E+300")), "$.resources[0].unit_price", "harus antara"),
        (lambda d: d["resources"][0].update(unit_price="12,50"), "$.resources[0].unit_price", "titik"),
        (lambda d: d["resources"][1].update(code="E.07"), "$.resources[1].code", "sudah dipakai"),
        (lambda d: d["analyses"][0]["components"][0].update(resource="X.99"), "$.analyses[0].components[0].resource", "tidak ada di dokumen"),
        (lambda d: d["analyses"][0]["components"][0].update(coefficient=True), "$.analyses[0].components[0].coefficient", "harus angka"),
        (lambda d: d["sections"][0]["items"][0].update(analysis="NOPE"), "$.sections[0].items[0].analysis", "tidak ada di dokumen"),
        (lambda d: d["sections"][0]["items"][0].update(volume="9999999999"), "$.sections[0].items[0].volume", "harus antara"),
        (lambda d: d["sections"][0]["sections"][0]["items"][0].update(stage="T9"), "$.sections[0].sections[0].items[0].stage", "tahapan"),
        (lambda d: d["sections"][0]["sections"][0]["items"][0]["plan"].update({"1": "50"}), "$.sections[0].sections[0].items[0].plan", "harus 100"),
        (lambda d: d["sections"][0]["sections"][0]["items"][0]["progress"].update({"2": "99"}), "$.sections[0].sections[0].items[0].progress", "lebih dari 100"),
        (lambda d: d["sections"][0]["sections"][0]["items"][0]["plan"].update({"9000": "0"}), "$.sections[0].sections[0].items[0].plan.9000", "minggu harus"),
        (lambda d: d["week_reports"].append({"week": 1}), "$.week_reports[1].week", "sudah ada"),
        (lambda d: d["sections"].append({"name": "x", "items": "none"}), "$.sections[1].items", "daftar JSON"),
    ],
)  # fmt: skip
def test_bad_values_name_their_json_path_and_nothing_is_written(example, user, change, path, words):
    document = _edit(_valid(example), change)
    before = Project.objects.count()
    if words is None:  # a valid variation: it restores
        restore(plan=plan_document(document), by=user, origin=ORIGIN)
        return
    with pytest.raises(DocumentInvalid) as caught:
        plan_document(document)
    assert [p for p in caught.value.problems if p.path == path and words in p.message], caught.value.problems
    assert Project.objects.count() == before


def test_a_cycle_in_nested_analyses_is_refused(example):
    document = _valid(example)
    pelat = next(a for a in document["analyses"] if any("analysis" in c for c in a["components"]))
    beton = next(a for a in document["analyses"] if a["code"] == pelat["components"][-1]["analysis"])
    beton["components"].append({"analysis": pelat["code"], "coefficient": "1"})
    with pytest.raises(DocumentInvalid) as caught:
        plan_document(document)
    assert any("lingkaran" in p.message and p.path.endswith(".components") for p in caught.value.problems)


def test_a_deep_work_breakdown_is_refused_without_recursion(example):
    document = _valid(example)
    node = {"name": "dalam", "items": [], "sections": []}
    document["sections"] = [node]
    for _ in range(5_000):
        child = {"name": "dalam", "items": [], "sections": []}
        node["sections"], node = [child], child
    with pytest.raises(DocumentInvalid) as caught:
        plan_document(document)
    assert "lebih dari 30 tingkat" in caught.value.problems[0].message


def test_header_rules_of_the_model_come_back_with_their_path(example, user):
    document = _valid(example)
    document["project"]["fiscal_year"] = 1800
    before = Project.objects.count()
    with pytest.raises(DocumentInvalid) as caught:
        restore(plan=plan_document(document), by=user, origin=ORIGIN)
    assert caught.value.problems[0].path == "$.project.fiscal_year"
    assert Project.objects.count() == before


# --- copy ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "parts, items, plans, progress",
    [("header", 0, 0, 0), ("estimate", 2, 0, 0), ("schedule", 2, 3, 0), ("progress", 2, 3, 1)],
)
def test_copy_takes_the_parts_asked_for(example, user, parts, items, plans, progress):
    (copy,) = copy_project(project=example, by=user, parts=parts, name="Salinan")
    assert copy.name == "Salinan" and copy.status == Project.Status.DRAFT
    assert WorkItem.objects.filter(project=copy).count() == items
    assert PlannedShare.objects.filter(work_item__project=copy).count() == plans
    assert WeekReport.objects.filter(project=copy).count() == progress
    if items:
        assert figures(copy)[:4] == figures(example)[:4]


def test_a_new_start_date_moves_the_schedule_with_it(example, user):
    (copy,) = copy_project(
        project=example, by=user, parts="progress", name="Tahun depan", start_date=date(2027, 3, 1)
    )
    assert copy.start_date == date(2027, 3, 1)
    assert Stage.objects.get(project=copy).start_date == date(2027, 3, 1)  # 364 days later, like the start
    assert WeekReport.objects.get(project=copy).report_date == date(2027, 3, 6)


def test_batch_copy_numbers_the_names_in_one_transaction(example, user):
    copies = copy_project(project=example, by=user, parts="estimate", name="Gedung", count=3)
    assert [c.name for c in copies] == ["Gedung (1)", "Gedung (2)", "Gedung (3)"]
    assert batch_names("A", 12)[-1] == "A (12)" and len(batch_names("x" * 255, 50)[0]) <= 255


# --- the commands ---------------------------------------------------------------------------------------


def test_export_and_restore_commands_round_trip(example, user, tmp_path):
    path = tmp_path / "cadangan.json"
    call_command("export_project", str(example.pk), str(path))
    call_command("restore_project", str(path), owner=user.email, name="Dipulihkan")
    restored = Project.objects.get(name="Dipulihkan")
    assert figures(restored) == figures(example)


def test_restore_command_lists_the_problems(user, tmp_path):
    path = tmp_path / "rusak.json"
    path.write_text('{"format": "ahsp-project", "version": 1, "parts": "header", "project": {}}')
    with pytest.raises(CommandError, match=r"\$\.project\.name: kunci wajib tidak ada"):
        call_command("restore_project", str(path), owner=user.email)
