"""seed.py's audit history, and the locustfile's dashboard-widget, audit-trail and beacon requests against
the real pages (parsed in a subprocess: importing Locust monkey-patches the standard library)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import seed

from ahsp.loaders.dashboard import WIDGETS
from ahsp.models import AuditEvent

pytestmark = pytest.mark.django_db

HERE = Path(__file__).resolve().parent
HX = {"HX-Request": "true"}

SCRIPT = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
import locustfile as lf

pages = json.load(open(sys.argv[2]))
out = {"widgets": list(lf.WIDGETS), "failed_marker": lf.WIDGET_FAILED}
trail = pages["trail"]
found = lf.AUDIT_NEXT.search(trail)
out["next"] = found.group(1) if found else None
out["rows"] = len(lf.AUDIT_ROW.findall(trail))
out["diffs"] = lf.AUDIT_DIFF.findall(trail)[:2]
last = pages["last"]
out["last_next"] = bool(lf.AUDIT_NEXT.search(last))
out["last_rows"] = len(lf.AUDIT_ROW.findall(last))
print(json.dumps(out))
"""


@pytest.fixture
def seeded():
    users = seed.seed_users(1)
    seed.seed_projects(users, 3)
    seed.seed_estimates(users, 2)
    seed.seed_audit_history(users, 2)
    return users


def test_each_estimate_gets_an_audit_history_once(seeded):
    ids = seed.estimate_project_ids(seeded, 2)
    for pk in ids:
        assert AuditEvent.objects.filter(project_id=pk).count() == seed.AUDIT_EVENTS
    assert not AuditEvent.objects.exclude(project_id__in=ids).filter(target_type="workitem").exists()
    seed.seed_audit_history(seeded, 2)
    assert AuditEvent.objects.filter(project_id__in=ids).count() == 2 * seed.AUDIT_EVENTS


def test_the_locustfile_pages_the_audit_trail_and_loads_the_widgets(seeded, client, tmp_path):
    client.force_login(seeded[0])
    pk = seed.estimate_project_ids(seeded, 2)[0]
    trail = client.get(f"/projects/{pk}/audit/")
    assert trail.status_code == 200 and 'id="audit-rows"' in trail.text
    data = tmp_path / "pages.json"

    def parse(last: str) -> dict:
        data.write_text(json.dumps({"trail": trail.text, "last": last}))
        result = subprocess.run(
            [sys.executable, "-c", SCRIPT, str(HERE), str(data)], capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr[-2000:]
        return json.loads(result.stdout.splitlines()[-1])

    found = parse("")
    assert found["rows"] == 50 and found["next"] and len(found["diffs"]) == 2
    # The cursor link the locustfile follows (htmx) gives the next 50 rows, then the last 50 and no cursor.
    second = client.get(found["next"].replace("&amp;", "&"), headers=HX)
    assert second.status_code == 200 and "<html" not in second.text
    after_second = parse(second.text)
    assert after_second["last_rows"] == 50 and after_second["last_next"]
    diff = client.get(found["diffs"][0], headers=HX)
    assert diff.status_code == 200 and 'class="audit-diff-body"' in diff.text

    # Every widget the locustfile asks for answers a fragment with its id and without the error state.
    for name in found["widgets"]:
        response = client.get(f"/widgets/{name}/", headers=HX)
        assert response.status_code == 200 and f'id="widget-{name}"' in response.text
        assert found["failed_marker"] not in response.text


def test_the_beacon_the_locustfile_sends_is_accepted(client):
    body = {"v": 1, "path": "/", "kind": "page", "ttfb": 41.2, "dcl": 120.0, "load": 135.0}
    swaps = [{"v": 1, "path": "/", "kind": "swap", "target": f"/widgets/{n}/", "ms": 12.5} for n in WIDGETS]
    for payload in (body, swaps):
        response = client.post("/metrics/client/", json.dumps(payload), content_type="application/json")
        assert response.status_code == 204
