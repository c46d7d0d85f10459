"""The review report of an import: one line per value the importer repaired, flagged, merged,
rejected or resolved, written as CSV (UTF-8 with BOM so Excel opens it with the right encoding)."""

import csv
from collections.abc import Iterable
from dataclasses import astuple, dataclass, fields
from pathlib import Path

REPAIRED = "repaired"
FLAGGED = "flagged"
MERGED = "merged"
REJECTED = "rejected"
RESOLVED = "resolved"
ACTIONS = (REPAIRED, FLAGGED, MERGED, REJECTED, RESOLVED)
# Review lines that count as "suspicious" in the import summary.
SUSPICIOUS_ACTIONS = frozenset({REPAIRED, FLAGGED})

# Pseudo column for a decision about a whole row (e.g. a rejected worksheet line).
WHOLE_ROW = "(baris)"


@dataclass
class ReviewRow:
    row: int  # row number in the workbook as Excel shows it (the header is row 1)
    column: str
    value: str
    action: str
    reason: str

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"unknown review action {self.action!r}")


REPORT_COLUMNS = tuple(f.name for f in fields(ReviewRow))


def write_report(path: Path, rows: Iterable[ReviewRow]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(REPORT_COLUMNS)
        writer.writerows(astuple(row) for row in rows)


def format_row_numbers(rows: Iterable[int]) -> str:
    """`[2, 3, 4, 9]` -> `2-4, 9`: every row stays findable without a huge list."""
    numbers = sorted(set(rows))
    parts = []
    start = previous = None
    for number in numbers:
        if previous is not None and number == previous + 1:
            previous = number
            continue
        if start is not None:
            parts.append(str(start) if start == previous else f"{start}-{previous}")
        start = previous = number
    if start is not None:
        parts.append(str(start) if start == previous else f"{start}-{previous}")
    return ", ".join(parts)
