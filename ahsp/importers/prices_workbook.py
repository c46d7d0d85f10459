"""Read and check a price sheet (.xlsx) before any price is written: the parse and plan of the price import.

The shape of every importer (as ``ahsp.importers.project_workbook``): pure steps here, the writes in a
service (``ahsp.services.resources.import_prices``).

1. ``parse_price_workbook(source, report)``: the file -> ``ParsedPrices`` (the sheet, its columns and one
   ``PriceLine`` per non-empty row, each price already parsed or with its error), or ``None`` when the file
   or its header cannot be read (the reason is in ``report.errors``). No ORM.
2. ``plan_prices(parsed, resources, report)``: every line against the project's resources (plain
   ``ResourceKey`` values the service reads): ``{resource id: new price}`` plus the problems, in row order.

Header row (first row; the sheet named "Harga" if present, else the first sheet with these columns):
``kode_item`` (or ``kode``), ``uraian``, ``satuan``, ``kategori``, ``harga_satuan``; only the code and the
price are used, ``satuan`` is compared with the project's unit. Messages are Bahasa Indonesia.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from openpyxl.utils import get_column_letter

from ahsp.formatting import format_money
from ahsp.importers.safe_workbook import WorkbookRejected, not_xlsx_message, open_workbook
from ahsp.models.estimate import MAX_PRICE
from ahsp.parsing import MAX_INTEGER_DIGITS, NumberInputError, parse_decimal

CODE_COLUMNS = ("kode_item", "kode")
PRICE_COLUMN = "harga_satuan"
UNIT_COLUMN = "satuan"
PREFERRED_SHEET = "harga"
MAX_DATA_ROWS = 20_000
MONEY_PLACES = 2
CENT = Decimal("0.01")
# A number typed in Excel arrives as a binary float: 1300.1 is 1300.09999999999990905052982270717620849609375.
# Such a float is read as the cent value it stands for when it lies within this relative distance of it
# (far above float noise, far below a real difference); otherwise more than 2 decimals is an error.
FLOAT_TOLERANCE = Decimal("1e-9")
UNKNOWN_CODE_REASON = "Kode tidak dipakai di proyek ini; baris dilewati (sumber daya tidak dibuat)."


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


@dataclass(frozen=True)
class PriceLine:
    """One non-empty data row: ``price`` parsed, or ``error`` (the reason) when the cell is no valid price."""

    row: int
    code: str
    price_text: str  # the price cell as text, for the report
    price: Decimal | None
    error: str
    unit: str


@dataclass(frozen=True)
class ParsedPrices:
    sheet: str
    code_column: str  # e.g. "A (kode_item)"
    price_column: str
    unit_column: str  # "" without a satuan column
    lines: tuple[PriceLine, ...]
    stopped_at: int | None  # the Excel row beyond MAX_DATA_ROWS where reading stopped, if it did
    failure: str = ""  # why reading stopped early (a hostile or broken file), after ``lines``


@dataclass(frozen=True)
class ResourceKey:
    """What the plan needs of a project resource."""

    id: int
    code: str
    unit: str


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _header(cells: tuple) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, value in enumerate(cells):
        name = cell_text(value).lower().replace(" ", "_")
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
    return _bounded_price(_numeric_price(value))


def _numeric_price(value) -> Decimal:
    """A numeric cell (int, float, Decimal) as whole cents; a float within ``FLOAT_TOLERANCE`` of a cent."""
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
    return cents


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


def upload_name(path_or_file) -> str:
    """The file name the report shows: of the path, or of the uploaded file."""
    if isinstance(path_or_file, str | Path):
        return Path(path_or_file).name
    return Path(getattr(path_or_file, "name", "") or "berkas.xlsx").name


def parse_price_workbook(path_or_file, report: PriceImportReport) -> ParsedPrices | None:
    """The price sheet's lines, or ``None`` with the reason in ``report.errors`` (missing file, not an
    .xlsx, a hostile file, no header with the required columns). Sets ``report.sheet`` and ``rows_read``."""
    if isinstance(path_or_file, str | Path) and not Path(path_or_file).is_file():
        report.errors.append(ImportProblem("", None, "", report.file_name, "Berkas tidak ditemukan."))
        return None
    try:
        # Zip, XML and row limits: ahsp.importers.safe_workbook (a hostile file is one clear error).
        with open_workbook(path_or_file) as workbook:
            sheet, header, rows = _pick_sheet(workbook, report)
            if sheet is None:
                return None
            report.sheet = sheet.title
            return _parse_rows(rows, header, sheet.title, report)
    except (WorkbookRejected, OSError) as exc:
        report.errors.append(ImportProblem(report.sheet, None, "", report.file_name, _failure(exc)))
        return None


def _failure(exc: WorkbookRejected | OSError) -> str:
    return str(exc) if isinstance(exc, WorkbookRejected) else not_xlsx_message()


def _cell(cells: tuple, index: int | None):
    return cells[index] if index is not None and index < len(cells) else None


def _parse_rows(rows, header: dict[str, int], sheet: str, report: PriceImportReport) -> ParsedPrices:
    code_name = next(name for name in CODE_COLUMNS if name in header)
    code_index, price_index = header[code_name], header[PRICE_COLUMN]
    unit_index = header.get(UNIT_COLUMN)
    lines: list[PriceLine] = []
    stopped_at, failure = None, ""
    try:
        for row_number, cells in enumerate(rows, start=2):
            if row_number - 1 > MAX_DATA_ROWS:
                stopped_at = row_number
                break
            line = _parse_line(row_number, tuple(cells or ()), code_index, price_index, unit_index)
            if line is not None:
                report.rows_read += 1
                lines.append(line)
    except (WorkbookRejected, OSError) as exc:  # the rows read so far are still checked and reported
        failure = _failure(exc)
    return ParsedPrices(
        sheet=sheet,
        code_column=_column_label(code_index, code_name),
        price_column=_column_label(price_index, PRICE_COLUMN),
        unit_column="" if unit_index is None else _column_label(unit_index, UNIT_COLUMN),
        lines=tuple(lines),
        stopped_at=stopped_at,
        failure=failure,
    )


def _parse_line(row: int, cells: tuple, code_index: int, price_index: int, unit_index: int | None):
    """The ``PriceLine`` of one data row; ``None`` for an empty row."""
    if all(value is None or (isinstance(value, str) and not value.strip()) for value in cells):
        return None
    raw_price = _cell(cells, price_index)
    try:
        price, error = parse_price_cell(raw_price), ""
    except NumberInputError as exc:
        price, error = None, str(exc)
    code, unit = cell_text(_cell(cells, code_index)), cell_text(_cell(cells, unit_index))
    return PriceLine(row, code, cell_text(raw_price), price, error, unit)


def _lookup(resources: Iterable[ResourceKey]):
    """Code -> resource: exact first, then case-insensitive unless two codes differ only by case."""
    resources = list(resources)
    exact = {r.code.strip(): r for r in resources}
    folded: dict[str, ResourceKey | None] = {}
    for r in resources:
        key = r.code.strip().casefold()
        folded[key] = None if key in folded else r  # None: two codes differ only by case -> exact only
    return lambda code: exact.get(code) or folded.get(code.casefold())


def plan_prices(
    parsed: ParsedPrices, resources: Iterable[ResourceKey], report: PriceImportReport
) -> dict[int, Decimal]:
    """``{resource id: new price}`` of the lines that set one; every problem goes to ``report`` in row
    order (errors block the import, notes do not)."""
    find = _lookup(resources)
    prices: dict[int, Decimal] = {}
    seen: dict[int, tuple[int, Decimal]] = {}  # resource id -> (row, price) of its first row
    for line in parsed.lines:
        resource = _check_line(parsed, line, find, seen, report)
        if resource is not None:
            seen[resource.id] = (line.row, line.price)
            _note_unit(parsed, line, resource, report)
            prices[resource.id] = line.price
    if parsed.stopped_at is not None:
        report.errors.append(
            ImportProblem(
                parsed.sheet,
                parsed.stopped_at,
                "",
                "",
                f"Terlalu banyak baris (paling banyak {MAX_DATA_ROWS}).",
            )
        )
    if parsed.failure:
        report.errors.append(ImportProblem(parsed.sheet, None, "", report.file_name, parsed.failure))
    return prices


def _check_line(parsed: ParsedPrices, line: PriceLine, find, seen, report) -> ResourceKey | None:
    """The resource whose price ``line`` sets, or ``None`` after reporting why it sets none."""
    sheet, row = parsed.sheet, line.row
    if line.error:
        report.errors.append(ImportProblem(sheet, row, parsed.price_column, line.price_text, line.error))
        return None
    if not line.code:
        if line.price is not None:
            reason = "Kode item kosong, padahal harga diisi: harga ini tidak tahu milik sumber daya mana."
            report.errors.append(ImportProblem(sheet, row, parsed.code_column, "", reason))
        return None
    resource = find(line.code)
    if resource is None:
        report.notes.append(ImportProblem(sheet, row, parsed.code_column, line.code, UNKNOWN_CODE_REASON))
        return None
    if line.price is None:
        reason = "Harga kosong; harga di proyek tidak diubah."
        report.notes.append(ImportProblem(sheet, row, parsed.price_column, "", reason))
        return None
    if resource.id in seen:
        first_row, first_price = seen[resource.id]
        if first_price != line.price:
            reason = (
                f"Kode {resource.code} sudah ada di baris {first_row} dengan harga "
                f"{format_money(first_price)}: harga mana yang berlaku tidak jelas."
            )
            report.errors.append(ImportProblem(sheet, row, parsed.price_column, line.price_text, reason))
        return None
    return resource


def _note_unit(parsed: ParsedPrices, line: PriceLine, resource: ResourceKey, report) -> None:
    if line.unit and _normal_unit(line.unit) != _normal_unit(resource.unit):
        report.notes.append(
            ImportProblem(
                parsed.sheet,
                line.row,
                parsed.unit_column,
                line.unit,
                f"Satuan di berkas berbeda dengan satuan di proyek ({resource.unit}); harga diimpor "
                f"sebagai harga per {resource.unit}. Periksa bila berkas memakai satuan beli.",
            )
        )
