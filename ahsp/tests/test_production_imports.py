"""No test-only library is imported by production code at module level (issue 14 §3): the production image
need not carry them. A test-only import inside a function that checks the library is installed first is
allowed (ahsp/views/progress.py). The development tools (``tools/``, the bench commands) are not in the
image at all (issue 14 §5): the application must start without them."""

import ast
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import get_commands

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
            if path.name == "settings_test.py":
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


def test_the_bench_commands_are_installed_in_a_development_checkout():
    assert "tools.bench" in settings.INSTALLED_APPS
    assert get_commands()["bench_rab"] == "tools.bench"


# Run in a fresh interpreter in which ``tools`` cannot be imported, as in the image (.dockerignore).
WITHOUT_TOOLS = """
import sys
sys.modules["tools"] = None
import django
django.setup()
from django.conf import settings
from django.core.management import call_command, get_commands
assert "tools.bench" not in settings.INSTALLED_APPS, settings.INSTALLED_APPS
assert not [name for name in get_commands() if name.startswith("bench_")]
call_command("check")
"""


def test_the_application_starts_without_the_development_tools():
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_TOOLS],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
