"""Data of the "Daftar Harga Satuan Dasar" document (shared by the XLSX, CSV and PDF builders).

``load_price_list(project)`` returns the resources used by at least one analysis of the project, grouped
by category in ``ResourceCategory`` choice order (Tenaga Kerja, Bahan, Peralatan, Lain-lain; empty
categories left out), each group ordered by code. One query.

Each row carries the price per unit (``unit_price``, ``None`` = not filled in yet) and, when the resource
is bought in another unit (e.g. 1 zak = 50 kg), the purchase unit, the factor, and the price per purchase
unit: ``calculations.prices.purchase_price``, ``None`` when either is missing. This is the same
value the price page shows (``ahsp.views.prices._decorate``).

The price page reads its rows here too: ``used_resources`` (the editable rows, with how many analyses use
each, searchable), ``unused_resources`` (the ones it offers to remove) and ``missing_price_count`` (the
"belum berharga" counter), one query each.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from ahsp.calculations.prices import purchase_price
from ahsp.models import AnalysisComponent, Project, ProjectResource, ResourceCategory

#: How many words of a search count: every one must match, more than a few only slows the query.
MAX_SEARCH_WORDS = 8


@dataclass(frozen=True)
class PriceRow:
    code: str
    name: str
    unit: str
    unit_price: Decimal | None  # None = harga belum diisi
    purchase_unit: str  # "" when bought in ``unit``
    purchase_factor: Decimal | None  # how many ``unit`` in one ``purchase_unit``
    purchase_price: Decimal | None  # unit_price x purchase_factor, to cents; None if either is missing

    @property
    def missing(self) -> bool:
        return self.unit_price is None


@dataclass(frozen=True)
class PriceGroup:
    category: str  # ResourceCategory value, e.g. "labour"
    label: str  # e.g. "Tenaga Kerja"
    rows: tuple[PriceRow, ...]


def load_price_list(project: Project) -> list[PriceGroup]:
    """The used resources of ``project`` by category, each ordered by code (one query)."""
    resources = (
        ProjectResource.objects.filter(project=project)
        .filter(_is_used())
        .order_by("code", "id")
        .values_list("code", "name", "unit", "category", "unit_price", "purchase_unit", "purchase_factor")
    )
    by_category: dict[str, list[PriceRow]] = {}
    for code, name, unit, category, price, purchase_unit, factor in resources:
        row = PriceRow(code, name, unit, price, purchase_unit, factor, purchase_price(price, factor))
        by_category.setdefault(category, []).append(row)
    return [
        PriceGroup(value, str(label), tuple(by_category[value]))
        for value, label in ResourceCategory.choices
        if value in by_category
    ]


def missing_count(groups: list[PriceGroup]) -> int:
    """How many rows have no price yet."""
    return sum(row.missing for group in groups for row in group.rows)


def _is_used() -> Exists:
    return Exists(AnalysisComponent.objects.filter(resource=OuterRef("pk")))


def used_resources(project: Project, query: str = "") -> QuerySet[ProjectResource]:
    """Resources used by at least one analysis, with the number of analyses using each
    (``analysis_count``), filtered by ``query``: every word in the code or the name, case-insensitive.
    One query, ordered by code."""
    resources = (
        ProjectResource.objects.filter(project=project)
        .annotate(analysis_count=Count("components__analysis", distinct=True))
        .filter(analysis_count__gt=0)
        .only(
            "id",
            "code",
            "name",
            "unit",
            "category",
            "unit_price",
            "purchase_unit",
            "purchase_factor",
            "version",
        )
    )
    for word in query.split()[:MAX_SEARCH_WORDS]:
        resources = resources.filter(Q(code__icontains=word) | Q(name__icontains=word))
    return resources.order_by("code", "id")


def unused_resources(project: Project) -> list[ProjectResource]:
    """Resources no analysis uses (the page offers to remove them), ordered by code. One query."""
    return list(
        ProjectResource.objects.filter(project=project)
        .filter(~_is_used())
        .only("id", "code", "name", "unit", "category", "unit_price")
        .order_by("code", "id")
    )


def missing_price_count(project: Project) -> int:
    """How many used resources have no price yet. One query."""
    return ProjectResource.objects.filter(project=project, unit_price__isnull=True).filter(_is_used()).count()
