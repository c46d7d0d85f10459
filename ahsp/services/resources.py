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

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, RestrictedError
from openpyxl.utils import get_column_letter

from ahsp.calculations import prices as price_math
from ahsp.formatting import format_money
from ahsp.importers.safe_workbook import WorkbookRejected, not_xlsx_message, open_workbook
from ahsp.models import AnalysisComponent, AuditEvent, Project, ProjectResource
from ahsp.models.estimate import MAX_PRICE
from ahsp.parsing import MAX_INTEGER_DIGITS, NumberInputError, parse_decimal
from ahsp.services import audit, recalc
from ahsp.services._locking import ConflictError as ConflictError  # re-exported
from ahsp.services._locking import lock_version

MONEY_PLACES = 2
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
    price_changed = before["unit_price"] != after["unit_price"]
    if price_changed:
        recalc.recalculate_project(Project.objects.get(pk=current.project_id), resource_ids={current.pk})
        old = None if before["unit_price"] is None else Decimal(before["unit_price"])
        summary = (
            f"Harga satuan dasar “{current.code} {current.name[:100]}” diubah: "
            f"{_money_text(old)} → {_money_text(current.unit_price)} per {current.unit}"
        )
    else:
        summary = f"Satuan beli “{current.code} {current.name[:100]}” diubah"
    if purchase_price is not None:
        summary += f" (dari {_money_text(purchase_price)} per {purchase_unit})"
    audit.record(
        by=by,
        action=AuditEvent.Action.UPDATE,
        target=current,
        project_id=current.project_id,
        summary=summary,
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
# Import of prices from an Excel sheet

CODE_COLUMNS = ("kode_item", "kode")
PRICE_COLUMN = "harga_satuan"
UNIT_COLUMN = "satuan"
PREFERRED_SHEET = "harga"
MAX_DATA_ROWS = 20_000
# A number typed in Excel arrives as a binary float: 1300.1 is 1300.09999999999990905052982270717620849609375.
# Such a float is read as the cent value it stands for when it lies within this relative distance of it
# (far above float noise, far below a real difference); otherwise more than 2 decimals is an error.
FLOAT_TOLERANCE = Decimal("1e-9")


@dataclass(frozen=True)
class ImportProblem:
    """One line of the import report: where (sheet, Excel row, column), what (value) and why (reason)."""

    sheet: str
    row: int | None
    column: str
    value: str
    reason: str


@dataclass(frozen=True)
class PriceChange:
    code: str
    name: str
    old: Decimal | None
    new: Decimal


@dataclass
class PriceImportReport:
    """The outcome of ``import_prices``. ``errors`` block the whole import; ``notes`` are rows skipped or
    worth a look (unknown codes, empty prices, unit spelled differently) that do not block it."""

    file_name: str = ""
    sheet: str = ""
    rows_read: int = 0
    errors: list[ImportProblem] = field(default_factory=list)
    notes: list[ImportProblem] = field(default_factory=list)
    changes: list[PriceChange] = field(default_factory=list)
    unchanged: int = 0
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def unknown_codes(self) -> list[str]:
        return [note.value for note in self.notes if note.reason == UNKNOWN_CODE_REASON]

    @property
    def summary(self) -> str:
        if self.errors:
            return (
                f"Impor harga dibatalkan: {len(self.errors)} masalah di berkas “{self.file_name}”. "
                "Tidak ada harga yang diubah."
            )
        parts = [f"{len(self.changes)} harga diubah", f"{self.unchanged} tidak berubah"]
        if self.notes:
            parts.append(f"{len(self.notes)} baris dilewati atau perlu diperiksa")
        return f"Impor harga dari “{self.file_name}” selesai: " + ", ".join(parts) + "."


UNKNOWN_CODE_REASON = "Kode tidak dipakai di proyek ini; baris dilewati (sumber daya tidak dibuat)."


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _header(cells: tuple) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, value in enumerate(cells):
        name = _cell_text(value).lower().replace(" ", "_")
        if name:
            columns.setdefault(name, index)
    return columns


def _column_label(index: int, name: str) -> str:
    return f"{get_column_letter(index + 1)} ({name})"


def parse_price_cell(value) -> Decimal | None:
    """A price cell as ``Decimal`` with at most 2 decimals; ``None`` for an empty cell.

    Numbers may be numeric cells or text (``1.250.000``, ``1250000,50``, ``Rp 65.000,00``, ``1250000.5``;
    parsed by ``ahsp.parsing.parse_decimal``). Raises ``NumberInputError`` (Indonesian message).
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or isinstance(value, datetime.date | datetime.time | datetime.timedelta):
        raise NumberInputError("Isi sel bukan angka (format sel Excel tanggal/logika).", "invalid")
    if isinstance(value, str):
        return _bounded_price(parse_decimal(value, max_places=MONEY_PLACES))
    if not isinstance(value, int | float | Decimal):
        raise NumberInputError("Isi sel bukan angka.", "invalid")
    try:
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation as exc:
        raise NumberInputError("Isi sel bukan angka.", "invalid") from exc
    if not number.is_finite():
        raise NumberInputError("Isi sel bukan angka.", "invalid")
    if number < 0:
        raise NumberInputError("Harga tidak boleh negatif.", "negative")
    cents = number.quantize(CENT)
    if number != cents:
        if not isinstance(value, float) or abs(number - cents) > FLOAT_TOLERANCE * max(abs(number), 1):
            raise NumberInputError(
                f"Paling banyak {MONEY_PLACES} angka di belakang koma (harga dalam rupiah dan sen).", "places"
            )
    if len(str(int(cents))) > MAX_INTEGER_DIGITS:
        raise NumberInputError(
            f"Angka terlalu besar (paling banyak {MAX_INTEGER_DIGITS} angka sebelum koma).", "too_large"
        )
    return _bounded_price(cents)


def _bounded_price(price: Decimal) -> Decimal:
    """The price forms' bound (``MAX_PRICE``) for imported prices too."""
    if price > MAX_PRICE:
        raise NumberInputError("Harga terlalu besar (paling besar Rp 999.999.999.999,99).", "too_large")
    return price


def _normal_unit(unit: str) -> str:
    return unit.strip().lower().replace(" ", "").replace("²", "2").replace("³", "3").rstrip(".")


def _pick_sheet(workbook, report: PriceImportReport):
    """The sheet named "Harga" if there is one, else the first sheet whose first row names the columns."""
    sheets = sorted(workbook.worksheets, key=lambda s: s.title.strip().lower() != PREFERRED_SHEET)
    first = None
    for sheet in sheets:
        rows = sheet.rows()
        header_cells = next(rows, None)
        header = _header(header_cells or ())
        if first is None:
            first = (sheet, header)
        if any(name in header for name in CODE_COLUMNS) and PRICE_COLUMN in header:
            return sheet, header, rows
    sheet, header = first if first else (None, {})
    missing = []
    if not any(name in header for name in CODE_COLUMNS):
        missing.append("kode_item (atau kode)")
    if PRICE_COLUMN not in header:
        missing.append(PRICE_COLUMN)
    report.errors.append(
        ImportProblem(
            sheet=sheet.title if sheet else "",
            row=1,
            column="",
            value="",
            reason=f"Kolom wajib tidak ada: {', '.join(missing)}. Baris pertama harus berisi judul kolom "
            "kode_item (atau kode), uraian, satuan, kategori, harga_satuan.",
        )
    )
    return None, header, None


def _file_name(path_or_file) -> str:
    if isinstance(path_or_file, str | Path):
        return Path(path_or_file).name
    return Path(getattr(path_or_file, "name", "") or "berkas.xlsx").name


def read_price_rows(path_or_file, project: Project, report: PriceImportReport) -> dict[int, Decimal]:
    """Check every row against the project's resources; return {resource id: new price} (no writes)."""
    if isinstance(path_or_file, str | Path) and not Path(path_or_file).is_file():
        report.errors.append(ImportProblem("", None, "", report.file_name, "Berkas tidak ditemukan."))
        return {}
    try:
        # Zip, XML and row limits: ahsp.importers.safe_workbook (a hostile file is one clear error).
        with open_workbook(path_or_file) as workbook:
            sheet, header, rows = _pick_sheet(workbook, report)
            if sheet is None:
                return {}
            report.sheet = sheet.title
            return _check_rows(rows, header, sheet.title, project, report)
    except (WorkbookRejected, OSError) as exc:
        reason = str(exc) if isinstance(exc, WorkbookRejected) else not_xlsx_message()
        report.errors.append(ImportProblem(report.sheet, None, "", report.file_name, reason))
        return {}


def _cell(cells: tuple, index: int | None):
    return cells[index] if index is not None and index < len(cells) else None


def _check_rows(rows, header: dict[str, int], sheet: str, project: Project, report) -> dict[int, Decimal]:
    code_name = next(name for name in CODE_COLUMNS if name in header)
    code_index, price_index = header[code_name], header[PRICE_COLUMN]
    unit_index = header.get(UNIT_COLUMN)
    resources = list(ProjectResource.objects.filter(project=project).only("id", "code", "name", "unit"))
    exact = {r.code.strip(): r for r in resources}
    folded: dict[str, ProjectResource | None] = {}
    for r in resources:
        key = r.code.strip().casefold()
        folded[key] = None if key in folded else r  # None: two codes differ only by case -> exact only

    prices: dict[int, Decimal] = {}
    seen: dict[int, tuple[int, Decimal]] = {}  # resource id -> (row, price) of its first row
    for row_number, cells in enumerate(rows, start=2):
        if row_number - 1 > MAX_DATA_ROWS:
            report.errors.append(
                ImportProblem(
                    sheet, row_number, "", "", f"Terlalu banyak baris (paling banyak {MAX_DATA_ROWS})."
                )
            )
            break
        cells = tuple(cells or ())
        raw_code, raw_price = _cell(cells, code_index), _cell(cells, price_index)
        if all(value is None or (isinstance(value, str) and not value.strip()) for value in cells):
            continue
        report.rows_read += 1
        code = _cell_text(raw_code)
        price_column = _column_label(price_index, PRICE_COLUMN)
        try:
            price = parse_price_cell(raw_price)
        except NumberInputError as exc:
            report.errors.append(
                ImportProblem(sheet, row_number, price_column, _cell_text(raw_price), str(exc))
            )
            continue
        if not code:
            if price is not None:
                report.errors.append(
                    ImportProblem(
                        sheet,
                        row_number,
                        _column_label(code_index, code_name),
                        "",
                        "Kode item kosong, padahal harga diisi: harga ini tidak tahu milik sumber daya mana.",
                    )
                )
            continue
        resource = exact.get(code) or folded.get(code.casefold())
        if resource is None:
            report.notes.append(
                ImportProblem(
                    sheet, row_number, _column_label(code_index, code_name), code, UNKNOWN_CODE_REASON
                )
            )
            continue
        if price is None:
            report.notes.append(
                ImportProblem(
                    sheet, row_number, price_column, "", "Harga kosong; harga di proyek tidak diubah."
                )
            )
            continue
        if resource.pk in seen:
            first_row, first_price = seen[resource.pk]
            if first_price != price:
                report.errors.append(
                    ImportProblem(
                        sheet,
                        row_number,
                        price_column,
                        _cell_text(raw_price),
                        f"Kode {resource.code} sudah ada di baris {first_row} dengan harga "
                        f"{format_money(first_price)}: harga mana yang berlaku tidak jelas.",
                    )
                )
            continue
        seen[resource.pk] = (row_number, price)
        sheet_unit = _cell_text(_cell(cells, unit_index))
        if sheet_unit and _normal_unit(sheet_unit) != _normal_unit(resource.unit):
            report.notes.append(
                ImportProblem(
                    sheet,
                    row_number,
                    _column_label(unit_index, UNIT_COLUMN),
                    sheet_unit,
                    f"Satuan di berkas berbeda dengan satuan di proyek ({resource.unit}); harga diimpor "
                    f"sebagai harga per {resource.unit}. Periksa bila berkas memakai satuan beli.",
                )
            )
        prices[resource.pk] = price
    return prices


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
    report = PriceImportReport(file_name=_file_name(path_or_file))
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
