"""Thin huey tasks: load by id, call a service. Periodic housekeeping lives here too."""

import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, periodic_task

from ahsp.services import exports

WORKER_HEARTBEAT_KEY = "ahsp:worker:heartbeat"
STALE_AFTER_SECONDS = 120


@periodic_task(crontab(minute="*"))
def record_worker_heartbeat() -> float:
    """Every minute the consumer notes it is alive (read by /healthz and the worker's health check)."""
    now = time.time()
    cache.set(WORKER_HEARTBEAT_KEY, now, timeout=3600)
    return now


@db_task(retries=0)
def build_export(job_id: int) -> None:
    """Build the file of one export job (the work lives in ahsp.services.exports / ahsp.exports)."""
    exports.run(job_id)


@db_periodic_task(crontab(minute="*"))
def sweep_exports() -> None:
    """Fail jobs whose worker died (no heartbeat for 2 minutes) and remove expired files."""
    exports.mark_stale(older_than_seconds=STALE_AFTER_SECONDS)
    exports.purge(older_than=timedelta(hours=settings.EXPORT_RETENTION_HOURS))
