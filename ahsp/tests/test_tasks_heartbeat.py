import time

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command

from ahsp.services.jobs import WORKER_HEARTBEAT_KEY
from ahsp.tasks import record_worker_heartbeat

pytestmark = pytest.mark.django_db


def test_worker_health_fails_without_heartbeat():
    with pytest.raises(CommandError, match="Belum ada detak"):
        call_command("worker_health")


def test_heartbeat_task_makes_worker_healthy_and_healthz_reports_it(client, capsys, settings):
    settings.HEALTHZ_TOKEN = "t"  # the details are for staff or the token only
    record_worker_heartbeat.call_local()

    call_command("worker_health", "--max-age", "60")
    assert "worker ok" in capsys.readouterr().out
    queue = client.get("/healthz?token=t").json()["checks"]["queue"]
    assert queue["worker_last_seen_s"] <= 5 and queue["pending"] == 0  # seconds since the heartbeat


def test_worker_health_fails_when_heartbeat_is_stale():
    cache.set(WORKER_HEARTBEAT_KEY, time.time() - 600)
    with pytest.raises(CommandError, match="600"):
        call_command("worker_health", "--max-age", "180")
