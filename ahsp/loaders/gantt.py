"""The Gantt page (jadwal pelaksanaan): one window of weeks over the work breakdown, in a constant number
of queries whatever the size of the project.

Rows come from the RAB loaders (``ahsp.loaders.rab``: the same tree, numbers and weights as the Rekap RAB);
this module adds, for one window of ``WINDOW`` weeks:

- per work item row: its planned share (% of the item) and actual progress in each week of the window,
  its whole plan (first/last week, the text of the "% per minggu" field) and its cumulative progress;
- per section row: the % of the project planned in each week of the window by the items below it, the
  first and last planned week of the subtree and its weighted cumulative progress;
- the bottom rows: planned and actual % of the project per week and cumulative (``s_curve``).

Why not ``ahsp.loaders.schedule.load_schedule``: it reads every planned share of the project and converts
each one (Django's float -> Decimal converter on SQLite) before multiplying in the exact context: about
240 ms at 2,000 items x ~5 planned weeks, beyond the budget of a window fragment (100 ms). Here the
database sums amount x share per week, per section and window week, and per section, as exact 64-bit
integers (cents x 1/10,000 %, see ``weighted_sums``), so a few hundred rows come back whatever the
number of planned weeks; the weekly sums then go through the same ``s_curve``, so the curve is identical
(tested in ``ahsp/tests/test_views_schedule.py``). Only the visible items' own weeks are read row by row.

Queries: ``load_rab_summary`` (3), the open sections' items (0 or 1, ``ahsp.loaders.rab``), then per section
(amounts, planned items and their first/last week), planned per week up to the window's end, per section
and window week, progress per section and week, week reports and stages (6), and for visible items their
version/stage, plans and progress (3).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import ClassVar

from django.conf import settings
from django.db.models import (
    Count,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.utils.translation import gettext

from ahsp.calculations.money import quantize_quotient
from ahsp.calculations.schedule import (
    SHARE_PLACES,
    WeekProgress,
    project_weeks,
    s_curve,
    week_of,
)
from ahsp.formatting import format_number
from ahsp.loaders import rab as rab_loader
from ahsp.loaders._sums import CENTS, SHARE_UNITS, Scaled, as_text, joined, weighted_sums
from ahsp.loaders.rab import ItemRow, RabSummary, SectionRow
from ahsp.loaders.schedule import current_week
from ahsp.models import PlannedShare, ProgressEntry, Project, Stage, WeekReport, WorkItem

WINDOW = 12  # weeks per window of the Gantt
MAX_WEEK_DIGITS = 6


def is_scheduled(project: Project) -> bool:
    return bool(project.start_date and project.duration_weeks)


# --- the window of weeks -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    first: int  # first week shown (1-based)
    last: int  # last week shown
    count: int  # weeks in the project
    current: int | None  # the week today falls in (None outside the project)

    @property
    def weeks(self) -> range:
        return range(self.first, self.last + 1)

    @property
    def previous(self) -> int | None:
        return max(1, self.first - WINDOW) if self.first > 1 else None

    @property
    def next(self) -> int | None:
        return self.first + WINDOW if self.first + WINDOW <= self.count else None

    @property
    def current_start(self) -> int | None:
        """The first week of the window holding the current week, when that is not this window."""
        if self.current is None or self.first <= self.current <= self.last:
            return None
        return aligned_start(self.current)

    @property
    def size(self) -> int:
        return self.last - self.first + 1


def aligned_start(week: int) -> int:
    """The first week of the window of 12 that holds ``week``: 1, 13, 25, ..."""
    return (week - 1) // WINDOW * WINDOW + 1


def window_for(count: int, raw_from: str | int | None, current: int | None) -> Window:
    """``?from=``: the first week of the window. Empty or not a number: the window of the current week,
    else week 1. A number below 1 is week 1; beyond the project, the last window."""
    default = aligned_start(current) if current else 1
    text = str(raw_from).strip() if raw_from is not None else ""
    digits = text[1:] if text[:1] in "+-" else text
    if not digits.isascii() or not digits.isdecimal():
        first = default
    elif text.startswith("-") or len(digits) > MAX_WEEK_DIGITS:
        first = 1 if text.startswith("-") else aligned_start(count)
    else:
        first = int(digits)
        if first < 1:
            first = 1
        elif first > count:
            first = aligned_start(count)
    return Window(first=first, last=min(first + WINDOW - 1, count), count=count, current=current)


# --- display values ------------------------------------------------------------------------------------


def percent_label(value: Decimal | None, places: int = 2) -> str:
    """``Decimal("25.0000")`` -> ``"25"``, ``Decimal("33.3333")`` -> ``"33,33"`` (for narrow cells)."""
    if value is None:
        return ""
    text = format_number(value, places)
    if "," in text:
        text = text.rstrip("0").rstrip(",")
    return text


def share_text(share: Decimal) -> str:
    """A share as typed back into the "% per minggu" field: no trailing zeros, decimal comma, and never
    three decimals (``12,5`` stays, ``12,125`` becomes ``12,1250``: ``parse_decimal`` in the English UI
    reads a comma before exactly three digits as a thousands group, 12125)."""
    exact = share.quantize(Decimal(1).scaleb(-SHARE_PLACES))
    text = format_number(exact, SHARE_PLACES).rstrip("0").rstrip(",")
    if "," in text and len(text.partition(",")[2]) == 3:
        text += "0"
    return text


def format_week_shares(shares: dict[int, Decimal]) -> str:
    """``{3: 25, 4: 25, 5: 50}`` -> ``"3:25; 4:25; 5:50"``."""
    return "; ".join(f"{week}:{share_text(share)}" for week, share in sorted(shares.items()))


# --- rows -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeekColumn:
    number: int
    start: date
    end: date
    is_current: bool


@dataclass(frozen=True)
class Cell:
    """One week of a row. Item rows: % of the item planned / done that week. Section rows: % of the
    project planned that week by the items below (``actual`` unused). ``label``, ``title`` and the CSS
    classes are ready to print: a window renders hundreds of cells, so the template only pastes them."""

    week: int
    planned: Decimal | None  # None: nothing planned that week
    actual: Decimal | None = None
    is_current: bool = False
    joins_previous: bool = False  # the bar continues from the previous week
    joins_next: bool = False
    label: str = ""  # the text inside the bar
    title: str = ""  # the bar's tooltip
    actual_title: str = ""

    @property
    def css(self) -> str:
        return "wk" + (" on" if self.planned is not None else "") + (" now" if self.is_current else "")

    @property
    def bar_css(self) -> str:
        return "bar" + (" jp" if self.joins_previous else "") + (" jn" if self.joins_next else "")


@dataclass(frozen=True)
class GanttSection:
    kind: ClassVar[str] = "section"

    section: SectionRow
    cells: list[Cell]
    first_week: int | None  # first and last planned week below it (any window)
    last_week: int | None
    planned_items: int  # items below it with a plan
    progress: Decimal  # weighted cumulative actual %, 2 decimals

    @property
    def id(self) -> int:
        return self.section.id


@dataclass(frozen=True)
class GanttItem:
    kind: ClassVar[str] = "item"

    item: ItemRow
    cells: list[Cell]
    version: int  # the item's schedule_version: the lock its plan and stage forms carry
    stage_id: int | None
    stage_name: str
    shares: dict[int, Decimal]  # the whole plan, week -> % of the item
    progress: Decimal  # cumulative actual % of the item

    @property
    def id(self) -> int:
        return self.item.id

    @property
    def first_week(self) -> int | None:
        return min(self.shares) if self.shares else None

    @property
    def last_week(self) -> int | None:
        return max(self.shares) if self.shares else None

    @property
    def plan_text(self) -> str:
        return format_week_shares(self.shares)

    @property
    def progress_label(self) -> str:
        return percent_label(self.progress)

    @property
    def progress_width(self) -> str:
        """For the inline bar: ``"37.5"`` (a CSS percentage, dot decimal)."""
        return f"{min(self.progress, Decimal(100)):.1f}"


@dataclass(frozen=True)
class StageInfo:
    stage: Stage
    first_week: int | None  # the weeks its dates fall in (None without a date)
    last_week: int | None


@dataclass(frozen=True)
class Gantt:
    window: Window
    columns: list[WeekColumn]
    lines: list[GanttSection | GanttItem]
    totals: list[WeekProgress]  # the window's weeks of the S-curve
    summary: RabSummary
    eager: bool  # every section open (a small project)
    stages: list[StageInfo]
    item_count: int
    planned_item_count: int
    total: Decimal  # sum of the amounts (the project's 100 %)
    planned_weight: Decimal  # bobot of the planned items, % (100 once every item is planned)
    open_ids: tuple[int, ...] = field(default=())  # sections open in ``lines`` (carried by links)
    closed_ids: tuple[int, ...] = field(default=())  # small project: sections closed by hand (carried too)

    @property
    def sections(self) -> list[GanttSection]:
        return [line for line in self.lines if line.kind == "section"]

    @property
    def items(self) -> list[GanttItem]:
        return [line for line in self.lines if line.kind == "item"]

    @property
    def unplanned_item_count(self) -> int:
        return self.item_count - self.planned_item_count


# --- loading --------------------------------------------------------------------------------------------


def _units(text: str | None, places: int) -> int:
    """A stored decimal read as text (``"33.3333"``, ``"25"``) -> an integer count of 10**-places, exactly.
    Anything unusual (an exponent, a sign, more decimals) goes through ``Decimal``, rounded half-up."""
    if text is None:
        return 0
    whole, _, fraction = text.partition(".")
    if whole.isdigit() and len(fraction) <= places and (not fraction or fraction.isdigit()):
        return int(whole) * 10**places + (int(fraction.ljust(places, "0")) if fraction else 0)
    return int(Decimal(text).scaleb(places).to_integral_value(ROUND_HALF_UP))


# long-function: the window's aggregate queries and the row decoration share their locals; split pending (issue 14 §7)
def _load(project: Project, summary: RabSummary, rows: list, window: Window, *, eager: bool) -> Gantt:  # noqa: C901  one pass over the rows, split pending (issue 14 §7)
    """Decorate ``rows`` (from the RAB loaders) with the window's weeks. The project-wide sums are
    aggregated by the database as exact integers (a few hundred rows back, whatever the number of
    planned weeks); only the visible items' own weeks are read row by row."""
    count = window.count
    first_shown, last_shown = window.first, window.last
    planned = PlannedShare.objects.filter(work_item__project=project, week__gte=1, week__lte=count).order_by()
    done = ProgressEntry.objects.filter(work_item__project=project, week__gte=1, week__lte=count).order_by()

    # Per section (its own items): amount, planned items and their amount, first and last planned week.
    # The weeks are index seeks per item (the unique index on work item + week), not a scan of the plan.
    own_weeks = PlannedShare.objects.filter(work_item=OuterRef("pk"), week__gte=1, week__lte=count).order_by()
    section_cents: dict[int, int] = {}
    section_planned_items: dict[int, int] = {}
    section_span: dict[int, tuple[int, int]] = {}
    planned_cents = 0
    for section_id, amount, planned_amount, items, first, last in (
        WorkItem.objects.filter(project=project)
        .order_by()
        .annotate(
            first_week=Subquery(own_weeks.order_by("week").values("week")[:1]),
            last_week=Subquery(own_weeks.order_by("-week").values("week")[:1]),
        )
        .values("section_id")
        .annotate(
            amount_cents=Sum(Scaled("amount", CENTS)),
            planned_amount_cents=Sum(Scaled("amount", CENTS), filter=Q(first_week__isnull=False)),
            items=Count("first_week"),
            first=Min("first_week"),
            last=Max("last_week"),
        )
        .values_list("section_id", "amount_cents", "planned_amount_cents", "items", "first", "last")
    ):
        section_cents[section_id] = int(amount or 0)
        planned_cents += int(planned_amount or 0)
        if items:
            section_planned_items[section_id] = items
            section_span[section_id] = (first, last)
    total_cents = sum(section_cents.values())
    planned_item_count = sum(section_planned_items.values())

    # The weekly sums up to the end of the window (the weeks after it are not shown, and the index on
    # (work item, week) lets the database skip them).
    planned_sums = [0] * (last_shown + 1)  # week -> cents x units (index 0 unused)
    for row in (
        planned.filter(week__lte=last_shown)
        .values("week")
        .annotate(**weighted_sums("work_item__amount", "share"))
    ):
        planned_sums[row["week"]] = joined(row)
    section_weeks: dict[int, dict[int, int]] = {}  # section -> window week -> cents x units
    for row in (
        planned.filter(week__gte=first_shown, week__lte=last_shown)
        .values("work_item__section_id", "week")
        .annotate(**weighted_sums("work_item__amount", "share"))
    ):
        section_weeks.setdefault(row["work_item__section_id"], {})[row["week"]] = joined(row)
    actual_sums = [0] * (last_shown + 1)
    section_done: dict[int, int] = {}  # cents x cumulative units
    last_progress_week = 0
    for row in done.values("work_item__section_id", "week").annotate(
        **weighted_sums("work_item__amount", "progress")
    ):
        value = joined(row)
        if row["week"] <= last_shown:
            actual_sums[row["week"]] += value
        section_id = row["work_item__section_id"]
        section_done[section_id] = section_done.get(section_id, 0) + value
        last_progress_week = max(last_progress_week, row["week"])
    report_weeks = list(WeekReport.objects.filter(project=project).values_list("week", flat=True))
    stages = list(Stage.objects.filter(project=project))

    # The visible work items: their own weeks, row by row (only the open sections' items).
    visible = {row.id for row in rows if row.kind == "item"}
    visible_sections = {row.section_id for row in rows if row.kind == "item"}
    item_meta: dict[int, tuple[int, int | None]] = {}
    item_shares: dict[int, dict[int, Decimal]] = {}  # every week
    item_actual: dict[int, dict[int, Decimal]] = {}  # window weeks
    item_progress: dict[int, int] = {}  # cumulative units
    if visible:
        for pk, version, stage_id in WorkItem.objects.filter(
            project=project, section_id__in=visible_sections
        ).values_list("pk", "schedule_version", "stage_id"):
            item_meta[pk] = (version, stage_id)
        for item_id, week, share in planned.filter(work_item__section_id__in=visible_sections).values_list(
            "work_item_id", "week", as_text("share")
        ):
            if item_id in visible:
                item_shares.setdefault(item_id, {})[week] = Decimal(_units(share, SHARE_PLACES)).scaleb(
                    -SHARE_PLACES
                )
        for item_id, week, progress in done.filter(work_item__section_id__in=visible_sections).values_list(
            "work_item_id", "week", as_text("progress")
        ):
            units = _units(progress, SHARE_PLACES)
            item_progress[item_id] = item_progress.get(item_id, 0) + units
            if item_id in visible and first_shown <= week <= last_shown:
                item_actual.setdefault(item_id, {})[week] = Decimal(units).scaleb(-SHARE_PLACES)

    # The S-curve, as load_schedule computes it: sums in rupiah x % (here exact integers x 10**-6).
    total = Decimal(total_cents).scaleb(-CENTS)
    reported = min(max([last_progress_week, *report_weeks]), count)
    curve = s_curve(  # weeks 1 .. the end of the window
        [Decimal(value).scaleb(-CENTS - SHARE_PLACES) for value in planned_sums[1:]],
        [Decimal(value).scaleb(-CENTS - SHARE_PLACES) for value in actual_sums[1:]],
        total,
        reported,
    )

    # Roll the section values up the tree: children before parents (reversed pre-order).
    for section_id in reversed(list(summary.sections)):
        parent_id = summary.sections[section_id].parent_id
        if parent_id is None:
            continue
        section_cents[parent_id] = section_cents.get(parent_id, 0) + section_cents.get(section_id, 0)
        section_done[parent_id] = section_done.get(parent_id, 0) + section_done.get(section_id, 0)
        section_planned_items[parent_id] = section_planned_items.get(parent_id, 0) + (
            section_planned_items.get(section_id, 0)
        )
        if section_id in section_weeks:
            parent_weeks = section_weeks.setdefault(parent_id, {})
            for week, value in section_weeks[section_id].items():
                parent_weeks[week] = parent_weeks.get(week, 0) + value
        if section_id in section_span:
            first, last = section_span[section_id]
            parent_first, parent_last = section_span.get(parent_id, (first, last))
            section_span[parent_id] = (min(first, parent_first), max(last, parent_last))

    def project_pct(value: int) -> Decimal:
        if not total_cents:
            return Decimal(0)
        return quantize_quotient(value, total_cents * SHARE_UNITS, 4)

    item_title = gettext("M%(week)s: rencana %(value)s %% dari pekerjaan ini")
    section_title = gettext("M%(week)s: rencana %(value)s %% dari proyek")
    actual_title = gettext("M%(week)s: realisasi %(value)s %%")

    def cells(
        planned: dict[int, Decimal], actual: dict[int, Decimal] | None = None, *, section: bool = False
    ) -> list[Cell]:
        actual = actual or {}
        result = []
        for week in window.weeks:
            share, done = planned.get(week), actual.get(week)
            result.append(
                Cell(
                    week=week,
                    planned=share,
                    actual=done,
                    is_current=week == window.current,
                    joins_previous=week - 1 in planned and week > window.first,
                    joins_next=week + 1 in planned and week < window.last,
                    label="" if share is None or section else percent_label(share),
                    title=""
                    if share is None
                    else (section_title if section else item_title)
                    % {"week": week, "value": format_number(share, 2) if section else percent_label(share)},
                    actual_title=""
                    if done is None
                    else actual_title % {"week": week, "value": percent_label(done)},
                )
            )
        return result

    stage_names = {stage.pk: stage.name for stage in stages}
    lines: list[GanttSection | GanttItem] = []
    for row in rows:
        if row.kind == "section":
            weeks = section_weeks.get(row.id, {})
            span = section_span.get(row.id)
            cents = section_cents.get(row.id, 0)
            lines.append(
                GanttSection(
                    section=row,
                    cells=cells({week: project_pct(value) for week, value in weeks.items()}, section=True),
                    first_week=span[0] if span else None,
                    last_week=span[1] if span else None,
                    planned_items=section_planned_items.get(row.id, 0),
                    progress=quantize_quotient(section_done.get(row.id, 0), cents * SHARE_UNITS, 2)
                    if cents
                    else Decimal(0),
                )
            )
        else:
            version, stage_id = item_meta.get(row.id, (0, None))
            shares = item_shares.get(row.id, {})
            lines.append(
                GanttItem(
                    item=row,
                    cells=cells(shares, item_actual.get(row.id)),
                    version=version,
                    stage_id=stage_id,
                    stage_name=stage_names.get(stage_id, ""),
                    shares=shares,
                    progress=Decimal(item_progress.get(row.id, 0)).scaleb(-SHARE_PLACES),
                )
            )

    start = project.start_date
    columns = [
        WeekColumn(week.number, week.start, week.end, week.number == window.current)
        for week in project_weeks(start, window.last)[window.first - 1 :]
    ]

    def stage_week(day: date | None) -> int | None:
        """The week a stage date falls in, clamped to the project (None without a date)."""
        return None if day is None else min(max(week_of(start, day), 1), count)

    stage_infos = [
        StageInfo(stage, stage_week(stage.start_date), stage_week(stage.end_date)) for stage in stages
    ]
    open_ids = () if eager else tuple(row.id for row in rows if row.kind == "section" and row.is_open)
    return Gantt(
        window=window,
        columns=columns,
        lines=lines,
        totals=curve[window.first - 1 : window.last],
        summary=summary,
        eager=eager,
        stages=stage_infos,
        item_count=summary.item_count,
        planned_item_count=planned_item_count,
        total=total,
        planned_weight=quantize_quotient(planned_cents * 100, total_cents, 2) if total_cents else Decimal(0),
        open_ids=open_ids,
    )


def _window(project: Project, raw_from, today: date | None) -> Window:
    return window_for(project.duration_weeks, raw_from, current_week(project, today))


def _summary(project: Project) -> tuple[RabSummary, bool]:
    summary = rab_loader.load_rab_summary(project, count_missing_prices=False)
    return summary, summary.item_count <= settings.WORK_BREAKDOWN_EAGER_ITEMS


def load_gantt(
    project: Project,
    raw_from=None,
    open_ids: Iterable[int] = (),
    *,
    closed_ids: Iterable[int] = (),
    today: date | None = None,
) -> Gantt:
    """The page (or its grid fragment): every section open in a small project (at most
    ``WORK_BREAKDOWN_EAGER_ITEMS`` items) except ``closed_ids`` (closed by hand: their rows are left
    out), else the top-level sections closed except ``open_ids``."""
    summary, eager = _summary(project)
    if not eager:
        rows = rab_loader.load_rab_rows(project, summary, open_ids)
        return _load(project, summary, rows, _window(project, raw_from, today), eager=eager)
    closed = set(closed_ids) & set(summary.sections)
    rows = [
        replace(row, is_open=False) if row.kind == "section" and row.id in closed else row
        for row in rab_loader.load_full_rab(project, summary)
        if not closed.intersection(row.ancestor_ids)
    ]
    gantt = _load(project, summary, rows, _window(project, raw_from, today), eager=eager)
    return replace(gantt, closed_ids=tuple(sorted(closed)))


def load_gantt_section(
    project: Project, section_id: int, raw_from=None, *, collapsed: bool = False, today: date | None = None
) -> Gantt:
    """One section's fragment: its row open with its sub-sections (closed) and items, or its closed row.
    ``KeyError`` for a section not in the project."""
    summary, eager = _summary(project)
    if collapsed:
        rows = [summary.sections[section_id]]
    else:
        rows = rab_loader.load_section_rows(project, section_id, summary)
    return _load(project, summary, rows, _window(project, raw_from, today), eager=eager)


def load_gantt_item(project: Project, item: WorkItem, raw_from=None, *, today: date | None = None) -> Gantt:
    """One work item's row after an edit, with its section and that section's ancestors (open), whose
    week totals changed with it."""
    summary, eager = _summary(project)
    rows = [
        row
        for row in rab_loader.load_section_rows(project, item.section_id, summary)
        if row.kind == "item" and row.id == item.pk
    ]
    ancestors = [replace(summary.sections[pk], is_open=True) for pk in rows[0].ancestor_ids] if rows else []
    return _load(project, summary, [*ancestors, *rows], _window(project, raw_from, today), eager=eager)
