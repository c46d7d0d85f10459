"""Server-time benchmark of the Rekap RAB on a big synthetic project (issue 3, "Numbers that must hold").

    DATABASE_URL=postgres://... DEBUG=1 python manage.py bench_rab --email someone@example.com --runs 30

Creates (or reuses, matched by owner and name) a project of ``--items`` work items, each with its own
analysis of ``--components`` components, under ``--top`` x ``--sub`` sections, then times the collapsed
page, a section fragment (HTMX), the print view and the CSV (time to first byte and to the last byte),
with P50/P95 over ``--runs`` runs after one warm-up, the number of SQL queries of each, and the peak
Python memory (tracemalloc) while streaming the whole CSV.
"""

import statistics
import time
import tracemalloc
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, reset_queries, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ahsp.calculations.totals import line_amount
from ahsp.models import AnalysisComponent, Project, ProjectAnalysis, ProjectResource, Section, WorkItem
from ahsp.services import recalc

CATEGORIES = ("labour",) * 3 + ("material",) * 7 + ("equipment",) * 2
UNITS = ("m3", "m2", "m'", "kg", "bh")


@transaction.atomic
def build_synthetic_project(
    owner,
    *,
    name: str = "Bench RAB",
    top: int = 10,
    sub: int = 9,
    items: int = 2000,
    components: int = 8,
    resources: int = 241,
    unpriced: int = 3,
    recalculate: bool = False,
) -> Project:
    """A project of ``top`` sections with ``sub`` sub-sections each (items in the sub-sections, or in the
    top-level sections when ``sub`` is 0), ``items`` work items, one analysis of ``components`` distinct
    resources per item, and ``unpriced`` resources without a price. Everything is bulk-created.

    With ``recalculate`` the HSP and amounts come from ``recalc.recalculate_project`` (as in real use);
    without it they are set directly (deterministic values, amount = line_amount(volume, HSP)), which is
    much faster for tests.
    """
    if components > resources:
        raise ValueError("components must not exceed resources")
    project = Project.objects.create(owner=owner, name=name, client="Bench", location="Bench")
    tops = Section.objects.bulk_create(
        [Section(project=project, name=f"Klasifikasi {i + 1}", position=i) for i in range(top)]
    )
    leaves = tops
    if sub:
        leaves = Section.objects.bulk_create(
            [
                Section(project=project, parent=parent, name=f"Sub-klasifikasi {t + 1}.{s + 1}", position=s)
                for t, parent in enumerate(tops)
                for s in range(sub)
            ]
        )
    priced = [
        ProjectResource(
            project=project,
            code=f"R.{i + 1:04d}",
            name=f"Sumber daya {i + 1}",
            unit="OH" if CATEGORIES[i % len(CATEGORIES)] == "labour" else "kg",
            category=CATEGORIES[i % len(CATEGORIES)],
            unit_price=None if i < unpriced else Decimal(1000 + (i * 7919) % 400000),
        )
        for i in range(resources)
    ]
    priced = ProjectResource.objects.bulk_create(priced, batch_size=1000)
    analyses = ProjectAnalysis.objects.bulk_create(
        [
            ProjectAnalysis(
                project=project,
                code=f"X.{i + 1}",
                name=f"Pekerjaan sintetis {i + 1}",
                unit=UNITS[i % len(UNITS)],
                reference_code=f"2.2.{i % 97}.{i + 1}" if i % 2 == 0 else "",
            )
            for i in range(items)
        ],
        batch_size=1000,
    )
    # Resource steps of 37 (coprime with 241) keep the resources of one analysis distinct.
    AnalysisComponent.objects.bulk_create(
        [
            AnalysisComponent(
                analysis=analysis,
                position=j,
                resource=priced[(i * 13 + j * 37) % resources],
                coefficient=Decimal((i * 31 + j * 17) % 5000 + 1).scaleb(-4),
            )
            for i, analysis in enumerate(analyses)
            for j in range(components)
        ],
        batch_size=2000,
    )
    positions: dict[int, int] = {}
    work_items = []
    for i, analysis in enumerate(analyses):
        section = leaves[i * len(leaves) // items]
        positions[section.pk] = positions.get(section.pk, -1) + 1
        volume = Decimal((i * 37) % 1000 + 1).scaleb(-1)
        unit_rate = Decimal((i * 7919) % 900000 + 10000) + Decimal("0.25")
        work_items.append(
            WorkItem(
                project=project,
                section=section,
                analysis=analysis,
                name=analysis.name,
                unit=analysis.unit,
                position=positions[section.pk],
                volume=volume,
                unit_rate=Decimal(0) if recalculate else unit_rate,
                amount=Decimal(0) if recalculate else line_amount(volume, unit_rate),
            )
        )
    WorkItem.objects.bulk_create(work_items, batch_size=1000)
    if recalculate:
        recalc.recalculate_project(project)
    return project


def bench_owner(email: str | None):
    """The owner of a benchmark's synthetic project: the active user with ``email``, or the first one."""
    users = get_user_model().objects.filter(is_active=True)
    user = users.filter(email=email).first() if email else users.order_by("id").first()
    if user is None:
        raise CommandError("Pengguna tidak ditemukan (jalankan seed_demo atau beri --email).")
    return user


def _percentiles(timings: list[float]) -> tuple[float, float]:
    ordered = sorted(timings)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


class Command(BaseCommand):
    help = "Measure the Rekap RAB (page, fragment, print, CSV) on a big synthetic project."

    def add_arguments(self, parser):
        parser.add_argument("--email", help="owner of the synthetic project (default: first active user)")
        parser.add_argument("--runs", type=int, default=20)
        parser.add_argument("--items", type=int, default=2000)
        parser.add_argument("--components", type=int, default=8)
        parser.add_argument("--top", type=int, default=10)
        parser.add_argument("--sub", type=int, default=9)
        parser.add_argument("--new", action="store_true", help="always build a new project")

    def handle(self, *args, runs: int, items: int, components: int, top: int, sub: int, **options):
        user = bench_owner(options["email"])
        name = f"Bench RAB {items} pekerjaan x {components} komponen ({top}x{sub} klasifikasi)"
        project = None if options["new"] else Project.objects.filter(owner=user, name=name).first()
        if project is None:
            start = time.perf_counter()
            project = build_synthetic_project(
                user, name=name, top=top, sub=sub, items=items, components=components, recalculate=True
            )
            self.stdout.write(f"built project {project.pk} in {time.perf_counter() - start:.1f} s")
        else:
            self.stdout.write(f"reusing project {project.pk}")
        leaf = (
            Section.objects.filter(project=project, items__isnull=False).order_by(
                "parent_id", "position", "id"
            )
        ).first()
        top_section = Section.objects.filter(project=project, parent=None).order_by("position", "id").first()
        counts = (
            WorkItem.objects.filter(project=project).count(),
            Section.objects.filter(project=project).count(),
            AnalysisComponent.objects.filter(analysis__project=project).count(),
        )
        self.stdout.write(
            f"project {project.pk}: {counts[0]} work items, {counts[1]} sections, {counts[2]} components; "
            f"database {connection.vendor}"
        )

        client = Client(SERVER_NAME="localhost")
        client.force_login(user)
        hx = {"HX-Request": "true"}
        pages = [
            ("page (collapsed)", reverse("ahsp:project_rab", args=[project.pk]), {}),
            (
                "fragment (top section)",
                reverse("ahsp:project_rab_section", args=[project.pk, top_section.pk]),
                hx,
            ),
            ("fragment (leaf section)", reverse("ahsp:project_rab_section", args=[project.pk, leaf.pk]), hx),
            ("print view", reverse("ahsp:project_rab", args=[project.pk]) + "?print=1", {}),
        ]
        self.stdout.write(f"{'view':<26}{'P50 ms':>9}{'P95 ms':>9}{'queries':>9}{'KiB':>9}")
        for label, url, headers in pages:
            timings = []
            for run in range(runs + 1):
                reset_queries()
                start = time.perf_counter()
                response = client.get(url, headers=headers)
                elapsed = (time.perf_counter() - start) * 1000
                if response.status_code != 200:
                    raise CommandError(f"status {response.status_code} for {url}")
                if run:  # the first run warms caches (templates, connection)
                    timings.append(elapsed)
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url, headers=headers)
            p50, p95 = _percentiles(timings)
            size = len(response.content) / 1024
            self.stdout.write(f"{label:<26}{p50:>9.1f}{p95:>9.1f}{len(captured):>9}{size:>9.0f}")

        csv_url = reverse("ahsp:project_rab_csv", args=[project.pk])
        first_byte, first_rows, last_byte = [], [], []
        for run in range(runs + 1):
            reset_queries()
            start = time.perf_counter()
            response = client.get(csv_url)
            chunks = iter(response.streaming_content)
            next(chunks)  # BOM + header
            ttfb = (time.perf_counter() - start) * 1000
            next(chunks, None)  # the first rows: the items query has run
            rows = (time.perf_counter() - start) * 1000
            for _ in chunks:
                pass
            total = (time.perf_counter() - start) * 1000
            if run:
                first_byte.append(ttfb)
                first_rows.append(rows)
                last_byte.append(total)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(csv_url)
            size = sum(len(chunk) for chunk in response.streaming_content) / 1024
        p50, p95 = _percentiles(first_byte)
        self.stdout.write(f"{'CSV first byte':<26}{p50:>9.1f}{p95:>9.1f}{len(captured):>9}{size:>9.0f}")
        p50, p95 = _percentiles(first_rows)
        self.stdout.write(f"{'CSV first rows chunk':<26}{p50:>9.1f}{p95:>9.1f}")
        p50, p95 = _percentiles(last_byte)
        self.stdout.write(f"{'CSV last byte':<26}{p50:>9.1f}{p95:>9.1f}")

        for label, url in (("CSV", csv_url), ("print view", pages[3][1])):
            reset_queries()
            tracemalloc.start()
            tracemalloc.reset_peak()
            response = client.get(url)
            if response.streaming:
                for _ in response.streaming_content:
                    pass
            else:
                _ = response.content
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            self.stdout.write(f"peak Python memory, {label}: {peak / 1024 / 1024:.1f} MiB")
