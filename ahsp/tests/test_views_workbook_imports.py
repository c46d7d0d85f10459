"""The job page of a project or price import (/imports/<id>/): the no-JS page, the polling partial (200
while it runs, 286 once terminal), the way to the new project, and 404 for anyone but the uploader."""

import pytest
from django.utils import timezone

from ahsp.models import WorkbookImportJob
from ahsp.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}
Status = WorkbookImportJob.Status


def make_job(user, **fields) -> WorkbookImportJob:
    defaults = {"kind": "prices", "requested_by": user, "file_name": "harga.xlsx"}
    return WorkbookImportJob.objects.create(**{**defaults, **fields})


def url(job) -> str:
    return f"/imports/{job.pk}/"


def test_anonymous_users_are_sent_to_login(client, user):
    job = make_job(user, project=ProjectFactory(owner=user))

    response = client.get(url(job))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_job_of_another_user_is_404_page_and_partial(logged_in_client, other_user):
    job = make_job(other_user, project=ProjectFactory(owner=other_user))
    project_job = make_job(other_user, kind="project", file_name="proyek.xlsx")

    responses = [
        logged_in_client.get(url(j), **kw) for j in (job, project_job) for kw in ({}, {"headers": HX})
    ]

    assert [r.status_code for r in responses] == [404] * 4


def test_a_price_job_of_a_project_no_longer_visible_is_404(logged_in_client, user, other_user):
    project = ProjectFactory(owner=user)
    job = make_job(user, project=project)
    project.owner = other_user
    project.save(update_fields=["owner"])

    assert logged_in_client.get(url(job)).status_code == 404


def test_a_running_job_page_without_js_and_its_polling_partial(logged_in_client, user):
    job = make_job(
        user, project=ProjectFactory(owner=user), status=Status.RUNNING, stage="Membaca buku kerja"
    )

    page = logged_in_client.get(url(job))
    poll = logged_in_client.get(url(job), headers=HX)

    assert page.status_code == 200 and "<html" in page.text and "Muat ulang status" in page.text
    assert poll.status_code == 200 and "<html" not in poll.text
    assert poll.text.lstrip().startswith(f'<section id="workbook-import-{job.pk}"')
    assert f'hx-get="{url(job)}" hx-trigger="every 1s"' in poll.text and "Membaca buku kerja" in poll.text


def test_a_failed_job_stops_the_polling_with_286_and_shows_the_problems(logged_in_client, user):
    problem = {
        "sheet": "Harga",
        "row": 3,
        "column": "E (harga_satuan)",
        "value": "x",
        "reason": "Bukan angka.",
    }
    job = make_job(
        user,
        project=ProjectFactory(owner=user),
        status=Status.FAILED,
        error="Impor harga dibatalkan: 1 masalah.",
        report={"problems": [problem], "problems_count": 1},
        finished_at=timezone.now(),
    )

    poll = logged_in_client.get(url(job), headers=HX)
    page = logged_in_client.get(url(job))

    assert poll.status_code == 286 and "hx-trigger" not in poll.text
    for response in (poll, page):
        assert "Impor harga dibatalkan: 1 masalah." in response.text
        assert '<td>Harga</td><td class="num">3</td><td>E (harga_satuan)</td><td>x</td>' in response.text
    assert page.status_code == 200 and 'href="/projects/' in page.text


def test_a_done_project_job_redirects_to_the_project_with_its_warnings(logged_in_client, user):
    project = ProjectFactory(owner=user)
    warning = {"sheet": "Proyek", "row": 9, "column": "buk_persen", "value": "20", "reason": "BUK tinggi."}
    job = make_job(
        user,
        kind="project",
        project=project,
        status=Status.DONE,
        report={
            "summary": "Proyek diimpor.",
            "counts": {"work_items": 4},
            "warnings": [{**warning, "text": "Proyek, baris 9: BUK tinggi."}],
        },
    )

    response = logged_in_client.get(url(job), follow=True)

    assert response.redirect_chain == [(project.get_absolute_url(), 302)]
    assert (
        f"Proyek “{project.name}” diimpor dari Excel: 4 pekerjaan." in response.text
        and "Peringatan impor: Proyek, baris 9: BUK tinggi." in response.text
    )
