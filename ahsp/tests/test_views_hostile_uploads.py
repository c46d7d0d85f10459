"""Hostile workbooks through the three imports: each runs as a job in the worker (HUEY immediate here); the
job fails with the reason and its page answers 200 with it in its report, nothing is written, and it is
quick (issue 12 §1).

The files are the generated ones of ``test_importers_safe_workbook``.
"""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ahsp.models import Project, ReferenceImport, ReferenceImportJob, WorkbookImportJob
from ahsp.tests.test_importers_safe_workbook import (
    SHEET,
    XXE_PROLOG,
    billion_laughs,
    declared_dimension_workbook,
    inline_row,
    many_members,
    plain_workbook,
    rewrite,
    sheet_xml,
    strings_bomb,
)
from ahsp.tests.test_services_reference_imports import start_and_run
from ahsp.tests.test_services_resources import make_estimate

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_SECONDS = 10.0  # the request and its job, generously


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> bytes:
    return strings_bomb(tmp_path_factory.mktemp("bomb") / "bom.xlsx", 200).read_bytes()


PRICE_HEADER = ("kode_item", "uraian", "satuan", "kategori", "harga_satuan")
REFERENCE_HEADER = ("kode_ahsp", "nama_ahsp", "kode_item_lookup", "kategori", "item", "satuan", "koefisien")


def hostile_files(bomb: bytes, header: tuple[str, ...], too_many_rows: str) -> dict[str, tuple[bytes, str]]:
    """name -> (content, words of the expected reason). ``header`` makes the importer read on past row 1;
    ``too_many_rows`` is its reason for a million rows (its own data-row cap, or the opener's)."""
    xxe = rewrite(
        plain_workbook(),
        {SHEET: sheet_xml(inline_row(1, "&xxe;"), prolog=XXE_PROLOG.format(path="/etc/passwd"))},
    )
    return {
        "bomb": (bomb, "Berkas terlalu besar setelah dibuka"),
        "dimension": (declared_dimension_workbook(corner=True, header=header), too_many_rows),
        "malformed": (rewrite(plain_workbook(), {SHEET: b"<worksheet><sheetData>"}), "XML rusak"),
        "xxe": (xxe, "DTD/entitas XML"),
        "laughs": (billion_laughs(), "DTD/entitas XML"),
        "members": (many_members(2_000), "terlalu banyak bagian"),
        "not-zip": (b"kode_item;harga_satuan\nL.01;1000\n", "bukan buku kerja Excel .xlsx yang sah"),
    }


def upload(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("berkas.xlsx", content, content_type=XLSX)


@pytest.fixture
def timed_post(logged_in_client, django_capture_on_commit_callbacks):
    """POST the upload, let the worker run its job (on commit), then open the job page it redirects to."""

    def post(url, content):
        started = time.process_time()  # CPU time: independent of what else the machine runs
        with django_capture_on_commit_callbacks(execute=True):
            response = logged_in_client.post(url, {"file": upload(content)})
        assert response.status_code == 302 and response["Location"].startswith("/imports/")
        seconds = time.process_time() - started
        return logged_in_client.get(response["Location"]), seconds

    return post


def test_project_import_answers_200_with_the_reason(timed_post, bomb, media_root):
    for name, (content, reason) in hostile_files(bomb, PRICE_HEADER, "baris lebih dari 200.000").items():
        response, seconds = timed_post("/projects/import/", content)

        assert response.status_code == 200, name
        assert 'id="import-report"' in response.text and reason in response.text, name
        assert "root:" not in response.text and seconds < MAX_SECONDS, name
    assert Project.objects.count() == 0


def test_price_import_answers_200_with_the_reason(timed_post, user, bomb, media_root):
    project, _item, worker, _foreman, _cement = make_estimate(user)
    url = reverse("ahsp:project_prices_import", args=[project.pk])

    for name, (content, reason) in hostile_files(bomb, PRICE_HEADER, "Terlalu banyak baris").items():
        response, seconds = timed_post(url, content)

        assert response.status_code == 200, name
        assert "Impor harga dibatalkan" in response.text and reason in response.text, name
        assert "root:" not in response.text and seconds < MAX_SECONDS, name
    worker.refresh_from_db()
    assert worker.unit_price is None
    assert set(WorkbookImportJob.objects.values_list("status", flat=True)) == {"failed"}


def test_price_import_of_a_declared_dimension_with_its_headers_reads_only_real_rows(
    timed_post, user, media_root
):
    """The price import reads past the header (kode_item, harga_satuan): the three rows, not a million."""
    project, _item, worker, _foreman, _cement = make_estimate(user)
    url = reverse("ahsp:project_prices_import", args=[project.pk])
    response, seconds = timed_post(url, declared_dimension_workbook())

    assert seconds < MAX_SECONDS
    assert response.status_code == 200 and WorkbookImportJob.objects.get().status == "done"
    assert 'id="import-notes"' in response.text  # L.01 priced; L.02 is no code of this project (a note)
    worker.refresh_from_db()
    assert worker.unit_price == 1000


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.AHSP_REPORT_DIR = tmp_path / "reports"
    return settings.MEDIA_ROOT


def test_reference_import_job_fails_with_the_reason(
    user, bomb, media_root, django_capture_on_commit_callbacks
):
    for name, (content, reason) in hostile_files(bomb, REFERENCE_HEADER, "baris lebih dari 200.000").items():
        job = start_and_run(content, user, django_capture_on_commit_callbacks)

        assert job.status == ReferenceImportJob.Status.FAILED, name
        assert reason in job.error and "root:" not in job.error, name
    assert ReferenceImport.objects.count() == 0


def test_the_generated_files_are_small(bomb):
    files = hostile_files(bomb, PRICE_HEADER, "")
    assert all(len(content) < 1024 * 1024 for content, _reason in files.values())
