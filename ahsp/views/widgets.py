"""The dashboard widgets: one URL per widget, ``/widgets/<name>/``.

An htmx request (the dashboard's placeholder, or its "Coba lagi" button) gets the widget's fragment; any
other request gets a full page around it (the link shown without JavaScript). The fragment comes from the
per-user cache (``ahsp.dashboard.cache``) and is rendered without the request, so nothing specific to one
request is ever cached. If computing a widget fails, the response is a small error fragment with a retry
button, status 200 (htmx swaps it; it is not cached).
"""

import logging

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from ahsp.dashboard import cache as dashboard_cache
from ahsp.loaders.dashboard import WIDGETS, Widget
from partials.htmx import is_partial

logger = logging.getLogger(__name__)

PAGE = "ahsp/widgets/widget_page.html"
PLACEHOLDER = "ahsp/widgets/_placeholder.html"


def render_widget(widget: Widget, user) -> str:
    """The widget's HTML for ``user``: cached, or computed and cached."""
    today = timezone.localdate()

    def render_fresh() -> str:
        return render_to_string(widget.template, {"widget": widget, "data": widget.load(user, today)})

    return dashboard_cache.cached_fragment(
        widget.name, user.pk, render_fresh, day=today if widget.daily else None
    )


@login_required
@require_safe
def widget(request: HttpRequest, name: str) -> HttpResponse:
    spec = WIDGETS.get(name)
    if spec is None:
        raise Http404("Unknown widget")
    try:
        html = render_widget(spec, request.user)
    except Exception:
        logger.exception("Dashboard widget %s failed for user %s", name, request.user.pk)
        html = render_to_string(PLACEHOLDER, {"widget": spec, "failed": True})
    if is_partial(request):
        response = HttpResponse(html)
    else:
        # The fragment is our own template's output (cached as a string): safe to insert as it is.
        response = render(request, PAGE, {"widget": spec, "fragment": mark_safe(html)})  # noqa: S308
    patch_cache_control(response, private=True, no_cache=True)
    return response
