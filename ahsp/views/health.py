"""`/healthz`: JSON status of the database, the cache and the task queue.

200 "ok" when all are up; 200 "degraded" when only the cache or the queue (Redis) is down: the site keeps
serving (sessions from the database, widgets computed without their cache, exports queued in the
database and enqueued once the queue is back), so a load balancer must not take the web process out;
503 "error" when the database is down.
"""

import logging
import time
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from huey.contrib.djhuey import HUEY

from ahsp.tasks import WORKER_HEARTBEAT_KEY

logger = logging.getLogger(__name__)


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache() -> None:
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "ok", 10)
    if cache.get(key) != "ok":
        raise RuntimeError("cache did not return the value just written")
    cache.delete(key)


def _check_queue() -> dict:
    info = {"pending": HUEY.pending_count()}
    beat = cache.get(WORKER_HEARTBEAT_KEY)
    # Informational: a missing consumer delays exports but does not make the web process unhealthy.
    info["worker_last_seen_s"] = None if beat is None else round(time.time() - float(beat))
    return info


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {}
    for name, check in (("database", _check_database), ("cache", _check_cache), ("queue", _check_queue)):
        try:
            result = check()
        except Exception as exc:  # any failure of a dependency is reported, never raised
            logger.warning("healthz: %s is down: %s", name, exc)
            checks[name] = {"status": "down", "error": exc.__class__.__name__}
        else:
            checks[name] = {"status": "up", **(result or {})}
    if checks["database"]["status"] == "down":
        return JsonResponse({"status": "error", "checks": checks}, status=503)
    degraded = any(check["status"] == "down" for check in checks.values())
    return JsonResponse({"status": "degraded" if degraded else "ok", "checks": checks})
