"""``manage.py bench_copy``: export, copy and restore of a big project (issue 15, "Speed": a 2,000-item
project with a 52-week schedule copies and restores in <= 10 s in the worker).

Builds the synthetic project (``tools.bench.synthetic``), plans every item over 6 consecutive weeks of a
52-week schedule with actual progress in its first two, then times each step separately (wall and CPU
seconds) and checks that the copy's RAB total equals the original's. Everything is rolled back.
"""

import json
import time
from datetime import date
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction

from ahsp.calculations.schedule import even_shares
from ahsp.importers.project_document import read_document
from ahsp.loaders.comparison import load_comparison
from ahsp.loaders.project_document import load_project_document
from ahsp.loaders.rab import load_rab_summary
from ahsp.models import PlannedShare, ProgressEntry, Project, ProjectVersion, WorkItem
from ahsp.services import versions, work_items
from ahsp.services.project_copy import copy_project
from ahsp.services.project_restore import Origin, restore
from tools.bench.synthetic import bench_owner, build_synthetic_project


class Rollback(Exception):
    pass


def _timed(label: str, results: list, step):
    wall, cpu = time.perf_counter(), time.process_time()
    value = step()
    results.append((label, time.perf_counter() - wall, time.process_time() - cpu))
    return value


class Command(BaseCommand):
    help = "Time the export, copy and restore of a big project (rolled back)."

    def add_arguments(self, parser):
        parser.add_argument("--items", type=int, default=2000)
        parser.add_argument("--weeks", type=int, default=52)
        parser.add_argument("--owner", default=None)

    def handle(self, *args, items, weeks, owner, **options):
        results: list = []
        try:
            with transaction.atomic():
                self._run(bench_owner(owner), items, weeks, results)
                raise Rollback
        except Rollback:
            pass
        for label, wall, cpu in results:
            self.stdout.write(f"{label:<44} {wall:7.2f} s wall {cpu:7.2f} s CPU")

    def _run(self, user, items: int, weeks: int, results: list) -> None:
        project = build_synthetic_project(user, items=items, recalculate=True)
        Project.objects.filter(pk=project.pk).update(start_date=date(2026, 1, 5), duration_weeks=weeks)
        project.refresh_from_db()
        ids = list(WorkItem.objects.filter(project=project).values_list("id", flat=True))
        plans, progress = [], []
        for n, pk in enumerate(ids):
            first = n % (weeks - 5) + 1
            plans += [
                PlannedShare(work_item_id=pk, week=w, share=s)
                for w, s in even_shares(first, first + 5).items()
            ]
            progress += [ProgressEntry(work_item_id=pk, week=w, progress=10) for w in (first, first + 1)]
        PlannedShare.objects.bulk_create(plans, batch_size=2000)
        ProgressEntry.objects.bulk_create(progress, batch_size=2000)
        raw = _timed(
            "export: load the document + JSON",
            results,
            lambda: json.dumps(load_project_document(project)).encode(),
        )
        results.append((f"  document size {len(raw) / 1e6:.1f} MB, {len(plans):,} plan rows", 0.0, 0.0))
        plan = _timed("restore: read and check the upload", results, lambda: read_document(raw))
        restored = _timed(
            "restore: write the new project",
            results,
            lambda: restore(plan=plan, by=user, origin=Origin("Bench", {})),
        )
        (copy,) = _timed(
            "copy (everything) = load + check + write",
            results,
            lambda: copy_project(project=project, by=user, parts="progress", name="Salinan"),
        )
        totals = {load_rab_summary(p).totals.total for p in (project, restored, copy)}
        results.append((f"  RAB totals equal: {len(totals) == 1} ({totals.pop()})", 0.0, 0.0))
        self._versions(project, copy, user, raw, results)

    def _versions(self, project, copy, user, raw: bytes, results: list) -> None:
        """Freeze time, the storage of 20 versions with one item changed between each, and the diff."""
        _timed("freeze a version", results, lambda: versions.freeze(project=project, name="Versi 1", by=user))
        item = WorkItem.objects.filter(project=project).order_by("id").first()
        for number in range(2, 21):
            work_items.set_volume(
                item=item, volume=Decimal(number) + Decimal("0.5"), expected_version=None, by=user
            )
            versions.freeze(project=project, name=f"Versi {number}", by=user)
        used = versions.storage_bytes(project)
        results.append(
            (
                f"  20 versions: {used['chunks']} chunks, {used['stored_bytes'] / 1e6:.2f} MB stored "
                f"(20 documents: {20 * len(raw) / 1e6:.1f} MB)",
                0.0,
                0.0,
            )
        )
        version = ProjectVersion.objects.get(project=project, number=1)
        _timed(
            "open a version (restore as read-only)", results, lambda: versions.open_version(version=version)
        )
        work_items.set_volume(
            item=WorkItem.objects.filter(project=copy).order_by("id").first(),
            volume=Decimal("7"),
            expected_version=None,
            by=user,
        )
        _timed("diff of two 2,000-item estimates", results, lambda: load_comparison(project, copy))
