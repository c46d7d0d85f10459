import pytest

pytestmark = pytest.mark.django_db


def test_healthz_all_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {k: v["status"] for k, v in body["checks"].items()} == {
        "database": "up",
        "cache": "up",
        "queue": "up",
    }


def test_healthz_is_degraded_not_down_when_the_cache_is_down(client, monkeypatch):
    """The site serves without Redis: a load balancer must keep the web process (status 200)."""
    from ahsp.views import health

    def broken(*args, **kwargs):
        raise ConnectionError("redis unreachable")

    monkeypatch.setattr(health.cache, "set", broken)
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "degraded"
    assert response.json()["checks"]["cache"] == {"status": "down", "error": "ConnectionError"}


def test_healthz_reports_503_when_the_database_is_down(client, monkeypatch):
    from ahsp.views import health

    def broken():
        raise ConnectionError("database unreachable")

    monkeypatch.setattr(health, "_check_database", broken)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["status"] == "error"
    assert response.json()["checks"]["database"] == {"status": "down", "error": "ConnectionError"}
