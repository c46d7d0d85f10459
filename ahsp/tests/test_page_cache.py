"""Project pages cached per content version (ahsp.views._page_cache, issue 13 §1): fast, never stale,
never another user's, never a reused one-time token."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ahsp.models import Project, ProjectResource
from ahsp.services import projects, resources, work_items
from ahsp.tests.estimate_fixtures import make_dig_estimate

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')
SUBMIT = re.compile(r'name="submit_token" value="([0-9a-f]{32})"')


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE_ENABLED = True


@pytest.fixture
def estimate(user):
    """Galian 2.2.1.1 at 0,75 OH x Rp 100.000,00 + 0,025 OH x Rp 150.000,00 = Rp 78.750,00 + 10 % =
    Rp 86.625,00; volume 12,345 gives Rp 1.069.385,63 (86.625 x 12,345 = 1.069.385,625, half up)."""
    project, item = (made := make_dig_estimate(user))["project"], made["item"]
    item = work_items.set_volume(item=item, volume=Decimal("12.345"), expected_version=None, by=user)
    return project, item


def url(name, *args):
    return reverse(f"ahsp:{name}", args=args)


def app_queries(context) -> list[str]:
    return [q["sql"] for q in context.captured_queries if "django_session" not in q["sql"]]


def test_a_second_request_is_served_from_the_cache_with_only_the_access_check(
    logged_in_client, estimate, django_assert_max_num_queries
):
    project, _item = estimate
    first = logged_in_client.get(url("project_rab", project.pk))
    assert "Rp 1.069.385,63" in first.text
    with django_assert_max_num_queries(3) as hit:
        second = logged_in_client.get(url("project_rab", project.pk))
    queries = app_queries(hit)
    assert [q for q in queries if "ahsp_project" in q] and len(queries) <= 2  # the user and the project
    assert second.status_code == 200 and "Rp 1.069.385,63" in second.text
    assert second["Content-Type"].startswith("text/html")


def test_a_write_through_a_service_makes_every_page_show_the_new_figures(logged_in_client, estimate, user):
    project, item = estimate
    pages = [
        url("project_rab", project.pk),
        url("work_item_list", project.pk),
        url("work_item_detail", project.pk, item.pk),
    ]
    for page in pages:
        assert "1.069.385,63" in logged_in_client.get(page).text, page
    # A price, not a volume: the change reaches the item through the repricing of its analysis.
    # 0,75 x 100.000 + 0,025 x 163.333,33 = 79.083,33...; + 10 % = 86.991,67 (to cents);
    # x 12,345 = 1.043.900,04 + 30.012,12615 = 1.073.912,17 (1.073.912,16615, half up).
    labour = ProjectResource.objects.get(project=project, code="TK.0006")
    resources.set_price(resource=labour, unit_price=Decimal("163333.33"), by=user)
    for page in pages:
        text = logged_in_client.get(page).text
        assert "1.069.385,63" not in text and "1.073.912,17" in text, page


def test_a_stranger_gets_404_even_when_the_page_is_cached(logged_in_client, estimate, other_user):
    project, _item = estimate
    assert logged_in_client.get(url("project_rab", project.pk)).status_code == 200
    stranger = Client()
    stranger.force_login(other_user)
    assert stranger.get(url("project_rab", project.pk)).status_code == 404
    assert stranger.get(url("project_rab", project.pk), headers=HX).status_code == 404


def test_a_cached_page_gets_a_csrf_token_that_works_and_fresh_create_tokens(user, estimate):
    project, _item = estimate
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    page = url("work_item_list", project.pk)
    first = browser.get(page).text
    second = browser.get(page).text  # from the cache
    assert "\x00" not in second
    assert CSRF.search(second) and SUBMIT.search(first) and SUBMIT.search(second)
    assert set(SUBMIT.findall(first)).isdisjoint(SUBMIT.findall(second))
    token = CSRF.search(second).group(1)
    response = browser.post(
        url("section_create", project.pk),
        {
            "name": "Pekerjaan Beton",
            "csrfmiddlewaretoken": token,
            "submit_token": SUBMIT.search(second).group(1),
        },
    )
    assert response.status_code in (200, 302)
    assert project.sections.filter(name="Pekerjaan Beton").exists()
    # The new section is on the page at once (the create bumped the content version).
    assert "Pekerjaan Beton" in browser.get(page).text


def test_htmx_fragment_and_full_page_are_cached_apart(logged_in_client, estimate):
    project, _item = estimate
    full = logged_in_client.get(url("project_rab", project.pk)).text
    fragment = logged_in_client.get(url("project_rab", project.pk), headers=HX).text
    again = logged_in_client.get(url("project_rab", project.pk)).text
    assert "<html" in full.lower() and "<html" in again.lower()
    assert len(again) == len(full)
    assert fragment  # whatever the view answers to htmx, it is not the cached full page mixed up
    section = project.sections.get()
    closed = logged_in_client.get(
        url("project_rab_section", project.pk, section.pk) + "?collapsed=1", headers=HX
    )
    opened = logged_in_client.get(url("project_rab_section", project.pk, section.pk), headers=HX)
    assert closed.text != opened.text and "<html" not in opened.text.lower()


def test_language_and_query_string_are_part_of_the_key(logged_in_client, estimate):
    project, _item = estimate
    indonesian = logged_in_client.get(url("project_rab", project.pk)).text
    english = logged_in_client.get(url("project_rab", project.pk), HTTP_ACCEPT_LANGUAGE="en").text
    printing = logged_in_client.get(url("project_rab", project.pk) + "?print=1").text
    assert indonesian != printing
    assert "Rekap RAB" in indonesian
    assert logged_in_client.get(url("project_rab", project.pk)).text.count("Rekap RAB") == indonesian.count(
        "Rekap RAB"
    )
    assert english  # rendered on its own (the key holds the active language)


def test_a_page_with_a_pending_message_is_rendered_and_not_stored(logged_in_client, estimate):
    project, _item = estimate
    page = url("project_detail", project.pk)
    logged_in_client.get(page)  # cached, without a message
    assert logged_in_client.post(url("project_archive", project.pk)).status_code == 302
    notice = f"Proyek “{project.name}” diarsipkan."
    assert notice in logged_in_client.get(page).text  # not the copy cached before the message
    assert notice not in logged_in_client.get(page).text  # shown once: the page was not stored with it


def test_every_write_increments_the_content_version(estimate, user):
    project, item = estimate
    before = Project.objects.get(pk=project.pk).content_version
    work_items.set_volume(item=item, volume=Decimal("7.5"), expected_version=None, by=user)
    after = Project.objects.get(pk=project.pk).content_version
    assert after == before + 1


def test_disabled_page_cache_renders_every_time(logged_in_client, estimate, settings):
    settings.PAGE_CACHE_ENABLED = False
    project, _item = estimate
    logged_in_client.get(url("project_rab", project.pk))
    with CaptureQueriesContext(connection) as second:
        logged_in_client.get(url("project_rab", project.pk))
    assert len(app_queries(second)) > 2


def test_a_cached_page_carries_the_script_nonce_of_its_own_csp_header(logged_in_client, estimate):
    project, _item = estimate
    nonces = []
    for _ in range(3):  # rendered, then twice from the cache
        response = logged_in_client.get(url("project_rab", project.pk))
        in_page = set(re.findall(r' nonce="([A-Za-z0-9_-]+)"', response.text))
        policy = response["Content-Security-Policy"]
        assert len(in_page) == 1 and f"'nonce-{next(iter(in_page))}'" in policy
        nonces.append(next(iter(in_page)))
    assert len(set(nonces)) == 3


def test_the_dashboard_is_cached_per_user_data_version_and_shows_a_change(
    logged_in_client, estimate, user, django_capture_on_commit_callbacks
):
    project, item = estimate
    first = logged_in_client.get("/").text
    assert project.name in first
    with CaptureQueriesContext(connection) as hit:
        assert logged_in_client.get("/").text.count(project.name) == first.count(project.name)
    assert not [q for q in app_queries(hit) if "ahsp_project" in q]
    with django_capture_on_commit_callbacks(execute=True):  # the bump runs after the commit
        projects.update(
            project=project, data={"name": "Gedung Baru Tahap II"}, expected_version=project.version, by=user
        )
    after = logged_in_client.get("/").text
    assert "Gedung Baru Tahap II" in after


def test_saving_a_project_loaded_before_a_change_does_not_set_the_version_back(estimate, user):
    project, item = estimate
    stale = Project.objects.get(pk=project.pk)
    work_items.set_volume(item=item, volume=Decimal("2.5"), expected_version=None, by=user)
    bumped = Project.objects.get(pk=project.pk).content_version
    stale.client = "Dinas PUPR"
    stale.save()  # a full save of the old instance
    assert Project.objects.get(pk=project.pk).content_version == bumped
    assert Project.objects.get(pk=project.pk).client == "Dinas PUPR"
