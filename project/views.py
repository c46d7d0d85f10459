"""Project-level views: the admin's login (through allauth) and the CSRF failure page."""

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse


def admin_login(request: HttpRequest) -> HttpResponseRedirect:
    """The admin signs in through allauth's login (rate limited), never through its own form: a POST here
    checks no password. A signed-in user without admin access gets 403 (a redirect would loop)."""
    if request.user.is_authenticated:
        raise PermissionDenied
    query = urlencode({"next": request.GET.get("next") or reverse("admin:index")})
    return HttpResponseRedirect(f"{reverse('account_login')}?{query}")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: an Indonesian page (status 403) instead of Django's English one. The reason
    is not shown (it is for developers; DEBUG keeps Django's own page with it)."""
    return render(request, "403_csrf.html", status=403)
