"""ahsp.calculations.graph: closure over edges and the children-first fold with cycle detection. Pure, no
DB. Small hand-drawn graphs; the expected orders and cycle paths are read off the drawings."""

import pytest

from ahsp.calculations import graph, unit_price
from ahsp.calculations.graph import AnalysisCycleError, UnitPriceError, UnknownAnalysisError, closure, fold


@pytest.mark.parametrize(
    ("edges", "start", "expected"),
    [
        ({}, [1], {1}),
        ({1: [2], 2: [3], 4: [1]}, [1], {1, 2, 3}),
        ({1: [2], 2: [3], 4: [1]}, [4], {1, 2, 3, 4}),
        ({1: [2], 2: [1]}, [2], {1, 2}),  # a cycle ends
        ({1: [2], 3: [4]}, [1, 3], {1, 2, 3, 4}),
        ({1: [2]}, [], set()),
    ],
)
def test_closure(edges, start, expected):
    assert closure(edges, start) == expected


def _record(edges):
    """A fold over ``edges`` whose value is the list of nodes combined so far (to read the order)."""
    calls = []

    def combine(node, done):
        assert all(child in done for child in edges[node])  # children first
        calls.append(node)
        return sum(done[child] for child in edges[node]) + 1  # nodes in the subtree, shared ones twice

    return calls, combine


@pytest.mark.parametrize(
    ("edges", "roots", "order", "values"),
    [
        ({1: []}, None, [1], {1: 1}),
        # 1 -> 2 -> 3, 1 -> 3: 3 is combined once, before 2
        ({1: [2, 3], 2: [3], 3: []}, None, [3, 2, 1], {3: 1, 2: 2, 1: 4}),
        # keys order the roots; children in their listed order
        ({4: [], 1: [5, 4], 5: []}, None, [4, 5, 1], {4: 1, 5: 1, 1: 3}),
        # only from the given roots, and what they reach
        ({1: [2], 2: [], 3: [1]}, [2], [2], {2: 1}),
        ({1: [2], 2: [], 3: [1]}, [3, 1], [2, 1, 3], {2: 1, 1: 2, 3: 3}),
    ],
)
def test_fold_visits_each_node_once_children_first(edges, roots, order, values):
    calls, combine = _record(edges)
    result = fold(edges, lambda node: edges[node], combine, roots=roots)
    assert calls == order
    assert list(result) == order
    assert result == values


def test_fold_of_a_10000_deep_chain():
    depth = 10_000
    edges = {node: [node + 1] for node in range(1, depth)} | {depth: []}
    result = fold(edges, lambda node: edges[node], lambda node, done: 1 + sum(done[c] for c in edges[node]))
    assert result[1] == depth


@pytest.mark.parametrize(
    ("edges", "cycle"),
    [
        ({1: [2], 2: [3], 3: [1]}, [1, 2, 3, 1]),  # found from 1 (the first key)
        ({5: [5]}, [5, 5]),  # a node using itself
        ({1: [2], 2: [3], 3: [2]}, [2, 3, 2]),  # a cycle below an acyclic start
        ({1: [4], 4: [], 2: [3], 3: [2]}, [2, 3, 2]),  # after a finished root
    ],
)
def test_fold_reports_the_cycle_path(edges, cycle):
    with pytest.raises(AnalysisCycleError) as info:
        fold(edges, lambda node: edges[node], lambda node, done: None)
    assert info.value.cycle == cycle
    assert str(info.value) == (
        f"Analisa bersarang membentuk lingkaran (siklus): {' → '.join(map(str, cycle))}. "
        "Sebuah analisa tidak boleh memakai dirinya sendiri, langsung maupun lewat analisa lain."
    )


def test_fold_reports_an_unknown_child_with_its_parent():
    edges = {1: [2], 2: [9]}
    with pytest.raises(UnknownAnalysisError) as info:
        fold(edges, lambda node: edges[node], lambda node, done: None)
    assert (info.value.analysis_id, info.value.missing_id) == (2, 9)
    assert str(info.value) == "Analisa 2 memakai analisa 9 yang tidak ada di proyek ini."


def test_errors_keep_their_types_and_home():
    assert unit_price.AnalysisCycleError is AnalysisCycleError
    assert unit_price.UnknownAnalysisError is UnknownAnalysisError
    assert unit_price.UnitPriceError is UnitPriceError
    assert unit_price.find_cycle is graph.find_cycle
    assert issubclass(AnalysisCycleError, UnitPriceError)
    assert issubclass(UnknownAnalysisError, ValueError)
