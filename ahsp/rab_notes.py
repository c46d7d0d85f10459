"""What the RAB recap and every RAB document must state beside the figures (issue 11 §5 and §7).

- The BUK (overhead & profit) % the unit prices include: the project's, and every work item that has its
  own (owners' formats ask for "Harga satuan sudah termasuk BUK 10 %").
- Whether the RAB is complete: while any work item has HSP 0 or any resource used by an analysis has no
  price, the RAB is a draft ("RAB belum lengkap") on the page, the dashboard and every exported document.

Three queries, whatever the project size.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ahsp.models import Project, ProjectResource, WorkItem

GOVERNMENT_OVERHEAD_CEILING = Decimal("15")


@dataclass(frozen=True)
class OverheadOverride:
    item_id: int
    name: str
    pct: Decimal


@dataclass(frozen=True)
class RabNotes:
    overhead_pct: Decimal  # the project's BUK %
    overrides: tuple[OverheadOverride, ...]  # items with their own BUK %, sorted by (pct, name)
    unpriced_items: int  # work items whose HSP is 0
    unpriced_resources: int  # resources used by an analysis and still without a price

    @property
    def is_complete(self) -> bool:
        return not self.unpriced_items and not self.unpriced_resources

    @property
    def above_government_ceiling(self) -> bool:
        return self.overhead_pct > GOVERNMENT_OVERHEAD_CEILING or any(
            o.pct > GOVERNMENT_OVERHEAD_CEILING for o in self.overrides
        )


def load_rab_notes(project: Project) -> RabNotes:
    """Three small queries (overrides, unpriced items, unpriced resources), whatever the project size."""
    items = WorkItem.objects.filter(project=project)
    overrides = [
        OverheadOverride(pk, name, pct)
        for pk, name, pct in items.filter(overhead_pct_override__isnull=False)
        .exclude(overhead_pct_override=project.overhead_profit_pct)
        .values_list("id", "name", "overhead_pct_override")
    ]
    unpriced_resources = (
        ProjectResource.objects.filter(project=project, unit_price__isnull=True, components__isnull=False)
        .distinct()
        .count()
    )
    return RabNotes(
        overhead_pct=project.overhead_profit_pct,
        overrides=tuple(sorted(overrides, key=lambda o: (o.pct, o.name, o.item_id))),
        unpriced_items=items.filter(unit_rate=0).count(),
        unpriced_resources=unpriced_resources,
    )
