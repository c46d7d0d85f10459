"""Derived numbering of the work breakdown tree (never stored: moving a row renumbers everything).

Rule: the children of a section, sub-sections AND work items together, share one counter, in order of
``position``; when a sub-section and an item have the same position the sub-section comes first, and
remaining ties are broken by id (creation order), so the numbering is deterministic.

- ``style="roman"``: top-level sections I, II, III, ...; below them arabic: I.1, I.2, I.1.1, ...
  (an item directly under section I takes the next number among I's children, e.g. I.3);
- ``style="arabic"``: 1, 2, ...; 1.1, 1.2; 1.1.1, ...

Work items always belong to a section (``ItemInput.section_id``), so top level holds sections only.
"""

from __future__ import annotations

from collections.abc import Iterable

from ahsp.calculations.totals import ItemInput, SectionInput
from ahsp.calculations.tree import NodeKey, breakdown_order

_ROMAN = (
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
)

STYLES = ("roman", "arabic")


def to_roman(n: int) -> str:
    """1 -> "I", 4 -> "IV", 1994 -> "MCMXCIV", 3999 -> "MMMCMXCIX". Above 3999 the thousands are written
    as repeated "M" (4000 -> "MMMM"), the usual extension, so numbering never fails."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"roman numerals need a positive int, not {n!r}")
    parts = []
    for value, letters in _ROMAN:
        count, n = divmod(n, value)
        parts.append(letters * count)
    return "".join(parts)


def number_tree(
    sections: Iterable[SectionInput], items: Iterable[ItemInput], style: str = "roman"
) -> dict[NodeKey, str]:
    """Number every section and item: ``{("section", 1): "I", ("section", 3): "I.1", ("item", 7): "I.1.1"}``.

    ``ValueError`` for an unknown style, a dangling parent/section id, or a loop in the section tree
    (sections unreachable from a top-level section).
    """
    if style not in STYLES:
        raise ValueError(f"style must be one of {STYLES}, not {style!r}")
    sections = list(sections)
    section_ids = {section.id for section in sections}
    items = list(items)
    for section in sections:
        if section.parent_id is not None and section.parent_id not in section_ids:
            raise ValueError(f"section {section.id} has unknown parent {section.parent_id}")
    for item in items:
        if item.section_id not in section_ids:
            raise ValueError(f"item {item.id} is in unknown section {item.section_id}")

    numbers: dict[NodeKey, str] = {}
    counters: dict[int | None, int] = {}  # parent id (None = top level) -> children numbered so far
    for key, parent_id in breakdown_order(sections, items):
        counter = counters[parent_id] = counters.get(parent_id, 0) + 1
        if parent_id is None:
            numbers[key] = to_roman(counter) if style == "roman" else str(counter)
        else:
            numbers[key] = f"{numbers[('section', parent_id)]}.{counter}"

    unreached = section_ids - {node_id for kind, node_id in numbers if kind == "section"}
    if unreached:
        raise ValueError(f"sections form a loop: {sorted(unreached)}")
    return numbers
