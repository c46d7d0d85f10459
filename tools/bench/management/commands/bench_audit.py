"""Measure the audit trail on a big table: page 1 and a page ~10,000 deep cost the same.

    manage.py bench_audit                     # 1,000,000 events (inserted once), 30 runs per page
    manage.py bench_audit --events 200000 --depth 2000 --runs 10

The events are inserted only when missing (bench users ``bench-audit*@ahsp.local`` own them), in batches:
``INSERT ... SELECT generate_series`` on PostgreSQL, ``executemany`` of 10,000 rows elsewhere. 60 % of
them belong to one big project, the rest are spread over the other bench projects; two events share
each timestamp (so keyset ties are exercised), one minute apart from 2024-01-01 on.

Then, through ``django.test.Client`` (server time: middleware, view, queries, template), P50/P95 of the
per-project and the global trail at page 1 and at page ``--depth``, of the infinite-scroll fragment, and
of the filters; and EXPLAIN (ANALYZE) of the page query at both depths, with a check that the plan is
the same. The cursor of a deep page is found by walking the trail by keyset in big hops (no OFFSET).
"""

from __future__ import annotations

import json
import os
import re
import statistics
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, reset_queries, transaction
from django.db.models import F
from django.db.models.fields.tuple_lookups import Tuple, TupleLessThan
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ahsp.loaders.audit import (
    PAGE_SIZE,
    TrailFilters,
    encode_cursor,
    page_queryset,
    trail_queryset,
    trail_scope,
)
from ahsp.models import AuditEvent, Project
from tools.bench.timing import percentiles

OWNER_EMAIL = "bench-audit@ahsp.local"
STAFF_EMAIL = "bench-audit-staff@ahsp.local"
OTHER_ACTORS = ("bench-audit-2@ahsp.local", "bench-audit-3@ahsp.local")
BASE_TIME = datetime(2024, 1, 1, tzinfo=UTC)
PG_BATCH = 100_000
OTHER_BATCH = 10_000
WALK_HOP = 50_000

# (upper bound of (i * 31) % 1000, action): 2 % delete, 0.5 % archive, 0.5 % import, 12 % create, rest update.
ACTIONS = ((20, "delete"), (25, "archive"), (30, "import"), (150, "create"), (1000, "update"))
# (upper bound of (i * 17) % 100, target type)
TARGETS = (
    (40, "workitem"),
    (60, "projectanalysis"),
    (75, "projectresource"),
    (85, "section"),
    (90, "project"),
    (95, "projectparameter"),
    (97, "stage"),
    (99, "weekreport"),
    (100, "exportjob"),
)


def _case_sql(expression: str, table: tuple[tuple[int, str], ...]) -> str:
    whens = " ".join(f"WHEN {expression} < {bound} THEN '{value}'" for bound, value in table[:-1])
    return f"CASE {whens} ELSE '{table[-1][1]}' END"


def _pick(value: int, table: tuple[tuple[int, str], ...]) -> str:
    return next(name for bound, name in table if value < bound)


@dataclass
class Actors:
    owner: object
    staff: object
    ids: list[int]
    labels: list[str]


class Command(BaseCommand):
    help = "Fill the audit table (1,000,000 events by default) and time the trail pages at two depths."

    def add_arguments(self, parser):
        parser.add_argument("--events", type=int, default=1_000_000)
        parser.add_argument("--projects", type=int, default=50)
        parser.add_argument("--depth", type=int, default=10_000, help="page number of the deep page")
        parser.add_argument("--runs", type=int, default=30)

    # long-function: a benchmark script, its steps in the order of the report it prints
    def handle(self, *args, events: int, projects: int, depth: int, runs: int, **options):  # noqa: C901
        if events < PAGE_SIZE * 4 or projects < 2:
            raise CommandError("Give at least 200 events and 2 projects.")
        actors = self._actors()
        project_ids = self._projects(actors.owner, projects)
        self._fill(events, actors, project_ids)

        big = project_ids[0]
        total = AuditEvent.objects.count()
        in_big = AuditEvent.objects.filter(project_id=big).count()
        self.stdout.write(
            f"database {connection.vendor}; {total:,} events in the table, {in_big:,} in project {big} "
            f"(the big one), page size {PAGE_SIZE}"
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_size_pretty(pg_table_size('ahsp_auditevent')), "
                    "pg_size_pretty(pg_indexes_size('ahsp_auditevent'))"
                )
                table_size, index_size = cursor.fetchone()
            self.stdout.write(f"table {table_size}, indexes {index_size}")

        owner_client = Client(SERVER_NAME="localhost")
        owner_client.force_login(actors.owner)
        staff_client = Client(SERVER_NAME="localhost")
        staff_client.force_login(actors.staff)
        project_url = reverse("ahsp:project_audit", args=[big])
        global_url = reverse("ahsp:audit")
        hx_rows = {"HX-Request": "true", "HX-Target": "audit-more"}

        none = TrailFilters()
        cases = [
            # (label, client, url, project id or None for the global trail, filters)
            ("project", owner_client, project_url, big, none),
            ("global (staff)", staff_client, global_url, None, none),
            ("project, action=delete", owner_client, project_url, big, TrailFilters(action="delete")),
            ("project, type=stage", owner_client, project_url, big, TrailFilters(target_type="stage")),
            ("project, user", owner_client, project_url, big, TrailFilters(actor=OTHER_ACTORS[0])),
            (
                "project, type=referenceimport (none)",
                owner_client,
                project_url,
                big,
                TrailFilters(target_type="referenceimport"),
            ),
            ("project, last 7 days", owner_client, project_url, big, None),
            ("global, action=import", staff_client, global_url, None, TrailFilters(action="import")),
            (
                "global, type=weekreport",
                staff_client,
                global_url,
                None,
                TrailFilters(target_type="weekreport"),
            ),
            ("global, user", staff_client, global_url, None, TrailFilters(actor=OTHER_ACTORS[1])),
        ]
        self.stdout.write("")
        load = " ".join(f"{x:.1f}" for x in os.getloadavg())
        self.stdout.write(
            f"load average at start: {load} ({os.cpu_count()} CPUs); CPU ms = this process only"
        )
        self.stdout.write(
            f"{'trail':<38}{'page':>8}{'P50 ms':>9}{'P95 ms':>9}{'CPU ms':>9}{'queries':>9}{'KiB':>7}"
        )
        # For scale: a plain page of the same app (the project's summary) through the same client.
        summary_url = reverse("ahsp:project_detail", args=[big])
        self._time("reference: project summary page", owner_client, summary_url, {}, {}, 1, runs)
        explains = []
        newest = AuditEvent.objects.filter(project_id=big).order_by("-created_at", "-id").first().created_at
        for label, client, url, project_id, filters in cases:
            if filters is None:  # a date range: the last 7 local days of the big project's events
                last_day = timezone.localtime(newest).date()
                filters = TrailFilters(date_from=last_day - timedelta(days=6), date_to=last_day)
            query = filters.as_query()
            qs = trail_queryset(project_id=project_id, filters=filters)
            deep_page = depth if not filters.active else None
            if deep_page is None:  # filtered: the middle of what matches, at most --depth pages deep
                matching = qs.count()
                deep_page = min(depth, max(1, matching // PAGE_SIZE // 2))
            after = self._position(qs, (deep_page - 1) * PAGE_SIZE)
            positions = [(1, None), (deep_page, after)] if deep_page > 1 else [(1, None)]
            for page_number, position in positions:
                params = dict(query)
                if position is not None:
                    params["cursor"] = encode_cursor(*position, scope=trail_scope(project_id))
                self._time(label, client, url, params, {}, page_number, runs)
                if position is not None and not filters.active:
                    self._time(label + " (scroll fragment)", client, url, params, hx_rows, page_number, runs)
                if not filters.active:
                    explains.append((label, page_number, page_queryset(qs, position, PAGE_SIZE)))
            if filters.active:
                explains.append((label, positions[-1][0], page_queryset(qs, positions[-1][1], PAGE_SIZE)))

        self.stdout.write("")
        plans: dict[str, list[str]] = {}
        for label, page_number, page_qs in explains:
            plan = self._explain(page_qs)
            if label in ("project", "global (staff)"):
                self.stdout.write(f"EXPLAIN ANALYZE, {label}, page {page_number:,}:")
                self.stdout.write(plan)
                self.stdout.write("")
                plans.setdefault(label, []).append(self._shape(plan))
            else:
                first = [line for line in plan.splitlines() if "Scan" in line or "Index Cond" in line]
                self.stdout.write(
                    f"plan, {label}, page {page_number:,}: " + " | ".join(s.strip() for s in first)
                )
        self.stdout.write("")
        for label, shapes in plans.items():
            same = len(set(map(tuple, shapes))) == 1
            self.stdout.write(f"{label}: same plan at page 1 and page {depth:,}: {'yes' if same else 'NO'}")

    # --- data ----------------------------------------------------------------------------------------

    def _actors(self) -> Actors:
        users = get_user_model()
        found = []
        for email, staff in [(OWNER_EMAIL, False), (STAFF_EMAIL, True)] + [(e, False) for e in OTHER_ACTORS]:
            user = users.objects.filter(email=email).first()
            if user is None:
                user = users.objects.create_user(
                    username=email.split("@")[0], email=email, password=None, is_staff=staff
                )
            found.append(user)
        owner, staff, *others = found
        actors = [owner, *others]
        return Actors(owner, staff, [u.pk for u in actors], [u.email for u in actors])

    def _projects(self, owner, count: int) -> list[int]:
        names = [f"Bench Audit {n:02d}" for n in range(1, count + 1)]
        existing = dict(Project.objects.filter(owner=owner, name__in=names).values_list("name", "pk"))
        for name in names:
            if name not in existing:
                existing[name] = Project.objects.create(owner=owner, name=name, client="Bench").pk
        return [existing[name] for name in names]

    def _fill(self, events: int, actors: Actors, project_ids: list[int]) -> None:
        have = AuditEvent.objects.filter(actor_id__in=actors.ids, summary__startswith="Uji beban #").count()
        if have >= events:
            self.stdout.write(f"{have:,} bench events already there")
            return
        start = time.perf_counter()
        if connection.vendor == "postgresql":
            self._fill_postgresql(have, events, actors, project_ids)
        else:
            self._fill_other(have, events, actors, project_ids)
        self.stdout.write(f"inserted {events - have:,} events in {time.perf_counter() - start:.1f} s")

    def _fill_postgresql(self, have: int, events: int, actors: Actors, project_ids: list[int]) -> None:
        big, others = project_ids[0], project_ids[1:]
        sql = f"""
            INSERT INTO ahsp_auditevent
                (created_at, actor_id, actor_label, project_id, action, target_type, target_id,
                 summary, before, after)
            SELECT %s::timestamptz + (i / 2) * interval '1 minute',
                   (%s::bigint[])[1 + i %% 3],
                   (%s::text[])[1 + i %% 3],
                   CASE WHEN i %% 10 < 6 THEN %s
                        ELSE (%s::bigint[])[1 + (i * 7919) %% {len(others)}] END,
                   action,
                   {_case_sql("(i * 17) %% 100", TARGETS)},
                   (i %% 5000)::text,
                   'Uji beban #' || i,
                   CASE WHEN action = 'update' THEN jsonb_build_object('volume', ((i %% 997) + 1)::text) END,
                   CASE WHEN action IN ('update', 'create')
                        THEN jsonb_build_object('volume', ((i %% 991) + 2)::text) END
            FROM (SELECT i, {_case_sql("(i * 31) %% 1000", ACTIONS)} AS action
                  FROM generate_series(%s::bigint, %s::bigint) AS s(i)) AS q
        """  # noqa: S608 - only constants and counts are formatted in
        with connection.cursor() as cursor:
            for first in range(have, events, PG_BATCH):
                last = min(events, first + PG_BATCH) - 1
                with transaction.atomic():
                    cursor.execute(sql, [BASE_TIME, actors.ids, actors.labels, big, others, first, last])
                self.stdout.write(f"  {last + 1:,} / {events:,}")
            cursor.execute("ANALYZE ahsp_auditevent")

    def _fill_other(self, have: int, events: int, actors: Actors, project_ids: list[int]) -> None:
        big, others = project_ids[0], project_ids[1:]
        sql = (
            "INSERT INTO ahsp_auditevent (created_at, actor_id, actor_label, project_id, action, "
            "target_type, target_id, summary, before, after) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
        )
        adapt = connection.ops.adapt_datetimefield_value
        with connection.cursor() as cursor:
            for first in range(have, events, OTHER_BATCH):
                rows = []
                for i in range(first, min(events, first + OTHER_BATCH)):
                    action = _pick((i * 31) % 1000, ACTIONS)
                    rows.append(
                        (
                            adapt(BASE_TIME + timedelta(minutes=i // 2)),
                            actors.ids[i % 3],
                            actors.labels[i % 3],
                            big if i % 10 < 6 else others[(i * 7919) % len(others)],
                            action,
                            _pick((i * 17) % 100, TARGETS),
                            str(i % 5000),
                            f"Uji beban #{i}",
                            json.dumps({"volume": str(i % 997 + 1)}) if action == "update" else None,
                            json.dumps({"volume": str(i % 991 + 2)})
                            if action in ("update", "create")
                            else None,
                        )
                    )
                with transaction.atomic():
                    cursor.executemany(sql, rows)

    # --- measuring -----------------------------------------------------------------------------------

    def _position(self, qs, rows_before: int) -> tuple[datetime, int] | None:
        """The (created_at, id) of the last row before the page that starts after ``rows_before`` rows,
        found by walking the trail by keyset (``WALK_HOP`` rows per query, never OFFSET)."""
        if rows_before <= 0:
            return None
        after, left = None, rows_before
        while left > 0:
            step = min(WALK_HOP, left)
            hop = qs
            if after is not None:
                hop = hop.filter(TupleLessThan(Tuple(F("created_at"), F("id")), after))
            keys = list(hop.values_list("created_at", "id")[:step])
            if not keys:
                break
            after, left = keys[-1], left - len(keys)
        return after

    def _time(self, label, client, url, params, headers, page_number, runs) -> None:
        timings, cpu = [], []
        for run in range(runs + 1):
            reset_queries()
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(url, params, headers=headers)
            elapsed = (time.perf_counter() - start) * 1000
            if response.status_code != 200:
                raise CommandError(f"status {response.status_code} for {url} {params}")
            if run:  # the first run warms caches (templates, connection)
                timings.append(elapsed)
                cpu.append((time.process_time() - start_cpu) * 1000)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, params, headers=headers)
        if "/audit/" in url and "tidak sah" in response.text:
            raise CommandError(f"the cursor was refused for {label}")
        p50, p95 = percentiles(timings)
        cpu50 = statistics.median(cpu)
        size = len(response.content) / 1024
        self.stdout.write(
            f"{label:<38}{page_number:>8,}{p50:>9.1f}{p95:>9.1f}{cpu50:>9.1f}{len(captured):>9}{size:>7.0f}"
        )

    def _explain(self, qs) -> str:
        if connection.vendor == "postgresql":
            return qs.explain(analyze=True, buffers=True)
        return qs.explain()

    @staticmethod
    def _shape(plan: str) -> list[str]:
        """The plan's nodes and the indexes they use, without conditions, costs, times or row counts."""
        nodes = []
        for line in plan.splitlines():
            text = line.strip().removeprefix("->").strip()
            if not text or ":" in text.split("(")[0]:
                continue  # "Index Cond: ...", "Filter: ...", "Sort Key: ...", "Buffers: ...", timings
            text = re.sub(r"\s*\(.*$", "", text)
            # SQLite: "SEARCH t USING INDEX i (created_at<?)" is the same bounded read of the index as
            # "SCAN t USING INDEX i" at page 1; EXPLAIN's node ids are not part of the plan.
            nodes.append(re.sub(r"^\d+ \d+ \d+ (SEARCH|SCAN) ", "READ ", text))
        return nodes
