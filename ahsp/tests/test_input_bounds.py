"""Issue 12 §2: inputs that used to answer 500 get a clear Indonesian message instead.

On SQLite the overflow and NUL cases are made to fail the way PostgreSQL fails
(``test_fuzz_inputs.postgres_like_limits``), so these tests fail without the bounds on both databases.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ahsp.forms.prices import PriceForm
from ahsp.forms.projects import ProjectForm
from ahsp.forms.work_items import ParameterForm, VolumeForm
from ahsp.models import AuditEvent, Project, WorkItem
from ahsp.services import parameters, work_items
from ahsp.tests import test_fuzz_inputs
from ahsp.views._params import has_nul, text_param

pytestmark = pytest.mark.django_db
# The fuzz test's seeded project and its PostgreSQL-like limits on SQLite.
world = test_fuzz_inputs.world
postgres_like_limits = test_fuzz_inputs.postgres_like_limits
HX = {"HX-Request": "true"}


def _item(world) -> WorkItem:
    return WorkItem.objects.get(pk=world["ids"]["item_id"][0])


@pytest.mark.parametrize(
    ("unit_rate", "data", "message"),
    [
        # 15 digits fit no volume column once multiplied: refused by the form's bound.
        (None, {"volume": "999.999.999.999.999"}, "Tidak boleh lebih dari 999.999.999,9999"),
        # The largest volume x an HSP of Rp 1e10 is 1e19: more than the Jumlah harga column holds.
        ("10000000000", {"volume": "999.999.999"}, "Jumlah harga terlalu besar"),
        # A formula result of 16 digits.
        (None, {"volume": "", "volume_formula": "9999999999999999"}, "Hasil rumus volume terlalu besar"),
    ],
)
def test_volume_too_large_is_refused_on_the_form(
    world, client, postgres_like_limits, unit_rate, data, message
):
    client.force_login(world["user"])
    item = _item(world)
    if unit_rate:
        WorkItem.objects.filter(pk=item.pk).update(unit_rate=Decimal(unit_rate))
    url = reverse("ahsp:work_item_volume", args=[world["project"].pk, item.pk])

    version = str(WorkItem.objects.get(pk=item.pk).version)
    response = client.post(url, {"volume_formula": "", "version": version, **data}, headers=HX)

    assert response.status_code == 200
    assert message in response.text
    assert WorkItem.objects.get(pk=item.pk).volume == Decimal("12")


def test_parameter_that_makes_a_formula_too_large_marks_the_row(world, postgres_like_limits):
    item = _item(world)
    work_items.set_volume(
        item=item, volume=None, formula="panjang * 2", expected_version=None, by=world["user"]
    )

    parameters.set_value(
        project=world["project"], name="panjang", value=Decimal("999999999"), by=world["user"]
    )

    item = WorkItem.objects.get(pk=item.pk)
    assert item.volume == Decimal("20")
    assert "terlalu besar" in item.volume_error


@pytest.mark.parametrize(
    ("form", "data", "message"),
    [
        (ParameterForm, {"name": "a", "value": "999.999.999.999.999"}, "Tidak boleh lebih dari"),
        (VolumeForm, {"volume": "1.000.000.000"}, "Tidak boleh lebih dari 999.999.999,9999"),
        (PriceForm, {"unit_price": "Rp 1.000.000.000.000"}, "Tidak boleh lebih dari 999.999.999.999,99"),
    ],
)
def test_number_fields_are_bounded_by_their_columns(form, data, message):
    bound = form(data)
    assert not bound.is_valid()
    assert message in str(bound.errors)


def test_price_that_overflows_an_amount_is_refused_and_nothing_is_written(
    world, client, postgres_like_limits
):
    """Pekerja 0,75 OH at Rp 999.999.999.999 makes an HSP of ~Rp 8e11; x a volume of 99.999.999 it
    overflows Jumlah harga: the price is refused with the message, the old price stays."""
    client.force_login(world["user"])
    item = _item(world)
    WorkItem.objects.filter(pk=item.pk).update(volume=Decimal("99999999"))
    resource_id = world["ids"]["resource_id"][0]
    url = reverse("ahsp:project_price_edit", args=[world["project"].pk, resource_id])

    version = str(world["project"].resources.get(pk=resource_id).version)
    response = client.post(url, {"unit_price": "999.999.999.999", "version": version}, headers=HX)

    assert response.status_code == 200
    assert "Jumlah harga terlalu besar" in response.text
    assert world["project"].resources.get(pk=resource_id).unit_price == Decimal("100000")


@pytest.mark.parametrize(
    ("start", "weeks", "field"),
    [
        ("9999-12-31", "4", "start_date"),
        ("0001-01-01", "4", "start_date"),
        ("2100-12-01", "52", "duration_weeks"),
    ],
)
def test_project_dates_stay_within_what_the_schedule_computes(world, start, weeks, field):
    project = world["project"]
    data = {**ProjectForm(instance=project).initial, "start_date": start, "duration_weeks": weeks}
    data = {key: ("" if value is None else value) for key, value in data.items()}

    form = ProjectForm(data, instance=project)

    assert not form.is_valid()
    assert field in form.errors
    assert "1990" in str(form.errors[field]) or "2100" in str(form.errors[field])


def test_latest_start_and_duration_render_the_schedule_pages(world, client):
    """The bounds are computable: a project ending on 31 December 2100 shows every schedule page."""
    client.force_login(world["user"])
    Project.objects.filter(pk=world["project"].pk).update(start_date=date(2100, 12, 4), duration_weeks=4)
    for name in ("ahsp:project_schedule", "ahsp:project_progress", "ahsp:project_s_curve"):
        assert client.get(reverse(name, args=[world["project"].pk])).status_code == 200


def test_work_item_rename_with_nul_is_refused(world, client, postgres_like_limits):
    client.force_login(world["user"])
    item = _item(world)
    url = reverse("ahsp:work_item_rename", args=[world["project"].pk, item.pk])

    response = client.post(url, {"name": "Galian\x00tanah"}, follow=True)

    assert response.status_code == 200
    assert "karakter kontrol" in response.text
    assert WorkItem.objects.get(pk=item.pk).name == "Galian tanah"


@pytest.mark.parametrize(
    "name",
    [
        "ahsp:reference_search",
        "ahsp:work_item_picker",
        "ahsp:project_prices",
        "ahsp:analysis_resource_search",
    ],
)
def test_searches_ignore_nul(world, client, postgres_like_limits, name):
    client.force_login(world["user"])
    pk, item_id = world["project"].pk, world["ids"]["item_id"][0]
    args = {"ahsp:reference_search": [], "ahsp:analysis_resource_search": [pk, item_id]}.get(name, [pk])
    for headers in ({}, HX):
        assert client.get(reverse(name, args=args), {"q": "gal\x00ian"}, headers=headers).status_code == 200


def test_reference_detail_with_nul_in_code_or_source(world, client, postgres_like_limits):
    client.force_login(world["user"])
    assert client.get(reverse("ahsp:reference_detail", args=["2.2\x001"])).status_code == 404
    url = reverse("ahsp:reference_detail", args=["2.2.1.1"])
    assert client.get(url, {"source": "SNI\x00"}).status_code in (200, 404)


@pytest.mark.parametrize("param", ["date_from", "date_to"])
@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01"])
def test_audit_filter_dates_out_of_range_show_a_message(world, client, param, value):
    client.force_login(world["user"])
    response = client.get(reverse("ahsp:project_audit", args=[world["project"].pk]), {param: value})
    assert response.status_code == 200
    assert "Tanggal harus antara 1 Januari 1990 dan 31 Desember 2100." in response.text
    assert AuditEvent.objects.exists()


def test_text_param_and_has_nul():
    assert text_param("  gal\x00ian \n") == "gal ian"
    assert text_param(None) == ""
    assert text_param("x" * 500) == "x" * 100
    assert has_nul("a\x00") and not has_nul("a") and not has_nul(None)


def test_service_refuses_amount_overflow_without_writing(world, postgres_like_limits):
    item = _item(world)
    WorkItem.objects.filter(pk=item.pk).update(unit_rate=Decimal("10000000000"))
    item = WorkItem.objects.get(pk=item.pk)
    with pytest.raises(ValidationError, match="Jumlah harga terlalu besar"):
        work_items.set_volume(
            item=item, volume=Decimal("999999999"), formula="", expected_version=None, by=world["user"]
        )
    assert WorkItem.objects.get(pk=item.pk).volume == Decimal("12")


@pytest.mark.parametrize(
    ("volume", "price", "message"),
    [
        ("12", "1.000.000.000.000", "Harga terlalu besar"),
        ("12", 10**13, "Harga terlalu besar"),
        # Pekerja 0,75 OH x Rp 999.999.999.999 x (1 + BUK 10 %) x 99.999.999 m3 overflows Jumlah harga.
        ("99999999", "999.999.999.999", "Jumlah harga terlalu besar"),
    ],
)
def test_price_import_applies_the_same_bounds(world, postgres_like_limits, volume, price, message):
    from ahsp.services import resources
    from ahsp.tests.test_services_resources import HEADER, xlsx

    WorkItem.objects.filter(pk=_item(world).pk).update(volume=Decimal(volume))
    upload = xlsx([HEADER, ["L.01", "Pekerja", "OH", "Upah", price]])

    report = resources.import_prices(project=world["project"], path_or_file=upload, by=world["user"])

    assert not report.applied
    assert any(message in problem.reason for problem in report.errors)
    assert world["project"].resources.get(code="L.01").unit_price == Decimal("100000")


def _set(sheets, sheet, row, column, value):
    sheets[sheet][row][column] = value
    return sheets


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda s: _set(s, "Pekerjaan", 1, 5, "999.999.999.999.999"), "Angka terlalu besar"),
        (lambda s: _set(s, "Harga", 4, 4, "Rp 1.000.000.000.000"), "Angka terlalu besar"),
        (lambda s: _set(s, "Analisa", 1, 2, "1.000.000.000"), "Angka terlalu besar"),
        (lambda s: _set(s, "Proyek", 6, 1, "31/12/9999"), "2100"),
        (lambda s: _set(s, "Proyek", 6, 1, "01/12/2100"), "2100"),  # + 20 weeks: after 2100
        # Within every bound, but 999.999.999 m2 x an HSP of ~Rp 1e21 overflows Jumlah harga.
        (
            lambda s: _set(_set(s, "Harga", 4, 4, "999.999.999.999"), "Analisa", 1, 2, "999.999.999"),
            "Jumlah harga terlalu besar",
        ),
    ],
)
def test_project_import_applies_the_same_bounds(user, tmp_path, postgres_like_limits, edit, message):
    from ahsp.services.project_import import ProjectImportError, import_project
    from ahsp.tests import test_services_project_import as helpers

    helpers.make_library()
    sheets = edit(helpers.valid_sheets())
    path = helpers.write_workbook(tmp_path / "proyek.xlsx", sheets)

    with pytest.raises(ProjectImportError) as caught:
        import_project(source=path, by=user)

    assert any(message in problem.reason for problem in caught.value.problems), caught.value.problems
    assert helpers.nothing_written()[0]


def test_project_start_date_input_offers_only_the_computable_range():
    html = str(ProjectForm()["start_date"])
    assert 'min="1990-01-01"' in html and 'max="2100-12-31"' in html
