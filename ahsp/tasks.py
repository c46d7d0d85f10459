"""Thin huey tasks: load by id, call a service. Periodic housekeeping lives here too."""

import time

from django.core.cache import cache
from huey import crontab
from huey.contrib.djhuey import periodic_task

WORKER_HEARTBEAT_KEY = "ahsp:worker:heartbeat"


@periodic_task(crontab(minute="*"))
def record_worker_heartbeat() -> float:
    """Every minute the consumer notes it is alive (read by /healthz and the worker's health check)."""
    now = time.time()
    cache.set(WORKER_HEARTBEAT_KEY, now, timeout=3600)
    return now
