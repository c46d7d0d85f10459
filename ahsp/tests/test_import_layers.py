"""The layers of ``ahsp`` import downwards only: no import cycle between its subpackages (issue 14 §1).

Dependency direction (../shared/docs/architecture.md): views -> services, loaders -> calculations, models;
exports -> loaders, calculations; tasks -> services, exports. The feature subpackages (issue 14 §5) take
their place in it: ``metrics`` depends on nothing of ``ahsp``, ``charts`` on calculations only, ``dashboard``
(the widget cache) on models only, below the loaders and services that bump it; ``demo`` writes through the
services and is imported by the ``seed_demo`` command alone, never by the application.

A cycle between two packages means neither can be read, tested or changed without the other; it used to be
dodged with imports inside functions or by naming functions in strings. So every import counts here: at the
top of a module, inside a function or under ``TYPE_CHECKING``, read from the source with ``ast`` (not from
``sys.modules``, which would miss the lazy ones). Tests and migrations are left out.

The nodes are the subpackages (``ahsp.services`` ...) and the modules ``ahsp.tasks`` and ``ahsp.models``;
every other top-level module of ``ahsp`` (``formatting``, ``parsing``, ``idempotency`` ...) is a node of
its own, so a cycle through one of them is found too. ``ahsp.apps`` is left out on purpose: it is the
composition root that imports ``ahsp.tasks`` at start-up so that the tasks bind themselves to the job kinds
the services enqueue (``ahsp.services.jobs.bind_task``); nothing imports it.
"""

import ast
from collections import defaultdict
from pathlib import Path

AHSP = Path(__file__).resolve().parents[1]
LAYERS = "calculations metrics charts models dashboard loaders importers exports services tasks demo views"  # bottom to top
SUBPACKAGES = tuple(f"ahsp.{name}" for name in LAYERS.split())
# What each subpackage may import (the other subpackages; Django, the standard library and the shared
# top-level helpers such as ``ahsp.formatting`` are not restricted here).
ALLOWED = {
    "ahsp.calculations": set(),  # pure: Decimal and dataclasses
    "ahsp.metrics": set(),  # the browser's beacons, in the cache
    "ahsp.charts": {"ahsp.calculations"},  # pure geometry and its SVG
    "ahsp.models": {"ahsp.calculations"},
    "ahsp.dashboard": {"ahsp.models"},  # the widget cache: who sees a project
    # ``loaders.dashboard`` caches per-project sums under the data versions of ``dashboard.cache``.
    "ahsp.loaders": {"ahsp.calculations", "ahsp.models", "ahsp.dashboard"},
    # The project workbook importer checks the BUK against the ceiling stated in the RAB notes
    # (``loaders.rab_notes.GOVERNMENT_OVERHEAD_CEILING``).
    "ahsp.importers": {"ahsp.calculations", "ahsp.models", "ahsp.loaders"},
    # The project workbook export writes the import format (sheet and column names of the importer).
    # The Kurva S document draws ``charts`` geometry.
    "ahsp.exports": {"ahsp.calculations", "ahsp.charts", "ahsp.models", "ahsp.loaders", "ahsp.importers"},
    # ``services.exports.run`` takes the builder from ``exports.registry`` (in the worker only);
    # ``services.analyses`` reads the nesting graph of ``loaders.analyses``; ``services.audit`` bumps the
    # dashboard's data versions after each change.
    "ahsp.services": {
        "ahsp.calculations",
        "ahsp.models",
        "ahsp.dashboard",
        "ahsp.loaders",
        "ahsp.importers",
        "ahsp.exports",
    },
    "ahsp.tasks": {"ahsp.services", "ahsp.exports"},
    "ahsp.demo": {"ahsp.calculations", "ahsp.models", "ahsp.services"},
    # Everything below it but the demo and the tasks (the health check reads the worker heartbeat from
    # services.jobs).
    "ahsp.views": set(SUBPACKAGES) - {"ahsp.views", "ahsp.demo", "ahsp.tasks"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(AHSP.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def node(module: str) -> str | None:
    """The node of an ``ahsp`` module: its subpackage, or the top-level module itself."""
    if module != "ahsp" and not module.startswith("ahsp."):
        return None
    for package in SUBPACKAGES:
        if module == package or module.startswith(package + "."):
            return package
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else None


def imported_modules(path: Path, module: str) -> list[tuple[str, int]]:
    """Every module ``path`` imports (``from a import b`` counts ``a`` and ``a.b``), with the line."""
    is_package = path.name == "__init__.py"
    found = []
    for statement in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(statement, ast.Import):
            found += [(alias.name, statement.lineno) for alias in statement.names]
        elif isinstance(statement, ast.ImportFrom):
            if statement.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (statement.level - 1)]
                source = ".".join([*base, *([statement.module] if statement.module else [])])
            else:
                source = statement.module or ""
            found.append((source, statement.lineno))
            found += [(f"{source}.{alias.name}", statement.lineno) for alias in statement.names]
    return found


def import_graph() -> dict[tuple[str, str], list[str]]:
    """``(from node, to node) -> ["ahsp/x.py:12 imports ahsp.y", ...]`` over the production code."""
    edges = defaultdict(list)
    for path in sorted(AHSP.rglob("*.py")):
        relative = path.relative_to(AHSP)
        if relative.parts[0] in ("tests", "migrations") or relative == Path("apps.py"):
            continue
        module = module_name(path)
        source = node(module)
        for target_module, line in imported_modules(path, module):
            target = node(target_module)
            if source and target and target != source:
                edges[(source, target)].append(f"ahsp/{relative}:{line} imports {target_module}")
    return edges


def cycles(edges) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan)."""
    graph = defaultdict(set)
    for source, target in edges:
        graph[source].add(target)
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted({n for edge in edges for n in edge}):
        if v not in index:
            visit(v)
    return found


def test_the_graph_sees_function_level_imports():
    """The reader finds an import inside a function body (the way the old cycles were hidden)."""
    edges = import_graph()
    assert any("ahsp.exports.registry" in line for line in edges[("ahsp.services", "ahsp.exports")])


def test_no_import_cycle_between_subpackages():
    edges = import_graph()
    found = cycles(edges)
    details = [
        f"{' <-> '.join(component)}: "
        + "; ".join(
            line for (a, b), lines in edges.items() if a in component and b in component for line in lines
        )
        for component in found
    ]
    assert not found, "import cycles:\n" + "\n".join(details)


def test_each_subpackage_imports_only_the_layers_below_it():
    edges = import_graph()
    wrong = [
        line
        for (source, target), lines in sorted(edges.items())
        if source in ALLOWED and target in SUBPACKAGES and target not in ALLOWED[source]
        for line in lines
    ]
    assert not wrong, "imports against the layering:\n" + "\n".join(wrong)
