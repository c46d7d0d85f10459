"""Synthetic data for the benchmarks and for the tests that need a big project (issue 3, "Numbers that must
hold").

``build_synthetic_project`` bulk-creates a project of thousands of work items in a few queries; the bench
commands measure pages and exports on it, and ``ahsp/tests`` and ``loadtest/capacity.py`` use it for the
query-count and capacity checks at size. It lives with the bench commands, outside the production image.
"""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.db import transaction

from ahsp.calculations.totals import line_amount
from ahsp.models import AnalysisComponent, Project, ProjectAnalysis, ProjectResource, Section, WorkItem
from ahsp.services import recalc

CATEGORIES = ("labour",) * 3 + ("material",) * 7 + ("equipment",) * 2
UNITS = ("m3", "m2", "m'", "kg", "bh")


@transaction.atomic  # long-function: bulk-creates level by level, each level needs the rows above it
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
