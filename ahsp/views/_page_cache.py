"""Rendered project pages, cached per content version: a page is rendered once per change, not per request
(issue 13 §1).

A project page (the RAB, the work breakdown, the Gantt, the Kurva S, the progress week, the prices, the
analyses, the requirements, the project summary) and its HTMX fragments depend on the project's data, the
user, the language, the date and the request's URL and htmx headers. ``cached_project_page`` keeps the
response body of a GET under a key made of all of these and of ``Project.content_version``, which
``ahsp.services.audit.record`` increments **in the transaction of every change** to the project (the
estimate pages, ``ESTIMATE_PAGES``, use ``estimate_version``, incremented by every change except those of
the schedule and progress: ``audit.Changes``). So:

- A request that sees a change's data also sees its new version (same commit): a cached page can never
  show figures older than the database. The version is read by the access check's own query
  (``project_for``), so a hit costs that one query and one cache read.
- Permissions come first: the decorator calls ``project_for`` (404 for a stranger) before looking in the
  cache, and the user is part of the key.
- Per-request values are never served twice: CSRF tokens and the script nonce (of this response's
  Content-Security-Policy) are replaced by fresh ones and the one-time tokens of create forms (``ahsp.idempotency``) by new ones on every response; a request with pending
  messages, a response that is not a 200 text/html, or one that set cookies or messages, is not stored.
- Writes that bypass the services (seed commands, the shell) must bump ``content_version`` themselves
  (``Project.bump_content_version``), or wait ``PAGE_TIMEOUT``.

Bodies are stored zlib-compressed (a 100 KB Gantt page takes about 8 KB of Redis).
"""

from __future__ import annotations

import hashlib
import logging
import re
import zlib
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import get_nonce
from django.middleware.csrf import get_token
from django.utils import timezone, translation

from ahsp.dashboard import cache as dashboard_cache
from ahsp.idempotency import FIELD as SUBMIT_FIELD
from ahsp.idempotency import new_token
from ahsp.views._access import project_for

#: The pages that show only the estimate (no plan, stage, progress or week report): keyed on
#: ``Project.estimate_version``, which a schedule-only change (``audit.Changes.SCHEDULE``) leaves alone, so
#: a progress save does not make them render again. Every other page is keyed on ``content_version``.
ESTIMATE_PAGES = frozenset(
    {
        "project_rab",
        "project_rab_section",
        "work_item_list",
        "work_item_section",
        "work_item_detail",
        "project_analyses",
        "project_prices",
    }
)

PAGE_TIMEOUT = 30 * 60  # seconds; bounds what a write that bypassed the services can leave stale
#: Larger bodies are served but not stored (a print view of a huge RAB).
MAX_STORED_BYTES = 2 * 1024 * 1024

_CSRF_MARK = "\x00csrf\x00"
_SUBMIT_MARK = "\x00submit\x00"
_NONCE_MARK = "\x00nonce\x00"
_CSRF_MARK_BYTES = _CSRF_MARK.encode()
_NONCE_MARK_BYTES = _NONCE_MARK.encode()
_SUBMIT_MARK_BYTES = _SUBMIT_MARK.encode()
_CSRF_PATTERNS = (
    re.compile(r'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{64}(")'),
    re.compile(r'("X-CSRFToken": ")[A-Za-z0-9]{64}(")'),
)
_NONCE_PATTERN = re.compile(r'( nonce=")[A-Za-z0-9_-]{16,}(")')
_SUBMIT_PATTERN = re.compile(rf'(name="{SUBMIT_FIELD}" value=")[0-9a-f]{{32}}(")')

logger = logging.getLogger(__name__)


def enabled() -> bool:
    return getattr(settings, "PAGE_CACHE_ENABLED", True)


def page_key(request: HttpRequest, name: str, version: str) -> str:
    """The key of this request's page: ``version`` (what the page's data is at) and everything else the
    response depends on."""
    user = request.user
    headers = request.headers
    varying = "|".join(
        (
            request.get_full_path(),
            headers.get("HX-Request", ""),
            headers.get("HX-Target", ""),
            headers.get("HX-Trigger", ""),
            user.get_username(),
            str(user.is_staff),
            translation.get_language() or "",
            timezone.localdate().isoformat(),
        )
    )
    digest = hashlib.blake2b(varying.encode(), digest_size=16).hexdigest()
    return f"page:{name}:{version}:{user.pk}:{digest}"


def _with_marks(body: str) -> str:
    for pattern in _CSRF_PATTERNS:
        body = pattern.sub(rf"\g<1>{_CSRF_MARK}\g<2>", body)
    body = _NONCE_PATTERN.sub(rf"\g<1>{_NONCE_MARK}\g<2>", body)
    return _SUBMIT_PATTERN.sub(rf"\g<1>{_SUBMIT_MARK}\g<2>", body)


def _fill_marks(request: HttpRequest, body: bytes) -> bytes:
    """The stored body (UTF-8) with this request's CSRF token and new one-time tokens in the marks."""
    if _CSRF_MARK_BYTES in body:
        body = body.replace(_CSRF_MARK_BYTES, get_token(request).encode())
    if _NONCE_MARK_BYTES in body:  # the script nonce of this response's Content-Security-Policy header
        body = body.replace(_NONCE_MARK_BYTES, str(get_nonce(request)).encode())
    if _SUBMIT_MARK_BYTES in body:
        parts = body.split(_SUBMIT_MARK_BYTES)
        body = b"".join(part + new_token().encode() for part in parts[:-1]) + parts[-1]
    return body


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and response.get("Content-Type", "").startswith("text/html")
        and not response.cookies
        and not len(messages.get_messages(request))
        and len(response.content) <= MAX_STORED_BYTES
    )


def _read(key: str) -> tuple[bytes, dict[str, str]] | None:
    try:
        stored = cache.get(key)
    except Exception as error:  # the cache is an optimisation: without it the page is rendered
        logger.warning("Page cache unavailable: %s", error)
        return None
    if not stored:
        return None
    blob, headers = stored
    return zlib.decompress(blob), headers


def _write(key: str, body: str, headers: dict[str, str]) -> None:
    try:
        cache.set(key, (zlib.compress(body.encode(), 1), headers), PAGE_TIMEOUT)
    except Exception as error:
        logger.warning("Page cache unavailable, page not stored: %s", error)


def _kept_headers(response: HttpResponse) -> dict[str, str]:
    """The headers a view set that a cached copy must repeat (content type, Vary, htmx response headers)."""
    return {
        name: value
        for name, value in response.items()
        if name.lower() in {"content-type", "vary"} or name.lower().startswith("hx-")
    }


def _serve(request: HttpRequest, key: str, render: Callable[[], HttpResponse]) -> HttpResponse:
    """The cached response under ``key`` with this request's tokens, or ``render()`` (stored if it may)."""
    if (hit := _read(key)) is not None:
        body, headers = hit
        response = HttpResponse(_fill_marks(request, body))
        for header, value in headers.items():
            response[header] = value
        return response
    response = render()
    if _storable(request, response):
        _write(key, _with_marks(response.content.decode()), _kept_headers(response))
    return response


def _cacheable(request: HttpRequest) -> bool:
    return request.method in ("GET", "HEAD") and enabled() and not len(messages.get_messages(request))


def cached_project_page(name: str) -> Callable:
    """Cache a project view's GET responses (``view(request, pk, ...)``) per content version, as above.
    Put it directly above the ``def``, below ``login_required`` and the method decorators."""

    version_of = (
        (lambda project: f"e{project.estimate_version}")
        if name in ESTIMATE_PAGES
        else (lambda project: f"c{project.content_version}")
    )

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def cached(request: HttpRequest, pk: int, *args, **kwargs) -> HttpResponse:
            if not _cacheable(request):
                return view(request, pk, *args, **kwargs)
            project = project_for(request, pk)  # 404 for a stranger, before the cache is looked at
            key = page_key(request, name, f"{project.pk}:{version_of(project)}")
            return _serve(request, key, lambda: view(request, pk, *args, **kwargs))

        return cached

    return decorate


def cached_user_page(name: str) -> Callable:
    """Cache a view over the user's projects (the dashboard) per the user's data version
    (``ahsp.dashboard.cache``, bumped after the commit of every change to any project the user sees).
    Weaker than the content version (a bump lost while Redis was unreachable leaves the page stale for
    ``PAGE_TIMEOUT``), as for the dashboard widgets."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def cached(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not _cacheable(request):
                return view(request, *args, **kwargs)
            try:
                version = dashboard_cache.data_version(request.user.pk)
            except Exception as error:  # no cache: the page is rendered
                logger.warning("Page cache unavailable: %s", error)
                return view(request, *args, **kwargs)
            return _serve(request, page_key(request, name, version), lambda: view(request, *args, **kwargs))

        return cached

    return decorate
