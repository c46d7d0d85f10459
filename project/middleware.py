"""Bahasa Indonesia by default whatever the browser asks for; request bodies that are too large refused
before they are read; ``Vary: HX-Request`` on every page."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html
from django.utils.translation import gettext as _


class IndonesianByDefaultMiddleware:
    """Drop Accept-Language so LocaleMiddleware uses the language cookie (the switch) or LANGUAGE_CODE."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class HtmxVaryMiddleware:
    """``Vary: HX-Request`` on every HTML response: many views answer an htmx request with a fragment and
    the same URL without htmx with the whole page, and a browser or proxy cache must keep the two apart.
    One place instead of a decorator per view (which a new view could forget)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            patch_vary_headers(response, ("HX-Request",))
        return response


class RequestBodyLimitMiddleware:
    """Answer 413 before reading a body that announces itself as too large (``Content-Length``).

    Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` leaves file uploads out, and the upload forms check the size
    only once the whole body has arrived (55 MB received, then refused). Here a multipart body is held to
    ``UPLOAD_MAX_BODY_BYTES`` (the largest upload any form takes, plus its fields) and any other body to
    ``DATA_UPLOAD_MAX_MEMORY_SIZE``. A body without a length (chunked) is read by Django as empty, so it
    needs no check. Placed before anything that reads ``request.POST`` (the CSRF middleware).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads an unreadable length as 0 bytes too
        multipart = request.META.get("CONTENT_TYPE", "").lower().startswith("multipart/")
        limit = settings.UPLOAD_MAX_BODY_BYTES
        if not multipart and settings.DATA_UPLOAD_MAX_MEMORY_SIZE is not None:
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if length > limit:
            return _body_too_large(length, limit)
        return self.get_response(request)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".replace(".", ",")


def _body_too_large(length: int, limit: int) -> HttpResponse:
    message = _("Berkas terlalu besar: %(size)s MB dikirim, paling banyak %(limit)s MB.") % {
        "size": _megabytes(length),
        "limit": _megabytes(limit),
    }
    hint = _("Perkecil berkasnya atau bagi menjadi beberapa berkas, lalu unggah ulang.")
    back = _("Kembali ke beranda")
    body = format_html(
        '<!DOCTYPE html><html lang="id"><head><meta charset="utf-8"><title>413</title></head>'
        '<body><main><h1>{}</h1><p>{}</p><p><a href="/">{}</a></p></main></body></html>',
        message,
        hint,
        back,
    )
    return HttpResponse(body, status=413, content_type="text/html; charset=utf-8")
