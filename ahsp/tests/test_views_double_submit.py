"""A create form submitted twice (double click, a resent POST) creates one object (ahsp.idempotency)."""

import re

import pytest
from django.urls import reverse

from ahsp import idempotency
from ahsp.models import Project, Section, Stage, SubmissionToken, WorkbookImportJob
from ahsp.services import projects
from ahsp.tests.factories import ProjectFactory
from ahsp.tests.test_services_project_import import make_library, valid_sheets
from ahsp.tests.test_views_project_import import upload
from ahsp.tests.test_views_projects import PROJECT_POST

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


def token_from(client, url: str) -> str:
    (token,) = re.findall(r'name="submit_token" value="([0-9a-f]{32})"', client.get(url).text)
    return token


def test_project_create_twice_with_the_same_token_creates_one_project(logged_in_client):
    token = token_from(logged_in_client, "/projects/new/")
    data = {**PROJECT_POST, "submit_token": token}

    first = logged_in_client.post("/projects/new/", data)
    second = logged_in_client.post("/projects/new/", data, follow=True)

    project = Project.objects.get()
    assert first.status_code == 302 and first["Location"] == project.get_absolute_url()
    assert second.redirect_chain == [(project.get_absolute_url(), 302)]
    assert "Formulir ini sudah terkirim sebelumnya; tidak dibuat dua kali." in second.text


def test_project_create_repeat_over_htmx_is_a_client_redirect(logged_in_client):
    data = {**PROJECT_POST, "submit_token": token_from(logged_in_client, "/projects/new/")}
    logged_in_client.post("/projects/new/", data, headers=HX)
    again = logged_in_client.post("/projects/new/", data, headers=HX)
    assert again.status_code == 200 and again["HX-Redirect"] == Project.objects.get().get_absolute_url()


def test_a_new_form_a_new_project_and_tokens_are_per_user(logged_in_client, client, other_user):
    first = {**PROJECT_POST, "submit_token": token_from(logged_in_client, "/projects/new/")}
    second = {**PROJECT_POST, "submit_token": token_from(logged_in_client, "/projects/new/")}
    assert first["submit_token"] != second["submit_token"]
    logged_in_client.post("/projects/new/", first)
    logged_in_client.post("/projects/new/", second)
    client.force_login(other_user)
    client.post("/projects/new/", first)  # another user's token is not this user's
    assert Project.objects.count() == 3


def test_an_invalid_submit_does_not_use_up_the_token(logged_in_client):
    token = token_from(logged_in_client, "/projects/new/")
    logged_in_client.post("/projects/new/", {**PROJECT_POST, "name": "", "submit_token": token})
    created = logged_in_client.post("/projects/new/", {**PROJECT_POST, "submit_token": token})
    assert created.status_code == 302 and Project.objects.count() == 1


def test_section_create_twice_creates_one_section(logged_in_client, user):
    project = ProjectFactory(owner=user)
    page = reverse("ahsp:work_item_list", args=[project.pk])
    data = {"name": "Pekerjaan Tanah", "submit_token": token_from(logged_in_client, page)}
    url = reverse("ahsp:section_create", args=[project.pk])

    logged_in_client.post(url, data)
    again = logged_in_client.post(url, data)

    section = Section.objects.get(project=project)
    assert again.status_code == 302 and again["Location"] == f"{page}#section-{section.pk}"


def test_stage_create_twice_creates_one_stage(logged_in_client, user):
    project = ProjectFactory(owner=user, start_date="2026-01-05", duration_weeks=8)
    page = reverse("ahsp:project_schedule", args=[project.pk])
    data = {
        "name": "Persiapan",
        "start_date": "2026-01-05",
        "end_date": "2026-01-18",
        "from": "1",
        "submit_token": token_from(logged_in_client, page),
    }
    url = reverse("ahsp:project_schedule_stage_create", args=[project.pk])

    first = logged_in_client.post(url, data)
    again = logged_in_client.post(url, data)

    assert Stage.objects.filter(project=project).count() == 1
    assert again.status_code == 302 and again["Location"] == first["Location"]


def test_import_twice_creates_one_project(logged_in_client, tmp_path, django_capture_on_commit_callbacks):
    """One import job (run by the worker on commit), so one project; the repeat goes to the same job."""
    make_library()
    token = token_from(logged_in_client, "/projects/import/")

    with django_capture_on_commit_callbacks(execute=True):
        first = logged_in_client.post(
            "/projects/import/", {"file": upload(tmp_path, valid_sheets()), "submit_token": token}
        )
        again = logged_in_client.post(
            "/projects/import/", {"file": upload(tmp_path, valid_sheets()), "submit_token": token}
        )

    job = WorkbookImportJob.objects.get()
    project = Project.objects.get()
    assert first["Location"] == again["Location"] == f"/imports/{job.pk}/"
    assert logged_in_client.get(first["Location"])["Location"] == project.get_absolute_url()


def test_a_concurrent_twin_that_committed_first_wins(rf, user):
    """Both submits passed the replay check; the second one's token insert fails, its project is rolled
    back, and it answers with the first one's redirect."""
    token = idempotency.new_token()
    winner = ProjectFactory(owner=user, name="Pertama")
    SubmissionToken.objects.create(user=user, token=token, target_url=winner.get_absolute_url())
    request = rf.post("/projects/new/", {"submit_token": token})
    request.user = user
    request._messages = type("Messages", (), {"add": lambda *args, **kwargs: None})()

    result = idempotency.create_once(
        request,
        lambda: projects.create(data={**PROJECT_POST, "name": "Kedua"}, by=user),
        Project.get_absolute_url,
    )

    assert result.status_code == 302 and result["Location"] == winner.get_absolute_url()
    assert list(Project.objects.values_list("name", flat=True)) == ["Pertama"]


def test_old_tokens_are_removed(logged_in_client, user):
    from datetime import timedelta

    from django.utils import timezone

    old = SubmissionToken.objects.create(user=user, token="0" * 32, target_url="/")
    SubmissionToken.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    data = {**PROJECT_POST, "submit_token": token_from(logged_in_client, "/projects/new/")}
    logged_in_client.post("/projects/new/", data)
    assert list(SubmissionToken.objects.values_list("token", flat=True)) == [data["submit_token"]]
