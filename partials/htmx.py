"""Small helpers shared by every HTMX view."""

from django.http import HttpRequest


def is_partial(request: HttpRequest) -> bool:
    """Render a fragment only for real htmx swaps: not hx-boost navigations, not history restores."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def template_for(request: HttpRequest, page: str, partial: str) -> str:
    """The page template, or its inline partial `page#partial` for an htmx swap."""
    return f"{page}#{partial}" if is_partial(request) else page
