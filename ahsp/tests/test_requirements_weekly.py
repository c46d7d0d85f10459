"""Rekap Kebutuhan per minggu (/projects/<id>/resources/?view=mingguan): loader identity, paging, page.

Hand-worked example: the small RAB (ahsp/tests/rab_data.py), start 6 January 2025 (a Monday), 16 weeks,
planned as:

- I.1  bowplank   2,5 m'   week 1: 100 %
- I.2  galian     10 m3    week 2: 50 %, week 3: 50 %
- II.1 plesteran  12,75 m2 week 10: 25 %, week 14: 75 %

Item requirements (volume x coefficient):
- Pekerja: I.1 0,1 x 2,5 = 0,25; I.2 0,5 x 10 = 5; II.1 0,3 x 12,75 = 3,825 -> total 9,075 OH
- Mandor: I.2 0,05 x 10 = 0,5 OH;  Kayu: I.1 0,012 x 2,5 = 0,03 m3;  Semen: II.1 6,24 x 12,75 = 79,56 kg

Pekerja per week: M1 0,25 x 100 % = 0,25; M2 5 x 50 % = 2,5; M3 2,5; M10 3,825 x 25 % = 0,95625;
M14 3,825 x 75 % = 2,86875. Sum over all weeks 0,25 + 2,5 + 2,5 + 0,95625 + 2,86875 = 9,075 = the total.
Window M1-M12: 0,25 + 2,5 + 2,5 + 0,95625 = 6,20625 (shown 6,2063); window M13-M16: 2,86875 (2,8688).
Mandor M2 0,25, M3 0,25; Kayu M1 0,03; Semen M10 79,56 x 25 % = 19,89, M14 79,56 x 75 % = 59,67 kg,
with 1 zak = 50 kg: 0,3978 and 1,1934 zak.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ahsp.loaders.requirements import NO_STAGE, load_requirements
from ahsp.loaders.requirements_weekly import WINDOW, load_weekly_requirements, weekly_quantities
from ahsp.models import PlannedShare, Project, ProjectResource, WorkItem
from ahsp.tests.factories import AnalysisComponentFactory, ProjectFactory, StageFactory
from ahsp.tests.rab_data import build_small_rab

pytestmark = pytest.mark.django_db
D = Decimal
HX = {"HX-Request": "true"}
START = date(2025, 1, 6)


def url(project, **params):
    base = reverse("ahsp:project_requirements", args=[project.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def plan(item, **shares):
    """``plan(item, w1="100")``: the item's planned shares (week -> %)."""
    PlannedShare.objects.bulk_create(
        PlannedShare(work_item=item, week=int(week[1:]), share=D(share)) for week, share in shares.items()
    )


def build_planned(user, *, plan_all=True):
    rab = build_small_rab(user)
    Project.objects.filter(pk=rab.project.pk).update(start_date=START, duration_weeks=16)
    rab.project.refresh_from_db()
    plan(rab.bowplank, w1="100")
    plan(rab.excavation, w2="50", w3="50")
    if plan_all:
        plan(rab.plastering, w10="25", w14="75")
    return rab


def rows_by_code(report):
    return {row.code: row for group in report.groups for row in group.rows}


def weekly_by_code(report):
    """code -> {week: exact quantity} for the report's window."""
    return {
        code: {column.number: cell.quantity for column, cell in zip(report.columns, row.weeks, strict=True)}
        for code, row in rows_by_code(report).items()
    }


# ------------------------------------------------------------------------------------------ the loader


def test_weekly_quantities_is_exact():
    """One item, 3 units of resource 7, spread 33,3333 / 33,3333 / 33,3334 %: 0,999999 + 0,999999 +
    1,000002 = 3 exactly; a fourth week without a share is 0; an item without shares is left out."""
    shares = {1: {1: D("33.3333"), 2: D("33.3333"), 3: D("33.3334")}}
    result = weekly_quantities({1: {7: D("3")}, 2: {8: D("5")}}, shares, range(1, 5))
    assert result == {7: {1: D("0.999999"), 2: D("0.999999"), 3: D("1.000002"), 4: D("0")}}
    assert sum(result[7].values()) == 3


def test_sum_over_all_weeks_equals_the_total_when_every_item_is_planned(user):
    rab = build_planned(user)

    first = load_weekly_requirements(rab.project, 1)
    second = load_weekly_requirements(rab.project, 13)
    totals = load_requirements(rab.project)

    assert [c.number for c in first.columns] == list(range(1, 13))
    assert [c.number for c in second.columns] == [13, 14, 15, 16]
    weeks = weekly_by_code(first)
    for code, by_week in weekly_by_code(second).items():
        weeks[code].update(by_week)
    assert weeks["L.01"] == {
        **dict.fromkeys(range(1, 17), D(0)),
        1: D("0.25"),
        2: D("2.5"),
        3: D("2.5"),
        10: D("0.95625"),
        14: D("2.86875"),
    }
    assert (weeks["L.04"][2], weeks["L.04"][3], weeks["M.10"][1]) == (D("0.25"), D("0.25"), D("0.03"))
    assert (weeks["M.15"][10], weeks["M.15"][14]) == (D("19.89"), D("59.67"))
    # The identity: for every resource, the sum over all the weeks is its total requirement.
    expected = {code: row.quantity for code, row in rows_by_code(totals).items()}
    assert {code: sum(by_week.values()) for code, by_week in weeks.items()} == expected
    assert expected["L.01"] == D("9.075")
    # The window total column.
    assert rows_by_code(first)["L.01"].total.quantity == D("6.20625")
    assert rows_by_code(second)["L.01"].total.quantity == D("2.86875")
    assert first.planned_item_count == first.item_count == 3 and first.unplanned_item_count == 0
    assert [(g.label, [r.code for r in g.rows]) for g in first.groups] == [
        ("Tenaga Kerja", ["L.01", "L.04"]),
        ("Bahan", ["M.10", "M.15"]),
    ]


def test_purchase_units_per_week(user):
    rab = build_planned(user)
    ProjectResource.objects.filter(project=rab.project, code="M.15").update(
        purchase_unit="zak", purchase_factor=D("50")
    )

    cement = rows_by_code(load_weekly_requirements(rab.project, 1))["M.15"]
    later = rows_by_code(load_weekly_requirements(rab.project, 13))["M.15"]

    assert (cement.weeks[9].quantity, cement.weeks[9].purchase_quantity) == (D("19.89"), D("0.3978"))
    assert cement.total.purchase_quantity == D("0.3978") and cement.weeks[0].purchase_quantity == 0
    assert later.weeks[1].purchase_quantity == D("1.1934")  # week 14: 59,67 / 50
    assert rows_by_code(load_weekly_requirements(rab.project, 1))["L.01"].weeks[0].purchase_quantity is None


def test_unplanned_items_are_counted_and_left_out(user):
    rab = build_planned(user, plan_all=False)

    report = load_weekly_requirements(rab.project, 1)

    assert report.item_count == 3 and report.planned_item_count == 2 and report.unplanned_item_count == 1
    rows = rows_by_code(report)
    assert "M.15" not in rows  # semen is only needed by the unplanned plesteran
    assert rows["L.01"].total.quantity == D("5.25")  # 0,25 + 2,5 + 2,5


def test_section_and_stage_filters_apply(user):
    rab = build_planned(user)
    finishing = StageFactory(project=rab.project, name="Finishing")
    WorkItem.objects.filter(pk=rab.plastering.pk).update(stage=finishing)

    plaster = load_weekly_requirements(rab.project, 1, section_id=rab.plaster.pk)
    staged = load_weekly_requirements(rab.project, 13, stage=finishing.pk)
    without = load_weekly_requirements(rab.project, 1, stage=NO_STAGE)

    assert weekly_by_code(plaster)["L.01"][10] == D("0.95625") and weekly_by_code(plaster)["L.01"][1] == 0
    assert set(rows_by_code(plaster)) == {"L.01", "M.15"} and plaster.item_count == 1
    assert weekly_by_code(staged)["M.15"][14] == D("59.67") and staged.stage.name == "Finishing"
    assert set(rows_by_code(without)) == {"L.01", "L.04", "M.10"} and without.item_count == 2


def test_window_follows_the_gantt_rules(user):
    rab = build_planned(user)
    project = rab.project

    def first(raw, today=None):
        return load_weekly_requirements(project, raw, today=today).window.first

    assert WINDOW == 12
    assert first(None) == first("") == first("abc") == first("1.5") == 1  # today is outside the project
    assert first("0") == first("-3") == 1
    assert first("999") == first("99999999999999") == 13  # beyond the project: the last window
    assert first("5") == 5 and load_weekly_requirements(project, "5").window.last == 16
    # Without ``from``: the window of the current week (week 14 = 7 to 13 April 2025).
    assert first(None, today=date(2025, 4, 9)) == 13
    report = load_weekly_requirements(project, 13)
    assert (report.window.previous, report.window.next) == (1, None)
    assert (report.columns[0].start, report.columns[-1].end) == (date(2025, 3, 31), date(2025, 4, 27))


def test_a_project_without_start_date_or_duration(user):
    rab = build_planned(user)
    Project.objects.filter(pk=rab.project.pk).update(start_date=None)
    rab.project.refresh_from_db()

    report = load_weekly_requirements(rab.project, "5")

    assert not report.is_scheduled and report.groups == () and report.columns == ()
    assert report.item_count == 3


# -------------------------------------------------------------------------------------------- the page


def test_weekly_page_shows_weeks_dates_quantities_and_window_totals(logged_in_client, user):
    rab = build_planned(user)
    ProjectResource.objects.filter(project=rab.project, code="M.15").update(
        purchase_unit="zak", purchase_factor=D("50")
    )

    response = logged_in_client.get(url(rab.project, view="mingguan"))

    assert response.status_code == 200
    text = response.text
    assert "<html" in text and 'id="requirements-stage"' in text
    assert f'<a href="{url(rab.project, view="mingguan")}"' in text and "Per minggu</a>" in text
    assert 'aria-current="page">Per minggu' in text
    assert '<input type="hidden" name="view" value="mingguan" form="requirements-filter">' in text
    assert "Minggu ke-1 s.d. ke-12 dari 16" in text
    assert "M1<small>6 Jan</small>" in text and "M12<small>24 Mar</small>" in text
    assert "M13<small>" not in text and "Jumlah M1–M12" in text
    assert '<td class="num">0,25</td>' in text  # Pekerja M1
    assert '<td class="num">0,9563</td>' in text  # Pekerja M10 (0,95625)
    assert "<strong>6,2063</strong>" in text  # Pekerja M1-M12 (6,20625)
    assert '<td class="num">19,89<span class="req-purchase">0,3978</span></td>' in text  # Semen M10
    assert "1 zak = 50,00 kg" in text
    next_url = url(rab.project, view="mingguan") + "&amp;from=13"
    assert f'rel="next" href="{next_url}" hx-get="{next_url}"' in text and 'hx-push-url="true"' in text
    assert 'rel="prev"' not in text and "requirements-unplanned" not in text


def test_paging_the_window_with_htmx_gets_only_the_table(logged_in_client, user):
    rab = build_planned(user)

    response = logged_in_client.get(url(rab.project, view="mingguan", **{"from": 13}), headers=HX)

    assert response.status_code == 200 and "HX-Request" in response["Vary"]
    text = response.text
    assert text.lstrip().startswith('<div id="requirements-table">') and "<html" not in text
    assert 'id="requirements-section"' not in text  # the filter form stays in the page
    assert "Minggu ke-13 s.d. ke-16 dari 16" in text and "M13<small>31 Mar</small>" in text
    assert "M12<small>" not in text and "Jumlah M13–M16" in text
    assert "<strong>2,8688</strong>" in text  # Pekerja M14 (2,86875)
    assert '<input type="hidden" name="from" value="13" form="requirements-filter">' in text
    prev_url = url(rab.project, view="mingguan") + "&amp;from=1"
    assert f'rel="prev" href="{prev_url}" hx-get="{prev_url}" hx-target="#requirements-table"' in text
    assert 'rel="next"' not in text


def test_pager_links_keep_the_filters(logged_in_client, user):
    rab = build_planned(user)
    stage = StageFactory(project=rab.project, name="Tanah")
    WorkItem.objects.filter(pk=rab.excavation.pk).update(stage=stage)

    text = logged_in_client.get(
        url(rab.project, view="mingguan", section=rab.earthwork.pk, stage=stage.pk), headers=HX
    ).text

    assert f"?section={rab.earthwork.pk}&amp;stage={stage.pk}&amp;view=mingguan&amp;from=13" in text
    assert f'href="{url(rab.project)}?section={rab.earthwork.pk}&amp;stage={stage.pk}"' in text  # Total tab
    assert "Pekerja" in text and "Kayu kelas III" not in text  # only I.2 galian


def test_unplanned_items_link_to_the_schedule(logged_in_client, user):
    rab = build_planned(user, plan_all=False)

    text = logged_in_client.get(url(rab.project, view="mingguan")).text

    assert (
        '<p id="requirements-unplanned"' in text and "<strong>1</strong> pekerjaan belum direncanakan" in text
    )
    assert f'href="/projects/{rab.project.pk}/schedule/"' in text and "Semen Portland" not in text


def test_nothing_planned_shows_the_empty_state(logged_in_client, user):
    rab = build_small_rab(user)

    text = logged_in_client.get(url(rab.project, view="mingguan")).text

    assert (
        "Belum ada pekerjaan yang direncanakan di jadwal" in text and "<strong>3</strong> pekerjaan" in text
    )


def test_a_project_without_schedule_dates_explains_what_is_missing(logged_in_client, user):
    project = ProjectFactory(owner=user, start_date=None, duration_weeks=None)

    for headers in ({}, HX):
        response = logged_in_client.get(url(project, view="mingguan", **{"from": 3}), headers=headers)
        assert response.status_code == 200
        assert 'id="requirements-unscheduled"' in response.text
        assert "memerlukan tanggal mulai dan durasi" in response.text
        assert reverse("ahsp:project_edit", args=[project.pk]) in response.text


@pytest.mark.parametrize(
    "params",
    [
        {"view": "mingguan", "from": "abc"},
        {"view": "mingguan", "from": "-5"},
        {"view": "mingguan", "from": "0"},
        {"view": "mingguan", "from": "99999999999999999999"},
        {"view": "mingguan", "from": "%D9%A3"},
        {"view": "mingguan", "from": "17"},
        {"view": "bulanan"},
        {"view": ""},
        {"view": "mingguan", "stage": "x", "section": "-1"},
    ],
)
def test_bad_parameters_are_200(logged_in_client, user, params):
    rab = build_planned(user)

    for headers in ({}, HX):
        response = logged_in_client.get(url(rab.project, **params), headers=headers)
        assert response.status_code == 200
        if params["view"] == "mingguan":
            assert "Minggu ke-" in response.text
        else:
            assert 'aria-current="page">Total' in response.text and "Rp 1.685.590,00" in response.text


def test_a_cycle_in_the_data_is_a_message_in_the_weekly_view(logged_in_client, user):
    rab = build_planned(user)
    first, second = rab.bowplank.analysis, rab.excavation.analysis
    AnalysisComponentFactory(analysis=first, nested_analysis=second, coefficient=D("1"))
    AnalysisComponentFactory(analysis=second, nested_analysis=first, coefficient=D("1"))

    response = logged_in_client.get(url(rab.project, view="mingguan"))

    assert response.status_code == 200 and "siklus" in response.text


def test_another_users_project_is_404(client, user, other_user):
    rab = build_planned(user)
    client.force_login(other_user)
    assert client.get(url(rab.project, view="mingguan")).status_code == 404
    assert client.get(url(rab.project, view="mingguan", **{"from": 13}), headers=HX).status_code == 404


# ------------------------------------------------------------------------------------------ query count


def _grow_to(rab, count):
    """Add planned work items until the project has ``count``; each new item repeats an analysis of the
    small RAB and is planned over two weeks (one in each window)."""
    items = WorkItem.objects.bulk_create(
        WorkItem(
            project=rab.project,
            section=rab.plaster if i % 2 else rab.earthwork,
            analysis=(rab.bowplank, rab.excavation, rab.plastering)[i % 3].analysis,
            name=f"Pekerjaan {i}",
            unit="m2",
            position=10 + i,
            volume=D(i + 1),
        )
        for i in range(count - 3)
    )
    PlannedShare.objects.bulk_create(
        PlannedShare(work_item=item, week=week, share=D("50"))
        for i, item in enumerate(items)
        for week in (i % 12 + 1, 14)
    )


def test_query_count_does_not_grow_with_the_project(logged_in_client, user, django_assert_max_num_queries):
    small = build_planned(user)
    _grow_to(small, 4)
    large = build_planned(user)
    _grow_to(large, 40)
    assert WorkItem.objects.filter(project=large.project).count() == 40

    counts = []
    for rab in (small, large):
        for params in ({"view": "mingguan"}, {"view": "mingguan", "from": 13, "section": rab.earthwork.pk}):
            for headers in ({}, HX):
                # session, user, project + sections, stages, items, components, planned shares, resources
                with django_assert_max_num_queries(9):
                    with CaptureQueriesContext(connection) as context:
                        response = logged_in_client.get(url(rab.project, **params), headers=headers)
                assert response.status_code == 200 and "Minggu ke-" in response.text
                counts.append(len([q for q in context.captured_queries if "django_session" not in q["sql"]]))
    assert set(counts) == {8}  # user, project, 6 loader queries
