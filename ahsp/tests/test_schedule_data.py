"""``load_schedule``: the weekly sums aggregated by the database are the Decimals that the straightforward
computation gives (``weekly_sums`` over every item's amount and shares, then ``s_curve`` and
``earned_value``), on random plans (SQLite here, PostgreSQL in CI), and the per-item values read on first
use are the Decimals the ORM reads.
"""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ahsp.calculations.schedule import ItemSchedule, earned_value, project_weeks, s_curve, weekly_sums
from ahsp.loaders.schedule import current_week, load_item_schedules, load_schedule
from ahsp.models import PlannedShare, ProgressEntry, WeekReport, WorkItem
from ahsp.tests.factories import ProjectAnalysisFactory, ProjectFactory, SectionFactory

pytestmark = pytest.mark.django_db

START = date(2026, 3, 2)
# At most 15 significant digits (what SQLite stores exactly): up to 10 trillion rupiah, whose products
# with a share go beyond 64 bits (the database sums split the cents, ``ahsp.loaders._sums.weighted_sums``).
CENTS = st.one_of(st.integers(0, 10**6), st.integers(0, 10**15 - 1))
UNITS = st.one_of(st.sampled_from([0, 1, 250000, 333333, 333334, 1000000]), st.integers(0, 10**6))


def amount(cents: int) -> D:
    return D(cents).scaleb(-2)


def share(units: int) -> D:
    return D(units).scaleb(-4)


@st.composite
def plans(draw):
    """A project of ``count`` weeks (0: no start date) and items with shares and progress in weeks 1 to
    count + 2 (the weeks beyond the project, left by a shortened duration, are not counted)."""
    count = draw(st.integers(0, 8))
    weeks = st.integers(1, count + 2)
    items = draw(
        st.lists(
            st.tuples(
                CENTS.map(amount),
                st.dictionaries(weeks, UNITS.map(share), max_size=5),
                st.dictionaries(weeks, UNITS.map(share), max_size=4),
            ),
            max_size=6,
        )
    )
    reports = draw(
        st.dictionaries(weeks, st.one_of(st.none(), st.integers(0, 10**12).map(amount)), max_size=3)
    )
    today = START + timedelta(days=draw(st.integers(-10, 7 * (count + 2))))
    return count, items, reports, today


def build(user, count, items, reports):
    project = ProjectFactory(owner=user, start_date=START if count else None, duration_weeks=count or 4)
    section = SectionFactory(project=project, name="Pekerjaan")
    analysis = ProjectAnalysisFactory(project=project, code="X.1", name="Sintetis", unit="m2")
    created = WorkItem.objects.bulk_create(
        [
            WorkItem(project=project, section=section, analysis=analysis, name=f"I{n}", unit="m2", amount=a)
            for n, (a, _planned, _actual) in enumerate(items)
        ]
    )
    PlannedShare.objects.bulk_create(
        PlannedShare(work_item=item, week=week, share=value)
        for item, (_a, planned, _actual) in zip(created, items, strict=True)
        for week, value in planned.items()
    )
    ProgressEntry.objects.bulk_create(
        ProgressEntry(work_item=item, week=week, progress=value)
        for item, (_a, _planned, actual) in zip(created, items, strict=True)
        for week, value in actual.items()
    )
    WeekReport.objects.bulk_create(
        WeekReport(project=project, week=week, actual_cost=cost) for week, cost in reports.items()
    )
    return project, [item.pk for item in created]


@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=plans())
def test_the_database_sums_are_the_straightforward_computation(user, plan):
    count, items, reports, today = plan
    project, ids = build(user, count, items, reports)

    summary = load_schedule(project, today=today)

    # The straightforward computation, in Python, from the values written.
    schedules = [ItemSchedule(a, planned, actual) for a, planned, actual in items]
    planned_sums, actual_sums = weekly_sums(schedules, count)
    total = sum((a for a, _, _ in items), D("0.00"))
    last_progress = max((week for _, _, actual in items for week in actual), default=0)
    reported = min(max([last_progress, *reports]), count)
    costs = {week: cost for week, cost in reports.items() if cost is not None}
    # repr: the same Decimals, exponents included (Decimal("0") and Decimal("0E-6") are equal).
    assert repr(summary.planned_sums) == repr(planned_sums)
    assert repr(summary.actual_sums) == repr(actual_sums)
    assert repr(summary.total) == repr(total)
    assert repr(summary.curve) == repr(s_curve(planned_sums, actual_sums, total, reported))
    assert repr(summary.earned) == repr(earned_value(planned_sums, actual_sums, total, reported, costs))
    assert summary.reported_weeks == reported
    assert summary.weeks == (project_weeks(START, count) if count else [])
    assert summary.current_week == current_week(project, today)
    assert summary.item_count == len(items)
    assert summary.planned_item_count == sum(1 for _, planned, _ in items if planned)
    assert sorted(summary.reports) == sorted(reports)

    # The per-item values: what was written, and what the ORM reads (values and exponents).
    assert repr(sorted(summary.amounts.items())) == repr(
        sorted(zip(ids, (a for a, _, _ in items), strict=True))
    )
    assert summary.planned == {pk: planned for pk, (_, planned, _) in zip(ids, items, strict=True) if planned}
    assert summary.actual == {pk: actual for pk, (_, _, actual) in zip(ids, items, strict=True) if actual}
    orm_amounts = dict(WorkItem.objects.filter(project=project).values_list("pk", "amount"))
    assert repr(sorted(summary.amounts.items())) == repr(sorted(orm_amounts.items()))
    orm_planned: dict = {}
    for pk, week, value in PlannedShare.objects.filter(work_item__project=project).values_list(
        "work_item_id", "week", "share"
    ):
        orm_planned.setdefault(pk, {})[week] = value
    assert repr(sorted((pk, sorted(weeks.items())) for pk, weeks in summary.planned.items())) == repr(
        sorted((pk, sorted(weeks.items())) for pk, weeks in orm_planned.items())
    )
    # And the whole again from the per-item values, as the pages recompute it.
    assert repr(weekly_sums(summary.item_schedules.items(), count)) == repr((planned_sums, actual_sums))


def test_four_queries_and_one_more_for_the_per_item_values_on_first_use(user, django_assert_num_queries):
    items = [
        (amount(100_000_000 * (n + 1)), {1: share(500_000), 2: share(500_000)}, {1: share(100_000)})
        for n in range(30)
    ]
    project, _ids = build(user, 4, items, {})
    with django_assert_num_queries(4):
        summary = load_schedule(project)
    with django_assert_num_queries(1):
        assert len(summary.amounts) == 30 and len(summary.planned) == 30 and len(summary.actual) == 30
    with django_assert_num_queries(0):
        assert summary.planned is summary.item_schedules.planned
    assert summary.item_count == 30 and summary.planned_item_count == 30 and summary.reported_weeks == 1


def test_progress_beyond_a_shortened_project_still_counts_as_reported(user):
    project, (pk,) = build(user, 2, [(amount(1_000_000), {1: share(1_000_000)}, {5: share(200_000)})], {})
    summary = load_schedule(project)
    assert summary.reported_weeks == 2  # the entry of week 5 is not in the sums, but was reported
    assert summary.actual_sums == [D(0), D(0)] and summary.actual == {pk: {5: D("20.0000")}}
    assert [row.actual_cumulative for row in summary.curve] == [D("0E-6"), D("0E-6")]


def test_an_empty_project(user):
    project = ProjectFactory(owner=user, start_date=None)
    summary = load_schedule(project)
    assert not summary.is_scheduled and summary.total == D("0.00") and summary.item_count == 0
    assert summary.curve == [] and summary.earned == [] and summary.planned_sums == []
    assert load_item_schedules(project).amounts == {} and summary.planned == {}
