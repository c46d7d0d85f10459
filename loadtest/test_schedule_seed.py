"""seed.py's schedules, and the locustfile's schedule requests against the real pages.

The locustfile imports Locust, which monkey-patches the standard library with gevent on import: it is
only imported in a subprocess here, which parses pages rendered by the Django test client (the Gantt
window fragment, the Kurva S page, the progress page) with the locustfile's own patterns and helpers.
"""

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import seed
from accounts import email_for

from ahsp.models import PlannedShare, ProgressEntry, Project, WorkItem

pytestmark = pytest.mark.django_db

HERE = Path(__file__).resolve().parent
HX = {"HX-Request": "true"}


@pytest.fixture
def seeded():
    users = seed.seed_users(2)
    seed.seed_projects(users, 4)
    seed.seed_estimates(users, 2)
    seed.seed_schedules(users, 2)
    return users


def test_every_estimate_gets_a_full_plan_and_some_progress_within_the_cap(seeded):
    ids = seed.estimate_project_ids(seeded, 2)
    assert len(ids) == 4
    for project in Project.objects.filter(pk__in=ids):
        assert project.start_date and project.duration_weeks == seed.SCHEDULE_WEEKS
        items = list(WorkItem.objects.filter(project=project).values_list("pk", flat=True))
        assert len(items) == 30
        for pk in items:
            shares = dict(PlannedShare.objects.filter(work_item_id=pk).values_list("week", "share"))
            assert sum(shares.values()) == 100
            assert 1 <= min(shares) and max(shares) <= seed.SCHEDULE_WEEKS
            done = ProgressEntry.objects.filter(work_item_id=pk).values_list("week", "progress")
            assert sum(value for _, value in done) <= seed.SCHEDULE_PROGRESS_CAP
            assert all(week < seed.SCHEDULE_CURRENT_WEEK for week, _ in done)
    assert ProgressEntry.objects.filter(work_item__project_id__in=ids).count() > 30
    # Projects without an estimate get no schedule.
    assert not Project.objects.exclude(pk__in=ids).filter(start_date__isnull=False).exists()


def test_seeding_again_changes_nothing_and_keeps_the_dashboard_order(seeded):
    order = list(Project.objects.order_by("owner_id", "-updated_at", "-id").values_list("id", flat=True))
    counts = PlannedShare.objects.count(), ProgressEntry.objects.count()
    seed.seed_estimates(seeded, 2)
    seed.seed_schedules(seeded, 2)
    assert (PlannedShare.objects.count(), ProgressEntry.objects.count()) == counts
    assert (
        list(Project.objects.order_by("owner_id", "-updated_at", "-id").values_list("id", flat=True)) == order
    )
    assert seed.estimate_project_ids(seeded, 2) == [pk for pk in order if pk in set(order[:2] + order[4:6])]


def test_item_schedule_plans_within_the_project_and_leaves_room():
    for n in range(60):
        planned, progress = seed.item_schedule(n)
        assert sum(planned.values()) == 100 and max(planned) <= seed.SCHEDULE_WEEKS
        assert sum(progress.values(), Decimal(0)) <= seed.SCHEDULE_PROGRESS_CAP
        assert set(progress) <= set(planned)


SCRIPT = r"""
import json, sys
from decimal import Decimal
sys.path.insert(0, sys.argv[1])
import locustfile as lf

pages = json.load(open(sys.argv[2]))
out = {}
gantt = pages["gantt"]
label = lf.GANTT_LABEL.search(gantt)
out["gantt"] = {
    "label": label.groups() if label else None,
    "pager": lf.GANTT_PAGER.findall(gantt),
    "planned": bool(lf.GANTT_PLANNED.search(gantt)) and "(bobot 100,00 %)" in gantt,
    "markers": all(m in gantt for m in ('<div id="gantt" class="gantt-wrap">', 'id="gantt-item-',
                                         'id="gantt-planned-cumulative"')),
}
progress = pages["progress"]
rows = lf.PROGRESS_ROW.findall(progress)
out["progress"] = {
    "week": lf.PROGRESS_WEEK.search(progress).group(1),
    "token": bool(lf.CSRF_FIELD.search(progress)),
    "rows": rows,
    "choices": [
        [item, version, lf.percent_text(lf.id_number(shown)),
         lf.percent_text(lf.progress_increase(lf.id_number(shown), lf.id_number(room)) or Decimal(0))]
        for item, version, shown, room in rows
    ],
}
out["percent_text"] = [lf.percent_text(Decimal(v)) for v in ("0", "12.5", "40.00", "1.125", "33.3333", "100")]
out["full"] = str(lf.progress_increase(Decimal("59.5"), Decimal("59.75")))
out["edge"] = str(lf.progress_increase(Decimal("10"), Decimal("10.26")))
print(json.dumps(out))
"""


def run_locustfile_helpers(tmp_path, pages: dict) -> dict:
    data = tmp_path / "pages.json"
    data.write_text(json.dumps(pages))
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(HERE), str(data)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.splitlines()[-1])


def test_the_locustfile_reads_the_schedule_pages_and_its_progress_save_is_accepted(seeded, client, tmp_path):
    user = seeded[0]
    client.force_login(user)
    pk = seed.estimate_project_ids(seeded, 2)[0]
    gantt = client.get(f"/projects/{pk}/schedule/?from=13", headers=HX)
    curve = client.get(f"/projects/{pk}/kurva-s/?period=month")
    week = seed.SCHEDULE_CURRENT_WEEK
    progress = client.get(f"/projects/{pk}/progress/?week={week}")
    assert gantt.status_code == curve.status_code == progress.status_code == 200
    assert email_for(1) in curve.text and 'id="s-curve-unplanned"' not in curve.text
    for marker in ('id="s-curve-chart"', 'id="s-curve-table"', 'id="cost-curve-chart"', 'id="period-table"'):
        assert marker in curve.text

    found = run_locustfile_helpers(tmp_path, {"gantt": gantt.text, "progress": progress.text})

    assert found["gantt"] == {
        "label": ["13", "20", "20"],
        "pager": [["prev", "1"]],
        "planned": True,
        "markers": True,
    }
    assert found["progress"]["week"] == str(week) and found["progress"]["token"]
    assert len(found["progress"]["rows"]) >= 3
    assert found["percent_text"] == ["", "12,5", "40", "1,1250", "33,3333", "100"]
    assert found["full"] == "None" and found["edge"] == "10.25"
    # The save the locustfile would post for each row is accepted, and the row shows what it checks.
    for item, version, current, typed in found["progress"]["choices"][:3]:
        assert typed and typed != current
        response = client.post(
            f"/projects/{pk}/progress/items/{item}/",
            {
                "week": str(week),
                f"version-{item}": version,
                f"initial-{item}": current,
                f"progress-{item}": typed,
                "row": item,
            },
            headers=HX,
        )
        assert response.status_code == 200 and 'class="errorlist"' not in response.text
        for marker in (
            f'<tr id="progress-item-{item}" ',
            f'name="version-{item}" value="{int(version) + 1}"',
            f'name="initial-{item}" value="{typed}"',
            'id="week-totals"',
            '<section id="deviation-table" class="deviation" hx-swap-oob="outerHTML">',
        ):
            assert marker in response.text
