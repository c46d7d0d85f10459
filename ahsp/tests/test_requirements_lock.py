"""The lock files pin what the requirement files name (issue 14 §6).

``requirements.txt`` / ``requirements-dev.txt`` say which packages we use; ``requirements.lock`` /
``requirements-dev.lock`` (``make lock``) pin every package with its hashes, and are what the image and
``make`` install. A pin changed in a ``.txt`` without ``make lock`` would never be installed: this fails
instead. The dev lock must pin every runtime package at the runtime lock's version (tests run what ships).
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;#\\]+)")


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: Path) -> dict[str, str]:
    """name -> version of every ``name==version`` line (requirement or lock file)."""
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line.strip())
        if match:
            found[normalized(match.group(1))] = match.group(2)
    return found


def hashed_entries(path: Path) -> dict[str, int]:
    """name -> number of ``--hash=sha256:`` lines under it in a lock file."""
    counts: dict[str, int] = {}
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            current = normalized(match.group(1))
            counts[current] = 0
        elif current and line.strip().startswith("--hash=sha256:"):
            counts[current] += 1
    return counts


def test_pins_finds_names_versions_and_extras(tmp_path):
    path = tmp_path / "r.txt"
    path.write_text(
        "# comment\n-r other.txt\nDjango==6.1.3\ndjango-storages[s3]==1.14.6  # why\nx_y.Z==1 \\\n"
    )
    assert pins(path) == {"django": "6.1.3", "django-storages": "1.14.6", "x-y-z": "1"}


def test_every_requirement_is_locked_at_its_version():
    for source, lock in (
        ("requirements.txt", "requirements.lock"),
        ("requirements-dev.txt", "requirements-dev.lock"),
    ):
        wanted, locked = pins(ROOT / source), pins(ROOT / lock)
        wrong = {
            name: (version, locked.get(name))
            for name, version in wanted.items()
            if locked.get(name) != version
        }
        assert not wrong, f"{source} and {lock} disagree (run `make lock`): {wrong}"


def test_the_dev_lock_pins_the_runtime_lock():
    runtime, dev = pins(ROOT / "requirements.lock"), pins(ROOT / "requirements-dev.lock")
    assert runtime and {name: dev.get(name) for name in runtime} == runtime


def test_every_locked_package_has_a_hash():
    for lock in ("requirements.lock", "requirements-dev.lock"):
        counts = hashed_entries(ROOT / lock)
        assert counts and not [name for name, count in counts.items() if not count], lock
