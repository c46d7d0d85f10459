"""ahsp.calculations.numbering: derived I / I.1 / I.1.1 numbering and roman numerals. Pure, no DB."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ahsp.calculations.numbering import number_tree, to_roman
from ahsp.calculations.totals import ItemInput, SectionInput


def item(item_id, section_id, position):
    return ItemInput(item_id, section_id, position, Decimal("1"), Decimal("1"))


# Section 1 (pos 1) holds items 10 (pos 1) and 11 (pos 2).
# Section 2 (pos 2) holds, by position: sub-section 3 (pos 1), item 20 (pos 2), sub-section 4 (pos 3).
# Sub-section 3 holds item 31 (pos 0) and item 30 (pos 1); sub-section 4 holds item 40.
SECTIONS = [SectionInput(2, None, 2), SectionInput(1, None, 1), SectionInput(3, 2, 1), SectionInput(4, 2, 3)]
ITEMS = [item(10, 1, 1), item(11, 1, 2), item(20, 2, 2), item(30, 3, 1), item(31, 3, 0), item(40, 4, 1)]


def test_number_tree_roman():
    assert number_tree(SECTIONS, ITEMS, "roman") == {
        ("section", 1): "I",
        ("item", 10): "I.1",
        ("item", 11): "I.2",
        ("section", 2): "II",
        ("section", 3): "II.1",
        ("item", 20): "II.2",  # items and sub-sections share their parent's counter, by position
        ("section", 4): "II.3",
        ("item", 31): "II.1.1",  # position 0 comes before position 1
        ("item", 30): "II.1.2",
        ("item", 40): "II.3.1",
    }


def test_number_tree_arabic():
    assert number_tree(SECTIONS, ITEMS, style="arabic") == {
        ("section", 1): "1",
        ("item", 10): "1.1",
        ("item", 11): "1.2",
        ("section", 2): "2",
        ("section", 3): "2.1",
        ("item", 20): "2.2",
        ("section", 4): "2.3",
        ("item", 31): "2.1.1",
        ("item", 30): "2.1.2",
        ("item", 40): "2.3.1",
    }


def test_number_tree_default_style_is_roman():
    assert number_tree(SECTIONS, ITEMS)[("section", 2)] == "II"


def test_number_tree_ties_sections_first_then_id():
    """Same position 5 under section 1: sub-section 7 first, then items by id (8 before 9)."""
    sections = [SectionInput(1, None, 0), SectionInput(7, 1, 5)]
    items = [item(9, 1, 5), item(8, 1, 5)]
    numbers = number_tree(sections, items)
    assert (numbers[("section", 7)], numbers[("item", 8)], numbers[("item", 9)]) == ("I.1", "I.2", "I.3")


def test_number_tree_many_top_sections():
    sections = [SectionInput(i, None, i) for i in range(1, 16)]
    numbers = number_tree(sections, [])
    assert [numbers[("section", i)] for i in (1, 4, 9, 10, 14, 15)] == ["I", "IV", "IX", "X", "XIV", "XV"]


def test_number_tree_deep():
    """Five levels: I, I.1, I.1.1, I.1.1.1, I.1.1.1.1, and the item I.1.1.1.1.1."""
    sections = [SectionInput(1, None, 1)] + [SectionInput(i, i - 1, 1) for i in range(2, 6)]
    numbers = number_tree(sections, [item(1, 5, 1)])
    assert numbers[("section", 5)] == "I.1.1.1.1"
    assert numbers[("item", 1)] == "I.1.1.1.1.1"


def test_number_tree_empty():
    assert number_tree([], []) == {}


@pytest.mark.parametrize(
    ("sections", "items", "style"),
    [
        (SECTIONS, ITEMS, "alpha"),  # unknown style
        ([SectionInput(1, 9, 1)], [], "roman"),  # unknown parent
        ([SectionInput(1, None, 1)], [item(1, 9, 1)], "roman"),  # unknown section
        ([SectionInput(1, None, 1), SectionInput(2, 3, 1), SectionInput(3, 2, 1)], [], "roman"),  # loop
    ],
)
def test_number_tree_rejects_broken_input(sections, items, style):
    with pytest.raises(ValueError):
        number_tree(sections, items, style)


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, "I"),
        (2, "II"),
        (3, "III"),
        (4, "IV"),
        (5, "V"),
        (9, "IX"),
        (14, "XIV"),  # 10 + 4
        (40, "XL"),
        (49, "XLIX"),  # 40 + 9
        (90, "XC"),
        (400, "CD"),
        (444, "CDXLIV"),  # 400 + 40 + 4
        (900, "CM"),
        (1994, "MCMXCIV"),  # 1000 + 900 + 90 + 4
        (2024, "MMXXIV"),
        (3888, "MMMDCCCLXXXVIII"),  # the longest below 4000
        (3999, "MMMCMXCIX"),
        (4000, "MMMM"),  # beyond 3999: repeated M (documented)
    ],
)
def test_to_roman_table(n, expected):
    assert to_roman(n) == expected


@pytest.mark.parametrize("n", [0, -1, True, 1.0])
def test_to_roman_rejects_non_positive(n):
    with pytest.raises(ValueError):
        to_roman(n)


_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


def _from_roman(text: str) -> int:
    """An independent reader: subtract a symbol that precedes a larger one."""
    total = 0
    for index, char in enumerate(text):
        value = _VALUES[char]
        following = _VALUES[text[index + 1]] if index + 1 < len(text) else 0
        total += -value if value < following else value
    return total


def test_to_roman_round_trips_and_is_unique_up_to_3999():
    seen = set()
    for n in range(1, 4000):
        numeral = to_roman(n)
        assert _from_roman(numeral) == n
        # canonical form: no symbol four times in a row, only the six subtractive pairs
        assert not any(c * 4 in numeral for c in "IXCM")
        seen.add(numeral)
    assert len(seen) == 3999


@given(st.lists(st.tuples(st.integers(0, 5), st.booleans()), min_size=1, max_size=15))
def test_number_tree_numbers_are_unique_and_consecutive(children):
    """Under one section, any mix of sub-sections and items gets 1..n once each."""
    sections = [SectionInput(1, None, 1)]
    items = []
    for index, (position, is_section) in enumerate(children, start=2):
        if is_section:
            sections.append(SectionInput(index, 1, position))
        else:
            items.append(item(index, 1, position))
    numbers = number_tree(sections, items, "arabic")
    labels = sorted(int(label.split(".")[1]) for key, label in numbers.items() if key != ("section", 1))
    assert labels == list(range(1, len(children) + 1))
