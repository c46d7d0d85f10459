"""Loaders of the Rekap RAB: totals, numbering, tree order, weights, unpriced count, constant queries."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ahsp.calculations.numbering import number_tree
from ahsp.calculations.totals import ItemInput, SectionInput, calculate_rab, line_amount
from ahsp.loaders import rab as rab_loader
from ahsp.models import Section, WorkItem
from ahsp.tests.factories import (
    AnalysisComponentFactory,
    ProjectAnalysisFactory,
    ProjectFactory,
    ProjectResourceFactory,
    SectionFactory,
    WorkItemFactory,
)
from ahsp.tests.rab_data import build_small_rab
from tools.bench.synthetic import build_synthetic_project

pytestmark = pytest.mark.django_db


def _item(project, section, analysis, position, volume, unit_rate, name=None):
    volume, unit_rate = Decimal(volume), Decimal(unit_rate)
    return WorkItemFactory(
        project=project,
        section=section,
        analysis=analysis,
        name=name or f"Pekerjaan {section.name}/{position}",
        unit="m2",
        position=position,
        volume=volume,
        unit_rate=unit_rate,
        amount=line_amount(volume, unit_rate),
    )


@pytest.fixture
def mixed(user):
    """A tree where sections mix items and sub-sections, with position ties:

    A (0): item a0 (pos 0), sub A1 (pos 1), items a2, a2b (pos 2), subs A2, A3 (pos 2), item a5 (pos 5),
           sub A4 (pos 4, empty)
      A1: items (pos 0, 1); sub A1x (pos 1) with one item
      A2: one item
    B (1): one item
    C (2): empty
    """
    project = ProjectFactory(owner=user, vat_pct=Decimal("11"), rounding_step=1000, rounding_mode="down")
    analysis = ProjectAnalysisFactory(
        project=project, code="C.1", name="Analisa", unit="m2", reference_code="2.2.1"
    )

    def section(name, position, parent=None):
        return SectionFactory(project=project, name=name, position=position, parent=parent)

    a, b, _c = section("A", 0), section("B", 1), section("C", 2)
    a1, a2, a3, _a4 = section("A1", 1, a), section("A2", 2, a), section("A3", 2, a), section("A4", 4, a)
    a1x = section("A1x", 1, a1)
    _item(project, a, analysis, 0, "1.5", "1000.10")
    _item(project, a, analysis, 2, "2", "333.33")
    _item(project, a, analysis, 2, "3.25", "100")
    _item(project, a, analysis, 5, "0.3333", "12345.67")
    _item(project, a1, analysis, 0, "10", "99.99")
    _item(project, a1, analysis, 1, "1", "5")
    _item(project, a1x, analysis, 0, "7", "70000")
    _item(project, a2, analysis, 0, "4", "0.01")
    _item(project, a3, analysis, 0, "1", "1")
    _item(project, b, analysis, 0, "12.5", "80000")
    return project


def _reference_totals(project):
    """calculate_rab and number_tree over every real item (what the loaders must agree with)."""
    sections = [
        SectionInput(pk, parent_id, position)
        for pk, parent_id, position in Section.objects.filter(project=project).values_list(
            "id", "parent_id", "position"
        )
    ]
    items = [
        ItemInput(pk, section_id, position, volume, unit_rate)
        for pk, section_id, position, volume, unit_rate in WorkItem.objects.filter(
            project=project
        ).values_list("id", "section_id", "position", "volume", "unit_rate")
    ]
    totals = calculate_rab(
        sections,
        items,
        vat_pct=project.vat_pct,
        rounding_step=project.rounding_step,
        rounding_mode=project.rounding_mode,
    )
    return totals, number_tree(sections, items)


def _tree_key(number: str) -> tuple[int, ...]:
    roman, *rest = number.split(".")
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
    top = 0
    for letter, following in zip(roman, [*roman[1:], ""], strict=True):
        value = values[letter]
        top += -value if following and values[following] > value else value
    return (top, *map(int, rest))


def test_summary_of_the_hand_worked_project(user):
    rab = build_small_rab(user)

    summary = rab_loader.load_rab_summary(rab.project)

    totals = summary.totals
    assert totals.total == Decimal("1854149.00")
    assert totals.vat == Decimal("203956.39")
    assert totals.grand_total == Decimal("2058105.39")
    assert totals.rounded_total == Decimal("2058000.00")
    assert summary.terbilang == "dua juta lima puluh delapan ribu rupiah"
    first, second = summary.top_level
    assert (first.number, first.name, first.subtotal, first.weight) == (
        "I",
        "Pekerjaan Persiapan dan Tanah",
        Decimal("1091750.00"),
        Decimal("58.881460"),
    )
    assert (second.number, second.subtotal, second.weight) == (
        "II",
        Decimal("762399.00"),
        Decimal("41.118540"),
    )
    assert (first.item_count, first.child_count, second.item_count) == (2, 2, 1)
    assert summary.item_count == 3
    assert summary.missing_price_count == 0 and summary.is_complete


def test_full_rab_rows_of_the_hand_worked_project(user):
    rab = build_small_rab(user)
    summary = rab_loader.load_rab_summary(rab.project)

    rows = rab_loader.load_full_rab(rab.project, summary)

    assert [(row.kind, row.number) for row in rows] == [
        ("section", "I"),
        ("item", "I.1"),
        ("item", "I.2"),
        ("section", "II"),
        ("item", "II.1"),
    ]
    bowplank, excavation, plastering = rows[1], rows[2], rows[4]
    assert (bowplank.code, bowplank.name, bowplank.unit) == ("C.1", "Pemasangan bowplank", "m'")
    assert (bowplank.volume, bowplank.unit_rate, bowplank.amount, bowplank.weight) == (
        Decimal("2.5"),
        Decimal("62700.00"),
        Decimal("156750.00"),
        Decimal("8.454013"),
    )
    assert excavation.code == "2.2.1.1"  # the reference code wins over the project code
    assert (excavation.amount, excavation.weight) == (Decimal("935000.00"), Decimal("50.427447"))
    assert (plastering.amount, plastering.weight) == (Decimal("762399.00"), Decimal("41.118540"))
    assert all(row.is_open for row in rows if row.kind == "section")


def test_summary_agrees_with_calculate_rab_on_every_item(mixed):
    expected, _ = _reference_totals(mixed)

    totals = rab_loader.load_rab_summary(mixed).totals

    assert totals.subtotals == expected.subtotals
    assert (totals.total, totals.vat, totals.grand_total, totals.rounded_total) == (
        expected.total,
        expected.vat,
        expected.grand_total,
        expected.rounded_total,
    )


def test_full_rab_is_numbered_and_ordered_like_number_tree(mixed):
    expected_totals, numbers = _reference_totals(mixed)
    summary = rab_loader.load_rab_summary(mixed)

    rows = rab_loader.load_full_rab(mixed, summary)

    assert {(row.kind, row.id): row.number for row in rows} == numbers
    assert [row.number for row in rows] == sorted(numbers.values(), key=_tree_key)
    weights = expected_totals.weights
    assert {row.id: row.weight for row in rows if row.kind == "item"} == weights
    assert [row.depth for row in rows if row.kind == "section"] == [0, 1, 2, 1, 1, 1, 0, 0]


def test_section_fragment_rows_match_the_full_view(mixed):
    summary = rab_loader.load_rab_summary(mixed)
    full = {(row.kind, row.id): row for row in rab_loader.load_full_rab(mixed, summary)}

    for section_id, section in summary.sections.items():
        rows = rab_loader.load_section_rows(mixed, section_id, summary)

        head, *children = rows
        assert head.id == section_id and head.is_open
        assert [row.number for row in children] == [
            row.number
            for row in full.values()
            if (row.parent_id if row.kind == "section" else row.section_id) == section_id
        ]
        for row in children:
            same = full[(row.kind, row.id)]
            assert (row.number, row.depth, row.ancestor_ids) == (same.number, same.depth, same.ancestor_ids)
            if row.kind == "item":
                assert (row.amount, row.weight, row.code) == (same.amount, same.weight, same.code)
            else:
                assert not row.is_open
        assert len(children) == section.child_count


def test_items_in_a_mixed_section_are_interleaved_with_sub_sections(mixed):
    summary = rab_loader.load_rab_summary(mixed)
    a = summary.top_level[0]

    rows = rab_loader.load_section_rows(mixed, a.id, summary)

    # a0 (pos 0), A1 (pos 1), A2 and A3 (pos 2, sections first), a2 and a2b (pos 2), A4 (pos 4), a5 (pos 5)
    assert [(row.kind, row.number) for row in rows] == [
        ("section", "I"),
        ("item", "I.1"),
        ("section", "I.2"),
        ("section", "I.3"),
        ("section", "I.4"),
        ("item", "I.5"),
        ("item", "I.6"),
        ("section", "I.7"),
        ("item", "I.8"),
    ]
    assert [row.name for row in rows if row.kind == "section"] == ["A", "A1", "A2", "A3", "A4"]


def test_iter_full_rab_streams_the_same_rows_in_small_chunks(mixed):
    summary = rab_loader.load_rab_summary(mixed)

    streamed = list(rab_loader.iter_full_rab(mixed, summary, chunk_size=1))

    assert streamed == rab_loader.load_full_rab(mixed, summary)


def test_open_ids_open_the_ancestors_and_ignore_unknown_ids(mixed):
    summary = rab_loader.load_rab_summary(mixed)
    a1x = next(s for s in summary.sections.values() if s.name == "A1x")

    rows = rab_loader.load_rab_rows(mixed, summary, open_ids=[a1x.id, 999_999])

    open_names = [row.name for row in rows if row.kind == "section" and row.is_open]
    assert open_names == ["A", "A1", "A1x"]
    assert [row.number for row in rows if row.kind == "item"] == [
        "I.1",  # a0
        "I.2.1",  # A1: its item at position 0, then A1x (position 1, sections first) and its item,
        "I.2.2.1",
        "I.2.3",  # then A1's item at position 1
        "I.5",
        "I.6",
        "I.8",
    ]
    assert [row.name for row in rows if row.kind == "section" and row.depth == 0] == ["A", "B", "C"]


def test_collapsed_rows_are_the_top_level_sections_only(mixed):
    summary = rab_loader.load_rab_summary(mixed)

    rows = rab_loader.load_rab_rows(mixed, summary)

    assert [(row.kind, row.name, row.is_open) for row in rows] == [
        ("section", "A", False),
        ("section", "B", False),
        ("section", "C", False),
    ]
    assert [row.item_count for row in rows] == [9, 1, 0]
    assert rows[2].subtotal == Decimal("0.00") and rows[2].weight == Decimal("0.000000")


def test_rounding_follows_the_project_setting(user):
    rab = build_small_rab(user, rounding_mode="up", rounding_step=10000)

    totals = rab_loader.load_rab_summary(rab.project).totals

    assert totals.rounded_total == Decimal("2060000.00")  # 2.058.105,39 up to Rp 10.000


def test_empty_project(user):
    project = ProjectFactory(owner=user)

    summary = rab_loader.load_rab_summary(project)

    assert summary.totals.total == Decimal("0.00") and summary.totals.rounded_total == Decimal("0.00")
    assert summary.terbilang == "nol rupiah"
    assert rab_loader.load_rab_rows(project, summary) == []
    assert rab_loader.load_full_rab(project, summary) == []


def test_zero_total_gives_zero_weights(user):
    project = ProjectFactory(owner=user)
    section = SectionFactory(project=project, name="S")
    analysis = ProjectAnalysisFactory(project=project, code="C.1", name="A", unit="m2")
    _item(project, section, analysis, 0, "0", "1000")

    summary = rab_loader.load_rab_summary(project)
    rows = rab_loader.load_full_rab(project, summary)

    assert [row.weight for row in rows] == [Decimal("0.000000"), Decimal("0.000000")]


def test_unpriced_resources_are_counted_once_and_only_when_used(user):
    project = ProjectFactory(owner=user)
    a1 = ProjectAnalysisFactory(project=project, code="C.1", name="A1", unit="m2")
    a2 = ProjectAnalysisFactory(project=project, code="C.2", name="A2", unit="m2")

    def resource(code, price):
        return ProjectResourceFactory(
            project=project, code=code, name=code, unit="kg", category="material", unit_price=price
        )

    used_twice, used_once, priced = resource("M.1", None), resource("M.2", None), resource("M.3", 5)
    resource("M.4", None)  # not used by any analysis
    for analysis, res in ((a1, used_twice), (a2, used_twice), (a2, used_once), (a1, priced)):
        AnalysisComponentFactory(analysis=analysis, resource=res, coefficient=Decimal("1"))

    assert rab_loader.count_unpriced_resources(project) == 2
    summary = rab_loader.load_rab_summary(project)
    assert summary.missing_price_count == 2 and not summary.is_complete
    assert rab_loader.load_rab_summary(project, count_missing_prices=False).missing_price_count is None


def _queries(function) -> int:
    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured)


def test_query_counts_do_not_grow_with_the_project(user, django_assert_num_queries):
    small = build_synthetic_project(user, name="Kecil", top=2, sub=2, items=10, components=2, resources=10)
    big = build_synthetic_project(user, name="Besar", top=10, sub=9, items=2000, components=2, resources=50)

    def counts(project):
        summary = rab_loader.load_rab_summary(project)
        top = summary.children[None][0]
        leaf = next(s.id for s in summary.sections.values() if s.direct_item_count)
        return {
            "summary": _queries(lambda: rab_loader.load_rab_summary(project)),
            "summary without count": _queries(
                lambda: rab_loader.load_rab_summary(project, count_missing_prices=False)
            ),
            "collapsed rows": _queries(lambda: rab_loader.load_rab_rows(project, summary)),
            "open path": _queries(lambda: rab_loader.load_rab_rows(project, summary, [leaf])),
            "top fragment": _queries(lambda: rab_loader.load_section_rows(project, top, summary)),
            "leaf fragment": _queries(lambda: rab_loader.load_section_rows(project, leaf, summary)),
            "full": _queries(lambda: rab_loader.load_full_rab(project, summary)),
            "streamed": _queries(lambda: list(rab_loader.iter_full_rab(project, summary, chunk_size=100))),
        }

    small_counts = counts(small)
    assert counts(big) == small_counts
    assert small_counts == {
        "summary": 4,
        "summary without count": 3,
        "collapsed rows": 0,
        "open path": 1,
        "top fragment": 0,  # a top-level section holding only sub-sections needs no item query
        "leaf fragment": 1,
        "full": 1,
        "streamed": 1,
    }
    with django_assert_num_queries(5):
        summary = rab_loader.load_rab_summary(big)
        rows = rab_loader.load_full_rab(big, summary)
    assert len(rows) == 2000 + 100
    assert sum(row.amount for row in rows if row.kind == "item") == summary.totals.total
