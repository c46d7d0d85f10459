import re
from decimal import Decimal

import pytest
from django.urls import reverse

from ahsp.models import Section, WorkItem
from ahsp.services import sections, work_items
from ahsp.services.work_items import CONFLICT_MESSAGE
from ahsp.tests.estimate_fixtures import make_dig_estimate

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


@pytest.fixture
def estimate(user):
    return make_dig_estimate(user)


def url(name, *args):
    return reverse(f"ahsp:{name}", args=args)


def test_page_shows_numbered_tree(logged_in_client, estimate):
    project = estimate["project"]
    response = logged_in_client.get(url("work_item_list", project.pk))
    assert response.status_code == 200
    assert "I. Pekerjaan Tanah" in response.text and ">I.1<" in response.text
    assert "2.2.1.1" in response.text and "Rp 86.625,00" in response.text


def test_volume_edit_htmx_swaps_row_and_total_oob(logged_in_client, estimate):
    """12,5 m3 x Rp 86.625,00 = Rp 1.082.812,50."""
    project, item = estimate["project"], estimate["item"]
    response = logged_in_client.post(
        url("work_item_volume", project.pk, item.pk), {"volume": "12,5", "version": "1"}, headers=HX
    )
    assert response.status_code == 200
    assert "<html" not in response.text and f'id="item-{item.pk}"' in response.text
    assert 'id="project-total" hx-swap-oob="outerHTML"' in response.text
    assert response.text.count("Rp 1.082.812,50") == 2  # row amount and the total
    assert ">I.1<" in response.text


@pytest.mark.parametrize(
    ("value", "stored", "amount", "shown"),
    [
        ("1.500", "1500", "Rp 129.937.500,00", "1.500,00"),  # 1.500 m3 x Rp 86.625,00: dot = thousands
        ("13,632", "13.632", "Rp 1.180.872,00", "13,632"),  # 13,632 m3 x Rp 86.625,00: comma = decimal
        ("12,5", "12.5", "Rp 1.082.812,50", "12,50"),
    ],
)
def test_volume_reads_indonesian_thousands_and_three_decimals(
    logged_in_client, estimate, value, stored, amount, shown
):
    """The row comes back with the volume as understood in its input (2 to 4 decimals)."""
    project, item = estimate["project"], estimate["item"]
    response = logged_in_client.post(
        url("work_item_volume", project.pk, item.pk), {"volume": value, "version": "1"}, headers=HX
    )
    assert response.status_code == 200
    assert amount in response.text
    assert re.search(
        rf'<input name="volume" inputmode="decimal"[^>]*\s+value="{re.escape(shown)}"', response.text
    )
    item.refresh_from_db()
    assert item.volume == Decimal(stored)


@pytest.mark.parametrize(
    ("value", "message"),
    [("abc", "bukan angka"), ("1.2.3", "tidak konsisten"), ("-5", "negatif"), ("", "Isi volume atau rumus")],
)
def test_volume_invalid_input_200_with_message_and_nothing_written(
    logged_in_client, estimate, value, message
):
    project, item = estimate["project"], estimate["item"]
    response = logged_in_client.post(
        url("work_item_volume", project.pk, item.pk), {"volume": value, "version": "1"}, headers=HX
    )
    assert response.status_code == 200
    assert message in response.text
    item.refresh_from_db()
    assert item.volume == 0 and item.version == 1


def test_volume_formula_error_shown_on_row(logged_in_client, estimate):
    project, item = estimate["project"], estimate["item"]
    response = logged_in_client.post(
        url("work_item_volume", project.pk, item.pk),
        {"volume_formula": "panjang * 2", "version": "1"},
        headers=HX,
    )
    assert response.status_code == 200 and "panjang" in response.text and "tidak dikenal" in response.text


def test_volume_without_js_redirects_back(logged_in_client, estimate):
    project, item = estimate["project"], estimate["item"]
    response = logged_in_client.post(
        url("work_item_volume", project.pk, item.pk), {"volume": "2", "version": "1"}
    )
    assert response.status_code == 302 and response["Location"].endswith(f"#item-{item.pk}")
    item.refresh_from_db()
    assert item.volume == Decimal("2")


def test_section_create_and_invalid(logged_in_client, estimate):
    project = estimate["project"]
    logged_in_client.post(
        url("section_create", project.pk), {"name": "Galian A", "parent": estimate["section"].pk}
    )
    assert Section.objects.filter(project=project, parent=estimate["section"], name="Galian A").exists()
    response = logged_in_client.post(url("section_create", project.pk), {"name": ""}, follow=True)
    assert "Nama klasifikasi wajib diisi." in response.text


def test_picker_fragment_and_add(logged_in_client, estimate):
    project, section, library = estimate["project"], estimate["section"], estimate["library"]
    response = logged_in_client.get(
        url("work_item_picker", project.pk), {"q": "plat beton", "section": section.pk}, headers=HX
    )
    assert "<html" not in response.text and "3.1.2.1" in response.text
    response = logged_in_client.post(
        url("work_item_add", project.pk), {"reference": library["slab"].pk, "section": section.pk}
    )
    assert response.status_code == 302
    assert WorkItem.objects.filter(project=project, analysis__code="3.1.2.1").exists()


def test_add_custom_invalid_and_missing_section(logged_in_client, estimate):
    project, section = estimate["project"], estimate["section"]
    response = logged_in_client.post(
        url("work_item_add", project.pk), {"section": section.pk, "name": "", "unit": "m2"}, follow=True
    )
    assert "Uraian pekerjaan wajib diisi." in response.text
    response = logged_in_client.post(
        url("work_item_add", project.pk), {"name": "X", "unit": "m2"}, follow=True
    )
    assert "Pilih klasifikasi" in response.text
    assert WorkItem.objects.filter(project=project).count() == 1


def _custom_item_form(html: str) -> str:
    """The "Tambah pekerjaan khusus" form of the work breakdown page."""
    start = html.index("Tambah pekerjaan khusus")
    return html[html.rindex("<form", 0, start) : html.index("</form>", start)]


def test_custom_item_form_offers_an_optional_direct_price(logged_in_client, estimate):
    response = logged_in_client.get(url("work_item_list", estimate["project"].pk))

    form = _custom_item_form(response.text)
    (price,) = re.findall(r"<input [^>]*name=\"unit_price\"[^>]*>", form)
    assert 'inputmode="decimal"' in price and "type=" not in price  # a text input, read by the one parser
    assert "required" not in price  # optional: empty = an analysis built later
    assert "Harga satuan langsung (lump sum)" in form
    assert re.findall(r'name="includes_overhead" value="(\d)"', form) == ["0", "1"]
    assert "Sudah termasuk BUK" in form


@pytest.mark.parametrize(
    ("typed", "includes", "unit_rate", "override"),
    [
        ("1.500.000", "1", Decimal("1500000.00"), Decimal("0")),  # BUK included: the item's own BUK 0 %
        ("Rp 1.500.000", "0", None, None),  # BUK added on top: the project's BUK
        ("", "1", Decimal("0"), None),  # no price: an empty analysis, the choice does not apply
    ],
)
def test_custom_item_with_a_direct_price_from_the_work_breakdown_page(
    logged_in_client, estimate, typed, includes, unit_rate, override
):
    project, section = estimate["project"], estimate["section"]
    data = {"section": section.pk, "name": "Papan nama proyek", "unit": "ls", "unit_price": typed}

    response = logged_in_client.post(url("work_item_add", project.pk), data | {"includes_overhead": includes})

    assert response.status_code == 302 and "?lump_sum" not in response["Location"]
    item = WorkItem.objects.get(project=project, name="Papan nama proyek")
    if unit_rate is None:  # Rp 1.500.000 plus the project's BUK
        unit_rate = (Decimal("1500000") * (1 + project.overhead_profit_pct / 100)).quantize(Decimal("0.01"))
    assert (item.unit_rate, item.overhead_pct_override) == (unit_rate, override)


def test_custom_item_with_a_bad_direct_price_is_refused_with_the_parsers_message(logged_in_client, estimate):
    project, section = estimate["project"], estimate["section"]
    data = {"section": section.pk, "name": "Papan nama", "unit": "ls", "unit_price": "satu juta"}

    response = logged_in_client.post(url("work_item_add", project.pk), data, follow=True)

    assert response.redirect_chain[-1][0].startswith(url("work_item_list", project.pk))
    assert "bukan angka" in response.text
    assert not WorkItem.objects.filter(project=project, name="Papan nama").exists()


def test_move_and_delete_with_confirmation(logged_in_client, estimate):
    project, item = estimate["project"], estimate["item"]
    assert (
        logged_in_client.post(url("work_item_move", project.pk, item.pk), {"direction": "up"}).status_code
        == 302
    )
    confirm = logged_in_client.get(url("work_item_delete", project.pk, item.pk))
    assert confirm.status_code == 200 and "Yakin menghapus" in confirm.text
    logged_in_client.post(url("work_item_delete", project.pk, item.pk))
    assert not WorkItem.objects.filter(pk=item.pk).exists()


def test_page_query_count_is_constant(logged_in_client, estimate, user, django_assert_max_num_queries):
    project, section = estimate["project"], estimate["section"]
    for i in range(30):
        work_items.add_custom(project=project, section=section, name=f"P{i}", unit="ls", by=user)
    with django_assert_max_num_queries(12):
        logged_in_client.get(url("work_item_list", project.pk))


@pytest.mark.parametrize(
    ("method", "name", "extra"),
    [
        ("get", "work_item_list", ()),
        ("get", "work_item_picker", ()),
        ("post", "work_item_add", ()),
        ("post", "section_create", ()),
        ("post", "section_move", ("section",)),
        ("get", "section_delete", ("section",)),
        ("post", "section_delete", ("section",)),
        ("post", "work_item_volume", ("item",)),
        ("post", "work_item_move", ("item",)),
        ("get", "work_item_delete", ("item",)),
        ("post", "work_item_delete", ("item",)),
    ],
)
def test_other_users_get_404_everywhere(client, other_user, estimate, method, name, extra):
    client.force_login(other_user)
    args = [estimate["project"].pk] + [estimate[key].pk for key in extra]
    response = getattr(client, method)(
        url(name, *args), {"volume": "1", "name": "x", "direction": "up"}, headers=HX
    )
    assert response.status_code == 404
    assert WorkItem.objects.filter(pk=estimate["item"].pk, volume=0).exists()


def test_rename_item_and_section_and_move_to_another_section(logged_in_client, estimate, user):
    project, item, section = estimate["project"], estimate["item"], estimate["section"]
    other = sections.create(project=project, name="Beton", by=user)

    logged_in_client.post(url("work_item_rename", project.pk, item.pk), {"name": "Galian pondasi"})
    logged_in_client.post(url("section_rename", project.pk, section.pk), {"name": "Tanah"})
    logged_in_client.post(url("work_item_move", project.pk, item.pk), {"section": other.pk})

    item.refresh_from_db()
    section.refresh_from_db()
    assert (item.name, item.section_id, section.name) == ("Galian pondasi", other.pk, "Tanah")
    page = logged_in_client.get(url("work_item_detail", project.pk, item.pk))
    assert "Pindah ke klasifikasi" in page.text and "Galian pondasi" in page.text


def test_rename_with_empty_names_changes_nothing(logged_in_client, estimate):
    project, item, section = estimate["project"], estimate["item"], estimate["section"]
    response = logged_in_client.post(url("work_item_rename", project.pk, item.pk), {"name": " "}, follow=True)
    assert "Uraian pekerjaan wajib diisi." in response.text
    response = logged_in_client.post(url("section_rename", project.pk, section.pk), {"name": ""}, follow=True)
    assert "Nama klasifikasi wajib diisi." in response.text
    item.refresh_from_db()
    section.refresh_from_db()
    assert (item.name, section.name) == ("Galian tanah biasa sedalam s.d. 1 m", "Pekerjaan Tanah")


@pytest.mark.parametrize(("name", "key"), [("work_item_rename", "item"), ("section_rename", "section")])
def test_rename_urls_are_404_for_others(client, other_user, estimate, name, key):
    client.force_login(other_user)
    response = client.post(url(name, estimate["project"].pk, estimate[key].pk), {"name": "x"})
    assert response.status_code == 404


def test_arabic_numbering_on_the_breakdown_and_the_rab(logged_in_client, estimate):
    project = estimate["project"]
    project.numbering_style = "arabic"
    project.save(update_fields=["numbering_style"])
    items_page = logged_in_client.get(url("work_item_list", project.pk))
    assert "1. Pekerjaan Tanah" in items_page.text and ">1.1<" in items_page.text
    rab = logged_in_client.get(url("project_rab_csv", project.pk))
    rows = b"".join(rab.streaming_content).decode("utf-8-sig").splitlines()
    assert rows[1].startswith("1;") and rows[2].startswith("1.1;")


@pytest.fixture
def big_project(settings, estimate, user):
    """Above the eager limit the sections start closed (the limit is lowered to keep the test small)."""
    settings.WORK_BREAKDOWN_EAGER_ITEMS = 3
    project, first = estimate["project"], estimate["section"]
    second = sections.create(project=project, name="Pekerjaan Beton", by=user)
    for i in range(3):
        work_items.add_custom(project=project, section=second, name=f"Beton {i}", unit="m3", by=user)
    return project, first, second


def test_big_breakdown_shows_closed_sections_with_a_lazy_link(logged_in_client, big_project):
    project, first, second = big_project
    page = logged_in_client.get(url("work_item_list", project.pk))
    assert 'class="item-row"' not in page.text
    assert f'hx-get="/projects/{project.pk}/items/sections/{second.pk}/"' in page.text
    assert "Tampilkan 3 pekerjaan" in page.text and "Tampilkan 1 pekerjaan" in page.text


def test_section_fragment_returns_numbered_rows(logged_in_client, big_project):
    project, first, second = big_project
    response = logged_in_client.get(url("work_item_section", project.pk, second.pk), headers=HX)
    assert "<html" not in response.text and "<tbody" not in response.text
    assert response.text.count('class="item-row"') == 3
    assert ">II.3<" in response.text and "Beton 2" in response.text


def test_section_open_without_js(logged_in_client, big_project):
    project, first, second = big_project
    redirect_response = logged_in_client.get(url("work_item_section", project.pk, second.pk))
    assert redirect_response.status_code == 302 and f"?open={second.pk}" in redirect_response["Location"]
    page = logged_in_client.get(url("work_item_list", project.pk) + f"?open={second.pk}")
    assert page.text.count('class="item-row"') == 3 and "Tampilkan 1 pekerjaan" in page.text


def test_big_breakdown_query_count_does_not_grow(
    logged_in_client, big_project, user, django_assert_max_num_queries
):
    project, first, second = big_project
    for i in range(40):
        work_items.add_custom(project=project, section=second, name=f"Tambahan {i}", unit="m3", by=user)
    with django_assert_max_num_queries(10):
        logged_in_client.get(url("work_item_list", project.pk))
    with django_assert_max_num_queries(6):
        logged_in_client.get(url("work_item_section", project.pk, second.pk), headers=HX)


def test_section_fragment_is_404_for_others(client, other_user, estimate):
    client.force_login(other_user)
    response = client.get(
        url("work_item_section", estimate["project"].pk, estimate["section"].pk), headers=HX
    )
    assert response.status_code == 404


@pytest.mark.parametrize("version", [None, "", "abc"])
def test_volume_without_a_valid_version_is_a_conflict_not_a_skipped_check(
    logged_in_client, estimate, version
):
    project, item = estimate["project"], estimate["item"]
    data = {"volume": "12,5"}
    if version is not None:
        data["version"] = version

    response = logged_in_client.post(url("work_item_volume", project.pk, item.pk), data, headers=HX)

    assert response.status_code == 200 and CONFLICT_MESSAGE in response.text
    assert WorkItem.objects.get(pk=item.pk).volume != Decimal("12.5")
