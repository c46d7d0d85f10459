"""Rekap RAB pages: hand-worked totals, HTMX section fragments, no-JS fallbacks, print view, permissions,
and query counts that do not grow with the project."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ahsp.loaders.rab_notes import load_rab_notes
from ahsp.models import ProjectResource, Section, WorkItem
from ahsp.services import recalc, work_items
from ahsp.tests.factories import ProjectFactory, SectionFactory, WorkItemFactory
from ahsp.tests.rab_data import build_small_rab
from tools.bench.synthetic import build_synthetic_project

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


def rab_url(project, **query):
    url = reverse("ahsp:project_rab", args=[project.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def section_url(project, section, query=""):
    return reverse("ahsp:project_rab_section", args=[project.pk, section.pk]) + query


def item_rows(html):
    return re.findall(r'<tr id="rab-item-(\d+)"', html)


def section_rows(html):
    return re.findall(r'<tr id="rab-section-(\d+)" class="([^"]*)"', html)


@pytest.fixture
def rab(user):
    return build_small_rab(user)


def test_rab_page_shows_hand_worked_totals_and_terbilang(logged_in_client, rab):
    response = logged_in_client.get(rab_url(rab.project))

    assert response.status_code == 200
    text = response.text
    # Items (see rab_data): 2,5 m' x 62.700 + 10 m3 x 93.500 + 12,75 m2 x 59.796 = 1.854.149,00
    assert re.search(r'id="rab-total">Rp 1\.854\.149,00<', text)
    # PPN 11 % of 1.854.149,00 = 203.956,39
    assert "PPN 11 %" in text
    assert re.search(r'id="rab-vat">Rp 203\.956,39<', text)
    # 1.854.149,00 + 203.956,39 = 2.058.105,39, rounded down to Rp 1.000 = 2.058.000,00
    assert re.search(r'id="rab-grand-total">Rp 2\.058\.105,39<', text)
    assert re.search(r'id="rab-rounded-total">Rp 2\.058\.000,00<', text)
    assert re.search(r'id="rab-terbilang">Dua juta lima puluh delapan ribu rupiah<', text)


def test_rab_page_header_and_collapsed_sections(logged_in_client, rab):
    response = logged_in_client.get(rab_url(rab.project))

    text = response.text
    for value in ("Gedung Serbaguna", "Dinas PUPR Kabupaten Contoh", "Kecamatan Sukamaju", "APBD", "2026"):
        assert value in text
    assert [pk for pk, _ in section_rows(text)] == [str(rab.earthwork.pk), str(rab.plaster.pk)]
    assert item_rows(text) == []  # collapsed
    # section I: subtotal and bobot (2 decimals on screen, issue 11 §12; the CSV keeps 58,881460)
    assert "Rp 1.091.750,00" in text and ">58,88<" in text and "58,881460" not in text
    assert "Rp 762.399,00" in text and ">41,12<" in text  # section II
    toggle = f'href="{rab_url(rab.project)}?open={rab.earthwork.pk}#rab-section-{rab.earthwork.pk}"'
    assert toggle in text
    assert f'hx-get="{section_url(rab.project, rab.earthwork)}"' in text
    assert 'id="rab-incomplete"' not in text


def test_section_fragment_for_htmx(logged_in_client, rab):
    response = logged_in_client.get(section_url(rab.project, rab.earthwork), headers=HX)

    assert response.status_code == 200
    text = response.text
    assert "<html" not in text and "rab-totals" not in text
    assert section_rows(text) == [(str(rab.earthwork.pk), "rab-section depth-0 is-open")]
    assert item_rows(text) == [str(rab.bowplank.pk), str(rab.excavation.pk)]
    assert ">I.1<" in text and ">I.2<" in text
    # I.2: code from the reference, name, unit, volume, HSP, amount, bobot
    row = text[text.index(f'id="rab-item-{rab.excavation.pk}"') :]
    row = row[: row.index("</tr>")]
    for cell in (
        "2.2.1.1",
        "Galian tanah biasa",
        "m3",
        "10,00",  # the volume as entered: 2 to 4 decimals
        "Rp 93.500,00",
        "Rp 935.000,00",
        "50,43",  # bobot, 2 decimals on screen
    ):
        assert f">{cell}<" in row.replace("</td>", "<").replace('">', ">")
    assert f'data-in="s{rab.earthwork.pk}"' in row
    # The open row closes through HTMX (and a plain link without JS).
    assert f'hx-get="{section_url(rab.project, rab.earthwork)}?collapsed=1"' in text
    assert f"tr[data-in~=s{rab.earthwork.pk}]" in text
    assert response["Vary"] and "HX-Request" in response["Vary"]


def test_collapsed_fragment_is_the_closed_row_only(logged_in_client, rab):
    response = logged_in_client.get(section_url(rab.project, rab.earthwork, "?collapsed=1"), headers=HX)

    assert response.status_code == 200
    assert section_rows(response.text) == [(str(rab.earthwork.pk), "rab-section depth-0")]
    assert item_rows(response.text) == []


def test_section_url_without_htmx_renders_the_page_with_the_section_open(logged_in_client, rab):
    response = logged_in_client.get(section_url(rab.project, rab.plaster))

    assert response.status_code == 200
    text = response.text
    assert "<html" in text and 'id="rab-terbilang"' in text
    assert item_rows(text) == [str(rab.plastering.pk)]
    assert ">II.1<" in text and "Plesteran 1:4" in text and "12,75" in text


def test_open_query_renders_the_sub_section_with_its_ancestors(logged_in_client, user, rab):
    sub = SectionFactory(project=rab.project, parent=rab.plaster, name="Plester dinding", position=5)
    WorkItemFactory(
        project=rab.project,
        section=sub,
        analysis=rab.plastering.analysis,
        name="Acian",
        unit="m2",
        position=0,
    )

    response = logged_in_client.get(rab_url(rab.project, open=sub.pk))

    rows = section_rows(response.text)
    assert rows == [
        (str(rab.earthwork.pk), "rab-section depth-0"),
        (str(rab.plaster.pk), "rab-section depth-0 is-open"),
        (str(sub.pk), "rab-section depth-1 is-open"),
    ]
    assert ">II.2.1<" in response.text and "Acian" in response.text
    # Bad or foreign ids in ?open= are ignored, not errors.
    assert logged_in_client.get(rab_url(rab.project, open="abc")).status_code == 200
    assert logged_in_client.get(rab_url(rab.project, open="%C2%B2")).status_code == 200  # "²" is a digit
    assert logged_in_client.get(rab_url(rab.project, open="99999")).status_code == 200


def test_print_view_shows_everything_with_print_css(logged_in_client, rab):
    response = logged_in_client.get(rab_url(rab.project, print=1))

    text = response.text
    assert item_rows(text) == [str(rab.bowplank.pk), str(rab.excavation.pk), str(rab.plastering.pk)]
    assert 'href="/static/css/pages/rab.css"' in text  # its @media print hides the top bar
    assert "hx-get" not in text.split('id="rab-table"')[1]  # no toggles in print
    assert "data-print" in text  # static/js/app.js prints (no inline onclick under the CSP)
    assert re.search(r'id="rab-rounded-total">Rp 2\.058\.000,00<', text)


def test_names_are_escaped(logged_in_client, rab):
    WorkItem.objects.filter(pk=rab.plastering.pk).update(name="<script>alert(1)</script>")
    Section.objects.filter(pk=rab.plaster.pk).update(name="<b>Bold</b>")

    page = logged_in_client.get(rab_url(rab.project, print=1)).text
    fragment = logged_in_client.get(section_url(rab.project, rab.plaster), headers=HX).text

    for text in (page, fragment):
        assert "<script>alert(1)</script>" not in text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
        assert "<b>Bold</b>" not in text and "&lt;b&gt;Bold&lt;/b&gt;" in text


def test_incomplete_rab_banner_counts_unpriced_resources_and_links_to_prices(logged_in_client, rab):
    ProjectResource.objects.filter(project=rab.project, code__in=["L.04", "M.15"]).update(unit_price=None)

    text = logged_in_client.get(rab_url(rab.project)).text

    banner = text[text.index('id="rab-incomplete"') :]
    banner = banner[: banner.index("</div>")]
    assert "RAB belum lengkap" in banner and "2 sumber daya belum memiliki harga satuan" in banner
    assert f'href="/projects/{rab.project.pk}/prices/"' in banner


def _between(text, start, end="</div>"):
    """The inside of the element whose opening tag holds ``start``, up to the first ``end``."""
    part = text[text.index(start) :]
    part = part[part.index(">") + 1 :]
    return part[: part.index(end)]


def _plain(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


@pytest.fixture
def rab_12_5(user):
    """The small RAB at BUK 12,5 %, with "Galian tanah biasa" (I.2) at its own 15 % and "Plesteran 1:4"
    (II.1) at 7,25 %."""
    rab = build_small_rab(user, name="Gedung 12,5", overhead_profit_pct=Decimal("12.5"))
    WorkItem.objects.filter(pk=rab.excavation.pk).update(overhead_pct_override=Decimal("15"))
    WorkItem.objects.filter(pk=rab.plastering.pk).update(overhead_pct_override=Decimal("7.25"))
    recalc.recalculate_project(rab.project)
    return rab


@pytest.mark.parametrize("query", [{}, {"print": 1}], ids=["page", "print"])
def test_recap_states_the_buk_and_lists_the_items_with_their_own(logged_in_client, rab_12_5, query):
    text = logged_in_client.get(rab_url(rab_12_5.project, **query)).text

    notes = _plain(_between(text, 'id="rab-overhead"'))
    assert notes.startswith(
        "Catatan: Harga satuan pekerjaan sudah termasuk Biaya Umum dan Keuntungan (BUK) 12,5 %, kecuali:"
    )
    # sorted by %: 7,25 before 15; numbered as in the RAB
    assert notes.index("II.1 Plesteran 1:4 7,25 %") < notes.index("I.2 Galian tanah biasa 15 %")
    assert "Pemasangan bowplank" not in notes
    assert 'id="rab-overhead-warning"' not in text  # 15 % is the ceiling, not above it


def test_recap_statement_without_overrides_and_item_links(logged_in_client, rab, rab_12_5):
    text = logged_in_client.get(rab_url(rab.project)).text
    notes = _plain(_between(text, 'id="rab-overhead"'))
    assert notes == "Catatan: Harga satuan pekerjaan sudah termasuk Biaya Umum dan Keuntungan (BUK) 10 %."

    page = logged_in_client.get(rab_url(rab_12_5.project)).text
    link = reverse("ahsp:work_item_detail", args=[rab_12_5.project.pk, rab_12_5.excavation.pk])
    assert f'href="{link}"' in _between(page, 'id="rab-overhead"')


def test_buk_above_the_government_ceiling_is_warned(logged_in_client, user):
    rab = build_small_rab(user, overhead_profit_pct=Decimal("17.75"))

    text = logged_in_client.get(rab_url(rab.project)).text

    assert "(BUK) 17,75 %" in text
    warning = _plain(_between(text, 'id="rab-overhead-warning"', "</p>"))
    assert "BUK 17,75 % di atas batas 15 % untuk pekerjaan pemerintah (Permen PUPR 8/2023)" in warning


def test_an_item_override_above_the_ceiling_is_warned(logged_in_client, rab):
    WorkItem.objects.filter(pk=rab.bowplank.pk).update(overhead_pct_override=Decimal("15.01"))

    text = logged_in_client.get(rab_url(rab.project, print=1)).text

    assert "I.1 Pemasangan bowplank 15,01 %" in _plain(_between(text, 'id="rab-overhead"'))
    assert "BUK khusus di atas batas 15 %" in _plain(_between(text, 'id="rab-overhead-warning"', "</p>"))


def test_complete_rab_has_no_notice(logged_in_client, rab):
    for query in ({}, {"print": 1}):
        text = logged_in_client.get(rab_url(rab.project, **query)).text
        assert 'id="rab-incomplete"' not in text and "RAB belum lengkap" not in text


def test_notice_names_and_links_items_whose_hsp_is_0(logged_in_client, user, rab):
    item = work_items.add_custom(
        project=rab.project, section=rab.plaster, name="Papan nama proyek", unit="ls", by=user
    )

    text = logged_in_client.get(rab_url(rab.project)).text

    notice = _between(text, 'id="rab-incomplete"')
    assert "1 pekerjaan masih berharga satuan 0" in _plain(notice)
    link = reverse("ahsp:work_item_detail", args=[rab.project.pk, item.pk])
    assert f'<a href="{link}">Papan nama proyek</a>' in notice
    assert 'id="rab-unpriced-resources"' not in notice
    assert "DRAF" in notice
    print_view = logged_in_client.get(rab_url(rab.project, print=1)).text
    row = print_view[print_view.index(f'id="rab-item-{item.pk}"') :]
    assert "harga belum lengkap" in row[: row.index("</tr>")]  # its row is flagged too


def test_notice_with_one_unpriced_resource_is_on_the_print_view_too(logged_in_client, rab):
    ProjectResource.objects.filter(project=rab.project, code="M.10").update(unit_price=None)

    text = logged_in_client.get(rab_url(rab.project, print=1)).text

    notice = _plain(_between(text, 'id="rab-incomplete"'))
    assert "RAB belum lengkap: 1 sumber daya belum memiliki harga satuan." in notice
    assert "pekerjaan masih berharga satuan 0" not in notice


def test_project_detail_links_to_the_rab(logged_in_client, rab):
    text = logged_in_client.get(reverse("ahsp:project_detail", args=[rab.project.pk])).text
    assert f'href="{rab_url(rab.project)}"' in text and "Rekap RAB" in text


def test_empty_project_page(logged_in_client, user):
    project = ProjectFactory(owner=user)

    text = logged_in_client.get(rab_url(project)).text

    assert "Belum ada klasifikasi dan pekerjaan." in text
    assert re.search(r'id="rab-terbilang">Nol rupiah<', text)


def test_login_required(client, rab):
    for url in (rab_url(rab.project), section_url(rab.project, rab.earthwork)):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "make_url",
    [
        lambda rab: (rab_url(rab.project), {}),
        lambda rab: (rab_url(rab.project, print=1), {}),
        lambda rab: (rab_url(rab.project, open=rab.earthwork.pk), {}),
        lambda rab: (section_url(rab.project, rab.earthwork), {}),
        lambda rab: (section_url(rab.project, rab.earthwork), HX),
        lambda rab: (section_url(rab.project, rab.earthwork, "?collapsed=1"), HX),
        lambda rab: (reverse("ahsp:project_rab_csv", args=[rab.project.pk]), {}),
    ],
    ids=["page", "print", "open", "section-page", "section-htmx", "section-collapsed", "csv"],
)
def test_other_users_get_404_everywhere(client, other_user, rab, make_url):
    client.force_login(other_user)
    url, headers = make_url(rab)

    assert client.get(url, headers=headers).status_code == 404


def test_section_of_another_project_is_404(logged_in_client, user, rab):
    other = build_small_rab(user, name="Proyek lain")

    for headers in ({}, HX):
        response = logged_in_client.get(section_url(rab.project, other.earthwork), headers=headers)
        assert response.status_code == 404


def test_post_is_not_allowed(logged_in_client, rab):
    assert logged_in_client.post(rab_url(rab.project)).status_code == 405
    assert logged_in_client.post(section_url(rab.project, rab.earthwork), headers=HX).status_code == 405


def _count(client, url, headers=None):
    """Queries of one request, without the session read: the session lives in a cache that other test
    processes on this machine may clear at any time, so that one query comes and goes."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=headers or {})
        assert response.status_code == 200
        body = b"".join(response.streaming_content) if response.streaming else response.content
    return sum("django_session" not in query["sql"] for query in captured.captured_queries), body


def test_query_counts_are_the_same_for_10_and_2000_items(
    logged_in_client, user, django_assert_max_num_queries
):
    small = build_synthetic_project(user, name="Kecil", top=2, sub=2, items=10, components=8, resources=20)
    big = build_synthetic_project(user, name="Besar", top=10, sub=9, items=2000, components=8, resources=241)

    def counts(project):
        leaf = Section.objects.filter(project=project, parent__isnull=False).order_by("id").first()
        urls = {
            "page": (rab_url(project), None),
            "fragment": (section_url(project, leaf), HX),
            "print": (rab_url(project, print=1), None),
            "csv": (reverse("ahsp:project_rab_csv", args=[project.pk]), None),
        }
        result = {}
        for name, (url, headers) in urls.items():
            result[name], body = _count(logged_in_client, url, headers)
            if name == "print":
                assert len(item_rows(body.decode())) == WorkItem.objects.filter(project=project).count()
            if name == "csv":
                assert body.decode("utf-8-sig").count("\r\n") == 1 + project.sections.count() + (
                    WorkItem.objects.filter(project=project).count() + 4 + 1  # totals, the BUK statement
                ) + (0 if load_rab_notes(project).is_complete else 1)  # the draft line
        return result

    small_counts = counts(small)
    assert counts(big) == small_counts
    # user + project (the session is cached), then sections, per-section aggregate, items of mixed
    # sections, + the RAB notes (pages, not the fragment: the BUK overrides, then both unpriced counts
    # in one statement; one more, the first unpriced items, only while some HSP is 0), + the items
    # query (not collapsed). The notes replaced the summary's unpriced count: +1 query on the pages.
    # The CSV reads the notes too (draft line, BUK statement): +2 queries there.
    assert small_counts == {"page": 7, "fragment": 6, "print": 8, "csv": 8}
    with django_assert_max_num_queries(9):  # 8 + the session, when its cache entry is gone
        logged_in_client.get(rab_url(big, print=1))
