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


def test_healthz_reports_503_when_cache_is_down(client, monkeypatch):
    from ahsp.views import health

    def broken(*args, **kwargs):
        raise ConnectionError("redis unreachable")

    monkeypatch.setattr(health.cache, "set", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == {"status": "down", "error": "ConnectionError"}
