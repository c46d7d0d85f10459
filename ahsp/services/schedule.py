"""Writes of the schedule: planned distributions, actual progress, weekly reports and stages.

Every write runs in a transaction, locks the row it changes (the work item, or the project for a weekly
report), validates through ``ahsp.calculations.schedule`` (a ``ScheduleError`` carries the message for the
user) and records one audit event. A plan, stage or progress edit bumps the work item's
``schedule_version`` (not its ``version``, the lock of its estimate fields); an edit sent with a stale
``expected_version`` raises ``ConflictError`` instead of overwriting.

Every event here is ``audit.Changes.SCHEDULE``: the estimate pages (RAB, work breakdown, prices, analyses)
show nothing these writes change, so they stay cached; the schedule, progress, Kurva S and requirements
pages and the documents are rebuilt.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Sum
from django.utils.translation import gettext, gettext_lazy

from ahsp.calculations import tree
from ahsp.calculations.schedule import (
    ScheduleError,
    even_shares,
    validate_progress,
    validate_shares,
)
from ahsp.models import AuditEvent, PlannedShare, ProgressEntry, Project, Section, Stage, WeekReport, WorkItem
from ahsp.services import audit
from ahsp.services._locking import lock_version

NO_SCHEDULE = gettext_lazy(
    "Isi tanggal mulai dan durasi (minggu) proyek terlebih dahulu di halaman ubah proyek."
)


def week_count(project: Project) -> int:
    """The number of weeks of the project; a ``ScheduleError`` when the project has no schedule yet."""
    if not project.start_date or not project.duration_weeks:
        raise ScheduleError(str(NO_SCHEDULE))
    return project.duration_weeks


def _shares_json(shares: Mapping[int, Decimal]) -> dict[str, str]:
    return {str(week): str(share) for week, share in sorted(shares.items())}


def _bump(item: WorkItem) -> None:
    WorkItem.objects.filter(pk=item.pk).update(schedule_version=F("schedule_version") + 1)
    item.refresh_from_db(fields=["schedule_version"])


def _lock_item(item: WorkItem, expected_version: int | None) -> WorkItem:
    return lock_version(WorkItem, item.pk, expected_version, field="schedule_version")


def planned_shares(item: WorkItem) -> dict[int, Decimal]:
    return dict(item.planned_shares.values_list("week", "share"))


# --- Plan -------------------------------------------------------------------------------------------


@transaction.atomic
def set_plan(
    *, item: WorkItem, shares: Mapping[int, Decimal], by, expected_version: int | None = None
) -> WorkItem:
    """Replace the item's planned distribution (explicit % per week, summing to 100)."""
    current = _lock_item(item, expected_version)
    cleaned = validate_shares(shares, week_count(current.project))
    before = planned_shares(current)
    current.planned_shares.all().delete()
    PlannedShare.objects.bulk_create(
        PlannedShare(work_item=current, week=week, share=share) for week, share in cleaned.items()
    )
    _bump(current)
    audit.record(
        changes=audit.Changes.SCHEDULE,
        by=by,
        action=AuditEvent.Action.UPDATE,
        target=current,
        project_id=current.project_id,
        summary=f"Rencana jadwal “{current.name}” diubah"[:300],
        before={"rencana": _shares_json(before)},
        after={"rencana": _shares_json(cleaned)},
    )
    return current


def set_even_plan(
    *, item: WorkItem, first_week: int, last_week: int, by, expected_version: int | None = None
) -> WorkItem:
    """Plan the item evenly over ``first_week..last_week``."""
    return set_plan(
        item=item, shares=even_shares(first_week, last_week), by=by, expected_version=expected_version
    )


@transaction.atomic
def clear_plan(*, item: WorkItem, by, expected_version: int | None = None) -> WorkItem:
    current = _lock_item(item, expected_version)
    before = planned_shares(current)
    if before:
        current.planned_shares.all().delete()
        _bump(current)
        audit.record(
            changes=audit.Changes.SCHEDULE,
            by=by,
            action=AuditEvent.Action.UPDATE,
            target=current,
            project_id=current.project_id,
            summary=f"Rencana jadwal “{current.name}” dikosongkan"[:300],
            before={"rencana": _shares_json(before)},
            after={"rencana": {}},
        )
    return current


def subtree_ids(project: Project, section: Section) -> list[int]:
    """The section and every section below it (one query)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in Section.objects.filter(project=project).values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    return sorted(tree.subtree_ids(children, section.pk))


@transaction.atomic
def plan_section(*, section: Section, first_week: int, last_week: int, by) -> int:
    """Plan every work item of a section (and its sub-sections) evenly over the same weeks; one audit
    event for the section. Returns the number of items planned."""
    project = Project.objects.select_for_update().get(pk=section.project_id)
    shares = validate_shares(even_shares(first_week, last_week), week_count(project))
    items = list(
        WorkItem.objects.select_for_update().filter(
            project=project, section_id__in=subtree_ids(project, section)
        )
    )
    PlannedShare.objects.filter(work_item__in=items).delete()
    PlannedShare.objects.bulk_create(
        PlannedShare(work_item=item, week=week, share=share)
        for item in items
        for week, share in shares.items()
    )
    WorkItem.objects.filter(pk__in=[item.pk for item in items]).update(
        schedule_version=F("schedule_version") + 1
    )
    audit.record(
        changes=audit.Changes.SCHEDULE,
        by=by,
        action=AuditEvent.Action.UPDATE,
        target=section,
        project_id=project.pk,
        summary=f"Rencana {len(items)} pekerjaan di “{section.name}”: minggu ke-{first_week} s.d. ke-{last_week}"[
            :300
        ],
        after={"minggu_mulai": first_week, "minggu_akhir": last_week, "pekerjaan": len(items)},
    )
    return len(items)


# --- Actual progress ------------------------------------------------------------------------------


@transaction.atomic
def set_progress(
    *, item: WorkItem, week: int, progress: Decimal, by, expected_version: int | None = None
) -> WorkItem:
    """The % of the item done in ``week`` (0 removes the entry); the cumulative stays within 100."""
    current = _lock_item(item, expected_version)
    weeks = week_count(current.project)
    if not 1 <= week <= weeks:
        raise ScheduleError(
            gettext("Minggu ke-%(week)s di luar jadwal proyek (minggu ke-1 sampai ke-%(weeks)s).")
            % {"week": week, "weeks": weeks}
        )
    others = current.progress_entries.exclude(week=week).aggregate(total=Sum("progress"))["total"] or Decimal(
        0
    )
    validate_progress(Decimal(others), progress, week)
    entry = current.progress_entries.filter(week=week).first()
    before = entry.progress if entry else Decimal(0)
    if before == progress:
        return current
    if progress:
        ProgressEntry.objects.update_or_create(work_item=current, week=week, defaults={"progress": progress})
    elif entry:
        entry.delete()
    _bump(current)
    audit.record(
        changes=audit.Changes.SCHEDULE,
        by=by,
        action=AuditEvent.Action.UPDATE,
        target=current,
        project_id=current.project_id,
        summary=f"Realisasi minggu ke-{week} “{current.name}”: {progress} %"[:300],
        before={"minggu": week, "realisasi": str(before)},
        after={"minggu": week, "realisasi": str(progress)},
    )
    return current


@transaction.atomic
def set_week_report(
    *, project: Project, week: int, report_date: date | None, actual_cost: Decimal | None, by
) -> WeekReport:
    """The cut-off date and the actual cost of one week."""
    locked = Project.objects.select_for_update().get(pk=project.pk)
    weeks = week_count(locked)
    if not 1 <= week <= weeks:
        raise ScheduleError(
            gettext("Minggu ke-%(week)s di luar jadwal proyek (minggu ke-1 sampai ke-%(weeks)s).")
            % {"week": week, "weeks": weeks}
        )
    if actual_cost is not None and actual_cost < 0:
        raise ScheduleError(gettext("Biaya aktual tidak boleh negatif."))
    report, created = WeekReport.objects.get_or_create(project=locked, week=week)
    before = {"tanggal_laporan": str(report.report_date or ""), "biaya_aktual": str(report.actual_cost or "")}
    report.report_date = report_date
    report.actual_cost = actual_cost
    if not created:
        report.version = F("version") + 1
    report.save()
    report.refresh_from_db()
    audit.record(
        changes=audit.Changes.SCHEDULE,
        by=by,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        target=report,
        project_id=locked.pk,
        summary=f"Laporan minggu ke-{week} disimpan",
        before=None if created else before,
        after={"tanggal_laporan": str(report_date or ""), "biaya_aktual": str(actual_cost or "")},
    )
    return report


# --- Stages ---------------------------------------------------------------------------------------


def _stage_snapshot(stage: Stage) -> dict:
    return {
        "nama": stage.name,
        "tanggal_mulai": str(stage.start_date or ""),
        "tanggal_selesai": str(stage.end_date or ""),
    }


def _check_dates(start: date | None, end: date | None) -> None:
    if start and end and end < start:
        raise ScheduleError(gettext("Tanggal selesai tahapan tidak boleh sebelum tanggal mulai."))


@transaction.atomic
def create_stage(*, project: Project, name: str, start_date=None, end_date=None, by) -> Stage:
    name = name.strip()
    if not name:
        raise ScheduleError(gettext("Nama tahapan wajib diisi."))
    _check_dates(start_date, end_date)
    Project.objects.select_for_update().filter(pk=project.pk).values_list("pk", flat=True).get()
    position = (project.stages.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    stage = Stage.objects.create(
        project=project, name=name[:200], position=position, start_date=start_date, end_date=end_date
    )
    audit.record(
        changes=audit.Changes.SCHEDULE,
        by=by,
        action=AuditEvent.Action.CREATE,
        target=stage,
        project_id=project.pk,
        summary=f"Tahapan “{stage.name}” dibuat",
        after=_stage_snapshot(stage),
    )
    return stage


@transaction.atomic
def update_stage(*, stage: Stage, name: str, start_date=None, end_date=None, by) -> Stage:
    name = name.strip()
    if not name:
        raise ScheduleError(gettext("Nama tahapan wajib diisi."))
    _check_dates(start_date, end_date)
    current = Stage.objects.select_for_update().get(pk=stage.pk)
    before = _stage_snapshot(current)
    current.name, current.start_date, current.end_date = name[:200], start_date, end_date
    current.save()
    audit.record(
        changes=audit.Changes.SCHEDULE,
        by=by,
        action=AuditEvent.Action.UPDATE,
        target=current,
        project_id=current.project_id,
        summary=f"Tahapan “{current.name}” diubah",
        before=before,
        after=_stage_snapshot(current),
    )
    return current


@transaction.atomic
def delete_stage(*, stage: Stage, by) -> None:
    """Delete a stage; its work items stay, without a stage."""
    before = _stage_snapshot(stage)
    audit.record(
        changes=audit.Changes.SCHEDULE,
        by=by,
        action=AuditEvent.Action.DELETE,
        target=stage,
        project_id=stage.project_id,
        summary=f"Tahapan “{stage.name}” dihapus",
        before=before,
    )
    stage.delete()


@transaction.atomic
def assign_stage(*, item: WorkItem, stage: Stage | None, by, expected_version: int | None = None) -> WorkItem:
    current = _lock_item(item, expected_version)
    if stage is not None and stage.project_id != current.project_id:
        raise ScheduleError(gettext("Tahapan tidak ditemukan di proyek ini."))
    before = {"tahapan": current.stage.name if current.stage_id else ""}
    if current.stage_id == (stage.pk if stage else None):
        return current
    current.stage = stage
    current.save(update_fields=["stage"])
    _bump(current)
    audit.record(
        changes=audit.Changes.SCHEDULE,
        by=by,
        action=AuditEvent.Action.UPDATE,
        target=current,
        project_id=current.project_id,
        summary=f"Tahapan “{current.name}”: {stage.name if stage else 'tanpa tahapan'}"[:300],
        before=before,
        after={"tahapan": stage.name if stage else ""},
    )
    return current
