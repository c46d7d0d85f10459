"""Export centre and job pages: start (HTMX and no-JS), reuse, polling with 286, download, retry,
permissions on every URL, invalid input, bounded queries."""

import pytest
from django.urls import reverse

from ahsp.models import AuditEvent, ExportJob
from ahsp.services import exports, jobs
from ahsp.tests.rab_data import build_small_rab, rab_csv_bytes

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def centre_url(project):
    return reverse("ahsp:export_centre", args=[project.pk])


def job_url(job, role="export_job"):
    return reverse(f"ahsp:{role}", args=[job.pk])


@pytest.fixture
def rab(user):
    return build_small_rab(user)


@pytest.fixture
def done_job(rab, user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = exports.start(project=rab.project, document="rab", fmt="csv", by=user)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    return job


def test_centre_offers_every_document_in_its_formats(logged_in_client, rab):
    response = logged_in_client.get(centre_url(rab.project))

    assert response.status_code == 200
    html = response.text
    for document in ("rab", "ahsp", "harga", "proyek", "jadwal", "kurva-s", "kebutuhan"):
        assert f'name="document" value="{document}"' in html
    for fmt in ("pdf", "xlsx", "csv"):
        assert f'name="format" value="{fmt}"' in html
    assert reverse("ahsp:export_centre", args=[rab.project.pk]) in html
    assert 'aria-current="page">Ekspor<' in html


def test_htmx_post_starts_a_job_and_returns_the_polling_partial(
    logged_in_client, rab, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in_client.post(
            centre_url(rab.project), {"document": "rab", "format": "csv"}, headers=HX
        )

    job = ExportJob.objects.get()
    assert response.status_code == 200 and "<html" not in response.text
    assert f'id="export-job-{job.pk}"' in response.text
    assert f'hx-get="{job_url(job)}" hx-trigger="every 1s" hx-swap="outerHTML"' in response.text
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.requested_by_id == rab.project.owner_id


def test_post_twice_builds_once(logged_in_client, rab, monkeypatch, django_capture_on_commit_callbacks):
    enqueued = []
    monkeypatch.setitem(jobs.TASKS, "export", enqueued.append)
    with django_capture_on_commit_callbacks(execute=True):
        first = logged_in_client.post(
            centre_url(rab.project), {"document": "rab", "format": "xlsx"}, headers=HX
        )
        second = logged_in_client.post(
            centre_url(rab.project), {"document": "rab", "format": "xlsx"}, headers=HX
        )

    job = ExportJob.objects.get()
    assert f'id="export-job-{job.pk}"' in first.text and f'id="export-job-{job.pk}"' in second.text
    assert enqueued == [job.pk]
    assert AuditEvent.objects.filter(target_type="exportjob").count() == 1


def test_post_without_htmx_redirects_to_the_job_page(
    logged_in_client, rab, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in_client.post(centre_url(rab.project), {"document": "rab", "format": "csv"})

    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job_url(job)
    page = logged_in_client.get(response["Location"])
    assert page.status_code == 200 and "<html" in page.text
    assert job_url(job, "export_download") in page.text


@pytest.mark.parametrize(
    "data", [{"document": "proyek", "format": "pdf"}, {"document": "jadwal", "format": "csv"}, {}]
)
@pytest.mark.parametrize("headers", [HX, {}])
def test_invalid_document_or_format_answers_200_with_a_message(logged_in_client, rab, data, headers):
    events = AuditEvent.objects.count()

    response = logged_in_client.post(centre_url(rab.project), data, headers=headers)

    assert response.status_code == 200
    assert "Pilih dokumen dan format yang tersedia." in response.text
    assert ("<html" in response.text) is not bool(headers)
    assert not ExportJob.objects.exists() and AuditEvent.objects.count() == events


def test_polling_a_running_job_keeps_polling(logged_in_client, rab):
    job = ExportJob.objects.create(
        project=rab.project,
        document="rab",
        format="csv",
        status="running",
        progress_done=3,
        progress_total=10,
    )

    response = logged_in_client.get(job_url(job), headers=HX)

    assert response.status_code == 200 and "<html" not in response.text
    assert 'hx-trigger="every 1s"' in response.text and "30 %" in response.text


def test_polling_a_done_job_stops_with_286_and_shows_the_download_link(logged_in_client, done_job):
    response = logged_in_client.get(job_url(done_job), headers=HX)

    assert response.status_code == 286
    assert "<html" not in response.text and "hx-trigger" not in response.text
    assert f'href="{job_url(done_job, "export_download")}"' in response.text


def test_failed_job_shows_the_reason_and_retry_creates_a_new_job(
    logged_in_client, rab, django_capture_on_commit_callbacks
):
    failed = ExportJob.objects.create(
        project=rab.project, document="rab", format="csv", status="failed", error=exports.STALE_MESSAGE
    )
    poll = logged_in_client.get(job_url(failed), headers=HX)
    assert poll.status_code == 286 and exports.STALE_MESSAGE in poll.text
    assert f'action="{job_url(failed, "export_retry")}"' in poll.text

    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in_client.post(job_url(failed, "export_retry"), headers=HX)

    new = ExportJob.objects.exclude(pk=failed.pk).get()
    assert response.status_code == 200 and f'id="export-job-{new.pk}"' in response.text
    new.refresh_from_db()
    assert new.status == ExportJob.Status.DONE
    plain = logged_in_client.post(job_url(failed, "export_retry"))
    assert plain.status_code == 302 and ExportJob.objects.count() == 3


def test_download_streams_the_file_as_an_attachment(logged_in_client, done_job):
    response = logged_in_client.get(job_url(done_job, "export_download"))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="rab-gedung-serbaguna.csv"'
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert b"".join(response.streaming_content) == rab_csv_bytes(done_job.project)


def test_download_of_an_unfinished_job_is_404(logged_in_client, rab):
    job = ExportJob.objects.create(project=rab.project, document="rab", format="csv", status="running")
    assert logged_in_client.get(job_url(job, "export_download")).status_code == 404


def test_every_url_is_404_for_another_user(client, other_user, done_job):
    client.force_login(other_user)
    assert client.get(centre_url(done_job.project)).status_code == 404
    assert client.post(centre_url(done_job.project), {"document": "rab", "format": "csv"}).status_code == 404
    assert client.get(job_url(done_job)).status_code == 404
    assert client.get(job_url(done_job), headers=HX).status_code == 404
    assert client.get(job_url(done_job, "export_download")).status_code == 404
    assert client.post(job_url(done_job, "export_retry")).status_code == 404
    assert ExportJob.objects.count() == 1


def test_anonymous_user_is_sent_to_login(client, done_job):
    response = client.get(job_url(done_job, "export_download"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_centre_query_count_does_not_grow_with_jobs(
    logged_in_client, rab, user, make_user, django_assert_max_num_queries
):
    def add_jobs(count):
        requester = make_user()
        ExportJob.objects.bulk_create(
            ExportJob(
                project=rab.project, requested_by=requester, document="rab", format="csv", status="done"
            )
            for _ in range(count)
        )

    add_jobs(2)
    with django_assert_max_num_queries(6):
        small = logged_in_client.get(centre_url(rab.project))
    add_jobs(30)
    with django_assert_max_num_queries(6):
        large = logged_in_client.get(centre_url(rab.project))

    assert small.text.count('id="export-row-') == 2
    assert large.text.count('id="export-row-') == 20
