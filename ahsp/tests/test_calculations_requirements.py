"""ahsp.calculations.requirements: resource quantities through nested analyses, and their costs.

Expected values are worked out by hand in the comments (no database)."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ahsp.calculations.requirements import (
    calculate_costs,
    calculate_requirements,
    item_requirements,
    requirement_cost,
    resource_vectors,
)
from ahsp.calculations.unit_price import AnalysisCycleError, UnknownAnalysisError

D = Decimal
PEKERJA, MANDOR, KAYU, SEMEN, BESI = 1, 2, 3, 4, 5

# The small RAB of ahsp/tests/rab_data.py: C.1 bowplank, C.2 galian, C.3 plesteran.
SMALL_RAB = {
    11: [(PEKERJA, None, D("0.1")), (KAYU, None, D("0.012"))],
    12: [(PEKERJA, None, D("0.5")), (MANDOR, None, D("0.05"))],
    13: [(PEKERJA, None, D("0.3")), (SEMEN, None, D("6.24"))],
}
SMALL_RAB_ITEMS = [(101, 11, D("2.5")), (102, 12, D("10")), (103, 13, D("12.75"))]

# Two levels of nesting; Pekerja is used directly AND through the nested analyses.
#   21 beton 1 m3:  Semen 371, Pekerja 1,65
#   22 plat 1 m2:   0,12 x [21], Pekerja 0,5, Besi 10
#   23 lantai 1 m2: 2 x [22], Pekerja 0,1
NESTED = {
    21: [(SEMEN, None, D("371")), (PEKERJA, None, D("1.65"))],
    22: [(None, 21, D("0.12")), (PEKERJA, None, D("0.5")), (BESI, None, D("10"))],
    23: [(None, 22, D("2")), (PEKERJA, None, D("0.1"))],
}
NESTED_ITEMS = [(201, 23, D("3")), (202, 22, D("1.5")), (203, 21, D("0.25"))]
NESTED_PRICES = {SEMEN: D("1500"), PEKERJA: D("150000"), BESI: D("14000")}


@pytest.mark.parametrize(
    ("analyses", "expected"),
    [
        # One level: the coefficients themselves.
        (
            {1: [(PEKERJA, None, D("0.1")), (KAYU, None, D("0.012"))]},
            {1: {PEKERJA: D("0.1"), KAYU: D("0.012")}},
        ),
        # The same resource twice in one analysis is summed: 0,3 + 0,05 = 0,35.
        ({1: [(PEKERJA, None, D("0.3")), (PEKERJA, None, D("0.05"))]}, {1: {PEKERJA: D("0.35")}}),
        # 21: as given. 22: Semen 0,12 x 371 = 44,52; Pekerja 0,12 x 1,65 + 0,5 = 0,198 + 0,5 = 0,698;
        # Besi 10. 23: Semen 2 x 44,52 = 89,04; Pekerja 2 x 0,698 + 0,1 = 1,396 + 0,1 = 1,496; Besi 20.
        (
            NESTED,
            {
                21: {SEMEN: D("371"), PEKERJA: D("1.65")},
                22: {SEMEN: D("44.52"), PEKERJA: D("0.698"), BESI: D("10")},
                23: {SEMEN: D("89.04"), PEKERJA: D("1.496"), BESI: D("20")},
            },
        ),
        # Diamond: 3 uses 1 (x2) and 2 (x3), 2 uses 1 (x0,5): Pekerja 2 x 1 + 3 x 0,5 x 1 = 2 + 1,5 = 3,5.
        (
            {
                1: [(PEKERJA, None, D("1"))],
                2: [(None, 1, D("0.5"))],
                3: [(None, 1, D("2")), (None, 2, D("3"))],
            },
            {1: {PEKERJA: D("1")}, 2: {PEKERJA: D("0.5")}, 3: {PEKERJA: D("3.5")}},
        ),
        # An analysis without components needs nothing.
        ({1: []}, {1: {}}),
    ],
)
def test_resource_vectors_hand_worked(analyses, expected):
    assert resource_vectors(analyses) == expected


def test_resource_vectors_only_computes_what_is_needed():
    # 22 needs 21; 23 is neither asked for nor nested.
    assert set(resource_vectors(NESTED, only=[22])) == {21, 22}


@pytest.mark.parametrize(
    ("analyses", "items", "expected"),
    [
        # Small RAB: Pekerja 0,1 x 2,5 + 0,5 x 10 + 0,3 x 12,75 = 0,25 + 5 + 3,825 = 9,075 OH;
        # Mandor 0,05 x 10 = 0,5 OH; Kayu 0,012 x 2,5 = 0,03 m3; Semen 6,24 x 12,75 = 79,56 kg.
        (
            SMALL_RAB,
            SMALL_RAB_ITEMS,
            {PEKERJA: D("9.075"), MANDOR: D("0.5"), KAYU: D("0.03"), SEMEN: D("79.56")},
        ),
        # Only section I of the small RAB (items 101 and 102): Pekerja 0,25 + 5 = 5,25.
        (
            SMALL_RAB,
            SMALL_RAB_ITEMS[:2],
            {PEKERJA: D("5.25"), MANDOR: D("0.5"), KAYU: D("0.03")},
        ),
        # Nested: Semen 3 x 89,04 + 1,5 x 44,52 + 0,25 x 371 = 267,12 + 66,78 + 92,75 = 426,65;
        # Pekerja 3 x 1,496 + 1,5 x 0,698 + 0,25 x 1,65 = 4,488 + 1,047 + 0,4125 = 5,9475;
        # Besi 3 x 20 + 1,5 x 10 = 60 + 15 = 75.
        (NESTED, NESTED_ITEMS, {SEMEN: D("426.65"), PEKERJA: D("5.9475"), BESI: D("75")}),
        # Two items of the same analysis add up: 0,5 x (2 + 4) = 3; a zero volume keeps the resource at 0.
        (SMALL_RAB, [(1, 12, D("2")), (2, 12, D("4"))], {PEKERJA: D("3"), MANDOR: D("0.3")}),
        (SMALL_RAB, [(1, 11, D("0"))], {PEKERJA: D("0"), KAYU: D("0")}),
        (SMALL_RAB, [], {}),
    ],
)
def test_calculate_requirements_hand_worked(analyses, items, expected):
    assert calculate_requirements(analyses, items) == expected


def test_item_requirements_per_item_and_their_sum_is_the_total():
    per_item = item_requirements(NESTED, NESTED_ITEMS)

    # Item 202 (1,5 m2 of plat): Semen 1,5 x 44,52 = 66,78; Pekerja 1,5 x 0,698 = 1,047; Besi 15.
    assert per_item[202] == {SEMEN: D("66.78"), PEKERJA: D("1.047"), BESI: D("15")}
    summed: dict[int, Decimal] = {}
    for vector in per_item.values():
        for resource_id, quantity in vector.items():
            summed[resource_id] = summed.get(resource_id, D(0)) + quantity
    assert summed == calculate_requirements(NESTED, NESTED_ITEMS)


def test_costs_of_the_nested_example_equal_sum_of_volume_times_direct_cost():
    quantities = calculate_requirements(NESTED, NESTED_ITEMS)

    costs = calculate_costs(quantities, NESTED_PRICES)

    # Semen 426,65 x 1.500 = 639.975; Pekerja 5,9475 x 150.000 = 892.125; Besi 75 x 14.000 = 1.050.000.
    assert costs.costs == {SEMEN: D("639975"), PEKERJA: D("892125"), BESI: D("1050000")}
    # 639.975 + 892.125 + 1.050.000 = 2.582.100. By D: D21 = 371 x 1.500 + 1,65 x 150.000 = 804.000;
    # D22 = 0,12 x 804.000 + 0,5 x 150.000 + 10 x 14.000 = 96.480 + 75.000 + 140.000 = 311.480;
    # D23 = 2 x 311.480 + 0,1 x 150.000 = 637.960;
    # 3 x 637.960 + 1,5 x 311.480 + 0,25 x 804.000 = 1.913.880 + 467.220 + 201.000 = 2.582.100.
    assert costs.total == D("2582100") and costs.missing == ()


def test_costs_of_the_small_rab():
    quantities = calculate_requirements(SMALL_RAB, SMALL_RAB_ITEMS)
    prices = {PEKERJA: D("150000"), MANDOR: D("200000"), KAYU: D("3500000"), SEMEN: D("1500")}

    costs = calculate_costs(quantities, prices)

    # 9,075 x 150.000 = 1.361.250; 0,5 x 200.000 = 100.000; 0,03 x 3.500.000 = 105.000;
    # 79,56 x 1.500 = 119.340; total 1.685.590 = 142.500 + 850.000 + 693.090 (sum of volume x D).
    assert costs.costs == {PEKERJA: D("1361250"), MANDOR: D("100000"), KAYU: D("105000"), SEMEN: D("119340")}
    assert costs.total == D("1685590")


def test_missing_price_has_no_cost_and_is_counted():
    costs = calculate_costs({PEKERJA: D("2"), SEMEN: D("10"), BESI: D("1")}, {PEKERJA: D("100"), SEMEN: None})

    # Semen has price None, Besi none at all: both missing; the total is Pekerja's 2 x 100 = 200.
    assert costs.costs == {PEKERJA: D("200"), SEMEN: None, BESI: None}
    assert costs.missing == (SEMEN, BESI)
    assert costs.total == D("200")


@pytest.mark.parametrize(
    ("quantity", "price", "expected"),
    [
        (D("9.075"), D("150000"), D("1361250")),
        (D("0.000001"), D("0.01"), D("0.00000001")),  # exact, never rounded
        (D("3"), None, None),
    ],
)
def test_requirement_cost(quantity, price, expected):
    assert requirement_cost(quantity, price) == expected


@pytest.mark.parametrize(
    ("analyses", "cycle"),
    [
        ({1: [(None, 1, D("1"))]}, [1, 1]),
        ({1: [(None, 2, D("1"))], 2: [(None, 3, D("1"))], 3: [(None, 1, D("1"))]}, [1, 2, 3, 1]),
    ],
)
def test_cycles_are_rejected(analyses, cycle):
    with pytest.raises(AnalysisCycleError) as excinfo:
        calculate_requirements(analyses, [(1, 1, D("1"))])
    assert excinfo.value.cycle == cycle
    assert isinstance(excinfo.value, ValueError)


@pytest.mark.parametrize(
    ("analyses", "items", "error"),
    [
        ({1: [(None, 9, D("1"))]}, [(1, 1, D("1"))], UnknownAnalysisError),
        ({1: []}, [(1, 9, D("1"))], ValueError),
        ({1: [(PEKERJA, 2, D("1"))], 2: []}, [(1, 1, D("1"))], ValueError),
        ({1: [(None, None, D("1"))]}, [(1, 1, D("1"))], ValueError),
        ({1: [(PEKERJA, None, 0.1)]}, [(1, 1, D("1"))], TypeError),
        ({1: [(PEKERJA, None, D("1"))]}, [(1, 1, 2.5)], TypeError),
    ],
)
def test_invalid_inputs_are_rejected(analyses, items, error):
    with pytest.raises(error):
        calculate_requirements(analyses, items)


def test_deep_nesting_has_no_recursion_limit():
    depth = 3000
    analyses = {0: [(PEKERJA, None, D("1"))]}
    analyses.update({i: [(None, i - 1, D("1"))] for i in range(1, depth)})
    assert calculate_requirements(analyses, [(1, depth - 1, D("2"))]) == {PEKERJA: D("2")}


# ------------------------------------------------------------------------------------------- property


@st.composite
def estimates(draw):
    """Random acyclic analyses (an analysis nests only lower ids), prices (some missing) and items."""
    coefficients = st.decimals(min_value=0, max_value=500, places=6, allow_nan=False, allow_infinity=False)
    nesting = st.decimals(min_value=0, max_value=20, places=4, allow_nan=False, allow_infinity=False)
    n_resources = draw(st.integers(min_value=1, max_value=6))
    n_analyses = draw(st.integers(min_value=1, max_value=6))
    analyses = {}
    for analysis_id in range(1, n_analyses + 1):
        components = []
        for _ in range(draw(st.integers(min_value=0, max_value=5))):
            if analysis_id > 1 and draw(st.booleans()):
                nested = draw(st.integers(min_value=1, max_value=analysis_id - 1))
                components.append((None, nested, draw(nesting)))
            else:
                resource = draw(st.integers(min_value=1, max_value=n_resources))
                components.append((resource, None, draw(coefficients)))
        analyses[analysis_id] = components
    prices = st.none() | st.decimals(min_value=0, max_value=10**8, places=2, allow_nan=False)
    unit_prices = {rid: draw(prices) for rid in range(1, n_resources + 1)}
    volumes = st.decimals(min_value=0, max_value=10**5, places=4, allow_nan=False, allow_infinity=False)
    items = [
        (item_id, draw(st.integers(min_value=1, max_value=n_analyses)), draw(volumes))
        for item_id in range(draw(st.integers(min_value=0, max_value=8)))
    ]
    return analyses, unit_prices, items


def direct_cost(analyses, unit_prices, analysis_id) -> Fraction:
    """D per unit, computed independently with Fractions: sum of k x price (missing = 0) + k x nested D."""
    total = Fraction(0)
    for resource_id, nested_id, coefficient in analyses[analysis_id]:
        if nested_id is not None:
            total += Fraction(coefficient) * direct_cost(analyses, unit_prices, nested_id)
        elif unit_prices[resource_id] is not None:
            total += Fraction(coefficient) * Fraction(unit_prices[resource_id])
    return total


@settings(deadline=None, max_examples=200)
@given(estimates())
def test_sum_of_requirement_costs_equals_sum_of_volume_times_direct_cost(estimate):
    analyses, unit_prices, items = estimate

    costs = calculate_costs(calculate_requirements(analyses, items), unit_prices)

    expected = sum(
        (
            Fraction(volume) * direct_cost(analyses, unit_prices, analysis_id)
            for _, analysis_id, volume in items
        ),
        Fraction(0),
    )
    assert Fraction(costs.total) == expected
    assert set(costs.missing) == {rid for rid, cost in costs.costs.items() if cost is None}
