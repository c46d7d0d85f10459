"""Interface only; the implementation lands in the same session (see the helper task)."""

from dataclasses import dataclass, field
from pathlib import Path


class ImportFailed(Exception):
    pass


@dataclass
class ReviewRow:
    row: int
    column: str
    value: str
    action: str
    reason: str


@dataclass
class ImportResult:
    summary_line: str
    report_path: Path
    review_rows: list[ReviewRow] = field(default_factory=list)


def import_reference(path: Path, *, source: str, file_name: str | None = None, by=None) -> ImportResult:
    raise ImportFailed("not yet implemented")
