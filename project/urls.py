from django.contrib import admin
from django.urls import include, path

from ahsp.views.health import healthz
from project.views import admin_login

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/login/", admin_login),  # allauth's rate-limited login instead of the admin's form
    path("admin/", admin.site.urls),
    path("", include("ahsp.urls")),
]
