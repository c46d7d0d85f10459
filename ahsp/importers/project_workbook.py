"""Read and check a whole-project workbook (.xlsx) before anything is written.

Three steps, so most of the checking is pure and testable without a database:

1. ``parse_workbook(source)``: the file -> ``ParsedWorkbook`` (typed rows + every format problem: missing
   sheets, columns and keys, bad numbers and dates, unknown categories, duplicates). No ORM.
2. ``load_library(parsed)``: the few reference rows the workbook mentions -> ``Library`` (database READS
   only, a fixed number of queries per level of nesting).
3. ``build_plan(parsed, library)``: resolves every code (unknown ``kode_ahsp`` / ``kode_item``, missing names,
   nested cycles) and returns an ``ImportPlan`` for ``ahsp.services.project_import`` to write, or the
   problems. Pure.

``read_project_workbook(source)`` runs the three. Every problem is a ``Problem(sheet, row, column, value,
reason)`` with the reason in Bahasa Indonesia; rows are the worksheet's own numbers, as Excel shows them.

The format (documented for users in the README and in the template's "Petunjuk" sheet):

- ``Proyek``: two columns, key and value (an optional first row ``kunci | nilai``). Keys: see ``PROJECT_KEYS``.
- ``Pekerjaan``: klasifikasi, sub_klasifikasi (optional), kode_ahsp, uraian, satuan, volume, and the
  optional column buk_persen (the item's own BUK %, ``WorkItem.overhead_pct_override``; empty, or the column
  absent as in older workbooks, = the project's BUK).
- ``Harga``: kode_item, uraian, satuan, kategori, harga_satuan.
- ``Analisa`` (optional): kode_ahsp, kode_item, koefisien, and optional uraian, satuan (the name and unit of a
  custom analysis). A code of the reference library listed here is a MODIFIED copy: its lines replace the
  library's components. Any other code is a custom analysis. A row with uraian/satuan and neither kode_item
  nor koefisien only names its analysis (one listed by such rows alone has no components).

``ahsp.exports.project_workbook`` writes a project in this format (the reverse, for a round trip).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from ahsp.calculations.unit_price import AnalysisCycleError, find_cycle
from ahsp.formatting import format_trimmed
from ahsp.importers.safe_workbook import WorkbookRejected, open_workbook
from ahsp.loaders.rab_notes import GOVERNMENT_OVERHEAD_CEILING
from ahsp.models import Project, ReferenceAnalysis, ReferenceComponent, ReferenceResource, ResourceCategory
from ahsp.models.estimate import MAX_COEFFICIENT, MAX_PRICE, MAX_VOLUME
from ahsp.parsing import NumberInputError, parse_decimal

SHEET_PROJECT = "Proyek"
SHEET_WORK = "Pekerjaan"
SHEET_PRICES = "Harga"
SHEET_ANALYSES = "Analisa"

WORK_COLUMNS = ("klasifikasi", "sub_klasifikasi", "kode_ahsp", "uraian", "satuan", "volume", "buk_persen")
WORK_REQUIRED = ("klasifikasi", "kode_ahsp", "uraian", "satuan", "volume")
PRICE_COLUMNS = ("kode_item", "uraian", "satuan", "kategori", "harga_satuan")
ANALYSIS_COLUMNS = ("kode_ahsp", "kode_item", "koefisien", "uraian", "satuan")
ANALYSIS_REQUIRED = ("kode_ahsp", "kode_item", "koefisien")

#: key -> (Project field, kind, value required). Keys with ``required`` False for the VALUE must still be
#: present as a row (the issue's "at least the keys"), except the OPTIONAL_KEYS.
PROJECT_KEYS: dict[str, tuple[str, str, bool]] = {
    "nama": ("name", "text", True),
    "pemilik": ("client", "text", False),
    "lokasi": ("location", "text", False),
    "sumber_dana": ("funding_source", "text", False),
    "tahun_anggaran": ("fiscal_year", "year", False),
    "tanggal_mulai": ("start_date", "date", False),
    "durasi_minggu": ("duration_weeks", "weeks", False),
    "buk_persen": ("overhead_profit_pct", "overhead", True),
    "ppn_persen": ("vat_pct", "vat", True),
    "pembulatan": ("rounding_step", "rounding", True),
    "kontraktor": ("contractor", "text", False),
    "konsultan_perencana": ("planning_consultant", "text", False),
    "konsultan_pengawas": ("supervising_consultant", "text", False),
    "pagu_anggaran": ("budget_ceiling", "money", False),
    "keterangan": ("description", "longtext", False),
    # Optional settings (an old workbook without them gets the model's defaults; "pembulatan" alone means
    # rounding down, as before these keys existed).
    "arah_pembulatan": ("rounding_mode", "rounding_mode", False),
    "pembulatan_hsp": ("hsp_rounding_step", "hsp_rounding", False),
    "penomoran": ("numbering_style", "numbering", False),
    # Optional signature block of printed documents.
    "tempat_tanda_tangan": ("signing_place", "text", False),
    "dibuat_oleh_nama": ("prepared_by_name", "text", False),
    "dibuat_oleh_jabatan": ("prepared_by_title", "text", False),
    "diperiksa_oleh_nama": ("checked_by_name", "text", False),
    "diperiksa_oleh_jabatan": ("checked_by_title", "text", False),
    "disetujui_oleh_nama": ("approved_by_name", "text", False),
    "disetujui_oleh_jabatan": ("approved_by_title", "text", False),
}
OPTIONAL_KEYS = frozenset(
    {
        "kontraktor",
        "konsultan_perencana",
        "konsultan_pengawas",
        "pagu_anggaran",
        "keterangan",
        "arah_pembulatan",
        "pembulatan_hsp",
        "penomoran",
        "tempat_tanda_tangan",
        "dibuat_oleh_nama",
        "dibuat_oleh_jabatan",
        "diperiksa_oleh_nama",
        "diperiksa_oleh_jabatan",
        "disetujui_oleh_nama",
        "disetujui_oleh_jabatan",
    }
)
#: Setting kinds whose empty value leaves the model's default (never None).
SETTING_KINDS = frozenset({"rounding_mode", "hsp_rounding", "numbering"})
#: The word written for each value (by the template's help and the project export); the importer also
#: accepts the model's own values (down, half_up, up; roman, arabic).
ROUNDING_MODE_NAMES = {
    Project.RoundingMode.DOWN: "ke bawah",
    Project.RoundingMode.HALF_UP: "terdekat",
    Project.RoundingMode.UP: "ke atas",
}
NUMBERING_NAMES = {"roman": "romawi", "arabic": "angka"}
ROUNDING_MODE_ALIASES = {
    **{name: str(value) for value, name in ROUNDING_MODE_NAMES.items()},
    **{str(value): str(value) for value in ROUNDING_MODE_NAMES},
}
NUMBERING_ALIASES = {
    **{name: value for value, name in NUMBERING_NAMES.items()},
    **{value: value for value in NUMBERING_NAMES},
    "arab": "arabic",
}
PROJECT_HEADER_WORDS = frozenset({"kunci", "key"})

CATEGORY_ALIASES: dict[str, str] = {
    "tenaga kerja": ResourceCategory.LABOUR,
    "upah": ResourceCategory.LABOUR,
    "labour": ResourceCategory.LABOUR,
    "labor": ResourceCategory.LABOUR,
    "bahan": ResourceCategory.MATERIAL,
    "material": ResourceCategory.MATERIAL,
    "peralatan": ResourceCategory.EQUIPMENT,
    "alat": ResourceCategory.EQUIPMENT,
    "equipment": ResourceCategory.EQUIPMENT,
    "lain-lain": ResourceCategory.OTHER,
    "lain lain": ResourceCategory.OTHER,
    "lainnya": ResourceCategory.OTHER,
    "other": ResourceCategory.OTHER,
}

CODE_MAX = 40
NAME_MAX = 255
UNIT_MAX = 60
MONEY_PLACES = 2
QUANTITY_PLACES = 4
COEFFICIENT_PLACES = 6
PERCENT_PLACES = 2
#: The highest BUK %, of the project and of a work item's own BUK (the Project field's validator). Above
#: the government ceiling (15 %, Permen PUPR 8/2023) the report warns; the import goes ahead.
MAX_OVERHEAD_PCT = Decimal("100")
OVERHEAD_WARNING = "BUK di atas batas 15% untuk pekerjaan pemerintah (Permen PUPR 8/2023); tetap diimpor."
MAX_DATA_ROWS = 100_000  # per sheet: a bound on work and on the size of the report
DEFAULT_UNIT = "ls"  # what copy_reference_analysis uses for a library analysis without a unit

NOT_XLSX = "Berkas bukan buku kerja Excel .xlsx yang sah (file .xls lama atau CSV harus disimpan ulang sebagai .xlsx)."


# --------------------------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Problem:
    """One reason the workbook cannot be imported. ``row`` is None for a whole sheet or a missing key."""

    sheet: str
    row: int | None
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        where = [self.sheet or "Berkas"]
        if self.row is not None:
            where.append(f"baris {self.row}")
        if self.column:
            where.append(f"kolom {self.column}")
        shown = f" (nilai “{self.value}”)" if self.value else ""
        return f"{', '.join(where)}{shown}: {self.reason}"


@dataclass(frozen=True)
class PriceRow:
    row: int
    code: str
    name: str
    unit: str
    category: str
    unit_price: Decimal | None


@dataclass(frozen=True)
class WorkRow:
    row: int
    section: str
    subsection: str
    code: str
    name: str
    unit: str
    volume: Decimal
    overhead_pct: Decimal | None = None  # the item's own BUK % (None = the project's)


@dataclass(frozen=True)
class AnalysisLine:
    row: int
    analysis_code: str
    item_code: str
    coefficient: Decimal


@dataclass(frozen=True)
class AnalysisHeader:
    """The optional uraian/satuan of an Analisa code (the first row that gives each)."""

    name: str = ""
    unit: str = ""
    name_row: int | None = None
    unit_row: int | None = None


@dataclass
class ParsedWorkbook:
    project: dict[str, object] = field(default_factory=dict)  # Project field -> value
    prices: list[PriceRow] = field(default_factory=list)
    works: list[WorkRow] = field(default_factory=list)
    lines: list[AnalysisLine] = field(default_factory=list)
    analysis_headers: dict[str, AnalysisHeader] = field(default_factory=dict)
    first_analysis_row: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # worth a look, not a reason to refuse


@dataclass(frozen=True)
class LibraryAnalysis:
    """A reference analysis (the newest source for its code) and its components as (kind, code, k)."""

    id: int
    code: str
    name: str
    unit: str
    components: tuple[tuple[str, str, Decimal], ...]  # ("resource" | "analysis", code, coefficient)

    @property
    def nested_codes(self) -> list[str]:
        return [code for kind, code, _k in self.components if kind == "analysis"]


@dataclass(frozen=True)
class LibraryResource:
    id: int
    code: str
    name: str
    unit: str
    category: str


@dataclass(frozen=True)
class Library:
    analyses: Mapping[str, LibraryAnalysis] = field(default_factory=dict)
    resources: Mapping[str, LibraryResource] = field(default_factory=dict)


@dataclass(frozen=True)
class PlannedResource:
    code: str
    name: str
    unit: str
    category: str
    unit_price: Decimal | None
    reference_id: int | None


@dataclass(frozen=True)
class PlannedLine:
    position: int
    resource_code: str | None
    nested_code: str | None
    coefficient: Decimal


@dataclass(frozen=True)
class PlannedAnalysis:
    """An analysis defined by the Analisa sheet: custom (no reference) or a modified library copy."""

    code: str
    name: str
    unit: str
    reference_id: int | None
    is_modified: bool
    lines: tuple[PlannedLine, ...]


@dataclass(frozen=True)
class PlannedItem:
    row: int
    section: str
    subsection: str
    analysis_code: str
    name: str
    unit: str
    volume: Decimal
    overhead_pct: Decimal | None = None  # WorkItem.overhead_pct_override (None = the project's BUK)


@dataclass(frozen=True)
class ImportPlan:
    project: dict[str, object]
    resources: tuple[PlannedResource, ...]
    analyses: tuple[PlannedAnalysis, ...]  # from the Analisa sheet
    library_copies: tuple[int, ...]  # ReferenceAnalysis ids to copy (with what they nest)
    items: tuple[PlannedItem, ...]


@dataclass(frozen=True)
class ReadResult:
    plan: ImportPlan | None
    problems: tuple[Problem, ...]
    warnings: tuple[Problem, ...] = ()  # e.g. a BUK above the government ceiling: imported, but shown


# --------------------------------------------------------------------------------------------- cells


def _text(value: object) -> str:
    """A cell as trimmed text; numbers as Excel shows them (``2.0`` -> ``2``), dates as dd/mm/yyyy."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "BENAR" if value else "SALAH"
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(value, ".15g")
    return str(value).strip()


def _number(value: object, *, places: int, allow_negative: bool = False, percent: bool = False) -> Decimal:
    """A numeric cell or a text number (Indonesian or plain, ``ahsp.parsing``); ``NumberInputError``."""
    if isinstance(value, bool) or isinstance(value, (date, datetime)):
        raise NumberInputError(f"“{_text(value)}” bukan angka.", "invalid")
    if isinstance(value, int | float):
        # Excel keeps 15 significant digits: 0.30000000000000004 (=0,1+0,2) is 0,3.
        number = Decimal(value) if isinstance(value, int) else Decimal(format(value, ".15g"))
        if not number.is_finite():
            raise NumberInputError("Nilai bukan angka yang sah.", "invalid")
        if number < 0 and not allow_negative:
            raise NumberInputError("Angka tidak boleh negatif.", "negative")
        exponent = number.normalize().as_tuple().exponent
        if isinstance(exponent, int) and -exponent > places:
            raise NumberInputError(
                "Harus bilangan bulat (tanpa angka desimal)."
                if places == 0
                else f"Paling banyak {places} angka di belakang koma.",
                "places",
            )
        if abs(number) >= Decimal(10) ** 15:
            raise NumberInputError("Angka terlalu besar (paling banyak 15 angka sebelum koma).", "too_large")
        return number
    text = _text(value)
    if percent and text.endswith("%"):
        text = text[:-1]
    # The workbook is an Indonesian template: its text numbers read the Indonesian way in any UI language.
    return parse_decimal(text, max_places=places, allow_negative=allow_negative, language="id")


def _at_most(number: Decimal, limit: Decimal) -> Decimal:
    """The forms' bounds (``ahsp.models.estimate.MAX_*``) for imported volumes, prices, coefficients."""
    if number > limit:
        raise NumberInputError(
            f"Angka terlalu besar (paling besar {format_trimmed(limit, 0, 6)}).", "too_large"
        )
    return number


_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def _date(value: object) -> date:
    """A date cell, or text dd/mm/yyyy or yyyy-mm-dd; ``ValueError`` with an Indonesian message."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(
            "Tanggal tertulis sebagai angka. Format sel sebagai tanggal, atau tulis dd/mm/yyyy "
            "(mis. 02/03/2026) atau yyyy-mm-dd."
        )
    text = _text(value)
    if match := _DMY.match(text):
        day, month, year = (int(part) for part in match.groups())
    elif match := _YMD.match(text):
        year, month, day = (int(part) for part in match.groups())
    else:
        raise ValueError("Tanggal harus ditulis dd/mm/yyyy (mis. 02/03/2026) atau yyyy-mm-dd.")
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError("Tanggal tidak ada di kalender.") from None


def _header_key(value: object) -> str:
    return re.sub(r"[\s\-]+", "_", _text(value).lower())


def rounding_step_from_workbook(step: int) -> int | None:
    """The Project.rounding_step for the workbook's ``pembulatan`` (rupiah), or None if not allowed.

    The values are the model's choices, so ``0`` means "tidak dibulatkan" (no rounding of the grand total,
    ``round_to_step`` with step 0) exactly as in the project form.
    """
    allowed = {value for value, _label in Project.ROUNDING_STEPS}
    return step if step in allowed else None


# --------------------------------------------------------------------------------------------- parsing


def parse_workbook(source) -> ParsedWorkbook:
    """Parse the workbook at ``source`` (a path or a binary file object). Never raises for bad content."""
    if isinstance(source, str) or hasattr(source, "__fspath__"):
        try:
            handle = open(source, "rb")  # closed by the with-block below
        except OSError:
            return ParsedWorkbook(
                problems=[Problem("", None, "", str(source)[-60:], "Berkas tidak dapat dibuka.")]
            )
        with handle:
            return _parse_file(handle)
    return _parse_file(source)


def _parse_file(handle) -> ParsedWorkbook:
    # Zip, XML and row limits (a hostile file is one problem with a clear reason): safe_workbook.
    try:
        with open_workbook(handle) as workbook:
            return _parse_sheets(workbook)
    except WorkbookRejected as exc:
        return ParsedWorkbook(problems=[Problem("", None, "", "", str(exc))])
    except OSError:
        return ParsedWorkbook(problems=[Problem("", None, "", "", NOT_XLSX)])


def _parse_sheets(workbook) -> ParsedWorkbook:
    parsed = ParsedWorkbook()
    sheets = {name.strip().lower(): workbook[name] for name in workbook.sheetnames}
    for name in (SHEET_PROJECT, SHEET_WORK, SHEET_PRICES):
        if name.lower() not in sheets:
            parsed.problems.append(
                Problem(name, None, "", "", f"Sheet “{name}” tidak ada di buku kerja (wajib).")
            )
    if sheet := sheets.get(SHEET_PROJECT.lower()):
        _parse_project(sheet, parsed)
    if sheet := sheets.get(SHEET_PRICES.lower()):
        _parse_prices(sheet, parsed)
    if sheet := sheets.get(SHEET_WORK.lower()):
        _parse_works(sheet, parsed)
    if sheet := sheets.get(SHEET_ANALYSES.lower()):
        _parse_analyses(sheet, parsed)
    return parsed


def _too_many_rows(parsed: ParsedWorkbook, name: str, row: int) -> None:
    limit = f"{MAX_DATA_ROWS:,}".replace(",", ".")
    parsed.problems.append(
        Problem(
            name,
            row,
            "",
            "",
            f"Sheet {name} berisi lebih dari {limit} baris data; baris berikutnya tidak dibaca. "
            "Bagi proyek menjadi beberapa buku kerja.",
        )
    )


def _rows(sheet) -> Iterable[tuple[int, tuple]]:
    for number, cells in enumerate(sheet.rows(), start=1):
        if any(cell is not None and _text(cell) != "" for cell in cells):
            yield number, cells


def _table(
    sheet, name: str, columns: tuple[str, ...], required: tuple[str, ...], parsed: ParsedWorkbook
) -> Iterable[tuple[int, dict[str, object]]]:
    """Data rows of a sheet whose FIRST row holds the column names; missing required columns reported."""
    rows = iter(sheet.rows())
    header_cells = next(rows, None) or ()
    header: dict[str, int] = {}
    for index, cell in enumerate(header_cells):
        key = _header_key(cell)
        if key:
            header.setdefault(key, index)
    missing = [column for column in required if column not in header]
    for column in missing:
        parsed.problems.append(
            Problem(
                name,
                1,
                column,
                "",
                f"Kolom “{column}” tidak ada. Baris 1 sheet {name} harus berisi judul kolom: "
                f"{', '.join(columns)}.",
            )
        )
    if missing:
        return
    count = 0
    for number, cells in enumerate(rows, start=2):
        values = {
            column: cells[header[column]] if column in header and header[column] < len(cells) else None
            for column in columns
        }
        if all(_text(value) == "" for value in values.values()):
            continue  # an empty line carries no data
        count += 1
        if count > MAX_DATA_ROWS:
            _too_many_rows(parsed, name, number)
            return
        yield number, values


def _required_text(
    parsed: ParsedWorkbook, sheet: str, row: int, column: str, value: object, max_length: int | None
) -> str:
    text = _text(value)
    if not text:
        parsed.problems.append(Problem(sheet, row, column, "", f"{column} wajib diisi."))
    elif max_length is not None and len(text) > max_length:
        parsed.problems.append(
            Problem(sheet, row, column, text[:60], f"{column} paling banyak {max_length} karakter.")
        )
    return text


def _optional_text(
    parsed: ParsedWorkbook, sheet: str, row: int, column: str, value: object, max_length: int | None
) -> str:
    text = _text(value)
    if text and max_length is not None and len(text) > max_length:
        parsed.problems.append(
            Problem(sheet, row, column, text[:60], f"{column} paling banyak {max_length} karakter.")
        )
    return text


def _parse_project(sheet, parsed: ParsedWorkbook) -> None:
    seen: dict[str, int] = {}
    count = 0
    for number, cells in _rows(sheet):
        key = _header_key(cells[0] if cells else None)
        value = cells[1] if len(cells) > 1 else None
        if number == 1 and key in PROJECT_HEADER_WORDS:
            continue
        count += 1
        if count > MAX_DATA_ROWS:
            _too_many_rows(parsed, SHEET_PROJECT, number)
            return
        if not key:
            parsed.problems.append(
                Problem(SHEET_PROJECT, number, "kunci", _text(value)[:60], "Kunci (kolom A) kosong.")
            )
            continue
        if key not in PROJECT_KEYS:
            parsed.problems.append(
                Problem(
                    SHEET_PROJECT,
                    number,
                    "kunci",
                    _text(cells[0]),
                    f"Kunci tidak dikenal. Kunci yang dipakai: {', '.join(PROJECT_KEYS)}.",
                )
            )
            continue
        if key in seen:
            parsed.problems.append(
                Problem(
                    SHEET_PROJECT,
                    number,
                    key,
                    _text(value)[:60],
                    f"Kunci {key} sudah ada di baris {seen[key]}.",
                )
            )
            continue
        seen[key] = number
        _project_value(parsed, number, key, value)
    for key, (_field, _kind, required) in PROJECT_KEYS.items():
        if key in seen or key in OPTIONAL_KEYS:
            continue
        reason = f"Kunci {key} tidak ada di sheet Proyek" + (" (wajib diisi)." if required else ".")
        parsed.problems.append(Problem(SHEET_PROJECT, None, key, "", reason))


def _project_value(parsed: ParsedWorkbook, row: int, key: str, value: object) -> None:
    field_name, kind, required = PROJECT_KEYS[key]
    text = _text(value)

    def problem(reason: str, *, warning: bool = False) -> None:
        (parsed.warnings if warning else parsed.problems).append(
            Problem(SHEET_PROJECT, row, key, text[:60], reason)
        )

    if not text:
        _project_empty(parsed, field_name, kind, required, problem, key)
    elif kind == "text":
        max_length = Project._meta.get_field(field_name).max_length or NAME_MAX
        if len(text) > max_length:
            problem(f"{key} paling banyak {max_length} karakter.")
            return
        parsed.project[field_name] = text
    elif kind in {"rounding_mode", "numbering"}:
        _project_choice(parsed, field_name, kind, key, text, problem)
    elif kind == "longtext":
        parsed.project[field_name] = text
    elif kind == "date":
        try:
            parsed.project[field_name] = _date(value)
        except ValueError as exc:
            problem(str(exc))
    else:
        _project_number(parsed, field_name, kind, key, value, problem)


def _project_empty(
    parsed: ParsedWorkbook, field_name: str, kind: str, required: bool, problem, key: str
) -> None:
    """An empty value: a problem when required, else the field's empty value (settings keep the default)."""
    if required:
        problem(f"{key} wajib diisi.")
    elif kind in {"text", "longtext"}:
        parsed.project[field_name] = ""
    elif kind not in SETTING_KINDS:
        parsed.project[field_name] = None


def _project_choice(parsed: ParsedWorkbook, field_name: str, kind: str, key: str, text: str, problem) -> None:
    aliases = ROUNDING_MODE_ALIASES if kind == "rounding_mode" else NUMBERING_ALIASES
    names = ROUNDING_MODE_NAMES if kind == "rounding_mode" else NUMBERING_NAMES
    choice = aliases.get(re.sub(r"\s+", " ", text.lower()))
    if choice is None:
        problem(f"{key} harus salah satu dari: {', '.join(names.values())}.")
        return
    if kind == "rounding_mode":
        parsed.project["rounding_mode"] = choice  # wins over the "pembulatan" default, in any order
    else:
        parsed.project[field_name] = choice


# Each numeric kind: (number, field name, key) -> (the value to store, or the reason it is refused).
def _year(number: Decimal, _field: str, _key: str):
    return (
        (int(number), "") if 1990 <= number <= 2100 else (None, "Tahun anggaran harus antara 1990 dan 2100.")
    )


def _weeks(number: Decimal, _field: str, _key: str):
    return (int(number), "") if 1 <= number <= 520 else (None, "Durasi harus antara 1 dan 520 minggu.")


def _overhead(number: Decimal, _field: str, _key: str):
    if number > MAX_OVERHEAD_PCT:
        return None, "Biaya umum dan keuntungan (BUK) paling tinggi 100%."
    return number, ""


def _vat(number: Decimal, _field: str, _key: str):
    return (number, "") if number <= 100 else (None, "PPN paling tinggi 100%.")


def _rounding(number: Decimal, _field: str, _key: str):
    step = rounding_step_from_workbook(int(number))
    if step is None:
        steps = ", ".join(str(value) for value, _label in Project.ROUNDING_STEPS)
        return None, f"Pembulatan harus salah satu dari: {steps} (0 = tidak dibulatkan)."
    return step, ""


def _hsp_rounding(number: Decimal, field_name: str, key: str):
    allowed = [value for value, _label in Project._meta.get_field(field_name).choices]
    if int(number) not in allowed:
        return None, f"{key} harus salah satu dari: {', '.join(map(str, allowed))} (0 = tidak dibulatkan)."
    return int(number), ""


NUMBER_KINDS = {
    "year": _year,
    "weeks": _weeks,
    "overhead": _overhead,
    "vat": _vat,
    "rounding": _rounding,
    "hsp_rounding": _hsp_rounding,
    "money": lambda number, _field, _key: (number, ""),
}


def _project_number(parsed, field_name: str, kind: str, key: str, value: object, problem) -> None:
    places = {"money": MONEY_PLACES, "overhead": PERCENT_PLACES, "vat": PERCENT_PLACES}.get(kind, 0)
    try:
        number = _number(value, places=places, percent=kind in {"overhead", "vat"})
    except NumberInputError as exc:
        problem(exc.message)
        return
    if kind not in NUMBER_KINDS:
        return
    checked, reason = NUMBER_KINDS[kind](number, field_name, key)
    if reason:
        problem(reason)
        return
    if kind == "overhead" and number > GOVERNMENT_OVERHEAD_CEILING:
        problem(OVERHEAD_WARNING, warning=True)
    parsed.project[field_name] = checked
    if kind == "rounding":
        # "dibulatkan ke bawah", unless the optional arah_pembulatan row says otherwise (before or after).
        parsed.project.setdefault("rounding_mode", Project.RoundingMode.DOWN)


def _parse_prices(sheet, parsed: ParsedWorkbook) -> None:
    seen: dict[str, int] = {}
    for number, values in _table(sheet, SHEET_PRICES, PRICE_COLUMNS, PRICE_COLUMNS[:4], parsed):
        code = _required_text(parsed, SHEET_PRICES, number, "kode_item", values["kode_item"], CODE_MAX)
        name = _required_text(parsed, SHEET_PRICES, number, "uraian", values["uraian"], NAME_MAX)
        unit = _required_text(parsed, SHEET_PRICES, number, "satuan", values["satuan"], UNIT_MAX)
        raw_category = _text(values["kategori"])
        category = CATEGORY_ALIASES.get(re.sub(r"\s+", " ", raw_category.lower()))
        if not raw_category:
            parsed.problems.append(Problem(SHEET_PRICES, number, "kategori", "", "kategori wajib diisi."))
        elif category is None:
            parsed.problems.append(
                Problem(
                    SHEET_PRICES,
                    number,
                    "kategori",
                    raw_category[:60],
                    "Kategori tidak dikenal. Pilih Tenaga Kerja, Bahan, Peralatan, atau Lain-lain.",
                )
            )
        price = None
        if _text(values["harga_satuan"]):
            try:
                price = _at_most(_number(values["harga_satuan"], places=MONEY_PLACES), MAX_PRICE)
            except NumberInputError as exc:
                parsed.problems.append(
                    Problem(
                        SHEET_PRICES, number, "harga_satuan", _text(values["harga_satuan"])[:60], exc.message
                    )
                )
        if code and code in seen:
            parsed.problems.append(
                Problem(
                    SHEET_PRICES, number, "kode_item", code, f"kode_item sudah ada di baris {seen[code]}."
                )
            )
            continue
        if code:
            # Kept even with other problems: its code is defined, so Analisa lines naming it are not
            # reported as unknown too (nothing is written while any problem remains).
            seen[code] = number
            parsed.prices.append(PriceRow(number, code, name, unit, category or "", price))


def _parse_works(sheet, parsed: ParsedWorkbook) -> None:
    for number, values in _table(sheet, SHEET_WORK, WORK_COLUMNS, WORK_REQUIRED, parsed):
        section = _required_text(parsed, SHEET_WORK, number, "klasifikasi", values["klasifikasi"], NAME_MAX)
        subsection = _optional_text(
            parsed, SHEET_WORK, number, "sub_klasifikasi", values["sub_klasifikasi"], NAME_MAX
        )
        code = _required_text(parsed, SHEET_WORK, number, "kode_ahsp", values["kode_ahsp"], CODE_MAX)
        name = _text(values["uraian"])
        unit = _optional_text(parsed, SHEET_WORK, number, "satuan", values["satuan"], UNIT_MAX)
        volume = Decimal(0)
        if not _text(values["volume"]):
            parsed.problems.append(Problem(SHEET_WORK, number, "volume", "", "volume wajib diisi."))
        else:
            try:
                volume = _at_most(_number(values["volume"], places=QUANTITY_PLACES), MAX_VOLUME)
            except NumberInputError as exc:
                reason = "Volume tidak boleh negatif." if exc.code == "negative" else exc.message
                parsed.problems.append(
                    Problem(SHEET_WORK, number, "volume", _text(values["volume"])[:60], reason)
                )
        overhead = _work_overhead(parsed, number, values["buk_persen"])
        if code:  # kept even with other problems, so its kode_ahsp is checked too
            parsed.works.append(WorkRow(number, section, subsection, code, name, unit, volume, overhead))


def _work_overhead(parsed: ParsedWorkbook, row: int, value: object) -> Decimal | None:
    """The optional buk_persen of a Pekerjaan row: None (empty cell or no such column) = the project's BUK;
    otherwise 0..100 % with at most 2 decimals, like the project's buk_persen (a warning above 15 %)."""
    text = _text(value)
    if not text:
        return None
    try:
        number = _number(value, places=PERCENT_PLACES, percent=True)
    except NumberInputError as exc:
        reason = "BUK pekerjaan tidak boleh negatif." if exc.code == "negative" else exc.message
        parsed.problems.append(Problem(SHEET_WORK, row, "buk_persen", text[:60], reason))
        return None
    if number > MAX_OVERHEAD_PCT:
        parsed.problems.append(
            Problem(
                SHEET_WORK,
                row,
                "buk_persen",
                text[:60],
                "BUK pekerjaan harus antara 0 dan 100%. Kosongkan untuk memakai BUK proyek.",
            )
        )
        return None
    if number > GOVERNMENT_OVERHEAD_CEILING:
        parsed.warnings.append(Problem(SHEET_WORK, row, "buk_persen", text[:60], OVERHEAD_WARNING))
    return number


def _parse_analyses(sheet, parsed: ParsedWorkbook) -> None:
    seen: dict[tuple[str, str], int] = {}
    headers: dict[str, AnalysisHeader] = {}
    for number, values in _table(sheet, SHEET_ANALYSES, ANALYSIS_COLUMNS, ANALYSIS_REQUIRED, parsed):
        code = _required_text(parsed, SHEET_ANALYSES, number, "kode_ahsp", values["kode_ahsp"], CODE_MAX)
        name = _text(values["uraian"])
        unit = _optional_text(parsed, SHEET_ANALYSES, number, "satuan", values["satuan"], UNIT_MAX)
        # A row with uraian/satuan but neither kode_item nor koefisien only names the analysis: an analysis
        # listed by such rows alone has no components (the project export writes empty analyses so).
        header_only = (name or unit) and not _text(values["kode_item"]) and not _text(values["koefisien"])
        item = (
            ""
            if header_only
            else _required_text(parsed, SHEET_ANALYSES, number, "kode_item", values["kode_item"], CODE_MAX)
        )
        coefficient = Decimal(0) if header_only else _line_coefficient(parsed, number, values["koefisien"])
        if code:
            parsed.first_analysis_row.setdefault(code, number)
            headers[code] = _merged_header(
                parsed, headers.get(code, AnalysisHeader()), code, name, unit, number
            )
        if code and item and (code, item) in seen:
            parsed.problems.append(
                Problem(
                    SHEET_ANALYSES,
                    number,
                    "kode_item",
                    item,
                    f"kode_item {item} sudah tercantum untuk kode_ahsp {code} di baris {seen[(code, item)]}; "
                    "gabungkan koefisiennya dalam satu baris.",
                )
            )
            continue
        if code and item:  # kept even with other problems, so its kode_item is checked too
            seen[(code, item)] = number
            parsed.lines.append(AnalysisLine(number, code, item, coefficient))
    parsed.analysis_headers = headers


def _line_coefficient(parsed: ParsedWorkbook, number: int, value: object) -> Decimal:
    """The koefisien of an Analisa line (0 after reporting a missing or invalid one)."""
    if not _text(value):
        parsed.problems.append(Problem(SHEET_ANALYSES, number, "koefisien", "", "koefisien wajib diisi."))
        return Decimal(0)
    try:
        return _at_most(_number(value, places=COEFFICIENT_PLACES), MAX_COEFFICIENT)
    except NumberInputError as exc:
        reason = "Koefisien tidak boleh negatif." if exc.code == "negative" else exc.message
        parsed.problems.append(Problem(SHEET_ANALYSES, number, "koefisien", _text(value)[:60], reason))
        return Decimal(0)


def _merged_header(
    parsed: ParsedWorkbook, header: AnalysisHeader, code: str, name: str, unit: str, number: int
) -> AnalysisHeader:
    """The analysis's name and unit with this row's; a row that names it differently is a problem."""
    for column, given, current, current_row in (
        ("uraian", name, header.name, header.name_row),
        ("satuan", unit, header.unit, header.unit_row),
    ):
        if given and current and given != current:
            parsed.problems.append(
                Problem(
                    SHEET_ANALYSES,
                    number,
                    column,
                    given[:60],
                    f"{column} untuk kode_ahsp {code} berbeda dengan baris {current_row} "
                    f"(“{current[:60]}”). Isi sekali saja atau samakan.",
                )
            )
    return AnalysisHeader(
        name=header.name or name,
        unit=header.unit or unit,
        name_row=header.name_row or (number if name else None),
        unit_row=header.unit_row or (number if unit else None),
    )


# --------------------------------------------------------------------------------------------- library


def load_library(parsed: ParsedWorkbook) -> Library:
    """The reference rows the workbook can refer to: database reads only.

    Analyses: for every code the workbook names (kode_ahsp anywhere, and Analisa's kode_item), the newest
    source (``order_by("-source")``); then, level by level, the analyses they nest (one query per level).
    Resources: the reference resources with the Harga and Analisa item codes.
    """
    analysis_codes = {w.code for w in parsed.works} | {line.analysis_code for line in parsed.lines}
    item_codes = {line.item_code for line in parsed.lines}
    price_codes = {p.code for p in parsed.prices}
    overridden = {line.analysis_code for line in parsed.lines}

    analyses: dict[str, LibraryAnalysis] = {}
    wanted = sorted(analysis_codes | (item_codes - price_codes))
    frontier: list[ReferenceAnalysis] = []
    for ref in (
        ReferenceAnalysis.objects.filter(code__in=wanted)
        .order_by("code", "-source")
        .only("id", "code", "name", "unit")
    ):
        if not frontier or frontier[-1].code != ref.code:
            frontier.append(ref)  # the newest source of each code
    while frontier:
        rows = list(
            ReferenceComponent.objects.filter(analysis_id__in=[r.pk for r in frontier])
            .order_by("analysis_id", "position", "id")
            .values_list(
                "analysis_id", "resource__code", "nested_analysis__code", "nested_analysis_id", "coefficient"
            )
        )
        components: dict[int, list[tuple[str, str, Decimal]]] = {}
        for analysis_id, resource_code, nested_code, nested_id, coefficient in rows:
            kind, code = ("analysis", nested_code) if nested_id is not None else ("resource", resource_code)
            components.setdefault(analysis_id, []).append((kind, code, coefficient))
        for ref in frontier:
            analyses[ref.code] = LibraryAnalysis(
                ref.pk, ref.code, ref.name, ref.unit or DEFAULT_UNIT, tuple(components.get(ref.pk, ()))
            )
        codes_by_id = {ref.pk: ref.code for ref in frontier}
        next_ids: dict[str, int] = {}
        for analysis_id, _resource, nested_code, nested_id, _k in rows:
            if nested_id is None or codes_by_id[analysis_id] in overridden:
                continue  # a redefined analysis's library components are replaced: not needed
            if nested_code not in analyses:
                next_ids.setdefault(nested_code, nested_id)  # the exact row the library points to
        frontier = (
            list(
                ReferenceAnalysis.objects.filter(pk__in=list(next_ids.values())).only(
                    "id", "code", "name", "unit"
                )
            )
            if next_ids
            else []
        )

    resources = {
        r.code: LibraryResource(r.pk, r.code, r.name, r.unit, r.category)
        for r in ReferenceResource.objects.filter(code__in=sorted(item_codes | price_codes))
    }
    return Library(analyses=analyses, resources=resources)


# --------------------------------------------------------------------------------------------- plan


SHEET_ORDER = {
    name: index for index, name in enumerate(("", SHEET_PROJECT, SHEET_WORK, SHEET_PRICES, SHEET_ANALYSES))
}


def sorted_problems(problems: Iterable[Problem]) -> tuple[Problem, ...]:
    """In the order a user fixes them: by sheet (as in the template), then row (whole-sheet ones first);
    the order found is kept within a row."""
    return tuple(sorted(problems, key=lambda p: (SHEET_ORDER.get(p.sheet, 9), p.row or 0)))


def _signature(pairs: Iterable[tuple[str, str, Decimal]]) -> list[tuple[str, str, str]]:
    return sorted((kind, code, str(k.normalize())) for kind, code, k in pairs)


def build_plan(parsed: ParsedWorkbook, library: Library) -> ReadResult:
    """Resolve every code against the workbook and the library; the plan, or every problem."""
    problems = list(parsed.problems)
    lines_by_code: dict[str, list[AnalysisLine]] = {}
    for line in parsed.lines:
        lines_by_code.setdefault(line.analysis_code, []).append(line)
    own_codes = set(lines_by_code) | set(parsed.first_analysis_row)
    resolved, extra_resources, library_needed = _resolve_items(parsed, library, own_codes, problems)
    first_work_row = _resolve_works(parsed, library, own_codes, library_needed, problems)
    own_names = _own_names(parsed, library, own_codes, first_work_row, problems)
    problems.extend(_cycles(parsed.lines, resolved, library, own_codes))
    if problems:
        return ReadResult(None, sorted_problems(problems), sorted_problems(parsed.warnings))

    resources = [
        PlannedResource(
            p.code,
            p.name,
            p.unit,
            p.category,
            p.unit_price,
            library.resources[p.code].id if p.code in library.resources else None,
        )
        for p in parsed.prices
    ] + [
        PlannedResource(r.code, r.name, r.unit, r.category, None, r.id)
        for r in sorted(extra_resources.values(), key=lambda r: r.code)
    ]
    analyses = [
        _planned_analysis(code, lines_by_code.get(code, []), resolved, library, own_names[code])
        for code in sorted(own_codes, key=lambda c: parsed.first_analysis_row[c])
    ]
    items = tuple(
        PlannedItem(w.row, w.section, w.subsection, w.code, w.name, w.unit, w.volume, w.overhead_pct)
        for w in parsed.works
    )
    copies = tuple(library.analyses[code].id for code in sorted(library_needed - own_codes))
    plan = ImportPlan(dict(parsed.project), tuple(resources), tuple(analyses), copies, items)
    return ReadResult(plan, (), sorted_problems(parsed.warnings))


def _resolve_items(parsed: ParsedWorkbook, library: Library, own_codes: set[str], problems: list[Problem]):
    """kode_item of the Analisa sheet: Harga > an Analisa code > a reference resource > a library analysis.

    Returns (line row -> ("resource" | "analysis", code), the reference resources used, the library
    analyses needed); an unknown code is a problem."""
    prices = {p.code for p in parsed.prices}
    resolved: dict[int, tuple[str, str]] = {}
    extra_resources: dict[str, LibraryResource] = {}
    library_needed: set[str] = set()
    for line in parsed.lines:
        code = line.item_code
        if code in prices:
            resolved[line.row] = ("resource", code)
        elif code in own_codes:
            resolved[line.row] = ("analysis", code)
        elif code in library.resources:
            resolved[line.row] = ("resource", code)
            extra_resources[code] = library.resources[code]
        elif code in library.analyses:
            resolved[line.row] = ("analysis", code)
            library_needed.add(code)
        else:
            problems.append(
                Problem(
                    SHEET_ANALYSES,
                    line.row,
                    "kode_item",
                    code,
                    "kode_item tidak ditemukan: tidak ada di sheet Harga, di pustaka sumber daya referensi, "
                    "maupun sebagai kode_ahsp (sheet Analisa atau pustaka AHSP referensi).",
                )
            )
    return resolved, extra_resources, library_needed


def _resolve_works(
    parsed: ParsedWorkbook, library: Library, own_codes: set[str], library_needed: set[str], problems
) -> dict[str, WorkRow]:
    """kode_ahsp of the Pekerjaan sheet: an Analisa code, else the library (added to ``library_needed``).
    Returns the first work row of each Analisa code."""
    first_work_row: dict[str, WorkRow] = {}
    for work in parsed.works:
        if work.code in own_codes:
            first_work_row.setdefault(work.code, work)
        elif work.code in library.analyses:
            library_needed.add(work.code)
        else:
            problems.append(
                Problem(
                    SHEET_WORK,
                    work.row,
                    "kode_ahsp",
                    work.code,
                    "kode_ahsp tidak ditemukan di pustaka AHSP referensi maupun di sheet Analisa.",
                )
            )
    return first_work_row


def _own_names(
    parsed: ParsedWorkbook,
    library: Library,
    own_codes: set[str],
    first_work_row: dict[str, WorkRow],
    problems,
) -> dict[str, tuple[str, str]]:
    """Name and unit of each Analisa code: the sheet's, else the library's, else its first work row's."""
    own_names: dict[str, tuple[str, str]] = {}
    for code in own_codes:
        header = parsed.analysis_headers.get(code, AnalysisHeader())
        reference = library.analyses.get(code)
        work = first_work_row.get(code)
        name = header.name or (reference.name if reference else "") or (work.name if work else "")
        unit = header.unit or (reference.unit if reference else "") or (work.unit if work else "")
        for column, value in (("uraian", name), ("satuan", unit)):
            if value:
                continue
            sheet, row = (SHEET_WORK, work.row) if work else (SHEET_ANALYSES, parsed.first_analysis_row[code])
            problems.append(
                Problem(
                    sheet,
                    row,
                    column,
                    "",
                    f"{column} wajib diisi untuk analisa khusus {code} (kodenya tidak ada di pustaka "
                    "referensi): isi di sheet Pekerjaan atau di kolom "
                    f"{column} sheet Analisa.",
                )
            )
        own_names[code] = (name, unit)
    return own_names


def _planned_analysis(
    code: str,
    lines: list[AnalysisLine],
    resolved: Mapping[int, tuple[str, str]],
    library: Library,
    name_unit: tuple[str, str],
) -> PlannedAnalysis:
    targets = [(*resolved[line.row], line.coefficient) for line in lines]
    planned = tuple(
        PlannedLine(
            position,
            target if kind == "resource" else None,
            target if kind == "analysis" else None,
            coefficient,
        )
        for position, (kind, target, coefficient) in enumerate(targets, start=1)
    )
    reference = library.analyses.get(code)
    # A library code listed in Analisa is "modified" only if its lines differ from the library's.
    is_modified = reference is not None and _signature(targets) != _signature(reference.components)
    name, unit = name_unit
    return PlannedAnalysis(code, name, unit, reference.id if reference else None, is_modified, planned)


def _cycles(
    lines: list[AnalysisLine],
    resolved: Mapping[int, tuple[str, str]],
    library: Library,
    own_codes: set[str],
) -> list[Problem]:
    """Nested references that close a loop, reported on the Analisa line that closes it.

    The graph is over analysis codes (the project matches analyses by code): the library's own nesting
    for codes the Analisa sheet does not redefine, then the sheet's nested lines one by one, each checked
    with ``find_cycle`` before it is added.
    """
    edges: dict[str, set[str]] = {}
    for code, info in library.analyses.items():
        if code not in own_codes:
            edges[code] = set(info.nested_codes)
    problems = []
    for line in lines:
        kind, target = resolved.get(line.row, ("", ""))
        if kind != "analysis":
            continue
        cycle = find_cycle(edges, line.analysis_code, target)
        if cycle is not None:
            problems.append(
                Problem(SHEET_ANALYSES, line.row, "kode_item", target, str(AnalysisCycleError(cycle)))
            )
            continue
        edges.setdefault(line.analysis_code, set()).add(target)
    return problems


def read_project_workbook(source) -> ReadResult:
    """Parse, load the library rows it mentions, and plan: the plan, or every problem found."""
    parsed = parse_workbook(source)
    if any(p.sheet == "" for p in parsed.problems):
        return ReadResult(None, sorted_problems(parsed.problems))  # not a readable workbook at all
    return build_plan(parsed, load_library(parsed))
