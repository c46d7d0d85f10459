"""Test settings: the production settings with fast, isolated choices (cookiecutter-django style).

Database and Redis still come from DATABASE_URL / REDIS_URL, so CI runs against PostgreSQL and Redis.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
os.environ.setdefault(
    "AHSP_DATA_DIR", os.path.join(os.path.dirname(os.path.dirname(__file__)), "var", "test")
)
os.environ.setdefault("CACHE_KEY_PREFIX", "ahsp-test")
os.environ.setdefault("HUEY_NAME", "ahsp-test")
# The test client and the e2e live server speak plain HTTP on localhost (production defaults are HTTPS).
for _name in ("SECURE_SSL_REDIRECT", "SECURE_COOKIES", "BEHIND_TLS_PROXY", "SECURE_HSTS_SECONDS"):
    os.environ.setdefault(_name, "0")

from project.settings import *  # noqa: E402,F403
from project.settings import HUEY  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
ACCOUNT_RATE_LIMITS = False
HUEY = {**HUEY, "immediate": True}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ALLOWED_HOSTS = ["*"]
# No collectstatic in tests: whitenoise serves from the finders.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# An N+1 query is an error in tests: django-zeal checks every request (loader tests use zeal_context).
INSTALLED_APPS = [*INSTALLED_APPS, "zeal"]  # noqa: F405
MIDDLEWARE = [*MIDDLEWARE, "zeal.middleware.zeal_middleware"]  # noqa: F405
ZEAL_RAISE = True
# cached_db sessions read the session row again on flush after a cache miss: not an N+1.
# allauth's e-mail confirmation and unverified login look the address up twice (its own code): not an N+1.
ZEAL_ALLOWLIST = [{"model": "sessions.Session"}, {"model": "account.EmailAddress"}]

# Without Redis, each test process gets its own in-memory cache (the live server runs in a thread of
# the same process), so parallel test runs never clear each other's sessions.
if not os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ahsp-tests"}
    }
else:
    # One key prefix per xdist worker on the shared Redis database: conftest empties only its own keys.
    CACHES["default"]["KEY_PREFIX"] = f"ahsp-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"

# Unit tests measure rendering (query counts, content after a write), so pages are not served from the
# page cache (ahsp.views._page_cache); e2e/conftest.py and the page-cache tests switch it on.
PAGE_CACHE_ENABLED = False
