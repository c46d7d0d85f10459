"""The work breakdown page (Daftar Pekerjaan): the section tree with its work items, numbered (I, I.1,
I.1.1 ...) from positions only, in a constant number of queries whatever the size of the project.

A big project shows its sections closed (their rows load per section through HTMX); a small one
(``settings.WORK_BREAKDOWN_EAGER_ITEMS`` items or fewer) shows everything. The money on this page is the
stored amounts (``load_total``); the priced tree with subtotals is the RAB's (``ahsp.loaders.rab``).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Sum

from ahsp.calculations.numbering import number_tree
from ahsp.calculations.totals import ItemInput, SectionInput
from ahsp.models import Project, Section, WorkItem


@dataclass
class SectionNode:
    section: Section
    number: str
    depth: int
    items: list = field(default_factory=list)
    children: list = field(default_factory=list)
    item_count: int = 0
    loaded: bool = True


ITEM_FIELDS = (
    "id",
    "section_id",
    "name",
    "unit",
    "position",
    "volume",
    "volume_formula",
    "volume_error",
    "unit_rate",
    "amount",
    "version",
    "analysis__code",
    "analysis__reference_code",
    "analysis__is_modified",
    "analysis__missing_prices",
)


def load_items(project: Project, section_ids: set[int] | None = None) -> list[WorkItem]:
    qs = WorkItem.objects.filter(project=project)
    if section_ids is not None:
        qs = qs.filter(section_id__in=section_ids)
    return list(qs.select_related("analysis").only(*ITEM_FIELDS).order_by("position", "id"))


def load_numbers(project: Project, sections: list[Section]) -> tuple[dict, dict[int, int]]:
    """Derived numbers of every section and item (from positions only) and the item count per section."""
    positions = list(WorkItem.objects.filter(project=project).values_list("id", "section_id", "position"))
    numbers = number_tree(
        [SectionInput(s.pk, s.parent_id, s.position) for s in sections],
        [
            ItemInput(pk, section_id, position, Decimal("0"), Decimal("0"))
            for pk, section_id, position in positions
        ],
        project.numbering_style,
    )
    counts: dict[int, int] = {}
    for _pk, section_id, _position in positions:
        counts[section_id] = counts.get(section_id, 0) + 1
    return numbers, counts


def load_tree(
    project: Project, open_ids: set[int] | frozenset = frozenset()
) -> tuple[list[SectionNode], dict]:
    """The breakdown, numbered (I, I.1, I.1.1), in a constant number of queries. A big project shows its
    sections closed (rows load per section through HTMX); a small one shows everything."""
    sections = list(Section.objects.filter(project=project).order_by("position", "id"))
    numbers, counts = load_numbers(project, sections)
    eager = sum(counts.values()) <= settings.WORK_BREAKDOWN_EAGER_ITEMS
    items = load_items(project, None if eager else set(open_ids))
    nodes = {s.pk: SectionNode(s, numbers[("section", s.pk)], 0) for s in sections}
    roots = []
    for s in sections:
        node = nodes[s.pk]
        node.item_count = counts.get(s.pk, 0)
        node.loaded = eager or s.pk in open_ids
        if s.parent_id is None:
            roots.append(node)
        else:
            nodes[s.parent_id].children.append(node)
    for item in items:
        item.number = numbers[("item", item.pk)]
        nodes[item.section_id].items.append(item)

    def set_depth(node_list, depth):
        for node in node_list:
            node.depth = depth
            set_depth(node.children, depth + 1)

    set_depth(roots, 0)
    return roots, nodes


def flat_sections(roots: list[SectionNode]) -> list[SectionNode]:
    out = []
    for node in roots:
        out.append(node)
        out.extend(flat_sections(node.children))
    return out


def load_total(project: Project) -> Decimal:
    return WorkItem.objects.filter(project=project).aggregate(s=Sum("amount"))["s"] or Decimal("0")


def load_item_number(project: Project, item: WorkItem) -> str:
    """The derived number of one row: all sections plus the items of its own section (two queries)."""
    sections = Section.objects.filter(project=project).values_list("id", "parent_id", "position")
    siblings = WorkItem.objects.filter(section_id=item.section_id).values_list("id", "position")
    numbers = number_tree(
        [SectionInput(*row) for row in sections],
        [ItemInput(pk, item.section_id, position, Decimal("0"), Decimal("0")) for pk, position in siblings],
        project.numbering_style,
    )
    return numbers[("item", item.pk)]
