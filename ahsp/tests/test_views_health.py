import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db

TOKEN = "rahasia-healthz-token"


@pytest.fixture
def token(settings):
    settings.HEALTHZ_TOKEN = TOKEN
    return TOKEN


def test_healthz_all_up(client, token):
    response = client.get("/healthz", headers={"X-Healthz-Token": token})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {k: v["status"] for k, v in body["checks"].items()} == {
        "database": "up",
        "cache": "up",
        "queue": "up",
    }


def test_healthz_shows_only_the_status_to_anonymous_and_non_staff(client, token, make_user):
    """The load balancer needs the status code only; queue sizes, worker heartbeat and which dependency is
    down are not for the public."""
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/healthz?token=salah").json() == {"status": "ok"}
    assert client.get("/healthz", headers={"X-Healthz-Token": "salah"}).json() == {"status": "ok"}
    client.force_login(make_user("biasa@example.com"))
    assert client.get("/healthz").json() == {"status": "ok"}


def test_healthz_details_for_staff_or_the_token_in_the_query(client, token, make_user):
    assert "checks" in client.get(f"/healthz?token={token}").json()
    client.force_login(make_user("staf@example.com", is_staff=True))
    assert "checks" in client.get("/healthz").json()


@override_settings(HEALTHZ_TOKEN="")
def test_healthz_with_no_token_configured_accepts_no_empty_token(client):
    assert client.get("/healthz?token=").json() == {"status": "ok"}
    assert client.get("/healthz", headers={"X-Healthz-Token": ""}).json() == {"status": "ok"}


def test_healthz_is_degraded_not_down_when_the_cache_is_down(client, monkeypatch, token):
    """The site serves without Redis: a load balancer must keep the web process (status 200)."""
    from ahsp.views import health

    def broken(*args, **kwargs):
        raise ConnectionError("redis unreachable")

    monkeypatch.setattr(health.cache, "set", broken)
    assert client.get("/healthz").json() == {"status": "degraded"}
    response = client.get("/healthz", headers={"X-Healthz-Token": token})
    assert response.status_code == 200 and response.json()["status"] == "degraded"
    assert response.json()["checks"]["cache"] == {"status": "down", "error": "ConnectionError"}


def test_healthz_reports_503_when_the_database_is_down(client, monkeypatch, token):
    from ahsp.views import health

    def broken():
        raise ConnectionError("database unreachable")

    monkeypatch.setattr(health, "_check_database", broken)
    anonymous = client.get("/healthz")
    assert anonymous.status_code == 503 and anonymous.json() == {"status": "error"}
    response = client.get("/healthz", headers={"X-Healthz-Token": token})
    assert response.status_code == 503 and response.json()["status"] == "error"
    assert response.json()["checks"]["database"] == {"status": "down", "error": "ConnectionError"}
