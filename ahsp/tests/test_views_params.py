"""ahsp.views._params: the one reader of ``open=`` / ``closed=`` ids, and the pages that use it."""

from urllib.parse import quote

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from ahsp.loaders import work_breakdown
from ahsp.tests.rab_data import build_small_rab
from ahsp.views._params import MAX_ID, MAX_IDS, id_param, ids_param, number_param


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", 12),
        (" 12 ", 12),
        ("007", 7),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),  # beyond the database's id
        ("99999999999999999999", None),
        ("0", None),
        ("-1", None),
        ("+1", None),
        ("²", None),  # "²".isdigit() is True, int("²") raises
        ("١٢", None),  # Arabic-Indic digits: isdecimal() is True, not an id here
        ("1e3", None),
        ("1.5", None),
        ("", None),
        ("abc", None),
        (None, None),
        (12, None),  # only text comes from a request
    ],
)
def test_id_param(value, expected):
    assert id_param(value) == expected


@pytest.mark.parametrize(
    ("value", "maximum", "expected"),
    [("0", MAX_ID, 0), (" 7 ", MAX_ID, 7), ("999999", 999_999, 999_999), ("1000000", 999_999, None)]
    + [(bad, MAX_ID, None) for bad in ["-1", "²", "١٢", "99999999999999999999", "abc", "", None]],
)
def test_number_param(value, maximum, expected):
    assert number_param(value, maximum=maximum) == expected


def test_ids_param_keeps_the_valid_ids_and_ignores_the_rest():
    assert ids_param(["3", "x", "3", "²", "-1", "5"]) == {3, 5}
    assert ids_param([]) == set()


def test_ids_param_reads_at_most_max_ids_values():
    assert ids_param(str(n) for n in range(1, MAX_IDS + 500)) == set(range(1, MAX_IDS + 1))


@given(st.lists(st.text(max_size=25) | st.integers().map(str), max_size=30))
def test_ids_param_never_raises_and_returns_positive_bounded_ids(values):
    ids = ids_param(values)
    assert all(isinstance(n, int) and 0 < n <= MAX_ID for n in ids)
    assert ids <= {int(v) for v in values if v.isascii() and v.strip().isdecimal()}


@pytest.fixture
def rab(user):
    return build_small_rab(user, duration_weeks=20)


BAD_IDS = ["²", "-1", "99999999999999999999", "abc", "0", "1e3"]


@pytest.mark.parametrize("name", ["work_item_list", "project_rab", "project_schedule"])
@pytest.mark.parametrize("value", BAD_IDS)
def test_pages_ignore_bad_open_ids(logged_in_client, rab, name, value):
    url = reverse(f"ahsp:{name}", args=[rab.project.pk])
    response = logged_in_client.get(f"{url}?open={quote(value)}&open={rab.earthwork.pk}")
    assert response.status_code == 200


@pytest.mark.parametrize("value", BAD_IDS)
def test_schedule_ignores_bad_closed_ids(logged_in_client, rab, value):
    url = reverse("ahsp:project_schedule", args=[rab.project.pk])
    response = logged_in_client.get(f"{url}?from=1&closed={quote(value)}", headers={"HX-Request": "true"})
    assert response.status_code == 200


def test_work_item_list_opens_the_valid_id_among_bad_ones(logged_in_client, rab, monkeypatch):
    """``?open=²&open=<section>&open=-1``: the section opens as if the bad ids were not there."""
    seen = []
    real_tree = work_breakdown.load_tree
    monkeypatch.setattr(
        work_breakdown, "load_tree", lambda project, ids: seen.append(ids) or real_tree(project, ids)
    )
    url = reverse("ahsp:work_item_list", args=[rab.project.pk])
    response = logged_in_client.get(f"{url}?open={quote('²')}&open={rab.earthwork.pk}&open=-1")
    assert response.status_code == 200
    assert seen == [{rab.earthwork.pk}]


# --- every other id (and small number) read from a request: never a 500 -----------------------------------

POSTED_BAD = ["²", "-1", "99999999999999999999", "abc"]
HX = {"HX-Request": "true"}


@pytest.mark.parametrize("field", ["resource", "nested", "reference_resource"])
@pytest.mark.parametrize("value", POSTED_BAD)
def test_analysis_component_add_bad_ids_answer_a_message(logged_in_client, rab, field, value):
    item = rab.bowplank
    url = reverse("ahsp:analysis_component_add", args=[rab.project.pk, item.pk])
    before = item.analysis.components.count()

    response = logged_in_client.post(url, {field: value, "coefficient": "1"}, headers=HX)

    assert response.status_code == 200 and "tidak ditemukan" in response.text
    assert item.analysis.components.count() == before


@pytest.mark.parametrize(
    ("field", "message"), [("section", "Pilih klasifikasi"), ("reference", "AHSP referensi tidak ditemukan")]
)
@pytest.mark.parametrize("value", POSTED_BAD)
def test_work_item_add_bad_ids_answer_a_message(logged_in_client, rab, field, message, value):
    url = reverse("ahsp:work_item_add", args=[rab.project.pk])
    data = {"section": rab.earthwork.pk, "name": "Papan nama", "unit": "ls", field: value}
    before = rab.project.work_items.count()

    response = logged_in_client.post(url, data, follow=True)

    assert response.status_code == 200 and message in response.text
    assert rab.project.work_items.count() == before


@pytest.mark.parametrize("value", POSTED_BAD)
def test_work_item_move_to_a_bad_section_is_404(logged_in_client, rab, value):
    url = reverse("ahsp:work_item_move", args=[rab.project.pk, rab.bowplank.pk])

    response = logged_in_client.post(url, {"section": value})

    assert response.status_code == 404
    rab.bowplank.refresh_from_db()
    assert rab.bowplank.section_id == rab.earthwork.pk


@pytest.mark.parametrize("value", POSTED_BAD)
def test_progress_page_ignores_bad_week_and_shown(logged_in_client, rab, value):
    url = reverse("ahsp:project_progress", args=[rab.project.pk])
    assert logged_in_client.get(url, {"week": value}).status_code == 200
    assert logged_in_client.get(url, {"week": "1", "shown": value}, headers=HX).status_code == 200


@pytest.mark.parametrize("value", POSTED_BAD)
def test_progress_posts_with_bad_week_version_or_item_id_answer(logged_in_client, rab, value):
    item = rab.bowplank
    page = reverse("ahsp:project_progress", args=[rab.project.pk])
    row = reverse("ahsp:progress_item", args=[rab.project.pk, item.pk])
    report = reverse("ahsp:progress_report", args=[rab.project.pk])

    assert logged_in_client.post(page, {"week": value, f"progress-{value}": "10"}).status_code in (200, 302)
    data = {"week": "1", f"progress-{item.pk}": "10", f"version-{item.pk}": value}
    assert logged_in_client.post(row, data, headers=HX).status_code == 200
    assert logged_in_client.post(row, {**data, "week": value}, headers=HX).status_code == 200
    assert logged_in_client.post(report, {"week": value, "actual_cost": "1"}, headers=HX).status_code == 200


@pytest.mark.parametrize("value", POSTED_BAD)
def test_schedule_item_bad_stage_or_version_answers(logged_in_client, rab, value):
    url = reverse("ahsp:project_schedule_item", args=[rab.project.pk, rab.bowplank.pk])

    stage = logged_in_client.post(url, {"action": "stage", "stage": value}, headers=HX)
    version = logged_in_client.post(url, {"first_week": "1", "last_week": "2", "version": value}, headers=HX)

    assert stage.status_code == 200 and "Tahapan tidak ditemukan" in stage.text
    assert version.status_code == 200


@pytest.mark.parametrize("value", POSTED_BAD)
@pytest.mark.parametrize("view", ["", "mingguan"])
def test_requirements_bad_section_and_stage_answer_a_message(logged_in_client, rab, value, view):
    url = reverse("ahsp:project_requirements", args=[rab.project.pk])

    response = logged_in_client.get(url, {"section": value, "stage": value, "view": view})

    assert response.status_code == 200
    assert "Klasifikasi yang dipilih tidak ditemukan" in response.text
    assert "Tahapan yang dipilih tidak ditemukan" in response.text
