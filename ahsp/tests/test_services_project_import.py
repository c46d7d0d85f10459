"""Importing a whole project from a workbook: the all-or-nothing writer, with hand-worked totals.

The helpers at the top (``make_library``, ``valid_sheets``, ``write_workbook``) are shared with the view and
command tests.
"""

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from ahsp.calculations.numbering import number_tree
from ahsp.calculations.totals import ItemInput, SectionInput
from ahsp.importers.project_template import build_template
from ahsp.models import (
    AnalysisComponent,
    AuditEvent,
    Project,
    ProjectAnalysis,
    ProjectResource,
    ReferenceAnalysis,
    Section,
    WorkItem,
)
from ahsp.services import project_import, projects, recalc
from ahsp.services.project_import import ProjectImportError
from ahsp.tests.factories import ReferenceComponentFactory, ReferenceResourceFactory

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------------------------------ helpers


def make_library() -> dict:
    """Galian (labour only) in two editions (the newest must win), and a concrete (cement + labour)."""
    worker = ReferenceResourceFactory(code="TK.0008", name="Pekerja", unit="OH", category="labour")
    foreman = ReferenceResourceFactory(code="TK.0006", name="Mandor", unit="OH", category="labour")
    cement = ReferenceResourceFactory(code="B.1871", name="Semen Portland", unit="kg", category="material")

    def analysis(code, name, unit, source="SNI 2025"):
        return ReferenceAnalysis.objects.create(
            source=source,
            code=code,
            name=name,
            unit=unit,
            search_text=ReferenceAnalysis.build_search_text(code, name),
            sort_key=ReferenceAnalysis.build_sort_key(code),
        )

    old_dig = analysis("2.2.1.1", "Galian tanah biasa (edisi lama)", "m3", source="SNI 2024")
    ReferenceComponentFactory(analysis=old_dig, resource=worker, coefficient=Decimal("0.9"), position=1)
    dig = analysis("2.2.1.1", "Galian tanah biasa sedalam s.d. 1 m", "m3")
    ReferenceComponentFactory(analysis=dig, resource=worker, coefficient=Decimal("0.75"), position=1)
    ReferenceComponentFactory(analysis=dig, resource=foreman, coefficient=Decimal("0.025"), position=2)
    concrete = analysis("3.1.1.10", "Beton mutu fc 19,3 MPa", "m3")
    ReferenceComponentFactory(analysis=concrete, resource=cement, coefficient=Decimal("371"), position=1)
    ReferenceComponentFactory(analysis=concrete, resource=worker, coefficient=Decimal("1.65"), position=2)
    return {"dig": dig, "old_dig": old_dig, "concrete": concrete}


PROJECT_HEADER = ["kunci", "nilai"]
WORK_HEADER = ["klasifikasi", "sub_klasifikasi", "kode_ahsp", "uraian", "satuan", "volume"]
PRICE_HEADER = ["kode_item", "uraian", "satuan", "kategori", "harga_satuan"]
ANALYSIS_HEADER = ["kode_ahsp", "kode_item", "koefisien"]


def valid_sheets() -> dict[str, list[list]]:
    """2 klasifikasi, 3 work items (2 from the library, 1 custom K.1 defined in Analisa), every price.

    Numbers are mixed on purpose: numeric cells and Indonesian text (``"12,5"``, ``"1.250,5"``,
    ``"Rp 100.000,00"``, ``"85.000,00"``).
    """
    return {
        "Proyek": [
            PROJECT_HEADER,
            ["nama", "Gedung Serbaguna Desa Sukamaju"],
            ["pemilik", "Dinas PUPR Kabupaten Contoh"],
            ["lokasi", "Kecamatan Sukamaju"],
            ["sumber_dana", "APBD"],
            ["tahun_anggaran", 2026],
            ["tanggal_mulai", "02/03/2026"],
            ["durasi_minggu", "20"],
            ["buk_persen", "10"],
            ["ppn_persen", 11],
            ["pembulatan", 1000],
            ["kontraktor", "PT Contoh Konstruksi"],
            ["pagu_anggaran", "1.500.000.000"],
        ],
        "Pekerjaan": [
            WORK_HEADER,
            ["Pekerjaan Tanah", None, "2.2.1.1", "Galian tanah pondasi", "m3", "12,5"],
            ["Pekerjaan Beton", "Struktur bawah", "3.1.1.10", None, None, 2.4],
            ["Pekerjaan Tanah", "", "K.1", "Pemasangan paving block", "m2", "1.250,5"],
        ],
        "Harga": [
            PRICE_HEADER,
            ["TK.0008", "Pekerja", "OH", "Tenaga Kerja", "Rp 100.000,00"],
            ["TK.0006", "Mandor", "OH", "labour", 150000],
            ["B.1871", "Semen Portland", "kg", "Bahan", 1500],
            ["L.01", "Paving block tebal 6 cm", "m2", "material", "85.000,00"],
        ],
        "Analisa": [
            ANALYSIS_HEADER,
            ["K.1", "L.01", "1,05"],
            ["K.1", "TK.0008", "0,1"],
            ["K.1", "2.2.1.1", 0.05],  # nested: the library's galian inside the custom analysis
        ],
    }


def write_workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def nothing_written():
    counts = {
        "projects": Project.objects.count(),
        "sections": Section.objects.count(),
        "items": WorkItem.objects.count(),
        "analyses": ProjectAnalysis.objects.count(),
        "components": AnalysisComponent.objects.count(),
        "resources": ProjectResource.objects.count(),
        "audit": AuditEvent.objects.count(),
    }
    return counts == dict.fromkeys(counts, 0), counts


def where(problems) -> set[tuple[str, int | None, str]]:
    return {(p.sheet, p.row, p.column) for p in problems}


@pytest.fixture
def library():
    return make_library()


# ------------------------------------------------------------------------------------------ success


def test_import_creates_the_project_with_hand_worked_total(library, user, tmp_path):
    """BUK 10 %. Prices: Pekerja 100.000, Mandor 150.000, Semen 1.500, Paving 85.000.

    Galian 2.2.1.1 (SNI 2025, not the 2024 edition): D = 0,75 x 100.000 + 0,025 x 150.000 = 78.750;
        HSP = 78.750 x 1,10 = 86.625,00; volume 12,5 -> 1.082.812,50.
    Beton 3.1.1.10: D = 371 x 1.500 + 1,65 x 100.000 = 556.500 + 165.000 = 721.500;
        HSP = 793.650,00; volume 2,4 -> 1.904.760,00.
    Paving K.1: D = 1,05 x 85.000 + 0,1 x 100.000 + 0,05 x D(galian) 78.750
        = 89.250 + 10.000 + 3.937,5 = 103.187,5; HSP = 113.506,25;
        volume 1.250,5 -> 141.939.565,625 -> 141.939.565,63 (half up).
    Total = 1.082.812,50 + 1.904.760,00 + 141.939.565,63 = 144.927.138,13.
    """
    path = write_workbook(tmp_path / "proyek.xlsx", valid_sheets())

    project = project_import.import_project(source=path, by=user, file_name="proyek.xlsx")

    project.refresh_from_db()
    assert project.owner == user
    assert (project.name, project.client, project.location, project.funding_source) == (
        "Gedung Serbaguna Desa Sukamaju",
        "Dinas PUPR Kabupaten Contoh",
        "Kecamatan Sukamaju",
        "APBD",
    )
    assert (project.fiscal_year, project.start_date, project.duration_weeks) == (2026, date(2026, 3, 2), 20)
    assert (project.overhead_profit_pct, project.vat_pct) == (Decimal("10"), Decimal("11"))
    assert (project.rounding_step, project.rounding_mode) == (1000, "down")
    assert project.contractor == "PT Contoh Konstruksi" and project.planning_consultant == ""
    assert project.budget_ceiling == Decimal("1500000000")

    items = {i.analysis.code: i for i in WorkItem.objects.filter(project=project).select_related("analysis")}
    assert {code: (i.name, i.unit, i.volume) for code, i in items.items()} == {
        "2.2.1.1": ("Galian tanah pondasi", "m3", Decimal("12.5")),
        "3.1.1.10": ("Beton mutu fc 19,3 MPa", "m3", Decimal("2.4")),  # library name and unit
        "K.1": ("Pemasangan paving block", "m2", Decimal("1250.5")),
    }
    assert {code: i.unit_rate for code, i in items.items()} == {
        "2.2.1.1": Decimal("86625.00"),
        "3.1.1.10": Decimal("793650.00"),
        "K.1": Decimal("113506.25"),
    }
    assert {code: i.amount for code, i in items.items()} == {
        "2.2.1.1": Decimal("1082812.50"),
        "3.1.1.10": Decimal("1904760.00"),
        "K.1": Decimal("141939565.63"),
    }
    total = WorkItem.objects.filter(project=project).aggregate(s=Sum("amount"))["s"]
    assert total == Decimal("144927138.13")


def test_import_numbers_sections_and_items_in_sheet_order(library, user, tmp_path):
    path = write_workbook(tmp_path / "proyek.xlsx", valid_sheets())

    project = project_import.import_project(source=path, by=user)

    sections = list(Section.objects.filter(project=project))
    items = list(WorkItem.objects.filter(project=project))
    numbers = number_tree(
        [SectionInput(s.pk, s.parent_id, s.position) for s in sections],
        [ItemInput(i.pk, i.section_id, i.position, i.volume, i.unit_rate) for i in items],
    )
    by_name = {s.name: numbers[("section", s.pk)] for s in sections}
    by_name.update({i.name: numbers[("item", i.pk)] for i in items})
    assert by_name == {
        "Pekerjaan Tanah": "I",
        "Galian tanah pondasi": "I.1",
        "Pemasangan paving block": "I.2",  # a later row of the same klasifikasi joins it
        "Pekerjaan Beton": "II",
        "Struktur bawah": "II.1",
        "Beton mutu fc 19,3 MPa": "II.1.1",
    }


def test_import_copies_analyses_and_resources(library, user, tmp_path):
    path = write_workbook(tmp_path / "proyek.xlsx", valid_sheets())

    project = project_import.import_project(source=path, by=user)

    analyses = {a.code: a for a in ProjectAnalysis.objects.filter(project=project)}
    assert set(analyses) == {"2.2.1.1", "3.1.1.10", "K.1"}
    assert analyses["2.2.1.1"].reference == library["dig"]  # the newest edition
    assert analyses["K.1"].reference is None and analyses["K.1"].name == "Pemasangan paving block"
    assert (analyses["K.1"].unit, analyses["K.1"].is_modified) == ("m2", False)
    lines = [
        (c.resource.code if c.resource else f"@{c.nested_analysis.code}", c.coefficient)
        for c in AnalysisComponent.objects.filter(analysis=analyses["K.1"])
        .select_related("resource", "nested_analysis")
        .order_by("position")
    ]
    assert lines == [("L.01", Decimal("1.05")), ("TK.0008", Decimal("0.1")), ("@2.2.1.1", Decimal("0.05"))]
    resources = {r.code: r for r in ProjectResource.objects.filter(project=project)}
    assert {code: (r.category, r.unit_price) for code, r in resources.items()} == {
        "TK.0008": ("labour", Decimal("100000")),
        "TK.0006": ("labour", Decimal("150000")),
        "B.1871": ("material", Decimal("1500")),
        "L.01": ("material", Decimal("85000")),
    }
    assert resources["TK.0008"].reference.code == "TK.0008" and resources["L.01"].reference is None


def test_import_records_one_import_event_besides_the_create_event(library, user, tmp_path):
    path = write_workbook(tmp_path / "proyek.xlsx", valid_sheets())

    project = project_import.import_project(source=path, by=user, file_name="proyek.xlsx")

    events = list(AuditEvent.objects.filter(project_id=project.pk).order_by("id"))
    assert [e.action for e in events] == ["create", "import"]
    assert events[1].summary == "Proyek diimpor dari Excel: 3 pekerjaan"
    assert events[1].actor_id == user.pk and events[1].target_id == str(project.pk)
    assert events[1].after["file_name"] == "proyek.xlsx" and events[1].after["work_items"] == 3
    assert AuditEvent.objects.count() == 2


def test_modified_library_analysis_lines_replace_the_copied_components(library, user, tmp_path):
    """Beton with 350 kg of cement instead of 371: D = 350 x 1.500 + 1,65 x 100.000 = 690.000;
    HSP = 759.000,00; volume 2,4 -> 1.821.600,00."""
    sheets = valid_sheets()
    sheets["Analisa"] += [["3.1.1.10", "B.1871", 350], ["3.1.1.10", "TK.0008", "1,65"]]
    path = write_workbook(tmp_path / "proyek.xlsx", sheets)

    project = project_import.import_project(source=path, by=user)

    beton = ProjectAnalysis.objects.get(project=project, code="3.1.1.10")
    assert beton.reference == library["concrete"] and beton.reference_code == "3.1.1.10" and beton.is_modified
    assert sorted(beton.components.values_list("resource__code", "coefficient")) == [
        ("B.1871", Decimal("350")),
        ("TK.0008", Decimal("1.65")),
    ]
    item = WorkItem.objects.get(project=project, analysis=beton)
    assert (item.unit_rate, item.amount) == (Decimal("759000.00"), Decimal("1821600.00"))


def test_library_lines_listed_unchanged_are_not_marked_modified(library, user, tmp_path):
    sheets = valid_sheets()
    sheets["Analisa"] += [["3.1.1.10", "TK.0008", "1,65"], ["3.1.1.10", "B.1871", 371]]
    path = write_workbook(tmp_path / "proyek.xlsx", sheets)

    project = project_import.import_project(source=path, by=user)

    assert not ProjectAnalysis.objects.get(project=project, code="3.1.1.10").is_modified


def test_pembulatan_zero_means_no_rounding(library, user, tmp_path):
    sheets = valid_sheets()
    sheets["Proyek"][10] = ["pembulatan", 0]
    path = write_workbook(tmp_path / "proyek.xlsx", sheets)

    project = project_import.import_project(source=path, by=user)

    assert project.rounding_step == 0


def test_values_computed_before_insert_agree_with_recalc(library, user, tmp_path, monkeypatch):
    """The writer computes A/B/C/D, HSP and amounts in memory; the final recalculation, the authority,
    must find nothing to change (otherwise a 2,000-row import would rewrite every row)."""
    sheets = valid_sheets()
    sheets["Analisa"] += [["3.1.1.10", "B.1871", 350], ["3.1.1.10", "TK.0008", "1,65"]]
    sheets["Pekerjaan"] += [["Pekerjaan Beton", "Struktur atas", "3.1.1.10", "Kolom", "m3", "3,3335"]]
    path = write_workbook(tmp_path / "proyek.xlsx", sheets)
    results = []
    original = recalc.recalculate_project
    monkeypatch.setattr(recalc, "recalculate_project", lambda project: results.append(original(project)))

    project_import.import_project(source=path, by=user)

    assert results == [recalc.RecalcResult(analyses_changed=0, items_changed=0)]
    galian = ProjectAnalysis.objects.get(code="2.2.1.1")
    assert (galian.labour, galian.direct, galian.missing_prices) == (Decimal("78750"), Decimal("78750"), 0)


def test_item_overhead_column_is_stored_and_priced_like_the_apps_override(
    library, user, tmp_path, monkeypatch
):
    """buk_persen of a Pekerjaan row = WorkItem.overhead_pct_override, priced as recalc prices it.

    Galian D = 78.750: at 7,5 % HSP = 84.656,25, volume 12,5 -> 1.058.203,125 -> 1.058.203,13; the same
    analysis on another row without buk_persen keeps the project's 10 % (86.625,00); at 0 % HSP = 78.750.
    """
    sheets = valid_sheets()
    sheets["Pekerjaan"][0] = [*WORK_HEADER, "buk_persen"]
    sheets["Pekerjaan"][1].append("7,5")
    sheets["Pekerjaan"] += [
        ["Pekerjaan Tanah", None, "2.2.1.1", "Galian tanpa BUK khusus", "m3", 2, None],
        ["Pekerjaan Tanah", None, "2.2.1.1", "Galian BUK nol", "m3", 1, 0],
    ]
    path = write_workbook(tmp_path / "proyek.xlsx", sheets)
    results = []
    original = recalc.recalculate_project
    monkeypatch.setattr(recalc, "recalculate_project", lambda project: results.append(original(project)))

    project = project_import.import_project(source=path, by=user)

    assert results == [recalc.RecalcResult(analyses_changed=0, items_changed=0)]  # computed as recalc does
    items = {
        i.name: (i.overhead_pct_override, i.unit_rate, i.amount)
        for i in WorkItem.objects.filter(project=project)
    }
    assert items == {
        "Galian tanah pondasi": (Decimal("7.50"), Decimal("84656.25"), Decimal("1058203.13")),
        "Beton mutu fc 19,3 MPa": (None, Decimal("793650.00"), Decimal("1904760.00")),
        "Pemasangan paving block": (None, Decimal("113506.25"), Decimal("141939565.63")),
        "Galian tanpa BUK khusus": (None, Decimal("86625.00"), Decimal("173250.00")),
        "Galian BUK nol": (Decimal("0.00"), Decimal("78750.00"), Decimal("78750.00")),
    }
    assert project.overhead_profit_pct == Decimal("10")


def test_query_count_does_not_grow_with_the_number_of_rows(library, user, tmp_path):
    def queries(rows: int) -> int:
        sheets = valid_sheets()
        sheets["Pekerjaan"] += [
            ["Pekerjaan Tanah", f"Zona {n % 3}", "2.2.1.1", f"Galian {n}", "m3", n] for n in range(rows)
        ]
        path = write_workbook(tmp_path / f"rows-{rows}.xlsx", sheets)
        with CaptureQueriesContext(connection) as captured:
            project_import.import_project(source=path, by=user)
        return len(captured)

    assert queries(10) == queries(400)


# ------------------------------------------------------------------------------------------ problems


def test_every_problem_is_reported_and_nothing_is_written(library, user, tmp_path):
    sheets = valid_sheets()
    sheets["Proyek"] = [
        PROJECT_HEADER,
        ["nama", None],  # row 2: required value missing
        ["pemilik", "Dinas"],
        ["lokasi", "A"],
        ["lokasi", "B"],  # row 5: duplicate key
        ["tahun_anggaran", 2026],
        ["tanggal_mulai", "31/02/2026"],  # row 7: no such day
        ["durasi_minggu", 20],
        ["buk_persen", "101"],  # row 9: above 100 %
        ["ppn_persen", 11],
        ["pembulatan", 500],  # row 11: not an allowed step
        # sumber_dana missing altogether
    ]
    sheets["Pekerjaan"] += [
        ["Pekerjaan Tanah", None, "9.9.9", "Tidak ada", "m3", 1],  # row 5: unknown code
        ["Pekerjaan Tanah", None, "2.2.1.1", "Urug", "m3", "-3"],  # row 6: negative volume
        ["Pekerjaan Tanah", None, "2.2.1.1", "Urug", "m3", "dua"],  # row 7: not a number
    ]
    sheets["Harga"] += [
        ["B.9", "Pasir", "m3", "Bahan Bangunan", 1],  # row 6: unknown category
        ["TK.0006", "Mandor lagi", "OH", "Tenaga Kerja", 1],  # row 7: duplicate kode_item
        ["B.10", "Kerikil", "m3", "Bahan", "12,34,5"],  # row 8: bad number
    ]
    sheets["Analisa"] += [
        ["K.1", "X.404", 1],  # row 5: undefined kode_item
        ["K.2", "K.3", 1],  # row 6
        ["K.3", "K.2", 1],  # row 7: closes the loop K.2 -> K.3 -> K.2
    ]
    sheets["Pekerjaan"] += [["Lain", None, "K.2", "Dua", "ls", 1], ["Lain", None, "K.3", "Tiga", "ls", 1]]
    path = write_workbook(tmp_path / "salah.xlsx", sheets)

    with pytest.raises(ProjectImportError) as caught:
        project_import.import_project(source=path, by=user)

    problems = caught.value.problems
    assert where(problems) == {
        ("Proyek", 2, "nama"),
        ("Proyek", 5, "lokasi"),
        ("Proyek", 7, "tanggal_mulai"),
        ("Proyek", 9, "buk_persen"),
        ("Proyek", 11, "pembulatan"),
        ("Proyek", None, "sumber_dana"),
        ("Pekerjaan", 5, "kode_ahsp"),
        ("Pekerjaan", 6, "volume"),
        ("Pekerjaan", 7, "volume"),
        ("Harga", 6, "kategori"),
        ("Harga", 7, "kode_item"),
        ("Harga", 8, "harga_satuan"),
        ("Analisa", 5, "kode_item"),
        ("Analisa", 7, "kode_item"),
    }
    # Listed sheet by sheet (the template's order), rows ascending, whole-sheet problems first.
    rank = {"Proyek": 0, "Pekerjaan": 1, "Harga": 2, "Analisa": 3}
    order = [(rank[p.sheet], p.row or 0) for p in problems]
    assert order == sorted(order) and order[0] == (0, 0)
    reasons = {(p.sheet, p.row, p.column): (p.value, p.reason) for p in problems}
    assert reasons[("Proyek", 2, "nama")][1] == "nama wajib diisi."
    assert "baris 4" in reasons[("Proyek", 5, "lokasi")][1]
    assert reasons[("Pekerjaan", 5, "kode_ahsp")][0] == "9.9.9"
    assert reasons[("Pekerjaan", 6, "volume")] == ("-3", "Volume tidak boleh negatif.")
    assert "bukan angka" in reasons[("Pekerjaan", 7, "volume")][1]
    assert "Kategori tidak dikenal" in reasons[("Harga", 6, "kategori")][1]
    assert "baris 3" in reasons[("Harga", 7, "kode_item")][1]
    assert "K.3 → K.2 → K.3" in reasons[("Analisa", 7, "kode_item")][1]
    empty, counts = nothing_written()
    assert empty, counts


def test_missing_sheets_and_columns_are_reported(library, user, tmp_path):
    sheets = valid_sheets()
    del sheets["Harga"]
    sheets["Pekerjaan"] = [["klasifikasi", "kode_ahsp", "uraian", "satuan"]]  # no volume column
    path = write_workbook(tmp_path / "kurang.xlsx", sheets)

    with pytest.raises(ProjectImportError) as caught:
        project_import.import_project(source=path, by=user)

    assert {("Harga", None, ""), ("Pekerjaan", 1, "volume")} <= where(caught.value.problems)
    assert nothing_written()[0]


def test_a_file_that_is_not_a_workbook_is_reported(user, tmp_path):
    path = tmp_path / "bukan.xlsx"
    path.write_text("kode;uraian\n1;Galian\n")

    with pytest.raises(ProjectImportError) as caught:
        project_import.import_project(source=path, by=user)

    (problem,) = caught.value.problems
    assert "bukan buku kerja Excel" in problem.reason
    assert nothing_written()[0]


def test_a_database_error_while_writing_leaves_nothing(library, user, tmp_path, monkeypatch):
    path = write_workbook(tmp_path / "proyek.xlsx", valid_sheets())

    def broken(project):
        raise RuntimeError("database down")

    monkeypatch.setattr(recalc, "recalculate_project", broken)
    with pytest.raises(RuntimeError):
        project_import.import_project(source=path, by=user)

    empty, counts = nothing_written()
    assert empty, counts


def test_a_model_validation_error_becomes_a_reported_problem(library, user, tmp_path, monkeypatch):
    """Safety net: the reader checks what the model checks, but a model rule it missed is still reported
    as a problem (not a server error), with the workbook's key, and nothing is written."""
    path = write_workbook(tmp_path / "proyek.xlsx", valid_sheets())

    def strict_create(*, data, by):
        raise ValidationError({"vat_pct": ["PPN harus 11% atau 12%."]})

    monkeypatch.setattr(projects, "create", strict_create)
    with pytest.raises(ProjectImportError) as caught:
        project_import.import_project(source=path, by=user)

    assert [(p.sheet, p.column, p.reason) for p in caught.value.problems] == [
        ("Proyek", "ppn_persen", "PPN harus 11% atau 12%.")
    ]
    assert nothing_written()[0]


def test_the_empty_template_imports_to_a_clear_report(user, tmp_path):
    path = tmp_path / "templat.xlsx"
    path.write_bytes(build_template())

    with pytest.raises(ProjectImportError) as caught:
        project_import.import_project(source=path, by=user)

    reasons = {p.column: p.reason for p in caught.value.problems}
    assert reasons == {
        "nama": "nama wajib diisi.",
        "buk_persen": "buk_persen wajib diisi.",
        "ppn_persen": "ppn_persen wajib diisi.",
        "pembulatan": "pembulatan wajib diisi.",
    }
    assert nothing_written()[0]


def test_the_template_filled_in_imports(library, user, tmp_path):
    """The downloaded template, filled in (its Petunjuk sheet stays), is a valid project workbook."""
    workbook = openpyxl.load_workbook(io.BytesIO(build_template()))
    values = {row[0]: row[1] for row in valid_sheets()["Proyek"][1:]}
    for row in workbook["Proyek"].iter_rows(min_row=2):
        row[1].value = values.get(row[0].value)
    for name in ("Pekerjaan", "Harga"):
        for row in valid_sheets()[name][1:]:
            workbook[name].append(row)
    for code, item, coefficient in valid_sheets()["Analisa"][1:]:
        workbook["Analisa"].append([code, item, coefficient, None, None])
    path = tmp_path / "terisi.xlsx"
    workbook.save(path)

    project = project_import.import_project(source=path, by=user)

    assert project.name == "Gedung Serbaguna Desa Sukamaju"
    total = WorkItem.objects.filter(project=project).aggregate(s=Sum("amount"))["s"]
    assert total == Decimal("144927138.13")  # as worked out by hand above


def test_import_report_carries_the_readers_warnings(library, user, tmp_path):
    """A BUK above the 15 % government ceiling is imported and reported (a warning, not a problem)."""
    sheets = valid_sheets()
    sheets["Proyek"][8] = ["buk_persen", "20"]
    path = write_workbook(tmp_path / "proyek.xlsx", sheets)

    report = project_import.import_project_report(source=path, by=user)

    assert report.project.overhead_profit_pct == Decimal("20")
    (warning,) = report.warnings
    assert (warning.sheet, warning.row, warning.column, warning.value) == ("Proyek", 9, "buk_persen", "20")
    assert "BUK di atas batas 15%" in warning.reason


def test_a_refused_import_still_names_its_warnings(library, user, tmp_path):
    sheets = valid_sheets()
    sheets["Proyek"][1] = ["nama", None]
    sheets["Proyek"][8] = ["buk_persen", "20"]
    path = write_workbook(tmp_path / "proyek.xlsx", sheets)

    with pytest.raises(project_import.ProjectImportError) as caught:
        project_import.import_project_report(source=path, by=user)

    assert [p.column for p in caught.value.problems] == ["nama"]
    assert [w.column for w in caught.value.warnings] == ["buk_persen"]
    assert Project.objects.count() == 0
