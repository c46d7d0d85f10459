"""Writes to the resources of a project (harga satuan dasar): price edits, price import, removal, and the
row write of a resource the user creates in the project (``insert_resource``, code from ``propose_code``).

Each write runs in one transaction, records exactly one audit event, and, when a price changed, calls
``recalc.recalculate_project`` in the same transaction so every analysis (A/B/C/D) and work item (HSP,
jumlah harga) that depends on the price is up to date when the transaction commits.

Optimistic locking (as for work items): every write that changes a resource row bumps its ``version``
(price edit, price import); ``set_price`` with the ``expected_version`` the user loaded raises
``ConflictError`` when the row changed since, instead of overwriting it.

Rounding (the one documented boundary of this module): a price entered per PURCHASE unit (e.g. Rp 65.000
per zak of 50 kg) gives the base price ``purchase_price / purchase_factor`` rounded ONCE to whole cents,
half up (``ahsp.calculations.prices.base_price_from_purchase``, the exact-integer form of
``quantize_money(purchase_price / purchase_factor)``: no intermediate rounding of the quotient, so no
double rounding). Rp 65.000 / 50 = Rp 1.300,00; Rp 100.000 / 3 = Rp 33.333,33; Rp 10 / 8 = Rp 1,25;
Rp 0,05 / 2 = Rp 0,03 (0,025 half up). The purchase price itself is not stored: the base price is.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import IO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, RestrictedError

from ahsp.calculations import prices as price_math
from ahsp.formatting import format_money
from ahsp.importers import prices_workbook
from ahsp.importers.prices_workbook import PRICE_COLUMN, ImportProblem, PriceChange, PriceImportReport
from ahsp.models import AnalysisComponent, AuditEvent, Project, ProjectResource
from ahsp.services import audit, recalc
from ahsp.services._locking import ConflictError as ConflictError  # re-exported
from ahsp.services._locking import lock_version

FACTOR_PLACES = 6
CENT = Decimal("0.01")


def _money_text(value: Decimal | None) -> str:
    return format_money(value) if value is not None else "(kosong)"


def _snapshot(resource: ProjectResource) -> dict:
    return {
        "unit_price": None
        if resource.unit_price is None
        else str(Decimal(resource.unit_price).quantize(CENT)),
        "purchase_unit": resource.purchase_unit,
        "purchase_factor": None
        if resource.purchase_factor is None
        else str(Decimal(resource.purchase_factor).quantize(Decimal(1).scaleb(-FACTOR_PLACES))),
    }


def base_price_from_purchase(purchase_price: Decimal, purchase_factor: Decimal) -> Decimal:
    """Price of one base unit from the price of one purchase unit, to whole cents, half up (see above)."""
    if purchase_factor <= 0:
        raise ValidationError({"purchase_factor": "Isi per satuan beli harus lebih dari 0."})
    return price_math.base_price_from_purchase(purchase_price, purchase_factor)


# --------------------------------------------------------------------------------------------------
# One resource


def _price_errors(
    unit_price: Decimal | None,
    purchase_unit: str,
    purchase_factor: Decimal | None,
    purchase_price: Decimal | None,
) -> dict[str, str]:
    """Field key -> message of every inconsistent input of ``set_price`` (empty when it is consistent)."""
    errors: dict[str, str] = {}
    if purchase_factor is not None and purchase_factor <= 0:
        errors["purchase_factor"] = "Isi per satuan beli harus lebih dari 0."
    elif bool(purchase_unit) != (purchase_factor is not None):
        errors["purchase_unit"] = "Isi satuan beli bersama isinya (mis. zak dan 50), atau kosongkan keduanya."
    if purchase_price is not None and (not purchase_unit or purchase_factor is None):
        errors.setdefault(
            "purchase_price", "Harga per satuan beli hanya dapat diisi bila satuan beli dan isinya diisi."
        )
    for name, value in (("unit_price", unit_price), ("purchase_price", purchase_price)):
        if value is not None and value < 0:
            errors.setdefault(name, "Harga tidak boleh negatif.")
    return errors


def _price_summary(
    current: ProjectResource, before: dict, after: dict, purchase_price: Decimal | None
) -> str:
    if before["unit_price"] != after["unit_price"]:
        old = None if before["unit_price"] is None else Decimal(before["unit_price"])
        summary = (
            f"Harga satuan dasar “{current.code} {current.name[:100]}” diubah: "
            f"{_money_text(old)} → {_money_text(current.unit_price)} per {current.unit}"
        )
    else:
        summary = f"Satuan beli “{current.code} {current.name[:100]}” diubah"
    if purchase_price is not None:
        summary += f" (dari {_money_text(purchase_price)} per {current.purchase_unit})"
    return summary


@transaction.atomic
def set_price(
    *,
    resource: ProjectResource,
    unit_price: Decimal | None,
    purchase_unit: str = "",
    purchase_factor: Decimal | None = None,
    purchase_price: Decimal | None = None,
    expected_version: int | None = None,
    by,
) -> ProjectResource:
    """Set the base price (``unit_price``; ``None`` = not priced yet) and the purchase unit of a resource.

    ``purchase_unit`` and ``purchase_factor`` go together (1 zak = 50 kg: ``"zak"``, ``50``) or are both
    empty. When ``purchase_price`` (price of one purchase unit) is given, it wins over ``unit_price``: the
    base price becomes ``purchase_price / purchase_factor`` (to cents, half up). Raises ``ValidationError``
    with field keys and Indonesian messages. Nothing is written (and no audit event recorded, the version
    stays) when nothing changes. With ``expected_version`` (the ``version`` the user's form was loaded
    with), raises ``ConflictError`` and writes nothing when the row has changed since.
    """
    # The project row first (as the analysis editor does): two price edits of one project are serialised,
    # so neither reprices from a snapshot that misses the other's price.
    Project.objects.select_for_update().filter(pk=resource.project_id).values_list("pk", flat=True).first()
    current = lock_version(ProjectResource, resource.pk, expected_version)
    before = _snapshot(current)
    purchase_unit = (purchase_unit or "").strip()

    errors = _price_errors(unit_price, purchase_unit, purchase_factor, purchase_price)
    if errors:
        raise ValidationError(errors)

    if purchase_price is not None:
        unit_price = base_price_from_purchase(purchase_price, purchase_factor)

    current.unit_price = unit_price
    current.purchase_unit = purchase_unit
    current.purchase_factor = purchase_factor
    current.full_clean()
    after = _snapshot(current)
    if after == before:
        return current
    current.version = F("version") + 1
    current.save(update_fields=["unit_price", "purchase_unit", "purchase_factor", "version"])
    if before["unit_price"] != after["unit_price"]:
        recalc.recalculate_project(Project.objects.get(pk=current.project_id), resource_ids={current.pk})
    audit.record(
        by=by,
        action=AuditEvent.Action.UPDATE,
        target=current,
        project_id=current.project_id,
        summary=_price_summary(current, before, after, purchase_price),
        before=before,
        after=after,
    )
    current.refresh_from_db()
    return current


# Codes proposed for resources the user creates in a project (not from the library): per category,
# with a prefix the library does not use, numbered from 01 ("L.01" = the first "lain-lain" of the project).
NEW_CODE_PREFIXES = {"labour": "TK.P.", "material": "B.P.", "equipment": "PR.P.", "other": "L."}


def propose_code(*, project: Project, category: str) -> str:
    """The next free code for a new resource of ``category`` in the project: ``L.01``, ``L.02``... (the
    number after the highest one in use with that prefix; at least two digits)."""
    prefix = NEW_CODE_PREFIXES.get(category, "L.")
    numbers = [
        int(code[len(prefix) :])
        for code in ProjectResource.objects.filter(project=project, code__startswith=prefix).values_list(
            "code", flat=True
        )
        if code[len(prefix) :].isdigit()
    ]
    return f"{prefix}{max(numbers, default=0) + 1:02d}"


def insert_resource(
    *, project: Project, code: str, name: str, unit: str, category: str, unit_price: Decimal | None
) -> ProjectResource:
    """Write a new project resource (validated: ``full_clean``, unique code). No audit event and no
    recalculation: only for services that record the one event of the user's action and reprice
    (``analyses.add_new_resource_component``, ``work_items.add_custom`` with a direct price)."""
    code = (code or "").strip() or propose_code(project=project, category=category)
    if ProjectResource.objects.filter(project=project, code__iexact=code).exists():
        raise ValidationError({"code": f"Kode {code} sudah dipakai sumber daya lain di proyek ini."})
    if unit_price is not None and unit_price < 0:
        raise ValidationError({"unit_price": "Harga tidak boleh negatif."})
    resource = ProjectResource(
        project=project,
        code=code,
        name=(name or "").strip(),
        unit=(unit or "").strip(),
        category=category,
        unit_price=unit_price,
    )
    resource.full_clean()
    resource.save()
    return resource


@transaction.atomic
def delete_unused(*, resource: ProjectResource, by) -> None:
    """Remove a resource that no analysis of the project uses; refuse (``ValidationError``) otherwise."""
    current = ProjectResource.objects.select_for_update().filter(pk=resource.pk).first()
    if current is None:
        raise ValidationError("Sumber daya ini sudah dihapus.")
    used_by = AnalysisComponent.objects.filter(resource=current).values("analysis_id").distinct().count()
    if used_by:
        raise ValidationError(
            f"“{current.code} {current.name[:100]}” tidak dihapus: sekarang dipakai oleh {used_by} analisa."
        )
    audit.record(
        by=by,
        action=AuditEvent.Action.DELETE,
        target=current,
        project_id=current.project_id,
        summary=f"Sumber daya “{current.code} {current.name[:100]}” yang tidak dipakai dihapus",
        before={"code": current.code, "name": current.name, "unit": current.unit, **_snapshot(current)},
    )
    try:
        current.delete()
    except RestrictedError as exc:  # a component was added between the check and the delete
        raise ValidationError(
            f"“{current.code} {current.name[:100]}” tidak dihapus: sumber daya ini sedang dipakai."
        ) from exc


# --------------------------------------------------------------------------------------------------
# Import of prices from an Excel sheet: parsed and planned by ``ahsp.importers.prices_workbook`` (pure),
# written here.


def read_price_rows(path_or_file, project: Project, report: PriceImportReport) -> dict[int, Decimal]:
    """Check every row against the project's resources; return {resource id: new price} (no writes)."""
    parsed = prices_workbook.parse_price_workbook(path_or_file, report)
    if parsed is None:
        return {}
    resources = [
        prices_workbook.ResourceKey(pk, code, unit)
        for pk, code, unit in ProjectResource.objects.filter(project=project).values_list(
            "id", "code", "unit"
        )
    ]
    prices = prices_workbook.plan_prices(parsed, resources, report)
    return {} if parsed.failure else prices


@transaction.atomic
def import_prices(*, project: Project, path_or_file: str | Path | IO[bytes], by) -> PriceImportReport:
    """Update the prices of the project's resources from an .xlsx sheet, ALL OR NOTHING.

    Header row (first row; the sheet named "Harga" if present, else the first sheet with these columns):
    ``kode_item`` (or ``kode``), ``uraian``, ``satuan``, ``kategori``, ``harga_satuan``; only the code
    and the price are used, ``satuan`` is compared with the project's unit (a difference is noted).
    A row whose code the project does not have is reported and skipped (no resource is created). Any
    invalid price (text that is no number, negative, more than 2 decimals; ``1.250`` is Rp 1.250) or
    a code listed twice with different prices is an error: then NOTHING is written and the report lists
    every problem (sheet, row, column, value, reason). Otherwise the changed prices are written, the
    project is recalculated once and one audit event records the whole import. Never raises for the
    content of the file; the report says what happened (``report.applied``).
    """
    report = PriceImportReport(file_name=prices_workbook.upload_name(path_or_file))
    prices = read_price_rows(path_or_file, project, report)
    if report.errors:
        return report

    resources = list(
        ProjectResource.objects.select_for_update().filter(project=project, pk__in=prices).order_by("code")
    )
    changed = []
    for resource in resources:
        new = prices[resource.pk]
        if resource.unit_price is not None and Decimal(resource.unit_price) == new:
            report.unchanged += 1
            continue
        report.changes.append(PriceChange(resource.code, resource.name, resource.unit_price, new))
        resource.unit_price = new
        # Field validators only: uniqueness is not touched by a price, and per-row queries would make
        # a big import O(rows) in queries.
        resource.clean_fields()
        # A price edit form loaded before the import must conflict, not overwrite the imported price.
        resource.version = F("version") + 1
        changed.append(resource)
    if not changed:
        return report
    ProjectResource.objects.bulk_update(changed, ["unit_price", "version"], batch_size=500)
    try:
        recalc.recalculate_project(project)
    except ValidationError as exc:  # a Jumlah harga that would not fit: nothing is written
        transaction.set_rollback(True)
        report.errors.extend(ImportProblem(report.sheet, None, PRICE_COLUMN, "", m) for m in exc.messages)
        return report
    audit.record(
        by=by,
        action=AuditEvent.Action.IMPORT,
        target=project,
        project_id=project.pk,
        summary=(
            f"Impor harga satuan dasar dari “{report.file_name[:80]}”: {len(report.changes)} harga diubah, "
            f"{report.unchanged} tidak berubah, {len(report.unknown_codes)} kode tidak dipakai di proyek ini"
        ),
        before={
            c.code: None if c.old is None else str(Decimal(c.old).quantize(CENT)) for c in report.changes
        },
        after={c.code: str(c.new) for c in report.changes},
    )
    report.applied = True
    return report
