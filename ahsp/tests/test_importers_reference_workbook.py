"""The reference-library importer against the database: small workbooks built here, plus one slow test
over the real SNI 2025 workbook (read from ../shared/data/, never copied into the repository)."""

import csv
import io
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import DatabaseError

from ahsp.importers.review import ACTIONS, REPORT_COLUMNS
from ahsp.importers.workbook_reader import ImportFailed
from ahsp.models import AuditEvent, ReferenceAnalysis, ReferenceComponent, ReferenceImport, ReferenceResource
from ahsp.services import reference_library
from ahsp.services.reference_library import import_reference
from ahsp.tests.factories import ReferenceComponentFactory

HEADER = [
    "id",
    "kode_ahsp",
    "nama_ahsp",
    "kode_item_lookup",
    "kategori",
    "item",
    "satuan",
    "koefisien",
    "source_file",
    "sumber_ahsp",
]
PAGAR = "Pembuatan 1 m3 pagar sementara dari kayu (Lihat Peraturan Menteri PUPR Nomor 8 Tahun 2023 (c))"
SENG = "Pembuatan 1 m3 pagar  seng gelombang"
BETON = "1 m3  beton mutu rendah f'c 15 MPa, Slump (100 Â±  25) mm"
PATOK = "Patok Tetap Bantu (PTB)"
TRUCK = "Harga Satuan Dasar Water Truck untuk Penyiraman Satuan Pekerjaan : hari"
NOTE_51 = "bulan bulan hari hari orang orang hari hari hari/m2"
WORKER = ("TK.0008", "Tenaga Kerja", "Pekerja", "OH")
CEMENT = ("B.1871", "Bahan", "Semen Portland (PC)", "kg")

# One workbook with every defect of the real file; Excel row numbers in the comments.
DEFECTS = [
    ("1.1.1.1", PAGAR, *WORKER, "0.6"),  # 2: text coefficient
    ("1.1.1.1", PAGAR, *CEMENT, 26.406),  # 3: number cell
    ("1.1.1.2", SENG, *CEMENT, 26406),  # 4: lost decimal comma
    ("1.1.1.2", SENG, "B.0846", "Bahan", "Kerikil", "Kg", 83349),  # 5: lost comma + unit spelling
    ("1.1.1.2", SENG, *WORKER, "0.6"),  # 6
    ("1.1.1.2", SENG, *WORKER, "0.6"),  # 7: exact duplicate of 6
    ("2.2.1.4.3", BETON, "B.0846", "Bahan", "Kerikil", "kg", "1009.0"),  # 8: large, written with decimals
    ("2.2.1.4.3", BETON, "PR.0001", "Peralatan", "Bor: Auger âˆ… 50 cm", "unit hari", "0.5"),  # 9: mojibake
    ("2.2.1.3.1", "Pemasangan 1 m2 bekisting untuk fondasi", *WORKER, "0.3"),  # 10
    ("1.2.1.1.1", "Penggalian 1 m3 tanah biasa sedalam s.d. 1 m", *WORKER, "0.75"),  # 11
    ("1.1.4.5", PATOK, None, None, "Galian tanah biasa", "m3", "0.273"),  # 12: nested -> 1.2.1.1.1
    ("1.1.4.5", PATOK, None, None, "Bekisting", "m2", "0.4"),  # 13: nested -> 2.2.1.3.1
    ("1.1.4.5", PATOK, None, None, "Beton fc' 15 MPa", "m3", "0.013"),  # 14: nested -> 2.2.1.4.3
    ("1.1.4.5", PATOK, None, None, "Pembesian", "kg", "2.3"),  # 15: nested, not in the file
    ("4.1.1.28", TRUCK, None, None, "Kebutuhan air", None, "5.0"),  # 16: pasted worksheet
    ("4.1.1.28", TRUCK, None, None, "Biaya maintenance Truck / bulan /", NOTE_51, "1900000.0"),  # 17
    ("9.3.1.19", 'Pemasangan 1 m Pipa HDPE,DN. 1" (25 mm)', *WORKER, "0.028"),  # 18
    (
        "9.3.1.19",
        'Pemasangan 1 m Pipa HDPE,DN. 1" (25 mm)',
        "TK.0041",
        "Tenaga Kerja",
        "Tukang Pipa",
        "OH",
        "0.014",
    ),
    ("9.3.1.19", 'Pemotongan 1 m Pipa HDPE,DN. 1" (25 mm)', "B.1313", "Bahan", "Pipa HDPE", "m", "1.0"),  # 20
    ("3.16.2", "Pemasangan Signage Acrylic", *WORKER, "0.5"),  # 21: no unit in the name
]
# Worked out by hand from DEFECTS: 9 analyses + placeholder 1.1.4.5.R1; 17 components (20 rows - 1 merged
# - 2 rejected); suspicious = 7 repaired (coefficients 4, 5; names of 1.1.1.2 and 2.2.1.4.3; item 9;
# units 5 and 9) + 8 flagged (coefficient 8; nested 12-15; no unit for 1.1.4.5 and 3.16.2; 4.1.1.28 empty).
DEFECTS_SUMMARY = "analyses=10 resources=6 components=17 nested=4 suspicious=15"


def make_workbook(path: Path, rows, header=HEADER) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "SNI_2025_AHSP"
    if header:
        sheet.append(header)
    for number, row in enumerate(rows, start=1):
        # like the real file: sumber_ahsp is a formula after the first row
        sheet.append([number, *row, "hasil_1.xlsx", "AHSP 2025" if number == 1 else f"=J{number}"])
    workbook.save(path)
    return path


@pytest.fixture(autouse=True)
def report_dir(settings, tmp_path):
    settings.AHSP_REPORT_DIR = tmp_path / "reports"
    return settings.AHSP_REPORT_DIR


@pytest.fixture
def defects_file(tmp_path):
    return make_workbook(tmp_path / "sni.xlsx", DEFECTS)


def library_state() -> dict:
    """Everything the library holds, comparable before and after."""
    return {
        "resources": sorted(ReferenceResource.objects.values_list("code", "name", "unit", "category")),
        "analyses": sorted(
            ReferenceAnalysis.objects.values_list("source", "code", "name", "unit", "is_suspicious")
        ),
        "components": sorted(
            ReferenceComponent.objects.values_list(
                "analysis__code",
                "position",
                "resource__code",
                "nested_analysis__code",
                "coefficient",
                "is_flagged",
            ),
            key=str,
        ),
        "imports": ReferenceImport.objects.count(),
    }


# ----------------------------------------------------------------------------------------- import


@pytest.mark.django_db
def test_import_handles_every_defect(defects_file, user):
    result = import_reference(defects_file, source="SNI 2025", by=user)

    assert result.summary_line == DEFECTS_SUMMARY
    record = result.record
    assert record.summary_line == DEFECTS_SUMMARY and record.created_by == user
    assert (record.source, record.file_name, record.report_path) == (
        "SNI 2025",
        "sni.xlsx",
        str(result.report_path),
    )
    assert ReferenceAnalysis.objects.count() == 10 and ReferenceComponent.objects.count() == 17
    event = AuditEvent.objects.get()
    assert (event.action, event.actor_id, event.target_type) == ("import", user.pk, "referenceimport")
    assert event.after["summary"] == DEFECTS_SUMMARY

    def component(code, row):
        return ReferenceComponent.objects.get(analysis__code=code, source_row=row)

    repaired = component("1.1.1.2", 4)
    assert (repaired.coefficient, repaired.raw_coefficient, repaired.is_flagged) == (
        Decimal("26.406"),
        "26406",
        True,
    )
    assert "koma desimal hilang" in repaired.flag_reason
    assert component("1.1.1.2", 5).coefficient == Decimal("83.349")
    number_cell = component("1.1.1.1", 3)
    assert (number_cell.coefficient, number_cell.raw_coefficient, number_cell.is_flagged) == (
        Decimal("26.406"),
        "26.406",
        False,
    )
    assert component("1.1.1.1", 2).coefficient == Decimal("0.6")
    assert not ReferenceComponent.objects.filter(coefficient__gte=1000, is_flagged=False).exists()
    assert component("2.2.1.4.3", 8).is_flagged  # 1009 kg: kept, but marked

    seng = ReferenceAnalysis.objects.get(code="1.1.1.2")
    assert seng.name == "Pembuatan 1 m3 pagar seng gelombang" and seng.unit == "m3" and seng.unit_from_name
    assert seng.is_suspicious and "dibagi 1000" in seng.notes
    assert seng.components.count() == 3  # the duplicate line merged
    assert seng.search_text == "1.1.1.2 pembuatan 1 m3 pagar seng gelombang"
    assert seng.sort_key == ReferenceAnalysis.build_sort_key("1.1.1.2")
    assert not ReferenceAnalysis.objects.get(code="1.1.1.1").is_suspicious

    beton = ReferenceAnalysis.objects.get(code="2.2.1.4.3")
    assert beton.name == "1 m3 beton mutu rendah f'c 15 MPa, Slump (100 ± 25) mm"
    auger = ReferenceResource.objects.get(code="PR.0001")
    assert (auger.name, auger.unit, auger.category) == ("Bor: Auger ∅ 50 cm", "unit-hari", "equipment")
    assert ReferenceResource.objects.get(code="B.0846").unit == "kg"
    assert component("1.1.1.2", 5).unit == "kg"

    patok = ReferenceAnalysis.objects.get(code="1.1.4.5")
    nested = list(patok.components.order_by("position").values_list("nested_analysis__code", "is_flagged"))
    assert nested == [("1.2.1.1.1", True), ("2.2.1.3.1", True), ("2.2.1.4.3", True), ("1.1.4.5.R1", True)]
    assert patok.is_suspicious and patok.unit == ""
    placeholder = ReferenceAnalysis.objects.get(code="1.1.4.5.R1")
    assert (placeholder.name, placeholder.unit, placeholder.is_suspicious) == ("Pembesian", "kg", True)
    assert "Lengkapi" in placeholder.notes and not placeholder.components.exists()

    truck = ReferenceAnalysis.objects.get(code="4.1.1.28")
    assert truck.unit == "hari" and truck.is_suspicious and not truck.components.exists()
    assert "lembar hitungan" in truck.notes

    pipe = ReferenceAnalysis.objects.get(code="9.3.1.19")
    assert pipe.name.startswith("Pemasangan") and pipe.components.count() == 3 and pipe.is_suspicious
    signage = ReferenceAnalysis.objects.get(code="3.16.2")
    assert (signage.unit, signage.is_suspicious) == ("", True)


@pytest.mark.django_db
def test_review_report_is_utf8_bom_csv_with_a_line_per_decision(defects_file):
    result = import_reference(defects_file, source="SNI 2025")

    raw = result.report_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert result.report_path.parent == Path(settings.AHSP_REPORT_DIR)
    lines = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert tuple(lines[0]) == REPORT_COLUMNS == ("row", "column", "value", "action", "reason")
    assert len(lines) == len(result.review_rows)
    assert {line["action"] for line in lines} <= set(ACTIONS)
    decisions = {(int(line["row"]), line["column"], line["action"]) for line in lines}
    assert {
        (4, "koefisien", "repaired"),
        (5, "koefisien", "repaired"),
        (5, "satuan", "repaired"),
        (7, "(baris)", "merged"),
        (8, "koefisien", "flagged"),
        (8, "nama_ahsp", "repaired"),
        (9, "item", "repaired"),
        (12, "item", "flagged"),
        (15, "item", "flagged"),
        (16, "(baris)", "rejected"),
        (17, "(baris)", "rejected"),
        (17, "satuan", "rejected"),
        (20, "nama_ahsp", "resolved"),
        (21, "nama_ahsp", "flagged"),
    } <= decisions
    by_row = {(int(line["row"]), line["column"], line["action"]): line for line in lines}
    assert by_row[(17, "satuan", "rejected")]["value"] == NOTE_51
    assert "51 karakter" in by_row[(17, "satuan", "rejected")]["reason"]
    assert by_row[(9, "item", "repaired")]["value"] == "Bor: Auger âˆ… 50 cm"
    assert "'Bor: Auger ∅ 50 cm'" in by_row[(9, "item", "repaired")]["reason"]
    assert "1.1.4.5.R1" in by_row[(15, "item", "flagged")]["reason"]
    assert [int(line["row"]) for line in lines] == sorted(int(line["row"]) for line in lines)


@pytest.mark.django_db
def test_reimport_updates_in_place_without_duplicates(defects_file, tmp_path):
    import_reference(defects_file, source="SNI 2025")
    first_ids = dict(ReferenceAnalysis.objects.values_list("code", "id"))
    state = library_state()

    again = import_reference(defects_file, source="SNI 2025")

    assert again.summary_line == DEFECTS_SUMMARY
    assert library_state() == {**state, "imports": 2}
    assert dict(ReferenceAnalysis.objects.values_list("code", "id")) == first_ids

    changed = [list(row) for row in DEFECTS]
    changed[0][-1] = "0.7"  # Pekerja in 1.1.1.1
    changed[1][4] = "Semen Portland Komposit"  # rows 3 and 4: one name for B.1871
    changed[2][4] = "Semen Portland Komposit"
    import_reference(make_workbook(tmp_path / "v2.xlsx", changed), source="SNI 2025")

    assert ReferenceAnalysis.objects.count() == 10 and ReferenceComponent.objects.count() == 17
    assert dict(ReferenceAnalysis.objects.values_list("code", "id")) == first_ids
    worker = ReferenceComponent.objects.get(analysis__code="1.1.1.1", resource__code="TK.0008")
    assert worker.coefficient == Decimal("0.7")
    assert ReferenceResource.objects.get(code="B.1871").name == "Semen Portland Komposit"
    assert ReferenceResource.objects.count() == 6


@pytest.mark.django_db
def test_another_source_is_a_separate_library_sharing_resources(defects_file):
    import_reference(defects_file, source="SNI 2025")
    import_reference(defects_file, source="SNI 2024")
    assert ReferenceAnalysis.objects.filter(code="1.1.1.1").count() == 2
    assert ReferenceResource.objects.count() == 6
    nested = ReferenceComponent.objects.filter(analysis__source="SNI 2024", nested_analysis__isnull=False)
    assert set(nested.values_list("nested_analysis__source", flat=True)) == {"SNI 2024"}


@pytest.mark.django_db
def test_reimport_keeps_a_completed_placeholder(defects_file):
    import_reference(defects_file, source="SNI 2025")
    placeholder = ReferenceAnalysis.objects.get(code="1.1.4.5.R1")
    placeholder.notes = "Dilengkapi oleh estimator."
    placeholder.save()
    ReferenceComponentFactory(
        analysis=placeholder,
        resource=ReferenceResource.objects.get(code="TK.0008"),
        unit="OH",
        coefficient=Decimal("0.007"),
    )

    import_reference(defects_file, source="SNI 2025")

    placeholder.refresh_from_db()
    assert placeholder.notes == "Dilengkapi oleh estimator." and placeholder.components.count() == 1


@pytest.mark.django_db(transaction=True)
def test_failure_midway_leaves_the_library_unchanged(defects_file, tmp_path, monkeypatch, report_dir):
    import_reference(defects_file, source="SNI 2025")
    before = library_state()
    reports_before = sorted(report_dir.iterdir())
    changed = [list(row) for row in DEFECTS]
    changed[0][-1] = "0.9"
    changed[1][4] = "Semen lain"
    changed.append(("5.1.1", "Pembuatan 1 m2 baru", *WORKER, "0.1"))
    newer = make_workbook(tmp_path / "v2.xlsx", changed)
    original = reference_library.replace_components
    calls = []

    def fail_after_writing(library, **kwargs):
        original(library, **kwargs)  # resources, analyses and components are all written by now
        calls.append(ReferenceComponent.objects.filter(analysis__code="5.1.1").count())
        raise DatabaseError("disk penuh")

    monkeypatch.setattr(reference_library, "replace_components", fail_after_writing)
    with pytest.raises(ImportFailed, match="pustaka referensi tidak berubah"):
        import_reference(newer, source="SNI 2025")

    assert calls == [1]  # the writes did happen before the failure
    assert library_state() == before
    assert sorted(report_dir.iterdir()) == reports_before


@pytest.mark.django_db(transaction=True)
def test_unexpected_error_propagates_and_rolls_back(defects_file, monkeypatch):
    import_reference(defects_file, source="SNI 2025")
    before = library_state()

    def broken(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(reference_library, "write_report", broken)
    with pytest.raises(RuntimeError):
        import_reference(defects_file, source="SNI 2025")
    assert library_state() == before


@pytest.mark.django_db
def test_report_path_given_explicitly(defects_file, tmp_path):
    target = tmp_path / "laporan" / "hasil.csv"
    result = import_reference(defects_file, source="SNI 2025", report_path=target, file_name="asli.xlsx")
    assert result.report_path == target and target.exists()
    assert result.record.file_name == "asli.xlsx" and result.record.report_path == str(target)


# ---------------------------------------------------------------------------------- bad input


def write_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "bukan excel")
    return path


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda p: p, "Berkas tidak ditemukan"),
        (lambda p: p.write_text("id,kode_ahsp\n1,1.1\n") and p, "bukan buku kerja Excel"),
        (write_zip, "bukan buku kerja Excel"),
        (lambda p: make_workbook(p, [], header=None), "Lembar kerja kosong"),
        (lambda p: make_workbook(p, []), "tidak berisi baris data"),
        (
            lambda p: make_workbook(p, [("1.1", "x", "TK.1", "Tenaga Kerja", "Pekerja")], header=HEADER[:6]),
            "Kolom wajib tidak ada: satuan, koefisien",
        ),
    ],
    ids=["missing", "csv", "zip", "empty", "header-only", "columns"],
)
def test_files_that_cannot_be_imported_change_nothing(tmp_path, build, message):
    path = build(tmp_path / "upload.xlsx")
    with pytest.raises(ImportFailed, match=message):
        import_reference(path, source="SNI 2025")
    assert library_state() == {"resources": [], "analyses": [], "components": [], "imports": 0}


@pytest.mark.django_db
def test_blank_source_is_refused(defects_file):
    with pytest.raises(ImportFailed, match="Sumber/edisi wajib"):
        import_reference(defects_file, source="  ")


# ------------------------------------------------------------------------------ command and view


@pytest.mark.django_db
def test_command_prints_the_summary_line_last(defects_file, report_dir):
    out = io.StringIO()
    call_command("import_reference", str(defects_file), "--source", "SNI 2025", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert lines[-1] == DEFECTS_SUMMARY
    assert len(list(report_dir.glob("impor-referensi-*.csv"))) == 1
    assert ReferenceAnalysis.objects.filter(source="SNI 2025").count() == 10


@pytest.mark.django_db
def test_command_report_option(defects_file, tmp_path):
    target = tmp_path / "out.csv"
    out = io.StringIO()
    call_command("import_reference", str(defects_file), "--report", str(target), stdout=out)
    assert target.exists() and str(target) in out.getvalue()


@pytest.mark.django_db
def test_command_errors_are_indonesian_command_errors(tmp_path):
    with pytest.raises(CommandError, match="Berkas tidak ditemukan"):
        call_command("import_reference", str(tmp_path / "tidak-ada.xlsx"))
    bad = tmp_path / "rusak.xlsx"
    bad.write_bytes(b"not a workbook")
    with pytest.raises(CommandError, match="bukan buku kerja Excel"):
        call_command("import_reference", str(bad))


@pytest.mark.django_db
def test_staff_upload_imports_and_shows_the_summary(
    client, make_user, defects_file, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(make_user(is_staff=True))
    upload = SimpleUploadedFile("sni.xlsx", defects_file.read_bytes())
    with django_capture_on_commit_callbacks(execute=True):  # the background job runs on commit
        started = client.post("/referensi/impor/", {"file": upload, "source": "SNI 2025"})
    response = client.get(started["Location"])  # the job page
    assert response.status_code == 200
    assert DEFECTS_SUMMARY in response.text
    assert ReferenceImport.objects.get().file_name == "sni.xlsx"


# --------------------------------------------------------------------------------- real file

SNI_FILE = Path(settings.BASE_DIR).parent / "shared" / "data" / "SNI_2025_AHSP.xlsx"


@pytest.mark.slow
@pytest.mark.django_db
def test_real_sni_2025_workbook():
    if not SNI_FILE.is_file():
        pytest.skip(f"the SNI 2025 workbook is not at {SNI_FILE} (it is never copied into the repository)")

    result = import_reference(SNI_FILE, source="SNI 2025")

    counts = dict(re.findall(r"(\w+)=(\d+)", result.summary_line))
    real = ReferenceAnalysis.objects.exclude(code__regex=r"\.R[0-9]+$")
    assert real.count() == 2305  # every kode_ahsp of the file
    assert 2305 <= int(counts["analyses"]) <= 2320  # plus a few placeholders for unknown nested work
    assert int(counts["resources"]) == ReferenceResource.objects.count() == 2388
    assert 13_500 < int(counts["components"]) == ReferenceComponent.objects.count() < 13_899

    # no absurd coefficient unmarked; every integer cell >= 1000 divided by 1000 and flagged
    assert not ReferenceComponent.objects.filter(coefficient__gte=1000, is_flagged=False).exists()
    integer_cells = ReferenceComponent.objects.filter(raw_coefficient__regex=r"^[0-9]{4,}$")
    assert 700 < integer_cells.count() <= 725
    for raw, coefficient, flagged in integer_cells.values_list(
        "raw_coefficient", "coefficient", "is_flagged"
    ):
        assert flagged and coefficient * 1000 == int(raw)
    cement = ReferenceComponent.objects.get(analysis__code="1.1.1.2", resource__code="B.1871")
    assert (cement.coefficient, cement.raw_coefficient) == (Decimal("26.406"), "26406")

    # the four analyses that list other work are nested, every reference kept
    nested = {
        code: ReferenceComponent.objects.filter(analysis__code=code, nested_analysis__isnull=False).count()
        for code in ("1.1.2.6", "1.1.2.7", "1.1.4.5", "1.1.4.6")
    }
    assert nested == {"1.1.2.6": 4, "1.1.2.7": 5, "1.1.4.5": 5, "1.1.4.6": 5}
    assert int(counts["nested"]) == 19
    dig = ReferenceComponent.objects.get(analysis__code="1.1.4.5", position=1)
    assert dig.nested_analysis.code == "1.2.1.1.1" and dig.is_flagged

    # the pasted water-truck worksheet is rejected, row by row, and its 51-character unit too
    truck = ReferenceAnalysis.objects.get(code="4.1.1.28")
    assert not truck.components.exists() and truck.is_suspicious
    rejected = [r for r in result.review_rows if r.action == "rejected"]
    assert {r.row for r in rejected if r.column == "(baris)"} == set(range(4105, 4124)) - {4115}
    assert [(r.row, r.column) for r in rejected if r.column == "satuan"] == [(4114, "satuan")]

    assert ReferenceAnalysis.objects.get(code="9.3.1.19").name.startswith("Pemasangan 1 m Pipa HDPE")
    merged = [r for r in result.review_rows if r.action == "merged"]
    assert len(merged) == 134
    assert int(counts["suspicious"]) == sum(
        1 for r in result.review_rows if r.action in {"repaired", "flagged"}
    )
    assert not ReferenceAnalysis.objects.filter(name__contains="Â").exists()
    assert not ReferenceResource.objects.filter(name__contains="  ").exists()

    # a second run updates in place
    again = import_reference(SNI_FILE, source="SNI 2025")
    assert again.summary_line == result.summary_line
    assert ReferenceAnalysis.objects.count() == int(counts["analyses"])
    assert ReferenceComponent.objects.count() == int(counts["components"])
