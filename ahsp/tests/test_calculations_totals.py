"""ahsp.calculations.totals: the RAB recap (amounts, subtotals, PPN, rounding, bobot). Pure, no DB.

Expected values are worked out by hand in the comments.
"""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ahsp.calculations.money import quantize_money
from ahsp.calculations.totals import (
    ItemInput,
    SectionInput,
    apply_amount_change,
    calculate_rab,
    line_amount,
    section_path,
    section_weight,
)

D = Decimal

# I  Persiapan (section 1)
#    item 11: 1 ls x 2,500,000.00                     = 2,500,000.00
# II Struktur (section 2)
#    II.1 Beton (section 3, under 2)
#       item 21: 12.5 m3 x 994,675.00                 = 12,433,437.50   (994,675 x 12 = 11,936,100; + 497,337.5)
#       item 22: 3.3333 m2 x 127,259.00               = 424,192.4247 -> 424,192.42
#                (127,259 x 3 = 381,777; 127,259 x 0.3333 = 42,415.4247)
# subtotal I = 2,500,000.00; II.1 = 12,433,437.50 + 424,192.42 = 12,857,629.92; II = II.1 = 12,857,629.92
# total = 2,500,000.00 + 12,857,629.92 = 15,357,629.92
# PPN 11 % = 15,357,629.92 x 0.11 = 1,535,762.992 + 153,576.2992 = 1,689,339.2912 -> 1,689,339.29
# grand total = 15,357,629.92 + 1,689,339.29 = 17,046,969.21
# rounded down to Rp 1,000 = 17,046,000
SECTIONS = [SectionInput(1, None, 1), SectionInput(2, None, 2), SectionInput(3, 2, 1)]
ITEMS = [
    ItemInput(11, 1, 1, D("1"), D("2500000.00")),
    ItemInput(21, 3, 1, D("12.5"), D("994675.00")),
    ItemInput(22, 3, 2, D("3.3333"), D("127259.00")),
]


def recap(sections=SECTIONS, items=ITEMS, vat="11", step=1000, mode="down"):
    return calculate_rab(sections, items, vat_pct=D(vat), rounding_step=step, rounding_mode=mode)


def test_rab_worked_example():
    totals = recap()
    assert totals.amounts == {11: D("2500000.00"), 21: D("12433437.50"), 22: D("424192.42")}
    assert totals.subtotals == {1: D("2500000.00"), 2: D("12857629.92"), 3: D("12857629.92")}
    assert totals.total == D("15357629.92")
    assert totals.vat == D("1689339.29")
    assert totals.grand_total == D("17046969.21")
    assert totals.rounded_total == D("17046000")
    assert all(amount.as_tuple().exponent == -2 for amount in totals.amounts.values())


@pytest.mark.parametrize(
    ("step", "mode", "expected"),
    [
        (1000, "down", D("17046000")),
        (1000, "half_up", D("17047000")),  # 969.21 >= 500 -> up
        (1000, "up", D("17047000")),
        (100000, "down", D("17000000")),
        (1, "down", D("17046969")),
        (0, "down", D("17046969.21")),  # step 0: no rounding
    ],
)
def test_rab_rounding_rules(step, mode, expected):
    assert recap(step=step, mode=mode).rounded_total == expected


def test_rab_vat_is_rounded_half_up_to_cents():
    """total 100.05 x 11 % = 11.0055 -> 11.01 (half-up); grand = 111.06."""
    totals = recap([SectionInput(1, None, 1)], [ItemInput(1, 1, 1, D("1"), D("100.05"))], step=0)
    assert totals.vat == D("11.01")
    assert totals.grand_total == D("111.06")


def test_rab_amount_is_rounded_half_up_to_cents():
    """2.5 x 0.01 = 0.025 -> 0.03 (half-up; banker's would give 0.02)."""
    totals = recap([SectionInput(1, None, 1)], [ItemInput(1, 1, 1, D("2.5"), D("0.01"))], vat="0", step=0)
    assert totals.amounts[1] == D("0.03") and totals.total == D("0.03")


@pytest.mark.parametrize(
    ("amounts", "expected"),
    [
        ([D("25"), D("50"), D("25")], [D("25"), D("50"), D("25")]),  # 25/100, 50/100, 25/100
        ([D("2"), D("1")], [D("66.666667"), D("33.333333")]),  # 2/3 = 66.6666..67, 1/3 = 33.3333..
        ([D("1"), D("1"), D("1")], [D("33.333333")] * 3),  # sums to 99.999999: rounded one by one
        ([D("1"), D("7")], [D("12.5"), D("87.5")]),  # 1/8, 7/8 exact
    ],
)
def test_rab_weights(amounts, expected):
    items = [ItemInput(i, 1, i, D("1"), amount) for i, amount in enumerate(amounts)]
    totals = recap([SectionInput(1, None, 1)], items, step=0)
    assert [totals.weights[i] for i in range(len(amounts))] == expected
    assert section_weight(totals, 1) == D("100")


def test_rab_section_weight():
    """Section I: 25 of 100 -> 25 %; section II (with II.1): 75 of 100 -> 75 %."""
    sections = [SectionInput(1, None, 1), SectionInput(2, None, 2), SectionInput(3, 2, 1)]
    items = [ItemInput(1, 1, 1, D("1"), D("25")), ItemInput(2, 3, 1, D("3"), D("25"))]
    totals = recap(sections, items)
    assert section_weight(totals, 1) == D("25")
    assert section_weight(totals, 2) == D("75") == section_weight(totals, 3)


def test_rab_zero_total_has_zero_weights_and_no_division_error():
    items = [ItemInput(1, 1, 1, D("0"), D("1000")), ItemInput(2, 1, 2, D("5"), D("0"))]
    totals = recap([SectionInput(1, None, 1), SectionInput(2, None, 2)], items)
    assert totals.total == 0 and totals.vat == 0 and totals.rounded_total == 0
    assert totals.weights == {1: D("0"), 2: D("0")}
    assert section_weight(totals, 1) == 0 and section_weight(totals, 2) == 0


def test_rab_empty_project():
    totals = recap([], [])
    assert totals.amounts == {} and totals.subtotals == {} and totals.total == 0 and totals.weights == {}


def test_rab_empty_section_has_zero_subtotal():
    totals = recap([*SECTIONS, SectionInput(4, 2, 2)])
    assert totals.subtotals[4] == D("0.00")
    assert totals.subtotals[2] == D("12857629.92")


def test_apply_amount_change_worked_example():
    """Item 22's volume becomes 4: amount = 127,259 x 4 = 509,036.00 (was 424,192.42).
    II.1 = II = 12,433,437.50 + 509,036.00 = 12,942,473.50; I unchanged = 2,500,000.00
    total = 15,442,473.50; PPN = 1,544,247.35 + 154,424.735 = 1,698,672.085 -> 1,698,672.09 (half-up)
    grand = 17,141,145.59; rounded down = 17,141,000."""
    before = recap()
    before_weights = dict(before.weights)
    after = apply_amount_change(before, 22, D("509036.00"), section_path(SECTIONS, 3))
    assert after.amounts[22] == D("509036.00")
    assert after.subtotals == {1: D("2500000.00"), 2: D("12942473.50"), 3: D("12942473.50")}
    assert after.total == D("15442473.50")
    assert after.vat == D("1698672.09")
    assert after.grand_total == D("17141145.59")
    assert after.rounded_total == D("17141000")
    # the same as recomputing from scratch, weights included (recomputed lazily on the new object)
    changed = [*ITEMS[:2], ItemInput(22, 3, 2, D("4"), D("127259.00"))]
    assert after == recap(items=changed)
    assert after.weights == recap(items=changed).weights
    # the old object is untouched
    assert before.total == D("15357629.92") and before.weights == before_weights


def test_apply_amount_change_unknown_item():
    with pytest.raises(KeyError):
        apply_amount_change(recap(), 999, D("1"), [1])


def test_section_path():
    assert section_path(SECTIONS, 3) == [3, 2]
    assert section_path(SECTIONS, 1) == [1]


@pytest.mark.parametrize(
    ("sections", "items"),
    [
        ([SectionInput(1, None, 1)], [ItemInput(1, 9, 1, D("1"), D("1"))]),  # item in unknown section
        ([SectionInput(1, 7, 1)], []),  # unknown parent
        ([SectionInput(1, 2, 1), SectionInput(2, 1, 1)], []),  # loop
        ([SectionInput(1, None, 1), SectionInput(1, None, 2)], []),  # duplicate section id
        (
            [SectionInput(1, None, 1)],
            [ItemInput(1, 1, 1, D("1"), D("1")), ItemInput(1, 1, 2, D("1"), D("1"))],
        ),  # duplicate item id
    ],
)
def test_rab_rejects_broken_trees(sections, items):
    with pytest.raises(ValueError):
        recap(sections, items)


@pytest.mark.parametrize(
    ("volume", "unit_rate", "expected"),
    [
        (D("3.3333"), D("127259.00"), "424192.42"),  # 424,192.4247 (see the worked example above)
        (D("2.5"), D("0.01"), "0.03"),  # 0.025 -> half-up
        (D("0"), D("994675.00"), "0.00"),
        # 20 + 18 significant digits: beyond the default 28-digit precision, still exact before rounding
        # 123456789012345.6789 x 1000.005 = 123456789012345678.9 + 617283945061.7283945 = 123457406296290740.6283945
        (D("123456789012345.6789"), D("1000.005"), "123457406296290740.63"),
    ],
)
def test_line_amount(volume, unit_rate, expected):
    assert str(line_amount(volume, unit_rate)) == expected


def test_item_input_refuses_float():
    with pytest.raises(TypeError):
        ItemInput(1, 1, 1, 2.5, D("1"))


# ------------------------------------------------------------------------------------- properties


@st.composite
def projects(draw):
    """A random tree of up to 6 sections (parents always earlier ids) with up to 12 items."""
    n_sections = draw(st.integers(min_value=1, max_value=6))
    sections = [SectionInput(1, None, 1)]
    for section_id in range(2, n_sections + 1):
        parent = draw(st.none() | st.integers(min_value=1, max_value=section_id - 1))
        sections.append(SectionInput(section_id, parent, section_id))
    volumes = st.decimals(min_value=0, max_value=10**6, places=4, allow_nan=False, allow_infinity=False)
    rates = st.decimals(min_value=0, max_value=10**8, places=2, allow_nan=False, allow_infinity=False)
    n_items = draw(st.integers(min_value=1, max_value=12))
    items = [
        ItemInput(i, draw(st.integers(min_value=1, max_value=n_sections)), i, draw(volumes), draw(rates))
        for i in range(1, n_items + 1)
    ]
    changed = draw(st.sampled_from(items))
    new_volume = draw(volumes)
    return sections, items, changed, new_volume


@settings(deadline=None)
@given(projects())
def test_rab_properties(case):
    sections, items, changed, new_volume = case
    totals = recap(sections, items)
    # the total is the sum of the amounts, and of the top-level subtotals
    assert totals.total == sum(totals.amounts.values())
    assert totals.total == sum(totals.subtotals[s.id] for s in sections if s.parent_id is None)
    # a subtotal = its own items + its child sections
    for section in sections:
        own = sum(totals.amounts[i.id] for i in items if i.section_id == section.id)
        children = sum(totals.subtotals[s.id] for s in sections if s.parent_id == section.id)
        assert totals.subtotals[section.id] == own + children
    assert totals.grand_total == totals.total + totals.vat
    # weights: each within [0, 100], their sum within n x half a millionth of 100
    if totals.total:
        assert abs(sum(totals.weights.values()) - 100) <= D("0.0000005") * len(items)
    # the incremental update equals a full recompute
    new_items = [
        i if i.id != changed.id else ItemInput(i.id, i.section_id, i.position, new_volume, i.unit_rate)
        for i in items
    ]
    new_amount = quantize_money(new_volume * changed.unit_rate)
    incremental = apply_amount_change(
        totals, changed.id, new_amount, section_path(sections, changed.section_id)
    )
    full = recap(sections, new_items)
    assert incremental == full
    assert incremental.weights == full.weights
