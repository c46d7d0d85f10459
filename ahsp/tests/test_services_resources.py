"""Services of the resource prices (harga satuan dasar): price edits, purchase units, removal, import."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from ahsp.importers import prices_workbook
from ahsp.models import AuditEvent, ProjectResource, WorkItem
from ahsp.parsing import NumberInputError
from ahsp.services import recalc, sections, work_items
from ahsp.services import resources as resource_services
from ahsp.services.work_items import CONFLICT_MESSAGE, ConflictError
from ahsp.tests.factories import AnalysisComponentFactory, ProjectFactory, ProjectResourceFactory

pytestmark = pytest.mark.django_db


def make_estimate(user, *, worker_price=None):
    """One work item "Galian tanah" (volume 10 m3, BUK 10 %) whose analysis uses
    Pekerja 0,75 OH (price given) and Mandor 0,025 OH @ Rp 150.000; plus an unused resource Semen."""
    project = ProjectFactory(owner=user)
    section = sections.create(project=project, name="Pekerjaan Tanah", by=user)
    item = work_items.add_custom(
        project=project, section=section, name="Galian tanah biasa", unit="m3", by=user
    )
    worker = ProjectResourceFactory(
        project=project, code="L.01", name="Pekerja", unit="OH", category="labour", unit_price=worker_price
    )
    foreman = ProjectResourceFactory(
        project=project,
        code="L.04",
        name="Mandor",
        unit="OH",
        category="labour",
        unit_price=Decimal("150000"),
    )
    cement = ProjectResourceFactory(
        project=project, code="B.01", name="Semen Portland", unit="kg", category="material"
    )
    AnalysisComponentFactory(analysis=item.analysis, resource=worker, coefficient=Decimal("0.75"))
    AnalysisComponentFactory(analysis=item.analysis, resource=foreman, coefficient=Decimal("0.025"))
    WorkItem.objects.filter(pk=item.pk).update(volume=Decimal("10"))
    recalc.recalculate_project(project)
    item.refresh_from_db()
    return project, item, worker, foreman, cement


def xlsx(rows, *, title="Harga", extra_sheets=()) -> io.BytesIO:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for name, other_rows in extra_sheets:
        other = workbook.create_sheet(name)
        for row in other_rows:
            other.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "harga.xlsx"
    return buffer


HEADER = ["kode_item", "uraian", "satuan", "kategori", "harga_satuan"]


# ---------------------------------------------------------------- set_price


def test_set_price_updates_hsp_and_amount_of_the_work_item(user):
    project, item, worker, _foreman, _cement = make_estimate(user)
    # Before: Pekerja has no price -> D = 0,025 x 150.000 = 3.750; E = 375; HSP = 4.125; amount 41.250.
    assert item.unit_rate == Decimal("4125.00") and item.amount == Decimal("41250.00")
    item.analysis.refresh_from_db()
    assert item.analysis.missing_prices == 1

    resource_services.set_price(resource=worker, unit_price=Decimal("100000"), by=user)

    # A = 0,75 x 100.000 + 0,025 x 150.000 = 75.000 + 3.750 = 78.750 = D (no material/equipment)
    # E = 10 % x 78.750 = 7.875; HSP = 78.750 + 7.875 = 86.625,00; amount = 10 x 86.625 = 866.250,00
    item.refresh_from_db()
    item.analysis.refresh_from_db()
    assert item.analysis.labour == Decimal("78750")
    assert item.analysis.direct == Decimal("78750")
    assert item.analysis.missing_prices == 0
    assert item.unit_rate == Decimal("86625.00")
    assert item.amount == Decimal("866250.00")


def test_set_price_records_one_audit_event_with_before_and_after(user):
    project, _item, worker, _foreman, _cement = make_estimate(user)
    AuditEvent.objects.all().delete()

    resource_services.set_price(resource=worker, unit_price=Decimal("100000"), by=user)

    event = AuditEvent.objects.get()
    assert event.action == AuditEvent.Action.UPDATE
    assert event.target_type == "projectresource" and event.target_id == str(worker.pk)
    assert event.project_id == project.pk and event.actor_id == user.pk
    assert event.before == {"unit_price": None}
    assert event.after == {"unit_price": "100000.00"}
    assert "Pekerja" in event.summary and "Rp 100.000,00" in event.summary


def test_set_price_without_change_writes_nothing(user):
    _project, _item, _worker, foreman, _cement = make_estimate(user)
    AuditEvent.objects.all().delete()

    resource_services.set_price(resource=foreman, unit_price=Decimal("150000.00"), by=user)

    assert not AuditEvent.objects.exists()


def test_set_price_can_clear_a_price_and_the_analysis_counts_it_missing(user):
    _project, item, _worker, foreman, _cement = make_estimate(user, worker_price=Decimal("100000"))

    resource_services.set_price(resource=foreman, unit_price=None, by=user)

    foreman.refresh_from_db()
    item.refresh_from_db()
    item.analysis.refresh_from_db()
    assert foreman.unit_price is None
    assert item.analysis.missing_prices == 1
    # Only Pekerja: D = 75.000; E = 7.500; HSP = 82.500,00; amount 825.000,00
    assert item.unit_rate == Decimal("82500.00") and item.amount == Decimal("825000.00")


def test_set_price_per_purchase_unit_gives_the_base_price(user):
    project, item, _worker, _foreman, cement = make_estimate(user, worker_price=Decimal("100000"))
    AnalysisComponentFactory(analysis=item.analysis, resource=cement, coefficient=Decimal("2"))

    updated = resource_services.set_price(
        resource=cement,
        unit_price=None,
        purchase_unit=" zak ",
        purchase_factor=Decimal("50"),
        purchase_price=Decimal("65000"),
        by=user,
    )

    # 1 zak = 50 kg at Rp 65.000 per zak -> Rp 65.000 / 50 = Rp 1.300,00 per kg
    assert updated.unit_price == Decimal("1300.00")
    assert updated.purchase_unit == "zak" and updated.purchase_factor == Decimal("50")
    # D = 78.750 + 2 kg x 1.300 = 81.350; E = 8.135; HSP = 89.485,00; amount = 894.850,00
    item.refresh_from_db()
    assert item.unit_rate == Decimal("89485.00") and item.amount == Decimal("894850.00")
    event = AuditEvent.objects.filter(target_type="projectresource").get()
    assert event.after == {"unit_price": "1300.00", "purchase_unit": "zak", "purchase_factor": "50.000000"}
    assert "Rp 65.000,00 per zak" in event.summary
    assert event.project_id == project.pk


@pytest.mark.parametrize(
    ("purchase_price", "factor", "expected"),
    [
        (Decimal("65000"), Decimal("50"), Decimal("1300.00")),
        (Decimal("65000"), Decimal("40"), Decimal("1625.00")),
        (Decimal("100000"), Decimal("3"), Decimal("33333.33")),  # 33.333,333... -> down
        (Decimal("200000"), Decimal("3"), Decimal("66666.67")),  # 66.666,666... -> up
        (Decimal("10"), Decimal("8"), Decimal("1.25")),  # exact
        (Decimal("0.05"), Decimal("2"), Decimal("0.03")),  # 0,025: a half goes up
        (Decimal("1000"), Decimal("0.5"), Decimal("2000.00")),  # factor below 1 (1 unit = 0,5 base)
    ],
)
def test_base_price_from_purchase_rounds_to_cents_half_up(purchase_price, factor, expected):
    result = resource_services.base_price_from_purchase(purchase_price, factor)
    assert result == expected
    assert result.as_tuple().exponent == -2


def test_set_price_keeps_the_purchase_unit_when_the_base_price_is_typed(user):
    _project, _item, _worker, _foreman, cement = make_estimate(user)

    updated = resource_services.set_price(
        resource=cement,
        unit_price=Decimal("1400"),
        purchase_unit="zak",
        purchase_factor=Decimal("50"),
        by=user,
    )

    assert updated.unit_price == Decimal("1400.00") and updated.purchase_unit == "zak"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"unit_price": Decimal("1"), "purchase_unit": "zak"}, "purchase_unit"),
        ({"unit_price": Decimal("1"), "purchase_factor": Decimal("50")}, "purchase_unit"),
        (
            {"unit_price": Decimal("1"), "purchase_unit": "zak", "purchase_factor": Decimal("0")},
            "purchase_factor",
        ),
        ({"unit_price": None, "purchase_price": Decimal("65000")}, "purchase_price"),
        ({"unit_price": Decimal("-1")}, "unit_price"),
    ],
)
def test_set_price_rejects_inconsistent_input_and_writes_nothing(user, kwargs, field):
    _project, _item, _worker, _foreman, cement = make_estimate(user)
    AuditEvent.objects.all().delete()

    with pytest.raises(ValidationError) as info:
        resource_services.set_price(resource=cement, by=user, **kwargs)

    assert field in info.value.message_dict
    cement.refresh_from_db()
    assert cement.unit_price is None and cement.purchase_unit == "" and cement.purchase_factor is None
    assert not AuditEvent.objects.exists()


# ---------------------------------------------------------------- optimistic locking (version)


def test_set_price_with_a_stale_version_conflicts_and_writes_nothing(user):
    """Two users load Pekerja at version 1; the first save wins, the second gets the conflict instead of
    silently overwriting it (and is not audited)."""
    _project, item, worker, _foreman, _cement = make_estimate(user)
    AuditEvent.objects.all().delete()
    loaded = worker.version
    assert loaded == 1

    first = resource_services.set_price(
        resource=worker, unit_price=Decimal("100000"), expected_version=loaded, by=user
    )
    with pytest.raises(ConflictError) as info:
        resource_services.set_price(
            resource=worker, unit_price=Decimal("120000"), expected_version=loaded, by=user
        )

    assert first.version == 2
    assert str(info.value) == CONFLICT_MESSAGE
    worker.refresh_from_db()
    assert worker.unit_price == Decimal("100000.00") and worker.version == 2
    assert AuditEvent.objects.count() == 1
    item.refresh_from_db()
    assert item.amount == Decimal("866250.00")  # priced with the first user's Rp 100.000


def test_set_price_with_the_current_version_succeeds_and_bumps_it(user):
    _project, _item, worker, _foreman, _cement = make_estimate(user)
    resource_services.set_price(resource=worker, unit_price=Decimal("100000"), expected_version=1, by=user)

    updated = resource_services.set_price(
        resource=worker, unit_price=Decimal("120000"), expected_version=2, by=user
    )

    assert updated.version == 3 and updated.unit_price == Decimal("120000.00")
    assert ProjectResource.objects.get(pk=worker.pk).version == 3


def test_set_price_of_the_purchase_unit_only_bumps_the_version(user):
    _project, _item, _worker, foreman, _cement = make_estimate(user)

    updated = resource_services.set_price(
        resource=foreman,
        unit_price=Decimal("150000"),
        purchase_unit="hari",
        purchase_factor=Decimal("1"),
        expected_version=1,
        by=user,
    )

    assert updated.purchase_unit == "hari" and updated.version == 2


def test_set_price_without_change_keeps_the_version_and_audits_nothing(user):
    _project, _item, _worker, foreman, _cement = make_estimate(user)
    AuditEvent.objects.all().delete()

    same = resource_services.set_price(
        resource=foreman, unit_price=Decimal("150000.00"), expected_version=1, by=user
    )

    assert same.version == 1 and ProjectResource.objects.get(pk=foreman.pk).version == 1
    assert not AuditEvent.objects.exists()


def test_set_price_conflict_comes_before_input_errors(user):
    """A stale form is reported as a conflict even when its input is also inconsistent."""
    _project, _item, worker, _foreman, _cement = make_estimate(user)
    ProjectResource.objects.filter(pk=worker.pk).update(version=5)

    with pytest.raises(ConflictError):
        resource_services.set_price(
            resource=worker, unit_price=Decimal("1"), purchase_unit="zak", expected_version=4, by=user
        )


def test_import_prices_bumps_the_version_of_changed_resources_only(user):
    project, _item, worker, foreman, cement = make_estimate(user)

    report = resource_services.import_prices(
        project=project,
        path_or_file=xlsx(
            [HEADER, ["L.01", "Pekerja", "OH", "", 100000], ["L.04", "Mandor", "OH", "", 150000]]
        ),
        by=user,
    )

    assert report.applied and [c.code for c in report.changes] == ["L.01"]
    versions = dict(ProjectResource.objects.values_list("code", "version"))
    assert versions == {"L.01": 2, "L.04": 1, "B.01": 1}
    # A price form loaded before the import is stale now.
    AuditEvent.objects.all().delete()
    with pytest.raises(ConflictError):
        resource_services.set_price(resource=worker, unit_price=Decimal("1"), expected_version=1, by=user)
    worker.refresh_from_db()
    assert worker.unit_price == Decimal("100000.00")
    assert not AuditEvent.objects.exists()


# ---------------------------------------------------------------- delete_unused


def test_delete_unused_removes_the_resource_and_audits(user):
    project, _item, _worker, _foreman, cement = make_estimate(user)
    AuditEvent.objects.all().delete()

    resource_services.delete_unused(resource=cement, by=user)

    assert not ProjectResource.objects.filter(pk=cement.pk).exists()
    event = AuditEvent.objects.get()
    assert event.action == AuditEvent.Action.DELETE and event.target_id == str(cement.pk)
    assert event.project_id == project.pk and event.before["code"] == "B.01"


def test_delete_unused_refuses_a_resource_that_became_used(user):
    _project, item, _worker, _foreman, cement = make_estimate(user)
    AnalysisComponentFactory(analysis=item.analysis, resource=cement, coefficient=Decimal("1"))
    AuditEvent.objects.all().delete()

    with pytest.raises(ValidationError) as info:
        resource_services.delete_unused(resource=cement, by=user)

    assert "dipakai oleh 1 analisa" in info.value.messages[0]
    assert ProjectResource.objects.filter(pk=cement.pk).exists()
    assert not AuditEvent.objects.exists()


# ---------------------------------------------------------------- import_prices


def test_import_prices_happy_path_updates_recalculates_and_audits_once(user):
    project, item, worker, foreman, cement = make_estimate(user)
    AnalysisComponentFactory(analysis=item.analysis, resource=cement, coefficient=Decimal("2"))
    AuditEvent.objects.all().delete()
    rows = [
        HEADER,
        ["L.01", "Pekerja", "OH", "Tenaga Kerja", 100000],  # numeric cell
        ["L.04", "Mandor", "OH", "Tenaga Kerja", "Rp 150.000,00"],  # text, same price: unchanged
        [],  # blank line: skipped, row numbers keep counting
        ["B.01", "Semen Portland", "Kg", "Bahan", "1.300,00"],  # Indonesian text; Kg = kg
        ["B.99", "Pasir Pasang", "m3", "Bahan", 250000],  # unknown to the project: reported, not created
    ]

    report = resource_services.import_prices(project=project, path_or_file=xlsx(rows), by=user)

    assert report.ok and report.applied
    assert report.sheet == "Harga" and report.rows_read == 4
    assert [(c.code, c.old, c.new) for c in report.changes] == [
        ("B.01", None, Decimal("1300.00")),
        ("L.01", None, Decimal("100000.00")),
    ]
    assert report.unchanged == 1
    assert report.unknown_codes == ["B.99"]
    assert [(n.row, n.column) for n in report.notes] == [(6, "A (kode_item)")]
    assert not ProjectResource.objects.filter(code="B.99").exists()
    worker.refresh_from_db()
    cement.refresh_from_db()
    assert worker.unit_price == Decimal("100000.00") and cement.unit_price == Decimal("1300.00")
    # D = 75.000 + 3.750 + 2 x 1.300 = 81.350; E = 8.135; HSP = 89.485,00; amount = 894.850,00
    item.refresh_from_db()
    assert item.unit_rate == Decimal("89485.00") and item.amount == Decimal("894850.00")
    event = AuditEvent.objects.get()
    assert event.action == AuditEvent.Action.IMPORT
    assert event.target_type == "project" and event.project_id == project.pk
    assert "2 harga diubah, 1 tidak berubah, 1 kode tidak dipakai di proyek ini" in event.summary
    assert event.before == {"B.01": None, "L.01": None}
    assert event.after == {"B.01": "1300.00", "L.01": "100000.00"}


def test_import_prices_all_or_nothing_reports_every_bad_row(user):
    project, item, worker, foreman, cement = make_estimate(user)
    AuditEvent.objects.all().delete()
    rows = [
        HEADER,
        ["L.01", "Pekerja", "OH", "Tenaga Kerja", 100000],  # valid, but must not be written
        ["L.04", "Mandor", "OH", "Tenaga Kerja", "seratus ribu"],  # text
        ["B.01", "Semen", "kg", "Bahan", -1300],  # negative
        ["B.01", "Semen", "kg", "Bahan", "1.3.00"],  # inconsistent grouping
        ["L.04", "Mandor", "OH", "Tenaga Kerja", 12.345],  # 3 decimals
        [None, "Tanpa kode", "m3", "Bahan", 5000],  # a price without a code
    ]

    report = resource_services.import_prices(project=project, path_or_file=xlsx(rows), by=user)

    assert not report.ok and not report.applied
    problems = [(p.sheet, p.row, p.column, p.value) for p in report.errors]
    assert problems == [
        ("Harga", 3, "E (harga_satuan)", "seratus ribu"),
        ("Harga", 4, "E (harga_satuan)", "-1300"),
        ("Harga", 5, "E (harga_satuan)", "1.3.00"),
        ("Harga", 6, "E (harga_satuan)", "12.345"),
        ("Harga", 7, "A (kode_item)", ""),
    ]
    reasons = [p.reason for p in report.errors]
    assert "bukan angka" in reasons[0]
    assert "tidak boleh negatif" in reasons[1]
    assert "tidak konsisten" in reasons[2]
    assert "2 angka di belakang koma" in reasons[3]
    assert "Kode item kosong" in reasons[4]
    assert "Tidak ada harga yang diubah" in report.summary
    worker.refresh_from_db()
    assert worker.unit_price is None
    item.refresh_from_db()
    assert item.unit_rate == Decimal("4125.00")
    assert not AuditEvent.objects.exists()


def test_import_prices_same_code_twice_with_different_prices_is_an_error(user):
    project, _item, worker, _foreman, _cement = make_estimate(user)
    rows = [HEADER, ["L.01", "Pekerja", "OH", "", 100000], ["L.01", "Pekerja", "OH", "", 110000]]

    report = resource_services.import_prices(project=project, path_or_file=xlsx(rows), by=user)

    assert [(p.row, p.value) for p in report.errors] == [(3, "110000")]
    assert "baris 2" in report.errors[0].reason
    worker.refresh_from_db()
    assert worker.unit_price is None


def test_import_prices_accepts_kode_column_other_sheet_float_noise_and_notes_unit_and_empty_price(user):
    project, _item, worker, foreman, cement = make_estimate(user)
    rows = [
        ["Kode", "Uraian", "Satuan", "Kategori", "Harga Satuan"],
        ["l.01", "Pekerja", "OH", "Tenaga Kerja", 1430.0000000000002],  # code case differs; float noise
        ["B.01", "Semen", "zak", "Bahan", 65000],  # unit differs from the project's (kg): noted
        ["L.04", "Mandor", "OH", "Tenaga Kerja", None],  # empty price: noted, unchanged
    ]
    workbook = xlsx([["catatan"], ["bukan tabel harga"]], title="Catatan", extra_sheets=[("Daftar", rows)])

    report = resource_services.import_prices(project=project, path_or_file=workbook, by=user)

    assert report.ok and report.sheet == "Daftar"
    worker.refresh_from_db()
    cement.refresh_from_db()
    foreman.refresh_from_db()
    assert worker.unit_price == Decimal("1430.00")
    assert cement.unit_price == Decimal("65000.00")
    assert foreman.unit_price == Decimal("150000.00")
    notes = {(n.row, n.column): n.reason for n in report.notes}
    assert "berbeda dengan satuan di proyek (kg)" in notes[(3, "C (satuan)")]
    assert "Harga kosong" in notes[(4, "E (harga_satuan)")]


def test_import_prices_from_a_path(user, tmp_path):
    project, _item, worker, _foreman, _cement = make_estimate(user)
    path = tmp_path / "harga.xlsx"
    path.write_bytes(xlsx([HEADER, ["L.01", "Pekerja", "OH", "", "100000"]]).getvalue())

    report = resource_services.import_prices(project=project, path_or_file=path, by=user)

    assert report.ok and report.file_name == "harga.xlsx"
    worker.refresh_from_db()
    assert worker.unit_price == Decimal("100000.00")


def test_import_prices_without_required_columns_is_reported(user):
    project, *_ = make_estimate(user)

    report = resource_services.import_prices(
        project=project,
        path_or_file=xlsx([["kode_item", "uraian", "harga"], ["L.01", "Pekerja", 1]]),
        by=user,
    )

    assert not report.ok
    assert report.errors[0].row == 1 and "harga_satuan" in report.errors[0].reason


def test_import_prices_from_a_file_that_is_not_xlsx_is_reported(user):
    project, *_ = make_estimate(user)
    upload = io.BytesIO(b"kode_item;harga_satuan\nL.01;100000\n")
    upload.name = "harga.xlsx"

    report = resource_services.import_prices(project=project, path_or_file=upload, by=user)

    assert not report.ok and "bukan buku kerja Excel" in report.errors[0].reason
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).exists()


def test_import_prices_with_nothing_changed_writes_no_audit_event(user):
    project, *_ = make_estimate(user)
    AuditEvent.objects.all().delete()

    report = resource_services.import_prices(
        project=project, path_or_file=xlsx([HEADER, ["L.04", "Mandor", "OH", "", 150000]]), by=user
    )

    assert report.ok and report.unchanged == 1 and not report.changes and not report.applied
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (100000, Decimal("100000.00")),
        (1300.5, Decimal("1300.50")),
        ("1.250.000", Decimal("1250000.00")),
        ("1250000,5", Decimal("1250000.50")),
        ("Rp 65.000,00", Decimal("65000.00")),
        ("Rp 65.000", Decimal("65000.00")),  # two decimals at most: a thousands group
        ("  ", None),
        (None, None),
        (0, Decimal("0.00")),
    ],
)
def test_parse_price_cell_valid(cell, expected):
    assert prices_workbook.parse_price_cell(cell) == expected


@pytest.mark.parametrize("cell", [True, "abc", -1, "1,2,50", "Rp 65.00.0", 1.005, 10**16, float("nan")])
def test_parse_price_cell_invalid(cell):
    with pytest.raises(NumberInputError):
        prices_workbook.parse_price_cell(cell)


# ---------------------------------------------------------------------------------------------- new resources


def test_propose_code_per_category_next_number(user):
    project = ProjectFactory(owner=user)
    for code in ("L.01", "L.07", "L.x", "TK.P.02", "TK.0008"):
        ProjectResourceFactory(project=project, code=code, name=code, unit="ls", category="other")

    proposed = {
        c: resource_services.propose_code(project=project, category=c)
        for c in resource_services.NEW_CODE_PREFIXES
    }

    assert proposed == {"labour": "TK.P.03", "material": "B.P.01", "equipment": "PR.P.01", "other": "L.08"}


def test_insert_resource_validates_and_proposes_the_code(user):
    project = ProjectFactory(owner=user)

    resource = resource_services.insert_resource(
        project=project,
        code=" ",
        name=" Papan nama ",
        unit="ls",
        category="other",
        unit_price=Decimal("1234567.89"),
    )

    assert (resource.code, resource.name, resource.unit_price) == (
        "L.01",
        "Papan nama",
        Decimal("1234567.89"),
    )
    with pytest.raises(ValidationError, match="sudah dipakai"):
        resource_services.insert_resource(
            project=project, code="l.01", name="Lain", unit="ls", category="other", unit_price=None
        )
    with pytest.raises(ValidationError):
        resource_services.insert_resource(
            project=project, code="", name="", unit="ls", category="other", unit_price=None
        )
    assert ProjectResource.objects.filter(project=project).count() == 1
