"""Loaders: ORM -> calculation inputs and display rows, in a fixed number of queries (house style 2.2).

The RAB recap (Rekap RAB)
-------------------------
``load_rab_summary`` reads the section tree and ONE aggregate over the work items (sum of the stored
amounts and count, per section). The money then goes through ``ahsp.calculations.totals.calculate_rab``
with one synthetic ``ItemInput`` per section (volume 1 x that section's sum of stored amounts): subtotals
with descendants, PPN, grand total and rounding therefore follow the one formula in ``calculations``.
Stored amounts are whole cents, so ``line_amount(1, sum)`` is the sum itself, exactly.

Rows (sections and work items, in tree order) come from one walker for every view: the page with some
sections open, a section fragment, the print view and the streamed CSV. Work items are read by ONE query
ordered in tree order by the database: each open section's children are cut into "slots" (the items
before its first sub-section, between two sub-sections, after the last one) and a ``CASE`` numbers the
slots in walk order, so the CSV can stream that query with ``.iterator()`` and keep memory flat.

Numbering follows ``ahsp.calculations.numbering`` (sub-sections and items of a section share one counter,
in order of position; on a tie the sub-section comes first, then id). Sections are numbered by
``number_tree`` over all sections plus the items of the sections that also have sub-sections (the only
items that shift a section's number); an item's number is its section's number and its place among the
section's children, counted while walking, which is the same rule, so a fragment and the full view agree.

Queries, independent of the project size:

- ``load_rab_summary``: sections, per-section aggregate, items of mixed sections, and (optional) the count
  of unpriced resources = 4 (3 without the count);
- ``load_rab_rows`` / ``load_section_rows`` / ``load_full_rab`` / ``iter_full_rab``: + 1 (none when no open
  section has work items).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import ClassVar

from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When

from ahsp.calculations.numbering import number_tree
from ahsp.calculations.terbilang import terbilang_rupiah
from ahsp.calculations.totals import (
    ItemInput,
    RabTotals,
    SectionInput,
    calculate_rab,
    section_weight,
)
from ahsp.calculations.tree import children_by_parent, pre_order
from ahsp.models import Project, ProjectResource, Section, WorkItem

WEIGHT_BATCH = 500


@dataclass(frozen=True)
class SectionRow:
    """A klasifikasi in the recap. ``subtotal`` and ``item_count`` include every descendant."""

    kind: ClassVar[str] = "section"

    id: int
    parent_id: int | None
    ancestor_ids: tuple[int, ...]  # parent first, up to the top-level section
    depth: int  # 0 = top level
    number: str
    name: str
    position: int
    subtotal: Decimal
    weight: Decimal  # bobot, %
    item_count: int  # work items anywhere below
    direct_item_count: int
    child_count: int  # direct sub-sections + direct work items
    is_open: bool = False

    @property
    def ancestor_tokens(self) -> str:
        """``"s7 s2"``: the ancestors as HTML tokens, so a closing section can find its rows."""
        return " ".join(f"s{pk}" for pk in self.ancestor_ids)


@dataclass(frozen=True)
class ItemRow:
    """A work item (pekerjaan) in the recap."""

    kind: ClassVar[str] = "item"

    id: int
    section_id: int
    ancestor_ids: tuple[int, ...]  # its section first, up to the top-level section
    depth: int
    number: str
    code: str  # the reference code of its analysis, or the analysis's own code
    name: str
    unit: str
    volume: Decimal
    unit_rate: Decimal  # HSP
    amount: Decimal  # jumlah harga
    weight: Decimal  # bobot, %
    missing_prices: int  # resources of its analysis without a price

    @property
    def ancestor_tokens(self) -> str:
        return " ".join(f"s{pk}" for pk in self.ancestor_ids)


Row = SectionRow | ItemRow


@dataclass(frozen=True)
class RabSummary:
    """The recap without its work item rows.

    ``totals.subtotals``, ``total``, ``vat``, ``grand_total`` and ``rounded_total`` are the project's;
    ``totals.amounts`` holds one synthetic amount per section (its direct items), not per work item.
    """

    sections: dict[int, SectionRow]  # every section, closed, in tree (pre-)order
    children: dict[int | None, tuple[int, ...]]  # sub-section ids by parent (None = top level), in order
    totals: RabTotals
    item_count: int
    terbilang: str  # the rounded total in words (lower case; templates capitalise)
    missing_price_count: int | None  # resources used by analyses without a price (None = not counted)

    @property
    def top_level(self) -> list[SectionRow]:
        return [self.sections[section_id] for section_id in self.children[None]]

    @property
    def is_complete(self) -> bool:
        return not self.missing_price_count


def _item_weights(totals: RabTotals, amounts: dict[int, Decimal]) -> dict[int, Decimal]:
    """Bobot (%) of some work items (id -> amount) against the project total, through
    ``RabTotals.weights``, so the formula (6 decimals half-up, 0 when the total is 0) lives only in
    ``ahsp.calculations.totals``."""
    return replace(totals, amounts=amounts).weights


def count_unpriced_resources(project: Project) -> int:
    """Resources used by at least one analysis of the project and still without a unit price."""
    return (
        ProjectResource.objects.filter(project=project, unit_price__isnull=True, components__isnull=False)
        .distinct()
        .count()
    )


def _mixed_items(project: Project) -> list[ItemInput]:
    """Items of sections that also have sub-sections: they shift the numbers of those sub-sections."""
    return [
        ItemInput(id=pk, section_id=section_id, position=position, volume=volume, unit_rate=unit_rate)
        for pk, section_id, position, volume, unit_rate in WorkItem.objects.filter(
            project=project,
            section_id__in=Section.objects.filter(project=project, parent__isnull=False).values("parent_id"),
        )
        .order_by()
        .values_list("id", "section_id", "position", "volume", "unit_rate")
    ]


def _section_rows(
    inputs, children, direct_counts: dict[int, int], numbers, names, totals
) -> dict[int, SectionRow]:
    """Every section's row in pre-order (parent first), with its items counted at any depth."""
    order = pre_order(inputs, children)  # with the ancestors, parent first
    item_counts = dict(direct_counts)
    for section, _ in reversed(order):
        if section.parent_id is not None:
            item_counts[section.parent_id] += item_counts[section.id]
    sections = {}
    for section, ancestors in order:
        direct = direct_counts[section.id]
        sections[section.id] = SectionRow(
            id=section.id,
            parent_id=section.parent_id,
            ancestor_ids=ancestors,
            depth=len(ancestors),
            number=numbers[("section", section.id)],
            name=names[section.id],
            position=section.position,
            subtotal=totals.subtotals[section.id],
            weight=section_weight(totals, section.id),
            item_count=item_counts[section.id],
            direct_item_count=direct,
            child_count=len(children.get(section.id, ())) + direct,
        )
    return sections


def load_rab_summary(project: Project, *, count_missing_prices: bool = True) -> RabSummary:
    """Sections with subtotals, weights and numbers, the totals, terbilang and the unpriced count."""
    section_values = list(
        Section.objects.filter(project=project).order_by().values_list("id", "parent_id", "name", "position")
    )
    per_section = {
        row["section_id"]: (row["amount"], row["count"])
        for row in WorkItem.objects.filter(project=project)
        .order_by()
        .values("section_id")
        .annotate(amount=Sum("amount"), count=Count("id"))
    }
    mixed_items = _mixed_items(project)
    inputs = [SectionInput(pk, parent_id, position) for pk, parent_id, _, position in section_values]
    known = {section.id for section in inputs}
    totals = calculate_rab(
        inputs,
        [
            ItemInput(id=pk, section_id=pk, position=0, volume=Decimal(1), unit_rate=amount)
            for pk, (amount, _) in per_section.items()
            if pk in known
        ],
        vat_pct=project.vat_pct,
        rounding_step=project.rounding_step,
        rounding_mode=project.rounding_mode,
    )
    numbers = number_tree(
        inputs, [item for item in mixed_items if item.section_id in known], project.numbering_style
    )

    names = {pk: name for pk, _, name, _ in section_values}
    children = children_by_parent(inputs)  # (position, id) order
    direct_counts = {pk: per_section.get(pk, (None, 0))[1] for pk in known}
    sections = _section_rows(inputs, children, direct_counts, numbers, names, totals)
    try:
        words = terbilang_rupiah(totals.rounded_total)
    except ValueError as exc:  # beyond 999 triliun: show the reason instead of failing the page
        words = str(exc)
    return RabSummary(
        sections=sections,
        children=children,
        totals=totals,
        item_count=sum(count for _, count in per_section.values()),
        terbilang=words,
        missing_price_count=count_unpriced_resources(project) if count_missing_prices else None,
    )


# --- rows in tree order -------------------------------------------------------------------------------

_ITEM_FIELDS = (
    "id",
    "section_id",
    "name",
    "unit",
    "volume",
    "unit_rate",
    "amount",
    "analysis__code",
    "analysis__reference_code",
    "analysis__missing_prices",
    "slot",
)


def _plan(summary: RabSummary, roots: Iterable[int], expanded: set[int]):
    """The walk as events ``("section", id, is_open)`` / ``("slot", index, section_id)``, and the slots
    ``(section_id, lower, upper)``: the items of that section with ``lower <= position < upper`` (None =
    unbounded). A tie with a sub-section's position falls after it (the numbering rule)."""
    events: list[tuple] = []
    slots: list[tuple[int, int | None, int | None]] = []

    def add_slot(section_id: int, lower: int | None, upper: int | None) -> None:
        if lower is not None and upper is not None and lower >= upper:
            return
        slots.append((section_id, lower, upper))
        events.append(("slot", len(slots) - 1, section_id))

    def visit(section_id: int) -> None:
        is_open = section_id in expanded
        events.append(("section", section_id, is_open))
        if not is_open:
            return
        has_items = summary.sections[section_id].direct_item_count > 0
        lower = None
        for child_id in summary.children.get(section_id, ()):
            upper = summary.sections[child_id].position
            if has_items:
                add_slot(section_id, lower, upper)
            visit(child_id)
            lower = upper
        if has_items:
            add_slot(section_id, lower, None)

    for root in roots:
        visit(root)
    return events, slots


def _items_query(project: Project, slots, *, every_section: bool):
    whens = []
    for index, (section_id, lower, upper) in enumerate(slots):
        condition = Q(section_id=section_id)
        if lower is not None:
            condition &= Q(position__gte=lower)
        if upper is not None:
            condition &= Q(position__lt=upper)
        whens.append(When(condition, then=Value(index)))
    queryset = WorkItem.objects.filter(project=project)
    if not every_section:
        queryset = queryset.filter(section_id__in={section_id for section_id, _, _ in slots})
    return (
        queryset.annotate(slot=Case(*whens, default=Value(len(slots)), output_field=IntegerField()))
        .order_by("slot", "position", "id")
        .values_list(*_ITEM_FIELDS)
    )


def _walk(
    project: Project,
    summary: RabSummary,
    roots: Iterable[int],
    expanded: set[int],
    *,
    every_section: bool = False,
    chunk_size: int | None = None,
) -> Iterator[Row]:
    events, slots = _plan(summary, roots, expanded)
    if slots:
        queryset = _items_query(project, slots, every_section=every_section)
        items = queryset.iterator(chunk_size=chunk_size) if chunk_size else iter(queryset)
    else:
        items = iter(())
    totals = summary.totals
    counters: dict[int, int] = {}  # open section id -> children numbered so far
    pending = next(items, None)
    for event in events:
        if event[0] == "section":
            _, section_id, is_open = event
            row = summary.sections[section_id]
            if row.parent_id in counters:
                counters[row.parent_id] += 1
            if is_open:
                counters[section_id] = 0
                row = replace(row, is_open=True)
            yield row
            continue
        _, index, section_id = event
        section = summary.sections[section_id]
        while pending is not None and pending[-1] < index:  # a row that changed between the queries
            pending = next(items, None)
        ancestors = (section_id, *section.ancestor_ids)
        while pending is not None and pending[-1] == index:
            batch = []  # at most WEIGHT_BATCH rows of this slot, weighed together
            while pending is not None and pending[-1] == index and len(batch) < WEIGHT_BATCH:
                batch.append(pending)
                pending = next(items, None)
            weights = _item_weights(totals, {values[0]: values[6] for values in batch})
            for pk, _, name, unit, volume, unit_rate, amount, code, reference_code, missing, _ in batch:
                counters[section_id] += 1
                yield ItemRow(
                    id=pk,
                    section_id=section_id,
                    ancestor_ids=ancestors,
                    depth=section.depth + 1,
                    number=f"{section.number}.{counters[section_id]}",
                    code=reference_code or code,
                    name=name,
                    unit=unit,
                    volume=volume,
                    unit_rate=unit_rate,
                    amount=amount,
                    weight=weights[pk],
                    missing_prices=missing,
                )


def load_rab_rows(project: Project, summary: RabSummary, open_ids: Iterable[int] = ()) -> list[Row]:
    """The page: every top-level section, with the sections in ``open_ids`` open (and their ancestors,
    so they are visible). Unknown ids are ignored."""
    expanded: set[int] = set()
    for section_id in open_ids:
        if section_id in summary.sections:
            expanded.add(section_id)
            expanded.update(summary.sections[section_id].ancestor_ids)
    return list(_walk(project, summary, summary.children[None], expanded))


def load_section_rows(project: Project, section_id: int, summary: RabSummary) -> list[Row]:
    """The fragment of one opened section: its own row (open), then its direct sub-sections (closed) and
    work items in order, numbered as in the full view. ``KeyError`` for a section not in the summary."""
    summary.sections[section_id]  # fail early (KeyError) for an unknown section
    return list(_walk(project, summary, [section_id], {section_id}))


def iter_full_rab(project: Project, summary: RabSummary, *, chunk_size: int = 500) -> Iterator[Row]:
    """Every section (open) and work item in tree order, streamed from the database in chunks."""
    return _walk(
        project,
        summary,
        summary.children[None],
        set(summary.sections),
        every_section=True,
        chunk_size=chunk_size,
    )


def load_full_rab(project: Project, summary: RabSummary) -> list[Row]:
    """Every section (open) and work item in tree order (the print view)."""
    return list(_walk(project, summary, summary.children[None], set(summary.sections), every_section=True))
