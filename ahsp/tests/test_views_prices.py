"""The resource price page (/projects/<id>/prices/): page, active search, inline edit, removal, import."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ahsp.models import AnalysisComponent, AuditEvent, ProjectResource, WorkbookImportJob, WorkItem
from ahsp.services import resources as resource_services
from ahsp.services.work_items import CONFLICT_MESSAGE
from ahsp.tests.factories import AnalysisComponentFactory, ProjectFactory, ProjectResourceFactory
from ahsp.tests.test_services_resources import HEADER, make_estimate, xlsx

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


def prices_url(project):
    return reverse("ahsp:project_prices", args=[project.pk])


def edit_url(project, resource):
    return reverse("ahsp:project_price_edit", args=[project.pk, resource.pk])


def delete_url(project, resource):
    return reverse("ahsp:project_price_delete", args=[project.pk, resource.pk])


def import_url(project):
    return reverse("ahsp:project_prices_import", args=[project.pk])


def upload(rows, name="harga.xlsx"):
    return SimpleUploadedFile(
        name,
        xlsx(rows).getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@pytest.fixture
def run_import(logged_in_client, django_capture_on_commit_callbacks):
    """POST a price upload; its job is enqueued on commit and runs at once (HUEY immediate in the tests).
    The POST's redirect to the job page, and that page."""

    def run(project, rows, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            response = logged_in_client.post(import_url(project), {"file": upload(rows)}, **kwargs)
        job = WorkbookImportJob.objects.latest("pk")
        if "HX-Request" in kwargs.get("headers", {}):
            return response, logged_in_client.get(f"/imports/{job.pk}/", headers=HX)
        assert response.status_code == 302 and response["Location"] == f"/imports/{job.pk}/"
        return response, logged_in_client.get(response["Location"])

    return run


# ---------------------------------------------------------------- page and search


def test_urls_are_the_stable_ones(user):
    project = ProjectFactory(owner=user)
    assert prices_url(project) == f"/projects/{project.pk}/prices/"
    assert import_url(project) == f"/projects/{project.pk}/prices/import/"
    assert edit_url(project, type("R", (), {"pk": 7})) == f"/projects/{project.pk}/prices/7/"
    assert delete_url(project, type("R", (), {"pk": 7})) == f"/projects/{project.pk}/prices/7/delete/"


def test_page_requires_login(client, user):
    project = ProjectFactory(owner=user)
    response = client.get(prices_url(project))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_page_lists_used_resources_by_category_and_counts_missing_prices(logged_in_client, user):
    project, _item, worker, foreman, cement = make_estimate(user)

    response = logged_in_client.get(prices_url(project))

    assert response.status_code == 200
    text = response.text
    assert "<html" in text and 'aria-current="page">Harga Satuan Dasar' in text
    assert "Tenaga Kerja" in text
    # Pekerja has no price: highlighted and counted; Mandor is priced.
    assert f'<tr id="resource-{worker.pk}" class="price-row flagged price-missing">' in text
    assert f'<tr id="resource-{foreman.pk}" class="price-row">' in text
    assert 'id="missing-count"' in text and "<strong>1</strong> sumber daya belum berharga" in text
    assert 'value="150.000,00"' in text  # Mandor's price, ready to edit
    assert "1 analisa" in text
    # Semen is in the project but used by no analysis: listed apart with a remove button, not in the table.
    assert f'id="resource-{cement.pk}"' not in text
    assert f'id="unused-{cement.pk}"' in text and delete_url(project, cement) in text
    assert 'action="' + import_url(project) + '"' in text


def test_page_shows_the_purchase_unit_and_price_per_purchase_unit(logged_in_client, user):
    project, item, _worker, _foreman, cement = make_estimate(user)
    AnalysisComponentFactory(analysis=item.analysis, resource=cement, coefficient=Decimal("2"))
    ProjectResource.objects.filter(pk=cement.pk).update(
        unit_price=Decimal("1300"), purchase_unit="zak", purchase_factor=Decimal("50")
    )

    text = logged_in_client.get(prices_url(project)).text

    assert "Bahan" in text
    assert 'name="purchase_unit" size="5" maxlength="60" placeholder="zak"' in text
    assert 'value="zak"' in text and 'value="50"' in text
    assert "Rp 65.000,00 / zak" in text


def test_page_when_all_prices_are_set(logged_in_client, user):
    project, *_ = make_estimate(user, worker_price=Decimal("100000"))
    text = logged_in_client.get(prices_url(project)).text
    assert "Semua sumber daya yang dipakai sudah berharga." in text
    assert "price-missing" not in text


def test_search_htmx_returns_only_the_table(logged_in_client, user):
    project, _item, worker, foreman, _cement = make_estimate(user)

    response = logged_in_client.get(prices_url(project), {"q": "mandor"}, headers=HX)

    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.lstrip().startswith('<div id="price-table">')
    assert f'id="resource-{foreman.pk}"' in response.text
    assert f'id="resource-{worker.pk}"' not in response.text
    assert "HX-Request" in response["Vary"]


def test_search_plain_get_by_code_and_no_match(logged_in_client, user):
    project, _item, worker, foreman, _cement = make_estimate(user)

    by_code = logged_in_client.get(prices_url(project), {"q": "l.01"})
    nothing = logged_in_client.get(prices_url(project), {"q": "besi beton"}, headers=HX)

    assert "<html" in by_code.text and 'value="l.01"' in by_code.text
    assert f'id="resource-{worker.pk}"' in by_code.text and f'id="resource-{foreman.pk}"' not in by_code.text
    assert "Tidak ada sumber daya yang cocok dengan “besi beton”." in nothing.text


def _add_resources(project, analysis, count, start=0):
    resources = ProjectResource.objects.bulk_create(
        ProjectResource(
            project=project,
            code=f"B.{start + i:04d}",
            name=f"Bahan {start + i}",
            unit="kg",
            category=["labour", "material", "equipment", "other"][i % 4],
            unit_price=None if i % 3 else Decimal("1000"),
        )
        for i in range(count)
    )
    AnalysisComponent.objects.bulk_create(
        AnalysisComponent(analysis=analysis, resource=resource, coefficient=Decimal("1"))
        for resource in resources
    )


def _app_queries(context) -> list[str]:
    """The queries of a request without the session read: sessions are cached_db, and the test cache is
    shared by parallel (xdist) workers, whose autouse cache.clear() can force one extra session SELECT."""
    return [q["sql"] for q in context.captured_queries if "django_session" not in q["sql"]]


def test_page_query_count_does_not_grow_with_resources(logged_in_client, user, django_assert_max_num_queries):
    project, item, *_ = make_estimate(user)
    ProjectResourceFactory(project=project, code="X.1", name="Tak dipakai", unit="bh", category="other")
    _add_resources(project, item.analysis, 3)  # 5 used resources

    with CaptureQueriesContext(connection) as small:
        assert logged_in_client.get(prices_url(project)).status_code == 200
    with CaptureQueriesContext(connection) as small_fragment:
        assert logged_in_client.get(prices_url(project), {"q": "a"}, headers=HX).status_code == 200

    _add_resources(project, item.analysis, 195, start=3)  # 200 used resources
    # user, project, used resources (with their analysis counts), missing count, unused; (+ session)
    with django_assert_max_num_queries(6) as large:
        response = logged_in_client.get(prices_url(project))
    assert response.text.count('class="price-row') == 200
    with django_assert_max_num_queries(4) as large_fragment:  # user, project, used resources; (+ session)
        logged_in_client.get(prices_url(project), {"q": "a"}, headers=HX)

    assert len(_app_queries(small)) == len(_app_queries(large)) == 5
    assert len(_app_queries(small_fragment)) == len(_app_queries(large_fragment)) == 3


# ---------------------------------------------------------------- inline edit


def test_edit_htmx_valid_swaps_the_row_and_updates_the_counter_out_of_band(logged_in_client, user):
    project, item, worker, _foreman, _cement = make_estimate(user)

    response = logged_in_client.post(
        edit_url(project, worker), {"unit_price": "100.000,00", "version": worker.version}, headers=HX
    )

    assert response.status_code == 200
    text = response.text
    assert "<html" not in text
    assert text.lstrip().startswith(f'<tr id="resource-{worker.pk}" class="price-row">')
    assert 'value="100.000,00"' in text
    assert 'id="missing-count"' in text and 'hx-swap-oob="outerHTML"' in text
    assert "Semua sumber daya yang dipakai sudah berharga." in text
    worker.refresh_from_db()
    assert worker.unit_price == Decimal("100000.00")
    # HSP 86.625,00 x 10 (see test_services_resources) -> the work item follows the price
    assert WorkItem.objects.get(pk=item.pk).amount == Decimal("866250.00")


def test_edit_htmx_price_per_purchase_unit(logged_in_client, user):
    project, item, _worker, _foreman, cement = make_estimate(user)
    AnalysisComponentFactory(analysis=item.analysis, resource=cement, coefficient=Decimal("2"))

    response = logged_in_client.post(
        edit_url(project, cement),
        {
            "unit_price": "",
            "purchase_unit": "zak",
            "purchase_factor": "50",
            "purchase_price": "65.000,00",
            "version": cement.version,
        },
        headers=HX,
    )

    assert response.status_code == 200
    assert 'value="1.300,00"' in response.text and "Rp 65.000,00 / zak" in response.text
    cement.refresh_from_db()
    assert cement.unit_price == Decimal("1300.00")
    assert (cement.purchase_unit, cement.purchase_factor) == ("zak", Decimal("50"))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"unit_price": "1.25.0"}, "tidak konsisten"),
        ({"unit_price": "seratus ribu"}, "bukan angka"),
        ({"unit_price": "-5"}, "tidak boleh negatif"),
        ({"unit_price": "10,5555"}, "Paling banyak 2 angka di belakang koma"),
        ({"unit_price": "100", "purchase_unit": "zak"}, "Isi satuan beli bersama isinya"),
        (
            {"unit_price": "", "purchase_price": "65000"},
            "hanya dapat diisi bila satuan beli dan isinya diisi",
        ),
        (
            {"unit_price": "", "purchase_unit": "zak", "purchase_factor": "0", "purchase_price": "1"},
            "lebih dari 0",
        ),
    ],
)
def test_edit_htmx_invalid_input_returns_200_with_the_message_in_the_row(
    logged_in_client, user, data, message
):
    project, _item, worker, _foreman, _cement = make_estimate(user)
    AuditEvent.objects.all().delete()

    response = logged_in_client.post(
        edit_url(project, worker), {**data, "version": worker.version}, headers=HX
    )

    assert response.status_code == 200
    text = response.text
    assert text.lstrip().startswith(f'<tr id="resource-{worker.pk}"')
    assert 'class="errorlist" role="alert"' in text and message in text
    assert f'value="{data["unit_price"]}"' in text  # what the user typed stays in the input
    worker.refresh_from_db()
    assert worker.unit_price is None
    assert not AuditEvent.objects.exists()


def test_edit_without_htmx_redirects_with_a_message(logged_in_client, user):
    project, _item, worker, _foreman, _cement = make_estimate(user)

    ok = logged_in_client.post(
        edit_url(project, worker), {"unit_price": "100000", "version": worker.version}, follow=True
    )
    bad = logged_in_client.post(edit_url(project, worker), {"unit_price": "abc"}, follow=True)

    assert ok.redirect_chain == [(prices_url(project) + f"#resource-{worker.pk}", 302)]
    assert "Harga “L.01 Pekerja” disimpan." in ok.text
    assert "L.01: “abc” bukan angka" in bad.text
    worker.refresh_from_db()
    assert worker.unit_price == Decimal("100000.00")


def test_edit_get_is_not_allowed(logged_in_client, user):
    project, _item, worker, *_ = make_estimate(user)
    assert logged_in_client.get(edit_url(project, worker)).status_code == 405


# ---------------------------------------------------------------- optimistic locking (version)


@pytest.fixture
def second_client(user):
    """A second browser session of the same estimator (projects are edited by their owner only)."""
    other = Client()
    other.force_login(user)
    return other


def version_input(resource_version) -> str:
    return f'<input type="hidden" name="version" value="{resource_version}">'


def test_page_and_row_carry_the_version_of_the_row(logged_in_client, user):
    project, _item, worker, _foreman, _cement = make_estimate(user)

    page = logged_in_client.get(prices_url(project)).text
    row = logged_in_client.post(
        edit_url(project, worker), {"unit_price": "100000", "version": "1"}, headers=HX
    ).text

    assert version_input(1) in page
    assert version_input(2) in row and version_input(1) not in row
    assert 'role="alert"' not in row


def test_edit_htmx_stale_version_shows_the_conflict_with_the_current_values(
    logged_in_client, second_client, user, django_assert_max_num_queries
):
    """Two sessions load Pekerja at version 1. The first saves Rp 100.000 (version 2); the second, still
    at version 1, posts Rp 120.000: 200, the row says so (role="alert") and shows the stored price and
    version 2, nothing is written and only the first save is audited. Re-posting with version 2 works."""
    project, item, worker, _foreman, _cement = make_estimate(user)
    assert version_input(1) in logged_in_client.get(prices_url(project)).text
    assert version_input(1) in second_client.get(prices_url(project)).text
    AuditEvent.objects.all().delete()

    first = logged_in_client.post(
        edit_url(project, worker), {"unit_price": "100000", "version": "1"}, headers=HX
    )
    # user, project, resource, locked row (+ its savepoint pair), row with its count, missing count
    # (+ session)
    with django_assert_max_num_queries(10):
        second = second_client.post(
            edit_url(project, worker), {"unit_price": "120.000,00", "version": "1"}, headers=HX
        )

    assert first.status_code == 200 and version_input(2) in first.text
    assert second.status_code == 200
    text = second.text
    assert "<html" not in text
    assert text.lstrip().startswith(f'<tr id="resource-{worker.pk}" class="price-row">')
    assert f'<div class="errorlist" role="alert"><div>{CONFLICT_MESSAGE}</div></div>' in text
    assert 'value="100.000,00"' in text and "120.000" not in text  # the stored price, ready to re-apply
    assert version_input(2) in text
    assert 'id="missing-count"' in text
    worker.refresh_from_db()
    assert worker.unit_price == Decimal("100000.00") and worker.version == 2
    assert AuditEvent.objects.count() == 1
    assert WorkItem.objects.get(pk=item.pk).amount == Decimal("866250.00")

    again = second_client.post(
        edit_url(project, worker), {"unit_price": "120.000,00", "version": "2"}, headers=HX
    )

    assert again.status_code == 200 and 'role="alert"' not in again.text
    assert 'value="120.000,00"' in again.text and version_input(3) in again.text
    worker.refresh_from_db()
    assert worker.unit_price == Decimal("120000.00") and worker.version == 3
    assert AuditEvent.objects.count() == 2


def test_edit_htmx_invalid_input_keeps_the_loaded_version(logged_in_client, user):
    """After an input error the row keeps the version the user loaded, so a later save still detects
    a change made by someone else in between."""
    project, _item, worker, _foreman, _cement = make_estimate(user)
    ProjectResource.objects.filter(pk=worker.pk).update(version=4)

    response = logged_in_client.post(
        edit_url(project, worker), {"unit_price": "abc", "version": "3"}, headers=HX
    )

    assert response.status_code == 200 and "bukan angka" in response.text
    assert version_input(3) in response.text


def test_edit_without_htmx_stale_version_redirects_with_the_conflict_message(
    logged_in_client, second_client, user
):
    project, _item, worker, _foreman, _cement = make_estimate(user)
    logged_in_client.post(edit_url(project, worker), {"unit_price": "100000", "version": "1"})
    AuditEvent.objects.all().delete()

    response = second_client.post(
        edit_url(project, worker), {"unit_price": "120000", "version": "1"}, follow=True
    )

    assert response.redirect_chain == [(prices_url(project) + f"#resource-{worker.pk}", 302)]
    text = response.text
    assert f"L.01: {CONFLICT_MESSAGE}" in text
    assert "disimpan" not in text
    assert 'value="100.000,00"' in text and version_input(2) in text  # the page shows the current row
    worker.refresh_from_db()
    assert worker.unit_price == Decimal("100000.00") and worker.version == 2
    assert not AuditEvent.objects.exists()


def test_edit_after_a_price_import_of_the_resource_conflicts(logged_in_client, user, run_import):
    project, _item, worker, _foreman, _cement = make_estimate(user)
    rows = [HEADER, ["L.01", "Pekerja", "OH", "Tenaga Kerja", 100000]]
    run_import(project, rows)
    worker.refresh_from_db()
    assert worker.version == 2

    response = logged_in_client.post(
        edit_url(project, worker), {"unit_price": "5", "version": "1"}, headers=HX
    )

    assert response.status_code == 200 and CONFLICT_MESSAGE in response.text
    assert 'value="100.000,00"' in response.text and version_input(2) in response.text
    worker.refresh_from_db()
    assert worker.unit_price == Decimal("100000.00")


def test_edit_with_a_version_is_404_for_another_users_project(logged_in_client, other_user):
    project, _item, worker, _foreman, _cement = make_estimate(other_user)

    responses = [
        logged_in_client.post(edit_url(project, worker), {"unit_price": "1", "version": "1"}),
        logged_in_client.post(edit_url(project, worker), {"unit_price": "1", "version": "1"}, headers=HX),
    ]

    assert [r.status_code for r in responses] == [404, 404]
    worker.refresh_from_db()
    assert worker.unit_price is None and worker.version == 1


# ---------------------------------------------------------------- remove unused


def test_delete_unused_resource(logged_in_client, user):
    project, _item, _worker, _foreman, cement = make_estimate(user)

    response = logged_in_client.post(delete_url(project, cement), follow=True)

    assert response.redirect_chain == [(prices_url(project) + "#unused-resources", 302)]
    assert "Sumber daya “B.01 Semen Portland” dihapus." in response.text
    assert not ProjectResource.objects.filter(pk=cement.pk).exists()


def test_delete_refuses_a_used_resource_with_a_message(logged_in_client, user):
    project, _item, worker, _foreman, _cement = make_estimate(user)

    response = logged_in_client.post(delete_url(project, worker), follow=True)

    assert "tidak dihapus: sekarang dipakai oleh 1 analisa" in response.text
    assert ProjectResource.objects.filter(pk=worker.pk).exists()


# ---------------------------------------------------------------- import


def test_import_runs_as_a_job_and_its_page_shows_summary_and_notes(logged_in_client, user, run_import):
    project, _item, worker, _foreman, _cement = make_estimate(user)
    rows = [HEADER, ["L.01", "Pekerja", "OH", "Tenaga Kerja", 100000], ["B.99", "Pasir", "m3", "Bahan", 1]]

    _post, page = run_import(project, rows)

    job = WorkbookImportJob.objects.get()
    assert job.status == "done" and job.project == project and job.requested_by == user and not job.file
    assert job.report["counts"] == {"rows": 2, "changed": 1, "unchanged": 0, "unknown_codes": 1}
    assert page.status_code == 200 and "<html" in page.text
    assert "Impor harga dari “harga.xlsx” selesai: 1 harga diubah, 0 tidak berubah" in page.text
    assert (
        'id="import-notes"' in page.text
        and "B.99" in page.text
        and "Kode tidak dipakai di proyek ini" in page.text
    )
    assert f'href="{prices_url(project)}"' in page.text
    worker.refresh_from_db()
    assert worker.unit_price == Decimal("100000.00")
    event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORT, project_id=project.pk)
    assert event.actor_id == user.pk


def test_import_with_a_bad_row_writes_nothing_and_shows_the_report(user, run_import):
    project, _item, worker, _foreman, _cement = make_estimate(user)
    rows = [HEADER, ["L.01", "Pekerja", "OH", "", 100000], ["L.04", "Mandor", "OH", "", "1.5.00"]]

    _post, response = run_import(project, rows)

    assert response.status_code == 200 and WorkbookImportJob.objects.get().status == "failed"
    text = response.text
    assert 'id="import-report"' in text and "Impor harga dibatalkan: 1 masalah" in text
    assert '<td>Harga</td><td class="num">3</td><td>E (harga_satuan)</td><td>1.5.00</td>' in text
    assert "tidak konsisten" in text
    worker.refresh_from_db()
    assert worker.unit_price is None
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).exists()


def test_htmx_import_swaps_in_the_progress_and_its_poll_stops_with_286(logged_in_client, user, run_import):
    project, _item, worker, _foreman, _cement = make_estimate(user)
    rows = [HEADER, ["L.01", "Pekerja", "OH", "Tenaga Kerja", 100000]]

    post, poll = run_import(project, rows, headers=HX)

    job = WorkbookImportJob.objects.get()
    assert post.status_code == 200 and "<html" not in post.text
    assert post.text.lstrip().startswith('<section id="price-import"')
    assert f'id="workbook-import-{job.pk}"' in post.text
    assert poll.status_code == 286 and "<html" not in poll.text and "hx-trigger" not in poll.text
    assert "selesai: 1 harga diubah" in poll.text


def test_htmx_import_polls_every_second_until_the_worker_has_run(logged_in_client, user):
    project, *_ = make_estimate(user)
    rows = [HEADER, ["L.01", "Pekerja", "OH", "Tenaga Kerja", 100000]]

    post = logged_in_client.post(import_url(project), {"file": upload(rows)}, headers=HX)  # no commit here

    job = WorkbookImportJob.objects.get()
    assert job.status == "queued"
    assert f'hx-get="/imports/{job.pk}/" hx-trigger="every 1s"' in post.text
    poll = logged_in_client.get(f"/imports/{job.pk}/", headers=HX)
    assert poll.status_code == 200 and 'data-status="queued"' in poll.text


def test_htmx_import_invalid_upload_returns_the_section_with_the_message(logged_in_client, user):
    project, *_ = make_estimate(user)

    response = logged_in_client.post(import_url(project), {}, headers=HX)

    assert response.status_code == 200 and "<html" not in response.text
    assert "Pilih berkas Excel (.xlsx) yang akan diimpor." in response.text
    assert not WorkbookImportJob.objects.exists()


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({}, "Pilih berkas Excel (.xlsx) yang akan diimpor."),
        ({"file": SimpleUploadedFile("harga.csv", b"kode;harga\n")}, "Berkas harus berformat Excel .xlsx."),
    ],
)
def test_import_invalid_upload_returns_200_with_the_message(logged_in_client, user, files, message):
    project, *_ = make_estimate(user)
    response = logged_in_client.post(import_url(project), files)
    assert response.status_code == 200 and message in response.text


# ---------------------------------------------------------------- permissions


def test_every_url_is_404_for_another_users_project(logged_in_client, other_user):
    project, _item, worker, _foreman, cement = make_estimate(other_user)
    rows = [HEADER, ["L.01", "Pekerja", "OH", "", 100000]]

    responses = [
        logged_in_client.get(prices_url(project)),
        logged_in_client.get(prices_url(project), {"q": "pekerja"}, headers=HX),
        logged_in_client.post(edit_url(project, worker), {"unit_price": "1"}),
        logged_in_client.post(edit_url(project, worker), {"unit_price": "1"}, headers=HX),
        logged_in_client.post(delete_url(project, cement)),
        logged_in_client.post(delete_url(project, cement), headers=HX),
        logged_in_client.post(import_url(project), {"file": upload(rows)}),
    ]

    assert [r.status_code for r in responses] == [404] * len(responses)
    worker.refresh_from_db()
    assert worker.unit_price is None
    assert ProjectResource.objects.filter(pk=cement.pk).exists()


def test_a_resource_of_another_project_is_404_under_my_project(logged_in_client, user, other_user):
    mine = ProjectFactory(owner=user)
    other_project, _item, worker, _foreman, cement = make_estimate(other_user)

    edit = logged_in_client.post(edit_url(mine, worker), {"unit_price": "1"}, headers=HX)
    delete = logged_in_client.post(delete_url(mine, cement))

    assert (edit.status_code, delete.status_code) == (404, 404)
    assert ProjectResource.objects.filter(pk=cement.pk).exists()


def test_a_resource_deleted_while_its_price_is_posted_is_404_not_500(logged_in_client, user, monkeypatch):
    """The row was found, then deleted (unused) by another request before the service locked it."""
    project = ProjectFactory(owner=user)
    resource = ProjectResourceFactory(
        project=project, code="X.1", name="Semen", unit="kg", category="material"
    )
    real_set_price = resource_services.set_price

    def deleted_meanwhile(**kwargs):
        ProjectResource.objects.filter(pk=resource.pk).delete()
        return real_set_price(**kwargs)

    monkeypatch.setattr(resource_services, "set_price", deleted_meanwhile)
    response = logged_in_client.post(
        reverse("ahsp:project_price_edit", args=[project.pk, resource.pk]), {"unit_price": "1000"}, headers=HX
    )
    assert response.status_code == 404


@pytest.mark.parametrize("version", [None, "", "abc"])
def test_edit_without_a_valid_version_is_a_conflict_not_a_skipped_check(logged_in_client, user, version):
    project, _item, worker, _foreman, _cement = make_estimate(user)
    data = {"unit_price": "100000"}
    if version is not None:
        data["version"] = version

    response = logged_in_client.post(edit_url(project, worker), data, headers=HX)

    assert response.status_code == 200 and CONFLICT_MESSAGE in response.text
    worker.refresh_from_db()
    assert worker.unit_price is None
