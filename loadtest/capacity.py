"""Capacity of single pages (issue 13 §1): how many requests per second the running stack serves for each
main page of a 100-item project and for the cached dashboard fragments, measured with wrk.

    loadtest/run.sh --capacity [--seconds S]      # starts the stack, seeds, then runs this (S per URL)

Run by ``run.sh --capacity`` in its environment (DATABASE_URL, REDIS_URL, settings of the stack): it
creates (once) the project "Kapasitas 100 pekerjaan" of its own account kapasitas@load.test: 5 sections x 4 sub-sections,
100 work items, each with its own analysis of 8 priced resources, priced by ``recalculate_project``, and a
20-week schedule (every item planned over 3-6 weeks, progress in the past weeks, as seed.py does). It signs
in through the real login form, checks that every URL answers 200 with content, then runs
``wrk -t2 -c<connections> -d<S>s --latency`` on each (same machine: wrk's CPU counts against the server's,
as in the issue's figures) and prints req/s, P50, P99 and the goal: cached fragments >= 1,000 req/s,
every main page >= 100 req/s. Pages are measured warm (the second and later requests of an unchanged
project: what the page cache serves). Exit status 0 whatever the figures (a benchmark, not a test); 1 when
a URL did not answer 200 or wrk is missing.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass

import requests
from accounts import password
from seed import ROOT, item_schedule, seed_accounts, setup_django

PROJECT_NAME = "Kapasitas 100 pekerjaan"
#: Its own account: the load test's users must not find this project at the top of their dashboard.
EMAIL = "kapasitas@load.test"
FRAGMENT_GOAL = 1000
PAGE_GOAL = 100


@dataclass
class Target:
    label: str
    path: str
    goal: int
    htmx: bool = False


def ensure_project() -> int:
    """The 100-item project with a schedule (created on the first run); its id."""
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from ahsp.models import PlannedShare, ProgressEntry, Project, WorkItem
    from tools.bench.synthetic import build_synthetic_project

    (owner,) = seed_accounts([EMAIL])
    existing = Project.objects.filter(owner=owner, name=PROJECT_NAME).first()
    if existing is not None:
        return existing.pk
    project = build_synthetic_project(
        owner,
        name=PROJECT_NAME,
        top=5,
        sub=4,
        items=100,
        components=8,
        resources=120,
        unpriced=0,
        recalculate=True,
    )
    ids = list(
        WorkItem.objects.filter(project=project)
        .order_by("section__position", "position", "id")
        .values_list("id", flat=True)
    )
    shares, entries = [], []
    for n, item_id in enumerate(ids):
        plan, progress = item_schedule(n)
        shares += [PlannedShare(work_item_id=item_id, week=w, share=v) for w, v in plan.items()]
        entries += [ProgressEntry(work_item_id=item_id, week=w, progress=v) for w, v in progress.items()]
    with transaction.atomic():
        Project.objects.filter(pk=project.pk).update(
            start_date=timezone.localdate() - timedelta(weeks=7), duration_weeks=20, status="active"
        )
        PlannedShare.objects.bulk_create(shares)
        ProgressEntry.objects.bulk_create(entries)
        Project.bump_content_version(project.pk)
    print(f"capacity: project {project.pk} created ({len(ids)} items, {len(shares)} planned weeks)")
    return project.pk


def targets(pk: int) -> list[Target]:
    page = [
        ("Ringkasan proyek", f"/projects/{pk}/"),
        ("Rekap RAB", f"/projects/{pk}/rab/"),
        ("Rincian pekerjaan", f"/projects/{pk}/items/"),
        ("Rincian AHSP", f"/projects/{pk}/ahsp/"),
        ("Harga satuan dasar", f"/projects/{pk}/prices/"),
        ("Jadwal (Gantt)", f"/projects/{pk}/schedule/"),
        ("Kurva S", f"/projects/{pk}/kurva-s/"),
        ("Progres minggu ini", f"/projects/{pk}/progress/"),
        ("Rekap kebutuhan", f"/projects/{pk}/resources/"),
        ("Jejak audit", f"/projects/{pk}/audit/"),
        ("Pusat ekspor", f"/projects/{pk}/exports/"),
        ("Dasbor", "/"),
    ]
    fragments = [
        (f"Widget {name}", f"/widgets/{name}/")
        for name in ("ringkasan", "peringatan", "terbesar", "aktivitas")
    ]
    return (
        [Target(label, path, FRAGMENT_GOAL, htmx=True) for label, path in fragments]
        + [Target("Gantt: jendela minggu (htmx)", f"/projects/{pk}/schedule/?from=9", PAGE_GOAL, htmx=True)]
        + [Target(label, path, PAGE_GOAL) for label, path in page]
        + [Target("/healthz", "/healthz", FRAGMENT_GOAL)]
    )


def log_in(base_url: str) -> requests.Session:
    session = requests.Session()
    session.headers["Accept-Language"] = "id"
    form = session.get(f"{base_url}/accounts/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    answer = session.post(
        f"{base_url}/accounts/login/",
        data={"login": EMAIL, "password": password(), "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base_url}/accounts/login/"},
        timeout=30,
    )
    if EMAIL not in answer.text:
        sys.exit("capacity: the login did not succeed")
    return session


def wrk(base_url: str, target: Target, cookie: str, seconds: int, connections: int) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-H", f"Cookie: {cookie}"]
    command += ["-H", "Accept-Language: id"]
    if target.htmx:
        command += ["-H", "HX-Request: true"]
    out = subprocess.run(
        [*command, base_url + target.path], capture_output=True, text=True, check=True
    ).stdout

    def latency(percent: str) -> float:
        value, unit = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": latency("50"),
        "p99": latency("99"),
        "errors": int(errors.group(1)) if errors else 0,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--seconds", type=int, default=10, help="seconds of wrk per URL (default 10)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("capacity: wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 1
    setup_django()
    pk = ensure_project()
    session = log_in(args.base_url)
    cookie = "; ".join(f"{name}={value}" for name, value in session.cookies.items())
    chosen = targets(pk)
    for target in chosen:  # every URL answers with content (and is warm) before it is measured
        headers = {"HX-Request": "true"} if target.htmx else {}
        response = session.get(args.base_url + target.path, headers=headers, timeout=60)
        if response.status_code != 200 or not response.content:
            print(f"capacity: {target.path} answered {response.status_code}", file=sys.stderr)
            return 1
    print(
        f"\nCapacity: wrk -t2 -c{args.connections} -d{args.seconds}s per URL, {ROOT.name} project {pk} (100 items)"
    )
    print(f"{'URL':<44} {'req/s':>8} {'P50 ms':>8} {'P99 ms':>8} {'errors':>7}  goal")
    for target in chosen:
        figures = wrk(args.base_url, target, cookie, args.seconds, args.connections)
        verdict = "ok" if figures["rps"] >= target.goal else "BELOW"
        print(
            f"{target.label:<44} {figures['rps']:>8,.0f} {figures['p50']:>8.1f} {figures['p99']:>8.1f} "
            f"{figures['errors']:>7}  >= {target.goal:,} {verdict}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
