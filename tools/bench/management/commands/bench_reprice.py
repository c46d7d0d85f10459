"""Server-time benchmark of a project-wide change (issue 11: "BUK %, rounding on a 2,000-item project:
at most 1 s including the audit event").

    DATABASE_URL=postgres://... DEBUG=1 python manage.py bench_reprice --runs 10

Builds (or reuses) the synthetic project of ``bench_rab`` (``--items`` work items, each with its own analysis
of ``--components`` components), then saves the project ``--runs`` times through ``projects.update``,
alternating the BUK % between 10 and 12,5 and the HSP rounding between none and Rp 10, so every save
reprices every analysis and every work item. Each save is one committed transaction, timed from the call
to the commit, with its SQL query count; P50 / P95 / max are printed.
"""

import time
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from ahsp.models import Project, WorkItem
from ahsp.services import projects
from tools.bench.synthetic import bench_owner, build_synthetic_project
from tools.bench.timing import percentiles

SETTINGS = (
    {"overhead_profit_pct": Decimal("12.5"), "hsp_rounding_step": 0},
    {"overhead_profit_pct": Decimal("10"), "hsp_rounding_step": 10},
)


class Command(BaseCommand):
    help = "Measure a project-wide change (BUK %, HSP rounding) that reprices every work item."

    def add_arguments(self, parser):
        parser.add_argument("--email", help="owner of the synthetic project (default: first active user)")
        parser.add_argument("--runs", type=int, default=10)
        parser.add_argument("--items", type=int, default=2000)
        parser.add_argument("--components", type=int, default=8)
        parser.add_argument("--new", action="store_true", help="always build a new project")

    def handle(self, *args, runs: int, items: int, components: int, **options):
        user = bench_owner(options["email"])
        name = f"Bench reprice {items} pekerjaan x {components} komponen"
        project = None if options["new"] else Project.objects.filter(owner=user, name=name).first()
        if project is None:
            project = build_synthetic_project(
                user, name=name, items=items, components=components, recalculate=True
            )
        count = WorkItem.objects.filter(project=project).count()
        self.stdout.write(f"project {project.pk}: {count} work items; database {connection.vendor}")

        timings, queries = [], []
        for run in range(runs):
            project.refresh_from_db()
            data = SETTINGS[run % 2]
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                with transaction.atomic():
                    project = projects.update(
                        project=project, data=data, expected_version=project.version, by=user
                    )
                timings.append(time.perf_counter() - start)
            queries.append(len(captured))
        p50, p95 = percentiles(timings)
        self.stdout.write(
            f"{runs} saves, each repricing {count} work items: P50 {p50 * 1000:.0f} ms, "
            f"P95 {p95 * 1000:.0f} ms, max {max(timings) * 1000:.0f} ms; "
            f"queries {min(queries)}-{max(queries)}"
        )
