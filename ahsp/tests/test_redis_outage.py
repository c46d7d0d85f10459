"""Redis down: the site keeps working (project/cache.py) and an export started meanwhile is not lost.

The cache here is the production backend pointed at a port where nothing listens, so every call really
fails to connect (no mock of the cache itself).
"""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone

from ahsp import tasks
from ahsp.models import ExportJob
from ahsp.services import exports, jobs
from ahsp.tests.factories import ProjectFactory
from project.cache import ResilientRedisCache

pytestmark = pytest.mark.django_db

DEAD_REDIS = {
    "default": {
        "BACKEND": "project.cache.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",  # discard port: connection refused
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
            "SOCKET_CONNECT_TIMEOUT": 0.2,
            "SOCKET_TIMEOUT": 0.2,
            "IGNORE_EXCEPTIONS": True,
        },
    }
}


@pytest.fixture
def redis_down(settings):
    settings.CACHES = DEAD_REDIS
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
    settings.HEALTHZ_TOKEN = "t"
    yield caches["default"]
    caches["default"].close()


def test_the_cache_misses_and_skips_writes_instead_of_raising(redis_down):
    cache = redis_down
    assert isinstance(cache, ResilientRedisCache)
    cache.set("k", "v")
    assert cache.get("k") is None and cache.get("k", "default") == "default"
    assert cache.get_many(["a", "b"]) == {}
    cache.set_many({"a": 1})
    assert cache.add("lock", True) is True  # so allauth's rate-limit lock does not answer 429


def test_a_user_signs_in_and_works_while_redis_is_down(redis_down, client, make_user):
    user = make_user(email="estimator@example.com")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    project = ProjectFactory(owner=user, name="Gedung Serbaguna")

    response = client.post(
        reverse("account_login"), {"login": "estimator@example.com", "password": "s3cret-pass-123"}
    )
    assert response.status_code == 302 and "/accounts/" not in response["Location"]

    dashboard = client.get("/")
    assert dashboard.status_code == 200 and "Gedung Serbaguna" in dashboard.text
    for name in ("ringkasan", "peringatan", "terbesar", "aktivitas"):
        widget = client.get(reverse("ahsp:widget", args=[name]), headers={"HX-Request": "true"})
        assert widget.status_code == 200 and "is-failed" not in widget.text
    assert client.get(reverse("ahsp:project_rab", args=[project.pk])).status_code == 200
    beacon = client.post(
        "/metrics/client/",
        '{"v": 1, "path": "/", "kind": "page", "ttfb": 40, "dcl": 90, "load": 100}',
        content_type="application/json",
    )
    assert beacon.status_code in (204, 429), beacon.text  # accepted (not counted), never a 500
    health = client.get("/healthz", headers={"X-Healthz-Token": "t"})
    assert health.status_code == 200 and health.json()["status"] == "degraded"
    assert health.json()["checks"]["cache"]["status"] == "down"


def test_an_export_started_while_the_queue_is_down_is_enqueued_by_the_sweep(
    user, monkeypatch, django_capture_on_commit_callbacks
):
    project = ProjectFactory(owner=user)

    def queue_down(job_id):
        raise ConnectionError("redis down")

    monkeypatch.setitem(jobs.TASKS, "export", queue_down)
    with django_capture_on_commit_callbacks(execute=True):
        job = exports.start(project=project, document="rab", fmt="csv", by=user)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.QUEUED  # kept, not failed, and the request did not fail

    enqueued = []
    monkeypatch.setitem(jobs.TASKS, "export", enqueued.append)
    monkeypatch.setattr(tasks.HUEY, "pending", lambda: [])
    assert tasks.requeue_lost_exports() == []  # too recent: it may still be on its way to the queue
    ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=1))
    assert tasks.requeue_lost_exports() == [job.pk] and enqueued == [job.pk]


def test_a_job_waiting_on_the_queue_is_not_enqueued_twice(user, monkeypatch):
    project = ProjectFactory(owner=user)
    job = ExportJob.objects.create(project=project, document="rab", format="csv")
    ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    waiting = tasks.build_export.s(job.pk)
    monkeypatch.setattr(tasks.HUEY, "pending", lambda: [waiting])
    enqueued = []
    monkeypatch.setitem(jobs.TASKS, "export", enqueued.append)
    assert tasks.requeue_lost_exports() == [] and enqueued == []


def test_the_staff_pages_answer_while_redis_is_down(redis_down, client, make_user):
    staff = make_user(email="admin@example.com", is_staff=True)
    client.force_login(staff)
    for url in ("/metrics/", "/audit/"):
        assert client.get(url).status_code == 200


def test_the_login_limit_holds_while_redis_is_down(redis_down, client, make_user):
    """The cache forgets every failure during an outage; the database counter (project.login_limit) does
    not: after 5 wrong passwords for one e-mail (5/5m/key) even the right one is refused."""
    user = make_user(email="estimator@example.com")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    url = reverse("account_login")
    for _ in range(5):
        wrong = client.post(url, {"login": "estimator@example.com", "password": "salah"})
        assert wrong.status_code == 200 and "Terlalu banyak" not in wrong.text

    blocked = client.post(url, {"login": "estimator@example.com", "password": "s3cret-pass-123"})

    assert blocked.status_code == 200
    assert "Terlalu banyak percobaan masuk yang gagal" in blocked.text
    assert client.get("/").status_code == 302  # not signed in


def test_the_per_address_login_limit_holds_while_redis_is_down(redis_down, client, make_user):
    """10/m/ip: ten wrong guesses on ten e-mails from one address, then that address is refused."""
    make_user(email="estimator@example.com")
    url = reverse("account_login")
    for n in range(10):
        client.post(url, {"login": f"tebak{n}@example.com", "password": "salah"})
    blocked = client.post(url, {"login": "estimator@example.com", "password": "s3cret-pass-123"})
    assert "Terlalu banyak percobaan masuk yang gagal" in blocked.text


def test_no_database_counting_when_the_rate_limits_are_off(client, make_user, settings):
    from ahsp.models import LoginFailure

    settings.ACCOUNT_RATE_LIMITS = False
    make_user(email="estimator@example.com")
    for _ in range(12):
        client.post(reverse("account_login"), {"login": "estimator@example.com", "password": "salah"})
    assert not LoginFailure.objects.exists()
