"""What the RAB recap and every RAB document must state beside the figures (issue 11 §5 and §7).

- The BUK (overhead & profit) % the unit prices include: the project's, and every work item that has its
  own (owners' formats ask for "Harga satuan pekerjaan sudah termasuk Biaya Umum dan Keuntungan (BUK)
  10 %", then "kecuali: <item> 12 %").
- Whether the RAB is complete: while any work item has HSP 0 or any resource used by an analysis has no
  price, the RAB is a draft ("RAB belum lengkap") on the page, the dashboard and every exported document.

This is the one notion of completeness: "a resource used by an analysis" is the prices page's (a
resource with at least one analysis component), so the counts here and there agree.

Queries, whatever the project size: two (the overrides with their place in their section; both counts in
one statement), plus one for the first ``UNPRICED_SAMPLE`` unpriced work items when there are any;
``load_draft_mark`` alone: one.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext, ngettext

from ahsp.formatting import format_trimmed
from ahsp.models import Project, ProjectResource, Section, WorkItem

GOVERNMENT_OVERHEAD_CEILING = Decimal("15")
UNPRICED_SAMPLE = 5  # unpriced work items named (and linked) in the notice


def format_pct(value: Decimal) -> str:
    """A percentage in Indonesian format with the decimals that mean something: ``12.50`` -> ``12,5``,
    ``10.00`` -> ``10``, ``7.25`` -> ``7,25``."""
    return format_trimmed(value, 0, 6)


@dataclass(frozen=True)
class OverheadOverride:
    item_id: int
    name: str
    pct: Decimal
    number: str = ""  # its number in the RAB ("II.3"), when the notes were loaded with the summary

    @property
    def pct_label(self) -> str:
        return format_pct(self.pct)

    @property
    def label(self) -> str:
        """``"II.3 Plesteran 1:4 12 %"``: one entry of the "kecuali" list."""
        name = f"{self.number} {self.name}" if self.number else self.name
        return f"{name} {self.pct_label} %"


@dataclass(frozen=True)
class UnpricedItem:
    item_id: int
    name: str


@dataclass(frozen=True)
class RabNotes:
    overhead_pct: Decimal  # the project's BUK %
    overrides: tuple[OverheadOverride, ...]  # items with their own BUK %, sorted by (pct, name)
    unpriced_items: int  # work items whose HSP is 0
    unpriced_resources: int  # resources used by an analysis and still without a price
    unpriced_sample: tuple[UnpricedItem, ...] = ()  # the first unpriced work items, in tree position

    @property
    def is_complete(self) -> bool:
        return not self.unpriced_items and not self.unpriced_resources

    @property
    def above_government_ceiling(self) -> bool:
        return self.overhead_pct > GOVERNMENT_OVERHEAD_CEILING or any(
            o.pct > GOVERNMENT_OVERHEAD_CEILING for o in self.overrides
        )

    @property
    def overhead_label(self) -> str:
        """``"12,5"``: the project's BUK % as printed."""
        return format_pct(self.overhead_pct)

    @property
    def statement(self) -> str:
        """The sentence every RAB states under its recap."""
        return gettext("Harga satuan pekerjaan sudah termasuk Biaya Umum dan Keuntungan (BUK) %(pct)s %%") % {
            "pct": self.overhead_label
        }

    @property
    def exceptions(self) -> str:
        """``"kecuali: I.2 Galian 15 %; II.1 Plesteran 12 %"``, or "" when no item has its own BUK."""
        if not self.overrides:
            return ""
        return gettext("kecuali: %(items)s") % {"items": "; ".join(o.label for o in self.overrides)}

    @property
    def full_statement(self) -> str:
        """The statement and its exceptions in one line (CSV, plain-text documents)."""
        return f"{self.statement}, {self.exceptions}" if self.overrides else self.statement

    @property
    def ceiling_warning(self) -> str:
        """The warning above the government ceiling (the project form's wording), or ""."""
        ceiling = format_pct(GOVERNMENT_OVERHEAD_CEILING)
        if self.overhead_pct > GOVERNMENT_OVERHEAD_CEILING:
            return gettext(
                "BUK %(pct)s %% di atas batas %(ceiling)s %% untuk pekerjaan pemerintah (Permen PUPR 8/2023); "
                "boleh untuk pekerjaan swasta."
            ) % {"pct": self.overhead_label, "ceiling": ceiling}
        if self.above_government_ceiling:
            return gettext(
                "BUK khusus di atas batas %(ceiling)s %% untuk pekerjaan pemerintah (Permen PUPR 8/2023); "
                "boleh untuk pekerjaan swasta."
            ) % {"ceiling": ceiling}
        return ""

    @property
    def draft_mark(self) -> str:
        """``"DRAF — RAB belum lengkap: 3 pekerjaan tanpa harga satuan, 2 sumber daya tanpa harga"`` (a
        count of 0 is left out), or "" when the RAB is complete."""
        if self.is_complete:
            return ""
        parts = []
        if self.unpriced_items:
            parts.append(
                ngettext(
                    "%(count)s pekerjaan tanpa harga satuan",
                    "%(count)s pekerjaan tanpa harga satuan",
                    self.unpriced_items,
                )
                % {"count": self.unpriced_items}
            )
        if self.unpriced_resources:
            parts.append(
                ngettext(
                    "%(count)s sumber daya tanpa harga",
                    "%(count)s sumber daya tanpa harga",
                    self.unpriced_resources,
                )
                % {"count": self.unpriced_resources}
            )
        return gettext("DRAF — RAB belum lengkap: %(missing)s") % {"missing": ", ".join(parts)}


def unpriced_resources_query(project_ref) -> Subquery:
    """The number of the project's resources used by an analysis and without a price, as a subquery
    (``project_ref``: the project's id, a value or an ``OuterRef``)."""
    return Subquery(
        ProjectResource.objects.filter(project=project_ref, unit_price__isnull=True, components__isnull=False)
        .order_by()
        .values("project")
        .annotate(n=Count("id", distinct=True))
        .values("n")[:1],
        output_field=IntegerField(),
    )


def unpriced_items_query(project_ref) -> Subquery:
    """The number of the project's work items whose HSP is 0, as a subquery."""
    return Subquery(
        WorkItem.objects.filter(project=project_ref, unit_rate=0)
        .order_by()
        .values("project")
        .annotate(n=Count("id"))
        .values("n")[:1],
        output_field=IntegerField(),
    )


def incompleteness_exists(project_ref=None) -> tuple[Exists, Exists]:
    """Two ``Exists`` over a project (default: the outer query's ``pk``): it has a work item with HSP 0;
    it has a used resource without a price. The RAB is incomplete when either holds (as
    ``RabNotes.is_complete``); ``Exists`` keeps an aggregating outer query free of extra joins."""
    ref = OuterRef("pk") if project_ref is None else project_ref
    return (
        Exists(WorkItem.objects.filter(project=ref, unit_rate=0)),
        Exists(
            ProjectResource.objects.filter(project=ref, unit_price__isnull=True, components__isnull=False)
        ),
    )


def with_completeness(projects: QuerySet) -> QuerySet:
    """``projects`` with ``rab_unpriced_item`` and ``rab_unpriced_resource`` (booleans, two ``EXISTS``
    in the same query): a project list can mark the rows whose RAB is incomplete
    (``project_list.html`` shows "RAB belum lengkap" when either is true)."""
    unpriced_item, unpriced_resource = incompleteness_exists()
    return projects.annotate(rab_unpriced_item=unpriced_item, rab_unpriced_resource=unpriced_resource)


def _item_rank() -> Subquery:
    """An item's place among its section's children (sub-sections and items share one counter; a
    sub-section comes first on a tie of position, then ids), the rule of ``calculations.numbering``."""
    sections_before = (
        Section.objects.filter(parent_id=OuterRef("section_id"), position__lte=OuterRef("position"))
        .order_by()
        .values("parent_id")
        .annotate(n=Count("id"))
        .values("n")[:1]
    )
    items_before = (
        WorkItem.objects.filter(section_id=OuterRef("section_id"))
        .filter(
            Q(position__lt=OuterRef("position")) | Q(position=OuterRef("position"), id__lt=OuterRef("id"))
        )
        .order_by()
        .values("section_id")
        .annotate(n=Count("id"))
        .values("n")[:1]
    )
    zero = Value(0)
    return (
        Coalesce(Subquery(sections_before, output_field=IntegerField()), zero)
        + Coalesce(Subquery(items_before, output_field=IntegerField()), zero)
        + Value(1)
    )


def _unpriced_counts(project: Project) -> tuple[int, int]:
    """(work items with HSP 0, used resources without a price): one query."""
    return (
        Project.objects.filter(pk=project.pk)
        .annotate(
            unpriced_items=Coalesce(unpriced_items_query(project.pk), Value(0)),
            unpriced_resources=Coalesce(unpriced_resources_query(project.pk), Value(0)),
        )
        .values_list("unpriced_items", "unpriced_resources")
        .first()
    ) or (0, 0)


def load_draft_mark(project: Project) -> str:
    """Only ``RabNotes.draft_mark`` ("" for a complete RAB), in one query: for documents that state
    nothing else of the notes (the CSVs of the analyses, prices and requirements)."""
    items, resources = _unpriced_counts(project)
    return RabNotes(project.overhead_profit_pct, (), items, resources).draft_mark


def load_rab_notes(project: Project, summary=None) -> RabNotes:
    """The notes of ``project``'s RAB. With ``summary`` (``loaders.RabSummary``), each override carries
    its number in the RAB ("II.3"), computed in the same query."""
    items = WorkItem.objects.filter(project=project).order_by()
    override_rows = (
        items.filter(overhead_pct_override__isnull=False)
        .exclude(overhead_pct_override=project.overhead_profit_pct)
        .annotate(rank=_item_rank() if summary is not None else Value(0))
        .values_list("id", "name", "overhead_pct_override", "section_id", "rank")
    )
    sections = summary.sections if summary is not None else {}
    overrides = []
    for pk, name, pct, section_id, rank in override_rows:
        section = sections.get(section_id)
        overrides.append(OverheadOverride(pk, name, pct, f"{section.number}.{rank}" if section else ""))

    counts = _unpriced_counts(project)
    sample: tuple[UnpricedItem, ...] = ()
    if counts[0]:
        sample = tuple(
            UnpricedItem(pk, name)
            for pk, name in items.filter(unit_rate=0)
            .order_by("section__position", "section_id", "position", "id")
            .values_list("id", "name")[:UNPRICED_SAMPLE]
        )
    return RabNotes(
        overhead_pct=project.overhead_profit_pct,
        overrides=tuple(sorted(overrides, key=lambda o: (o.pct, o.name, o.item_id))),
        unpriced_items=counts[0],
        unpriced_resources=counts[1],
        unpriced_sample=sample,
    )
