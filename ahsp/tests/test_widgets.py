"""The data of the dashboard widgets (``ahsp.loaders.dashboard``), with values worked out by hand.

The schedule example is the one of ``test_services_schedule.py``: amounts 2.000.000 / 5.000.000 /
3.000.000 over 4 weeks from Monday 2 March 2026; planned cumulative 10 / 30 / 45 / 100 %, actual
cumulative 8 / 25 / 35 % up to week 3.
"""

from datetime import date
from decimal import Decimal as D

import pytest

from ahsp.loaders import dashboard as widgets
from ahsp.loaders.schedule import load_schedule
from ahsp.models import (
    AuditEvent,
    PlannedShare,
    ProgressEntry,
    Project,
    WorkItem,
)
from ahsp.tests.factories import (
    AnalysisComponentFactory,
    ProjectAnalysisFactory,
    ProjectFactory,
    ProjectResourceFactory,
    SectionFactory,
    WorkItemFactory,
)

pytestmark = pytest.mark.django_db


def add_items(project, *amounts: str) -> list[WorkItem]:
    """Work items with the given amounts (Jumlah Harga), straight into the tables."""
    section = SectionFactory(project=project, name="Pekerjaan Utama")
    analysis = ProjectAnalysisFactory(project=project, code="X.1", name="Pekerjaan", unit="ls")
    return [
        WorkItemFactory(
            project=project,
            section=section,
            analysis=analysis,
            name=f"Pekerjaan {index + 1}",
            unit="ls",
            position=index,
            amount=D(amount),
        )
        for index, amount in enumerate(amounts)
    ]


def plan(item, shares: dict[int, str]) -> None:
    PlannedShare.objects.bulk_create(
        PlannedShare(work_item=item, week=w, share=D(s)) for w, s in shares.items()
    )


def progress(item, entries: dict[int, str]) -> None:
    ProgressEntry.objects.bulk_create(
        ProgressEntry(work_item=item, week=w, progress=D(p)) for w, p in entries.items()
    )


# --- ringkasan ----------------------------------------------------------------------------------------


def test_summary_counts_by_status_and_sums_the_projects_that_are_not_archived(user, other_user):
    active = ProjectFactory(
        owner=user, name="Gedung", status="active", budget_ceiling=D("1500000000"), vat_pct=D(11)
    )
    add_items(active, "2000000", "5000000", "3000000")  # Jumlah 10.000.000, PPN 1.100.000
    draft = ProjectFactory(
        owner=user, name="Jalan", status="draft", budget_ceiling=D("1000000"), vat_pct=D(12)
    )
    add_items(draft, "1234567.89")  # PPN 12 % = 148.148,1468 -> 148.148,15; total 1.382.716,04 > pagu
    archived = ProjectFactory(owner=user, name="Lama", status="archived", budget_ceiling=D("500000000"))
    add_items(archived, "999")
    ProjectFactory(owner=user, name="Kosong", status="done", budget_ceiling=None)
    add_items(ProjectFactory(owner=other_user, name="Milik orang lain", status="active"), "777777777")

    summary = widgets.load_summary(user)

    assert summary.project_count == 4
    assert [(row.status, row.count) for row in summary.by_status] == [
        ("draft", 1),
        ("active", 1),
        ("done", 1),
        ("archived", 1),
    ]
    assert summary.counted_projects == 3
    assert summary.estimate_total == D("11234567.89")
    assert summary.grand_total == D("12482716.04")  # 11.100.000 + 1.382.716,04
    assert summary.budget_total == D("1501000000.00")
    assert summary.over_budget == 1


def test_summary_of_a_user_without_projects_is_zero(user):
    summary = widgets.load_summary(user)
    assert summary.project_count == 0 and summary.counted_projects == 0
    assert summary.estimate_total == D("0.00") == summary.grand_total == summary.budget_total


def test_grand_total_rounds_the_ppn_half_up_to_cents():
    assert widgets.grand_total(D("1234567.89"), D(12)) == D("1382716.04")
    assert widgets.grand_total(D("0.05"), D(10)) == D("0.06")  # PPN 0,005 -> 0,01


def test_summary_reads_one_query_whatever_the_number_of_projects(user, django_assert_num_queries):
    for index in range(12):
        add_items(ProjectFactory(owner=user, name=f"P{index}"), "1000", "2000")
    with django_assert_num_queries(1):
        widgets.load_summary(user)


# --- aktivitas ----------------------------------------------------------------------------------------


def event(project_id, summary, actor="estimator@example.com"):
    return AuditEvent.objects.create(
        actor_label=actor,
        project_id=project_id,
        action=AuditEvent.Action.UPDATE,
        target_type="workitem",
        target_id="1",
        summary=summary,
    )


def test_activity_is_the_last_ten_events_of_the_visible_projects(user, other_user):
    mine = ProjectFactory(owner=user, name="Gedung Serbaguna")
    second = ProjectFactory(owner=user, name="Jalan Desa")
    theirs = ProjectFactory(owner=other_user, name="Rahasia")
    events = [event(mine.pk if n % 2 else second.pk, f"Perubahan {n}") for n in range(12)]
    event(theirs.pk, "Perubahan orang lain", actor="other@example.com")
    event(None, "Referensi diimpor")

    rows = widgets.load_activity(user)

    assert [row.summary for row in rows] == [f"Perubahan {n}" for n in range(11, 1, -1)]
    assert rows[0].event_id == events[11].pk and rows[0].actor == "estimator@example.com"
    assert rows[0].project_name == "Gedung Serbaguna" and rows[0].project_url == f"/projects/{mine.pk}/"
    assert rows[1].project_name == "Jalan Desa"
    assert rows[0].action_label == "diubah"


def test_activity_leaves_out_events_of_deleted_projects(user):
    project = ProjectFactory(owner=user)
    event(project.pk, "Sebelum dihapus")
    project_id = project.pk
    project.delete()
    event(project_id, "Proyek dihapus")
    assert widgets.load_activity(user) == []


# --- terbesar -----------------------------------------------------------------------------------------


def test_largest_are_the_five_projects_with_the_largest_value(user, other_user):
    values = {"A": "100", "B": "600", "C": "300", "D": "500", "E": "200", "F": "400"}
    for name, amount in values.items():
        add_items(ProjectFactory(owner=user, name=name, budget_ceiling=None), amount)
    add_items(ProjectFactory(owner=user, name="Diarsipkan", status="archived"), "9000")
    ProjectFactory(owner=user, name="Tanpa nilai")
    add_items(ProjectFactory(owner=other_user, name="Orang lain"), "8000")

    chart = widgets.load_largest(user)

    assert [bar.name for bar in chart.bars] == ["B", "D", "F", "C", "E"]
    assert [bar.value for bar in chart.bars] == [
        D("600.00"),
        D("500.00"),
        D("400.00"),
        D("300.00"),
        D("200.00"),
    ]
    # The largest fills the bar area (210); the others in proportion: 500 / 600 x 210 = 175.
    assert [bar.width for bar in chart.bars] == ["210.00", "175.00", "140.00", "105.00", "70.00"]
    assert chart.height == 5 * widgets.ROW_HEIGHT


def test_bar_chart_scale_reaches_the_largest_budget_mark():
    chart = widgets.bar_chart([(1, "Gedung", 80000, 50000), (2, "Jalan", None, 20000)])  # cents
    first, second = chart.bars
    assert first.value == D("500.00") and first.budget == D("800.00")
    assert first.width == "131.25" and first.budget_x == "210.00"  # 500 / 800 x 210
    assert second.width == "52.50" and second.budget_x is None and second.budget is None
    assert (first.y_bar, second.y_bar) == ("18", str(widgets.ROW_HEIGHT + 18))


def test_bar_chart_shortens_long_names():
    chart = widgets.bar_chart([(1, "x" * 100, None, 100)])
    assert len(chart.bars[0].label) == widgets.NAME_CHARS and chart.bars[0].label.endswith("…")
    assert chart.bars[0].name == "x" * 100


# --- peringatan ---------------------------------------------------------------------------------------


@pytest.fixture
def example(user):
    project = ProjectFactory(
        owner=user, name="Gedung", status="active", start_date=date(2026, 3, 2), duration_weeks=4
    )
    a, b, c = add_items(project, "2000000", "5000000", "3000000")
    plan(a, {1: "50", 2: "50"})
    plan(b, {2: "20", 3: "30", 4: "50"})
    plan(c, {4: "100"})
    progress(a, {1: "40", 2: "60"})
    progress(b, {2: "10", 3: "20"})
    return project, (a, b, c)


@pytest.mark.parametrize(
    ("today", "week", "planned", "actual", "status"),
    [
        (date(2026, 3, 2), 1, "10", "8", "behind"),  # the start date: the first day of week 1
        (date(2026, 3, 8), 1, "10", "8", "behind"),  # the last day of week 1
        (date(2026, 3, 9), 2, "30", "25", "behind"),  # the first day of week 2
        (date(2026, 3, 10), 2, "30", "25", "behind"),
        (date(2026, 3, 17), 3, "45", "35", "behind"),  # -10: still "behind"
        (date(2026, 3, 29), 4, "100", "35", "critical"),
        (date(2026, 6, 1), 4, "100", "35", "critical"),  # after the end: the last week
    ],
)
def test_alert_of_the_worked_example(example, user, today, week, planned, actual, status):
    project, _ = example

    result = widgets.load_alerts(user, today)

    assert result.total == 1 and result.checked == 1
    (alert,) = result.alerts
    assert (alert.project_id, alert.week, alert.weeks) == (project.pk, week, 4)
    assert (alert.planned, alert.actual) == (D(planned), D(actual))
    assert alert.deviation == D(actual) - D(planned) and alert.status == status
    assert alert.url == f"/projects/{project.pk}/kurva-s/"


def test_alert_matches_the_s_curve_of_the_project(example, user):
    project, _ = example
    today = date(2026, 3, 17)
    row = load_schedule(project, today=today).curve[2]
    (alert,) = widgets.load_alerts(user, today).alerts
    assert (alert.planned, alert.actual, alert.deviation) == (
        row.planned_cumulative,
        row.actual_cumulative,
        row.deviation,
    )
    assert alert.status == row.status


def test_progress_after_the_current_week_does_not_count(example, user):
    _, (a, b, c) = example
    progress(c, {4: "100"})  # entered ahead of time
    (alert,) = widgets.load_alerts(user, date(2026, 3, 17)).alerts
    assert alert.actual == D(35)


def test_on_track_ahead_unscheduled_and_closed_projects_are_not_alerts(example, user, other_user):
    today = date(2026, 3, 17)  # week 3 of the example
    on_track = ProjectFactory(owner=user, name="Tepat", start_date=date(2026, 3, 2), duration_weeks=4)
    (item,) = add_items(on_track, "1000000")
    plan(item, {1: "50", 2: "50"})
    progress(item, {1: "50", 2: "50"})
    ahead = ProjectFactory(owner=user, name="Cepat", start_date=date(2026, 3, 2), duration_weeks=10)
    (item,) = add_items(ahead, "1000000")
    plan(item, {5: "100"})
    progress(item, {1: "10"})
    add_items(ProjectFactory(owner=user, name="Tanpa jadwal", start_date=None, duration_weeks=None), "1000")
    add_items(
        ProjectFactory(owner=user, name="Belum mulai", start_date=date(2026, 4, 6), duration_weeks=4), "1000"
    )
    for status in ("done", "archived"):
        closed = ProjectFactory(
            owner=user, name=status, status=status, start_date=date(2026, 3, 2), duration_weeks=4
        )
        (item,) = add_items(closed, "1000000")
        plan(item, {1: "100"})
    theirs = ProjectFactory(
        owner=other_user, name="Orang lain", start_date=date(2026, 3, 2), duration_weeks=4
    )
    (item,) = add_items(theirs, "1000000")
    plan(item, {1: "100"})

    result = widgets.load_alerts(user, today)

    assert [alert.name for alert in result.alerts] == ["Gedung"]
    assert result.checked == 3  # Gedung, Tepat, Cepat


def test_a_started_plan_without_any_progress_is_an_alert(user):
    project = ProjectFactory(
        owner=user, name="Belum dilaporkan", start_date=date(2026, 3, 2), duration_weeks=4
    )
    (item,) = add_items(project, "1000000")
    plan(item, {1: "25", 2: "25", 3: "25", 4: "25"})
    (alert,) = widgets.load_alerts(user, date(2026, 3, 10)).alerts
    assert (alert.planned, alert.actual, alert.deviation, alert.status) == (D(50), D(0), D(-50), "critical")


def test_alerts_are_sorted_most_behind_first_and_limited(user, monkeypatch):
    monkeypatch.setattr(widgets, "ALERT_LIMIT", 2)
    for name, done in (("Sedikit", "90"), ("Parah", "10"), ("Sedang", "50")):
        project = ProjectFactory(owner=user, name=name, start_date=date(2026, 3, 2), duration_weeks=4)
        (item,) = add_items(project, "1000000")
        plan(item, {1: "100"})
        progress(item, {1: done})

    result = widgets.load_alerts(user, date(2026, 3, 3))

    assert [(alert.name, alert.deviation) for alert in result.alerts] == [
        ("Parah", D(-90)),
        ("Sedang", D(-50)),
    ]
    assert result.total == 3 and result.more == 1


def test_alerts_read_four_queries_cold_and_one_with_the_sums_cached(user, django_assert_num_queries):
    for index in range(8):
        project = ProjectFactory(
            owner=user, name=f"P{index}", start_date=date(2026, 3, 2 + index), duration_weeks=4
        )
        (item,) = add_items(project, "1000000")
        plan(item, {1: "100"})
    with django_assert_num_queries(4):  # projects, then amounts, plans and progress of all 8
        result = widgets.load_alerts(user, date(2026, 3, 20))
    assert result.total == 8
    with django_assert_num_queries(1):  # the projects; their sums come from the cache
        assert widgets.load_alerts(user, date(2026, 3, 20)) == result


def test_after_a_change_only_that_projects_sums_are_recomputed(user, monkeypatch):
    from ahsp.dashboard import cache as dashboard_cache

    projects = []
    for index in range(3):
        project = ProjectFactory(owner=user, name=f"P{index}", start_date=date(2026, 3, 2), duration_weeks=4)
        (item,) = add_items(project, "1000000")
        plan(item, {1: "100"})
        projects.append((project, item))
    computed = []
    real = widgets.schedule_sums

    def spy(current, today):
        computed.append(sorted(current))
        return real(current, today)

    monkeypatch.setattr(widgets, "schedule_sums", spy)
    assert widgets.load_alerts(user, date(2026, 3, 3)).total == 3
    project, item = projects[1]
    progress(item, {1: "100"})
    dashboard_cache.bump_for_project(project.pk)  # what audit.record does on commit

    result = widgets.load_alerts(user, date(2026, 3, 3))

    assert computed == [sorted(p.pk for p, _ in projects), [project.pk]]
    assert result.total == 2 and project.pk not in {alert.project_id for alert in result.alerts}


def test_no_scheduled_project_means_a_single_query(user, django_assert_num_queries):
    ProjectFactory(owner=user, start_date=None, duration_weeks=None)
    with django_assert_num_queries(1):
        assert widgets.load_alerts(user, date(2026, 3, 20)).checked == 0


# --- the benchmark command ----------------------------------------------------------------------------


def test_bench_widgets_seeds_the_user_and_measures_every_widget(capsys):
    from django.core.management import call_command

    call_command("bench_widgets", email="bench@example.com", projects=6, items=3, runs=2)
    out = capsys.readouterr().out
    assert "seeded 6 projects, 18 work items" in out
    assert "user bench@example.com: 6 projects, 18 work items" in out
    for name in widgets.WIDGETS:
        assert f"\n{name} " in out

    call_command("bench_widgets", email="bench@example.com", projects=6, items=3, runs=1)
    assert "seeded" not in capsys.readouterr().out  # the projects are reused


def test_summary_counts_and_names_the_projects_whose_rab_is_incomplete(user, other_user):
    """Incomplete = a work item with HSP 0, or a resource used by an analysis without a price
    (``ahsp.loaders.rab_notes``); archived projects and other users' projects are left out."""
    priced = ProjectFactory(owner=user, name="Gedung lengkap", status="active")
    for item in add_items(priced, "1234567.89"):
        WorkItem.objects.filter(pk=item.pk).update(unit_rate=D("98765.43"))
    zero_hsp = ProjectFactory(owner=user, name="Balai desa", status="draft")
    add_items(zero_hsp, "0")  # HSP 0
    unpriced = ProjectFactory(owner=user, name="Alun-alun", status="active")
    item = add_items(unpriced, "7777.77")[0]
    WorkItem.objects.filter(pk=item.pk).update(unit_rate=D("3111.108"))
    resource = ProjectResourceFactory(project=unpriced, code="B.99", name="Pasir", unit="m3", category="")
    AnalysisComponentFactory(analysis=item.analysis, resource=resource, coefficient=D("0.125"))
    ProjectResourceFactory(
        project=priced, code="B.98", name="Tidak dipakai", unit="m3", category=""
    )  # unused
    add_items(ProjectFactory(owner=user, name="Arsip", status="archived"), "0")
    add_items(ProjectFactory(owner=other_user, name="Milik orang lain"), "0")

    summary = widgets.load_summary(user)

    assert summary.incomplete == 2
    assert [(p.name, p.project_id) for p in summary.incomplete_projects] == [
        ("Alun-alun", unpriced.pk),
        ("Balai desa", zero_hsp.pk),
    ]
    assert summary.incomplete_projects[0].url == f"/projects/{unpriced.pk}/rab/"
    # the sums are untouched by the EXISTS columns (no extra join)
    assert summary.estimate_total == D("1242345.66")  # 1.234.567,89 + 0 + 7.777,77


def test_summary_of_complete_projects_has_no_incomplete_entry(user):
    for item in add_items(ProjectFactory(owner=user, name="Lengkap"), "1000", "2000"):
        WorkItem.objects.filter(pk=item.pk).update(unit_rate=D("1000"))
    assert widgets.load_summary(user).incomplete == 0


def test_project_rows_with_completeness_mark_the_incomplete_rab(user, rf):
    """``rab_notes.with_completeness`` (two EXISTS, one query) marks the rows of ``project_list.html``."""
    from django.core.paginator import Paginator
    from django.template.loader import render_to_string

    from ahsp.loaders.rab_notes import with_completeness

    complete = ProjectFactory(owner=user, name="Gedung lengkap")
    for item in add_items(complete, "1234.5"):
        WorkItem.objects.filter(pk=item.pk).update(unit_rate=D("411.5"))
    incomplete = ProjectFactory(owner=user, name="Balai desa")
    add_items(incomplete, "0")

    page = Paginator(with_completeness(Project.objects.filter(owner=user).order_by("name")), 10).get_page(1)
    request = rf.get("/")
    request.user = user
    html = render_to_string(
        "ahsp/project_list.html#project-list",
        {"projects": page.object_list, "page_obj": page},
        request=request,
    )

    row = html[html.index(f'id="project-{incomplete.pk}"') :]
    row = row[: row.index("</tr>")]
    assert f'<a class="flag" href="/projects/{incomplete.pk}/rab/"' in row and "RAB belum lengkap" in row
    row = html[html.index(f'id="project-{complete.pk}"') :]
    assert "RAB belum lengkap" not in row[: row.index("</tr>")]
