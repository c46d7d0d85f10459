"""Production security settings: HTTPS defaults when DEBUG is off, and `check --deploy` clean with the
docker-compose environment (CI runs the same command, see .ci/run)."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECURITY_VARIABLES = (
    "BEHIND_TLS_PROXY",
    "SECURE_SSL_REDIRECT",
    "SECURE_COOKIES",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
)


def production_env(tmp_path, **extra) -> dict[str, str]:
    """The shell of a production host: none of the test settings' overrides."""
    env = {k: v for k, v in os.environ.items() if k not in SECURITY_VARIABLES and not k.startswith("PYTEST")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    # Set by e2e/conftest.py for Playwright's sync API when the e2e tests share the run: never in production.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "project.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "AHSP_DATA_DIR": str(tmp_path),
        "DEBUG": "0",
        **extra,
    }


def test_check_deploy_is_clean_with_the_compose_environment(tmp_path):
    result = subprocess.run(
        [
            str(ROOT / "project/bin/compose-env"),
            sys.executable,
            "manage.py",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        ],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_defaults_are_https_only(tmp_path):
    script = (
        "import json; from project import settings as s; print(json.dumps([s.SECURE_SSL_REDIRECT, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "s.SECURE_PROXY_SSL_HEADER]))"
    )
    output = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=production_env(tmp_path), capture_output=True, text=True
    )
    assert json.loads(output.stdout) == [
        True,
        True,
        True,
        31536000,
        True,
        ["HTTP_X_FORWARDED_PROTO", "https"],
    ]
    switched_off = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=production_env(
            tmp_path,
            SECURE_SSL_REDIRECT="0",
            SECURE_COOKIES="0",
            BEHIND_TLS_PROXY="0",
            SECURE_HSTS_SECONDS="0",
        ),
        capture_output=True,
        text=True,
    )
    assert json.loads(switched_off.stdout) == [False, False, False, 0, True, None]


@pytest.mark.django_db
def test_ssl_redirect_spares_the_health_check(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert client.get("/accounts/login/")["Location"].startswith("https://")
    assert client.get("/healthz").status_code == 200  # the container's health check speaks plain HTTP
    assert client.get("/accounts/login/", headers={"X-Forwarded-Proto": "https"}).status_code == 200
