"""Benchmark of the background exports (issue "exports", "Numbers that must hold").

    DATABASE_URL=postgres://... REDIS_URL=redis://... DEBUG=1 python manage.py bench_exports \\
        --email someone@example.com --runs 30

Two synthetic projects (``bench_rab.build_synthetic_project``, recalculated, reused across runs: matched
by owner and name) of ``--items-small`` (1,000) and ``--items-large`` (5,000) work items, then:

Server time (``django.test.Client`` logged in as the owner, P50/P95 over ``--runs`` runs after one
warm-up, plus the SQL queries of one more run):

- starting an export: the htmx POST to the export centre (target P95 < 100 ms). Every run starts a NEW
  job: the job of the previous run is marked failed first (``exports.start`` would otherwise reuse it);
- the progress partial (htmx GET ``/exports/<id>/``) of a running job (target P95 < 20 ms), and of a
  finished one (status 286).

The task must be enqueued, not run: in immediate mode (``HUEY_IMMEDIATE=1``, the test settings) the
POST would build the file inside the request, and with a live broker a running consumer would take the
bench's jobs. So for the whole command ``HUEY.immediate`` is False and ``HUEY.storage`` is a throwaway
queue: with a real broker configured, a storage of the same class (Redis: the same server, so the POST
pays the real LPUSH) under a unique queue name that no consumer reads, flushed at the end; in immediate
mode, huey's in-memory storage. Nothing the bench enqueues is ever executed by huey.

Builds (the real worker path: a job created by ``exports.start``, then ``exports.run(job_id)`` with its
progress writes and the storage write): RAB PDF of the small project (target < 30 s), RAB XLSX of the
large one (target < 15 s), RAB CSV and the project workbook (XLSX) of the large one, AHSP PDF and XLSX of
the small one. Each build runs in a fresh process (``manage.py bench_exports --one <job_id>``, which
first imports every ``ahsp.exports`` module and opens the database connection, like a warm worker):

- wall time and the process's max RSS (``ru_maxrss``: absolute, and its growth during the build) in a
  plain run;
- the Python peak (``tracemalloc``, which slows the build down) in a second, traced run of a new job
  (its time is shown as "traced s"); ``--no-trace`` skips it.

With ``--in-process`` the builds run in this process instead (used by the tests: a subprocess cannot
see the test's transaction); the RSS growth is then that of this process's high-water mark.

``--only`` limits what is measured: ``server`` (the start and progress timings), a document (``rab``,
``ahsp``, ``proyek``), a format (``pdf``, ``xlsx``, ``csv``) or ``document-format`` (``rab-pdf``),
comma-separated. The bench's jobs and files are deleted at the end unless ``--keep``.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import re
import resource
import subprocess
import sys
import time
import tracemalloc
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ahsp.models import ExportJob, Project, WorkItem
from ahsp.services import exports
from tools.bench.synthetic import build_synthetic_project
from tools.bench.timing import percentiles

START_TARGET_MS = 100
PROGRESS_TARGET_MS = 20
RETIRED = "bench_exports: replaced by the next run"
JOB_ID = re.compile(r'id="export-job-(\d+)"')
SERVER_LABEL = 36
BUILD_LABEL = 24


@dataclass(frozen=True)
class Build:
    label: str
    document: str
    fmt: str
    size: str  # "small" or "large" project
    target_seconds: float | None = None

    @property
    def key(self) -> str:
        return f"{self.document}-{self.fmt}"


BUILDS = (
    Build("RAB PDF", "rab", "pdf", "small", 30),
    Build("RAB XLSX", "rab", "xlsx", "large", 15),
    Build("RAB CSV", "rab", "csv", "large"),
    Build("Proyek XLSX (workbook)", "proyek", "xlsx", "large"),
    Build("AHSP PDF", "ahsp", "pdf", "small"),
    Build("AHSP XLSX", "ahsp", "xlsx", "small"),
)


def _max_rss_mib() -> float:
    """This process's peak resident set size so far (KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


@contextmanager
def enqueue_only() -> Iterator[str]:
    """huey enqueues into a throwaway queue and never runs a task inline (see the module docstring).
    Yields a description of that queue."""
    from huey.contrib.djhuey import HUEY  # noqa: PLC0415 (configured from settings at import)
    from huey.storage import MemoryStorage  # noqa: PLC0415

    saved_immediate, saved_storage = HUEY.immediate, HUEY.storage
    name = f"{HUEY.name}-bench-{uuid.uuid4().hex[:12]}"
    if saved_immediate:
        storage, description = MemoryStorage(name), "in-memory huey queue (settings are in immediate mode)"
    else:
        storage = HUEY.storage_class(name, **HUEY.storage_kwargs)
        description = f"throwaway {type(storage).__name__} queue {name!r} (no consumer reads it)"
    HUEY.immediate = False
    HUEY.storage = storage
    try:
        yield description
    finally:
        try:
            storage.flush_all()
        finally:
            HUEY.immediate = saved_immediate
            HUEY.storage = saved_storage


def _warm_worker() -> None:
    """What a worker that has built files before has loaded: every builder module, a DB connection."""
    import ahsp.exports  # noqa: PLC0415

    for module in pkgutil.iter_modules(ahsp.exports.__path__):
        importlib.import_module(f"ahsp.exports.{module.name}")
    ExportJob.objects.exists()


def measure_run(job_id: int, *, trace: bool) -> dict:
    """``exports.run(job_id)`` timed, with the max RSS before/after and (traced) the Python peak."""
    rss_before = _max_rss_mib()
    if trace:
        tracemalloc.start()
        tracemalloc.reset_peak()
    started = time.perf_counter()
    try:
        job = exports.run(job_id)
    finally:
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] if trace else None
        if trace:
            tracemalloc.stop()
    rss_after = _max_rss_mib()
    return {
        "job": job_id,
        "status": job.status if job else "missing",
        "error": job.error if job else "",
        "size": (job.size or 0) if job else 0,
        "seconds": seconds,
        "max_rss_mib": rss_after,
        "rss_growth_mib": rss_after - rss_before,
        "python_peak_mib": None if peak is None else peak / (1024 * 1024),
    }


class Command(BaseCommand):
    help = "Measure the exports: start and progress server time, build time and memory of each file."

    def add_arguments(self, parser):
        parser.add_argument("--email", help="owner of the synthetic projects (created if missing)")
        parser.add_argument("--runs", type=int, default=30)
        parser.add_argument("--items-small", type=int, default=1000)
        parser.add_argument("--items-large", type=int, default=5000)
        parser.add_argument("--components", type=int, default=8)
        parser.add_argument("--top", type=int, default=10)
        parser.add_argument("--sub", type=int, default=9)
        parser.add_argument(
            "--only", default="", help="server, rab, ahsp, proyek, pdf, xlsx, csv, rab-pdf, ..."
        )
        parser.add_argument("--in-process", action="store_true", help="build in this process (tests)")
        parser.add_argument("--no-trace", action="store_true", help="skip the traced (tracemalloc) builds")
        parser.add_argument("--keep", action="store_true", help="keep the bench's jobs and files")
        parser.add_argument("--build-timeout", type=int, default=3600, help="seconds per build process")
        parser.add_argument(
            "--one",
            type=int,
            metavar="JOB_ID",
            help="internal: run one queued job in this process and print its measurements as JSON",
        )
        parser.add_argument("--trace", action="store_true", help="internal, with --one: use tracemalloc")

    # --- entry points -------------------------------------------------------------------------------

    def handle(self, *args, **options):
        if options["one"] is not None:
            _warm_worker()
            self.stdout.write(json.dumps(measure_run(options["one"], trace=options["trace"])))
            return
        if options["runs"] < 1:
            raise CommandError("--runs must be at least 1")
        server, builds = self._selection(options["only"])
        user = self._owner(options["email"])
        self.created: list[int] = []
        with enqueue_only() as queue:
            load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
            self.stdout.write(
                f"database {connection.vendor}, DEBUG={settings.DEBUG}, {os.cpu_count()} CPUs, "
                f"load average {load}; tasks go to a {queue}"
            )
            sizes = {"small": options["items_small"], "large": options["items_large"]}
            needed = ({"small"} if server else set()) | {build.size for build in builds}
            projects = {
                size: self._project(user, sizes[size], options)
                for size in ("small", "large")
                if size in needed
            }
            try:
                if server:
                    self._server_times(projects["small"], user, options["runs"])
                if builds:
                    self._builds(builds, projects, user, options)
            finally:
                self._retire(Project.objects.filter(pk__in=[project.pk for project in projects.values()]))
                if not options["keep"]:
                    self._delete_created()

    # --- set-up -------------------------------------------------------------------------------------

    @staticmethod
    def _selection(only: str) -> tuple[bool, list[Build]]:
        tokens = {token.strip().lower() for token in only.split(",") if token.strip()}
        if not tokens:
            return True, list(BUILDS)
        known = {"server"} | {b.document for b in BUILDS} | {b.fmt for b in BUILDS} | {b.key for b in BUILDS}
        unknown = tokens - known
        if unknown:
            raise CommandError(
                f"--only: unknown {', '.join(sorted(unknown))} (known: {', '.join(sorted(known))})"
            )
        builds = [b for b in BUILDS if tokens & {b.document, b.fmt, b.key}]
        return "server" in tokens, builds

    def _owner(self, email: str | None):
        users = get_user_model().objects.filter(is_active=True)
        if not email:
            user = users.order_by("id").first()
            if user is None:
                raise CommandError("Pengguna tidak ditemukan (jalankan seed_demo atau beri --email).")
            return user
        user = users.filter(email__iexact=email).first()
        if user is None:
            model = get_user_model()
            base = re.sub(r"[^\w.@+-]", "", email.split("@")[0])[:100] or "bench"
            username, n = base, 1
            while model.objects.filter(username=username).exists():
                n += 1
                username = f"{base}{n}"
            user = model.objects.create_user(username=username, email=email, password=None)
            self.stdout.write(f"created user {email}")
        return user

    def _project(self, user, items: int, options: dict) -> Project:
        components, top, sub = options["components"], options["top"], options["sub"]
        name = f"Bench ekspor {items} pekerjaan x {components} komponen ({top}x{sub} klasifikasi)"
        project = Project.objects.filter(owner=user, name=name).order_by("id").first()
        if project is None:
            started = time.perf_counter()
            project = build_synthetic_project(
                user, name=name, top=top, sub=sub, items=items, components=components, recalculate=True
            )
            self.stdout.write(
                f"built project {project.pk} ({items} items) in {time.perf_counter() - started:.1f} s"
            )
        else:
            self.stdout.write(f"reusing project {project.pk} ({items} items)")
        return project

    def _retire(self, projects) -> None:
        """Queued/running jobs of the bench projects become failed, so the next start makes a new job."""
        ExportJob.objects.filter(project__in=projects, status__in=ExportJob.ACTIVE_STATUSES).update(
            status=ExportJob.Status.FAILED, error=RETIRED, finished_at=timezone.now()
        )

    def _delete_created(self) -> None:
        for job in ExportJob.objects.filter(pk__in=self.created).only("pk", "file"):
            if job.file:
                job.file.delete(save=False)
            job.delete()

    # --- server time --------------------------------------------------------------------------------

    # long-function: a benchmark script, its steps in the order of the report it prints
    def _server_times(self, project: Project, user, runs: int) -> None:  # noqa: C901
        client = Client(SERVER_NAME="localhost")
        client.force_login(user)
        hx = {"HX-Request": "true"}
        centre = reverse("ahsp:export_centre", args=[project.pk])
        projects = Project.objects.filter(pk=project.pk)

        def sample(request, check, prepare=None) -> tuple[list[float], int]:
            """``runs`` timings after a warm-up run, then the SQL queries of one more run."""
            timings, queries = [], 0
            for run in range(runs + 2):
                if prepare:
                    prepare()
                reset_queries()  # DEBUG keeps at most 9,000 queries: CaptureQueriesContext needs room
                counting = run == runs + 1
                with CaptureQueriesContext(connection) if counting else nullcontext() as captured:
                    started = time.perf_counter()
                    response = request()
                    elapsed = (time.perf_counter() - started) * 1000
                check(response)
                if counting:
                    queries = len(captured)
                elif run:
                    timings.append(elapsed)
            return timings, queries

        def started_job(response) -> int:
            found = JOB_ID.search(response.text if response.status_code == 200 else "")
            if not found:
                raise CommandError(f"starting an export: status {response.status_code}, no progress partial")
            self.created.append(int(found.group(1)))
            return int(found.group(1))

        def partial(status: int, marker: str):
            def check(response) -> None:
                if response.status_code != status or marker not in response.text:
                    raise CommandError(f"progress partial: status {response.status_code}, expected {status}")

            return check

        def start():
            return client.post(centre, {"document": "rab", "format": "csv"}, headers=hx)

        rows = []
        # Each run starts a new job: the previous one is marked failed first (outside the timing).
        timings, queries = sample(start, started_job, prepare=lambda: self._retire(projects))
        rows.append(("start export (POST, htmx)", timings, queries, START_TARGET_MS))

        # A running job, as the worker leaves it between two progress writes.
        self._retire(projects)
        job_id = started_job(start())
        now = timezone.now()
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportJob.Status.RUNNING,
            started_at=now,
            heartbeat_at=now,
            progress_done=400,
            progress_total=1000,
            stage="Menulis baris 400/1000",
        )
        url = reverse("ahsp:export_job", args=[job_id])

        def poll():
            return client.get(url, headers=hx)

        timings, queries = sample(poll, partial(200, 'hx-trigger="every 1s"'))
        rows.append(("progress partial (running, htmx)", timings, queries, PROGRESS_TARGET_MS))

        ExportJob.objects.filter(pk=job_id).update(
            status=ExportJob.Status.DONE,
            progress_done=1000,
            stage="Selesai",
            finished_at=timezone.now(),
            size=1,
        )
        timings, queries = sample(poll, partial(286, f'id="export-download-{job_id}"'))
        rows.append(("progress partial (done, 286)", timings, queries, PROGRESS_TARGET_MS))
        client.logout()  # no bench session left behind

        self.stdout.write("")
        self.stdout.write(
            f"{'server time (' + str(runs) + ' runs)':<{SERVER_LABEL}}{'P50 ms':>9}{'P95 ms':>9}{'queries':>9}"
            f"  target (P95)"
        )
        for label, timings, queries, target in rows:
            p50, p95 = percentiles(timings)
            verdict = "ok" if p95 < target else "OVER"
            self.stdout.write(
                f"{label:<{SERVER_LABEL}}{p50:>9.1f}{p95:>9.1f}{queries:>9}  < {target} ms {verdict}"
            )

    # --- builds -------------------------------------------------------------------------------------

    def _builds(self, builds: list[Build], projects: dict[str, Project], user, options: dict) -> None:
        where = "in this process" if options["in_process"] else "in a fresh process each"
        self.stdout.write("")
        self.stdout.write(f"builds ({where}; the traced run is a second build with tracemalloc)")
        self.stdout.write(
            f"{'build':<{BUILD_LABEL}}{'items':>7}{'seconds':>9}{'target':>14}"
            f"{'max RSS':>9}{'RSS +':>8}{'Py peak':>9}{'traced s':>10}{'file KiB':>10}"
        )
        self.stdout.write(f"{'':<{BUILD_LABEL}}{'':>7}{'':>9}{'':>14}{'MiB':>9}{'MiB':>8}{'MiB':>9}")
        counts = {
            size: WorkItem.objects.filter(project=project).count() for size, project in projects.items()
        }
        for build in builds:
            project = projects[build.size]
            plain = self._build_once(build, project, user, options, trace=False)
            traced = (
                None if options["no_trace"] else self._build_once(build, project, user, options, trace=True)
            )
            target = ""
            if build.target_seconds is not None:
                verdict = "ok" if plain["seconds"] < build.target_seconds else "OVER"
                target = f"< {build.target_seconds:g} s {verdict}"
            peak = f"{traced['python_peak_mib']:.1f}" if traced else "-"
            traced_seconds = f"{traced['seconds']:.2f}" if traced else "-"
            self.stdout.write(
                f"{build.label:<{BUILD_LABEL}}{counts[build.size]:>7}{plain['seconds']:>9.2f}{target:>14}"
                f"{plain['max_rss_mib']:>9.0f}{plain['rss_growth_mib']:>8.0f}{peak:>9}{traced_seconds:>10}"
                f"{plain['size'] / 1024:>10.0f}"
            )

    def _build_once(self, build: Build, project: Project, user, options: dict, *, trace: bool) -> dict:
        self._retire(Project.objects.filter(pk=project.pk))
        job = exports.start(project=project, document=build.document, fmt=build.fmt, by=user)
        self.created.append(job.pk)
        if job.status != ExportJob.Status.QUEUED:
            raise CommandError(f"{build.label}: job {job.pk} is {job.status}, not queued")
        if options["in_process"]:
            result = measure_run(job.pk, trace=trace)
        else:
            result = self._build_in_subprocess(job.pk, trace=trace, timeout=options["build_timeout"])
        if result["status"] != ExportJob.Status.DONE:
            raise CommandError(f"{build.label}: job {job.pk} ended {result['status']}: {result['error']}")
        # Every run measures a real build: this file must not be copied by the next run of the same
        # document (exports.run copies an identical build of the same day).
        ExportJob.objects.filter(pk=job.pk).update(content_version=None)
        return result

    @staticmethod
    def _build_in_subprocess(job_id: int, *, trace: bool, timeout: int) -> dict:
        manage = Path(settings.BASE_DIR) / "manage.py"
        command = [sys.executable, str(manage), "bench_exports", "--one", str(job_id)]
        if trace:
            command.append("--trace")
        try:
            finished = subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
                command, capture_output=True, text=True, timeout=timeout, env=os.environ.copy(), check=False
            )
        except subprocess.TimeoutExpired as error:
            raise CommandError(f"job {job_id}: the build process took over {timeout} s") from error
        lines = finished.stdout.strip().splitlines()
        if finished.returncode or not lines:
            tail = "\n".join(finished.stderr.strip().splitlines()[-20:])
            raise CommandError(f"job {job_id}: build process exited {finished.returncode}\n{tail}")
        return json.loads(lines[-1])
