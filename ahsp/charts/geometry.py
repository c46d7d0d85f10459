"""Server-rendered line charts (Kurva S) as SVG geometry: pure Python over ``Decimal``, no Django.

The template draws what these functions return; they only place things. The x axis has one column per
week: week t spans from x(t-1) to x(t), and a cumulative value "at the end of week t" is plotted at
x(t), so every curve starts at (0, 0), the project's start. Week labels sit at the middle of their
column and are thinned out to at most ``MAX_WEEK_LABELS``; the current week is marked by a vertical
line through its column. The y axis runs from 0 to ``y_max`` with gridlines at ``y_ticks``.

Coordinates are returned as strings with a dot and at most two decimals (``"123.45"``), ready for SVG
attributes: a template would print a ``Decimal`` with the active language's decimal comma.
Texts (series names, labels) come from the caller, already translated and formatted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from ahsp.calculations.schedule import EarnedValue, WeekProgress
from ahsp.formatting import format_number

WIDTH = 960
HEIGHT = 360
MARGIN_LEFT = 64
MARGIN_RIGHT = 20
MARGIN_TOP = 28
MARGIN_BOTTOM = 52
MAX_WEEK_LABELS = 16
GRID_ALL_WEEKS_UP_TO = 60  # a faint line at every week's end up to this many weeks, else at labels only

PERCENT_TICKS = tuple(Decimal(v) for v in (0, 25, 50, 75, 100))
_NICE_STEPS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))
_SCALES = (12, 9, 6, 3)  # money tick labels in triliun / miliar / juta / ribu rupiah
_COORD = Decimal("0.01")

PERCENT_NAMES = {"planned": "Rencana kumulatif", "actual": "Realisasi kumulatif"}
COST_NAMES = {"pv": "Nilai rencana (PV)", "ev": "Nilai hasil (EV)", "ac": "Biaya aktual (AC)"}


@dataclass(frozen=True)
class SeriesInput:
    key: str  # short identifier, used as a CSS class: planned, actual, pv, ev, ac
    name: str  # shown in the legend and in each point's title
    values: Sequence[Decimal | None]  # one per week; the line stops at the first None


@dataclass(frozen=True)
class Point:
    week: int
    x: str
    y: str
    value: Decimal
    label: str  # the week's long label (dates), for the point's title


@dataclass(frozen=True)
class Series:
    key: str
    name: str
    points: tuple[Point, ...]  # weeks 1..k (the origin is not a point of its own)
    polyline: str  # "x,y x,y ...", from the origin (week 0, value 0) through every point


@dataclass(frozen=True)
class YTick:
    value: Decimal
    y: str
    label: str


@dataclass(frozen=True)
class WeekTick:
    week: int
    x: str  # the middle of the week's column (labels, the current-week line)
    x_end: str  # the end of the week's column (where its cumulative values are plotted)
    label: str  # short label under the week number (e.g. its first day)
    shown: bool  # label shown (thinned out when there are many weeks)
    grid: bool  # faint vertical line at the column's end


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: str
    right: str
    top: str
    bottom: str
    y_ticks: tuple[YTick, ...]
    weeks: tuple[WeekTick, ...]
    series: tuple[Series, ...]
    current: WeekTick | None
    scale_exponent: int = 0  # money tick labels are in 10**scale_exponent rupiah (0, 3, 6, 9, 12)

    @property
    def plot_width(self) -> int:
        return self.width - MARGIN_LEFT - MARGIN_RIGHT

    @property
    def plot_height(self) -> int:
        return self.height - MARGIN_TOP - MARGIN_BOTTOM

    @property
    def week_number_y(self) -> str:
        return coord(Decimal(self.height - MARGIN_BOTTOM + 18))

    @property
    def week_label_y(self) -> str:
        return coord(Decimal(self.height - MARGIN_BOTTOM + 34))

    @property
    def y_label_x(self) -> str:
        return coord(Decimal(MARGIN_LEFT - 8))

    @property
    def current_label_y(self) -> str:
        return coord(Decimal(MARGIN_TOP - 10))


def coord(value: Decimal) -> str:
    """``Decimal("12.345")`` -> ``"12.35"``; ``Decimal("40.00")`` -> ``"40"`` (SVG attribute syntax)."""
    text = f"{value.quantize(_COORD, rounding=ROUND_HALF_UP):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def short_number(value: Decimal) -> str:
    """An axis label: Indonesian format without trailing zeros (``2,5``; ``10``; ``1.250``)."""
    normalized = value.normalize()
    places = max(0, -normalized.as_tuple().exponent)  # type: ignore[operator]
    return format_number(value, min(places, 2))


def nice_step(raw: Decimal) -> Decimal:
    """The smallest of 1, 2, 2,5, 5, 10 x 10^k that is >= ``raw`` (> 0)."""
    if raw <= 0:
        raise ValueError("the step must be positive")
    base = Decimal(1).scaleb(raw.adjusted())
    for multiple in _NICE_STEPS:
        if raw <= base * multiple:
            return base * multiple
    return base * 10  # unreachable: raw < 10 x base


def nice_ticks(maximum: Decimal, count: int = 4) -> tuple[Decimal, ...]:
    """Round gridline values from 0 to at least ``maximum`` in about ``count`` steps."""
    if maximum <= 0:
        return (Decimal(0), Decimal(1))
    step = nice_step(maximum / count)
    steps = int((maximum / step).to_integral_value(rounding=ROUND_CEILING))
    return tuple(step * i for i in range(steps + 1))


def thinned(week_count: int, max_labels: int = MAX_WEEK_LABELS) -> list[bool]:
    """Which week labels to show: every ``ceil(n / max_labels)``-th week, starting with week 1."""
    step = max(1, -(-week_count // max_labels))
    return [(week - 1) % step == 0 for week in range(1, week_count + 1)]


# long-function: one chart's geometry; the x/y scales are closures shared by the weeks, ticks and series
def line_chart(
    *,
    labels: Sequence[str],
    series: Sequence[SeriesInput],
    y_ticks: Sequence[Decimal],
    tick_labels: Sequence[str] | None = None,
    long_labels: Sequence[str] | None = None,
    current_week: int | None = None,
    scale_exponent: int = 0,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> Chart:
    """The geometry of a cumulative line chart over ``len(labels)`` weeks, y from 0 to ``y_ticks[-1]``."""
    count = len(labels)
    if count < 1:
        raise ValueError("a chart needs at least one week")
    long_labels = long_labels or labels
    y_max = y_ticks[-1]
    left, top = Decimal(MARGIN_LEFT), Decimal(MARGIN_TOP)
    right, bottom = Decimal(width - MARGIN_RIGHT), Decimal(height - MARGIN_BOTTOM)
    plot_width, plot_height = right - left, bottom - top

    def x_at(week: Decimal | int) -> Decimal:
        return left + plot_width * Decimal(week) / count

    def y_at(value: Decimal) -> Decimal:
        share = min(max(value / y_max, Decimal(0)), Decimal(1)) if y_max else Decimal(0)
        return bottom - plot_height * share

    shown = thinned(count)
    weeks = tuple(
        WeekTick(
            week=week,
            x=coord(x_at(Decimal(week) - Decimal("0.5"))),
            x_end=coord(x_at(week)),
            label=labels[week - 1],
            shown=shown[week - 1],
            grid=count <= GRID_ALL_WEEKS_UP_TO or shown[week - 1],
        )
        for week in range(1, count + 1)
    )
    tick_labels = tick_labels or [short_number(value) for value in y_ticks]
    ticks = tuple(
        YTick(value, coord(y_at(value)), label) for value, label in zip(y_ticks, tick_labels, strict=True)
    )
    lines = []
    for item in series:
        points = []
        for index, value in enumerate(item.values[:count]):
            if value is None:
                break
            week = index + 1
            points.append(Point(week, coord(x_at(week)), coord(y_at(value)), value, long_labels[index]))
        origin = f"{coord(left)},{coord(bottom)}"
        polyline = " ".join([origin, *(f"{p.x},{p.y}" for p in points)])
        lines.append(Series(item.key, item.name, tuple(points), polyline))
    current = weeks[current_week - 1] if current_week and 1 <= current_week <= count else None
    return Chart(
        width=width,
        height=height,
        left=coord(left),
        right=coord(right),
        top=coord(top),
        bottom=coord(bottom),
        y_ticks=ticks,
        weeks=weeks,
        series=tuple(lines),
        current=current,
        scale_exponent=scale_exponent,
    )


def s_curve_chart(
    rows: Sequence[WeekProgress],
    labels: Sequence[str],
    *,
    long_labels: Sequence[str] | None = None,
    current_week: int | None = None,
    names: Mapping[str, str] = PERCENT_NAMES,
) -> Chart:
    """Kurva S: cumulative planned and actual % of the project, 0-100 %, gridlines every 25 %."""
    return line_chart(
        labels=labels,
        long_labels=long_labels,
        series=[
            SeriesInput("planned", names["planned"], [row.planned_cumulative for row in rows]),
            SeriesInput("actual", names["actual"], [row.actual_cumulative for row in rows]),
        ],
        y_ticks=PERCENT_TICKS,
        tick_labels=[f"{value} %" for value in PERCENT_TICKS],
        current_week=current_week,
    )


def money_scale(maximum: Decimal) -> int:
    """The power of ten money tick labels are written in: 6 for 10.000.000 (Rp juta), 0 below Rp 1.000."""
    for exponent in _SCALES:
        if maximum >= Decimal(1).scaleb(exponent):
            return exponent
    return 0


def cost_curve_chart(
    planned_values: Sequence[Decimal],
    earned: Sequence[EarnedValue],
    labels: Sequence[str],
    *,
    budget: Decimal,
    long_labels: Sequence[str] | None = None,
    current_week: int | None = None,
    names: Mapping[str, str] = COST_NAMES,
) -> Chart:
    """Kurva S biaya: PV over every week, EV and AC over the reported weeks, in rupiah from 0 to at least
    the budget (BAC) or the highest value; tick labels in ribu / juta / miliar / triliun rupiah."""
    maximum = max([budget, *planned_values, *(row.actual_cost for row in earned)], default=Decimal(0))
    ticks = nice_ticks(maximum)
    exponent = money_scale(ticks[-1])
    return line_chart(
        labels=labels,
        long_labels=long_labels,
        series=[
            SeriesInput("pv", names["pv"], list(planned_values)),
            SeriesInput("ev", names["ev"], [row.earned_value for row in earned]),
            SeriesInput("ac", names["ac"], [row.actual_cost for row in earned]),
        ],
        y_ticks=ticks,
        tick_labels=[short_number(value.scaleb(-exponent)) for value in ticks],
        current_week=current_week,
        scale_exponent=exponent,
    )
