"""The data of the dashboard widgets (issue 6 §1), each over the user's visible projects only.

Every query starts from ``Project.objects.visible_to(user)`` and aggregates in the database: a fixed number
of queries whatever the number of projects (no loop over ORM objects). Money is summed as exact integer
cents (``ahsp.loaders._sums.Scaled``), the schedule as exact sums of amount x share (cents x 1/10,000 %: numeric
products on PostgreSQL, the 64-bit split of ``ahsp.loaders.gantt.weighted_sums`` on SQLite), so the figures are
the same Decimals the project pages show.

- ``ringkasan``: projects by status; over the projects that are not archived, the value of the estimates
  before PPN (sum of the work items' amounts, "Jumlah" of each RAB), with PPN (sum of each project's
  "Jumlah total" = Jumlah + PPN rounded to cents, before the project's rounding to Rp 1.000 etc.) and
  the budget ceilings (pagu); and the projects (not archived) whose RAB is incomplete ("RAB belum
  lengkap": a work item with HSP 0 or a used resource without a price, the rule of ``ahsp.loaders.rab_notes``),
  counted and the first ``INCOMPLETE_LIMIT`` named. One query (two ``EXISTS`` per project row). Prices
  and items change only through audited services, whose events bump the data versions, so the cached
  fragment follows them.
- ``aktivitas``: the last ``ACTIVITY_LIMIT`` audit events of the visible projects. One query.
- ``terbesar``: the ``LARGEST_LIMIT`` projects (not archived) with the largest value before PPN, with a
  horizontal bar chart (geometry here, drawn by the template as SVG). One query.
- ``peringatan``: projects (not archived, not done) with a schedule whose cumulative actual progress at the
  current week is behind the cumulative plan: the deviation and status of ``progress_status`` (behind down
  to -10 %, critical below). Three queries.

Schedule alerts, precisely: the current week is the week today falls in (``week_of``), the last week once
the project's duration has passed; projects that have not started yet, have no start date or duration, or
no value are left out. Planned and actual cumulative % of the project are computed as ``s_curve`` does
(exact sums over weeks 1..current / total, half-up to 6 decimals); a week without progress entries counts
as 0 % done (so a plan that started without any progress reported is an alert).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import connections
from django.db.models import (
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Subquery,
    Sum,
    Value,
)
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ahsp.calculations.money import exact_context, quantize_quotient
from ahsp.calculations.schedule import PERCENT_PLACES, SHARE_PLACES, progress_status, week_of
from ahsp.calculations.totals import grand_total as calculate_grand_total
from ahsp.dashboard import cache as dashboard_cache
from ahsp.loaders._sums import CENTS, SHARE_UNITS, DayNumber, Scaled, joined, weighted_sums
from ahsp.loaders.rab_notes import incompleteness_exists
from ahsp.models import AuditEvent, PlannedShare, ProgressEntry, Project, WorkItem

ACTIVITY_LIMIT = 10
LARGEST_LIMIT = 5
ALERT_LIMIT = 10
INCOMPLETE_LIMIT = 5
ALERT_STATUSES = ("behind", "critical")
EPOCH = date(1970, 1, 1)


def _money(cents: int | None) -> Decimal:
    """Integer cents -> a money Decimal with two places (``12345`` -> ``Decimal("123.45")``)."""
    with exact_context():
        return Decimal(int(cents or 0)).scaleb(-CENTS)


def grand_total(total: Decimal, vat_pct: Decimal) -> Decimal:
    """Jumlah total of one RAB: Jumlah + PPN, PPN rounded to cents (``ahsp.calculations.totals``)."""
    return calculate_grand_total(total, vat_pct)


def _valued_projects(user):
    """The user's projects that are not archived, with ``cents``: the sum of their work items' amounts."""
    return (
        Project.objects.visible_to(user)
        .exclude(status=Project.Status.ARCHIVED)
        .order_by()
        .annotate(cents=Sum(Scaled("work_items__amount", CENTS)))
    )


# --- ringkasan ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


@dataclass(frozen=True)
class Summary:
    project_count: int
    by_status: list[StatusCount]  # every status, in the order of Project.Status
    counted_projects: int  # projects in the sums below (not archived)
    estimate_total: Decimal  # sum of Jumlah (before PPN)
    grand_total: Decimal  # sum of Jumlah total (with PPN)
    budget_total: Decimal  # sum of the budget ceilings (pagu)
    over_budget: int  # projects whose Jumlah total exceeds their pagu
    incomplete: int = 0  # projects (not archived) whose RAB is incomplete (``ahsp.loaders.rab_notes``)
    incomplete_projects: tuple[IncompleteProject, ...] = ()  # the first ``INCOMPLETE_LIMIT``, by name


@dataclass(frozen=True)
class IncompleteProject:
    project_id: int
    name: str

    @property
    def url(self) -> str:
        """Its RAB page, where the notice links to the items and prices concerned."""
        return reverse("ahsp:project_rab", args=[self.project_id])


def load_summary(user) -> Summary:
    unpriced_item, unpriced_resource = incompleteness_exists()
    rows = (
        Project.objects.visible_to(user)
        .order_by()
        .annotate(cents=Sum(Scaled("work_items__amount", CENTS)), ceiling=Scaled("budget_ceiling", CENTS))
        .annotate(unpriced_item=unpriced_item, unpriced_resource=unpriced_resource)
        .values_list(
            "status", "vat_pct", "ceiling", "cents", "pk", "name", "unpriced_item", "unpriced_resource"
        )
    )
    counts: Counter[str] = Counter()
    counted = over_budget = 0
    total_cents = budget_cents = 0
    grand = Decimal("0.00")
    incomplete: list[IncompleteProject] = []
    for status, vat_pct, ceiling, cents, pk, name, unpriced_item, unpriced_resource in rows:
        counts[status] += 1
        if status == Project.Status.ARCHIVED:
            continue
        if unpriced_item or unpriced_resource:
            incomplete.append(IncompleteProject(pk, name))
        counted += 1
        total_cents += int(cents or 0)
        budget_cents += int(ceiling or 0)
        project_grand = grand_total(_money(cents), vat_pct)
        with exact_context():
            grand += project_grand
        if ceiling is not None and project_grand > _money(ceiling):
            over_budget += 1
    return Summary(
        project_count=sum(counts.values()),
        by_status=[StatusCount(value, label, counts[value]) for value, label in Project.Status.choices],
        counted_projects=counted,
        estimate_total=_money(total_cents),
        grand_total=grand,
        budget_total=_money(budget_cents),
        over_budget=over_budget,
        incomplete=len(incomplete),
        incomplete_projects=tuple(
            sorted(incomplete, key=lambda p: (p.name, p.project_id))[:INCOMPLETE_LIMIT]
        ),
    )


# --- aktivitas ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Activity:
    event_id: int
    created_at: datetime
    actor: str
    action: str
    action_label: str
    summary: str
    project_id: int
    project_name: str
    project_url: str


def load_activity(user) -> list[Activity]:
    visible = Project.objects.visible_to(user)
    events = (
        AuditEvent.objects.filter(project_id__in=visible.order_by().values("pk"))
        .order_by("-created_at", "-id")
        .annotate(project_name=Subquery(visible.filter(pk=OuterRef("project_id")).values("name")[:1]))
        .values_list("pk", "created_at", "actor_label", "action", "summary", "project_id", "project_name")[
            :ACTIVITY_LIMIT
        ]
    )
    labels = dict(AuditEvent.Action.choices)
    return [
        Activity(
            event_id=pk,
            created_at=created_at,
            actor=actor,
            action=action,
            action_label=str(labels.get(action, action)),
            summary=summary,
            project_id=project_id,
            project_name=project_name,
            project_url=reverse("ahsp:project_detail", args=[project_id]),
        )
        for pk, created_at, actor, action, summary, project_id, project_name in events
    ]


# --- terbesar -----------------------------------------------------------------------------------------

CHART_WIDTH = 340  # about the width of the dashboard's widget column, in px: text stays at its size
BAR_AREA = 210  # bars from x=0 to x=BAR_AREA; the value is written right-aligned at CHART_WIDTH
ROW_HEIGHT = 42
LABEL_BASELINE = 13  # the project's name above its bar
BAR_TOP = 18
BAR_HEIGHT = 14
NAME_CHARS = 48


@dataclass(frozen=True)
class Bar:
    project_id: int
    name: str
    label: str  # the name, shortened for the chart
    url: str
    value: Decimal  # Jumlah (before PPN)
    budget: Decimal | None  # pagu
    y_label: str
    y_bar: str
    y_text: str
    width: str
    budget_x: str | None  # the pagu's mark on the same scale
    budget_y1: str
    budget_y2: str


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    width: int
    height: int
    bar_area: int
    bar_height: int = BAR_HEIGHT


def _coordinate(value_cents: int, scale_cents: int) -> str:
    """``value / scale`` of the bar area, as an SVG coordinate (dot, two decimals)."""
    return f"{quantize_quotient(value_cents * BAR_AREA, scale_cents, 2):f}"


def bar_chart(rows: list[tuple[int, str, int | None, int]]) -> BarChart:
    """Rows of (project id, name, pagu in cents or None, value in cents), largest first. The scale runs
    to the largest value or pagu, so a pagu mark always fits."""
    scale = max([1, *(cents for *_, cents in rows), *(ceiling or 0 for _, _, ceiling, _ in rows)])
    bars = []
    for index, (pk, name, ceiling, cents) in enumerate(rows):
        top = index * ROW_HEIGHT
        label = name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1].rstrip() + "…"
        bars.append(
            Bar(
                project_id=pk,
                name=name,
                label=label,
                url=reverse("ahsp:project_detail", args=[pk]),
                value=_money(cents),
                budget=None if ceiling is None else _money(ceiling),
                y_label=str(top + LABEL_BASELINE),
                y_bar=str(top + BAR_TOP),
                y_text=str(top + BAR_TOP + BAR_HEIGHT - 3),
                width=_coordinate(cents, scale),
                budget_x=None if not ceiling else _coordinate(ceiling, scale),
                budget_y1=str(top + BAR_TOP - 3),
                budget_y2=str(top + BAR_TOP + BAR_HEIGHT + 3),
            )
        )
    return BarChart(bars=bars, width=CHART_WIDTH, height=max(len(bars), 1) * ROW_HEIGHT, bar_area=BAR_AREA)


def load_largest(user) -> BarChart:
    rows = list(
        _valued_projects(user)
        .filter(cents__gt=0)
        .annotate(ceiling=Scaled("budget_ceiling", CENTS))
        .order_by("-cents", "pk")
        .values_list("pk", "name", "ceiling", "cents")[:LARGEST_LIMIT]
    )
    return bar_chart(rows)


# --- peringatan ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Alert:
    project_id: int
    name: str
    week: int  # the current week
    weeks: int  # the project's duration
    planned: Decimal  # cumulative planned % of the project at the end of the current week
    actual: Decimal  # cumulative actual %
    deviation: Decimal  # actual - planned
    status: str  # behind / critical

    @property
    def url(self) -> str:
        """The project's Kurva S (reversed only for the alerts shown)."""
        return reverse("ahsp:project_s_curve", args=[self.project_id])


@dataclass(frozen=True)
class Alerts:
    alerts: list[Alert]  # the worst ``ALERT_LIMIT``, most behind first
    total: int  # every project behind plan
    checked: int  # projects with a schedule that were checked

    @property
    def more(self) -> int:
        return self.total - len(self.alerts)


def current_week(start: date, weeks: int, today: date) -> int | None:
    """The week ``today`` falls in, the last week after the end, None before the start."""
    week = week_of(start, today)
    return None if week < 1 else min(week, weeks)


def _weekly_totals(model, value_field: str, current: dict[int, int], today: date) -> dict[int, int]:
    """Per project: the exact sum of amount x share (cents x 1/10,000 %) over its weeks up to the current
    week, in the database. Week w has started when start + 7 (w - 1) <= today, i.e. start_day + 7 w <=
    today_day + 7 (integers), and counts only within the project's duration (the current week is the
    last one after the end). ``current`` maps the projects to their current weeks: the latest of them
    bounds the weeks read before any join."""
    today_day = (today - EPOCH).days
    rows = (
        model.objects.filter(work_item__project_id__in=list(current), week__lte=max(current.values()))
        .alias(start_day=DayNumber("work_item__project__start_date"))
        .filter(
            start_day__lte=Value(today_day + 7) - F("week") * 7,
            week__lte=F("work_item__project__duration_weeks"),
        )
        .order_by()
        .values("work_item__project_id")
    )
    if connections[rows.db].vendor == "postgresql":
        # numeric x numeric is exact in PostgreSQL, and cheaper than the 64-bit split of weighted_sums
        # (which SQLite needs: it keeps decimals as floats). Same value: 2 + 4 decimals, as an integer.
        product = ExpressionWrapper(F("work_item__amount") * F(value_field), output_field=DecimalField())
        with exact_context():
            return {
                row["work_item__project_id"]: int(row["total"].scaleb(CENTS + SHARE_PLACES))
                for row in rows.annotate(total=Sum(product))
            }
    return {
        row["work_item__project_id"]: joined(row)
        for row in rows.annotate(**weighted_sums("work_item__amount", value_field))
    }


@dataclass(frozen=True)
class ScheduleSums:
    """One project's exact sums at its current week (cached per project, see ``load_alerts``)."""

    cents: int  # the total of its work items' amounts
    planned: int  # amount x planned share up to the current week (cents x 1/10,000 %)
    actual: int  # amount x actual progress up to the current week


def schedule_sums(current: dict[int, int], today: date) -> dict[int, ScheduleSums]:
    """The sums of the projects in ``current`` (project -> current week), in three queries."""
    cents = dict(
        WorkItem.objects.filter(project_id__in=list(current))
        .order_by()
        .values("project_id")
        .annotate(cents=Sum(Scaled("amount", CENTS)))
        .values_list("project_id", "cents")
    )
    planned = _weekly_totals(PlannedShare, "share", current, today)
    actual = _weekly_totals(ProgressEntry, "progress", current, today)
    return {
        pk: ScheduleSums(int(cents.get(pk) or 0), planned.get(pk, 0), actual.get(pk, 0)) for pk in current
    }


def load_alerts(user, today: date) -> Alerts:
    """One query for the user's scheduled projects; their sums come from the per-project cache
    (``dashboard_cache.cached_per_project``, keyed by each project's data version and current week),
    the missing ones from ``schedule_sums`` (three more queries, over those projects only)."""
    projects = list(
        Project.objects.visible_to(user)
        .exclude(status__in=[Project.Status.ARCHIVED, Project.Status.DONE])
        .filter(start_date__isnull=False, start_date__lte=today, duration_weeks__isnull=False)
        .order_by()
        .values_list("pk", "name", "duration_weeks", "start_date")
    )
    current: dict[int, int] = {}
    for pk, _name, weeks, start in projects:
        week = current_week(start, weeks, today)
        if week is not None:
            current[pk] = week
    sums = dashboard_cache.cached_per_project(
        "schedule",
        {
            pk: f"{start.isoformat()}:{weeks}:{current[pk]}"
            for pk, _name, weeks, start in projects
            if pk in current
        },
        lambda missing: schedule_sums({pk: current[pk] for pk in missing}, today),
    )
    alerts = []
    checked = 0
    for pk, name, weeks, _start in projects:
        values = sums.get(pk)
        if values is None or not values.cents:
            continue
        checked += 1
        denominator = values.cents * SHARE_UNITS
        planned_pct = quantize_quotient(values.planned, denominator, PERCENT_PLACES)
        actual_pct = quantize_quotient(values.actual, denominator, PERCENT_PLACES)
        deviation = actual_pct - planned_pct
        status = progress_status(deviation)
        if status in ALERT_STATUSES:
            alerts.append(
                Alert(
                    project_id=pk,
                    name=name,
                    week=current[pk],
                    weeks=weeks,
                    planned=planned_pct,
                    actual=actual_pct,
                    deviation=deviation,
                    status=status,
                )
            )
    alerts.sort(key=lambda alert: (alert.deviation, alert.name, alert.project_id))
    return Alerts(alerts=alerts[:ALERT_LIMIT], total=len(alerts), checked=checked)


# --- the registry -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Widget:
    name: str  # in the URL: /widgets/<name>/
    title: str
    show_label: str  # the link shown without JavaScript
    trigger: str  # hx-trigger of the dashboard's placeholder: "load", or "revealed" below the fold
    load: Callable  # (user, today) -> the template's ``data``
    daily: bool = False  # depends on the date: the date is part of the cache key

    @property
    def template(self) -> str:
        return f"ahsp/widgets/{self.name}.html"

    @property
    def url(self) -> str:
        return reverse("ahsp:widget", args=[self.name])


WIDGETS: dict[str, Widget] = {
    widget.name: widget
    for widget in (
        Widget(
            "ringkasan",
            _("Ringkasan"),
            _("Tampilkan ringkasan"),
            "load",
            lambda user, today: load_summary(user),
        ),
        Widget(
            "peringatan",
            _("Peringatan jadwal"),
            _("Tampilkan peringatan jadwal"),
            "load",
            load_alerts,
            daily=True,
        ),
        Widget(
            "terbesar",
            _("Proyek terbesar"),
            _("Tampilkan proyek terbesar"),
            "revealed",
            lambda user, today: load_largest(user),
        ),
        Widget(
            "aktivitas",
            _("Aktivitas terbaru"),
            _("Tampilkan aktivitas terbaru"),
            "revealed",
            lambda user, today: load_activity(user),
        ),
    )
}
