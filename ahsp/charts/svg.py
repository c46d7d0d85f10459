"""A standalone SVG of a line chart (``ahsp.charts.geometry.Chart`` geometry) for the PDF documents.

The Kurva S page draws the same geometry with CSS classes (``project_s_curve.html``); xhtml2pdf renders an
``<img src="data:image/svg+xml;base64,...">`` through svglib, which knows no stylesheet, so every colour,
stroke and font size here is an inline presentation attribute. The legend is drawn below the plot inside
the image, so the chart is one picture. Only numbers, dates and fixed labels are written, all escaped.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from xml.sax.saxutils import escape, quoteattr

from ahsp.charts.geometry import Chart

FONT = "Helvetica"
TEXT_COLOUR = "#333333"
GRID_COLOUR = "#d5dbe1"
AXIS_COLOUR = "#6b7785"
CURRENT_COLOUR = "#9a5b00"
LEGEND_HEIGHT = 30
MAX_MARKERS = 60  # dots on the points up to this many weeks (beyond, the line alone)
SERIES_STYLE = {  # the colours of app.css; planned and PV dashed, AC dotted
    "planned": ("#0b5d7a", "8,5"),
    "pv": ("#0b5d7a", "8,5"),
    "actual": ("#c2410c", ""),
    "ev": ("#1f7a3a", ""),
    "ac": ("#a32020", "2,4"),
}
MONEY_CAPTIONS = {12: "Rp triliun", 9: "Rp miliar", 6: "Rp juta", 3: "Rp ribu", 0: "Rp"}


def _attrs(values: Mapping[str, object]) -> str:
    return " ".join(f"{name.replace('_', '-')}={quoteattr(str(value))}" for name, value in values.items())


def _element(tag: str, text: str | None = None, **attributes) -> str:
    attrs = _attrs(attributes)
    if text is None:
        return f"<{tag} {attrs}/>"
    return f"<{tag} {attrs}>{escape(text)}</{tag}>"


def _text(
    x, y, text: str, *, size: float = 11, anchor: str = "middle", colour: str = TEXT_COLOUR, **extra
) -> str:
    return _element(
        "text", text, x=x, y=y, font_family=FONT, font_size=size, fill=colour, text_anchor=anchor, **extra
    )


def _line(x1, y1, x2, y2, colour: str, width: float = 1, dash: str = "") -> str:
    extra = {"stroke_dasharray": dash} if dash else {}
    return _element("line", x1=x1, y1=y1, x2=x2, y2=y2, stroke=colour, stroke_width=width, **extra)


# long-function: one SVG document written top to bottom, in paint order (grid, axes, series, legend)
def chart_svg(chart: Chart, *, money: bool = False, current_label: str = "minggu ini") -> str:
    """The chart as a standalone SVG document (width x (height + legend))."""
    width, height = chart.width, chart.height + LEGEND_HEIGHT
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">',
        _element("rect", x=0, y=0, width=width, height=height, fill="#ffffff", stroke="none"),
    ]
    for week in chart.weeks:
        if week.grid:
            parts.append(_line(week.x_end, chart.top, week.x_end, chart.bottom, GRID_COLOUR, 0.75))
    for tick in chart.y_ticks:
        parts.append(_line(chart.left, tick.y, chart.right, tick.y, GRID_COLOUR, 0.75))
        parts.append(_text(chart.y_label_x, float(tick.y) + 4, tick.label, anchor="end"))
    if money:
        caption = MONEY_CAPTIONS.get(chart.scale_exponent, "Rp")
        parts.append(
            _text(chart.y_label_x, chart.current_label_y, caption, anchor="end", font_style="italic")
        )
    parts.append(_text(chart.y_label_x, chart.week_number_y, "Minggu", anchor="end", font_style="italic"))
    for week in chart.weeks:
        if week.shown:
            parts.append(_text(week.x, chart.week_number_y, str(week.week), size=10.5))
            parts.append(_text(week.x, chart.week_label_y, week.label, size=9.5))
    parts.append(_line(chart.left, chart.bottom, chart.right, chart.bottom, AXIS_COLOUR))
    parts.append(_line(chart.left, chart.top, chart.left, chart.bottom, AXIS_COLOUR))
    if chart.current is not None:
        parts.append(
            _line(chart.current.x, chart.top, chart.current.x, chart.bottom, CURRENT_COLOUR, 1.5, "4,3")
        )
        parts.append(
            _text(
                chart.current.x,
                chart.current_label_y,
                current_label,
                colour=CURRENT_COLOUR,
                font_weight="bold",
            )
        )
    markers = len(chart.weeks) <= MAX_MARKERS
    for series in chart.series:
        colour, dash = SERIES_STYLE.get(series.key, ("#000000", ""))
        extra = {"stroke_dasharray": dash} if dash else {}
        parts.append(
            _element(
                "polyline",
                points=series.polyline,
                fill="none",
                stroke=colour,
                stroke_width=2.5,
                stroke_linejoin="round",
                **extra,
            )
        )
        if markers:
            for point in series.points:
                parts.append(
                    _element(
                        "circle", cx=point.x, cy=point.y, r=3, fill="#ffffff", stroke=colour, stroke_width=1.5
                    )
                )
    parts.extend(_legend(chart, current_label))
    parts.append("</svg>")
    return "".join(parts)


def _legend(chart: Chart, current_label: str) -> list[str]:
    """One row below the week labels: a swatch and the name of every series (and the current week)."""
    y = chart.height + LEGEND_HEIGHT // 2
    x = float(chart.left)
    parts = []
    for series in chart.series:
        colour, dash = SERIES_STYLE.get(series.key, ("#000000", ""))
        parts.append(_line(x, y, x + 30, y, colour, 2.5, dash))
        parts.append(
            _element("circle", cx=x + 15, cy=y, r=3, fill="#ffffff", stroke=colour, stroke_width=1.5)
        )
        parts.append(_text(x + 38, y + 4, series.name, anchor="start"))
        x += 38 + 7 * len(series.name) + 30
    if chart.current is not None:
        parts.append(_line(x + 6, y - 7, x + 6, y + 7, CURRENT_COLOUR, 1.5, "4,3"))
        parts.append(
            _text(x + 16, y + 4, f"{current_label} (minggu ke-{chart.current.week})", anchor="start")
        )
    return parts


def data_uri(svg: str) -> str:
    """``data:image/svg+xml;base64,...`` for an ``<img src>`` that xhtml2pdf renders through svglib."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
