"""The week cells of a Gantt row, written in Python: a 12-week window of 30 items is 360 cells, and the
template loop over them was half of the page's rendering time (issue 13 §1). Same HTML as the loop it
replaces; every text is escaped."""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def item_cells(cells) -> SafeString:
    parts = []
    for cell in cells:
        parts.append(f'<td class="{cell.css}">')
        if cell.title:
            parts.append(
                f'<span class="{cell.bar_css}" title="{conditional_escape(cell.title)}">'
                f"{conditional_escape(cell.label)}</span>"
            )
        if cell.actual_title:
            parts.append(f'<span class="act" title="{conditional_escape(cell.actual_title)}"></span>')
        parts.append("</td>")
    return mark_safe("".join(parts))  # noqa: S308 (every text above is escaped)


@register.filter
def section_cells(cells) -> SafeString:
    parts = []
    for cell in cells:
        parts.append(f'<td class="{cell.css}">')
        if cell.title:
            parts.append(f'<span class="{cell.bar_css} sum" title="{conditional_escape(cell.title)}"></span>')
        parts.append("</td>")
    return mark_safe("".join(parts))  # noqa: S308 (every text above is escaped)
