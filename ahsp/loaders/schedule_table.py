"""Data of the "Jadwal Pelaksanaan" document (shared by the PDF and XLSX builders).

``load_schedule_table(project)`` returns every section and work item of the RAB in tree order (numbers,
names, amounts and bobot exactly as the RAB: ``ahsp.loaders.rab``) with the planned distribution of each work
item (``ahsp.loaders.schedule.load_schedule``: week -> % of the item), the weeks with their dates, and the
project's planned % per week and cumulative (the S-curve, so the document shows the values of the Gantt
page). Seven queries whatever the size of the project.

A section carries the weeks in which anything below it is planned (its summary bar), not numbers: the
numbers in the week columns are always % of a work item, the bottom rows % of the project.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from ahsp.calculations.schedule import Week, WeekProgress
from ahsp.loaders.rab import ItemRow, SectionRow, iter_full_rab, load_rab_summary
from ahsp.loaders.schedule import load_schedule
from ahsp.models import Project

Progress = Callable[[int, int, str], None]

NO_SCHEDULE_NOTE = (
    "Proyek ini belum memiliki jadwal: isi tanggal mulai dan durasi (minggu) proyek di halaman ubah proyek, "
    "lalu susun rencana per minggu di halaman Jadwal."
)
EMPTY_NOTE = "Belum ada klasifikasi dan pekerjaan."
UNPLANNED_LABEL = "belum dijadwalkan"


@dataclass(frozen=True)
class ScheduleLine:
    """One row of the schedule: a section (``kind == "section"``) or a work item."""

    kind: str
    id: int
    parent_id: int | None  # a section's parent section; an item's section
    depth: int
    number: str
    name: str
    amount: Decimal  # item: Jumlah Harga; section: its subtotal (every descendant)
    weight: Decimal  # bobot, % of the project (6 decimals, as the RAB)
    shares: dict[int, Decimal] = field(default_factory=dict)  # item: week -> % of the item
    weeks: frozenset[int] = frozenset()  # section: weeks in which an item below it is planned

    @property
    def is_item(self) -> bool:
        return self.kind == "item"

    @property
    def is_planned(self) -> bool:
        return bool(self.shares)


@dataclass(frozen=True)
class ScheduleTable:
    weeks: list[Week]
    lines: list[ScheduleLine]
    curve: list[WeekProgress]  # planned % of the project per week and cumulative
    total: Decimal  # sum of the work items' amounts (the project's 100 %)
    item_count: int
    planned_item_count: int

    @property
    def is_scheduled(self) -> bool:
        return bool(self.weeks)

    @property
    def unplanned_item_count(self) -> int:
        return self.item_count - self.planned_item_count

    @property
    def unplanned_numbers(self) -> list[str]:
        return [line.number for line in self.lines if line.is_item and not line.is_planned]

    @property
    def total_weight(self) -> Decimal:
        """The bobot of the whole project: 100 once it has an amount, else 0."""
        return Decimal(100) if self.total else Decimal(0)


def load_schedule_table(project: Project, *, progress: Progress | None = None) -> ScheduleTable:
    """The rows in tree order with their plans; ``progress(done, total, stage)`` while reading rows."""
    report = progress or (lambda done, total, stage: None)
    summary = load_rab_summary(project, count_missing_prices=False)
    schedule = load_schedule(project)
    count = len(summary.sections) + summary.item_count
    section_weeks: dict[int, set[int]] = {pk: set() for pk in summary.sections}
    rows: list[SectionRow | ItemRow] = []
    every = max(1, count // 10)
    for number, row in enumerate(iter_full_rab(project, summary), start=1):
        rows.append(row)
        if isinstance(row, ItemRow):
            weeks = schedule.planned.get(row.id, {})
            for section_id in row.ancestor_ids:
                section_weeks.setdefault(section_id, set()).update(weeks)
        if number % every == 0:
            report(number, count, f"Membaca baris {number}/{count}")
    lines = []
    for row in rows:
        if isinstance(row, SectionRow):
            lines.append(
                ScheduleLine(
                    kind="section",
                    id=row.id,
                    parent_id=row.parent_id,
                    depth=row.depth,
                    number=row.number,
                    name=row.name,
                    amount=row.subtotal,
                    weight=row.weight,
                    weeks=frozenset(section_weeks.get(row.id, ())),
                )
            )
        else:
            lines.append(
                ScheduleLine(
                    kind="item",
                    id=row.id,
                    parent_id=row.section_id,
                    depth=row.depth,
                    number=row.number,
                    name=row.name,
                    amount=row.amount,
                    weight=row.weight,
                    shares=dict(sorted(schedule.planned.get(row.id, {}).items())),
                )
            )
    return ScheduleTable(
        weeks=schedule.weeks,
        lines=lines,
        curve=schedule.curve,
        total=schedule.total,
        item_count=schedule.item_count,
        planned_item_count=schedule.planned_item_count,
    )


def bands(weeks: Sequence[Week], size: int) -> list[list[Week]]:
    """The weeks cut into bands of at most ``size`` (the PDF prints one band of week columns at a time)."""
    return [list(weeks[start : start + size]) for start in range(0, len(weeks), size)]
