"""What a template holds (``format: "ahsp-template"``, issue 15 §3), read from a project: one section
with everything below it, or the whole work breakdown, and only the analyses (nested ones included) and
resources those items use, in the shapes of the project document (``ahsp.loaders.project_document``).

Without volumes every item's volume is 0 and its formula empty; with them, the parameters their formulas
name come along.
"""

from __future__ import annotations

from ahsp.calculations.formula import FormulaError, names_in
from ahsp.calculations.graph import closure
from ahsp.loaders.project_document import load_project_document
from ahsp.models import Project, Section

FORMAT = "ahsp-template"
VERSION = 1


def _walk(sections: list[dict]):
    stack = list(sections)
    while stack:
        section = stack.pop()
        yield section
        stack.extend(section["sections"])


def _path_to(project: Project, section: Section) -> list[int]:
    """Indexes of the section in the document's tree, top first (its place among its siblings)."""
    siblings_of: dict[int | None, list[int]] = {}
    parents: dict[int, int | None] = {}
    for pk, parent in (
        Section.objects.filter(project=project).order_by("position", "id").values_list("id", "parent_id")
    ):
        siblings_of.setdefault(parent, []).append(pk)
        parents[pk] = parent
    path, current = [], section.pk
    while current is not None:
        path.append(siblings_of[parents[current]].index(current))
        current = parents[current]
    return list(reversed(path))


def load_template_document(
    project: Project, *, section: Section | None, name: str, description: str = "", with_volumes: bool
) -> dict:
    document = load_project_document(project, parts="estimate")
    chosen = document["sections"]
    if section is not None:
        node = {"sections": chosen}
        for index in _path_to(project, section):
            node = node["sections"][index]
        chosen = [node]
    names: set[str] = set()
    used: set[str] = set()
    for node in _walk(chosen):
        for item in node["items"]:
            used.add(item["analysis"])
            if not with_volumes:
                item.update(volume="0", volume_formula="", volume_error="")
            elif item["volume_formula"]:
                try:
                    names |= names_in(item["volume_formula"])
                except FormulaError:
                    pass
    analyses = {a["code"]: a for a in document["analyses"]}
    edges = {
        code: [c["analysis"] for c in a["components"] if "analysis" in c] for code, a in analyses.items()
    }
    codes = closure(edges, used)
    resources = {c["resource"] for code in codes for c in analyses[code]["components"] if "resource" in c}
    return {
        "format": FORMAT,
        "version": VERSION,
        "name": name,
        "description": description,
        "with_volumes": with_volumes,
        "parameters": [p for p in document["parameters"] if p["name"] in names],
        "resources": [r for r in document["resources"] if r["code"] in resources],
        "analyses": [analyses[code] for code in sorted(codes)],
        "sections": chosen,
    }
