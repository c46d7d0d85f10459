"""Schedule writes (plans, progress, weekly reports, stages) and the schedule loader.

The project reproduces the 3-item, 4-week example of ``test_calculations_schedule.py`` (amounts
2.000.000 / 5.000.000 / 3.000.000; planned cumulative 10 / 30 / 45 / 100 %; actual cumulative 8 / 25 / 35 %
up to week 3), here written through the services and read back through ``load_schedule``.
"""

from datetime import date
from decimal import Decimal as D

import pytest

from ahsp.calculations.schedule import ScheduleError
from ahsp.loaders.schedule import load_schedule
from ahsp.models import AuditEvent, PlannedShare, ProgressEntry, Project, Section, WorkItem
from ahsp.services import schedule, sections, work_items
from ahsp.services.work_items import ConflictError
from ahsp.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def example(user):
    project = ProjectFactory(owner=user, start_date=date(2026, 3, 2), duration_weeks=4)
    section = sections.create(project=project, name="Pekerjaan Utama", by=user)
    items = []
    for name, amount in (("A", "2000000"), ("B", "5000000"), ("C", "3000000")):
        item = work_items.add_custom(project=project, section=section, name=name, unit="ls", by=user)
        WorkItem.objects.filter(pk=item.pk).update(amount=D(amount))
        items.append(WorkItem.objects.get(pk=item.pk))
    return project, section, items


def events(project) -> int:
    return AuditEvent.objects.filter(project_id=project.pk).count()


def test_the_worked_example_through_the_services(example, user):
    project, _, (a, b, c) = example
    schedule.set_even_plan(item=a, first_week=1, last_week=2, by=user)
    schedule.set_plan(item=b, shares={2: D(20), 3: D(30), 4: D(50)}, by=user)
    schedule.set_even_plan(item=c, first_week=4, last_week=4, by=user)
    schedule.set_progress(item=a, week=1, progress=D(40), by=user)
    schedule.set_progress(item=a, week=2, progress=D(60), by=user)
    schedule.set_progress(item=b, week=2, progress=D(10), by=user)
    schedule.set_progress(item=b, week=3, progress=D(20), by=user)

    summary = load_schedule(project, today=date(2026, 3, 17))

    assert [w.planned_cumulative for w in summary.curve] == [D(10), D(30), D(45), D(100)]
    assert [w.actual_cumulative for w in summary.curve] == [D(8), D(25), D(35), None]
    assert [w.deviation for w in summary.curve][:3] == [D(-2), D(-5), D(-10)]
    assert summary.reported_weeks == 3 and summary.current_week == 3  # 17 March is in week 3 (16-22)
    assert summary.total == D("10000000.00") and summary.planned_item_count == 3
    assert summary.earned[-1].earned_value == D("3500000.00")
    assert summary.weeks[3].start == date(2026, 3, 23) and summary.weeks[3].end == date(2026, 3, 29)


def test_weights_follow_the_amounts_without_re_entry(example, user):
    project, _, (a, b, c) = example
    schedule.set_even_plan(item=a, first_week=1, last_week=1, by=user)
    schedule.set_even_plan(item=b, first_week=2, last_week=2, by=user)
    assert load_schedule(project).curve[0].planned == D(20)
    WorkItem.objects.filter(pk=a.pk).update(amount=D("7000000"))  # A is now 7 / 15 of the total

    assert load_schedule(project).curve[0].planned == D("46.666667")


def test_set_plan_replaces_bumps_the_version_and_records_one_event(example, user):
    project, _, (a, *_rest) = example
    before = events(project)
    schedule.set_even_plan(item=a, first_week=1, last_week=3, by=user)
    item = schedule.set_plan(
        item=a, shares={2: D("62.5"), 4: D("37.5")}, by=user, expected_version=a.schedule_version + 1
    )

    assert dict(PlannedShare.objects.filter(work_item=a).values_list("week", "share")) == {
        2: D("62.5"),
        4: D("37.5"),
    }
    assert item.schedule_version == a.schedule_version + 2
    assert item.version == a.version  # the estimate's lock: a plan never conflicts with a volume edit
    assert events(project) == before + 2
    event = AuditEvent.objects.filter(project_id=project.pk).latest("id")
    assert event.before == {"rencana": {"1": "33.3333", "2": "33.3333", "3": "33.3334"}}
    assert event.after == {"rencana": {"2": "62.5", "4": "37.5"}}


def test_a_stale_version_is_a_conflict_not_a_lost_update(example, user):
    _, _, (a, *_rest) = example
    schedule.set_even_plan(item=a, first_week=1, last_week=1, by=user)
    with pytest.raises(ConflictError):
        schedule.set_even_plan(
            item=a, first_week=2, last_week=2, by=user, expected_version=a.schedule_version
        )
    assert list(PlannedShare.objects.filter(work_item=a).values_list("week", flat=True)) == [1]


def test_schedule_writes_invalidate_the_schedule_pages_but_not_the_estimate_pages(example, user):
    """``audit.Changes.SCHEDULE``: ``content_version`` moves (Gantt, progress, Kurva S, documents),
    ``estimate_version`` does not (RAB, work breakdown, prices, analyses stay cached)."""
    project, _, (a, *_rest) = example

    def versions():
        return Project.objects.values_list("content_version", "estimate_version").get(pk=project.pk)

    content, estimate = versions()
    schedule.set_even_plan(item=a, first_week=1, last_week=2, by=user)
    schedule.set_progress(item=a, week=1, progress=D("12.5"), by=user)
    stage = schedule.create_stage(project=project, name="Tahap I", by=user)
    schedule.assign_stage(item=a, stage=stage, by=user)
    schedule.set_week_report(project=project, week=1, report_date=None, actual_cost=D("1234567.89"), by=user)
    assert versions() == (content + 5, estimate)


@pytest.mark.parametrize(
    "shares, message",
    [({1: D(50), 2: D(40)}, "sekarang 90 %"), ({5: D(100)}, "Minggu ke-5 di luar jadwal proyek")],
)
def test_invalid_plans_write_nothing(example, user, shares, message):
    project, _, (a, *_rest) = example
    before = events(project)
    with pytest.raises(ScheduleError, match=message):
        schedule.set_plan(item=a, shares=shares, by=user)
    assert not PlannedShare.objects.exists() and events(project) == before


def test_a_project_without_dates_cannot_be_scheduled(user):
    project = ProjectFactory(owner=user, start_date=None)
    section = sections.create(project=project, name="S", by=user)
    item = work_items.add_custom(project=project, section=section, name="X", unit="ls", by=user)
    with pytest.raises(ScheduleError, match="Isi tanggal mulai dan durasi"):
        schedule.set_even_plan(item=item, first_week=1, last_week=1, by=user)
    assert not load_schedule(project).is_scheduled


def test_plan_section_plans_every_item_below_it_with_one_event(example, user):
    project, section, items = example
    sub = sections.create(project=project, name="Sub", parent=section, by=user)
    deep = work_items.add_custom(project=project, section=sub, name="D", unit="ls", by=user)
    other = sections.create(project=project, name="Lain", by=user)
    outside = work_items.add_custom(project=project, section=other, name="E", unit="ls", by=user)
    before = events(project)

    count = schedule.plan_section(section=section, first_week=2, last_week=3, by=user)

    assert count == 4
    planned = set(PlannedShare.objects.values_list("work_item_id", flat=True))
    assert planned == {item.pk for item in items} | {deep.pk}
    assert outside.pk not in planned
    assert set(PlannedShare.objects.values_list("share", flat=True)) == {D(50)}
    assert events(project) == before + 1


def test_progress_cannot_pass_100_percent_and_zero_removes_the_week(example, user):
    project, _, (a, *_rest) = example
    schedule.set_progress(item=a, week=1, progress=D(70), by=user)
    with pytest.raises(ScheduleError, match="sudah 70 %, sisa paling banyak 30 %"):
        schedule.set_progress(item=a, week=2, progress=D(31), by=user)
    schedule.set_progress(item=a, week=1, progress=D(60), by=user)  # editing the same week is fine
    schedule.set_progress(item=a, week=2, progress=D(40), by=user)
    schedule.set_progress(item=a, week=1, progress=D(0), by=user)

    assert dict(ProgressEntry.objects.values_list("week", "progress")) == {2: D(40)}
    with pytest.raises(ScheduleError, match="Minggu ke-9 di luar jadwal"):
        schedule.set_progress(item=a, week=9, progress=D(1), by=user)


def test_an_unchanged_progress_writes_no_event(example, user):
    project, _, (a, *_rest) = example
    schedule.set_progress(item=a, week=1, progress=D(10), by=user)
    before = events(project)
    schedule.set_progress(item=a, week=1, progress=D(10), by=user)
    assert events(project) == before


def test_week_reports_carry_actual_cost_into_earned_value(example, user):
    project, _, (a, *_rest) = example
    schedule.set_even_plan(item=a, first_week=1, last_week=1, by=user)
    schedule.set_progress(item=a, week=1, progress=D(50), by=user)  # EV = 1.000.000
    schedule.set_week_report(
        project=project, week=1, report_date=date(2026, 3, 7), actual_cost=D("1250000"), by=user
    )
    report = schedule.set_week_report(
        project=project, week=1, report_date=date(2026, 3, 8), actual_cost=None, by=user
    )

    assert report.version == 2 and report.actual_cost is None
    summary = load_schedule(project)
    assert summary.earned[0].actual_cost == D("1000000.00")  # no cost entered: AC = EV
    schedule.set_week_report(project=project, week=1, report_date=None, actual_cost=D("1250000"), by=user)
    summary = load_schedule(project)
    # CPI = 1.000.000 / 1.250.000 = 0,8; EAC = 10.000.000 x 1,25 = 12.500.000.
    assert summary.earned[0].cpi == D("0.8000") and summary.earned[0].eac == D("12500000.00")
    with pytest.raises(ScheduleError, match="tidak boleh negatif"):
        schedule.set_week_report(project=project, week=1, report_date=None, actual_cost=D(-1), by=user)


def test_stages_are_created_assigned_and_deleted_without_losing_items(example, user, other_user):
    project, _, (a, *_rest) = example
    stage = schedule.create_stage(
        project=project, name=" Struktur ", start_date=date(2026, 3, 2), end_date=date(2026, 3, 15), by=user
    )
    assert stage.name == "Struktur" and stage.position == 1
    item = schedule.assign_stage(item=a, stage=stage, by=user)
    assert item.stage_id == stage.pk
    with pytest.raises(ScheduleError, match="Tanggal selesai tahapan tidak boleh sebelum"):
        schedule.update_stage(
            stage=stage, name="X", start_date=date(2026, 3, 9), end_date=date(2026, 3, 1), by=user
        )
    foreign = schedule.create_stage(project=ProjectFactory(owner=other_user), name="Asing", by=other_user)
    with pytest.raises(ScheduleError, match="Tahapan tidak ditemukan"):
        schedule.assign_stage(item=a, stage=foreign, by=user)
    schedule.delete_stage(stage=stage, by=user)
    assert WorkItem.objects.get(pk=a.pk).stage_id is None
    with pytest.raises(ScheduleError, match="Nama tahapan wajib diisi"):
        schedule.create_stage(project=project, name="  ", by=user)


def test_load_schedule_reads_a_constant_number_of_queries(example, user, django_assert_num_queries):
    project, section, items = example
    for number in range(20):
        item = work_items.add_custom(project=project, section=section, name=f"X{number}", unit="ls", by=user)
        schedule.set_even_plan(item=item, first_week=1, last_week=4, by=user)
        schedule.set_progress(item=item, week=1, progress=D(5), by=user)
    assert Section.objects.filter(project=project).count() == 1

    with django_assert_num_queries(4):
        summary = load_schedule(project)
    assert summary.item_count == 23 and summary.planned_item_count == 20


def test_the_per_item_values_and_weekly_sums_of_the_worked_example(example, user):
    project, _, (a, b, c) = example
    schedule.set_even_plan(item=a, first_week=1, last_week=2, by=user)
    schedule.set_plan(item=b, shares={2: D(20), 3: D(30), 4: D(50)}, by=user)
    schedule.set_progress(item=a, week=1, progress=D(40), by=user)

    summary = load_schedule(project)

    assert summary.amounts == {a.pk: D("2000000.00"), b.pk: D("5000000.00"), c.pk: D("3000000.00")}
    assert summary.planned == {a.pk: {1: D(50), 2: D(50)}, b.pk: {2: D(20), 3: D(30), 4: D(50)}}
    assert summary.actual == {a.pk: {1: D(40)}}
    # rupiah x %: week 2 = 2.000.000 x 50 + 5.000.000 x 20
    assert summary.planned_sums == [D(100_000_000), D(200_000_000), D(150_000_000), D(250_000_000)]
    assert summary.actual_sums == [D(80_000_000), D(0), D(0), D(0)]
    assert summary.planned_item_count == 2 and summary.unplanned_item_count == 1
