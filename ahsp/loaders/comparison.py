"""The comparison page ("Bandingkan"): two estimates read into ``calculations.estimate_diff`` facts and the
diff arranged for the page and its documents (issue 15 §5).

Work items are matched between the two estimates by where and what they are: the names of their sections,
their description and unit (and, for twins, their order), so a copy of a project compares item by item with
its original. An item renamed or moved reads as one removed and one added.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from ahsp.calculations import estimate_diff as ed
from ahsp.calculations.tree import ancestor_paths
from ahsp.formatting import format_short_money
from ahsp.loaders.rab import load_rab_summary
from ahsp.models import AnalysisComponent, Project, ProjectAnalysis, ProjectResource, Section, WorkItem


def load_facts(project: Project) -> ed.EstimateFacts:
    """The inputs and stored figures of ``project``'s estimate, in five queries."""
    sections = list(Section.objects.filter(project=project).only("id", "parent_id", "position", "name"))
    names = {section.id: section.name for section in sections}
    paths = {pk: tuple(names[n] for n in reversed(chain)) for pk, chain in ancestor_paths(sections).items()}
    seen: Counter = Counter()
    items = {}
    for row in (
        WorkItem.objects.filter(project=project)
        .order_by("section_id", "position", "id")
        .values_list(
            "section_id", "name", "unit", "analysis__code", "volume", "overhead_pct_override", "amount"
        )
    ):
        section_id, name, unit, code, volume, override, amount = row
        match = (paths[section_id], name, unit)
        seen[match] += 1
        overhead = override if override is not None else project.overhead_profit_pct
        items[(*match, seen[match])] = ed.ItemFacts(
            paths[section_id], name, unit, code, volume, overhead, amount
        )
    analyses: dict[str, list[ed.Line]] = defaultdict(list)
    for code in ProjectAnalysis.objects.filter(project=project).values_list("code", flat=True):
        analyses[code] = []
    for code, resource, nested, k in (
        AnalysisComponent.objects.filter(analysis__project=project)
        .order_by("analysis_id", "position", "id")
        .values_list("analysis__code", "resource__code", "nested_analysis__code", "coefficient")
    ):
        analyses[code].append(ed.Line(resource, nested, k))
    prices = dict(ProjectResource.objects.filter(project=project).values_list("code", "unit_price"))
    totals = load_rab_summary(project).totals
    return ed.EstimateFacts(
        items=items,
        analyses={code: tuple(lines) for code, lines in analyses.items()},
        prices=prices,
        total=totals.total,
        vat=totals.vat,
        rounded_total=totals.rounded_total,
    )


@dataclass(frozen=True)
class Cause:
    kind: str
    label: str
    amount: Decimal


@dataclass(frozen=True)
class SectionChange:
    name: str
    change: Decimal
    causes: list[Cause]


@dataclass(frozen=True)
class Comparison:
    before: Project
    after: Project
    diff: ed.EstimateDiff
    causes: list[Cause]  # largest first
    sections: list[SectionChange]  # largest change first
    sentence: str


def effect_label(kind: str, resource_names: dict[str, str]) -> str:
    labels = {
        ed.VOLUME: _("Volume"),
        ed.COEFFICIENT: _("Koefisien analisa"),
        ed.OVERHEAD: _("BUK"),
        ed.ROUNDING: _("Pembulatan harga satuan"),
        ed.ADDED: _("Pekerjaan ditambah"),
        ed.REMOVED: _("Pekerjaan dihapus"),
        ed.VAT: _("PPN"),
        ed.TOTAL_ROUNDING: _("Pembulatan total"),
    }
    if kind.startswith(ed.PRICE):
        code = kind[len(ed.PRICE) :]
        return _("Harga %(name)s") % {"name": resource_names.get(code, code)}
    return str(labels[kind])


def _causes(effects: dict[str, Decimal], names: dict[str, str]) -> list[Cause]:
    ordered = sorted(((k, v) for k, v in effects.items() if v), key=lambda kv: (-abs(kv[1]), kv[0]))
    return [Cause(kind, effect_label(kind, names), amount) for kind, amount in ordered]


def explain(diff: ed.EstimateDiff, causes: list[Cause]) -> str:
    """One or two sentences: how much the total moved and what moved it most."""
    change = diff.change
    if not change and not causes:
        return _("Total kedua estimasi sama dan tidak ada yang berubah.")
    direction = _("naik") if change > 0 else _("turun") if change < 0 else _("tetap")
    text = _("Total dibulatkan %(direction)s %(amount)s (dari %(before)s menjadi %(after)s).") % {
        "direction": direction,
        "amount": format_short_money(change),
        "before": format_short_money(diff.before),
        "after": format_short_money(diff.after),
    }
    if causes:
        named = [
            _("%(label)s (%(sign)s%(amount)s)")
            % {
                "label": cause.label.lower() if cause.kind in (ed.VOLUME, ed.COEFFICIENT) else cause.label,
                "sign": "+" if cause.amount > 0 else "−",
                "amount": format_short_money(cause.amount),
            }
            for cause in causes[:3]
        ]
        text += " " + _("Penyebab terbesar: %(causes)s.") % {"causes": "; ".join(named)}
    return text


def resource_names(before: Project, after: Project) -> dict[str, str]:
    return dict(ProjectResource.objects.filter(project__in=[before, after]).values_list("code", "name"))


def load_comparison(before: Project, after: Project) -> Comparison:
    diff = ed.diff_estimates(load_facts(before), load_facts(after))
    names = resource_names(before, after)
    causes = _causes(diff.causes, names)
    sections = sorted(
        (
            SectionChange(path[0] if path else "", sum(effects.values(), Decimal(0)), _causes(effects, names))
            for path, effects in diff.sections(1).items()
        ),
        key=lambda s: (-abs(s.change), s.name),
    )
    return Comparison(before, after, diff, causes, [s for s in sections if s.causes], explain(diff, causes))


def section_items(comparison: Comparison, name: str) -> list[tuple[ed.ItemEffects, list[Cause]]]:
    """The changed items of the top-level section ``name``, largest change first, with their causes."""
    names = dict(
        ProjectResource.objects.filter(project__in=[comparison.before, comparison.after]).values_list(
            "code", "name"
        )
    )
    rows = [item for item in comparison.diff.items if item.section[:1] == (name,) and item.effects]
    rows.sort(key=lambda item: (-abs(item.change), item.name))
    return [(item, _causes(item.effects, names)) for item in rows]
