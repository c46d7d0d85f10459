"""The audit-trail pages: full page vs htmx fragments, keyset paging, filters, cursors and permissions."""

import html
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ahsp.models import AuditEvent
from ahsp.services import projects
from ahsp.tests.factories import ProjectFactory
from ahsp.tests.test_audit_trail import T0, make_events

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}
HX_LIST = {"HX-Request": "true", "HX-Target": "audit-list"}
HX_ROWS = {"HX-Request": "true", "HX-Target": "audit-more"}


@pytest.fixture
def project(user):
    return ProjectFactory(owner=user, name="Gedung Serbaguna")


@pytest.fixture
def staff_client(client, make_user):
    client.force_login(make_user("auditor@example.com", is_staff=True))
    return client


def trail_url(project) -> str:
    return reverse("ahsp:project_audit", args=[project.pk])


def rows_in(text: str) -> int:
    return text.count('class="audit-row"')


def next_url(text: str) -> str | None:
    """The URL the sentinel row loads (the same as its "Muat lebih banyak" link)."""
    sentinel = re.search(r'<tr id="audit-more"[^>]*hx-get="([^"]+)"', text)
    if sentinel is None:
        return None
    url = html.unescape(sentinel.group(1))
    assert f'href="{sentinel.group(1)}"' in text  # the plain link for browsers without JS
    return url


# --- full page and fragments --------------------------------------------------------------------------


def test_trail_requires_login(client, project):
    for url in (trail_url(project), reverse("ahsp:audit")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_full_page_shows_newest_50_with_sentinel_and_plain_link(logged_in_client, project):
    make_events(120, project_id=project.pk)

    response = logged_in_client.get(trail_url(project))

    text = response.text
    assert response.status_code == 200 and "<html" in text
    assert "Vary" in response and "HX-Request" in response["Vary"]
    assert rows_in(text) == 50
    assert "Perubahan 119" in text and "Perubahan 70" in text and "Perubahan 69" not in text
    assert 'hx-trigger="revealed"' in text and 'hx-swap="outerHTML"' in text
    assert "Muat lebih banyak" in text
    assert "?cursor=" in next_url(text) and "page=" not in text
    assert 'aria-current="page">Riwayat</a>' in text  # the project tab
    assert "10:00:00 WIB" in text or "WIB" in text  # local time, Asia/Jakarta


def test_row_shows_who_when_what_and_lazy_diff_link(logged_in_client, project):
    (event,) = make_events(1, project_id=project.pk, action="delete", target_type="section")

    text = logged_in_client.get(trail_url(project)).text

    diff_url = reverse("ahsp:project_audit_event", args=[project.pk, event.pk])
    assert "estimator@example.com" in text
    assert "2 Mar 2026" in text and "10:00:00 WIB" in text  # 03:00 UTC is 10:00 in Jakarta
    assert "dihapus" in text and "Klasifikasi" in text
    assert "<summary>Perubahan 0</summary>" in text
    assert f'<details hx-get="{diff_url}" hx-trigger="toggle once"' in text
    assert f'<a href="{diff_url}">' in text


def test_sentinel_request_returns_only_the_next_rows(logged_in_client, project):
    make_events(120, project_id=project.pk)
    first = logged_in_client.get(trail_url(project)).text

    second = logged_in_client.get(next_url(first), headers=HX_ROWS)

    assert second.status_code == 200
    text = second.text
    assert "<html" not in text and "<table" not in text and 'id="audit-list"' not in text
    assert text.lstrip().startswith("<tr")
    assert rows_in(text) == 50 and "Perubahan 69" in text and "Perubahan 20" in text

    third = logged_in_client.get(next_url(text), headers=HX_ROWS).text
    assert rows_in(third) == 20 and "Perubahan 0" in third
    assert 'id="audit-more"' not in third and next_url(third) is None  # last page: no sentinel
    assert "Tidak ada perubahan yang lebih lama." in third


def test_exactly_50_rows_have_no_sentinel_and_51_have_one(logged_in_client, project):
    make_events(50, project_id=project.pk)
    text = logged_in_client.get(trail_url(project)).text
    assert rows_in(text) == 50 and next_url(text) is None

    make_events(1, project_id=project.pk, start=T0 - timedelta(days=1))
    text = logged_in_client.get(trail_url(project)).text
    assert rows_in(text) == 50 and next_url(text) is not None
    last = logged_in_client.get(next_url(text), headers=HX_ROWS).text
    assert rows_in(last) == 1 and next_url(last) is None


def test_identical_timestamps_page_without_gaps_or_repeats(logged_in_client, project):
    events = make_events(101, project_id=project.pk, same_time=True)
    seen = []
    url, headers = trail_url(project), {}
    while url:
        text = logged_in_client.get(url, headers=headers).text
        seen += [int(pk) for pk in re.findall(r'id="audit-event-(\d+)"', text)]
        url, headers = next_url(text), HX_ROWS
    assert seen == sorted((e.pk for e in events), reverse=True)


def test_plain_link_without_js_shows_the_next_page_on_its_own(logged_in_client, project):
    make_events(60, project_id=project.pk)
    first = logged_in_client.get(trail_url(project)).text

    response = logged_in_client.get(next_url(first))

    assert "<html" in response.text and rows_in(response.text) == 10
    assert "Menampilkan lanjutan riwayat." in response.text
    assert f'href="{trail_url(project)}" class="audit-restart"' in response.text


def test_filter_swap_returns_the_list_section(logged_in_client, project):
    make_events(3, project_id=project.pk, action="create")
    make_events(2, project_id=project.pk, action="update")

    response = logged_in_client.get(trail_url(project), {"action": "create"}, headers=HX_LIST)

    text = response.text
    assert "<html" not in text and text.lstrip().startswith('<section id="audit-list"')
    assert rows_in(text) == 3


def test_filters_as_plain_get_and_kept_in_the_next_url(logged_in_client, project, make_user):
    author = make_user("penulis@example.com")
    make_events(
        55, project_id=project.pk, action="update", target_type="workitem", actor_id=author.pk,
        actor_label=author.email,
    )  # fmt: skip
    make_events(5, project_id=project.pk, action="update", target_type="section")
    query = {
        "actor": "penulis@example.com",
        "action": "update",
        "type": "workitem",
        "date_from": "2026-03-02",
        "date_to": "2026-03-02",
    }

    text = logged_in_client.get(trail_url(project), query).text

    assert rows_in(text) == 50
    url = next_url(text)
    for key, value in query.items():
        assert f"{key}={value.replace('@', '%40')}" in url
    last = logged_in_client.get(url, headers=HX_ROWS).text
    assert rows_in(last) == 5 and next_url(last) is None
    assert 'value="penulis@example.com"' in text and '<option value="workitem" selected>' in text
    assert 'href="' + trail_url(project) + '">Hapus filter</a>' in text


def test_date_range_outside_the_events_shows_the_empty_state(logged_in_client, project):
    make_events(3, project_id=project.pk)
    text = logged_in_client.get(trail_url(project), {"date_from": "2026-03-03"}).text
    assert rows_in(text) == 0 and "Tidak ada perubahan yang cocok dengan filter." in text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"date_from": "kemarin"}, "Dari tanggal"),
        (
            {"date_from": "2026-03-05", "date_to": "2026-03-01"},
            "Tanggal akhir tidak boleh sebelum tanggal awal.",
        ),
        ({"action": "explode"}, "Tindakan"),
    ],
)
def test_invalid_filters_are_shown_and_ignored(logged_in_client, project, query, message):
    make_events(3, project_id=project.pk)
    response = logged_in_client.get(trail_url(project), query)
    assert response.status_code == 200
    assert message in response.text and 'class="errorlist"' in response.text


def test_empty_trail(logged_in_client, project):
    text = logged_in_client.get(trail_url(project)).text
    assert "Belum ada perubahan yang tercatat." in text and next_url(text) is None


# --- cursors ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cursor", ["rusak", "WzEsMl0:abc", "x" * 500, "%00"])
def test_tampered_cursor_gives_the_first_page_with_a_message(logged_in_client, project, cursor):
    make_events(60, project_id=project.pk)

    response = logged_in_client.get(trail_url(project), {"cursor": cursor})

    assert response.status_code == 200
    assert "tidak sah" in response.text and rows_in(response.text) == 50
    assert "Perubahan 59" in response.text and "Menampilkan lanjutan riwayat." not in response.text


def test_tampered_cursor_from_the_sentinel_restarts_the_whole_list(logged_in_client, project):
    make_events(60, project_id=project.pk)

    response = logged_in_client.get(trail_url(project), {"cursor": "rusak"}, headers=HX_ROWS)

    assert response.status_code == 200
    assert response["HX-Retarget"] == "#audit-list" and response["HX-Reswap"] == "outerHTML"
    assert response.text.lstrip().startswith('<section id="audit-list"') and "tidak sah" in response.text


def test_cursor_of_another_project_is_refused(logged_in_client, user, project):
    other = ProjectFactory(owner=user, name="Proyek Lain")
    make_events(60, project_id=other.pk)
    make_events(60, project_id=project.pk)
    foreign = next_url(logged_in_client.get(trail_url(other)).text).split("cursor=")[1]

    text = logged_in_client.get(trail_url(project) + "?cursor=" + foreign).text

    assert "tidak sah" in text and rows_in(text) == 50


# --- the diff of one event ----------------------------------------------------------------------------


def test_event_diff_fragment_is_a_field_before_after_table(logged_in_client, project):
    (event,) = make_events(
        1, project_id=project.pk, before={"name": "Galian"}, after={"name": "Galian tanah"}
    )
    url = reverse("ahsp:project_audit_event", args=[project.pk, event.pk])

    response = logged_in_client.get(url, headers=HX)

    text = response.text
    assert response.status_code == 200 and "<html" not in text
    assert "Isian" in text and "Sebelum" in text and "Sesudah" in text
    assert re.search(
        r"Nama</th>\s*<td class=\"audit-before\">Galian</td>\s*<td class=\"audit-after\">Galian tanah", text
    )


def test_event_diff_full_page_without_js(logged_in_client, project):
    (event,) = make_events(1, project_id=project.pk)
    url = reverse("ahsp:project_audit_event", args=[project.pk, event.pk])
    text = logged_in_client.get(url).text
    assert "<html" in text and "Rincian perubahan" in text and "Perubahan 0" in text and "Sesudah" in text


# --- permissions --------------------------------------------------------------------------------------


def test_another_user_gets_404_on_the_trail_and_on_an_event(client, other_user, project):
    (event,) = make_events(1, project_id=project.pk)
    client.force_login(other_user)
    assert client.get(trail_url(project)).status_code == 404
    assert client.get(reverse("ahsp:project_audit_event", args=[project.pk, event.pk])).status_code == 404
    assert (
        client.get(reverse("ahsp:project_audit_event", args=[project.pk, event.pk]), headers=HX).status_code
        == 404
    )


def test_an_event_of_another_project_is_404_under_my_project(logged_in_client, user, other_user, project):
    foreign = ProjectFactory(owner=other_user, name="Bukan milik saya")
    (event,) = make_events(1, project_id=foreign.pk)
    url = reverse("ahsp:project_audit_event", args=[project.pk, event.pk])
    assert logged_in_client.get(url).status_code == 404


def test_non_staff_get_404_on_the_global_trail(logged_in_client, project):
    (event,) = make_events(1, project_id=project.pk)
    assert logged_in_client.get(reverse("ahsp:audit")).status_code == 404
    assert logged_in_client.get(reverse("ahsp:audit_event", args=[event.pk])).status_code == 404
    assert "Jejak Audit" not in logged_in_client.get("/").text


def test_staff_see_every_project_and_the_nav_link(staff_client, user, other_user):
    mine = ProjectFactory(owner=user, name="Gedung A")
    theirs = ProjectFactory(owner=other_user, name="Gedung B")
    make_events(2, project_id=mine.pk)
    make_events(2, project_id=theirs.pk)

    response = staff_client.get(reverse("ahsp:audit"))

    text = response.text
    assert response.status_code == 200 and rows_in(text) == 4
    assert "Gedung A" in text and "Gedung B" in text
    assert 'href="/audit/">Jejak Audit</a>' in text
    assert "<th>Proyek</th>" in text


def test_staff_global_trail_pages_and_event_diff(staff_client, project):
    make_events(70, project_id=project.pk)
    first = staff_client.get(reverse("ahsp:audit")).text
    url = next_url(first)
    assert url.startswith("/audit/?cursor=")
    rest = staff_client.get(url, headers=HX_ROWS).text
    assert rows_in(rest) == 20 and next_url(rest) is None
    event = AuditEvent.objects.order_by("pk").first()
    diff = staff_client.get(reverse("ahsp:audit_event", args=[event.pk]), headers=HX)
    assert diff.status_code == 200 and "Sesudah" in diff.text


def test_events_survive_project_deletion_and_show_in_the_staff_trail(user, staff_client):
    project = projects.create(data={"name": "Gedung Lama"}, by=user)
    project = projects.update(project=project, data={"name": "Gedung Lama 2"}, expected_version=1, by=user)
    project_id = project.pk
    projects.delete(project=project, by=user)

    events = AuditEvent.objects.filter(project_id=project_id)
    assert list(events.order_by("pk").values_list("action", flat=True)) == ["create", "update", "delete"]
    text = staff_client.get(reverse("ahsp:audit")).text
    assert rows_in(text) == 3 and "Proyek “Gedung Lama 2” dihapus" in text
    assert f"#{project_id} (sudah dihapus)" in text
    deleted = events.get(action="delete")
    page = staff_client.get(reverse("ahsp:audit_event", args=[deleted.pk])).text
    assert "Gedung Lama 2" in page and "(sudah dihapus)" in page


# --- cost ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, HX_ROWS], ids=["full-page", "rows-fragment"])
def test_query_count_is_the_same_for_page_one_and_a_deep_page(
    logged_in_client, project, headers, django_assert_max_num_queries
):
    make_events(400, project_id=project.pk)
    url = trail_url(project)
    for _ in range(6):  # page 7 of 8
        url = next_url(logged_in_client.get(url).text)

    with CaptureQueriesContext(connection) as page_one:
        logged_in_client.get(trail_url(project), headers=headers)
    with django_assert_max_num_queries(len(page_one)):
        deep = logged_in_client.get(url, headers=headers)
    assert rows_in(deep.text) == 50
    assert len(page_one) <= 6  # session, user, project, page (+ the user filter's datalist on the full page)
    assert not any("OFFSET" in q["sql"].upper() for q in page_one.captured_queries)


def test_global_query_count_is_constant(staff_client, user, django_assert_max_num_queries):
    for number in range(5):
        make_events(30, project_id=ProjectFactory(owner=user, name=f"Proyek {number}").pk)
    first = staff_client.get(reverse("ahsp:audit")).text
    with CaptureQueriesContext(connection) as page_one:
        staff_client.get(reverse("ahsp:audit"), headers=HX_LIST)
    with django_assert_max_num_queries(len(page_one)):
        staff_client.get(next_url(first), headers=HX_ROWS)
    assert len(page_one) <= 5  # session, user, page, project names


def test_project_pages_link_to_the_trail(logged_in_client, project):
    text = logged_in_client.get(reverse("ahsp:project_detail", args=[project.pk])).text
    assert f'href="{trail_url(project)}"' in text and ">Riwayat</a>" in text
