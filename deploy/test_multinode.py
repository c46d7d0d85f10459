"""Several nodes on one PostgreSQL and one Redis, for real: project/bin/multinode starts PgBouncer, two
gunicorn web nodes, two huey consumers and nginx on this machine; this test signs in through node A,
starts exports there, follows them through node B, downloads the files through node B and through nginx,
checks nginx's body limit and static files, and runs the load test through nginx.

Skipped (with the reason) when nginx, PgBouncer, PostgreSQL or Redis is missing, unless
MULTINODE_REQUIRED=1 (CI), which makes a missing piece a failure.
"""

import http.client
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("MULTINODE_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("MULTINODE_REDIS_URL", "redis://127.0.0.1:6379/3")
DEMO = ("demo@ahsp.local", "demo12345")
DEMO_PROJECT = "Pembangunan Gedung Kantor Desa Sukamaju"  # seed_demo's project with a priced RAB
READY_LINE = "Ctrl-C stops everything."


def _reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    with socket.socket() as sock:
        sock.settimeout(2)
        return sock.connect_ex((parts.hostname or "127.0.0.1", parts.port or default_port)) == 0


def _missing() -> list[str]:
    missing = [tool for tool in ("nginx", "pgbouncer") if shutil.which(tool) is None]
    if not _reachable(PG, 5432):
        missing.append(f"PostgreSQL at {PG}")
    if not _reachable(REDIS, 6379):
        missing.append(f"Redis at {REDIS}")
    return missing


@pytest.fixture(scope="module")
def topology(tmp_path_factory):
    """project/bin/multinode --up, until its environment file is written; stopped (and checked stopped)
    afterwards. Yields that environment as a dict."""
    missing = _missing()
    if missing:
        reason = "multi-node topology needs " + ", ".join(missing) + " (apt-get install -y nginx pgbouncer)"
        if os.environ.get("MULTINODE_REQUIRED") == "1":
            pytest.fail(reason + "; MULTINODE_REQUIRED=1")
        pytest.skip(reason)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_", "MULTINODE_URL"))}
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        nginx_port = sock.getsockname()[1]
    env.update(
        PY=sys.executable,
        MULTINODE_PG=PG,
        REDIS_URL=REDIS,
        MULTINODE_NGINX_PORT=str(nginx_port),
        MULTINODE_WEB_WORKERS="1",  # 2 nodes x 1 worker x 4 threads: enough for 10 users on 2 cores
    )
    log = tmp_path_factory.mktemp("multinode") / "multinode.log"
    with open(log, "w") as out:
        process = subprocess.Popen(
            [str(ROOT / "project/bin/multinode"), "--up"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 90
        while READY_LINE not in log.read_text():
            if process.poll() is not None:
                pytest.fail(f"project/bin/multinode exited ({process.returncode}):\n{log.read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"project/bin/multinode not up within 90 s:\n{log.read_text()}")
            time.sleep(0.25)
        run_dir = Path(re.search(r"^logs, pids:\s+(\S+)$", log.read_text(), re.M)[1])
        values = {}
        for line in (run_dir / "env").read_text().splitlines():
            _export, assignment = shlex.split(line)
            name, _, value = assignment.partition("=")
            values[name] = value
        yield values
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert "multinode: terminated" in log.read_text()
    for url in [values["MULTINODE_URL"], *values["MULTINODE_NODE_URLS"].split(",")]:
        assert not _reachable(url, 80), f"{url} still answers after the teardown"


def _csrf(session: requests.Session) -> str:
    return session.cookies["csrftoken"]


def _login(session: requests.Session, base: str) -> None:
    page = session.get(f"{base}/accounts/login/", timeout=10)
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
    answer = session.post(
        f"{base}/accounts/login/",
        data={"login": DEMO[0], "password": DEMO[1], "csrfmiddlewaretoken": token},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text[:500]
    assert "sessionid" in session.cookies


def _project_id(database_url: str) -> int:
    import psycopg2

    with psycopg2.connect(database_url) as conn, conn.cursor() as cursor:
        cursor.execute(
            "SELECT p.id FROM ahsp_project p JOIN ahsp_user u ON u.id = p.owner_id "
            "WHERE u.email = %s AND p.name = %s ORDER BY p.id LIMIT 1",
            [DEMO[0], DEMO_PROJECT],
        )
        row = cursor.fetchone()
    conn.close()
    assert row, "seed_demo's project is missing"
    return row[0]


def _lines(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


def test_export_started_on_one_node_is_followed_and_downloaded_through_the_others(topology):
    started = time.monotonic()
    node_a, node_b = topology["MULTINODE_NODE_URLS"].split(",")
    nginx = topology["MULTINODE_URL"]
    run_dir = Path(topology["MULTINODE_RUN_DIR"])
    project = _project_id(topology["MULTINODE_DIRECT_DATABASE_URL"])

    with requests.Session() as session:
        # A real sign-in through node A; the session (Redis + PostgreSQL) is valid on node B too.
        _login(session, node_a)
        assert session.get(f"{node_b}/", timeout=10, allow_redirects=False).status_code == 200

        jobs = {}
        for fmt in ("pdf", "xlsx"):
            answer = session.post(
                f"{node_a}/projects/{project}/exports/",
                data={"document": "rab", "format": fmt},
                headers={"X-CSRFToken": _csrf(session), "Referer": f"{node_a}/"},
                allow_redirects=False,
                timeout=10,
            )
            assert answer.status_code == 302, answer.text[:500]
            jobs[fmt] = int(re.search(r"/exports/(\d+)/$", answer.headers["Location"])[1])

        for fmt, job in jobs.items():
            # The progress partial through node B until htmx would stop polling (286).
            deadline = time.monotonic() + 60
            while True:
                partial = session.get(f"{node_b}/exports/{job}/", headers={"HX-Request": "true"}, timeout=10)
                assert partial.status_code in (200, 286), partial.text[:500]
                if partial.status_code == 286:
                    break
                assert time.monotonic() < deadline, f"export {job} not finished within 60 s"
                time.sleep(0.5)
            assert f"/exports/{job}/download/" in partial.text, partial.text[:1000]
            magic = b"%PDF-" if fmt == "pdf" else b"PK\x03\x04"
            for base in (node_b, nginx):
                download = session.get(f"{base}/exports/{job}/download/", timeout=30)
                assert download.status_code == 200
                assert download.content.startswith(magic), (fmt, base, download.content[:20])
                assert len(download.content) > 2000, (fmt, base, len(download.content))
        # Built by a consumer into the one MEDIA_ROOT every node reads.
        assert len(list((run_dir / "media" / "exports").iterdir())) >= 2

    # nginx: the app's body limit refused before the body is sent, with its Indonesian message.
    parts = urlsplit(nginx)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.putrequest("POST", "/projects/import/")
        conn.putheader("Content-Type", "multipart/form-data; boundary=x")
        conn.putheader("Content-Length", str(int(topology["UPLOAD_MAX_BODY_MB"]) * 1024 * 1024 + 1))
        conn.endheaders()
        too_large = conn.getresponse()
        assert too_large.status == 413
        assert "terlalu besar" in too_large.read().decode()
    finally:
        conn.close()

    # nginx serves the collected static files itself, hashed names cached for a year.
    manifest = (Path(topology["STATIC_ROOT"]) / "staticfiles.json").read_text()
    hashed = re.search(r'"css/app\.css": "([^"]+)"', manifest)[1]
    static = requests.get(f"{nginx}/static/{hashed}", timeout=10)
    assert static.status_code == 200
    assert "immutable" in static.headers["Cache-Control"]
    assert static.headers["Server"].startswith("nginx")

    # The load test through nginx: 10 users for 20 s, no failure; both web nodes take a share.
    before = {node: _lines(run_dir / f"web-{node}.access.log") for node in "ab"}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))}
    env.update(topology, PY=sys.executable, LOAD_TARGET_URL=nginx, LOAD_PROJECTS="6", LOAD_ESTIMATES="2")
    load = subprocess.run(
        ["bash", "loadtest/run.sh", "--users", "10", "--seconds", "20"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert load.returncode == 0, load.stdout[-4000:] + load.stderr[-2000:]
    assert "RESULT: OK" in load.stdout
    served = {node: _lines(run_dir / f"web-{node}.access.log") - before[node] for node in "ab"}
    assert min(served.values()) > 0.3 * sum(served.values()), served
    for name in ("web-a", "web-b", "worker-a", "worker-b"):
        assert "Traceback" not in (run_dir / f"{name}.log").read_text(), name
    print(
        f"\nmulti-node checks and load test: {time.monotonic() - started:.1f} s; requests per node {served}"
    )
