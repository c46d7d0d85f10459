"""The work breakdown's section tree: children in order, pre-order with ancestors, ancestor paths, subtrees.

Pure (no django): a node is anything with ``id``, ``parent_id`` (``None`` = top level) and ``position``,
such as ``ahsp.calculations.totals.SectionInput``. Siblings are ordered by ``(position, id)``: position
first, creation order on a tie, as the numbering (``ahsp.calculations.numbering``) orders sections.

Every walk is iterative (an explicit stack), so a deep tree cannot hit Python's recursion limit. A node
whose parent is not among the nodes, or nodes whose parents form a loop, raise ``ValueError`` with the
messages the numbering and the totals have always used ("section 3 has unknown parent 9", "sections form
a loop: ...").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

from ahsp.calculations.graph import closure


class TreeNode(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def parent_id(self) -> int | None: ...

    @property
    def position(self) -> int: ...


Children = dict[int | None, tuple[int, ...]]


def children_by_parent(nodes: Iterable[TreeNode]) -> Children:
    """``{parent id (None = top level): child ids in (position, id) order}``; the ``None`` key is always
    present (empty for no nodes); nodes without children have no key. No validation (see ``pre_order``)."""
    groups: dict[int | None, list[TreeNode]] = {None: []}
    for node in nodes:
        groups.setdefault(node.parent_id, []).append(node)
    return {
        parent: tuple(node.id for node in sorted(group, key=lambda n: (n.position, n.id)))
        for parent, group in groups.items()
    }


def pre_order[N: TreeNode](
    nodes: Sequence[N], children: Children | None = None
) -> list[tuple[N, tuple[int, ...]]]:
    """Every node in pre-order (a parent before its children, siblings in (position, id) order), each with
    its ancestors' ids, parent first, up to the top-level node (``()`` for a top-level node).

    ``children`` is ``children_by_parent(nodes)`` when the caller already has it. ``ValueError`` for a
    dangling parent or a loop (nodes unreachable from the top level).
    """
    by_id = {node.id: node for node in nodes}
    for node in nodes:
        if node.parent_id is not None and node.parent_id not in by_id:
            raise ValueError(f"section {node.id} has unknown parent {node.parent_id}")
    if children is None:
        children = children_by_parent(nodes)
    order: list[tuple[N, tuple[int, ...]]] = []
    stack: list[tuple[int, tuple[int, ...]]] = [(pk, ()) for pk in reversed(children.get(None, ()))]
    while stack:
        node_id, ancestors = stack.pop()
        order.append((by_id[node_id], ancestors))
        below = (node_id, *ancestors)
        stack.extend((child, below) for child in reversed(children.get(node_id, ())))
    if len(order) != len(by_id):
        reached = {node.id for node, _ in order}
        raise ValueError(f"sections form a loop: {sorted(set(by_id) - reached)}")
    return order


def ancestor_paths(nodes: Iterable[TreeNode]) -> dict[int, list[int]]:
    """Node id -> [itself, parent, grandparent, ..., top-level node], in input order (paths are shared
    along a chain, so the whole tree costs one pass). ``ValueError`` for a duplicate id, a dangling
    parent or a loop."""
    by_id: dict[int, TreeNode] = {}
    for node in nodes:
        if node.id in by_id:
            raise ValueError(f"duplicate section id {node.id}")
        by_id[node.id] = node
    paths: dict[int, list[int]] = {}
    for node_id in by_id:
        chain: list[int] = []
        seen: set[int] = set()
        current: int | None = node_id
        while current is not None and current not in paths:
            if current in seen:
                raise ValueError(f"sections form a loop: {chain}")
            if current not in by_id:
                raise ValueError(f"section {chain[-1]} has unknown parent {current}")
            seen.add(current)
            chain.append(current)
            current = by_id[current].parent_id
        tail = paths[current] if current is not None else []
        for index, link in enumerate(chain):
            paths[link] = chain[index:] + tail
    return {node_id: paths[node_id] for node_id in by_id}


def subtree_ids(children: Mapping[int | None, Iterable[int]], root: int) -> set[int]:
    """``root`` and all its descendants (any depth), from a children map such as ``children_by_parent``
    (a loop in ``children`` ends the walk: it is ``graph.closure``)."""
    return closure(children, [root])


class LeafNode(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def section_id(self) -> int: ...

    @property
    def position(self) -> int: ...


NodeKey = tuple[str, int]  # ("section", id) or ("item", id)


def breakdown_order(
    sections: Iterable[TreeNode], items: Iterable[LeafNode]
) -> list[tuple[NodeKey, int | None]]:
    """Sections and work items in the work breakdown's order, each with its parent section's id (None at
    the top level): pre-order, where a section's sub-sections and items share one order, by position, the
    sub-section first on a tie, then by id (the numbering's rule, ``ahsp.calculations.numbering``).

    No validation: nodes unreachable from the top level (dangling parents, loops) are left out; callers
    that must refuse such trees number them first (``number_tree`` raises).
    """
    children: dict[int | None, list[tuple[int, int, int]]] = {}
    for section in sections:
        children.setdefault(section.parent_id, []).append((section.position, 0, section.id))
    for item in items:
        children.setdefault(item.section_id, []).append((item.position, 1, item.id))
    order: list[tuple[NodeKey, int | None]] = []
    stack: list[tuple[tuple[int, int, int], int | None]] = [
        (child, None) for child in sorted(children.get(None, ()), reverse=True)
    ]
    while stack:
        (_, kind, node_id), parent_id = stack.pop()
        if kind == 1:
            order.append((("item", node_id), parent_id))
            continue
        order.append((("section", node_id), parent_id))
        stack.extend((child, node_id) for child in sorted(children.get(node_id, ()), reverse=True))
    return order
