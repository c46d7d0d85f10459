"""Thin huey tasks: load by id, call a service. Periodic housekeeping lives here too."""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task, periodic_task

from ahsp.services import exports

WORKER_HEARTBEAT_KEY = "ahsp:worker:heartbeat"
STALE_AFTER_SECONDS = 120
LOST_AFTER_SECONDS = 30  # a queued job this old that is on no task queue was never enqueued

logger = logging.getLogger(__name__)


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


BUILD_EXPORT_TASK = build_export.task_class.__name__  # the name of its messages on the queue


@db_periodic_task(crontab(minute="*"))
def sweep_exports() -> None:
    """Fail jobs whose worker died (no heartbeat for 2 minutes), enqueue jobs whose enqueue failed (the
    queue was down when they were started) and remove expired files."""
    exports.mark_stale(older_than_seconds=STALE_AFTER_SECONDS)
    requeue_lost_exports()
    exports.purge(older_than=timedelta(hours=settings.EXPORT_RETENTION_HOURS))


def requeue_lost_exports() -> list[int]:
    """Enqueue the queued export jobs that are on no task queue (see ``exports.lost_queued_ids``)."""
    pending = {task.args[0] for task in HUEY.pending() if task.name == BUILD_EXPORT_TASK and task.args}
    lost = exports.lost_queued_ids(older_than_seconds=LOST_AFTER_SECONDS, pending=pending)
    for job_id in lost:
        exports.enqueue(job_id)
    if lost:
        logger.warning("Enqueued %s export job(s) whose enqueue had failed: %s", len(lost), lost)
    return lost
