"""Real-user metrics: the beacon endpoint (anonymous, CSRF-exempt) and the staff page with P50/P95."""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ahsp.metrics import client as rum  # real-user metrics
from ahsp.views._access import staff_required

logger = logging.getLogger(__name__)


def _bad_request(reason: str) -> HttpResponse:
    return HttpResponse(reason, status=400, content_type="text/plain; charset=utf-8")


def _accept_beacon(request: HttpRequest) -> HttpResponse:
    address = rum.client_address(request.META, getattr(settings, "CLIENT_METRICS_TRUSTED_PROXY_HEADER", None))
    if not rum.allow_beacon(address):
        return HttpResponse("too many beacons", status=429, content_type="text/plain; charset=utf-8")
    if request.content_type.lower() not in rum.ACCEPTED_CONTENT_TYPES:
        return _bad_request("content type must be application/json or text/plain")
    try:
        length = int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return _bad_request("Content-Length required")
    if not 0 < length <= rum.MAX_BODY_BYTES:
        return _bad_request(f"body must be 1 to {rum.MAX_BODY_BYTES} bytes")
    try:
        entries = rum.canonical_entries(rum.parse_beacon(request.body))
    except rum.InvalidBeacon as error:
        return _bad_request(str(error))
    rum.record_entries(entries)
    return HttpResponse(status=204)


@csrf_exempt
@never_cache
def client_metrics(request: HttpRequest) -> HttpResponse:
    """POST a beacon (ahsp/metrics/client.py): 204 stored, 400 invalid, 429 over the rate limit."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        return _accept_beacon(request)
    except Exception:  # a beacon never causes a 500 (a broken cache included)
        logger.exception("client metrics: beacon could not be handled")
        return _bad_request("beacon could not be handled")


@login_required
@never_cache
@staff_required
def metrics(request: HttpRequest) -> HttpResponse:
    context = {
        "report": rum.load_report(),
        "bucket_count": rum.BUCKET_COUNT,
        "max_tracked_paths": rum.MAX_TRACKED_PATHS,
    }
    return render(request, "ahsp/metrics.html", context)


@login_required
@require_POST
@staff_required
def metrics_reset(request: HttpRequest) -> HttpResponse:
    rum.reset_metrics()
    logger.info("client metrics reset by user %s", request.user.pk)
    messages.success(request, _("Metrik halaman direset."))
    return redirect("ahsp:metrics")
