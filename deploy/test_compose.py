"""docker-compose.yml's multi-node shape, read as YAML (no Docker daemon needed): nginx in front of web
replicas, worker replicas, PgBouncer between the app and PostgreSQL, one media volume for every node,
static files on a volume nginx serves, and everything referenced also defined."""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy/nginx/ahsp.conf.template"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def default(value: str) -> str:
    """`${NAME:-default}` -> default; anything else as it is."""
    match = re.fullmatch(r"\$\{\w+:-([^}]*)\}", str(value))
    return match[1] if match else str(value)


def default_all(value: str) -> str:
    """Every `${NAME:-default}` in value replaced by its default."""
    return re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", value)


def test_web_and_worker_run_as_replicas_behind_nginx(compose):
    services = compose["services"]
    assert int(default(services["web"]["deploy"]["replicas"])) >= 2
    assert int(default(services["worker"]["deploy"]["replicas"])) >= 2
    assert "ports" not in services["web"] and "ports" not in services["worker"]  # replicas share no port
    assert services["web"]["expose"] == ["8000"]
    assert [default_all(p) for p in services["nginx"]["ports"]] == ["8000:8000"]
    assert "migrate" not in " ".join(services["web"]["command"])  # migrations run once, in `migrate`
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    for name in ("web", "worker"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_the_app_reaches_postgresql_through_pgbouncer_in_transaction_mode(compose):
    services = compose["services"]
    app_env = services["web"]["environment"]
    assert services["worker"]["environment"] == app_env
    assert re.fullmatch(r"postgres://ahsp:[^@]+@pgbouncer:5432/ahsp", default_all(app_env["DATABASE_URL"]))
    assert app_env["DB_POOLER"] == "pgbouncer"
    pgbouncer = services["pgbouncer"]["environment"]
    assert pgbouncer["POOL_MODE"] == "transaction"
    assert pgbouncer["DB_HOST"] == "db" and pgbouncer["DB_NAME"] == "ahsp"
    assert services["pgbouncer"]["depends_on"]["db"]["condition"] == "service_healthy"


def test_every_node_shares_the_media_volume_and_nginx_serves_the_static_one(compose):
    services = compose["services"]
    for name in ("web", "worker"):
        assert "media:/data" in services[name]["volumes"]
        assert services[name]["environment"]["MEDIA_ROOT"].startswith("/data/")
    assert "static:/static" in services["static"]["volumes"]
    nginx = services["nginx"]
    assert "static:/srv/static:ro" in nginx["volumes"]
    assert nginx["environment"]["NGINX_STATIC_ROOT"] == "/srv/static"
    assert any(
        v.startswith("./deploy/nginx/ahsp.conf.template:/etc/nginx/templates/") for v in nginx["volumes"]
    )
    assert nginx["depends_on"]["static"]["condition"] == "service_completed_successfully"


def test_nginx_gets_every_placeholder_of_its_template_and_the_apps_body_limit(compose):
    nginx_env = compose["services"]["nginx"]["environment"]
    placeholders = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)\}", TEMPLATE.read_text()))
    assert placeholders <= set(nginx_env), placeholders - set(nginx_env)
    app_limit = compose["services"]["web"]["environment"]["UPLOAD_MAX_BODY_MB"]
    assert default(nginx_env["UPLOAD_MAX_BODY_MB"]) == default(app_limit) == "51"
    # `$$` is compose's escape: nginx gets its own variable, not an empty compose substitution.
    assert nginx_env["NGINX_FORWARDED_PROTO"] == "$$http_x_forwarded_proto"
    assert "client_max_body_size ${UPLOAD_MAX_BODY_MB}m;" in TEMPLATE.read_text()


def test_everything_referenced_is_defined(compose):
    services = compose["services"]
    volumes = set(compose["volumes"])
    for name, service in services.items():
        depends = service.get("depends_on") or {}
        assert set(depends) <= set(services), (name, depends)
        for mount in service.get("volumes", []):
            source = mount.split(":")[0]
            if not source.startswith((".", "/")):
                assert source in volumes, (name, source)
            else:
                assert (ROOT / source).exists(), (name, source)
