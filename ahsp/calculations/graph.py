"""The nested-analysis graph: closures over edges and a children-first fold with cycle detection.

Pure (no django). Nodes are hashable ids (analysis ids); ``edges[a]`` are the nodes ``a`` points to
(the analyses it nests). ``find_cycle`` checks a new edge before it is saved; ``fold`` walks a whole
graph. Every walk is iterative, so deep nesting cannot hit Python's recursion limit.

The errors of a nested-analysis walk live here because ``fold`` raises them; ``ahsp.calculations.unit_price``
re-exports them and ``find_cycle`` under their historic names, so ``str(error)`` (shown to users) and
the types are unchanged.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping


class UnitPriceError(ValueError):
    """Base class of the unit price errors; ``str(error)`` is shown to users (Bahasa Indonesia)."""


class AnalysisCycleError(UnitPriceError):
    """Nested analyses refer to each other in a loop; ``cycle`` is the path, first id repeated at the end."""

    def __init__(self, cycle: list[int]):
        self.cycle = list(cycle)
        path = " → ".join(str(analysis_id) for analysis_id in self.cycle)
        super().__init__(
            f"Analisa bersarang membentuk lingkaran (siklus): {path}. "
            "Sebuah analisa tidak boleh memakai dirinya sendiri, langsung maupun lewat analisa lain."
        )


class UnknownAnalysisError(UnitPriceError):
    """A component refers to an analysis id that is not among the inputs."""

    def __init__(self, analysis_id: int, missing_id: int):
        self.analysis_id = analysis_id
        self.missing_id = missing_id
        super().__init__(f"Analisa {analysis_id} memakai analisa {missing_id} yang tidak ada di proyek ini.")


def closure[K: Hashable](edges: Mapping[K, Iterable[K]], start: Iterable[K]) -> set[K]:
    """``start`` and every node reachable from it along ``edges`` (missing keys = no edges)."""
    seen = set(start)
    stack = list(seen)
    while stack:
        for nxt in edges.get(stack.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def fold[K: Hashable, V](
    nodes: Collection[K],
    children_of: Callable[[K], Iterable[K]],
    combine: Callable[[K, Mapping[K, V]], V],
    *,
    roots: Iterable[K] | None = None,
) -> dict[K, V]:
    """``{node: combine(node, done)}`` for every root (default: every node of ``nodes``) and every node it
    reaches, children first: when ``combine(node, done)`` runs, ``done`` holds the value of each child.

    Each node is combined once (shared children are memoised), in an iterative depth-first post-order;
    the result's keys are in that order. ``children_of`` is called once per node, when the walk enters it.
    ``UnknownAnalysisError(parent, child)`` for a child that is not in ``nodes``; ``AnalysisCycleError``
    for a cycle, with the path from the first node of the cycle on the walk back to itself (``[3, 5, 3]``;
    a node using itself gives ``[3, 3]``). ``roots`` are not checked against ``nodes`` (the caller's job).
    """
    done: dict[K, V] = {}
    for root in nodes if roots is None else roots:
        if root in done:
            continue
        # `path` holds the nodes being expanded, `stack` their child iterators.
        path: list[K] = [root]
        on_path: set[K] = {root}
        stack = [iter(children_of(root))]
        while stack:
            child = next(stack[-1], None)
            if child is None:
                finished = path.pop()
                on_path.discard(finished)
                stack.pop()
                done[finished] = combine(finished, done)
                continue
            if child in done:
                continue
            if child not in nodes:
                raise UnknownAnalysisError(path[-1], child)
            if child in on_path:
                raise AnalysisCycleError([*path[path.index(child) :], child])
            path.append(child)
            on_path.add(child)
            stack.append(iter(children_of(child)))
    return done


def find_cycle(edges: Mapping[int, Iterable[int]], start: int, new_target: int) -> list[int] | None:
    """Would adding the nested reference ``start -> new_target`` close a cycle?

    ``edges[a]`` are the analyses that ``a`` already uses (missing keys = uses none). Returns the cycle
    the new edge would create, as a path that starts and ends with ``start`` (the shortest one), e.g.
    ``[3, 2, 5, 3]`` (``start`` is 3, the new edge is 3 -> 2, and 2 already reaches 3 via 5), or ``None``
    when the edge is safe. The analysis editor calls it BEFORE saving, and refuses the component with
    ``AnalysisCycleError(cycle)``.
    """
    if start == new_target:
        return [start, start]
    # Breadth-first search from new_target for start; parents rebuild the shortest path.
    parent: dict[int, int] = {}
    seen = {new_target}
    queue = deque([new_target])
    while queue:
        node = queue.popleft()
        for nxt in edges.get(node, ()):
            if nxt in seen:
                continue
            parent[nxt] = node
            if nxt == start:
                back = [start]
                while back[-1] != new_target:
                    back.append(parent[back[-1]])
                return [start, *reversed(back)]
            seen.add(nxt)
            queue.append(nxt)
    return None
