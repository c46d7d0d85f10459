"""Every function of the application is at most ``MAX_LINES`` lines long, or says why not (issue 14 §7).

A long function mixes several steps that cannot be read, named or tested one by one. The count runs from
the ``def`` line to the function's last line (docstring and nested functions included; a nested function
is also checked on its own). A function may be longer when the line before its ``def``, or the ``def``
line itself, carries ``# long-function: <reason>`` with a reason that is not empty.

Checked: every ``.py`` file of the repository except tests, migrations, the end-to-end and load tests
(``e2e/``, ``loadtest/``, ``deploy/``'s test modules) and the virtualenv; read with ``ast`` from the
source, so nothing is imported.
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_LINES = 60
SKIPPED_DIRS = {"tests", "migrations", "e2e", "loadtest", "deploy", "var", "node_modules", "staticfiles"}
MARKER = re.compile(r"#\s*long-function:\s*\S")


def source_files() -> list[Path]:
    files = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if any(part.startswith(".") for part in parts) or SKIPPED_DIRS.intersection(parts[:-1]):
            continue
        files.append(path)
    return files


def long_functions(source: str, max_lines: int = MAX_LINES) -> list[tuple[int, str, int]]:
    """(line, name, length) of every function longer than ``max_lines`` without a justification."""
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        length = node.end_lineno - node.lineno + 1
        if length <= max_lines:
            continue
        def_line = lines[node.lineno - 1]
        line_before = lines[node.lineno - 2] if node.lineno > 1 else ""
        if MARKER.search(def_line) or MARKER.search(line_before):
            continue
        found.append((node.lineno, node.name, length))
    return found


def test_the_check_sees_the_application():
    files = {path.relative_to(ROOT).as_posix() for path in source_files()}
    assert "ahsp/calculations/money.py" in files and "project/settings.py" in files
    assert not any("/tests/" in name or name.startswith(("e2e/", "loadtest/", ".venv/")) for name in files)


def test_long_functions_finds_a_long_function_and_honours_the_marker():
    body = "".join(f"    x{i} = {i}\n" for i in range(3))
    source = (
        "def short():\n    return 1\n\n"
        f"def long():\n{body}\n"
        f"# long-function: one table, read top to bottom\ndef marked():\n{body}\n"
        f"def marked_inline():  # long-function: same reason\n{body}\n"
        f"# long-function:\ndef empty_reason():\n{body}\n"
    )
    found = long_functions(source, max_lines=3)
    assert [(name, length) for _line, name, length in found] == [("long", 4), ("empty_reason", 4)]


def test_every_function_is_short_or_says_why():
    offenders = [
        f"{path.relative_to(ROOT)}:{line} {name} ({length} lines)"
        for path in source_files()
        for line, name, length in long_functions(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, (
        f"functions over {MAX_LINES} lines: split them, or put '# long-function: <reason>' on the line "
        f"before the def: {offenders}"
    )
