"""The project workbook export: export, import the bytes back, and compare the two projects."""

import io
from collections import Counter
from decimal import Decimal

import openpyxl
import pytest

from ahsp.demo.estimate import build_demo_estimate
from ahsp.exports.project_workbook import build_project_workbook
from ahsp.importers.project_workbook import PROJECT_KEYS, parse_workbook
from ahsp.loaders import rab as rab_loader
from ahsp.management.commands.seed_demo import load_reference
from ahsp.models import AnalysisComponent, ExportJob, ProjectAnalysis, ProjectResource, Section, WorkItem
from ahsp.services import analyses, exports, parameters, recalc, sections, work_items
from ahsp.services.project_import import import_project
from ahsp.tests.estimate_fixtures import make_reference_library
from ahsp.tests.factories import ProjectFactory
from ahsp.tests.rab_data import build_small_rab
from ahsp.tests.test_services_project_import import valid_sheets, write_workbook

pytestmark = pytest.mark.django_db

SIGNATORIES = {
    "signing_place": "Sukamaju",
    "prepared_by_name": "Budi Santoso, S.T.",
    "prepared_by_title": "Estimator",
    "checked_by_name": '=HYPERLINK("http://x")',
    "checked_by_title": "Kepala Seksi",
    "approved_by_name": "Ir. Ahmad Fauzi, M.T.",
    "approved_by_title": "Kepala Dinas PUPR",
}
HEADER_FIELDS = [field for field, _kind, _required in PROJECT_KEYS.values()]


def round_trip(project, user):
    data = build_project_workbook(project)
    return import_project(source=io.BytesIO(data), by=user)


def snapshot(project) -> dict:
    """Everything that must survive the round trip (no ids, no derived-from-library fields)."""
    summary = rab_loader.load_rab_summary(project)
    totals = summary.totals
    rows = [
        (row.kind, row.number, row.name)
        + (() if row.kind == "section" else (row.unit, row.volume, row.unit_rate, row.amount))
        for row in rab_loader.load_full_rab(project, summary)
    ]
    resources = sorted(
        ProjectResource.objects.filter(project=project).values_list(
            "code", "name", "unit", "category", "unit_price"
        )
    )
    lines: dict[str, list] = {}
    for code, resource, nested, k in AnalysisComponent.objects.filter(analysis__project=project).values_list(
        "analysis__code", "resource__code", "nested_analysis__code", "coefficient"
    ):
        lines.setdefault(code, []).append((resource or f"@{nested}", k))
    recipes = {
        code: (name, unit, direct, missing, sorted(lines.get(code, [])))
        for code, name, unit, direct, missing in ProjectAnalysis.objects.filter(project=project).values_list(
            "code", "name", "unit", "direct", "missing_prices"
        )
    }
    return {
        "totals": (totals.total, totals.vat, totals.grand_total, totals.rounded_total),
        "missing": summary.missing_price_count,
        "rows": rows,
        "resources": resources,
        "analyses": recipes,
        "header": {field: getattr(project, field) for field in HEADER_FIELDS},
    }


def assert_same(original, imported):
    before, after = snapshot(original), snapshot(imported)
    for key in before:
        assert after[key] == before[key], key
    assert imported.pk != original.pk


def test_small_rab_with_hostile_text_and_signatories_round_trips(user):
    rab = build_small_rab(
        user,
        name="=1+1",
        client="<script>alert(1)</script>",
        location="Desa Sukamaju, Kec. Cibeureum — Jawa Barat",
        description="Baris satu\nBaris dua: \"kutip\" & 'apostrof'",
        planning_consultant="@SUM(A1:A9)",
        supervising_consultant="+62 812 3456",
        rounding_step=100,
        rounding_mode="half_up",
        hsp_rounding_step=100,
        numbering_style="arabic",
        overhead_profit_pct=Decimal("12.5"),
        vat_pct=Decimal("11"),
        **SIGNATORIES,
    )
    Section.objects.filter(pk=rab.earthwork.pk).update(name="-Pekerjaan Tanah & Urugan")
    WorkItem.objects.filter(pk=rab.bowplank.pk).update(name="<script>alert(1)</script>")
    WorkItem.objects.filter(pk=rab.excavation.pk).update(
        name=("Galian " + "tanah keras berbatu " * 120).strip()
    )
    WorkItem.objects.filter(pk=rab.plastering.pk).update(name='=HYPERLINK("x")', unit="m²")
    ProjectResource.objects.filter(project=rab.project, code="L.01").update(
        name="Pekerja (½ hari) — ’tukang’"
    )
    ProjectResource.objects.filter(project=rab.project, code="M.15").update(code="1.10", name="+Semen 50kg")
    ProjectAnalysis.objects.filter(pk=rab.bowplank.analysis_id).update(name="=A1*2", unit="m'")
    # The largest price the forms accept (14 significant digits) round-trips exactly.
    ProjectResource.objects.filter(project=rab.project, code="M.10").update(
        unit_price=Decimal("999999999999.99")
    )
    recalc.recalculate_project(rab.project)

    imported = round_trip(rab.project, user)

    assert_same(rab.project, imported)
    assert imported.name == "=1+1" and imported.checked_by_name == SIGNATORIES["checked_by_name"]
    assert {f: getattr(imported, f) for f in SIGNATORIES} == SIGNATORIES
    assert (imported.rounding_mode, imported.hsp_rounding_step, imported.numbering_style) == (
        "half_up",
        100,
        "arabic",
    )
    assert ProjectResource.objects.filter(project=imported, code="1.10").exists()  # text, not 1,1
    assert snapshot(imported)["rows"][1][:3] == ("item", "1.1", "<script>alert(1)</script>")


def test_cells_are_strings_and_numbers_never_formulas(user):
    rab = build_small_rab(user, name="=1+1", **SIGNATORIES)

    workbook = openpyxl.load_workbook(io.BytesIO(build_project_workbook(rab.project)))

    assert workbook.sheetnames == ["Proyek", "Pekerjaan", "Harga", "Analisa"]
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    proyek = {row[0].value: row[1] for row in workbook["Proyek"].iter_rows(min_row=2)}
    assert list(proyek) == list(PROJECT_KEYS)
    assert (proyek["nama"].value, proyek["nama"].data_type) == ("=1+1", "s")
    assert proyek["buk_persen"].value == 10 and proyek["buk_persen"].data_type == "n"
    assert proyek["dibuat_oleh_nama"].value == SIGNATORIES["prepared_by_name"]
    volumes = [row[5].value for row in workbook["Pekerjaan"].iter_rows(min_row=2)]
    assert volumes == [2.5, 10, 12.75]


def test_nested_library_analyses_missing_price_and_empty_analysis_round_trip(user):
    library = make_reference_library()
    project = ProjectFactory(owner=user, **SIGNATORIES)
    structure = sections.create(project=project, name="Pekerjaan Struktur", by=user)
    slab = work_items.add_from_reference(
        project=project, section=structure, reference=library["slab"], by=user
    )
    dig = work_items.add_from_reference(project=project, section=structure, reference=library["dig"], by=user)
    custom = work_items.add_custom(
        project=project, section=structure, name="Lantai kerja", unit="m2", by=user
    )
    empty = work_items.add_custom(
        project=project, section=structure, name="Belum dianalisa", unit="ls", by=user
    )
    ProjectResource.objects.filter(project=project, code="TK.0008").update(unit_price=Decimal("120000"))
    ProjectResource.objects.filter(project=project, code="TK.0006").update(unit_price=Decimal("175000.5"))
    # B.1871 (cement) stays without a price.
    concrete = ProjectAnalysis.objects.get(project=project, code="3.1.1.10")
    analyses.add_nested_component(
        analysis=custom.analysis, nested=concrete, coefficient=Decimal("0.054321"), by=user
    )
    component = AnalysisComponent.objects.get(analysis=dig.analysis, resource__code="TK.0006")
    analyses.set_coefficient(component=component, coefficient=Decimal("0.03"), by=user)
    for item, volume in ((slab, "120.5"), (dig, "33.3333"), (custom, "7"), (empty, "1")):
        work_items.set_volume(item=item, volume=Decimal(volume), expected_version=None, by=user)
    recalc.recalculate_project(project)

    imported = round_trip(project, user)

    assert_same(project, imported)
    assert snapshot(imported)["missing"] == 1
    flags = dict(ProjectAnalysis.objects.filter(project=imported).values_list("code", "is_modified"))
    assert flags == {"2.2.1.1": True, "3.1.1.10": False, "3.1.2.1": False, "C.1": False, "C.2": False}
    assert not AnalysisComponent.objects.filter(analysis__project=imported, analysis__code="C.2").exists()


def test_demo_estimate_round_trips(user):
    load_reference(Counter())
    project = ProjectFactory(owner=user, name="Demo")
    build_demo_estimate(project=project, by=user)

    assert_same(project, round_trip(project, user))


def test_tree_order_with_items_between_sub_sections_round_trips(user):
    project = ProjectFactory(owner=user)
    top = sections.create(project=project, name="Pekerjaan Persiapan", by=user)
    first = work_items.add_custom(project=project, section=top, name="Pembersihan", unit="m2", by=user)
    sub = sections.create(project=project, name="Pengukuran", parent=top, by=user)
    inner = work_items.add_custom(project=project, section=sub, name="Bouwplank", unit="m'", by=user)
    last = work_items.add_custom(project=project, section=top, name="Direksi keet", unit="ls", by=user)
    WorkItem.objects.filter(pk=first.pk).update(position=0)
    Section.objects.filter(pk=sub.pk).update(position=1)
    WorkItem.objects.filter(pk=last.pk).update(position=2)
    for item, volume in ((first, "100"), (inner, "40"), (last, "1")):
        work_items.set_volume(item=item, volume=Decimal(volume), expected_version=None, by=user)

    imported = round_trip(project, user)

    assert_same(project, imported)
    numbers = [(row[1], row[2]) for row in snapshot(imported)["rows"]]
    assert numbers == [
        ("I", "Pekerjaan Persiapan"),
        ("I.1", "Pembersihan"),
        ("I.2", "Pengukuran"),
        ("I.2.1", "Bouwplank"),
        ("I.3", "Direksi keet"),
    ]


def test_volume_formula_exports_the_computed_volume_and_deep_sections_are_flattened(user):
    project = ProjectFactory(owner=user)
    parameters.set_value(project=project, name="panjang", value=Decimal("12.5"), by=user)
    top = sections.create(project=project, name="Struktur", by=user)
    sub = sections.create(project=project, name="Lantai 1", parent=top, by=user)
    deep = sections.create(project=project, name="Kolom", parent=sub, by=user)
    item = work_items.add_custom(project=project, section=deep, name="Bekisting", unit="m2", by=user)
    work_items.set_volume(item=item, volume=None, formula="panjang * 2", expected_version=None, by=user)

    imported = round_trip(project, user)

    (copy,) = WorkItem.objects.filter(project=imported).select_related("section__parent")
    assert (copy.volume, copy.volume_formula) == (Decimal("25"), "")
    assert (copy.section.name, copy.section.parent.name) == ("Lantai 1 / Kolom", "Struktur")
    assert not imported.parameters.exists()


@pytest.mark.parametrize("hsp_rounding_step", [0, 100])
def test_per_item_overhead_override_round_trips(user, hsp_rounding_step):
    """The item's own BUK (buk_persen of Pekerjaan) comes back, priced like the app prices it: Galian
    D = 85.000 at 7,25 % -> 91.162,50 (91.200 with HSP rounding to Rp 100); Plesteran at 0 % (an override,
    not "empty") -> 54.360; the bowplank keeps the project's 10 %."""
    rab = build_small_rab(user, hsp_rounding_step=hsp_rounding_step)
    analyses.set_overhead_override(item=rab.excavation, pct=Decimal("7.25"), by=user)
    analyses.set_overhead_override(item=rab.plastering, pct=Decimal("0"), by=user)
    before = {
        i.name: (i.overhead_pct_override, i.unit_rate) for i in WorkItem.objects.filter(project=rab.project)
    }
    assert before["Galian tanah biasa"] == (
        Decimal("7.25"),
        Decimal("91200.00") if hsp_rounding_step else Decimal("91162.50"),
    )

    proyek = openpyxl.load_workbook(io.BytesIO(build_project_workbook(rab.project)))["Pekerjaan"]
    column = [c.value for c in proyek[1]].index("buk_persen")
    assert [row[column] for row in proyek.iter_rows(min_row=2, values_only=True)] == [None, 7.25, 0]
    imported = round_trip(rab.project, user)

    assert_same(rab.project, imported)  # identical totals, rows (HSP and amount of every item) and recipes
    after = {
        i.name: (i.overhead_pct_override, i.unit_rate) for i in WorkItem.objects.filter(project=imported)
    }
    assert after == before
    assert recalc.recalculate_project(imported) == recalc.RecalcResult(0, 0)  # stored as the app would


def test_progress_is_reported_at_least_every_ten_percent(user):
    rab = build_small_rab(user)
    calls = []

    build_project_workbook(rab.project, progress=lambda done, total, stage: calls.append((done, total)))

    total = calls[0][1]
    assert calls[0][0] == 0 and calls[-1] == (total, total)
    done = [call[0] for call in calls]
    assert done == sorted(done)
    assert max(b - a for a, b in zip(done, done[1:], strict=False)) <= max(1, total // 10)


def test_export_job_builds_the_project_workbook(user, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path / "media"
    rab = build_small_rab(user)

    with django_capture_on_commit_callbacks(execute=True):
        job = exports.start(project=rab.project, document="proyek", fmt="xlsx", by=user)
    job.refresh_from_db()

    assert job.status == ExportJob.Status.DONE, job.error
    assert job.size > 0
    with job.file.open("rb") as handle:
        assert_same(rab.project, import_project(source=io.BytesIO(handle.read()), by=user))


def test_new_optional_proyek_keys_are_read_in_any_order_and_checked(tmp_path):
    sheets = valid_sheets()
    sheets["Proyek"].insert(1, ["arah_pembulatan", "Ke  Atas"])  # before "pembulatan": still wins
    sheets["Proyek"] += [["penomoran", "angka"], ["pembulatan_hsp", 10], ["disetujui_oleh_jabatan", "Kadis"]]
    parsed = parse_workbook(write_workbook(tmp_path / "ok.xlsx", sheets))
    assert parsed.problems == []
    assert {k: parsed.project[k] for k in ("rounding_mode", "numbering_style", "hsp_rounding_step")} == {
        "rounding_mode": "up",
        "numbering_style": "arabic",
        "hsp_rounding_step": 10,
    }
    assert parsed.project["approved_by_title"] == "Kadis"

    sheets = valid_sheets()
    sheets["Proyek"] += [
        ["arah_pembulatan", "sembarang"],
        ["pembulatan_hsp", 5],
        ["dibuat_oleh_nama", "x" * 121],
        ["penomoran", None],  # empty: the model's default
    ]
    parsed = parse_workbook(write_workbook(tmp_path / "bad.xlsx", sheets))
    reasons = {p.column: p.reason for p in parsed.problems}
    assert set(reasons) == {"arah_pembulatan", "pembulatan_hsp", "dibuat_oleh_nama"}
    assert reasons["dibuat_oleh_nama"] == "dibuat_oleh_nama paling banyak 120 karakter."
    assert "ke bawah, terdekat, ke atas" in reasons["arah_pembulatan"]
    assert "numbering_style" not in parsed.project
