"""Import an AHSP reference workbook (SNI format) into the reference library: the write half.

read (``ahsp.importers.workbook_reader``) -> clean and decide (``ahsp.importers.sni_parse``, pure) -> plan
(``ahsp.importers.reference_workbook``: the checks that refuse a whole import) -> ``write_plan`` here, in one transaction with one audit event: a failure anywhere leaves the library as it was. Writes are
bulk upserts, so a re-import updates in place: analyses matched by (source, code), resources by code, and
the components of every imported analysis replaced. Placeholder analyses (made for nested references the
file does not contain) are only created when missing, so work done on them after an import is never
overwritten. Called by the worker (``ahsp.services.reference_imports.run``) and the ``import_reference``
command.
"""

from dataclasses import dataclass, field
from itertools import batched
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone

from ahsp.importers.reference_workbook import ReferencePlan, read_reference_workbook
from ahsp.importers.review import ReviewRow, write_report
from ahsp.importers.sni_parse import AnalysisData, ParsedLibrary
from ahsp.importers.sni_values import fit
from ahsp.importers.workbook_reader import ImportFailed
from ahsp.models import (
    AuditEvent,
    ReferenceAnalysis,
    ReferenceComponent,
    ReferenceImport,
    ReferenceResource,
)
from ahsp.services import audit

__all__ = ["ImportFailed", "ImportResult", "ReviewRow", "import_reference", "write_plan"]

BATCH_SIZE = 1000
DELETE_CHUNK = 500
RAW_COEFFICIENT_MAX_LENGTH = ReferenceComponent._meta.get_field("raw_coefficient").max_length


@dataclass
class ImportResult:
    summary_line: str
    report_path: Path
    review_rows: list[ReviewRow] = field(default_factory=list)
    record: ReferenceImport | None = None


def import_reference(
    path: Path,
    *,
    source: str,
    file_name: str | None = None,
    by=None,
    report_path: Path | None = None,
) -> ImportResult:
    """Import the workbook at `path` as edition `source`; raises ImportFailed (message in Indonesian)."""
    plan = read_reference_workbook(path, source=source, file_name=file_name)
    return write_plan(plan, by=by, report_path=report_path)


def write_plan(plan: ReferencePlan, *, by=None, report_path: Path | None = None) -> ImportResult:
    """Write the library, the ``ReferenceImport`` record, its review report and the one audit event, all
    or nothing: a database error or a report that cannot be written leaves the library as it was."""
    written: list[Path] = []
    try:
        with transaction.atomic():
            write_library(plan.library, source=plan.source)
            record = _record_import(plan, by=by, report_path=report_path, written=written)
    except DatabaseError as exc:
        _discard(written)
        raise ImportFailed(
            "Impor dibatalkan karena kesalahan basis data; pustaka referensi tidak berubah."
        ) from exc
    except OSError as exc:
        _discard(written)
        raise ImportFailed(
            f"Laporan pemeriksaan tidak dapat ditulis ({exc.strerror or exc}); impor dibatalkan, "
            "pustaka referensi tidak berubah."
        ) from exc
    except BaseException:
        _discard(written)
        raise
    return ImportResult(
        summary_line=record.summary_line,
        report_path=Path(record.report_path),
        review_rows=plan.library.review_rows,
        record=record,
    )


def _record_import(
    plan: ReferencePlan, *, by, report_path: Path | None, written: list[Path]
) -> ReferenceImport:
    """The import's record with its review report (the path goes to ``written`` before it is written)."""
    actor = by if getattr(by, "is_authenticated", False) else None
    library = plan.library
    record = ReferenceImport.objects.create(
        source=plan.source,
        file_name=plan.file_name,
        created_by=actor,
        analyses=len(library.analyses),
        resources=len(library.resources),
        components=library.component_count,
        nested=library.nested_count,
        suspicious=library.suspicious_count,
    )
    target = Path(report_path) if report_path else default_report_path(record)
    written.append(target)
    write_report(target, library.review_rows)
    record.report_path = str(target)
    record.save(update_fields=["report_path"])
    audit.record(
        by=actor,
        action=AuditEvent.Action.IMPORT,
        target=record,
        summary=f"Impor AHSP referensi {plan.source}: {record.summary_line}",
        after={"file_name": record.file_name, "summary": record.summary_line},
    )
    return record


def default_report_path(record: ReferenceImport) -> Path:
    stamp = timezone.localtime(record.created_at).strftime("%Y%m%d-%H%M%S")
    return Path(settings.AHSP_REPORT_DIR) / f"impor-referensi-{record.pk}-{stamp}.csv"


def _discard(written: list[Path]) -> None:
    for path in written:
        path.unlink(missing_ok=True)


def write_library(library: ParsedLibrary, *, source: str) -> None:
    """Upsert resources and analyses, then replace the components of the imported analyses."""
    resource_ids = upsert_resources(library)
    analysis_ids = upsert_analyses(library, source=source)
    replace_components(library, analysis_ids=analysis_ids, resource_ids=resource_ids)


def upsert_resources(library: ParsedLibrary) -> dict[str, int]:
    ReferenceResource.objects.bulk_create(
        [
            ReferenceResource(code=r.code, name=r.name, unit=r.unit, category=r.category)
            for r in library.resources.values()
        ],
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "unit", "category"],
    )
    return dict(ReferenceResource.objects.values_list("code", "id"))


def _analysis_model(analysis: AnalysisData, source: str) -> ReferenceAnalysis:
    return ReferenceAnalysis(
        source=source,
        code=analysis.code,
        name=analysis.name,
        unit=analysis.unit,
        unit_from_name=analysis.unit_from_name,
        is_suspicious=analysis.is_suspicious,
        notes="\n".join(analysis.notes),
        search_text=ReferenceAnalysis.build_search_text(analysis.code, analysis.name),
        sort_key=ReferenceAnalysis.build_sort_key(analysis.code),
    )


def upsert_analyses(library: ParsedLibrary, *, source: str) -> dict[str, int]:
    imported = [a for a in library.analyses.values() if not a.is_placeholder]
    placeholders = [a for a in library.analyses.values() if a.is_placeholder]
    ReferenceAnalysis.objects.bulk_create(
        [_analysis_model(a, source) for a in imported],
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["source", "code"],
        update_fields=[
            "name",
            "unit",
            "unit_from_name",
            "is_suspicious",
            "notes",
            "search_text",
            "sort_key",
            "updated_at",
        ],
    )
    # Existing placeholders are left as they are (they may have been completed since).
    ReferenceAnalysis.objects.bulk_create(
        [_analysis_model(a, source) for a in placeholders], batch_size=BATCH_SIZE, ignore_conflicts=True
    )
    return dict(ReferenceAnalysis.objects.filter(source=source).values_list("code", "id"))


def replace_components(
    library: ParsedLibrary, *, analysis_ids: dict[str, int], resource_ids: dict[str, int]
) -> None:
    imported = [analysis_ids[a.code] for a in library.analyses.values() if not a.is_placeholder]
    for chunk in batched(imported, DELETE_CHUNK):
        ReferenceComponent.objects.filter(analysis_id__in=chunk).delete()
    ReferenceComponent.objects.bulk_create(
        (
            ReferenceComponent(
                analysis_id=analysis_ids[analysis.code],
                position=component.position,
                resource_id=resource_ids[component.resource_code] if component.resource_code else None,
                nested_analysis_id=analysis_ids[component.nested_code] if component.nested_code else None,
                unit=component.unit,
                coefficient=component.coefficient,
                raw_coefficient=fit(component.raw_coefficient, RAW_COEFFICIENT_MAX_LENGTH),
                is_flagged=component.is_flagged,
                flag_reason=component.flag_reason,
                source_row=component.source_row,
            )
            for analysis in library.analyses.values()
            if not analysis.is_placeholder
            for component in analysis.components
        ),
        batch_size=BATCH_SIZE,
    )
