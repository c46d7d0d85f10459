from urllib.parse import urlencode

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import include, path, reverse

from ahsp.views.health import healthz


def admin_login(request: HttpRequest) -> HttpResponseRedirect:
    """The admin signs in through allauth's login (rate limited), never through its own form: a POST here
    checks no password. A signed-in user without admin access gets 403 (a redirect would loop)."""
    if request.user.is_authenticated:
        raise PermissionDenied
    query = urlencode({"next": request.GET.get("next") or reverse("admin:index")})
    return HttpResponseRedirect(f"{reverse('account_login')}?{query}")


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/login/", admin_login),
    path("admin/", admin.site.urls),
    path("", include("ahsp.urls")),
]
