"""Property: for random projects, export -> restore -> export gives the same document, and the restored
project's every figure (each item's HSP and amount, the analyses' A/B/C/D, the RAB totals) equals the
original's (issue 15 §1). Random projects have nested analyses (acyclic by construction: an analysis nests
only analyses made before it), per-item BUK, missing prices, purchase units, parameters, stages, plans and
progress.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ahsp.calculations.schedule import even_shares
from ahsp.importers.project_document import plan_document
from ahsp.loaders.project_document import load_project_document
from ahsp.loaders.rab import load_rab_summary
from ahsp.models import (
    Project,
    ProjectAnalysis,
    ProjectParameter,
    Section,
    WeekReport,
    WorkItem,
)
from ahsp.services import recalc
from ahsp.services.project_restore import Origin, restore
from ahsp.tests.factories import (
    AnalysisComponentFactory,
    PlannedShareFactory,
    ProgressEntryFactory,
    ProjectAnalysisFactory,
    ProjectFactory,
    ProjectResourceFactory,
    SectionFactory,
    StageFactory,
    WorkItemFactory,
)

pytestmark = pytest.mark.django_db

prices = st.one_of(st.none(), st.decimals(min_value=0, max_value=D("9999999.99"), places=2))
coefficients = st.decimals(min_value=0, max_value=D("500"), places=6)
volumes = st.decimals(min_value=0, max_value=D("99999.9999"), places=4)


@st.composite
def projects(draw) -> dict:
    """A random project as plain data (built into the database by ``_build``)."""
    resource_count = draw(st.integers(1, 5))
    analysis_count = draw(st.integers(1, 4))
    resources = [
        (
            f"R.{n:02d}",
            draw(st.sampled_from(["labour", "material", "equipment", "other"])),
            draw(prices),
            draw(st.booleans()),
        )
        for n in range(resource_count)
    ]
    analyses = []
    for n in range(analysis_count):
        lines = [
            ("resource", draw(st.integers(0, resource_count - 1)), draw(coefficients))
            for _ in range(draw(st.integers(0, 3)))
        ]
        if n and draw(st.booleans()):
            lines.append(("nested", draw(st.integers(0, n - 1)), draw(coefficients)))
        analyses.append(lines)
    section_parents = [None]
    for n in range(1, draw(st.integers(1, 4))):
        section_parents.append(draw(st.one_of(st.none(), st.integers(0, n - 1))))
    items = [
        {
            "section": draw(st.integers(0, len(section_parents) - 1)),
            "analysis": draw(st.integers(0, analysis_count - 1)),
            "volume": draw(volumes),
            "overhead": draw(st.one_of(st.none(), st.decimals(min_value=0, max_value=30, places=2))),
            "plan": draw(st.one_of(st.none(), st.tuples(st.integers(1, 10), st.integers(0, 5)))),
            "progress": draw(st.lists(st.decimals(min_value=0, max_value=30, places=4), max_size=3)),
            "stage": draw(st.one_of(st.none(), st.integers(0, 1))),
        }
        for _ in range(draw(st.integers(0, 6)))
    ]
    return {
        "start": date(2026, 1, 5) + timedelta(days=draw(st.integers(0, 400))),
        "overhead": draw(st.decimals(min_value=0, max_value=25, places=2)),
        "hsp_step": draw(st.sampled_from([0, 1, 10, 100])),
        "resources": resources,
        "analyses": analyses,
        "sections": section_parents,
        "items": items,
        "parameter": draw(st.one_of(st.none(), st.decimals(min_value=-1000, max_value=1000, places=6))),
        "cost": draw(st.one_of(st.none(), st.decimals(min_value=0, max_value=D("99999999.99"), places=2))),
    }


def _build(user, spec: dict) -> Project:
    project = ProjectFactory(
        owner=user, start_date=spec["start"], duration_weeks=20, overhead_profit_pct=spec["overhead"],
        hsp_rounding_step=spec["hsp_step"],
    )  # fmt: skip
    resources = [
        ProjectResourceFactory(
            project=project,
            code=code,
            name=f"Sumber daya {code}",
            unit="kg",
            category=category,
            unit_price=price,
            purchase_unit="zak" if bought else "",
            purchase_factor=D("50") if bought else None,
        )  # fmt: skip
        for code, category, price, bought in spec["resources"]
    ]
    analyses = []
    for n, lines in enumerate(spec["analyses"]):
        analysis = ProjectAnalysisFactory(project=project, code=f"A.{n}", name=f"Analisa {n}", unit="m3")
        for position, (kind, target, k) in enumerate(lines):
            AnalysisComponentFactory(
                analysis=analysis, position=position, coefficient=k,
                resource=resources[target] if kind == "resource" else None,
                nested_analysis=analyses[target] if kind == "nested" else None,
            )  # fmt: skip
        analyses.append(analysis)
    sections: list[Section] = []
    for n, parent in enumerate(spec["sections"]):
        sections.append(
            SectionFactory(
                project=project,
                name=f"Bagian {n}",
                position=n,
                parent=sections[parent] if parent is not None else None,
            )
        )
    stages = [StageFactory(project=project, name=f"Tahap {n}", position=n) for n in range(2)]
    for n, item_spec in enumerate(spec["items"]):
        item = WorkItemFactory(
            project=project, section=sections[item_spec["section"]], analysis=analyses[item_spec["analysis"]],
            name=f"Pekerjaan {n}", unit="m3", position=n, volume=item_spec["volume"],
            overhead_pct_override=item_spec["overhead"],
            stage=stages[item_spec["stage"]] if item_spec["stage"] is not None else None,
        )  # fmt: skip
        if item_spec["plan"]:
            first, span = item_spec["plan"]
            for week, share in even_shares(first, first + span).items():
                PlannedShareFactory(work_item=item, week=week, share=share)
        for week, progress in enumerate(item_spec["progress"], start=1):
            if progress:
                ProgressEntryFactory(work_item=item, week=week, progress=progress)
    if spec["parameter"] is not None:
        ProjectParameter.objects.create(project=project, name="lebar", value=spec["parameter"])
    WeekReport.objects.create(
        project=project, week=2, report_date=spec["start"] + timedelta(days=13), actual_cost=spec["cost"]
    )
    recalc.recalculate_project(project)
    return project


def _figures(project: Project) -> tuple:
    totals = load_rab_summary(project).totals
    items = sorted(
        WorkItem.objects.filter(project=project).values_list("name", "volume", "unit_rate", "amount")
    )
    analyses = sorted(
        ProjectAnalysis.objects.filter(project=project).values_list(
            "code", "labour", "material", "equipment", "other", "direct", "missing_prices"
        )
    )
    return totals.total, totals.vat, totals.grand_total, totals.rounded_total, items, analyses


@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=projects())
def test_export_restore_export_is_identical_for_random_projects(user, spec):
    with transaction.atomic():
        original = _build(user, spec)
        document = load_project_document(original)
        restored = restore(plan=plan_document(document), by=user, origin=Origin("Uji", {}))
        assert load_project_document(restored) == document
        assert _figures(restored) == _figures(original)
        transaction.set_rollback(True)
