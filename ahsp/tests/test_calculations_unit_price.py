"""ahsp.calculations.unit_price: A, B, C, D, E and HSP, nested analyses, cycles. Pure, no DB.

Expected values are worked out by hand in the docstrings/comments (never copied from the code's output).
"""

from decimal import Decimal, localcontext

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ahsp.calculations.unit_price import (
    AnalysisCycleError,
    AnalysisInput,
    ComponentInput,
    UnitPriceBreakdown,
    UnknownAnalysisError,
    calculate_unit_prices,
    component_amount,
    find_cycle,
)

D = Decimal


def labour(k, p):
    return ComponentInput("labour", D(k), None if p is None else D(p))


def material(k, p):
    return ComponentInput("material", D(k), None if p is None else D(p))


def equipment(k, p):
    return ComponentInput("equipment", D(k), None if p is None else D(p))


def other(k, p):
    return ComponentInput("other", D(k), None if p is None else D(p))


def nested(k, analysis_id):
    return ComponentInput("", D(k), None, nested_analysis_id=analysis_id)


def analysis(analysis_id, *components, overhead="10"):
    return AnalysisInput(id=analysis_id, components=tuple(components), overhead_pct=D(overhead))


def by_id(*analyses):
    return {a.id: a for a in analyses}


# ------------------------------------------------------------------------------------ single analysis


def test_unit_price_one_analysis_all_categories():
    """1 m3 beton (made-up prices), BUK 10 %.

    A = 1.65 x 100,000 + 0.275 x 120,000 = 165,000 + 33,000 = 198,000
    B = 371 x 1,500 + 0.499 x 250,000 = 556,500 + 124,750 = 681,250
    C = 0.25 x 80,000 = 20,000;  other = 1 x 5,000 = 5,000
    D = 198,000 + 681,250 + 20,000 + 5,000 = 904,250
    E = 904,250 x 10 / 100 = 90,425;  HSP = 904,250 + 90,425 = 994,675.00
    """
    beton = analysis(
        1,
        labour("1.65", "100000"),
        labour("0.275", "120000"),
        material("371", "1500"),
        material("0.499", "250000"),
        equipment("0.25", "80000"),
        other("1", "5000"),
    )
    result = calculate_unit_prices(by_id(beton))[1]
    assert result == UnitPriceBreakdown(
        labour=D("198000"),
        material=D("681250"),
        equipment=D("20000"),
        other=D("5000"),
        direct=D("904250"),
        overhead=D("90425"),
        unit_rate=D("994675.00"),
        missing_prices=0,
    )
    assert str(result.unit_rate) == "994675.00"


FRACTIONAL = analysis(7, labour("0.0325", "123456.78"), material("0.15", "2000.50"), overhead="12.5")
# A = 0.0325 x 123,456.78: 0.03 x 123,456.78 = 3,703.7034; 0.0025 x 123,456.78 = 308.64195 -> 4,012.34535
# B = 0.15 x 2,000.50 = 300.075
# D = 4,012.34535 + 300.075 = 4,312.42035
# E = 4,312.42035 x 12.5 / 100 = 4,312.42035 / 8 = 539.05254375   (check: 539.05254375 x 8 = 4,312.42035)
# D + E = 4,851.47289375 -> HSP 4,851.47 (cents, half-up)


def test_unit_price_keeps_a_to_e_exact_and_quantizes_only_hsp():
    result = calculate_unit_prices(by_id(FRACTIONAL))[7]
    assert result.labour == D("4012.34535")
    assert result.material == D("300.075")
    assert result.direct == D("4312.42035")
    assert result.overhead == D("539.05254375")
    assert str(result.unit_rate) == "4851.47"


@pytest.mark.parametrize(
    ("step", "mode", "expected"),
    [
        (0, "half_up", D("4851.47")),  # no HSP rounding: cents only
        (1, "half_up", D("4851")),  # 4,851.47 -> .47 < .5 -> 4,851
        (1, "up", D("4852")),
        (10, "down", D("4850")),  # 485.147 tens -> 485 -> 4,850
        (100, "half_up", D("4900")),  # 48.5147 hundreds -> 49 -> 4,900
        (100, "down", D("4800")),
    ],
)
def test_unit_price_hsp_rounding_rule(step, mode, expected):
    result = calculate_unit_prices(by_id(FRACTIONAL), hsp_rounding_step=step, hsp_rounding_mode=mode)[7]
    assert result.unit_rate == expected
    assert result.direct == D("4312.42035")  # D and E are never rounded by the HSP rule


def test_unit_price_hsp_rounding_applies_to_the_cent_value_on_the_sheet():
    """Documented boundary: HSP is first quantized to cents, then rounded to the step.

    D = 0.5 x 2,000.99 = 1,000.495; E = 0 -> cents 1,000.50 (half-up) -> to Rp 1 half-up -> 1,001.
    (Rounding the exact 1,000.495 to Rp 1 would give 1,000; the user checks from the printed 1.000,50.)
    """
    a = analysis(1, material("0.5", "2000.99"), overhead="0")
    result = calculate_unit_prices(by_id(a), hsp_rounding_step=1, hsp_rounding_mode="half_up")[1]
    assert result.direct == D("1000.495")
    assert result.unit_rate == D("1001")


def test_unit_price_missing_price_counts_as_zero_and_is_counted():
    """A = 2 x 50,000 = 100,000; B = 3 x (missing) = 0 and 1 x 7,000 = 7,000; C = 0.5 x (missing) = 0.
    D = 107,000; E (0 %) = 0; HSP = 107,000.00; missing = 2."""
    a = analysis(
        1,
        labour("2", "50000"),
        material("3", None),
        material("1", "7000"),
        equipment("0.5", None),
        overhead="0",
    )
    result = calculate_unit_prices(by_id(a))[1]
    assert (result.labour, result.material, result.equipment) == (D("100000"), D("7000"), D("0"))
    assert result.unit_rate == D("107000")
    assert result.missing_prices == 2


def test_unit_price_empty_analysis_is_zero():
    result = calculate_unit_prices(by_id(analysis(1)))[1]
    assert result.direct == 0 and str(result.unit_rate) == "0.00" and result.missing_prices == 0


# ---------------------------------------------------------------------------------- nested analyses

MORTAR = analysis(
    1,
    labour("1.2", "100000"),  # 120,000
    material("352", "1500"),  # 528,000
    material("1.2", "250000"),  # 300,000
    material("0.2", None),  # water: price missing
    overhead="10",
)
# A1 = 120,000; B1 = 528,000 + 300,000 = 828,000; C1 = 0; D1 = 948,000
# E1 = 94,800; HSP1 = 1,042,800.00; missing 1

BRICK_WALL = analysis(
    2,
    labour("0.1", "120000"),  # 12,000
    material("70", "800"),  # 56,000
    nested("0.045", 1),  # 0.045 x mortar: labour 0.045 x 120,000 = 5,400; material 0.045 x 828,000 = 37,260
    overhead="15",
)
# A2 = 12,000 + 5,400 = 17,400; B2 = 56,000 + 37,260 = 93,260; C2 = 0; D2 = 110,660
#   (mortar enters at D1 = 948,000, NOT at HSP1: 0.045 x 948,000 = 42,660 = 5,400 + 37,260)
# E2 = 110,660 x 15 / 100 = 16,599; HSP2 = 127,259.00; missing 1 (the mortar's water)

PLASTERED_WALL = analysis(
    3,
    equipment("0.02", "50000"),  # 1,000
    nested("1.05", 2),  # labour 1.05 x 17,400 = 18,270; material 1.05 x 93,260 = 97,923
    material("0.3", None),  # paint: price missing
    overhead="10",
)
# A3 = 18,270; B3 = 97,923; C3 = 1,000; D3 = 117,193
# E3 = 11,719.3; HSP3 = 128,912.30; missing = 1 own + 1 through the brick wall's mortar = 2


def test_unit_price_nested_two_levels():
    results = calculate_unit_prices(by_id(PLASTERED_WALL, BRICK_WALL, MORTAR))
    assert results[1] == UnitPriceBreakdown(
        D("120000"), D("828000"), D("0"), D("0"), D("948000"), D("94800"), D("1042800.00"), 1
    )
    assert results[2] == UnitPriceBreakdown(
        D("17400"), D("93260"), D("0"), D("0"), D("110660"), D("16599"), D("127259.00"), 1
    )
    assert results[3] == UnitPriceBreakdown(
        D("18270"), D("97923"), D("1000"), D("0"), D("117193"), D("11719.3"), D("128912.30"), 2
    )


def test_unit_price_nested_counts_missing_once_per_reference():
    """Analysis 4 uses the mortar twice (two components): its 1 missing price counts twice -> 2."""
    twice = analysis(4, nested("1", 1), nested("0.5", 1))
    result = calculate_unit_prices(by_id(MORTAR, twice))[4]
    assert result.missing_prices == 2
    assert result.direct == D("1422000")  # 1.5 x 948,000


def test_unit_price_nested_category_and_price_of_the_component_are_ignored():
    odd = ComponentInput("whatever", D("2"), D("999"), nested_analysis_id=1)
    leaf = analysis(1, other("1", "10"), overhead="0")
    result = calculate_unit_prices(by_id(leaf, analysis(2, odd, overhead="0")))[2]
    assert result.other == D("20") and result.direct == D("20")  # 2 x 10, the 999 price plays no part


def test_unit_price_memoises_shared_nested_analyses():
    """A 'diamond' 60 levels deep: level k uses level k-1 twice (coefficient 1 each), level 0 has one
    material at Rp 1. So D_k = 2^k. Without memoisation this is 2^60 visits; with it, 61 computations."""
    levels = [analysis(0, material("1", "1"), overhead="0")]
    for k in range(1, 61):
        levels.append(analysis(k, nested("1", k - 1), nested("1", k - 1), overhead="0"))
    results = calculate_unit_prices(by_id(*levels))
    assert results[60].direct == D(2**60)
    assert results[60].material == D(2**60)


def test_unit_price_deep_chain_has_no_recursion_limit():
    """5,000 analyses each nesting the previous one with coefficient 1: all equal the leaf (D = 3)."""
    chain = [analysis(0, labour("1", "3"), overhead="0")]
    chain += [analysis(k, nested("1", k - 1), overhead="0") for k in range(1, 5000)]
    results = calculate_unit_prices(by_id(*reversed(chain)))
    assert results[4999].labour == D("3")


def test_unit_price_unknown_nested_analysis():
    with pytest.raises(UnknownAnalysisError) as info:
        calculate_unit_prices(by_id(analysis(1, nested("1", 99))))
    assert (info.value.analysis_id, info.value.missing_id) == (1, 99)
    assert "99" in str(info.value) and "tidak ada" in str(info.value)


# ---------------------------------------------------------------------------------------- cycles


@pytest.mark.parametrize(
    ("analyses", "cycle"),
    [
        # 1 -> 2 -> 3 -> 1, found from 1 (the first key)
        (
            by_id(analysis(1, nested("1", 2)), analysis(2, nested("1", 3)), analysis(3, nested("1", 1))),
            [1, 2, 3, 1],
        ),
        # self reference
        (by_id(analysis(5, material("1", "1"), nested("2", 5))), [5, 5]),
        # a cycle below an acyclic start: 1 -> 2 -> 3 -> 2
        (
            by_id(analysis(1, nested("1", 2)), analysis(2, nested("1", 3)), analysis(3, nested("1", 2))),
            [2, 3, 2],
        ),
    ],
)
def test_unit_price_cycle_is_rejected(analyses, cycle):
    with pytest.raises(AnalysisCycleError) as info:
        calculate_unit_prices(analyses)
    assert info.value.cycle == cycle
    assert " → ".join(map(str, cycle)) in str(info.value)
    assert "siklus" in str(info.value)


def test_find_cycle_examples():
    edges = {1: [2], 2: [3, 4], 3: [5], 4: [5], 5: []}
    assert find_cycle(edges, 5, 1) == [5, 1, 2, 3, 5]  # 1 already reaches 5 via 2, 3 (shortest, BFS)
    assert find_cycle(edges, 4, 2) == [4, 2, 4]  # 2 -> 4 exists
    assert find_cycle(edges, 1, 5) is None  # 1 -> 5 is only a shortcut, not a cycle
    assert find_cycle(edges, 6, 1) is None  # 6 is new (no key): safe
    assert find_cycle(edges, 3, 3) == [3, 3]  # self reference
    assert find_cycle({}, 1, 2) is None


@st.composite
def dag_and_edge(draw):
    """A random DAG over 1..n (edges only from lower to higher ids) and one more edge to test."""
    n = draw(st.integers(min_value=2, max_value=8))
    edges = {
        a: sorted(draw(st.sets(st.integers(min_value=a + 1, max_value=n), max_size=3))) if a < n else []
        for a in range(1, n + 1)
    }
    start = draw(st.integers(min_value=1, max_value=n))
    target = draw(st.integers(min_value=1, max_value=n))
    return edges, start, target


@settings(deadline=None)
@given(dag_and_edge())
def test_find_cycle_agrees_with_calculate_unit_prices(case):
    """Adding start -> target creates a cycle exactly when find_cycle says so, and the path it returns
    is a real cycle of the new graph."""
    edges, start, target = case
    new_edges = {a: [*targets, *([target] if a == start else [])] for a, targets in edges.items()}
    analyses = by_id(
        *[
            analysis(a, material("1", "1"), *[nested("1", b) for b in targets])
            for a, targets in new_edges.items()
        ]
    )
    cycle = find_cycle(edges, start, target)
    if cycle is None:
        calculate_unit_prices(analyses)
    else:
        assert cycle[0] == cycle[-1] == start and cycle[1] == target
        assert all(b in new_edges[a] for a, b in zip(cycle, cycle[1:], strict=False))
        with pytest.raises(AnalysisCycleError):
            calculate_unit_prices(analyses)


# --------------------------------------------------------------------------------- properties

prices = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
coefficients = st.decimals(min_value=0, max_value=10**4, places=6, allow_nan=False, allow_infinity=False)
components = st.builds(
    ComponentInput,
    category=st.sampled_from(["labour", "material", "equipment", "other"]),
    coefficient=coefficients,
    unit_price=st.none() | prices,
)


@given(
    leaf=st.lists(components, max_size=6),
    k=coefficients,
    pct=st.decimals(min_value=0, max_value=15, places=2, allow_nan=False, allow_infinity=False),
)
def test_unit_price_properties(leaf, k, pct):
    """D = A + B + C + other; E = D x pct / 100; HSP = D + E to the cent; a parent that only nests the
    leaf with coefficient k has exactly k x the leaf's A, B, C, other (no overhead of the leaf)."""
    results = calculate_unit_prices(
        by_id(
            AnalysisInput(1, tuple(leaf), pct),
            AnalysisInput(2, (ComponentInput("", k, None, nested_analysis_id=1),), pct),
        )
    )
    child, parent = results[1], results[2]
    with localcontext() as ctx:
        ctx.prec = 200
        assert child.direct == child.labour + child.material + child.equipment + child.other
        assert child.overhead == child.direct * pct / 100
        assert abs(child.unit_rate - (child.direct + child.overhead)) <= D("0.005")
        for name in ("labour", "material", "equipment", "other", "direct"):
            assert getattr(parent, name) == k * getattr(child, name)
    assert child.missing_prices == sum(c.unit_price is None for c in leaf)
    assert parent.missing_prices == child.missing_prices


# ----------------------------------------------------------------------------- inputs and helpers


@pytest.mark.parametrize(
    ("coefficient", "price", "expected"),
    [
        (D("0.0325"), D("123456.78"), D("4012.34535")),  # see FRACTIONAL above
        (D("1.65"), D("100000"), D("165000")),
        (D("0.5"), None, D("0")),  # missing price shows 0
    ],
)
def test_component_amount(coefficient, price, expected):
    assert component_amount(coefficient, price) == expected


def test_component_input_validation():
    with pytest.raises(ValueError):
        ComponentInput("bahan", D("1"), D("1"))  # Indonesian label instead of the category code
    with pytest.raises(TypeError):
        ComponentInput("material", 0.5, D("1"))  # float coefficient
    with pytest.raises(TypeError):
        AnalysisInput(1, (), 10.0)


def test_calculate_unit_prices_rejects_mismatched_keys_and_bad_rounding():
    with pytest.raises(ValueError):
        calculate_unit_prices({2: analysis(1)})
    with pytest.raises(ValueError):
        calculate_unit_prices(by_id(analysis(1)), hsp_rounding_mode="floor")
