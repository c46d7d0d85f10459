from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from ahsp.models import (
    ReferenceImport,
    ReferenceImportJob,
)
from ahsp.tests.factories import ReferenceAnalysisFactory, ReferenceComponentFactory, ReferenceResourceFactory
from ahsp.tests.test_importers_reference_workbook import DEFECTS, DEFECTS_SUMMARY, make_workbook

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


@pytest.fixture
def library():
    worker = ReferenceResourceFactory(code="TK.0008", name="Pekerja", unit="OH", category="labour")
    cement = ReferenceResourceFactory(code="B.1871", name="Semen Portland", unit="kg", category="material")
    dig = ReferenceAnalysisFactory(code="2.2.1.1", name="Galian tanah biasa sedalam s.d. 1 m")
    concrete = ReferenceAnalysisFactory(
        code="3.1.1.10", name="Pembuatan 1 m3 beton mutu fc 19,3 MPa", is_suspicious=True
    )
    slab = ReferenceAnalysisFactory(code="3.1.1.2", name="Pembuatan 1 m2 plat lantai beton", unit="m2")
    ReferenceComponentFactory(analysis=dig, resource=worker, unit="OH", coefficient=Decimal("0.75"))
    ReferenceComponentFactory(
        analysis=concrete,
        resource=cement,
        unit="kg",
        coefficient=Decimal("326.406"),
        raw_coefficient="326406",
        is_flagged=True,
        flag_reason="Koma desimal hilang: dibagi 1000",
    )
    ReferenceComponentFactory(analysis=slab, nested_analysis=concrete, unit="m3", coefficient=Decimal("0.12"))
    return {"dig": dig, "concrete": concrete, "slab": slab}


def test_search_requires_login(client):
    assert client.get("/referensi/").status_code == 302


def test_search_by_words_any_order_case_insensitive(logged_in_client, library):
    response = logged_in_client.get("/referensi/?q=TANAH galian")
    assert response.status_code == 200 and "<html" in response.text
    assert "2.2.1.1" in response.text and "3.1.1.10" not in response.text


def test_search_by_code_prefix_htmx_fragment(logged_in_client, library):
    response = logged_in_client.get("/referensi/?q=3.1.1", headers=HX)
    assert "<html" not in response.text and 'id="reference-results"' in response.text
    # natural code order: 3.1.1.2 before 3.1.1.10
    assert response.text.index("3.1.1.2") < response.text.index("3.1.1.10")
    assert "perlu diperiksa" in response.text


def test_search_no_result_message(logged_in_client, library):
    response = logged_in_client.get("/referensi/?q=xyzzy", headers=HX)
    assert "Tidak ada analisa yang cocok." in response.text


def test_search_query_count_independent_of_library_size(logged_in_client, django_assert_max_num_queries):
    for i in range(120):
        ReferenceAnalysisFactory(code=f"9.9.{i}", name=f"Pekerjaan beton nomor {i}")
    with django_assert_max_num_queries(4):
        response = logged_in_client.get("/referensi/?q=beton&page=3", headers=HX)
    assert response.status_code == 200
    assert "Halaman 3 dari 5" in response.text


def test_detail_groups_components_and_marks_flags(logged_in_client, library):
    response = logged_in_client.get("/referensi/3.1.1.10/")
    text = response.text
    assert response.status_code == 200
    assert "Bahan" in text and "Semen Portland" in text
    assert ">326,406<" in text  # a coefficient, trailing zeros trimmed (issue 11 §12)
    assert "Koma desimal hilang" in text and "326406" in text
    assert "3.1.1.2" in text  # used in the slab analysis


def test_detail_links_nested_analysis(logged_in_client, library):
    response = logged_in_client.get("/referensi/3.1.1.2/")
    assert "Analisa bertingkat" in response.text
    assert 'href="/referensi/3.1.1.10/?source=SNI%202025"' in response.text


def test_detail_unknown_code_is_404(logged_in_client, library):
    assert logged_in_client.get("/referensi/0.0.0/").status_code == 404


def test_detail_query_count_bounded(logged_in_client, library, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        logged_in_client.get("/referensi/3.1.1.2/")


def test_upload_page_is_staff_only(logged_in_client):
    assert logged_in_client.get("/referensi/impor/").status_code == 403
    assert logged_in_client.post("/referensi/impor/", {"source": "x"}).status_code == 403


def test_upload_page_anonymous_goes_to_login(client):
    response = client.get("/referensi/impor/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# --- upload in the background -------------------------------------------------------------------------


@pytest.fixture
def staff_client(client, make_user):
    client.force_login(make_user(is_staff=True))
    return client


@pytest.fixture
def upload_dirs(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.AHSP_REPORT_DIR = tmp_path / "reports"


@pytest.fixture
def workbook(tmp_path, upload_dirs) -> bytes:
    return make_workbook(tmp_path / "sni.xlsx", DEFECTS).read_bytes()


def job_url(job) -> str:
    return reverse("ahsp:reference_import_job", args=[job.pk])


def post_upload(client, content: bytes, headers=None, source="SNI 2025"):
    data = {"file": SimpleUploadedFile("sni.xlsx", content), "source": source}
    return client.post("/referensi/impor/", data, headers=headers or {})


def make_job(**fields) -> ReferenceImportJob:
    return ReferenceImportJob.objects.create(source="SNI 2025", file_name="sni.xlsx", **fields)


def test_upload_page_offers_the_htmx_form_and_the_recent_imports(staff_client):
    ReferenceImport.objects.create(source="SNI 2024", file_name="lama.xlsx", analyses=3)

    response = staff_client.get("/referensi/impor/")

    assert response.status_code == 200
    assert 'hx-post="/referensi/impor/"' in response.text and 'enctype="multipart/form-data"' in response.text
    assert "lama.xlsx" in response.text and "analyses=3" in response.text


def test_htmx_upload_starts_a_job_and_answers_the_polling_partial(
    staff_client, workbook, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_upload(staff_client, workbook, headers=HX)

    job = ReferenceImportJob.objects.get()
    assert response.status_code == 200 and "<html" not in response.text
    assert 'id="reference-upload"' in response.text and f'id="reference-import-{job.pk}"' in response.text
    assert f'hx-get="{job_url(job)}" hx-trigger="every 1s" hx-swap="outerHTML"' in response.text
    assert "Dalam antrean" in response.text
    job.refresh_from_db()  # the worker ran on commit (huey immediate mode)
    assert job.status == ReferenceImportJob.Status.DONE and job.result.summary_line == DEFECTS_SUMMARY


def test_upload_without_js_redirects_to_the_job_page(
    staff_client, workbook, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_upload(staff_client, workbook)

    job = ReferenceImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job_url(job)
    page = staff_client.get(job_url(job))
    assert page.status_code == 200 and "<html" in page.text
    assert DEFECTS_SUMMARY in page.text and "Laporan pemeriksaan lengkap" in page.text
    assert "hx-trigger" not in page.text  # done: nothing polls


def test_invalid_upload_form_answers_200_with_the_error_and_starts_nothing(staff_client, upload_dirs):
    data = {"file": SimpleUploadedFile("sni.csv", b"id,kode_ahsp\n"), "source": "SNI 2025"}

    response = staff_client.post("/referensi/impor/", data, headers=HX)

    assert response.status_code == 200 and "<html" not in response.text
    assert "Berkas harus berformat Excel .xlsx." in response.text
    assert not ReferenceImportJob.objects.exists()


def test_job_partial_polls_while_queued_or_running(staff_client):
    for status, stage in [("queued", "Menunggu giliran"), ("running", "Membaca dan mengimpor buku kerja")]:
        job = make_job(status=status, stage=stage)

        response = staff_client.get(job_url(job), headers=HX)

        assert response.status_code == 200 and "<html" not in response.text
        assert 'hx-trigger="every 1s"' in response.text and stage in response.text
        assert f'href="{job_url(job)}"' in response.text  # the reload link without JS


def test_job_partial_answers_286_when_done_with_the_summary(staff_client):
    record = ReferenceImport.objects.create(
        source="SNI 2025", file_name="sni.xlsx", analyses=10, report_path="/srv/laporan.csv"
    )
    job = make_job(status="done", stage="Selesai", result=record)

    response = staff_client.get(job_url(job), headers=HX)

    assert response.status_code == 286 and "hx-trigger" not in response.text
    assert record.summary_line in response.text
    assert "Laporan pemeriksaan lengkap: /srv/laporan.csv" in response.text
    assert "hx-swap-oob" not in response.text  # the job's own page has no "Impor terakhir" table

    on_upload_page = staff_client.get(
        job_url(job), headers={**HX, "HX-Current-URL": "http://testserver/referensi/impor/"}
    )
    assert on_upload_page.status_code == 286
    assert '<table id="recent-imports" hx-swap-oob="outerHTML">' in on_upload_page.text
    assert on_upload_page.text.count(record.summary_line) == 2  # the job and its new row in the table


def test_job_partial_answers_286_when_failed_with_the_message(
    staff_client, upload_dirs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_upload(staff_client, b"bukan excel", headers=HX)
    job = ReferenceImportJob.objects.get()

    response = staff_client.get(job_url(job), headers=HX)

    assert response.status_code == 286 and "hx-trigger" not in response.text
    assert 'role="alert"' in response.text and "bukan buku kerja Excel" in response.text
    assert not ReferenceImport.objects.exists()


def test_job_urls_are_staff_only(logged_in_client):
    job = make_job()
    assert logged_in_client.get(job_url(job)).status_code == 403
    assert logged_in_client.get(job_url(job), headers=HX).status_code == 403
    assert logged_in_client.post("/referensi/impor/", {"source": "x"}, headers=HX).status_code == 403
    response = Client().get(job_url(job))  # anonymous
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_unknown_job_is_404_and_post_is_refused(staff_client):
    assert staff_client.get("/referensi/impor/999999/").status_code == 404
    assert staff_client.post(job_url(make_job())).status_code == 405


@pytest.mark.parametrize("status", ["queued", "done"])
def test_polling_partial_query_count(staff_client, django_assert_max_num_queries, status):
    record = (
        ReferenceImport.objects.create(source="SNI 2025", file_name="sni.xlsx") if status == "done" else None
    )
    job = make_job(status=status, result=record)
    with django_assert_max_num_queries(3):  # session, user, job (with its import record)
        response = staff_client.get(job_url(job), headers=HX)
    assert response.status_code in (200, 286)
