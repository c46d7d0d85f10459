"""Server-time benchmark of the dashboard widgets on a user with many projects (issue 6 §1).

    DATABASE_URL=postgres://... REDIS_URL=redis://... DEBUG=1 \\
        python manage.py bench_widgets --email bench-widgets@example.com --projects 500 --runs 30

Seeds (or tops up, matched by owner and name prefix) ``--projects`` projects for the user, bulk-created:
each with one section, one analysis and ``--items`` work items (amounts set directly, as ``bench_rab``
does without ``--recalculate``), a schedule (start dates spread over the last 16 weeks, 12 to 41 weeks
long, every item planned evenly over 3 to 6 weeks, progress in the past weeks at 100 %, 90 %, 60 % or
30 % of the plan depending on the project) and a few audit events. Then times each widget's htmx
request in-process (the Django test client, so "server time": middleware, view, cache and database,
no network), P50/P95 over ``--runs`` runs after one warm-up, with the query count of one request:

- *cold*: after an edit of one of the user's projects (its version and the user's bumped, as
  ``audit.record`` does): every widget is computed again; the alerts reuse the other projects' cached
  schedule sums;
- *empty*: nothing cached for the user (every project's version and the user's new);
- *warm*: from the cache.
"""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, reset_queries, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ahsp.calculations.schedule import even_shares
from ahsp.calculations.totals import line_amount
from ahsp.dashboard import cache as dashboard_cache
from ahsp.loaders import dashboard as widgets
from ahsp.models import (
    AuditEvent,
    PlannedShare,
    ProgressEntry,
    Project,
    ProjectAnalysis,
    Section,
    WorkItem,
)
from tools.bench.timing import percentiles

PREFIX = "Bench widget"
STATUSES = ("active", "active", "active", "draft", "done", "archived")
PACES = (Decimal(1), Decimal("0.9"), Decimal("0.6"), Decimal("0.3"))  # actual / planned, per project
SHARE = Decimal("0.0001")


@transaction.atomic  # long-function: bulk-creates level by level, each level needs the rows above it
def seed_projects(user, *, first: int, count: int, items: int) -> dict[str, int]:
    """``count`` more bench projects for ``user``, numbered from ``first``; everything bulk-created."""
    today = timezone.localdate()
    new = Project.objects.bulk_create(
        [
            Project(
                owner=user,
                name=f"{PREFIX} {n + 1:04d}",
                client="Dinas PUPR Kabupaten Bench",
                location="Bench",
                fiscal_year=2026,
                status=STATUSES[n % len(STATUSES)],
                budget_ceiling=Decimal(400_000_000 + 25_000_000 * (n % 40)),
                vat_pct=Decimal(11 if n % 3 else 12),
                start_date=today - timedelta(days=7 * (n % 16) + n % 7),
                duration_weeks=12 + n % 30,
            )
            for n in range(first, first + count)
        ],
        batch_size=1000,
    )
    sections = Section.objects.bulk_create(
        [Section(project=project, name="Pekerjaan Utama", position=0) for project in new], batch_size=1000
    )
    analyses = ProjectAnalysis.objects.bulk_create(
        [ProjectAnalysis(project=project, code="B.1", name="Pekerjaan bench", unit="m3") for project in new],
        batch_size=1000,
    )
    work_items = []
    for p, (project, section, analysis) in enumerate(zip(new, sections, analyses, strict=True)):
        for i in range(items):
            volume = Decimal((p * 31 + i * 17) % 500 + 1).scaleb(-1)
            unit_rate = Decimal((p * 7919 + i * 104729) % 2_000_000 + 50_000)
            work_items.append(
                WorkItem(
                    project=project,
                    section=section,
                    analysis=analysis,
                    name=f"Pekerjaan {i + 1}",
                    unit="m3",
                    position=i,
                    volume=volume,
                    unit_rate=unit_rate,
                    amount=line_amount(volume, unit_rate),
                )
            )
    work_items = WorkItem.objects.bulk_create(work_items, batch_size=2000)
    shares, entries = [], []
    for index, item in enumerate(work_items):
        p = index // items
        project = new[p]
        weeks = project.duration_weeks
        length = 3 + index % 4
        first_week = 1 + (index * 5) % max(weeks - length, 1)
        plan = even_shares(first_week, min(first_week + length - 1, weeks))
        shares += [PlannedShare(work_item=item, week=week, share=share) for week, share in plan.items()]
        current = (today - project.start_date).days // 7 + 1
        pace = PACES[p % len(PACES)]
        entries += [
            ProgressEntry(work_item=item, week=week, progress=(share * pace).quantize(SHARE, ROUND_DOWN))
            for week, share in plan.items()
            if week < current and share * pace >= SHARE
        ]
    PlannedShare.objects.bulk_create(shares, batch_size=5000)
    ProgressEntry.objects.bulk_create(entries, batch_size=5000)
    events = AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor_id=user.pk,
                actor_label=user.email,
                project_id=project.pk,
                action=action,
                target_type="project" if action == "create" else "workitem",
                target_id=str(project.pk),
                summary=f"{summary} {project.name}",
            )
            for project in new
            for action, summary in (
                ("create", "Proyek dibuat:"),
                ("update", "Volume diubah di"),
                ("update", "Rencana jadwal diubah di"),
                ("update", "Realisasi diisi di"),
            )
        ],
        batch_size=5000,
    )
    # Bulk writes bypass the services (and audit.record): bump the version as they would.
    transaction.on_commit(lambda: dashboard_cache.bump_users([user.pk]))
    return {
        "projects": len(new),
        "work items": len(work_items),
        "planned weeks": len(shares),
        "progress entries": len(entries),
        "audit events": len(events),
    }


class Command(BaseCommand):
    help = "Measure the dashboard widgets (cold and warm) for a user with many projects."

    def add_arguments(self, parser):
        parser.add_argument("--email", default="bench-widgets@example.com", help="created when missing")
        parser.add_argument("--projects", type=int, default=500)
        parser.add_argument("--items", type=int, default=20, help="work items per new project")
        parser.add_argument("--runs", type=int, default=30)

    # long-function: a benchmark script, its steps in the order of the report it prints
    def handle(self, *args, email: str, projects: int, items: int, runs: int, **options):  # noqa: C901
        if runs < 1 or projects < 0 or items < 1:
            raise CommandError("--runs and --items must be at least 1, --projects at least 0.")
        User = get_user_model()
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(username=email, email=email)
            self.stdout.write(f"created user {email}")
        have = Project.objects.filter(owner=user, name__startswith=PREFIX).count()
        if have < projects:
            start = time.perf_counter()
            counts = seed_projects(user, first=have, count=projects - have, items=items)
            made = ", ".join(f"{value} {label}" for label, value in counts.items())
            self.stdout.write(f"seeded {made} in {time.perf_counter() - start:.1f} s")
            if connection.vendor == "postgresql":  # fresh statistics, as autovacuum would gather
                with connection.cursor() as cursor:
                    cursor.execute(
                        "ANALYZE ahsp_project, ahsp_workitem, ahsp_plannedshare, ahsp_progressentry, "
                        "ahsp_auditevent"
                    )
        visible = Project.objects.visible_to(user)
        self.stdout.write(
            f"user {email}: {visible.count()} projects, "
            f"{WorkItem.objects.filter(project__in=visible).count()} work items, "
            f"{PlannedShare.objects.filter(work_item__project__in=visible).count()} planned weeks, "
            f"{ProgressEntry.objects.filter(work_item__project__in=visible).count()} progress entries, "
            f"{AuditEvent.objects.filter(project_id__in=visible.values('pk')).count()} audit events"
        )
        backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
        self.stdout.write(f"database {connection.vendor}, cache {backend}; {runs} runs per figure (ms)")
        today = timezone.localdate()
        alerts = widgets.load_alerts(user, today)
        summary = widgets.load_summary(user)
        self.stdout.write(
            f"ringkasan: {summary.project_count} projects, Jumlah Rp {summary.estimate_total:,.2f}; "
            f"peringatan: {alerts.total} of {alerts.checked} scheduled projects behind plan"
        )

        client = Client(SERVER_NAME="localhost")
        client.force_login(user)
        headers = {"HX-Request": "true"}

        def get(url: str, *, counted: bool = False) -> tuple[float, int]:
            if not counted:  # CaptureQueriesContext counts the log's growth: keep it then
                reset_queries()
            started = time.perf_counter()
            response = client.get(url, headers=headers)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200 or b"is-failed" in response.content:
                raise CommandError(f"{url}: status {response.status_code}, or the widget failed")
            return elapsed, len(response.content)

        project_ids = list(visible.values_list("pk", flat=True))
        edited = project_ids[len(project_ids) // 2]

        def after_an_edit() -> None:
            """What audit.record does after a write to one of the user's projects."""
            dashboard_cache.bump_for_project(edited, [user.pk])

        def empty() -> None:
            """Nothing cached for this user: every project's and the user's version are new."""
            versions = {dashboard_cache.project_version_key(pk): uuid.uuid4().hex for pk in project_ids}
            cache.set_many(versions, timeout=None)
            dashboard_cache.bump_users([user.pk])

        def measure(url: str, prepare) -> tuple[float, float, int]:
            timings = []
            for _ in range(runs):
                if prepare:
                    prepare()
                timings.append(get(url)[0])
            if prepare:
                prepare()
            with CaptureQueriesContext(connection) as captured:
                get(url, counted=True)
            return (*percentiles(timings), len(captured))  # len now: later requests reset the log

        self.stdout.write(
            "cold = after an edit of one of the user's projects; empty = nothing cached for the user; "
            "warm = from the cache"
        )
        self.stdout.write(
            f"{'widget':<12}{'cold P50':>9}{'P95':>7}{'q':>3}{'empty P50':>11}{'P95':>7}{'q':>3}"
            f"{'warm P50':>10}{'P95':>7}{'q':>3}{'KiB':>6}"
        )
        for name in widgets.WIDGETS:
            url = reverse("ahsp:widget", args=[name])
            empty()
            get(url)  # warm-up: templates, connection
            rows = [measure(url, after_an_edit), measure(url, empty), measure(url, None)]
            size = get(url)[1]
            line = "".join(f"{p50:>9.1f}{p95:>7.1f}{queries:>3}  " for p50, p95, queries in rows)
            self.stdout.write(f"{name:<12}{line}{size / 1024:>4.1f}")
        cache.close()
