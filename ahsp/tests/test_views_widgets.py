"""The widget views (``/widgets/<name>/``) and their placeholders on the dashboard.

Cache behaviour is checked through the real services: a write recorded by ``audit.record`` bumps the
owner's data version once its transaction commits (``django_capture_on_commit_callbacks(execute=True)``
plays the commit here), so the next widget request recomputes; nothing else does.
"""

import dataclasses
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ahsp.dashboard import cache as dashboard_cache
from ahsp.loaders import dashboard as widgets
from ahsp.models import ProjectResource, WorkItem
from ahsp.services import projects, recalc, resources, schedule, sections, work_items
from ahsp.tests.estimate_fixtures import make_reference_library
from ahsp.tests.factories import ProjectFactory
from ahsp.tests.test_widgets import add_items, plan, progress

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}
NAMES = ["ringkasan", "peringatan", "terbesar", "aktivitas"]
WIDGET_TABLES = (
    "ahsp_project",
    "ahsp_workitem",
    "ahsp_auditevent",
    "ahsp_plannedshare",
    "ahsp_progressentry",
)


def url(name: str) -> str:
    return reverse("ahsp:widget", args=[name])


def fragment(client, name: str) -> str:
    response = client.get(url(name), headers=HX)
    assert response.status_code == 200
    assert "<html" not in response.text
    return response.text


@pytest.fixture
def estimate(user):
    """Galian 2.2.1.1: HSP Rp 86.625,00 (0,75 x 100.000 + 0,025 x 150.000, + 10 %), volume 10."""
    library = make_reference_library()
    project = ProjectFactory(
        owner=user, name="Gedung Serbaguna", status="active", budget_ceiling=D("2000000")
    )
    section = sections.create(project=project, name="Pekerjaan Tanah", by=user)
    item = work_items.add_from_reference(project=project, section=section, reference=library["dig"], by=user)
    ProjectResource.objects.filter(project=project, code="TK.0008").update(unit_price=D("100000"))
    ProjectResource.objects.filter(project=project, code="TK.0006").update(unit_price=D("150000"))
    recalc.recalculate_project(project)
    item = work_items.set_volume(item=item, volume=D(10), expected_version=None, by=user)
    assert item.amount == D("866250.00")
    return project, item


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a write as if its transaction committed (its on_commit callbacks run)."""

    def run(write):
        with django_capture_on_commit_callbacks(execute=True):
            return write()

    return run


# --- fragments and pages ------------------------------------------------------------------------------


def test_ringkasan_fragment_shows_the_totals(logged_in_client, estimate):
    text = fragment(logged_in_client, "ringkasan")
    assert 'id="widget-ringkasan"' in text and 'id="ringkasan-projects">1<' in text
    assert "Berjalan: 1" in text and "Draf: 0" in text
    assert 'title="Rp 866.250,00">Rp 866.250<' in text  # Jumlah
    assert 'title="Rp 961.537,50">Rp 961.538<' in text  # + PPN 11 % = 95.287,50
    assert 'title="Rp 2.000.000,00">Rp 2.000.000<' in text  # pagu


def test_terbesar_fragment_draws_an_svg_bar_chart(logged_in_client, estimate, user):
    project, _ = estimate
    add_items(
        ProjectFactory(owner=user, name="Jalan Desa", budget_ceiling=None), "433125"
    )  # half of the first
    text = fragment(logged_in_client, "terbesar")
    assert "<svg" in text and 'class="bar-chart"' in text
    assert f'<g class="bar" id="terbesar-{project.pk}">' in text
    # The pagu (2.000.000) sets the scale: 866.250 / 2.000.000 x 210 = 90,96; 433.125 -> 45,48.
    assert 'width="90.96"' in text and 'width="45.48"' in text and 'x1="210.00"' in text
    assert "Jalan Desa" in text and text.index("Gedung Serbaguna") < text.index("Jalan Desa")


def test_aktivitas_fragment_lists_the_events_with_a_link_to_the_project(logged_in_client, estimate):
    project, item = estimate
    text = fragment(logged_in_client, "aktivitas")
    assert "Volume “Galian tanah biasa sedalam s.d. 1 m” diubah" in text
    assert "estimator@example.com" in text
    assert f'href="/projects/{project.pk}/"' in text and text.index("Volume") < text.index(
        "Klasifikasi “Pekerjaan Tanah” ditambahkan"
    )


def test_peringatan_fragment_lists_a_project_behind_plan(logged_in_client, user):
    start = timezone.localdate() - timedelta(days=7)  # today is in week 2
    project = ProjectFactory(owner=user, name="Gedung Terlambat", start_date=start, duration_weeks=4)
    (item,) = add_items(project, "1000000")
    plan(item, {1: "50", 2: "50"})
    progress(item, {1: "40"})
    text = fragment(logged_in_client, "peringatan")
    assert f'id="alert-{project.pk}"' in text and "Gedung Terlambat" in text
    assert "Minggu ke-2 dari 4 · rencana 100,00 % · realisasi 40,00 %" in text and "-60,00 %" in text
    assert "kritis" in text and f'href="/projects/{project.pk}/kurva-s/"' in text


@pytest.mark.parametrize("name", NAMES)
def test_empty_states(logged_in_client, name):
    text = fragment(logged_in_client, name)
    assert 'class="muted widget-empty"' in text


@pytest.mark.parametrize("name", NAMES)
def test_a_request_without_htmx_gets_a_full_page(logged_in_client, estimate, name):
    response = logged_in_client.get(url(name))
    assert response.status_code == 200
    assert "<html" in response.text and f'id="widget-{name}"' in response.text
    assert "Kembali ke dasbor" in response.text
    assert response["Vary"] and "HX-Request" in response["Vary"]
    assert "private" in response["Cache-Control"]


def test_a_boosted_request_gets_the_full_page(logged_in_client):
    response = logged_in_client.get(url("ringkasan"), headers={**HX, "HX-Boosted": "true"})
    assert "<html" in response.text


def test_unknown_widget_is_404(logged_in_client):
    assert logged_in_client.get(url("tidak-ada"), headers=HX).status_code == 404


def test_login_is_required(client):
    response = client.get(url("ringkasan"), headers=HX)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_post_is_not_allowed(logged_in_client):
    assert logged_in_client.post(url("ringkasan"), headers=HX).status_code == 405


def test_another_users_projects_never_appear(logged_in_client, user, other_user, committed):
    start = timezone.localdate() - timedelta(days=7)
    theirs = committed(lambda: projects.create(data={"name": "Proyek Rahasia Orang Lain"}, by=other_user))
    theirs.start_date, theirs.duration_weeks = start, 4
    theirs.save()
    (item,) = add_items(theirs, "99999999")
    plan(item, {1: "100"})
    for name in NAMES:
        text = fragment(logged_in_client, name)
        assert "Rahasia" not in text and "other@example.com" not in text
        assert 'class="muted widget-empty"' in text


def test_a_failing_widget_returns_the_error_state_with_a_retry_status_200(
    logged_in_client, monkeypatch, caplog
):
    spec = widgets.WIDGETS["ringkasan"]

    def broken(user, today):
        raise RuntimeError("database gone")

    monkeypatch.setitem(widgets.WIDGETS, "ringkasan", dataclasses.replace(spec, load=broken))
    response = logged_in_client.get(url("ringkasan"), headers=HX)
    assert response.status_code == 200
    assert "is-failed" in response.text and "Coba lagi" in response.text
    assert f'hx-get="{url("ringkasan")}" hx-target="closest .widget" hx-swap="outerHTML"' in response.text
    assert "database gone" in caplog.text

    monkeypatch.setitem(widgets.WIDGETS, "ringkasan", spec)  # the failure was not cached
    assert "is-failed" not in fragment(logged_in_client, "ringkasan")


class CacheDown:
    """The widgets' cache while Redis is down: every call raises."""

    def __getattr__(self, name):
        def down(*args, **kwargs):
            raise ConnectionError("redis down")

        return down


@pytest.mark.parametrize("name", NAMES)
def test_with_the_cache_down_every_widget_is_computed_without_it(
    logged_in_client, estimate, monkeypatch, caplog, name
):
    monkeypatch.setattr(dashboard_cache, "cache", CacheDown())  # the sessions keep the real cache
    text = fragment(logged_in_client, name)
    assert "is-failed" not in text and f'id="widget-{name}"' in text
    assert "redis down" in caplog.text


def test_with_the_cache_down_the_alerts_still_find_a_project_behind_plan(logged_in_client, user, monkeypatch):
    today = timezone.localdate()
    project = ProjectFactory(
        owner=user, name="Jalan Desa", status="active", start_date=today - timedelta(days=14)
    )
    project.duration_weeks = 4
    project.save()
    item = add_items(project, "1000000")[0]
    plan(item, {1: "50", 2: "50"})  # week 3 now: planned 100 %, nothing done

    monkeypatch.setattr(dashboard_cache, "cache", CacheDown())
    text = fragment(logged_in_client, "peringatan")
    assert f'id="alert-{project.pk}"' in text and "Jalan Desa" in text


# --- the dashboard ------------------------------------------------------------------------------------


def test_dashboard_has_a_placeholder_per_widget_and_computes_none(logged_in_client, estimate, monkeypatch):
    def never(user, today):
        raise AssertionError("a widget was computed with the page")

    for name in NAMES:
        monkeypatch.setitem(widgets.WIDGETS, name, dataclasses.replace(widgets.WIDGETS[name], load=never))
    response = logged_in_client.get(reverse("ahsp:dashboard"))
    text = response.text
    assert response.status_code == 200 and 'id="project-list"' in text and "Gedung Serbaguna" in text
    for name, trigger in (
        ("ringkasan", "load"),
        ("peringatan", "load"),
        ("terbesar", "revealed"),
        ("aktivitas", "revealed"),
    ):
        assert f'hx-get="/widgets/{name}/" hx-trigger="{trigger}" hx-swap="outerHTML"' in text
    assert text.count('class="widget-skeleton"') == 4
    assert text.count("data-failed-state") == 4  # static/js/app.js marks a failed load
    for label in ("Tampilkan ringkasan", "Tampilkan peringatan jadwal", "Tampilkan proyek terbesar"):
        assert label in text
    assert (
        '<noscript><p class="widget-noscript"><a href="/widgets/aktivitas/">Tampilkan aktivitas terbaru</a>'
        in text
    )
    assert "Rp 866.250" not in text  # the widget values load later


def test_the_project_list_fragment_has_no_widgets(logged_in_client, estimate):
    text = logged_in_client.get(reverse("ahsp:dashboard"), headers=HX).text
    assert 'id="project-list"' in text and "widget-" not in text


# --- caching ------------------------------------------------------------------------------------------


def counting(monkeypatch, name: str) -> list:
    calls = []
    spec = widgets.WIDGETS[name]

    def load(user, today):
        calls.append(today)
        return spec.load(user, today)

    monkeypatch.setitem(widgets.WIDGETS, name, dataclasses.replace(spec, load=load))
    return calls


@pytest.mark.parametrize("name", NAMES)
def test_a_second_request_reads_the_cache_and_not_the_database(logged_in_client, estimate, monkeypatch, name):
    calls = counting(monkeypatch, name)
    first = fragment(logged_in_client, name)
    with CaptureQueriesContext(connection) as queries:
        second = fragment(logged_in_client, name)
    assert second == first and len(calls) == 1
    widget_queries = [q["sql"] for q in queries if any(table in q["sql"] for table in WIDGET_TABLES)]
    assert widget_queries == [] and len(queries) <= 1  # at most the session's user


def test_a_volume_edit_shows_in_the_next_request(logged_in_client, estimate, committed, monkeypatch):
    _, item = estimate
    calls = counting(monkeypatch, "ringkasan")
    assert "Rp 866.250,00" in fragment(logged_in_client, "ringkasan")

    committed(
        lambda: work_items.set_volume(
            item=item, volume=D("12.5"), expected_version=None, by=item.project.owner
        )
    )

    text = fragment(logged_in_client, "ringkasan")
    assert 'title="Rp 1.082.812,50"' in text and len(calls) == 2
    assert "Volume “Galian" in fragment(logged_in_client, "aktivitas")


def test_project_create_and_archive_invalidate(logged_in_client, user, estimate, committed, monkeypatch):
    calls = counting(monkeypatch, "ringkasan")
    assert 'id="ringkasan-projects">1<' in fragment(logged_in_client, "ringkasan")

    created = committed(lambda: projects.create(data={"name": "Jembatan"}, by=user))
    text = fragment(logged_in_client, "ringkasan")
    assert 'id="ringkasan-projects">2<' in text and "Draf: 1" in text

    committed(lambda: projects.archive(project=created, by=user))
    text = fragment(logged_in_client, "ringkasan")
    assert "Draf: 0" in text and "Diarsipkan: 1" in text
    assert len(calls) == 3


def test_a_progress_entry_invalidates_the_alerts(logged_in_client, user, committed, monkeypatch):
    start = timezone.localdate() - timedelta(days=7)  # week 2
    project = ProjectFactory(owner=user, name="Gedung", start_date=start, duration_weeks=4)
    (item,) = add_items(project, "1000000")
    plan(item, {1: "50", 2: "50"})
    calls = counting(monkeypatch, "peringatan")
    assert f'id="alert-{project.pk}"' in fragment(logged_in_client, "peringatan")

    item = WorkItem.objects.get(pk=item.pk)
    committed(lambda: schedule.set_progress(item=item, week=1, progress=D(100), by=user))

    text = fragment(logged_in_client, "peringatan")
    assert f'id="alert-{project.pk}"' not in text and "tidak ada yang terlambat" in text
    assert len(calls) == 2


def test_a_write_to_another_users_project_recomputes_nothing(
    logged_in_client, estimate, other_user, committed, monkeypatch
):
    calls = counting(monkeypatch, "ringkasan")
    fragment(logged_in_client, "ringkasan")
    committed(lambda: projects.create(data={"name": "Bukan milik saya"}, by=other_user))
    fragment(logged_in_client, "ringkasan")
    assert len(calls) == 1


def test_the_alerts_follow_the_date(logged_in_client, estimate, monkeypatch):
    calls = counting(monkeypatch, "peringatan")
    fragment(logged_in_client, "peringatan")
    fragment(logged_in_client, "peringatan")
    tomorrow = timezone.localdate() + timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    fragment(logged_in_client, "peringatan")
    assert calls[-1] == tomorrow and len(calls) == 2


def test_the_other_widgets_do_not_depend_on_the_date(logged_in_client, estimate, monkeypatch):
    calls = counting(monkeypatch, "ringkasan")
    fragment(logged_in_client, "ringkasan")
    tomorrow = timezone.localdate() + timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    fragment(logged_in_client, "ringkasan")
    assert len(calls) == 1


# --- query counts -------------------------------------------------------------------------------------


def seed(user, count: int) -> None:
    today = timezone.localdate()
    for index in range(count):
        project = ProjectFactory(
            owner=user,
            name=f"Proyek {index}",
            start_date=today - timedelta(days=7 * (index % 3)),
            duration_weeks=6,
        )
        items = add_items(project, "1000000", "2500000")
        for item in items:
            plan(item, {1: "50", 2: "50"})
            progress(item, {1: "30"})


@pytest.mark.parametrize("name", NAMES)
def test_cold_query_counts_do_not_grow_with_the_projects(logged_in_client, user, name):
    counts = []
    for total in (5, 50):
        seed(user, total - len(counts) * 5)
        dashboard_cache.bump_users([user.pk])
        with CaptureQueriesContext(connection) as queries:
            fragment(logged_in_client, name)
        counts.append(len(queries))
    # The session's user, then 1 query per widget (4 for the alerts: projects, amounts, plans, progress).
    assert counts[0] == counts[1] <= {"peringatan": 5}.get(name, 2), counts


def test_widgets_speak_english_when_chosen(logged_in_client, estimate):
    logged_in_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    texts = {name: fragment(logged_in_client, name) for name in NAMES}
    assert "Summary" in texts["ringkasan"] and "Total budget ceiling" in texts["ringkasan"]
    assert "Schedule alerts" in texts["peringatan"]
    assert "Largest projects" in texts["terbesar"] and "budget ceiling" in texts["terbesar"]
    assert "Recent activity" in texts["aktivitas"]
    for text in texts.values():
        assert "Jumlah proyek" not in text and "Belum ada" not in text
    page = logged_in_client.get("/").text
    assert "Show summary" in page and "Try again" in page


def test_ringkasan_says_rab_incomplete_after_a_price_is_removed_and_not_after_it_is_back(
    logged_in_client, estimate, committed, monkeypatch
):
    """The notice follows the price service through the data versions (its audit event), in both ways."""
    project, _ = estimate
    calls = counting(monkeypatch, "ringkasan")
    assert 'id="ringkasan-incomplete"' not in fragment(logged_in_client, "ringkasan")
    foreman = ProjectResource.objects.get(project=project, code="TK.0006")

    committed(lambda: resources.set_price(resource=foreman, unit_price=None, by=project.owner))

    text = fragment(logged_in_client, "ringkasan")
    notice = text[text.index('id="ringkasan-incomplete"') :]
    assert "1 proyek dengan RAB belum lengkap" in notice
    assert f'<a href="/projects/{project.pk}/rab/">Gedung Serbaguna</a>' in notice
    assert len(calls) == 2

    foreman.refresh_from_db()
    committed(lambda: resources.set_price(resource=foreman, unit_price=D("152500.75"), by=project.owner))

    assert 'id="ringkasan-incomplete"' not in fragment(logged_in_client, "ringkasan")
    assert len(calls) == 3
