"""The RAB and the Gantt open and close their sections one way (README, "Section trees").

A section's link fetches the section fragment into its own row (``hx-target="closest tr"``, outerHTML)
and has a plain ``href`` for use without JavaScript; an open section's link first drops the rows below it,
found by their ``data-in`` ancestor tokens, through ``data-remove-on-request`` (static/js/app.js: the CSP
allows no inline handlers). If one page drifts from the other, this fails.
"""

from datetime import date
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from ahsp.tests.rab_data import build_small_rab

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}
PAGES = [
    ("rab", "project_rab", "project_rab_section"),
    ("gantt", "project_schedule", "project_schedule_section"),
]


class Toggles(HTMLParser):
    """The attributes of every ``<a class="<prefix>-toggle">`` and the ``data-in`` of every row."""

    def __init__(self, prefix: str):
        super().__init__()
        self.prefix, self.links, self.rows = prefix, [], {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and f"{self.prefix}-toggle" in (attrs.get("class") or "").split():
            self.links.append(attrs)
        elif tag == "tr" and attrs.get("id", "").startswith(f"{self.prefix}-"):
            self.rows[attrs["id"]] = attrs.get("data-in") or ""


def toggles(html: str, prefix: str) -> Toggles:
    parser = Toggles(prefix)
    parser.feed(html)
    return parser


@pytest.fixture
def rab(user):
    return build_small_rab(user, start_date=date(2020, 1, 6), duration_weeks=20)


@pytest.mark.parametrize(("prefix", "page", "fragment"), PAGES)
def test_a_closed_section_opens_into_its_own_row_with_a_link_fallback(
    logged_in_client, rab, prefix, page, fragment
):
    # The RAB starts closed; a small project's Gantt starts open, so it is asked with section I closed.
    query = f"?closed={rab.earthwork.pk}" if prefix == "gantt" else ""
    html = logged_in_client.get(reverse(f"ahsp:{page}", args=[rab.project.pk]) + query).text

    links = toggles(html, prefix).links
    closed = [link for link in links if link["aria-expanded"] == "false"]
    assert closed, f"no closed section on the {page} page"
    for link in closed:
        assert link["hx-target"] == "closest tr" and link["hx-swap"] == "outerHTML"
        section_id = int(link["hx-get"].split("?")[0].rstrip("/").rsplit("/", 1)[1])
        assert link["hx-get"].startswith(reverse(f"ahsp:{fragment}", args=[rab.project.pk, section_id]))
        assert link["href"] and not link["href"].startswith("#")  # works without JavaScript
        assert not any(name.startswith("on") or name.startswith("hx-on") for name in link)


@pytest.mark.parametrize(("prefix", "page", "fragment"), PAGES)
def test_an_open_section_drops_the_rows_below_it_before_it_closes(
    logged_in_client, rab, prefix, page, fragment
):
    url = reverse(f"ahsp:{fragment}", args=[rab.project.pk, rab.earthwork.pk])
    found = toggles(logged_in_client.get(url, headers=HX).text, prefix)

    (link,) = [link for link in found.links if link["aria-expanded"] == "true"]
    assert link["hx-target"] == "closest tr" and link["hx-swap"] == "outerHTML"
    assert "collapsed=1" in link["hx-get"] and link["href"]
    token = f"s{rab.earthwork.pk}"
    assert link["data-remove-on-request"] == f"#{prefix}-table tr[data-in~={token}]"
    below = [row_id for row_id, tokens in found.rows.items() if token in tokens.split()]
    assert below, "the open section's rows carry its token, so closing can find them"
