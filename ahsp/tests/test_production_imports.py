"""No test-only library is imported by production code at module level (issue 14 §3): the production image
need not carry them. A test-only import inside a function that checks the library is installed first is
allowed (ahsp/views/progress.py)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEST_ONLY = {"zeal", "factory", "hypothesis", "pytest", "pytest_django", "playwright", "locust"}
PRODUCTION = ["ahsp", "project", "partials"]


def production_files() -> list[Path]:
    files = []
    for package in PRODUCTION:
        for path in (ROOT / package).rglob("*.py"):
            parts = set(path.relative_to(ROOT).parts)
            if "tests" in parts or "migrations" in parts or path.name.startswith(("test_", "conftest")):
                continue
            if path.name == "settings_test.py" or "management" in parts:  # test settings, bench commands
                continue
            files.append(path)
    return files


def top_level_imports(path: Path) -> set[str]:
    names = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_production_modules_import_no_test_only_library():
    offenders = {
        str(path.relative_to(ROOT)): sorted(top_level_imports(path) & TEST_ONLY)
        for path in production_files()
    }
    assert {path: libs for path, libs in offenders.items() if libs} == {}
    assert len(offenders) > 50  # the walk found the code
