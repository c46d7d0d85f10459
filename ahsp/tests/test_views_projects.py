from decimal import Decimal

import pytest
from django.urls import reverse

from ahsp.models import AuditEvent, Project, ProjectResource
from ahsp.tests.factories import ProjectFactory
from ahsp.tests.rab_data import build_small_rab

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}
PROJECT_POST = {
    "name": "Gedung Baru",
    "status": "draft",
    "overhead_profit_pct": "10",
    "vat_pct": "11",
    "rounding_step": "1000",
    "rounding_mode": "down",
    "hsp_rounding_step": "0",
    "numbering_style": "roman",
}


def test_dashboard_requires_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_dashboard_full_page_lists_only_own_projects(logged_in_client, user, other_user):
    ProjectFactory(owner=user, name="Proyek Saya")
    ProjectFactory(owner=other_user, name="Proyek Orang Lain")

    response = logged_in_client.get("/")

    assert response.status_code == 200
    text = response.text
    assert "<html" in text and "Proyek Saya" in text
    assert "Proyek Orang Lain" not in text
    assert 'lang="id"' in text


def test_dashboard_htmx_returns_only_the_list_fragment(logged_in_client, user):
    ProjectFactory(owner=user, name="Gedung A", location="Bandung")
    ProjectFactory(owner=user, name="Gedung B", location="Garut")

    response = logged_in_client.get("/?q=garut", headers=HX)

    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="project-list"' in response.text
    assert "Gedung B" in response.text and "Gedung A" not in response.text


def test_dashboard_paginates_20_per_page_and_keeps_filters(logged_in_client, user):
    for i in range(45):
        ProjectFactory(owner=user, name=f"Proyek {i:02d}", status="active" if i % 2 else "draft")

    page1 = logged_in_client.get("/?sort=name&status=draft")
    page2 = logged_in_client.get("/?sort=name&status=draft&page=2", headers=HX)

    assert page1.text.count('id="project-') == 20 + 1  # 20 rows + the section itself
    assert "Proyek 00" in page1.text
    assert "status=draft" in page1.text and "page=2" in page1.text
    assert page2.text.count('<tr id="project-') == 3  # 23 draft projects: 20 + 3
    assert "Proyek 40" in page2.text and "Proyek 01" not in page2.text


def test_dashboard_invalid_filter_is_ignored_not_500(logged_in_client, user):
    ProjectFactory(owner=user, name="Ada")
    response = logged_in_client.get("/?status=bogus&sort=drop_table&page=abc")
    assert response.status_code == 200
    assert "Ada" in response.text


def test_dashboard_query_count_is_bounded(logged_in_client, user, django_assert_max_num_queries):
    for i in range(60):
        ProjectFactory(owner=user, name=f"P{i}")
    with django_assert_max_num_queries(6):
        response = logged_in_client.get("/?page=2", headers=HX)
    assert response.status_code == 200


def test_create_project_full_page_redirects_and_audits(logged_in_client, user):
    response = logged_in_client.post(
        reverse("ahsp:project_create"),
        {**PROJECT_POST, "name": "Gedung Baru"},
    )
    project = Project.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/projects/{project.pk}/"
    assert project.owner == user
    assert AuditEvent.objects.filter(project_id=project.pk, action="create").count() == 1


def test_create_project_htmx_invalid_returns_form_with_200_and_message(logged_in_client):
    response = logged_in_client.post(
        reverse("ahsp:project_create"),
        {**PROJECT_POST, "name": "", "overhead_profit_pct": "101"},
        headers=HX,
    )
    assert response.status_code == 200
    assert "<html" not in response.text and 'id="project-form"' in response.text
    assert "Nama proyek wajib diisi." in response.text
    assert "Harus antara 0 dan 100." in response.text  # BUK: 0-100 %
    assert Project.objects.count() == 0


def test_create_project_htmx_success_uses_client_redirect(logged_in_client):
    response = logged_in_client.post(
        reverse("ahsp:project_create"),
        {**PROJECT_POST, "name": "Via HTMX"},
        headers=HX,
    )
    project = Project.objects.get()
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"/projects/{project.pk}/"


def test_edit_with_stale_version_shows_conflict_message(logged_in_client, user):
    project = ProjectFactory(owner=user, name="Awal")
    form = {**PROJECT_POST, "name": "Edit saya", "version": "1"}
    Project.objects.filter(pk=project.pk).update(version=2, name="Diubah orang lain")

    response = logged_in_client.post(reverse("ahsp:project_edit", args=[project.pk]), form, headers=HX)

    assert response.status_code == 200
    assert "sudah diubah oleh pengguna lain" in response.text
    project.refresh_from_db()
    assert project.name == "Diubah orang lain"


def test_edit_saves_and_redirects(logged_in_client, user):
    project = ProjectFactory(owner=user, name="Awal")
    form = {
        **PROJECT_POST,
        "name": "Akhir",
        "status": "active",
        "overhead_profit_pct": "12.5",
        "rounding_step": "100",
        "version": "1",
    }
    response = logged_in_client.post(reverse("ahsp:project_edit", args=[project.pk]), form)
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.name, project.status, str(project.overhead_profit_pct), project.version) == (
        "Akhir",
        "active",
        "12.50",
        2,
    )


def test_archive_and_delete_with_confirmation(logged_in_client, user):
    project = ProjectFactory(owner=user, name="Hapus Saya")
    logged_in_client.post(reverse("ahsp:project_archive", args=[project.pk]))
    project.refresh_from_db()
    assert project.status == "archived"

    wrong = logged_in_client.post(
        reverse("ahsp:project_delete", args=[project.pk]), {"confirm_name": "salah"}
    )
    assert wrong.status_code == 200 and "tidak sama" in wrong.text
    assert Project.objects.filter(pk=project.pk).exists()

    right = logged_in_client.post(
        reverse("ahsp:project_delete", args=[project.pk]), {"confirm_name": "Hapus Saya"}
    )
    assert right.status_code == 302
    assert not Project.objects.filter(pk=project.pk).exists()


@pytest.mark.parametrize(
    ("method", "url_name"),
    [
        ("get", "ahsp:project_detail"),
        ("get", "ahsp:project_edit"),
        ("post", "ahsp:project_edit"),
        ("post", "ahsp:project_archive"),
        ("get", "ahsp:project_delete"),
        ("post", "ahsp:project_delete"),
    ],
)
def test_other_users_project_urls_are_404(client, user, other_user, method, url_name):
    project = ProjectFactory(owner=other_user, name="Rahasia")
    client.force_login(user)

    response = getattr(client, method)(reverse(url_name, args=[project.pk]), {"confirm_name": "Rahasia"})

    assert response.status_code == 404
    project.refresh_from_db()
    assert project.status == "draft"


def test_project_detail_shows_header_fields_and_history(logged_in_client, user):
    project = ProjectFactory(owner=user, name="Gedung X", funding_source="DAK", budget_ceiling="1234567.5")
    response = logged_in_client.get(project.get_absolute_url())
    assert response.status_code == 200
    assert "DAK" in response.text and "Rp 1.234.567,50" in response.text


# ------------------------------------------------------------------ numbers in the project form (§6, §9)


def post_project(client, headers=None, **fields):
    return client.post(reverse("ahsp:project_create"), {**PROJECT_POST, **fields}, headers=headers or {})


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"budget_ceiling": "1.500.000.000"}, {"budget_ceiling": Decimal("1500000000")}),
        ({"budget_ceiling": "Rp 1.500.000.000,50"}, {"budget_ceiling": Decimal("1500000000.50")}),
        ({"budget_ceiling": "1500000000.5"}, {"budget_ceiling": Decimal("1500000000.50")}),
        ({"overhead_profit_pct": "12,5"}, {"overhead_profit_pct": Decimal("12.50")}),
        ({"overhead_profit_pct": "12.5"}, {"overhead_profit_pct": Decimal("12.50")}),
        ({"vat_pct": "11%"}, None),  # no % sign: an error, below
        ({"vat_pct": "0"}, {"vat_pct": Decimal("0")}),
        ({"fiscal_year": "2026", "duration_weeks": "24"}, {"fiscal_year": 2026, "duration_weeks": 24}),
    ],
)
def test_project_numbers_are_read_the_indonesian_way(logged_in_client, fields, expected):
    response = post_project(logged_in_client, **fields)
    if expected is None:
        assert response.status_code == 200 and Project.objects.count() == 0
        return
    assert response.status_code == 302
    project = Project.objects.get()
    assert {name: getattr(project, name) for name in expected} == expected


def test_overhead_above_15_is_saved_with_a_warning(logged_in_client):
    response = post_project(logged_in_client, overhead_profit_pct="20")
    project = Project.objects.get()
    assert response.status_code == 302 and project.overhead_profit_pct == Decimal("20")
    page = logged_in_client.get(response["Location"]).text
    assert "BUK 20 % di atas batas 15 % untuk pekerjaan pemerintah (Permen PUPR 8/2023)" in page
    edit = logged_in_client.get(reverse("ahsp:project_edit", args=[project.pk])).text
    assert 'id="overhead-warning"' in edit and "di atas batas 15 %" in edit


def test_overhead_of_15_has_no_warning(logged_in_client):
    response = post_project(logged_in_client, overhead_profit_pct="15")
    page = logged_in_client.get(response["Location"]).text
    assert "di atas batas" not in page
    edit = logged_in_client.get(reverse("ahsp:project_edit", args=[Project.objects.get().pk])).text
    assert 'id="overhead-warning"' not in edit


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"budget_ceiling": "satu miliar"}, "bukan angka"),
        ({"budget_ceiling": "1.500.00.000"}, "pemisah ribuan tidak konsisten"),
        ({"budget_ceiling": "-5"}, "tidak boleh negatif"),
        ({"budget_ceiling": "1,5055"}, "Paling banyak 2 angka di belakang koma"),
        ({"overhead_profit_pct": "abc"}, "bukan angka"),
        ({"overhead_profit_pct": "101"}, "Harus antara 0 dan 100."),
        ({"overhead_profit_pct": ""}, "Angka wajib diisi."),
        ({"vat_pct": "11%"}, "bukan angka"),
        ({"fiscal_year": "2026,5"}, "bilangan bulat"),
        ({"fiscal_year": "1500"}, "Harus antara 1990 dan 2100."),
        ({"duration_weeks": "0"}, "Harus antara 1 dan 520."),
        ({"duration_weeks": "²"}, "bukan angka"),
    ],
)
def test_bad_project_numbers_come_back_with_a_message_200_and_nothing_saved(
    logged_in_client, fields, message
):
    response = post_project(logged_in_client, headers=HX, **fields)
    assert response.status_code == 200
    assert "<html" not in response.text and 'id="project-form"' in response.text
    assert message in response.text
    typed = next(iter(fields.values()))
    assert f'value="{typed}"' in response.text or not typed  # what the user typed stays in the input
    assert Project.objects.count() == 0


def test_edit_form_shows_stored_numbers_formatted(logged_in_client, user):
    project = ProjectFactory(
        owner=user,
        budget_ceiling=Decimal("1500000000"),
        overhead_profit_pct=Decimal("12.5"),
        vat_pct=Decimal("11"),
        fiscal_year=2026,
        duration_weeks=24,
    )
    text = logged_in_client.get(reverse("ahsp:project_edit", args=[project.pk])).text
    assert 'name="budget_ceiling" value="1.500.000.000,00"' in text
    assert 'name="overhead_profit_pct" value="12,5"' in text
    assert 'name="vat_pct" value="11"' in text
    assert 'name="fiscal_year" value="2026"' in text
    assert 'name="duration_weeks" value="24"' in text
    assert 'type="number"' not in text
    assert text.count('inputmode="decimal"') == 3 and text.count('inputmode="numeric"') == 2


def test_edit_form_in_english_shows_numbers_the_english_way(logged_in_client, user):
    project = ProjectFactory(
        owner=user, budget_ceiling=Decimal("1500000000"), overhead_profit_pct=Decimal("12.5")
    )
    logged_in_client.cookies["django_language"] = "en"
    text = logged_in_client.get(reverse("ahsp:project_edit", args=[project.pk])).text
    assert 'name="budget_ceiling" value="1,500,000,000.00"' in text
    assert 'name="overhead_profit_pct" value="12.5"' in text


def test_saved_form_reads_back_unchanged(logged_in_client, user):
    """Saving the edit form as shown changes nothing: "1.500.000.000,00" and "12,5" read back exactly."""
    project = ProjectFactory(
        owner=user, name="Awal", budget_ceiling=Decimal("1500000000"), overhead_profit_pct=Decimal("12.5")
    )
    response = logged_in_client.post(
        reverse("ahsp:project_edit", args=[project.pk]),
        {
            **PROJECT_POST,
            "name": "Awal",
            "budget_ceiling": "1.500.000.000,00",
            "overhead_profit_pct": "12,5",
            "version": "1",
        },
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.budget_ceiling, project.overhead_profit_pct) == (Decimal("1500000000"), Decimal("12.5"))


def test_dashboard_marks_a_project_whose_rab_is_incomplete(logged_in_client, user):
    complete = build_small_rab(user, name="Lengkap").project
    incomplete = build_small_rab(user, name="Belum lengkap").project
    ProjectResource.objects.filter(project=incomplete, code="M.15").update(unit_price=None)

    html = logged_in_client.get("/").content.decode()

    flagged = html.split(f'href="/projects/{incomplete.pk}/"')[1].split("</td>")[0]
    clean = html.split(f'href="/projects/{complete.pk}/"')[1].split("</td>")[0]
    assert "RAB belum lengkap" in flagged and "RAB belum lengkap" not in clean


@pytest.mark.parametrize("version", [None, "", "abc", "-1"])
def test_edit_without_a_valid_version_is_a_conflict_not_a_skipped_check(logged_in_client, user, version):
    """Leaving the version out must not skip the optimistic-locking check (it used to mean "current")."""
    project = ProjectFactory(owner=user, name="Awal")
    form = {**PROJECT_POST, "name": "Tanpa versi"}
    if version is not None:
        form["version"] = version

    response = logged_in_client.post(reverse("ahsp:project_edit", args=[project.pk]), form, headers=HX)

    assert response.status_code == 200
    assert "sudah diubah oleh pengguna lain" in response.text
    project.refresh_from_db()
    assert (project.name, project.version) == ("Awal", 1)
