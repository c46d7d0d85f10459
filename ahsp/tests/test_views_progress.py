"""The progress page (Progres minggu ke-t): active items, saving rows (htmx and the whole form), the
weekly report, the deviation table, permissions and query counts.

The project is the 3-item, 4-week example of ``test_calculations_schedule.py`` (start Monday 2 March
2026; A 2.000.000, B 5.000.000, C 3.000.000 of Rp 10.000.000, so bobot 20 / 50 / 30 %):

    item  planned (% of the item)      actual (% of the item)
    A     w1 50, w2 50                 w1 40, w2 60
    B     w2 20, w3 30, w4 50          w2 10, w3 20
    C     w4 100                       -

Seen from week 3: A is finished (40 + 60 = 100 before week 3): not active. B is planned in week 3 and
has 10 % before it: active; planned to date 20 + 30 = 50, actual before 10, this week 20, cumulative
30, deviation 30 - 50 = -20 (% of B): behind, "kritis" (below -10). C is planned in week 4 only and not
started: not active in week 3, active in week 4.
The project in week 3: planned cumulative 45 %, actual before 25 %, this week 10 %, cumulative 35 %,
deviation -10 %: "terlambat" (the limit). Deviation per week: -2, -5, -10 (all "terlambat").
"""

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from ahsp.models import AuditEvent, ProgressEntry, WeekReport, WorkItem
from ahsp.services import schedule, sections, work_items
from ahsp.services.work_items import CONFLICT_MESSAGE
from ahsp.tests.factories import ProjectFactory
from ahsp.views import progress as progress_views

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


@pytest.fixture
def example(user):
    project = ProjectFactory(owner=user, start_date=date(2026, 3, 2), duration_weeks=4)
    section = sections.create(project=project, name="Pekerjaan Utama", by=user)
    items = []
    for name, amount in (("Pekerjaan A", "2000000"), ("Pekerjaan B", "5000000"), ("Pekerjaan C", "3000000")):
        item = work_items.add_custom(project=project, section=section, name=name, unit="ls", by=user)
        WorkItem.objects.filter(pk=item.pk).update(amount=D(amount))
        items.append(WorkItem.objects.get(pk=item.pk))
    return project, items


@pytest.fixture
def planned(example, user):
    """The example with its plan and the progress of weeks 1-3."""
    project, (a, b, c) = example
    schedule.set_even_plan(item=a, first_week=1, last_week=2, by=user)
    schedule.set_plan(item=b, shares={2: D(20), 3: D(30), 4: D(50)}, by=user)
    schedule.set_even_plan(item=c, first_week=4, last_week=4, by=user)
    schedule.set_progress(item=a, week=1, progress=D(40), by=user)
    schedule.set_progress(item=a, week=2, progress=D(60), by=user)
    schedule.set_progress(item=b, week=2, progress=D(10), by=user)
    schedule.set_progress(item=b, week=3, progress=D(20), by=user)
    return project, [WorkItem.objects.get(pk=item.pk) for item in (a, b, c)]


def url(name, *args):
    return reverse(f"ahsp:{name}", args=args)


def cells(html: str, row_id: str) -> list[str]:
    """The text of the cells of the row ``id=row_id`` (tags stripped, whitespace collapsed)."""
    import re

    start = html.index(f'id="{row_id}"')
    row = html[start : html.index("</tr>", start)]
    texts = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.DOTALL)
    return [" ".join(re.sub(r"<[^>]+>", " ", text).split()) for text in texts]


def test_page_lists_the_active_items_of_the_week_with_hand_worked_values(logged_in_client, planned):
    project, (a, b, c) = planned
    response = logged_in_client.get(url("project_progress", project.pk), {"week": 3})

    assert response.status_code == 200 and "<html" in response.text
    assert "Progres minggu ke-3" in response.text and "16 Mar 2026" in response.text
    assert f'id="progress-item-{b.pk}"' in response.text
    assert f'id="progress-item-{a.pk}"' not in response.text  # finished before week 3
    assert f'id="progress-item-{c.pk}"' not in response.text  # planned in week 4, not started
    row = cells(response.text, f"progress-item-{b.pk}")
    assert row[0] == "I.2" and row[1].startswith("Pekerjaan B")
    # bobot (2 decimals on screen), planned to date, actual before
    assert row[2:5] == ["50,00", "50,00", "10,00"]
    assert 'value="20"' in response.text  # this week's progress
    assert row[6:9] == ["30,00", "-20,00", "kritis"]
    assert f'<tr id="progress-item-{b.pk}" class="progress-row status-critical behind">' in response.text
    totals = cells(response.text, "week-totals")
    assert totals[1:] == ["100,00", "45,00", "25,00", "10,00", "35,00", "-10,00", "terlambat"]


def test_deviation_table_per_week_with_status_labels(logged_in_client, planned):
    project, _ = planned
    response = logged_in_client.get(url("project_progress", project.pk), {"week": 3})

    assert cells(response.text, "deviation-week-1")[2:] == [
        "10,00",
        "10,00",
        "8,00",
        "8,00",
        "-2,00",
        "terlambat",
    ]
    assert cells(response.text, "deviation-week-2")[3:] == ["30,00", "17,00", "25,00", "-5,00", "terlambat"]
    assert cells(response.text, "deviation-week-3")[5:] == ["35,00", "-10,00", "terlambat"]
    assert cells(response.text, "deviation-week-4")[2:] == ["55,00", "100,00", "—", "—", "—", "—"]


def test_week_4_lists_the_item_that_starts_and_the_late_one(logged_in_client, planned):
    project, (a, b, c) = planned
    response = logged_in_client.get(url("project_progress", project.pk), {"week": 4})
    assert f'id="progress-item-{b.pk}"' in response.text and f'id="progress-item-{c.pk}"' in response.text
    assert f'id="progress-item-{a.pk}"' not in response.text
    response = logged_in_client.get(url("project_progress", project.pk), {"week": 4, "all": "1"})
    assert f'id="progress-item-{a.pk}"' in response.text


def test_default_week_is_the_current_week_else_the_last_reported(logged_in_client, planned, monkeypatch):
    project, _ = planned
    response = logged_in_client.get(url("project_progress", project.pk))  # today is after the project
    assert "Progres minggu ke-3" in response.text  # the last reported week
    monkeypatch.setattr("ahsp.loaders.schedule.timezone.localdate", lambda: date(2026, 3, 10))
    response = logged_in_client.get(url("project_progress", project.pk))
    assert "Progres minggu ke-2" in response.text and "minggu ini" in response.text
    response = logged_in_client.get(url("project_progress", project.pk), {"week": "abc"})
    assert "Progres minggu ke-2" in response.text
    response = logged_in_client.get(url("project_progress", project.pk), {"week": "99"})
    assert "Progres minggu ke-4" in response.text


def test_htmx_get_returns_the_fragment(logged_in_client, planned):
    project, _ = planned
    response = logged_in_client.get(url("project_progress", project.pk), {"week": 2}, headers=HX)
    assert response.status_code == 200
    assert "<html" not in response.text and response.text.lstrip().startswith('<div id="progress-content">')
    assert "Progres minggu ke-2" in response.text and 'id="deviation-table"' in response.text
    assert response["Vary"] and "HX-Request" in response["Vary"]


def test_htmx_row_save_swaps_the_row_and_the_totals_out_of_band(logged_in_client, planned):
    """B in week 3: 20 -> 30 % of B = +5 % of the project: cumulative 35 -> 40, deviation -10 -> -5."""
    project, (_, b, _) = planned
    response = logged_in_client.post(
        url("progress_item", project.pk, b.pk),
        {"week": "3", f"progress-{b.pk}": "30", f"version-{b.pk}": str(b.schedule_version)},
        headers=HX,
    )

    assert response.status_code == 200 and "<html" not in response.text
    assert response.text.lstrip().startswith(f'<tr id="progress-item-{b.pk}"')
    assert cells(response.text, f"progress-item-{b.pk}")[6:9] == ["40,00", "-10,00", "terlambat"]
    assert '<tr id="week-totals" class="week-totals status-behind" hx-swap-oob="outerHTML">' in response.text
    assert cells(response.text, "week-totals")[4:] == ["15,00", "40,00", "-5,00", "terlambat"]
    assert '<section id="deviation-table" class="deviation" hx-swap-oob="outerHTML">' in response.text
    assert cells(response.text, "deviation-week-3")[5:] == ["40,00", "-5,00", "terlambat"]
    assert ProgressEntry.objects.get(work_item=b, week=3).progress == D(30)


def test_progress_accepts_indonesian_and_plain_decimals(logged_in_client, planned):
    project, (_, b, _) = planned
    for typed, stored in (("12,5", D("12.5")), ("12.75", D("12.75"))):
        b.refresh_from_db()
        logged_in_client.post(
            url("progress_item", project.pk, b.pk),
            {"week": "3", f"progress-{b.pk}": typed, f"version-{b.pk}": str(b.schedule_version)},
            headers=HX,
        )
        assert ProgressEntry.objects.get(work_item=b, week=3).progress == stored


@pytest.mark.parametrize(
    "typed, message",
    [
        ("95", "Progres kumulatif tidak boleh lebih dari 100 %: sudah 10 %, sisa paling banyak 90 %."),
        ("abc", "bukan angka"),
        ("-5", "tidak boleh negatif"),
        ("1,23456", "Paling banyak 4 angka di belakang koma."),
    ],
)
def test_invalid_progress_is_shown_on_the_row_with_200_and_nothing_written(
    logged_in_client, planned, typed, message
):
    project, (_, b, _) = planned
    events = AuditEvent.objects.count()
    response = logged_in_client.post(
        url("progress_item", project.pk, b.pk),
        {"week": "3", f"progress-{b.pk}": typed, f"version-{b.pk}": str(b.schedule_version)},
        headers=HX,
    )

    assert response.status_code == 200 and message in response.text
    assert f'value="{typed}"' in response.text and 'aria-invalid="true"' in response.text
    assert ProgressEntry.objects.get(work_item=b, week=3).progress == D(20)
    assert (
        WorkItem.objects.get(pk=b.pk).schedule_version == b.schedule_version
        and AuditEvent.objects.count() == events
    )


def test_a_stale_version_is_a_conflict_on_the_row(logged_in_client, planned, user):
    project, (_, b, _) = planned
    stale = b.schedule_version
    schedule.set_progress(item=b, week=4, progress=D(5), by=user)  # someone else, meanwhile
    response = logged_in_client.post(
        url("progress_item", project.pk, b.pk),
        {"week": "3", f"progress-{b.pk}": "25", f"version-{b.pk}": str(stale)},
        headers=HX,
    )

    assert response.status_code == 200 and "sudah diubah oleh pengguna lain" in response.text
    assert ProgressEntry.objects.get(work_item=b, week=3).progress == D(20)
    assert f'name="version-{b.pk}" value="{stale + 1}"' in response.text  # the row now holds the latest


def test_emptying_a_row_removes_the_week_entry(logged_in_client, planned):
    project, (_, b, _) = planned
    logged_in_client.post(
        url("progress_item", project.pk, b.pk),
        {"week": "3", f"progress-{b.pk}": "", f"version-{b.pk}": str(b.schedule_version)},
        headers=HX,
    )
    assert not ProgressEntry.objects.filter(work_item=b, week=3).exists()


def test_row_save_without_htmx_redirects_back(logged_in_client, planned):
    project, (_, b, _) = planned
    response = logged_in_client.post(
        url("progress_item", project.pk, b.pk),
        {"week": "3", f"progress-{b.pk}": "25", f"version-{b.pk}": str(b.schedule_version)},
    )
    assert response.status_code == 302
    assert response["Location"] == url("project_progress", project.pk) + f"?week=3#progress-item-{b.pk}"
    assert ProgressEntry.objects.get(work_item=b, week=3).progress == D(25)


def test_whole_form_saves_the_changed_rows_and_redirects(logged_in_client, planned):
    """Week 4: B gets 30 (of its 70 left), C gets 50; an unchanged row is not touched."""
    project, (_, b, c) = planned
    response = logged_in_client.post(
        url("project_progress", project.pk),
        {
            "week": "4",
            f"progress-{b.pk}": "30",
            f"initial-{b.pk}": "",
            f"version-{b.pk}": str(b.schedule_version),
            f"progress-{c.pk}": "50",
            f"initial-{c.pk}": "",
            f"version-{c.pk}": str(c.schedule_version),
        },
    )
    assert (
        response.status_code == 302
        and response["Location"] == url("project_progress", project.pk) + "?week=4"
    )
    assert dict(ProgressEntry.objects.filter(week=4).values_list("work_item_id", "progress")) == {
        b.pk: D(30),
        c.pk: D(50),
    }
    response = logged_in_client.get(response["Location"])
    assert "Progres 2 pekerjaan disimpan." in response.text
    # Week 4: planned 100; actual 35 + 50 x 0,3 + 30 x 0,5 = 35 + 15 + 15 = 65; deviation -35.
    assert cells(response.text, "week-totals")[4:] == ["30,00", "65,00", "-35,00", "kritis"]


def test_whole_form_with_an_error_saves_the_other_rows_and_shows_the_error(logged_in_client, planned, user):
    project, (_, b, c) = planned
    stale = b.schedule_version
    schedule.set_progress(item=b, week=1, progress=D(1), by=user)  # B changed meanwhile
    response = logged_in_client.post(
        url("project_progress", project.pk),
        {
            "week": "4",
            f"progress-{b.pk}": "30",
            f"initial-{b.pk}": "",
            f"version-{b.pk}": str(stale),
            f"progress-{c.pk}": "101",
            f"initial-{c.pk}": "",
            f"version-{c.pk}": str(c.schedule_version),
        },
    )
    assert response.status_code == 200 and "<html" in response.text
    assert "sudah diubah oleh pengguna lain" in response.text
    assert "sisa paling banyak 100 %" in response.text and 'value="101"' in response.text
    assert "2 baris belum disimpan" in response.text
    assert not ProgressEntry.objects.filter(week=4).exists()


def test_whole_form_skips_rows_left_as_shown(logged_in_client, planned, user):
    """A row the user did not touch is not saved, so a stale version there is not a conflict."""
    project, (_, b, c) = planned
    stale = b.schedule_version
    schedule.set_progress(item=b, week=1, progress=D(1), by=user)
    response = logged_in_client.post(
        url("project_progress", project.pk),
        {
            "week": "3",
            f"progress-{b.pk}": "20",
            f"initial-{b.pk}": "20",
            f"version-{b.pk}": str(stale),
            f"progress-{c.pk}": "5",
            f"initial-{c.pk}": "",
            f"version-{c.pk}": str(c.schedule_version),
        },
        follow=True,
    )
    assert "Progres 1 pekerjaan disimpan." in response.text
    assert ProgressEntry.objects.get(work_item=c, week=3).progress == D(5)


def test_week_report_saves_the_cut_off_and_the_actual_cost(logged_in_client, planned):
    project, _ = planned
    response = logged_in_client.post(
        url("progress_report", project.pk),
        {"week": "3", "report_date": "2026-03-21", "actual_cost": "1.000.000"},
        headers=HX,
    )
    assert response.status_code == 200 and response.text.lstrip().startswith('<form id="week-report"')
    assert "Laporan disimpan." in response.text and 'value="1.000.000,00"' in response.text
    assert 'id="deviation-table" class="deviation" hx-swap-oob="outerHTML"' in response.text
    report = WeekReport.objects.get(project=project, week=3)
    assert report.report_date == date(2026, 3, 21) and report.actual_cost == D("1000000")


def test_week_report_of_a_later_week_extends_the_reported_weeks(logged_in_client, planned):
    project, _ = planned
    response = logged_in_client.post(
        url("progress_report", project.pk), {"week": "4", "report_date": "2026-03-29", "actual_cost": ""}
    )
    assert response.status_code == 302 and response["Location"].endswith("?week=4")
    response = logged_in_client.get(response["Location"])
    assert "Laporan minggu ke-4 disimpan." in response.text
    assert cells(response.text, "deviation-week-4")[5:] == ["35,00", "-65,00", "kritis"]


@pytest.mark.parametrize(
    "data, message",
    [
        ({"report_date": "21-03-2026", "actual_cost": ""}, "Tanggal laporan tidak valid"),
        ({"report_date": "", "actual_cost": "satu juta"}, "Biaya aktual: “satu juta” bukan angka"),
        ({"report_date": "", "actual_cost": "-5"}, "tidak boleh negatif"),
    ],
)
def test_week_report_errors_200_and_nothing_written(logged_in_client, planned, data, message):
    project, _ = planned
    response = logged_in_client.post(url("progress_report", project.pk), {"week": "3", **data}, headers=HX)
    assert response.status_code == 200 and message in response.text
    response = logged_in_client.post(url("progress_report", project.pk), {"week": "3", **data})
    assert response.status_code == 200 and "<html" in response.text and message in response.text
    assert not WeekReport.objects.exists()


def test_a_project_without_schedule_dates_explains_instead_of_crashing(logged_in_client, user):
    project = ProjectFactory(owner=user, start_date=None)
    response = logged_in_client.get(url("project_progress", project.pk))
    assert response.status_code == 200 and 'id="progress-no-schedule"' in response.text
    assert "Isi tanggal mulai dan durasi" in response.text
    response = logged_in_client.post(
        url("progress_report", project.pk), {"week": "1", "report_date": "", "actual_cost": "5"}, headers=HX
    )
    assert response.status_code == 200 and "Isi tanggal mulai dan durasi" in response.text


def test_a_row_post_to_a_project_without_dates_shows_the_explanation(logged_in_client, user):
    project = ProjectFactory(owner=user, start_date=None)
    section = sections.create(project=project, name="S", by=user)
    item = work_items.add_custom(project=project, section=section, name="X", unit="ls", by=user)
    response = logged_in_client.post(
        url("progress_item", project.pk, item.pk), {"week": "1", f"progress-{item.pk}": "5"}, headers=HX
    )
    assert response.status_code == 200 and response["HX-Retarget"] == "#progress-content"
    assert 'id="progress-no-schedule"' in response.text and not ProgressEntry.objects.exists()


def test_another_users_project_is_404_on_every_url(client, other_user, planned):
    project, (_, b, _) = planned
    client.force_login(other_user)
    assert client.get(url("project_progress", project.pk)).status_code == 404
    assert client.get(url("project_progress", project.pk), headers=HX).status_code == 404
    assert client.post(url("project_progress", project.pk), {"week": "3"}).status_code == 404
    data = {"week": "3", f"progress-{b.pk}": "30", f"version-{b.pk}": str(b.schedule_version)}
    assert client.post(url("progress_item", project.pk, b.pk), data, headers=HX).status_code == 404
    assert client.post(url("progress_report", project.pk), {"week": "3"}).status_code == 404
    assert ProgressEntry.objects.get(work_item=b, week=3).progress == D(20)


def test_an_item_of_another_project_is_404(logged_in_client, planned, user):
    project, _ = planned
    other = ProjectFactory(owner=user, name="Lain")
    section = sections.create(project=other, name="S", by=user)
    foreign = work_items.add_custom(project=other, section=section, name="X", unit="ls", by=user)
    response = logged_in_client.post(
        url("progress_item", project.pk, foreign.pk), {"week": "1", f"progress-{foreign.pk}": "5"}, headers=HX
    )
    assert response.status_code == 404


def _bulk_items(project, user, count):
    section = project.sections.first()
    for index in range(count):
        item = work_items.add_custom(
            project=project, section=section, name=f"Item {index}", unit="m2", by=user
        )
        WorkItem.objects.filter(pk=item.pk).update(amount=D("1000000"))
        schedule.set_even_plan(item=item, first_week=1, last_week=4, by=user)
        schedule.set_progress(item=item, week=1, progress=D(10), by=user)


@pytest.mark.parametrize("extra", [1, 37])
def test_query_counts_do_not_grow_with_the_items(
    logged_in_client, planned, user, extra, django_assert_max_num_queries
):
    """4 and 40 items: the same bound for the page, a row save and a week report."""
    project, (_, b, _) = planned
    _bulk_items(project, user, extra)
    with django_assert_max_num_queries(9):  # 8 + the session, when its cache entry is gone
        response = logged_in_client.get(url("project_progress", project.pk), {"week": 1, "all": "1"})
    assert response.text.count('class="progress-row') == 3 + extra
    b.refresh_from_db()
    with django_assert_max_num_queries(24):  # 23 + the page-cache version bump (audit.record)
        logged_in_client.post(
            url("progress_item", project.pk, b.pk),
            {"week": "3", f"progress-{b.pk}": "25", f"version-{b.pk}": str(b.schedule_version)},
            headers=HX,
        )
    with django_assert_max_num_queries(20):  # 19 + the page-cache version bump
        logged_in_client.post(
            url("progress_report", project.pk),
            {"week": "3", "report_date": "", "actual_cost": ""},
            headers=HX,
        )


def test_tab_links_to_progress_and_kurva_s(logged_in_client, planned):
    project, _ = planned
    response = logged_in_client.get(url("project_progress", project.pk), {"week": 1})
    assert f'href="{url("project_progress", project.pk)}" aria-current="page"' in response.text
    assert f'href="{url("project_s_curve", project.pk)}"' in response.text


def test_long_lists_load_in_chunks_when_the_last_row_is_revealed(logged_in_client, planned, monkeypatch):
    """``?all=1`` shows the 3 items; with chunks of 2 the page has 2 rows and a "more" row that loads the
    third (htmx, revealed), or without JS the page again with it."""
    project, (a, b, c) = planned
    monkeypatch.setattr(progress_views, "ROWS_PER_CHUNK", 2)
    base = reverse("ahsp:project_progress", args=[project.pk])
    page = logged_in_client.get(f"{base}?week=3&all=1")
    assert [f'id="progress-item-{i.pk}"' in page.text for i in (a, b, c)] == [True, True, False]
    more = f"{base}?week=3&amp;all=1&amp;shown=2"
    assert f'<tr id="progress-more" class="progress-more" hx-get="{more}" hx-trigger="revealed"' in page.text
    assert "Tampilkan 1 pekerjaan berikutnya" in page.text
    assert page.text.count('<tr class="group">') == 1

    chunk = logged_in_client.get(f"{base}?week=3&all=1&shown=2", headers={"HX-Request": "true"})
    assert chunk.status_code == 200 and "<html" not in chunk.text
    assert f'id="progress-item-{c.pk}"' in chunk.text and f'id="progress-item-{a.pk}"' not in chunk.text
    assert 'id="progress-more"' not in chunk.text and '<tr class="group">' not in chunk.text  # same section
    assert f'name="progress-{c.pk}"' in chunk.text  # inside the page's form: "Simpan semua" posts it too

    no_js = logged_in_client.get(f"{base}?week=3&all=1&shown=2")
    assert all(f'id="progress-item-{i.pk}"' in no_js.text for i in (a, b, c))
    assert 'id="progress-more"' not in no_js.text

    gone = logged_in_client.get(f"{base}?week=3&all=1&shown=9", headers={"HX-Request": "true"})
    assert gone.status_code == 200 and gone.text == ""


@pytest.mark.parametrize("shown", ["abc", "-5", "1e3", "٣", "99999999999"])
def test_a_bad_shown_parameter_is_ignored(logged_in_client, planned, shown):
    project, items = planned
    base = reverse("ahsp:project_progress", args=[project.pk])
    for headers in ({}, HX):
        response = logged_in_client.get(f"{base}?week=3&all=1&shown={shown}", headers=headers)
        assert response.status_code == 200
    assert all(f'id="progress-item-{item.pk}"' in response.text for item in items)


@pytest.mark.parametrize("version", [None, "", "abc"])
def test_a_missing_or_invalid_version_is_a_conflict_not_a_skipped_check(logged_in_client, planned, version):
    project, (_, b, _) = planned
    data = {"week": "3", f"progress-{b.pk}": "30"}
    if version is not None:
        data[f"version-{b.pk}"] = version

    response = logged_in_client.post(url("progress_item", project.pk, b.pk), data, headers=HX)

    assert response.status_code == 200 and CONFLICT_MESSAGE in response.text
    assert ProgressEntry.objects.get(work_item=b, week=3).progress == D(20)
