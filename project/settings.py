"""AHSP settings: configured from environment variables only.

With nothing set, the app runs on one machine: SQLite (WAL) in the data directory, a file-based cache
shared by the web server and the huey consumer, and SqliteHuey in a file. `DATABASE_URL` switches to
PostgreSQL (persistent, health-checked connections); `REDIS_URL` switches the cache and the task queue
to Redis.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in env(name, default).split(",") if part.strip()]


DEBUG = env_bool("DEBUG", False)
DATA_DIR = Path(env("AHSP_DATA_DIR", str(BASE_DIR / "var")))
DATA_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-local-development-key-only-for-debug"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "allauth",
    "allauth.account",
    "huey.contrib.djhuey",
    "partials",
    "ahsp",
]
try:  # the bench commands: a development checkout only (.dockerignore leaves tools/ out of the image)
    import tools.bench  # noqa: F401
except ModuleNotFoundError:
    pass
else:
    INSTALLED_APPS.append("tools.bench")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "project.middleware.IndonesianByDefaultMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "project.middleware.RequestBodyLimitMiddleware",  # 413 before a too large body is read
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "project.middleware.HtmxVaryMiddleware",  # Vary: HX-Request on every HTML response
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "project.urls"
WSGI_APPLICATION = "project.wsgi.application"
ASGI_APPLICATION = "project.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "project" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
            ],
        },
    },
]

# --- Database ------------------------------------------------------------------------------------
_sqlite_url = f"sqlite:///{DATA_DIR / 'db.sqlite3'}"
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=_sqlite_url,
        conn_max_age=int(env("CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
# DB_POOLER=pgbouncer: DATABASE_URL points at PgBouncer in transaction mode (deploy/pgbouncer/), where
# consecutive transactions of one connection may run on different server connections. Server-side cursors
# (`.iterator()`, WITH HOLD outside a transaction) would then be lost, so they are switched off. Django's
# persistent connections are kept: they are cheap client slots of PgBouncer (max_client_conn), which holds
# the few real server connections (default_pool_size) and re-applies the session parameters Django sets
# (client_encoding, TimeZone) on every server connection it hands out.
DB_POOLER = env("DB_POOLER").strip().lower()
if DB_POOLER not in {"", "pgbouncer"}:
    raise ImproperlyConfigured(f"DB_POOLER must be empty or 'pgbouncer', not {DB_POOLER!r}.")
if DB_POOLER == "pgbouncer":
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server and the huey consumer read while the other writes.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "ahsp.User"

# --- Cache, sessions, task queue -----------------------------------------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            # Redis down: reads miss, writes are skipped (logged), the site keeps working (project/cache.py).
            "BACKEND": "project.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "ahsp"),
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
                "IGNORE_EXCEPTIONS": True,
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    DJANGO_REDIS_LOGGER = "ahsp.cache"
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": env("HUEY_NAME", "ahsp"),
        "url": REDIS_URL,
        "immediate": env_bool("HUEY_IMMEDIATE", False),
        "consumer": {"workers": int(env("HUEY_WORKERS", "2")), "worker_type": "thread"},
    }
else:
    CACHES = {
        "default": {
            # Shared by every local process (web server and huey consumer), unlike local memory.
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": env("HUEY_NAME", "ahsp"),
        "filename": str(DATA_DIR / "huey.sqlite3"),
        "immediate": env_bool("HUEY_IMMEDIATE", False),
        # SQLite is polled (Redis blocks on the queue): an idle consumer looks at least once a second,
        # so an export starts within a second instead of after huey's default back-off of up to 10 s.
        "consumer": {
            "workers": int(env("HUEY_WORKERS", "2")),
            "worker_type": "thread",
            "initial_delay": 0.1,
            "backoff": 1.15,
            "max_delay": 1.0,
        },
    }
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Project pages rendered once per change and served from the cache (ahsp/views/_page_cache.py); PAGE_CACHE=0
# renders every request (to compare, or to rule the cache out).
PAGE_CACHE_ENABLED = env_bool("PAGE_CACHE", True)

# --- Authentication (django-allauth, e-mail login) -----------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    # allauth's e-mail login, with the session's user read from the cache (project/auth_backends.py);
    # allauth's own backend stays listed for sessions signed in before it.
    "project.auth_backends.CachedUserBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# OWASP Argon2id parameters (19 MiB, t=2, p=1; project/hashers.py) first: it makes new hashes, and it
# verifies every "argon2$" hash (the parameters are read from the hash) and rehashes one made with
# Django's defaults at the next login. Django's own Argon2PasswordHasher is not listed: it has the same
# algorithm name, and Django looks hashers up by that name, the last one listed winning. PBKDF2 only
# verifies older hashes.
PASSWORD_HASHERS = [
    "project.hashers.OWASPArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
# Sign-up must not reveal which e-mails have an account: with enumeration prevention and MANDATORY
# verification, a sign-up with a registered e-mail answers exactly like a new one ("check your mail"),
# and the owner gets an "account already exists" mail instead. With "optional", allauth has to refuse
# the duplicate on the form (unique e-mails win over enumeration prevention).
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Allauth's rate limits are on unless switched off explicitly (tests do); values override per action.
ACCOUNT_RATE_LIMITS = (
    False
    if env_bool("ACCOUNT_RATE_LIMITS_OFF", False)
    else {
        "login_failed": env("RATE_LIMIT_LOGIN_FAILED", "10/m/ip,5/5m/key"),
        "signup": env("RATE_LIMIT_SIGNUP", "20/m/ip"),
        "reset_password": env("RATE_LIMIT_RESET_PASSWORD", "20/m/ip,5/m/key"),
    }
)
# Failed sign-ins are also counted in the database (LoginFailure), so the limit holds while Redis is down.
ACCOUNT_ADAPTER = "project.login_limit.AccountAdapter"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGOUT_REDIRECT_URL = "/accounts/login/"

# Console e-mail by default; SMTP when EMAIL_HOST is set.
if env("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env("EMAIL_HOST"),
                "port": int(env("EMAIL_PORT", "587")),
                "username": env("EMAIL_HOST_USER"),
                "password": env("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                "timeout": 10,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "AHSP <noreply@localhost>")

# --- Language, time ------------------------------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "project" / "locale"]
TIME_ZONE = env("TIME_ZONE", "Asia/Jakarta")
USE_I18N = True
USE_TZ = True

# --- Static files --------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(DATA_DIR / "media")))
MEDIA_URL = "/media/"
# Export files (ahsp.ExportJob) are removed by a periodic task after this many hours.
EXPORT_RETENTION_HOURS = int(env("EXPORT_RETENTION_HOURS", "24"))

# Real-user page metrics (/metrics/client/ beacons): per-address rate limit, the proxy header holding the
# client address when behind a trusted proxy (e.g. HTTP_X_FORWARDED_FOR), and how long aggregates live.
CLIENT_METRICS_RATE_LIMIT = int(env("CLIENT_METRICS_RATE_LIMIT", "60"))
CLIENT_METRICS_TRUSTED_PROXY_HEADER = env("CLIENT_METRICS_TRUSTED_PROXY_HEADER", "") or None
CLIENT_METRICS_TTL = int(env("CLIENT_METRICS_TTL", str(30 * 24 * 3600)))
# Export files and uploads (the default storage) must be readable by every web and worker node: MEDIA_ROOT
# on a shared volume, or, with AWS_STORAGE_BUCKET_NAME set, an S3-compatible bucket (django-storages;
# AWS_S3_ENDPOINT_URL for MinIO and the like). Private objects: downloads go through the app, which reads
# them through the storage; querystring auth signs any URL the storage makes, no public custom domain.
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env("AWS_S3_REGION_NAME") or None,
            # Unset: boto3's own chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, instance roles).
            "access_key": env("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env("AWS_SECRET_ACCESS_KEY") or None,
            "addressing_style": env("AWS_S3_ADDRESSING_STYLE") or None,  # "path" for most MinIO setups
            "signature_version": env("AWS_S3_SIGNATURE_VERSION", "s3v4"),  # what S3-compatible stores accept
            "location": env("AWS_LOCATION"),  # key prefix inside the bucket
            "custom_domain": None,
            "querystring_auth": True,
            "default_acl": None,  # the bucket's own (private) policy
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Security in production ----------------------------------------------------------------------
# Production defaults (DEBUG off): HTTPS only, behind a TLS-terminating proxy that sets X-Forwarded-Proto
# (and strips it from clients). Each can be switched by its environment variable (README); `manage.py
# check --deploy` with docker-compose's environment gives no warnings (CI runs it).
_PRODUCTION = not DEBUG
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", _PRODUCTION) else None
)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _PRODUCTION)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # health checks probe the container over plain HTTP
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", _PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000" if _PRODUCTION else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (Django's built-in middleware): only our own scripts, styles, images and
# requests. No inline code anywhere: behaviour lives in static/js (no onclick=, no hx-on, which htmx runs
# through eval), styles in static/css (no style= attributes on pages, so no 'unsafe-inline'); the nonce
# is for the inline script django-htmx adds in DEBUG. Exports and PDFs are downloads, not pages.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# Indonesian page (403) when a form's CSRF token is missing or stale.
CSRF_FAILURE_VIEW = "project.views.csrf_failure"
# /healthz shows its per-check details to staff or to requests carrying this token (header
# X-Healthz-Token or ?token=); everyone else gets the status code and {"status": ...} only.
HEALTHZ_TOKEN = env("HEALTHZ_TOKEN")

# --- Application ---------------------------------------------------------------------------------
AHSP_REPORT_DIR = Path(env("AHSP_REPORT_DIR", str(DATA_DIR / "reports")))
DASHBOARD_PAGE_SIZE = 20
REFERENCE_PAGE_SIZE = 25
# Work breakdown pages with more items than this show their sections closed (rows load per section).
WORK_BREAKDOWN_EAGER_ITEMS = int(env("WORK_BREAKDOWN_EAGER_ITEMS", "300"))

# --- Uploaded workbooks --------------------------------------------------------------------------
# Limits of ahsp.importers.safe_workbook, the one opener of every .xlsx import (project, prices, reference
# library). Any key left out keeps its default: max_members 1000 (zip members), max_sheet_mb 100 (one
# worksheet, uncompressed, streamed), max_part_mb 16 (shared strings, styles and every other part, loaded
# whole), max_total_mb 250 (all members, uncompressed), max_ratio 200 (uncompressed/compressed, members over
# 1 MB), max_rows 200000 (per sheet), max_columns 100, max_cell_chars 32767 (Excel's own), max_seconds 120.
WORKBOOK_LIMITS: dict[str, float] = {}
# Request bodies: project.middleware.RequestBodyLimitMiddleware answers 413 (in Indonesian) BEFORE reading a
# body whose Content-Length is over UPLOAD_MAX_BODY_BYTES (multipart; default 51 MB: the largest upload, the
# reference library's 50 MB, plus the form) or DATA_UPLOAD_MAX_MEMORY_SIZE (any other body; Django's
# 2.5 MB). Files over FILE_UPLOAD_MAX_MEMORY_SIZE go to a temporary file instead of memory; a form takes at
# most DATA_UPLOAD_MAX_NUMBER_FILES files. A proxy in front should refuse the same size (README).
UPLOAD_MAX_BODY_BYTES = int(env("UPLOAD_MAX_BODY_MB", "51")) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FILES = 10

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # The huey consumer's own line format (time, level, logger, thread), for every logger.
    "formatters": {"plain": {"format": "[%(asctime)s] %(levelname)s:%(name)s:%(threadName)s:%(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Configured here so `run_huey` does not add a second handler (every line printed twice).
        "huey": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO"), "propagate": False},
    },
}
