"""ahsp.calculations.tree: children in (position, id) order, pre-order with ancestors, ancestor paths,
subtrees. Pure, no DB. Small hand-drawn trees; the expected orders are read off the drawings."""

from dataclasses import dataclass

import pytest

from ahsp.calculations.tree import ancestor_paths, breakdown_order, children_by_parent, pre_order, subtree_ids


@dataclass(frozen=True)
class Node:
    id: int
    parent_id: int | None
    position: int


# 1 (pos 2)            top level: 2 before 1 (position), 1 before 3 (tie on position 2: id)
#   4 (pos 1)
#     6 (pos 1)
#   5 (pos 0)          5 before 4
# 2 (pos 1)
# 3 (pos 2)
#   7 (pos 1)
TREE = [
    Node(1, None, 2),
    Node(4, 1, 1),
    Node(6, 4, 1),
    Node(5, 1, 0),
    Node(2, None, 1),
    Node(3, None, 2),
    Node(7, 3, 1),
]


def test_children_by_parent_in_position_then_id_order():
    assert children_by_parent(TREE) == {None: (2, 1, 3), 1: (5, 4), 4: (6,), 3: (7,)}


def test_children_by_parent_of_nothing_has_an_empty_top_level():
    assert children_by_parent([]) == {None: ()}


@pytest.mark.parametrize(
    ("nodes", "expected"),
    [
        ([], []),
        ([Node(9, None, 0)], [(9, ())]),
        (
            TREE,
            [(2, ()), (1, ()), (5, (1,)), (4, (1,)), (6, (4, 1)), (3, ()), (7, (3,))],
        ),
        # siblings tied on position: creation order (id), whatever the input order
        ([Node(8, None, 1), Node(3, 8, 5), Node(2, 8, 5)], [(8, ()), (2, (8,)), (3, (8,))]),
    ],
)
def test_pre_order_with_ancestors_parent_first(nodes, expected):
    order = pre_order(nodes)
    assert [(node.id, ancestors) for node, ancestors in order] == expected
    assert all(isinstance(node, Node) for node, _ in order)  # the caller's own objects


def test_pre_order_takes_the_children_map_it_was_given():
    children = children_by_parent(TREE)
    assert pre_order(TREE, children) == pre_order(TREE)


@pytest.mark.parametrize(
    ("nodes", "message"),
    [
        ([Node(1, None, 1), Node(2, 9, 1)], "section 2 has unknown parent 9"),
        ([Node(1, None, 1), Node(2, 3, 1), Node(3, 2, 1)], r"sections form a loop: \[2, 3\]"),
        ([Node(4, 4, 1)], r"sections form a loop: \[4\]"),
    ],
)
def test_pre_order_rejects_a_dangling_parent_or_a_loop(nodes, message):
    with pytest.raises(ValueError, match=message):
        pre_order(nodes)


def test_a_10000_deep_chain_walks_without_recursion():
    depth = 10_000
    chain = [Node(1, None, 1)] + [Node(pk, pk - 1, 1) for pk in range(2, depth + 1)]
    assert subtree_ids(children_by_parent(chain), 1) == set(range(1, depth + 1))


def test_a_chain_deeper_than_the_recursion_limit_has_every_ancestor():
    # 3 x the recursion limit: every node carries its whole ancestry (depth^2 / 2 ids, ~45 MB here;
    # 10,000 deep would need ~500 MB for the outputs alone, whatever the walk).
    depth = 3_000
    chain = [Node(1, None, 1)] + [Node(pk, pk - 1, 1) for pk in range(2, depth + 1)]
    order = pre_order(chain)
    assert [node.id for node, _ in order] == list(range(1, depth + 1))
    assert order[-1][1] == tuple(range(depth - 1, 0, -1))
    assert ancestor_paths(chain)[depth] == list(range(depth, 0, -1))


def test_ancestor_paths_itself_first_in_input_order():
    paths = ancestor_paths(TREE)
    assert list(paths) == [1, 4, 6, 5, 2, 3, 7]
    assert paths == {1: [1], 4: [4, 1], 6: [6, 4, 1], 5: [5, 1], 2: [2], 3: [3], 7: [7, 3]}


@pytest.mark.parametrize(
    ("nodes", "message"),
    [
        ([Node(1, 7, 1)], "section 1 has unknown parent 7"),
        ([Node(1, 2, 1), Node(2, 1, 1)], r"sections form a loop: \[1, 2\]"),
        ([Node(1, None, 1), Node(1, None, 2)], "duplicate section id 1"),
    ],
)
def test_ancestor_paths_rejects_bad_trees(nodes, message):
    with pytest.raises(ValueError, match=message):
        ancestor_paths(nodes)


@pytest.mark.parametrize(
    ("root", "expected"),
    [(1, {1, 4, 5, 6}), (4, {4, 6}), (6, {6}), (3, {3, 7}), (2, {2})],
)
def test_subtree_ids_is_the_node_and_its_descendants(root, expected):
    assert subtree_ids(children_by_parent(TREE), root) == expected


def test_subtree_ids_stops_on_a_loop_in_the_map():
    assert subtree_ids({1: [2], 2: [1]}, 1) == {1, 2}


@dataclass(frozen=True)
class Item:
    id: int
    section_id: int
    position: int


def test_breakdown_order_puts_items_and_sub_sections_in_one_order():
    # section 1 holds item 10 (pos 1), sub-section 2 (pos 2), item 11 (pos 2: after the sub-section),
    # item 12 (pos 2, id 12 after 11); section 2 holds item 13; section 3 (pos 2) follows section 1.
    sections = [Node(3, None, 2), Node(2, 1, 2), Node(1, None, 1)]
    items = [Item(12, 1, 2), Item(11, 1, 2), Item(13, 2, 0), Item(10, 1, 1)]
    assert breakdown_order(sections, items) == [
        (("section", 1), None),
        (("item", 10), 1),
        (("section", 2), 1),
        (("item", 13), 2),
        (("item", 11), 1),
        (("item", 12), 1),
        (("section", 3), None),
    ]


def test_breakdown_order_leaves_out_what_the_top_level_does_not_reach():
    sections = [Node(1, None, 1), Node(2, 3, 1), Node(3, 2, 1), Node(4, 9, 1)]
    items = [Item(5, 2, 1), Item(6, 1, 1)]
    assert breakdown_order(sections, items) == [(("section", 1), None), (("item", 6), 1)]


def test_breakdown_order_of_a_10000_deep_chain():
    depth = 10_000
    chain = [Node(1, None, 1)] + [Node(pk, pk - 1, 1) for pk in range(2, depth + 1)]
    order = breakdown_order(chain, [Item(1, depth, 1)])
    assert [key for key, _ in order] == [("section", pk) for pk in range(1, depth + 1)] + [("item", 1)]
    assert order[-1] == (("item", 1), depth)
