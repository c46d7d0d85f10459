"""Views of the analysis editor (/projects/<id>/items/<item_id>/) and the rincian page (/projects/<id>/ahsp/).

Money values are worked out by hand (see ``build_priced_item``): A = 78.750, B = 13.000, D = 91.750,
E = 9.175, HSP = 100.925,00, volume 2 -> amount 201.850,00.
"""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from ahsp import formatting
from ahsp.models import (
    AnalysisComponent,
    AuditEvent,
    ProjectAnalysis,
    ProjectResource,
    WorkItem,
)
from ahsp.services import analyses, recalc, sections
from ahsp.tests.factories import (
    AnalysisComponentFactory,
    ProjectAnalysisFactory,
    ProjectFactory,
    ProjectResourceFactory,
    ReferenceResourceFactory,
    WorkItemFactory,
)
from ahsp.tests.test_services_analyses import (
    build_priced_item,
    build_reference,
    custom_item,
    reference_item,
    shared_setup,
)

pytestmark = pytest.mark.django_db
D = Decimal
HX = {"HX-Request": "true"}


def detail_url(item):
    return reverse("ahsp:work_item_detail", args=[item.project_id, item.pk])


def component_url(item, component):
    return reverse("ahsp:analysis_component_edit", args=[item.project_id, item.pk, component.pk])


def add_url(item):
    return reverse("ahsp:analysis_component_add", args=[item.project_id, item.pk])


def cell(text, element_id):
    """The text of the element with this id (the first tag only; enough for our cells)."""
    match = re.search(rf'id="{re.escape(element_id)}"[^>]*>(.*?)<', text, re.S)
    assert match, f"no element with id={element_id}"
    return match.group(1).strip()


def app_queries(context):
    """Queries of a request without the session lookup: the session cache (a file cache shared with other
    processes) may or may not hold the session, which would make the count flaky."""
    return [q["sql"] for q in context.captured_queries if "django_session" not in q["sql"]]


def audit_count(project_id):
    return AuditEvent.objects.filter(project_id=project_id).count()


# ---------------------------------------------------------------------------------------------- detail page


def test_detail_page_hand_worked_totals(logged_in_client, user):
    project, _section, item = build_priced_item(user)

    response = logged_in_client.get(detail_url(item))

    assert response.status_code == 200
    text = response.text
    assert "<html" in text and 'id="analysis-sheet"' in text
    assert "A. Tenaga Kerja" in text and "B. Bahan" in text and "C. Peralatan" in text
    assert "Pekerja" in text and "Rp 75.000,00" in text and "Rp 3.750,00" in text and "Rp 13.000,00" in text
    assert cell(text, "subtotal-labour") == "Rp 78.750,00"
    assert cell(text, "subtotal-material") == "Rp 13.000,00"
    assert cell(text, "subtotal-equipment") == "Rp 0,00"
    assert cell(text, "sheet-direct") == "Rp 91.750,00"
    assert cell(text, "sheet-overhead") == "Rp 9.175,00"
    assert cell(text, "sheet-unit-rate") == "Rp 100.925,00"
    assert cell(text, "item-amount") == "Rp 201.850,00"
    for k in ("0.75", "0.025", "10"):  # shown as formatting.py writes a coefficient
        shown = formatting.format_quantity(D(k), formatting.coefficient_places(D(k)))
        assert f'value="{shown}"' in text
    assert "hanya dipakai oleh pekerjaan ini" in text
    assert reverse("ahsp:project_analyses", args=[project.pk]) in text  # the "Rincian AHSP" tab


@pytest.mark.parametrize(("volume", "shown"), [("2", "2,00"), ("13.632", "13,632"), ("2.5", "2,50")])
def test_detail_page_shows_the_volume_as_entered(logged_in_client, user, volume, shown):
    """Issue 11 §12: 2 to 4 decimals, trailing zeros trimmed (not always 4: 2,0000)."""
    _project, _section, item = build_priced_item(user)
    WorkItem.objects.filter(pk=item.pk).update(volume=D(volume))

    response = logged_in_client.get(detail_url(item))

    line = re.search(r'id="item-amount-line">(.*?)</p>', response.text, re.S).group(1)
    assert f"Volume {shown} " in " ".join(line.split())


def test_detail_page_says_how_many_items_share_the_analysis(logged_in_client, user):
    project, section, item = build_priced_item(user)
    WorkItemFactory(
        project=project,
        section=section,
        analysis=item.analysis,
        name="Plesteran lantai 2",
        unit="m2",
        position=5,
    )

    response = logged_in_client.get(detail_url(item))

    assert "Analisa ini dipakai oleh 2 pekerjaan" in response.text
    assert reverse("ahsp:analysis_variant", args=[project.pk, item.pk]) in response.text
    assert "Ubah hanya untuk pekerjaan ini" in response.text


def test_detail_htmx_get_returns_only_the_sheet(logged_in_client, user):
    _project, _section, item = build_priced_item(user)

    response = logged_in_client.get(detail_url(item), headers=HX)

    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.lstrip().startswith('<section id="analysis-sheet"')
    assert cell(response.text, "sheet-unit-rate") == "Rp 100.925,00"


def test_work_item_list_links_to_detail(logged_in_client, user):
    project, _section, item = build_priced_item(user)

    response = logged_in_client.get(reverse("ahsp:work_item_list", args=[project.pk]))

    assert f'href="{detail_url(item)}"' in response.text


def test_detail_of_item_in_another_own_project_is_404(logged_in_client, user):
    _project, _section, item = build_priced_item(user)
    other_project = ProjectFactory(owner=user, name="Proyek kedua")

    response = logged_in_client.get(reverse("ahsp:work_item_detail", args=[other_project.pk, item.pk]))

    assert response.status_code == 404


def test_detail_query_count_independent_of_component_count(
    logged_in_client, user, django_assert_max_num_queries
):
    _project, _section, small = build_priced_item(user)
    project2, section2, big = build_priced_item(user)
    for i in range(30):
        resource = ProjectResourceFactory(
            project=project2,
            code=f"M.{i:02d}",
            name=f"Bahan {i}",
            unit="kg",
            category="material",
            unit_price=D("10"),
        )
        AnalysisComponentFactory(
            analysis=big.analysis, resource=resource, coefficient=D("1"), position=10 + i
        )
    logged_in_client.get(detail_url(small))  # warm the session

    # 10: + the code proposed for a new resource (resources.propose_code)
    with django_assert_max_num_queries(10) as small_ctx:
        logged_in_client.get(detail_url(small))
    with django_assert_max_num_queries(10) as big_ctx:
        response = logged_in_client.get(detail_url(big))

    assert len(app_queries(big_ctx)) == len(app_queries(small_ctx))
    assert "Bahan 29" in response.text


# ---------------------------------------------------------------------------------------------- coefficient edit


def test_coefficient_edit_htmx_updates_sheet_amount_and_modified(logged_in_client, user):
    base, _outer = build_reference()
    project, _section, item = reference_item(user, base)
    component = item.analysis.components.get(resource__code="L.01")
    before = audit_count(project.pk)

    response = logged_in_client.post(component_url(item, component), {"coefficient": "0,8"}, headers=HX)

    # A = 80.000 + 3.750 = 83.750; D = 96.750; E = 9.675; HSP = 106.425; amount = 2 x HSP = 212.850
    assert response.status_code == 200 and "<html" not in response.text
    assert cell(response.text, "subtotal-labour") == "Rp 83.750,00"
    assert cell(response.text, "sheet-direct") == "Rp 96.750,00"
    assert cell(response.text, "sheet-overhead") == "Rp 9.675,00"
    assert cell(response.text, "sheet-unit-rate") == "Rp 106.425,00"
    assert cell(response.text, "item-amount") == "Rp 212.850,00"
    assert "diubah dari referensi" in response.text
    item.refresh_from_db()
    assert item.amount == D("212850.00") and item.unit_rate == D("106425.00")
    assert ProjectAnalysis.objects.get(pk=item.analysis_id).is_modified is True
    assert audit_count(project.pk) == before + 1


def test_coefficient_edit_without_js_redirects_with_message(logged_in_client, user):
    _project, _section, item = build_priced_item(user)
    component = item.analysis.components.get(resource__code="L.01")

    response = logged_in_client.post(component_url(item, component), {"coefficient": "1"}, follow=True)

    assert response.redirect_chain[-1][0].startswith(detail_url(item))
    assert "Koefisien disimpan." in response.text
    component.refresh_from_db()
    assert component.coefficient == D("1")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "bukan angka"),
        ("-1", "tidak boleh negatif"),
        ("1.2.3", "tidak konsisten"),
        ("", "Koefisien wajib diisi."),
        ("0,1234567", "Paling banyak 6 angka di belakang koma."),
    ],
)
def test_coefficient_edit_invalid_input_200_with_message_nothing_written(
    logged_in_client, user, value, message
):
    project, _section, item = build_priced_item(user)
    component = item.analysis.components.get(resource__code="L.01")
    before = audit_count(project.pk)

    response = logged_in_client.post(component_url(item, component), {"coefficient": value}, headers=HX)

    assert response.status_code == 200
    assert message in response.text
    assert 'role="alert"' in response.text
    assert f'value="{value}"' in response.text  # what the user typed stays in the input
    component.refresh_from_db()
    item.refresh_from_db()
    assert component.coefficient == D("0.75") and item.unit_rate == D("100925.00")
    assert audit_count(project.pk) == before


def test_coefficient_edit_invalid_without_js_flashes_error(logged_in_client, user):
    _project, _section, item = build_priced_item(user)
    component = item.analysis.components.get(resource__code="L.01")

    response = logged_in_client.post(component_url(item, component), {"coefficient": "abc"}, follow=True)

    assert "Koefisien tidak disimpan" in response.text and "bukan angka" in response.text
    component.refresh_from_db()
    assert component.coefficient == D("0.75")


def test_coefficient_edit_of_component_of_another_analysis_is_404(logged_in_client, user):
    project, section, item = build_priced_item(user)
    other = custom_item(project, section, user, "Lain")
    foreign = AnalysisComponentFactory(
        analysis=other.analysis,
        resource=ProjectResource.objects.get(code="L.01", project=project),
        coefficient=D("1"),
    )

    response = logged_in_client.post(component_url(item, foreign), {"coefficient": "2"}, headers=HX)

    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.coefficient == D("1")


# ---------------------------------------------------------------------------------------------- add / remove


def test_resource_search_htmx_lists_project_then_reference(logged_in_client, user):
    _project, _section, item = build_priced_item(user)
    ReferenceResourceFactory(code="B.02", name="Semen putih", unit="kg", category="material")
    url = reverse("ahsp:analysis_resource_search", args=[item.project_id, item.pk])

    response = logged_in_client.get(url, {"q": "semen"}, headers=HX)

    assert response.status_code == 200 and "<html" not in response.text
    text = response.text
    assert 'id="resource-results"' in text
    assert text.index("B.01") < text.index("Sumber daya referensi") < text.index("B.02")
    assert 'name="reference_resource"' in text and 'name="resource"' in text


def test_resource_search_without_js_renders_page_with_results(logged_in_client, user):
    _project, _section, item = build_priced_item(user)
    url = reverse("ahsp:analysis_resource_search", args=[item.project_id, item.pk])

    response = logged_in_client.get(url, {"q": "zzz-tidak-ada"})

    assert "<html" in response.text and "Tidak ada sumber daya yang cocok" in response.text


def test_add_reference_resource_copies_into_project(logged_in_client, user):
    project, _section, item = build_priced_item(user)
    pasir = ReferenceResourceFactory(code="B.05", name="Pasir pasang", unit="m3", category="material")
    before = audit_count(project.pk)

    response = logged_in_client.post(
        add_url(item), {"reference_resource": pasir.pk, "coefficient": "0,0175"}, headers=HX
    )

    assert response.status_code == 200
    assert "Pasir pasang" in response.text and "belum ada harga" in response.text
    resource = ProjectResource.objects.get(project=project, code="B.05")
    assert resource.unit_price is None
    assert item.analysis.components.get(resource=resource).coefficient == D("0.0175")
    assert audit_count(project.pk) == before + 1


def test_add_project_resource_updates_totals(logged_in_client, user):
    project, _section, item = build_priced_item(user)
    molen = ProjectResourceFactory(
        project=project, code="E.06", name="Molen", unit="jam", category="equipment", unit_price=D("50000")
    )

    response = logged_in_client.post(add_url(item), {"resource": molen.pk, "coefficient": "0,1"}, headers=HX)

    # C = 5.000; D = 96.750; E = 9.675; HSP = 106.425
    assert cell(response.text, "subtotal-equipment") == "Rp 5.000,00"
    assert cell(response.text, "sheet-unit-rate") == "Rp 106.425,00"


def test_add_duplicate_resource_shows_message(logged_in_client, user):
    project, _section, item = build_priced_item(user)
    semen = ProjectResource.objects.get(project=project, code="B.01")
    before = audit_count(project.pk)

    response = logged_in_client.post(add_url(item), {"resource": semen.pk, "coefficient": "1"}, headers=HX)

    assert response.status_code == 200 and "sudah ada di analisa ini" in response.text
    assert item.analysis.components.count() == 3 and audit_count(project.pk) == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"resource": "1", "coefficient": "x"}, "bukan angka"),
        ({"coefficient": "1"}, "Pilih sumber daya atau analisa"),
        ({"resource": "999999", "coefficient": "1"}, "tidak ditemukan"),
        ({"nested": "abc", "coefficient": "1"}, "tidak ditemukan"),
    ],
)
def test_add_invalid_input_200_with_message(logged_in_client, user, data, message):
    project, _section, item = build_priced_item(user)
    before = audit_count(project.pk)

    response = logged_in_client.post(add_url(item), data, headers=HX)

    assert response.status_code == 200 and message in response.text
    assert item.analysis.components.count() == 3 and audit_count(project.pk) == before


def test_add_resource_of_another_users_project_not_found(logged_in_client, user, other_user):
    project, _section, item = build_priced_item(user)
    foreign = ProjectResourceFactory(
        project=ProjectFactory(owner=other_user),
        code="X.1",
        name="Asing",
        unit="bh",
        category="material",
        unit_price=D("1"),
    )

    response = logged_in_client.post(add_url(item), {"resource": foreign.pk, "coefficient": "1"}, headers=HX)

    assert "tidak ditemukan" in response.text
    assert not AnalysisComponent.objects.filter(resource=foreign).exists()


def test_remove_component(logged_in_client, user):
    project, _section, item = build_priced_item(user)
    semen = item.analysis.components.get(resource__code="B.01")
    url = reverse("ahsp:analysis_component_delete", args=[project.pk, item.pk, semen.pk])

    response = logged_in_client.post(url, headers=HX)

    # D = 78.750; E = 7.875; HSP = 86.625
    assert cell(response.text, "sheet-unit-rate") == "Rp 86.625,00"
    assert not AnalysisComponent.objects.filter(pk=semen.pk).exists()
    assert (
        AuditEvent.objects.filter(project_id=project.pk, summary__contains="dihapus dari analisa").count()
        == 1
    )


# ---------------------------------------------------------------------------------------------- nested


def nested_setup(user):
    """Main M (C.1): Mandor 0,1 x 150.000 = 15.000. Nested N (C.2): Pekerja 1 x 100.000 + Semen 300 x 1.300
    = 490.000 = D_N. With 0,12 N: D_M = 15.000 + 58.800 = 73.800; E = 7.380; HSP = 81.180,00."""
    project = ProjectFactory(owner=user, overhead_profit_pct=D("10"))
    section = sections.create(project=project, name="Beton", by=user)
    main = custom_item(project, section, user, "Pelat 1 m2", volume="1")
    nested = custom_item(project, section, user, "Beton 1 m3", unit="m3")
    pekerja = ProjectResourceFactory(
        project=project, code="L.01", name="Pekerja", unit="OH", category="labour", unit_price=D("100000")
    )
    mandor = ProjectResourceFactory(
        project=project, code="L.04", name="Mandor", unit="OH", category="labour", unit_price=D("150000")
    )
    semen = ProjectResourceFactory(
        project=project,
        code="B.01",
        name="Semen Portland",
        unit="kg",
        category="material",
        unit_price=D("1300"),
    )
    AnalysisComponentFactory(analysis=nested.analysis, resource=pekerja, coefficient=D("1"))
    AnalysisComponentFactory(analysis=nested.analysis, resource=semen, coefficient=D("300"), position=1)
    AnalysisComponentFactory(analysis=main.analysis, resource=mandor, coefficient=D("0.1"))
    recalc.recalculate_project(project)
    return project, main, nested


def test_add_nested_analysis_shows_its_d_and_link(logged_in_client, user):
    project, main, nested = nested_setup(user)

    response = logged_in_client.post(
        add_url(main), {"nested": nested.analysis_id, "coefficient": "0,12"}, headers=HX
    )

    text = response.text
    assert response.status_code == 200
    assert "Analisa lain (bersarang)" in text
    assert "Rp 490.000,00" in text and "Rp 58.800,00" in text
    assert cell(text, "subtotal-nested") == "Rp 58.800,00"
    assert cell(text, "sheet-direct") == "Rp 73.800,00"
    assert cell(text, "sheet-overhead") == "Rp 7.380,00"
    assert cell(text, "sheet-unit-rate") == "Rp 81.180,00"
    assert f"{reverse('ahsp:project_analyses', args=[project.pk])}#analysis-{nested.analysis_id}" in text
    main.refresh_from_db()
    assert main.unit_rate == D("81180.00") and main.amount == D("81180.00")


def test_nested_page_lists_other_analyses_only(logged_in_client, user):
    _project, main, nested = nested_setup(user)

    response = logged_in_client.get(detail_url(main))

    assert f'<option value="{nested.analysis_id}">' in response.text
    assert f'<option value="{main.analysis_id}">' not in response.text


def test_nested_self_cycle_refused(logged_in_client, user):
    project, main, _nested = nested_setup(user)
    before = audit_count(project.pk)

    response = logged_in_client.post(
        add_url(main), {"nested": main.analysis_id, "coefficient": "1"}, headers=HX
    )

    assert response.status_code == 200
    assert "lingkaran: C.1 → C.1" in response.text
    assert main.analysis.components.count() == 1 and audit_count(project.pk) == before


def test_nested_two_step_cycle_refused(logged_in_client, user):
    project, main, nested = nested_setup(user)
    logged_in_client.post(add_url(main), {"nested": nested.analysis_id, "coefficient": "0,12"}, headers=HX)
    before = audit_count(project.pk)

    # C.2 is nested in C.1, so it is shared: changed for every user of it, the cycle is refused.
    response = logged_in_client.post(
        add_url(nested), {"nested": main.analysis_id, "coefficient": "1", "scope": "all"}, headers=HX
    )

    assert response.status_code == 200
    assert (
        "Analisa C.1 tidak dapat dipakai di analisa C.2 karena membentuk lingkaran: C.2 → C.1 → C.2"
        in response.text
    )
    assert nested.analysis.components.count() == 2 and audit_count(project.pk) == before
    assert ProjectAnalysis.objects.filter(project=project).count() == 2  # no copy left behind


# ---------------------------------------------------------------------------------------------- reset, BUK


def test_reset_to_reference_view(logged_in_client, user):
    base, _outer = build_reference()
    project, _section, item = reference_item(user, base)
    component = item.analysis.components.get(resource__code="L.01")
    logged_in_client.post(component_url(item, component), {"coefficient": "0,9"}, headers=HX)
    assert ProjectAnalysis.objects.get(pk=item.analysis_id).is_modified is True
    before = audit_count(project.pk)

    response = logged_in_client.post(reverse("ahsp:analysis_reset", args=[project.pk, item.pk]), headers=HX)

    assert response.status_code == 200
    assert cell(response.text, "sheet-unit-rate") == "Rp 100.925,00"
    assert "diubah dari referensi" not in response.text
    assert "Reset ke referensi" in response.text
    analysis = ProjectAnalysis.objects.get(pk=item.analysis_id)
    assert analysis.is_modified is False
    assert analysis.components.get(resource__code="L.01").coefficient == D("0.75")
    assert audit_count(project.pk) == before + 1


def test_reset_refused_for_custom_analysis_and_button_hidden(logged_in_client, user):
    project, _section, item = build_priced_item(user)

    page = logged_in_client.get(detail_url(item))
    response = logged_in_client.post(reverse("ahsp:analysis_reset", args=[project.pk, item.pk]), headers=HX)

    assert "Reset ke referensi" not in page.text
    assert response.status_code == 200 and "tidak berasal dari AHSP referensi" in response.text


def test_overhead_override_view(logged_in_client, user):
    project, _section, item = build_priced_item(user)
    url = reverse("ahsp:work_item_overhead", args=[project.pk, item.pk])

    response = logged_in_client.post(url, {"overhead_pct": "12,5"}, headers=HX)

    # E = 12,5 % x 91.750 = 11.468,75; HSP = 103.218,75; amount = 206.437,50
    assert cell(response.text, "sheet-overhead") == "Rp 11.468,75"
    assert cell(response.text, "sheet-unit-rate") == "Rp 103.218,75"
    assert cell(response.text, "item-amount") == "Rp 206.437,50"
    assert 'value="12,50"' in response.text and "BUK khusus pekerjaan ini" in response.text

    response = logged_in_client.post(url, {"overhead_pct": ""}, headers=HX)

    assert cell(response.text, "sheet-unit-rate") == "Rp 100.925,00"
    item.refresh_from_db()
    assert item.overhead_pct_override is None
    assert (
        AuditEvent.objects.filter(project_id=project.pk, target_type="workitem", action="update").count() == 2
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("100,01", "antara 0 dan 100"),
        ("-1", "tidak boleh negatif"),
        ("sepuluh", "bukan angka"),
        ("1.234", "antara 0 dan 100"),  # 1234 %: a dot before three digits groups thousands
    ],
)
def test_overhead_override_invalid(logged_in_client, user, value, message):
    project, _section, item = build_priced_item(user)
    before = audit_count(project.pk)

    response = logged_in_client.post(
        reverse("ahsp:work_item_overhead", args=[project.pk, item.pk]), {"overhead_pct": value}, headers=HX
    )

    assert response.status_code == 200 and message in response.text
    assert f'value="{value}"' in response.text
    item.refresh_from_db()
    assert item.overhead_pct_override is None and audit_count(project.pk) == before


# ---------------------------------------------------------------------------------------------- rincian page


def test_project_analyses_page_shows_every_analysis_with_totals(logged_in_client, user):
    project, main, nested = nested_setup(user)
    analyses.add_nested_component(
        analysis=main.analysis, nested=nested.analysis, coefficient=D("0.12"), by=user
    )

    response = logged_in_client.get(reverse("ahsp:project_analyses", args=[project.pk]))

    text = response.text
    assert response.status_code == 200
    assert f'id="analysis-{main.analysis_id}"' in text and f'id="analysis-{nested.analysis_id}"' in text
    assert text.index("C.1 — Pelat 1 m2") < text.index("C.2 — Beton 1 m3")
    assert "Rp 81.180,00" in text  # HSP of C.1
    assert "Rp 539.000,00" in text  # HSP of C.2: 490.000 + 10 % = 539.000
    assert f'href="#analysis-{nested.analysis_id}"' in text
    assert "bersarang di 1 analisa lain" in text
    assert 'aria-current="page">Rincian AHSP' in text
    assert "data-print" in text  # static/js/app.js prints (no inline onclick under the CSP)


def make_analyses(project, count):
    pekerja = ProjectResourceFactory(
        project=project,
        code=f"L.{count}",
        name="Pekerja",
        unit="OH",
        category="labour",
        unit_price=D("100000"),
    )
    semen = ProjectResourceFactory(
        project=project, code=f"B.{count}", name="Semen", unit="kg", category="material", unit_price=None
    )
    previous = None
    for i in range(count):
        analysis = ProjectAnalysisFactory(project=project, code=f"K.{i}", name=f"Analisa {i}", unit="m2")
        AnalysisComponentFactory(analysis=analysis, resource=pekerja, coefficient=D("0.5"))
        AnalysisComponentFactory(analysis=analysis, resource=semen, coefficient=D("2"), position=1)
        if previous is not None:
            AnalysisComponentFactory(
                analysis=analysis, nested_analysis=previous, coefficient=D("0.1"), position=2
            )
        previous = analysis
    recalc.recalculate_project(project)


def test_project_analyses_constant_query_count(logged_in_client, user, django_assert_max_num_queries):
    small = ProjectFactory(owner=user, name="Kecil")
    big = ProjectFactory(owner=user, name="Besar")
    make_analyses(small, 3)
    make_analyses(big, 30)
    logged_in_client.get(reverse("ahsp:project_analyses", args=[small.pk]))  # warm the session

    with django_assert_max_num_queries(5) as small_ctx:
        small_response = logged_in_client.get(reverse("ahsp:project_analyses", args=[small.pk]))
    with django_assert_max_num_queries(5) as big_ctx:
        big_response = logged_in_client.get(reverse("ahsp:project_analyses", args=[big.pk]))

    assert len(app_queries(small_ctx)) == len(app_queries(big_ctx))
    assert small_response.text.count('class="analysis-block"') == 3
    assert big_response.text.count('class="analysis-block"') == 30


def test_project_analyses_empty(logged_in_client, user):
    project = ProjectFactory(owner=user)
    response = logged_in_client.get(reverse("ahsp:project_analyses", args=[project.pk]))
    assert "Belum ada analisa di proyek ini" in response.text


# ---------------------------------------------------------------------------------------------- permissions


def other_users_urls(other_user):
    project, _section, item = build_priced_item(other_user)
    component = item.analysis.components.get(resource__code="L.01")
    pk, iid, cid = project.pk, item.pk, component.pk
    return (
        item,
        component,
        [
            ("get", reverse("ahsp:work_item_detail", args=[pk, iid]), {}),
            ("get", reverse("ahsp:analysis_resource_search", args=[pk, iid]), {"q": "semen"}),
            ("get", reverse("ahsp:project_analyses", args=[pk]), {}),
            ("post", reverse("ahsp:analysis_component_edit", args=[pk, iid, cid]), {"coefficient": "9"}),
            (
                "post",
                reverse("ahsp:analysis_component_add", args=[pk, iid]),
                {"resource": component.resource_id, "coefficient": "1"},
            ),
            ("post", reverse("ahsp:analysis_component_delete", args=[pk, iid, cid]), {}),
            ("post", reverse("ahsp:analysis_reset", args=[pk, iid]), {}),
            ("post", reverse("ahsp:work_item_overhead", args=[pk, iid]), {"overhead_pct": "5"}),
            ("post", reverse("ahsp:analysis_variant", args=[pk, iid]), {}),
            (
                "post",
                reverse("ahsp:work_item_direct_price", args=[pk, iid]),
                {"unit_price": "1", "includes_overhead": "1"},
            ),
            ("post", reverse("ahsp:analysis_component_add", args=[pk, iid]), new_resource_post()),
        ],
    )


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_another_users_project_is_404_on_every_url(logged_in_client, other_user, htmx):
    item, component, urls = other_users_urls(other_user)
    before = audit_count(item.project_id)
    headers = HX if htmx else {}

    for method, url, data in urls:
        response = getattr(logged_in_client, method)(url, data, headers=headers)
        assert response.status_code == 404, url

    component.refresh_from_db()
    item.refresh_from_db()
    assert component.coefficient == D("0.75") and item.overhead_pct_override is None
    assert item.analysis.components.count() == 3
    assert audit_count(item.project_id) == before


def test_anonymous_is_redirected_to_login(client, user):
    _project, _section, item = build_priced_item(user)
    response = client.get(detail_url(item))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_get_on_post_only_urls_is_405(logged_in_client, user):
    project, _section, item = build_priced_item(user)
    response = logged_in_client.get(reverse("ahsp:analysis_reset", args=[project.pk, item.pk]))
    assert response.status_code == 405


# ---------------------------------------------------------------------------------------------- shared analyses


def test_edit_of_shared_analysis_asks_first_and_writes_nothing(logged_in_client, user):
    project, first, second, _wall, _wall2 = shared_setup(user)
    component = first.analysis.components.get(resource__code="L.01")
    before = audit_count(project.pk)

    response = logged_in_client.post(component_url(first, component), {"coefficient": "0,0255"}, headers=HX)

    text = response.text
    assert response.status_code == 200 and "<html" not in text
    assert 'id="scope-confirm"' in text
    assert "Analisa 2.2.1.1 dipakai oleh 2 pekerjaan." in text
    assert "juga dipakai sebagai analisa bersarang di 1 analisa lain" in text
    old, new = formatting.format_coefficient(D("0.75")), formatting.format_coefficient(D("0.0255"))
    assert f"Koefisien L.01 Pekerja diubah dari {old} menjadi {new}." in text
    assert '<input type="hidden" name="coefficient" value="0,0255">' in text
    assert 'name="scope" value="item"' in text and 'name="scope" value="all"' in text
    assert "Ubah untuk semua 2 pekerjaan" in text
    component.refresh_from_db()
    assert component.coefficient == D("0.75") and audit_count(project.pk) == before
    assert ProjectAnalysis.objects.filter(project=project).count() == 2


def test_edit_of_shared_analysis_without_js_asks_on_the_full_page(logged_in_client, user):
    _project, first, _second, _wall, _wall2 = shared_setup(user)
    component = first.analysis.components.get(resource__code="L.01")

    response = logged_in_client.post(component_url(first, component), {"coefficient": "0,0255"})

    assert response.status_code == 200 and "<html" in response.text
    assert 'id="scope-confirm"' in response.text
    assert f'action="{component_url(first, component)}"' in response.text


def test_edit_of_shared_analysis_only_for_this_item(logged_in_client, user):
    project, first, second, wall, _wall2 = shared_setup(user)
    component = first.analysis.components.get(resource__code="L.01")
    before = audit_count(project.pk)

    response = logged_in_client.post(
        component_url(first, component), {"coefficient": "0,0255", "scope": "item"}, headers=HX
    )

    # D = 48.231,481195 (see test_set_coefficient_for_item_changes_only_that_item); HSP 53.054,63
    text = response.text
    assert response.status_code == 200
    assert cell(text, "sheet-unit-rate") == "Rp 53.054,63"
    assert cell(text, "item-amount") == "Rp 723.240,72"
    assert "hanya berlaku untuk pekerjaan ini (analisa 2.2.1.1-a)" in text
    assert "Analisa ini hanya dipakai oleh pekerjaan ini." in text
    first.refresh_from_db()
    assert first.analysis.code == "2.2.1.1-a"
    assert WorkItem.objects.get(pk=second.pk).unit_rate == D("1036943.51")
    assert WorkItem.objects.get(pk=wall.pk).unit_rate == D("2075537.02")
    assert audit_count(project.pk) == before + 1  # the copy and the edit: one user action, one event


def test_edit_of_shared_analysis_for_all_remembers_the_choice(logged_in_client, user):
    project, first, second, wall, _wall2 = shared_setup(user)
    component = first.analysis.components.get(resource__code="L.01")
    before = audit_count(project.pk)

    response = logged_in_client.post(
        component_url(first, component), {"coefficient": "0,0255", "scope": "all"}, headers=HX
    )

    assert cell(response.text, "sheet-unit-rate") == "Rp 53.054,63"
    assert '<input type="hidden" name="scope" value="all">' in response.text  # next edits do not ask
    assert WorkItem.objects.get(pk=second.pk).unit_rate == D("53054.63")
    assert WorkItem.objects.get(pk=wall.pk).unit_rate == D("107759.26")
    assert audit_count(project.pk) == before + 1
    assert ProjectAnalysis.objects.filter(project=project).count() == 2


def test_invalid_edit_of_shared_analysis_reports_the_error_without_asking(logged_in_client, user):
    _project, first, _second, _wall, _wall2 = shared_setup(user)
    component = first.analysis.components.get(resource__code="L.01")

    response = logged_in_client.post(component_url(first, component), {"coefficient": "abc"}, headers=HX)

    assert response.status_code == 200 and "bukan angka" in response.text
    assert 'id="scope-confirm"' not in response.text


@pytest.mark.parametrize("scope", ["item", "all"])
def test_add_and_delete_on_shared_analysis_ask_then_follow_the_choice(logged_in_client, user, scope):
    project, first, second, _wall, _wall2 = shared_setup(user)
    molen = ProjectResourceFactory(
        project=project, code="E.06", name="Molen", unit="jam", category="equipment", unit_price=D("50000")
    )

    asked = logged_in_client.post(add_url(first), {"resource": molen.pk, "coefficient": "0,0255"}, headers=HX)
    assert (
        'id="scope-confirm"' in asked.text and "E.06 Molen ditambahkan dengan koefisien 0,0255." in asked.text
    )

    logged_in_client.post(
        add_url(first), {"resource": molen.pk, "coefficient": "0,0255", "scope": scope}, headers=HX
    )

    # + 0,0255 x 50.000 = 1.275 (C): D = 943.950,9175; HSP = 1.038.346,00925 -> 1.038.346,01
    first.refresh_from_db()
    assert first.unit_rate == D("1038346.01")
    expected_second = D("1038346.01") if scope == "all" else D("1036943.51")
    assert WorkItem.objects.get(pk=second.pk).unit_rate == expected_second

    semen = first.analysis.components.get(resource__code="B.01")
    url = reverse("ahsp:analysis_component_delete", args=[project.pk, first.pk, semen.pk])
    asked = logged_in_client.post(url, headers=HX)
    if scope == "all":  # still shared: asks again
        assert "B.01 Semen Portland dihapus dari analisa." in asked.text
        logged_in_client.post(url, {"scope": "all"}, headers=HX)
    # (scope "item": the first item's analysis is its own now, so the delete applies at once)
    assert not AnalysisComponent.objects.filter(pk=semen.pk).exists()


def test_variant_view_htmx_and_without_js(logged_in_client, user):
    project, first, second, _wall, _wall2 = shared_setup(user)
    url = reverse("ahsp:analysis_variant", args=[project.pk, first.pk])

    response = logged_in_client.post(url, headers=HX)

    assert response.status_code == 200 and "<html" not in response.text
    assert "memakai analisa sendiri 2.2.1.1-a" in response.text
    assert "Analisa ini hanya dipakai oleh pekerjaan ini." in response.text
    assert cell(response.text, "sheet-unit-rate") == "Rp 1.036.943,51"

    response = logged_in_client.post(reverse("ahsp:analysis_variant", args=[project.pk, second.pk]))

    assert response.status_code == 302
    assert response["Location"].endswith(f"/items/{second.pk}/#analysis-sheet")
    second.refresh_from_db()
    assert second.analysis.code == "2.2.1.1-b"
    page = logged_in_client.get(detail_url(second))
    assert "2.2.1.1-b (referensi 2.2.1.1)" in page.text


def test_variant_view_refused_when_not_shared(logged_in_client, user):
    project, _section, item = build_priced_item(user)

    response = logged_in_client.post(reverse("ahsp:analysis_variant", args=[project.pk, item.pk]), headers=HX)

    assert response.status_code == 200 and "hanya dipakai oleh pekerjaan ini" in response.text
    assert ProjectAnalysis.objects.filter(project=project).count() == 1


# ---------------------------------------------------------------------------------------------- new resource, lump sum


def new_resource_post(**changes):
    data = {
        "new_resource": "1",
        "name": "Papan nama proyek",
        "unit": "ls",
        "category": "other",
        "unit_price": "1.234.567,89",
        "coefficient": "0,0255",
        "code": "",
    }
    return {**data, **changes}


def test_detail_page_has_the_new_resource_form_with_text_inputs(logged_in_client, user):
    _project, _section, item = build_priced_item(user)

    text = logged_in_client.get(detail_url(item)).text

    assert 'id="new-resource-form"' in text and 'name="new_resource" value="1"' in text
    assert 'placeholder="L.05"' in text  # L.01 and L.04 taken
    assert 'id="new-price" name="unit_price" inputmode="decimal"' in text
    assert 'type="number"' not in text


def test_add_new_resource_htmx_prices_the_item(logged_in_client, user):
    project, _section, item = build_priced_item(user)
    before = audit_count(project.pk)

    response = logged_in_client.post(add_url(item), new_resource_post(), headers=HX)

    # + 0,0255 x 1.234.567,89 = 31.481,481195 -> D = 123.231,481195; HSP = 135.554,63; amount 271.109,26
    text = response.text
    assert response.status_code == 200 and "<html" not in text
    assert "Sumber daya baru Papan nama proyek (Lain-lain) dibuat dan ditambahkan." in text
    assert "L.05" in text and "Rp 1.234.567,89" in text
    assert cell(text, "subtotal-other") == "Rp 31.481,48"
    assert cell(text, "sheet-unit-rate") == "Rp 135.554,63"
    assert cell(text, "item-amount") == "Rp 271.109,26"
    assert audit_count(project.pk) == before + 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "Nama sumber daya wajib diisi."),
        ({"unit_price": "abc"}, "bukan angka"),
        ({"unit_price": ""}, "Harga satuan wajib diisi."),
        ({"category": "magic"}, "Pilih kategori sumber daya."),
        ({"code": "B.01"}, "Kode B.01 sudah dipakai"),
    ],
)
def test_add_new_resource_invalid_200_nothing_written(logged_in_client, user, changes, message):
    project, _section, item = build_priced_item(user)
    before = (audit_count(project.pk), ProjectResource.objects.filter(project=project).count())

    response = logged_in_client.post(add_url(item), new_resource_post(**changes), headers=HX)

    assert response.status_code == 200 and message in response.text
    assert (audit_count(project.pk), ProjectResource.objects.filter(project=project).count()) == before


def test_add_new_resource_without_js_redirects(logged_in_client, user):
    project, _section, item = build_priced_item(user)

    response = logged_in_client.post(add_url(item), new_resource_post(), follow=True)

    assert response.redirect_chain[-1][0].endswith("#analysis-sheet")
    assert "Sumber daya baru Papan nama proyek (Lain-lain) dibuat dan ditambahkan." in response.text
    assert ProjectResource.objects.filter(project=project, code="L.05", unit_price=D("1234567.89")).exists()


def empty_item(user, *, volume="13.632", name="Papan nama proyek"):
    project = ProjectFactory(owner=user, overhead_profit_pct=D("10"))
    section = sections.create(project=project, name="Persiapan", by=user)
    return project, custom_item(project, section, user, name, unit="ls", volume=volume)


def direct_url(item):
    return reverse("ahsp:work_item_direct_price", args=[item.project_id, item.pk])


def test_empty_item_offers_the_direct_price_form(logged_in_client, user):
    _project, item = empty_item(user)

    text = logged_in_client.get(detail_url(item)).text

    assert (
        'id="direct-price"' in text and 'id="direct-unit-price" name="unit_price" inputmode="decimal"' in text
    )
    assert "Apakah harga ini sudah termasuk BUK?" in text


def test_direct_price_htmx_including_buk(logged_in_client, user):
    """Rp 1.234.567,89 including BUK: BUK 0 %, HSP = 1.234.567,89, amount 13,632 x = 16.829.629,48."""
    project, item = empty_item(user)

    response = logged_in_client.post(
        direct_url(item), {"unit_price": "1.234.567,89", "includes_overhead": "1"}, headers=HX
    )

    text = response.text
    assert response.status_code == 200 and "<html" not in text
    assert "Harga satuan langsung disimpan." in text
    assert "sudah termasuk BUK (BUK pekerjaan ini 0 %)." in text
    assert cell(text, "sheet-unit-rate") == "Rp 1.234.567,89"
    assert cell(text, "item-amount") == "Rp 16.829.629,48"
    assert 'value="1.234.567,89"' in text
    assert re.search(r'value="1" checked', text)


def test_direct_price_htmx_without_buk_says_so(logged_in_client, user):
    """Without BUK: HSP = 1,1 x 1.234.567,89 = 1.358.024,679 -> 1.358.024,68; amount 18.512.592,44."""
    _project, item = empty_item(user)

    response = logged_in_client.post(
        direct_url(item), {"unit_price": "1234567.89", "includes_overhead": "0"}, headers=HX
    )

    assert "belum termasuk BUK: BUK 10 % ditambahkan." in response.text
    assert cell(response.text, "sheet-unit-rate") == "Rp 1.358.024,68"
    assert cell(response.text, "item-amount") == "Rp 18.512.592,44"


@pytest.mark.parametrize(
    ("value", "message"), [("abc", "bukan angka"), ("", "Harga satuan wajib diisi."), ("-5", "negatif")]
)
def test_direct_price_invalid_200_value_kept(logged_in_client, user, value, message):
    project, item = empty_item(user)
    before = audit_count(project.pk)

    response = logged_in_client.post(
        direct_url(item), {"unit_price": value, "includes_overhead": "0"}, headers=HX
    )

    assert response.status_code == 200 and message in response.text
    assert 'id="direct-price-error"' in response.text and f'value="{value}"' in response.text
    assert audit_count(project.pk) == before and not item.analysis.components.exists()


def test_direct_price_refused_for_item_with_components_and_form_hidden(logged_in_client, user):
    project, _section, item = build_priced_item(user)

    page = logged_in_client.get(detail_url(item))
    response = logged_in_client.post(
        direct_url(item), {"unit_price": "5", "includes_overhead": "0"}, headers=HX
    )

    assert 'id="direct-price"' not in page.text
    assert response.status_code == 200 and "sudah berisi komponen" in response.text


def test_direct_price_without_js_redirects(logged_in_client, user):
    _project, item = empty_item(user)

    response = logged_in_client.post(direct_url(item), {"unit_price": "1.500.000", "includes_overhead": "0"})

    assert response.status_code == 302
    item.refresh_from_db()
    assert item.unit_rate == D("1650000.00")


def test_picker_page_offers_a_lump_sum_item(logged_in_client, user):
    project, _section, _item = build_priced_item(user)

    text = logged_in_client.get(reverse("ahsp:work_item_picker", args=[project.pk])).text

    assert 'id="lump-sum-form"' in text and 'id="lump-price" name="unit_price" inputmode="decimal"' in text
    assert 'type="number"' not in text


def test_lump_sum_item_added_priced(logged_in_client, user):
    """Mobilisasi 1 ls at Rp 1.234.567,89 including BUK: HSP = 1.234.567,89 (its own BUK 0 %)."""
    project, section, _item = build_priced_item(user)
    data = {
        "lump_sum": "1",
        "section": section.pk,
        "name": "Mobilisasi dan demobilisasi",
        "unit": "ls",
        "unit_price": "1.234.567,89",
        "includes_overhead": "1",
    }

    response = logged_in_client.post(reverse("ahsp:work_item_add", args=[project.pk]), data)

    assert response.status_code == 302
    item = WorkItem.objects.get(project=project, name="Mobilisasi dan demobilisasi")
    assert item.unit_rate == D("1234567.89") and item.overhead_pct_override == D("0")
    assert item.analysis.components.get().resource.code == "L.05"


def test_lump_sum_item_invalid_price_back_to_the_picker(logged_in_client, user):
    project, section, _item = build_priced_item(user)
    data = {"lump_sum": "1", "section": section.pk, "name": "Mobilisasi", "unit": "ls", "unit_price": "abc"}

    response = logged_in_client.post(reverse("ahsp:work_item_add", args=[project.pk]), data, follow=True)

    assert response.redirect_chain[0][0].endswith(f"/items/picker/?section={section.pk}")
    assert "bukan angka" in response.text
    assert not WorkItem.objects.filter(project=project, name="Mobilisasi").exists()


# ---------------------------------------------------------------------------------------------- BUK above 15 %


def test_overhead_above_the_government_ceiling_saved_with_a_warning(logged_in_client, user):
    """20 %: E = 18.350; HSP = 110.100,00; amount 220.200,00 (D = 91.750, volume 2)."""
    project, _section, item = build_priced_item(user)
    url = reverse("ahsp:work_item_overhead", args=[project.pk, item.pk])

    response = logged_in_client.post(url, {"overhead_pct": "20"}, headers=HX)

    assert response.status_code == 200
    assert cell(response.text, "sheet-unit-rate") == "Rp 110.100,00"
    assert cell(response.text, "item-amount") == "Rp 220.200,00"
    assert 'id="overhead-warning"' in response.text
    assert "BUK 20 % di atas batas 15 % untuk pekerjaan pemerintah" in response.text
    assert 'id="overhead-warning"' in logged_in_client.get(detail_url(item)).text

    response = logged_in_client.post(url, {"overhead_pct": "15"}, headers=HX)

    assert cell(response.text, "sheet-unit-rate") == "Rp 105.512,50"
    assert 'id="overhead-warning"' not in response.text
