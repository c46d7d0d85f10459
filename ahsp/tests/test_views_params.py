"""ahsp.views._params: the one reader of ``open=`` / ``closed=`` ids, and the pages that use it."""

from urllib.parse import quote

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from ahsp.tests.rab_data import build_small_rab
from ahsp.views import work_items as work_item_views
from ahsp.views._params import MAX_ID, MAX_IDS, id_param, ids_param


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
    real_tree = work_item_views._tree
    monkeypatch.setattr(
        work_item_views, "_tree", lambda project, ids: seen.append(ids) or real_tree(project, ids)
    )
    url = reverse("ahsp:work_item_list", args=[rab.project.pk])
    response = logged_in_client.get(f"{url}?open={quote('²')}&open={rab.earthwork.pk}&open=-1")
    assert response.status_code == 200
    assert seen == [{rab.earthwork.pk}]
