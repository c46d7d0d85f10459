"""``Vary: HX-Request`` on every HTML response (project.middleware.HtmxVaryMiddleware): a fragment and the
full page of one URL are never mixed up by a browser or proxy cache."""

import pytest
from django.urls import reverse

from ahsp.tests.estimate_fixtures import make_dig_estimate

pytestmark = pytest.mark.django_db


def varies_on_htmx(response) -> bool:
    return "hx-request" in [part.strip().lower() for part in response.get("Vary", "").split(",")]


@pytest.mark.parametrize("name", ["project_rab", "work_item_list", "project_prices", "project_detail"])
def test_project_pages_and_their_fragments_vary_on_htmx(logged_in_client, user, name):
    project = make_dig_estimate(user)["project"]
    page = logged_in_client.get(reverse(f"ahsp:{name}", args=[project.pk]))
    fragment = logged_in_client.get(
        reverse(f"ahsp:{name}", args=[project.pk]), headers={"HX-Request": "true"}
    )
    assert page.status_code == fragment.status_code == 200
    assert varies_on_htmx(page) and varies_on_htmx(fragment)


def test_the_dashboard_login_page_and_errors_vary_on_htmx(logged_in_client, client):
    assert varies_on_htmx(logged_in_client.get("/"))
    assert varies_on_htmx(logged_in_client.get("/projects/999999/"))  # the 404 page is HTML too
    assert varies_on_htmx(client.get("/accounts/login/"))


def test_a_csv_download_does_not_need_it(logged_in_client, user):
    project = make_dig_estimate(user)["project"]
    response = logged_in_client.get(reverse("ahsp:project_rab_csv", args=[project.pk]))
    assert response.status_code == 200 and not varies_on_htmx(response)
