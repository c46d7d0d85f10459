"""POST /metrics/client/ (beacons: 204/400/405/429, CSRF-exempt, never 500) and the staff page /metrics/."""

import json
import logging

import pytest
from django.test import Client
from django.urls import reverse

from ahsp.metrics import client as rum
from ahsp.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

URL = "/metrics/client/"
PAGE = {"v": 1, "path": "/projects/<id>/", "kind": "page", "ttfb": 40, "dcl": 150.5, "load": 210}
SWAP = {"v": 1, "path": "/", "kind": "swap", "target": "/", "ms": 95}


def post(client, data, content_type="application/json", **extra):
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return client.post(URL, raw, content_type=content_type, **extra)


def stored_counts() -> dict[str, tuple[int, int]]:
    return {page.path: (page.count, page.swap.count) for page in rum.load_report().pages}


@pytest.fixture
def staff(make_user):
    return make_user("staf@example.com", is_staff=True)


def test_urls_are_stable():
    assert reverse("ahsp:client_metrics") == URL
    assert reverse("ahsp:metrics") == "/metrics/"


@pytest.mark.parametrize(
    ("data", "content_type", "stored"),
    [
        (PAGE, "application/json", {"/projects/<id>/": (1, 0)}),
        (SWAP, "application/json", {"/": (0, 1)}),
        # sendBeacon with a string body: text/plain;charset=UTF-8
        ([PAGE, SWAP, SWAP], "text/plain;charset=UTF-8", {"/projects/<id>/": (1, 0), "/": (0, 2)}),
        ({**PAGE, "path": "/projects/42/"}, "application/json; charset=utf-8", {"/projects/<id>/": (1, 0)}),
    ],
)
def test_beacon_accepted(client, data, content_type, stored, django_assert_num_queries):
    with django_assert_num_queries(0):  # the cache only: a beacon never touches the database
        response = post(client, data, content_type)
    assert response.status_code == 204
    assert response.content == b""
    assert stored_counts() == stored


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        pytest.param(b" " * 4097 + json.dumps(PAGE).encode(), "application/json", id="oversized"),
        pytest.param(b"", "application/json", id="empty"),
        pytest.param({**PAGE, "extra": 1}, "application/json", id="unknown-field"),
        pytest.param({**PAGE, "ttfb": -1}, "application/json", id="negative"),
        pytest.param({**PAGE, "load": 10**9}, "application/json", id="huge"),
        pytest.param({**SWAP, "ms": "95"}, "application/json", id="wrong-type"),
        pytest.param({**SWAP, "ms": False}, "application/json", id="bool"),
        pytest.param(
            b'{"v": 1, "path": "/", "kind": "swap", "target": "/", "ms": NaN}', "application/json", id="nan"
        ),
        pytest.param(b"{oops", "application/json", id="bad-json"),
        pytest.param({**PAGE, "path": "/no-such-page/"}, "application/json", id="unknown-path"),
        pytest.param({**SWAP, "target": "/" + "x" * 250}, "application/json", id="long-target"),
        pytest.param([SWAP] * 11, "application/json", id="too-many-entries"),
        # One bad entry rejects the whole beacon: the good one is not stored either.
        pytest.param([PAGE, {**SWAP, "kind": "click"}], "application/json", id="one-bad-entry"),
        pytest.param(json.dumps(PAGE).encode(), "application/x-www-form-urlencoded", id="form-encoded"),
        pytest.param(json.dumps(PAGE).encode(), "multipart/form-data; boundary=x", id="multipart"),
    ],
)
def test_beacon_rejected_and_nothing_stored(client, data, content_type):
    response = post(client, data, content_type)
    assert response.status_code == 400
    assert stored_counts() == {}


def test_beacon_without_content_length_rejected(rf):
    from ahsp.views.metrics import client_metrics

    request = rf.post(URL, json.dumps(PAGE), content_type="application/json")
    del request.META["CONTENT_LENGTH"]
    assert client_metrics(request).status_code == 400
    assert stored_counts() == {}


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_beacon_wrong_method(client, method):
    response = getattr(client, method)(URL)
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert stored_counts() == {}


def test_beacon_needs_no_csrf_token(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)  # a logged-in browser sends its session cookie with the beacon
    assert post(client, PAGE).status_code == 204
    assert stored_counts() == {"/projects/<id>/": (1, 0)}


def test_beacon_rate_limited_per_address(client, settings):
    settings.CLIENT_METRICS_RATE_LIMIT = 3
    statuses = [post(client, SWAP, REMOTE_ADDR="192.0.2.10").status_code for _ in range(5)]
    assert statuses == [204, 204, 204, 429, 429]
    assert stored_counts() == {"/": (0, 3)}  # the refused beacons are not stored
    assert post(client, SWAP, REMOTE_ADDR="192.0.2.11").status_code == 204  # another address


def test_rate_limit_ignores_forwarded_header_unless_trusted(client, settings):
    settings.CLIENT_METRICS_RATE_LIMIT = 1
    first = post(client, SWAP, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1")
    spoofed = post(client, SWAP, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert (first.status_code, spoofed.status_code) == (204, 429)


def test_rate_limit_uses_the_trusted_proxy_header(client, settings):
    settings.CLIENT_METRICS_RATE_LIMIT = 1
    settings.CLIENT_METRICS_TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    statuses = [
        post(client, SWAP, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded).status_code
        for forwarded in ["198.51.100.1", "198.51.100.2", "203.0.113.5, 198.51.100.1"]
    ]
    assert statuses == [204, 204, 429]  # two clients behind one proxy; the third is the first again


def test_beacon_never_500_on_unexpected_error(client, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise ConnectionError("redis unreachable")

    monkeypatch.setattr(rum, "record_entries", broken)
    with caplog.at_level(logging.ERROR, logger="ahsp.views.metrics"):
        response = post(client, PAGE)
    assert response.status_code == 400
    assert "beacon could not be handled" in caplog.text
    assert "ConnectionError" in caplog.text


def test_beacon_with_cache_down_is_400(client, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise ConnectionError("redis unreachable")

    monkeypatch.setattr(rum, "allow_beacon", broken)
    with caplog.at_level(logging.ERROR, logger="ahsp.views.metrics"):
        assert post(client, PAGE).status_code == 400


# --- the staff page ----------------------------------------------------------------------------------


def test_metrics_page_anonymous_redirects_to_login(client):
    response = client.get("/metrics/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_metrics_page_not_found_for_non_staff(logged_in_client):
    assert logged_in_client.get("/metrics/").status_code == 404
    assert logged_in_client.post("/metrics/reset/").status_code == 404


def test_metrics_page_empty_state(client, staff):
    client.force_login(staff)
    response = client.get("/metrics/")
    assert response.status_code == 200
    assert "Belum ada data" in response.text
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_metrics_page_shows_numbers(client, staff):
    for beacon in [PAGE, PAGE, {**PAGE, "path": "/"}, [SWAP, SWAP, {**SWAP, "target": "/referensi/"}]]:
        assert post(client, beacon).status_code == 204
    client.force_login(staff)

    response = client.get("/metrics/")

    assert response.status_code == 200
    html = response.text
    # Most loaded first: /projects/<id>/ (2 loads) before / (1 load, 3 swaps).
    assert html.index('data-path="/projects/&lt;id&gt;/"') < html.index('data-path="/"')
    detail = html[html.index('data-path="/projects/&lt;id&gt;/"') :]
    assert '<td class="num" data-cell="count">2</td>' in detail[:400]
    # 40 ms: bucket 12 [33.4, 44.7) → reported 38.6, shown as 39.
    assert '<td class="num" data-cell="ttfb-p50">39</td>' in detail[:600]
    home = html[html.index('data-path="/"') :]
    assert '<td class="num" data-cell="swap-count">3</td>' in home
    assert 'id="metrics-targets"' in html
    assert 'data-path="/referensi/"' in html


def test_metrics_reset_by_staff(client, staff):
    post(client, PAGE)
    client.force_login(staff)
    assert client.get("/metrics/reset/").status_code == 405

    response = client.post("/metrics/reset/", follow=True)

    assert response.redirect_chain == [("/metrics/", 302)]
    assert "Metrik halaman direset." in response.text
    assert "Belum ada data" in response.text
    assert stored_counts() == {}


def test_metrics_reset_needs_csrf(staff):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    assert client.post("/metrics/reset/").status_code == 403


# --- the script on every page -------------------------------------------------------------------------


def test_base_template_includes_the_script(logged_in_client, user):
    project = ProjectFactory(owner=user)
    for url in ["/", f"/projects/{project.pk}/"]:
        html = logged_in_client.get(url).text
        assert '<script src="/static/js/metrics.js" defer></script>' in html


def test_login_page_includes_the_script(client):
    assert '<script src="/static/js/metrics.js" defer></script>' in client.get("/accounts/login/").text


def test_nav_link_only_for_staff(logged_in_client, client, staff):
    assert 'href="/metrics/"' not in logged_in_client.get("/").text
    client.force_login(staff)
    assert '<a href="/metrics/">Metrik</a>' in client.get("/").text


def test_script_is_served(client):
    response = client.get("/static/js/metrics.js")
    assert response.status_code == 200
    script = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"sendBeacon" in script and b"/metrics/client/" in script
