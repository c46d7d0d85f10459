"""`/healthz`: JSON status of the database, the cache and the task queue.

200 "ok" when all are up; 200 "degraded" when only the cache or the queue (Redis) is down: the site keeps
serving (sessions from the database, widgets computed without their cache, exports queued in the
database and enqueued once the queue is back), so a load balancer must not take the web process out;
503 "error" when the database is down.

The status code and ``{"status": ...}`` are for everyone (load balancers, docker's health check); the
per-check details (which dependency is down, queue length, worker heartbeat) only for staff or with the
``HEALTHZ_TOKEN`` (header ``X-Healthz-Token`` or query ``?token=``).
"""

import hmac
import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from huey.contrib.djhuey import HUEY

from ahsp.services import jobs

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
    silent = jobs.worker_silent_seconds()
    # Informational: a missing consumer delays exports but does not make the web process unhealthy.
    info["worker_last_seen_s"] = None if silent is None else round(silent)
    return info


def _may_see_details(request: HttpRequest) -> bool:
    expected = settings.HEALTHZ_TOKEN
    given = request.headers.get("X-Healthz-Token") or request.GET.get("token") or ""
    if expected and hmac.compare_digest(given.encode(), expected.encode()):
        return True
    try:  # the session and the user come from the database, which may be the thing that is down
        return request.user.is_authenticated and request.user.is_staff
    except Exception:
        return False


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
        status, code = "error", 503
    elif any(check["status"] == "down" for check in checks.values()):
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    body = {"status": status, "checks": checks} if _may_see_details(request) else {"status": status}
    return JsonResponse(body, status=code)
