"""`/healthz`: JSON status of the database, the cache and the task queue (200 all up, 503 otherwise)."""

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
    healthy = True
    for name, check in (("database", _check_database), ("cache", _check_cache), ("queue", _check_queue)):
        try:
            result = check()
        except Exception as exc:  # any failure of a dependency is reported, never raised
            logger.warning("healthz: %s is down: %s", name, exc)
            checks[name] = {"status": "down", "error": exc.__class__.__name__}
            healthy = False
        else:
            checks[name] = {"status": "up", **(result or {})}
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )
