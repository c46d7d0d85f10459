"""The Kurva S page: the weekly table and SVG of the cumulative curves, the cost S-curve with earned value,
the weekly / monthly report, fragments, permissions and query counts.

The project is the 3-item, 4-week example of ``test_calculations_schedule.py`` (start Monday 2 March
2026, Rp 10.000.000; A 20 %: w1 50 w2 50; B 50 %: w2 20 w3 30 w4 50; C 30 %: w4 100; actual A w1 40
w2 60, B w2 10 w3 20), with actual costs entered for weeks 1-3: 900.000, 1.900.000 and 1.000.000.

    week  planned  cum.   actual  cum.  deviation         PV          EV          AC
    1     10       10     8       8     -2  terlambat     1.000.000     800.000     900.000
    2     20       30     17      25    -5  terlambat     3.000.000   2.500.000   2.800.000
    3     15       45     10      35    -10 terlambat     4.500.000   3.500.000   3.800.000
    4     55       100    -       -     -                10.000.000

Week 3: SPI = 3,5 / 4,5 = 0,7778; CPI = 3,5 / 3,8 = 0,9211; EAC = 10.000.000 x 3,8 / 3,5 =
10.857.142,86; ETC = 7.057.142,86; VAC = -857.142,86.

The SVG (960 x 360, plot from x 64 to 940 and y 28 to 308): week t ends at x = 64 + 876 t / 4 =
283, 502, 721, 940; a % value v sits at y = 308 - 2,8 v, so planned 10 / 30 / 45 / 100 -> 280 / 224 /
182 / 28 and actual 8 / 25 / 35 -> 285,6 / 238 / 210.

Monthly (calendar months, a week in the month of its last day), with the project moved to start on
Monday 16 March 2026 (w1 16-22 Mar, w2 23-29 Mar, w3 30 Mar-5 Apr, w4 6-12 Apr): March = weeks 1-2,
planned 30, actual 25, deviation -5; April = weeks 3-4 reported up to week 3: planned 45 - 30 = 15,
actual 35 - 25 = 10, cumulative 45 / 35, deviation -10.
"""

import re
from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from ahsp.models import Project, WorkItem
from ahsp.services import schedule, sections, work_items
from ahsp.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


def build_example(user, start=date(2026, 3, 2)) -> Project:
    project = ProjectFactory(owner=user, start_date=start, duration_weeks=4)
    section = sections.create(project=project, name="Pekerjaan Utama", by=user)
    items = []
    for name, amount in (("A", "2000000"), ("B", "5000000"), ("C", "3000000")):
        item = work_items.add_custom(project=project, section=section, name=name, unit="ls", by=user)
        WorkItem.objects.filter(pk=item.pk).update(amount=D(amount))
        items.append(WorkItem.objects.get(pk=item.pk))
    a, b, c = items
    schedule.set_even_plan(item=a, first_week=1, last_week=2, by=user)
    schedule.set_plan(item=b, shares={2: D(20), 3: D(30), 4: D(50)}, by=user)
    schedule.set_even_plan(item=c, first_week=4, last_week=4, by=user)
    for item, week, progress in ((a, 1, 40), (a, 2, 60), (b, 2, 10), (b, 3, 20)):
        schedule.set_progress(item=item, week=week, progress=D(progress), by=user)
    return project


@pytest.fixture
def example(user):
    project = build_example(user)
    for week, cost in ((1, "900000"), (2, "1900000"), (3, "1000000")):
        schedule.set_week_report(project=project, week=week, report_date=None, actual_cost=D(cost), by=user)
    return project


def url(project, **query):
    base = reverse("ahsp:project_s_curve", args=[project.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def cells(html: str, row_id: str) -> list[str]:
    start = html.index(f'id="{row_id}"')
    row = html[start : html.index("</tr>", start)]
    texts = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.DOTALL)
    return [" ".join(re.sub(r"<[^>]+>", " ", text).split()) for text in texts]


def polyline(html: str, key: str, chart_id: str) -> str:
    chart = html[html.index(f'id="{chart_id}"') :]
    match = re.search(rf'<g class="series series-{key}">\s*<polyline points="([^"]+)"', chart)
    assert match, f"no {key} series in {chart_id}"
    return match.group(1)


def test_weekly_table_with_hand_worked_values(logged_in_client, example):
    response = logged_in_client.get(url(example))

    assert response.status_code == 200 and "<html" in response.text
    assert cells(response.text, "s-curve-week-1") == [
        "1",
        "2 Mar – 8 Mar 2026",
        "10,00",
        "10,00",
        "8,00",
        "8,00",
        "-2,00",
        "terlambat",
    ]
    assert cells(response.text, "s-curve-week-2")[2:] == [
        "20,00",
        "30,00",
        "17,00",
        "25,00",
        "-5,00",
        "terlambat",
    ]
    assert cells(response.text, "s-curve-week-3")[2:] == [
        "15,00",
        "45,00",
        "10,00",
        "35,00",
        "-10,00",
        "terlambat",
    ]
    assert cells(response.text, "s-curve-week-4")[2:] == ["55,00", "100,00", "—", "—", "—", "—"]


def test_svg_curves_gridlines_axis_and_titles(logged_in_client, example):
    html = logged_in_client.get(url(example)).text

    assert polyline(html, "planned", "s-curve-chart") == "64,308 283,280 502,224 721,182 940,28"
    assert polyline(html, "actual", "s-curve-chart") == "64,308 283,285.6 502,238 721,210"
    chart = html[html.index('id="s-curve-chart"') : html.index("</svg>", html.index('id="s-curve-chart"'))]
    for label in ("0 %", "25 %", "50 %", "75 %", "100 %"):
        assert f'text-anchor="end">{label}</text>' in chart
    assert ">16 Mar</text>" in chart  # week 3's first day under its number
    assert "<title>Realisasi kumulatif, minggu ke-3 (16 Mar – 22 Mar 2026): 35,00 %</title>" in chart
    assert "<title>Rencana kumulatif, minggu ke-4 (23 Mar – 29 Mar 2026): 100,00 %</title>" in chart
    assert 'class="current-week"' not in chart  # today (after the project) is not one of its weeks


def test_current_week_is_marked(logged_in_client, example, monkeypatch):
    monkeypatch.setattr("ahsp.loaders.schedule.timezone.localdate", lambda: date(2026, 3, 17))
    html = logged_in_client.get(url(example)).text
    assert '<g class="current-week"><line x1="611.5" x2="611.5" y1="28" y2="308"/>' in html
    assert "minggu ini (minggu ke-3)" in html


def test_earned_value_table_and_summary(logged_in_client, example):
    html = logged_in_client.get(url(example)).text

    assert cells(html, "ev-week-1") == [
        "1",
        "1.000.000,00",
        "800.000,00",
        "900.000,00",
        "0,8000",
        "0,8889",
        "11.250.000,00",
        "10.350.000,00",
        "-1.250.000,00",
    ]
    assert cells(html, "ev-week-3") == [
        "3",
        "4.500.000,00",
        "3.500.000,00",
        "3.800.000,00",
        "0,7778",
        "0,9211",
        "10.857.142,86",
        "7.057.142,86",
        "-857.142,86",
    ]
    assert 'id="ev-week-4"' not in html  # not reported
    assert "Keadaan s.d. minggu ke-3" in html and "lebih lambat dari rencana" in html
    assert "biaya melebihi nilai hasil" in html and "Rp 10.857.142,86" in html


def test_cost_svg_in_millions_of_rupiah(logged_in_client, example):
    html = logged_in_client.get(url(example)).text
    # PV 1 / 3 / 4,5 / 10 juta of a 10 juta axis: y = 308 - 28 x (value in juta).
    assert polyline(html, "pv", "cost-curve-chart") == "64,308 283,280 502,224 721,182 940,28"
    assert polyline(html, "ev", "cost-curve-chart") == "64,308 283,285.6 502,238 721,210"
    assert polyline(html, "ac", "cost-curve-chart") == "64,308 283,282.8 502,229.6 721,201.6"
    chart = html[html.index('id="cost-curve-chart"') :]
    assert ">Rp juta</text>" in chart
    assert [
        label for label in ("0", "2,5", "5", "7,5", "10") if f'text-anchor="end">{label}</text>' in chart
    ] == [
        "0",
        "2,5",
        "5",
        "7,5",
        "10",
    ]
    assert "<title>Biaya aktual (AC), minggu ke-3 (16 Mar – 22 Mar 2026): Rp 3.800.000,00</title>" in chart


def test_weekly_report_is_the_default_period(logged_in_client, example):
    html = logged_in_client.get(url(example)).text
    assert "Laporan progres mingguan" in html
    assert cells(html, "period-1")[2:] == ["10,00", "8,00", "10,00", "8,00", "-2,00", "terlambat"]
    assert cells(html, "period-4")[2:] == ["55,00", "—", "100,00", "—", "—", "—"]


def test_monthly_report_groups_calendar_months(logged_in_client, user):
    project = build_example(user, start=date(2026, 3, 16))
    html = logged_in_client.get(url(project, period="month")).text

    assert "Laporan progres bulanan" in html and 'id="period-3"' not in html
    march, april = cells(html, "period-1"), cells(html, "period-2")
    assert march[0] == "Maret 2026 minggu ke-1 s.d. ke-2" and march[1] == "16 Mar – 29 Mar 2026"
    assert march[2:] == ["30,00", "25,00", "30,00", "25,00", "-5,00", "terlambat"]
    assert april[0] == "April 2026 minggu ke-3 s.d. ke-4; dihitung s.d. minggu ke-3"
    assert april[2:] == ["15,00", "10,00", "45,00", "35,00", "-10,00", "terlambat"]


def test_htmx_request_gets_the_fragment_for_the_period_toggle(logged_in_client, example):
    response = logged_in_client.get(url(example, period="month"), headers=HX)
    assert response.status_code == 200 and "<html" not in response.text
    assert response.text.lstrip().startswith('<div id="s-curve-content"')
    assert 'id="period-report"' in response.text and "Laporan progres bulanan" in response.text
    assert 'hx-select="#period-report"' in response.text and 'hx-push-url="true"' in response.text
    assert "HX-Request" in response["Vary"]
    full = logged_in_client.get(url(example, period="month"))
    assert "<html" in full.text and 'aria-current="page">Bulanan</a>' in full.text


def test_a_project_without_schedule_dates_explains(logged_in_client, user):
    project = ProjectFactory(owner=user, start_date=None)
    response = logged_in_client.get(url(project))
    assert response.status_code == 200 and 'id="s-curve-no-schedule"' in response.text
    assert "Isi tanggal mulai dan durasi" in response.text and "<svg" not in response.text
    response = logged_in_client.get(url(project, period="month"), headers=HX)
    assert response.status_code == 200 and 'id="s-curve-no-schedule"' in response.text


def test_a_project_without_amounts_shows_the_percent_curve_only(logged_in_client, user):
    project = ProjectFactory(owner=user, start_date=date(2026, 3, 2), duration_weeks=3)
    html = logged_in_client.get(url(project)).text
    assert 'id="s-curve-chart"' in html and 'id="cost-curve-chart"' not in html
    assert "Jumlah RAB masih nol" in html


def test_another_users_project_is_404(client, other_user, example):
    client.force_login(other_user)
    assert client.get(url(example)).status_code == 404
    assert client.get(url(example, period="month"), headers=HX).status_code == 404
    assert client.post(url(example)).status_code in (404, 405)


def test_post_is_not_allowed(logged_in_client, example):
    assert logged_in_client.post(url(example)).status_code == 405


@pytest.mark.parametrize("extra", [1, 37])
def test_query_count_does_not_grow_with_the_items(
    logged_in_client, example, user, extra, django_assert_max_num_queries
):
    section = example.sections.first()
    for index in range(extra):
        item = work_items.add_custom(project=example, section=section, name=f"X{index}", unit="m2", by=user)
        WorkItem.objects.filter(pk=item.pk).update(amount=D("1000000"))
        schedule.set_even_plan(item=item, first_week=1, last_week=4, by=user)
        schedule.set_progress(item=item, week=2, progress=D(30), by=user)
    with django_assert_max_num_queries(6):  # 5 (no per-item read) + the session, when its cache entry is gone
        response = logged_in_client.get(url(example, period="month"))
    assert response.status_code == 200


def test_unplanned_items_are_pointed_out_with_a_link_to_the_schedule(logged_in_client, example, user):
    section = example.sections.first()
    work_items.add_custom(project=example, section=section, name="Belum dijadwalkan", unit="ls", by=user)
    html = logged_in_client.get(url(example)).text
    assert "1 pekerjaan belum memiliki rencana jadwal" in html
    assert f'href="{reverse("ahsp:project_schedule", args=[example.pk])}"' in html
    progress = logged_in_client.get(reverse("ahsp:project_progress", args=[example.pk])).text
    assert 'id="progress-unplanned"' in progress
