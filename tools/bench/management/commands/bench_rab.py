"""Server-time benchmark of the Rekap RAB on a big synthetic project (issue 3, "Numbers that must hold").

    DATABASE_URL=postgres://... DEBUG=1 python manage.py bench_rab --email someone@example.com --runs 30

Creates (or reuses, matched by owner and name) a project of ``--items`` work items, each with its own
analysis of ``--components`` components, under ``--top`` x ``--sub`` sections, then times the collapsed
page, a section fragment (HTMX), the print view and the CSV (time to first byte and to the last byte),
with P50/P95 over ``--runs`` runs after one warm-up, the number of SQL queries of each, and the peak
Python memory (tracemalloc) while streaming the whole CSV.
"""

import time
import tracemalloc

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ahsp.models import AnalysisComponent, Project, Section, WorkItem
from tools.bench.synthetic import bench_owner, build_synthetic_project
from tools.bench.timing import percentiles


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

    # long-function: a benchmark script, its steps in the order of the report it prints
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
            p50, p95 = percentiles(timings)
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
        p50, p95 = percentiles(first_byte)
        self.stdout.write(f"{'CSV first byte':<26}{p50:>9.1f}{p95:>9.1f}{len(captured):>9}{size:>9.0f}")
        p50, p95 = percentiles(first_rows)
        self.stdout.write(f"{'CSV first rows chunk':<26}{p50:>9.1f}{p95:>9.1f}")
        p50, p95 = percentiles(last_byte)
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
