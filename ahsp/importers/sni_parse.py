"""Rows of the SNI AHSP workbook in, a clean reference library and its review report out.

Pure: no ORM and no file access (`workbook_reader` reads, `ahsp.services.reference_library` writes). Every decision
that changes, drops or doubts a value adds a `ReviewRow`; row numbers are the worksheet's own (Excel)
row numbers, so every line of the report can be found in the file. The rules:

- one analysis per `kode_ahsp` (its rows need not be contiguous); when a code carries several names
  the most frequent (cleaned) one wins, ties to the first in the file; the others are "resolved";
- the work item's unit is read from its name (`sni_values.unit_from_name`); none -> unit blank,
  analysis suspicious, "flagged";
- integer coefficients >= 1000 lost their decimal comma: divided by 1000, flagged, "repaired"; any
  other coefficient >= 1000 (written with decimals, e.g. `1009.0` kg gravel) is kept and flagged;
- text is repaired with ftfy and whitespace collapsed, units spelled one way; one "repaired" line per
  distinct original value and column, listing every row it occurs in;
- exact duplicate lines of one analysis are merged (kept once, not summed), "merged"; the same
  resource left several times in one analysis with different values is kept and flagged;
- rows without item code and category refer to other work by name (nested analyses, see
  `sni_nested`), unless the analysis's uncoded rows look like a pasted worksheet: when any of them
  has no unit, or a unit that is no unit, all of them are "rejected";
- one resource per `kode_item_lookup`: the most frequent name/unit/category wins; others "resolved";
  the category comes from `kategori`, else from the code prefix (TK., B., PR.).
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from ahsp.importers.review import (
    FLAGGED,
    MERGED,
    REJECTED,
    REPAIRED,
    RESOLVED,
    SUSPICIOUS_ACTIONS,
    WHOLE_ROW,
    ReviewRow,
    format_row_numbers,
)
from ahsp.importers.sni_nested import (
    AMBIGUOUS,
    EXACT,
    PLACEHOLDER,
    Candidate,
    NestedResolver,
    Reference,
    code_order,
)
from ahsp.importers.sni_values import (
    CODE_MAX_LENGTH,
    LARGE_COEFFICIENT,
    RESOURCE_NAME_MAX_LENGTH,
    Coefficient,
    CoefficientError,
    Unit,
    clean_text,
    fit,
    match_key,
    normalise_unit,
    parse_coefficient,
    repair_lost_decimal_comma,
    unit_from_name,
)

# The values of ahsp.models.ResourceCategory (plain strings: this layer does not import the ORM).
LABOUR, MATERIAL, EQUIPMENT, OTHER = "labour", "material", "equipment", "other"
CATEGORY_BY_LABEL = {
    "tenaga kerja": LABOUR,
    "upah": LABOUR,
    "bahan": MATERIAL,
    "material": MATERIAL,
    "peralatan": EQUIPMENT,
    "alat": EQUIPMENT,
    "lain-lain": OTHER,
    "lainnya": OTHER,
}
CATEGORY_BY_PREFIX = {"TK": LABOUR, "B": MATERIAL, "PR": EQUIPMENT, "ALT": EQUIPMENT}
FLAG_REASON_MAX_LENGTH = 255
COLUMN_ORDER = ("kode_ahsp", "nama_ahsp", "kode_item_lookup", "kategori", "item", "satuan", "koefisien")


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One data row of the workbook: raw cell values as read (cached values of formulas)."""

    row: int
    kode_ahsp: object
    nama_ahsp: object
    kode_item_lookup: object
    kategori: object
    item: object
    satuan: object
    koefisien: object


@dataclass
class ResourceData:
    code: str
    name: str
    unit: str
    category: str


@dataclass
class ComponentData:
    source_row: int
    resource_code: str | None
    nested_code: str | None
    unit: str
    coefficient: Decimal
    raw_coefficient: str
    flags: list[str] = field(default_factory=list)
    position: int = 0
    repaired: bool = False

    @property
    def is_flagged(self) -> bool:
        return bool(self.flags)

    @property
    def flag_reason(self) -> str:
        return fit("; ".join(self.flags), FLAG_REASON_MAX_LENGTH)


@dataclass
class AnalysisData:
    code: str
    name: str
    unit: str
    unit_from_name: bool
    first_row: int
    components: list[ComponentData] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    is_suspicious: bool = False
    is_placeholder: bool = False


@dataclass
class ParsedLibrary:
    resources: dict[str, ResourceData]
    analyses: dict[str, AnalysisData]  # file order, placeholders last
    review_rows: list[ReviewRow]

    @property
    def component_count(self) -> int:
        return sum(len(a.components) for a in self.analyses.values())

    @property
    def nested_count(self) -> int:
        return sum(1 for a in self.analyses.values() for c in a.components if c.nested_code)

    @property
    def suspicious_count(self) -> int:
        """Values repaired or flagged (review lines with those actions)."""
        return sum(1 for r in self.review_rows if r.action in SUSPICIOUS_ACTIONS)


@dataclass
class _Line:
    """A row on its way to becoming a component."""

    row: int
    analysis: str
    resource_code: str | None  # None: a reference to other work by name
    item_raw: object
    item: str
    kategori: str
    satuan_raw: object
    unit: Unit
    coefficient: Coefficient
    value: Decimal
    repaired: bool
    flags: list[str] = field(default_factory=list)
    nested_code: str | None = None


def _text_of(value: object) -> str:
    return "" if value is None else str(value)


def _number(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def parse_library(rows: Iterable[SourceRow]) -> ParsedLibrary:
    parser = _Parser()
    for row in rows:
        parser.add(row)
    return parser.finish()


class _Parser:
    def __init__(self) -> None:
        self.review: list[ReviewRow] = []
        self.lines: dict[str, list[_Line]] = {}  # analysis code -> lines, in file order
        self.names: dict[str, dict[str, list[int]]] = {}  # analysis code -> raw name -> rows
        self.text_coefficients: list[int] = []

    def _report(self, row: int, column: str, value: object, action: str, reason: str) -> None:
        self.review.append(ReviewRow(row, column, _text_of(value), action, reason))

    # ---------------------------------------------------------------------------------- rows in

    def add(self, source: SourceRow) -> None:
        row = source.row
        code = clean_text(source.kode_ahsp).text
        if not code or len(code) > CODE_MAX_LENGTH:
            problem = "kosong" if not code else f"lebih dari {CODE_MAX_LENGTH} karakter"
            self._report(
                row, "kode_ahsp", source.kode_ahsp, REJECTED, f"kode AHSP {problem}; baris tidak diimpor"
            )
            return
        if not isinstance(source.kode_ahsp, str):
            reason = f"kode AHSP tersimpan sebagai angka, dibaca '{code}' (mis. 2.10 menjadi 2.1); periksa"
            self._report(row, "kode_ahsp", source.kode_ahsp, FLAGGED, reason)
        self.names.setdefault(code, {}).setdefault(_text_of(source.nama_ahsp), []).append(row)
        self.lines.setdefault(code, [])
        try:
            coefficient = parse_coefficient(source.koefisien)
        except CoefficientError as exc:
            self._report(row, "koefisien", source.koefisien, REJECTED, f"{exc}; baris tidak diimpor")
            return
        item_code = clean_text(source.kode_item_lookup).text
        kategori = clean_text(source.kategori).text
        if not item_code and kategori:
            reason = f"kode item kosong padahal kategori '{kategori}'; baris tidak diimpor"
            self._report(row, "kode_item_lookup", "", REJECTED, reason)
            return
        if len(item_code) > CODE_MAX_LENGTH:
            reason = f"kode item lebih dari {CODE_MAX_LENGTH} karakter; baris tidak diimpor"
            self._report(row, "kode_item_lookup", item_code, REJECTED, reason)
            return
        if coefficient.kind == "text":
            self.text_coefficients.append(row)
        repaired = repair_lost_decimal_comma(coefficient)
        value = coefficient.value if repaired is None else repaired
        flags = []
        if repaired is not None:
            flags.append(f"koma desimal hilang: {coefficient.raw} dibaca {_number(repaired)} (dibagi 1000)")
        elif value >= LARGE_COEFFICIENT:
            flags.append(
                f"koefisien >= 1000 ({coefficient.raw}) tertulis dengan desimal, tidak diubah; periksa"
            )
        elif value == 0:
            flags.append("koefisien nol; periksa")
        self.lines[code].append(
            _Line(
                row=row,
                analysis=code,
                resource_code=item_code or None,
                item_raw=source.item,
                item=clean_text(source.item).text,
                kategori=kategori,
                satuan_raw=source.satuan,
                unit=normalise_unit(source.satuan),
                coefficient=coefficient,
                value=value,
                repaired=repaired is not None,
                flags=flags,
            )
        )

    # ------------------------------------------------------------------------------ library out

    def finish(self) -> ParsedLibrary:
        analyses = {code: self._analysis(code) for code in self.lines}
        for code, analysis in analyses.items():
            lines = self._drop_worksheet_lines(analysis, self.lines[code])
            lines = self._merge_duplicates(lines)
            self._flag_repeated_resources(lines)
            self.lines[code] = lines
        resources = self._resources()
        self._flag_implausible_units()
        placeholders = self._resolve_references(analyses)
        self._report_coefficients()
        self._report_text_fixes()
        for code, analysis in analyses.items():
            analysis.components = [
                self._component(position, line) for position, line in enumerate(self.lines[code], 1)
            ]
        analyses.update((p.code, p) for p in placeholders)
        for analysis in analyses.values():
            self._conclude(analysis)
        order = {name: index for index, name in enumerate(COLUMN_ORDER)}
        self.review.sort(key=lambda r: (r.row, order.get(r.column, len(order)), r.action))
        return ParsedLibrary(resources=resources, analyses=analyses, review_rows=self.review)

    def _analysis(self, code: str) -> AnalysisData:
        raw_names = self.names[code]
        variants: dict[str, list[int]] = {}  # cleaned name -> rows
        for raw, rows in raw_names.items():
            variants.setdefault(clean_text(raw).text, []).extend(rows)
        for rows in variants.values():
            rows.sort()
        first_row = min(rows[0] for rows in variants.values())
        name = min(variants, key=lambda n: (-len(variants[n]), variants[n][0]))  # most rows, then first
        analysis = AnalysisData(code=code, name=name, unit="", unit_from_name=False, first_row=first_row)
        if len(variants) > 1:
            for other, rows in variants.items():
                if other != name:
                    reason = (
                        f"kode {code} memakai {len(variants)} nama; dipakai yang paling sering "
                        f"({len(variants[name])} baris): '{name}'; "
                        f"nama ini ada di baris {format_row_numbers(rows)}"
                    )
                    self._report(rows[0], "nama_ahsp", other, RESOLVED, reason)
            analysis.is_suspicious = True
            analysis.notes.append(
                f"Kode ini memakai {len(variants)} nama di berkas; dipakai yang paling sering."
            )
        if not name:
            self._report(first_row, "nama_ahsp", "", FLAGGED, f"nama AHSP {code} kosong")
        if unit := unit_from_name(name):
            analysis.unit, analysis.unit_from_name = unit, True
        else:
            analysis.is_suspicious = True
            analysis.notes.append("Satuan pekerjaan tidak tertulis di uraian; satuan dikosongkan.")
            reason = (
                f"satuan pekerjaan {code} tidak ditemukan di uraian; satuan dikosongkan, analisa ditandai"
            )
            self._report(first_row, "nama_ahsp", name, FLAGGED, reason)
        return analysis

    def _drop_worksheet_lines(self, analysis: AnalysisData, lines: list[_Line]) -> list[_Line]:
        uncoded = [line for line in lines if line.resource_code is None]
        if not any(not line.unit.value or line.unit.implausible for line in uncoded):
            return lines
        for line in uncoded:
            reason = (
                f"baris tanpa kode item dan kategori di analisa {analysis.code} adalah lembar hitungan biaya "
                "yang tertempel (ada baris tanpa satuan), bukan koefisien; ditolak"
            )
            self._report(line.row, WHOLE_ROW, f"{line.item} = {line.coefficient.raw}", REJECTED, reason)
            if line.unit.implausible:
                reason = (
                    f"{'; '.join(line.unit.reasons)}: gabungan beberapa satuan, bukan satuan; "
                    "ditolak bersama baris lembar hitungan"
                )
                self._report(line.row, "satuan", line.satuan_raw, REJECTED, reason)
        analysis.is_suspicious = True
        analysis.notes.append(f"{len(uncoded)} baris lembar hitungan biaya (tanpa kode item) ditolak.")
        return [line for line in lines if line.resource_code is not None]

    def _merge_duplicates(self, lines: list[_Line]) -> list[_Line]:
        kept: dict[tuple, _Line] = {}
        for line in lines:
            target = line.resource_code or ("ref", match_key(line.item))
            key = (target, line.unit.value, line.value, line.repaired)
            if first := kept.get(key):
                value = f"{line.resource_code or ''} {line.item} {line.unit.value} {line.coefficient.raw}"
                reason = (
                    f"duplikat persis dari baris {first.row} di analisa {line.analysis}; "
                    "digabung (dipakai sekali, koefisien tidak dijumlahkan)"
                )
                self._report(line.row, WHOLE_ROW, value.strip(), MERGED, reason)
            else:
                kept[key] = line
        return list(kept.values())

    def _flag_repeated_resources(self, lines: list[_Line]) -> None:
        by_resource = defaultdict(list)
        for line in lines:
            if line.resource_code:
                by_resource[line.resource_code].append(line)
        for code, group in by_resource.items():
            if len(group) < 2:
                continue
            rows = format_row_numbers(line.row for line in group)
            for line in group:
                line.flags.append(f"{code} muncul {len(group)} kali dengan nilai berbeda; periksa")
                reason = (
                    f"{code} muncul {len(group)} kali di analisa {line.analysis} dengan nilai berbeda "
                    f"(baris {rows}); periksa apakah analisa ini gabungan dua analisa"
                )
                self._report(line.row, "koefisien", line.coefficient.raw, FLAGGED, reason)

    def _flag_implausible_units(self) -> None:
        for lines in self.lines.values():
            for line in lines:
                if line.unit.implausible:
                    line.flags.append("satuan tidak wajar")
                    reason = f"{'; '.join(line.unit.reasons)}; disimpan '{line.unit.value}' dan ditandai"
                    self._report(line.row, "satuan", line.satuan_raw, FLAGGED, reason)

    # -------------------------------------------------------------------------------- resources

    def _category(self, line: _Line) -> str:
        prefix = (line.resource_code or "").split(".")[0].upper()
        by_prefix = CATEGORY_BY_PREFIX.get(prefix)
        by_label = CATEGORY_BY_LABEL.get(line.kategori.lower())
        if by_label and by_prefix and by_label != by_prefix:
            reason = (
                f"kategori '{line.kategori}' tidak sesuai awalan kode {line.resource_code}; dipakai kolom"
            )
            self._report(line.row, "kategori", line.kategori, FLAGGED, reason)
        if by_label:
            return by_label
        if by_prefix:
            problem = f"'{line.kategori}' tidak dikenal" if line.kategori else "kosong"
            reason = f"kategori {problem}; diambil dari awalan kode {prefix}."
            self._report(line.row, "kategori", line.kategori, RESOLVED, reason)
            return by_prefix
        reason = f"kategori dan awalan kode {line.resource_code} tidak dikenal; dipakai Lain-lain"
        self._report(line.row, "kategori", line.kategori, FLAGGED, reason)
        return OTHER

    def _resources(self) -> dict[str, ResourceData]:
        by_code: dict[str, list[_Line]] = {}
        for lines in self.lines.values():
            for line in lines:
                if line.resource_code:
                    by_code.setdefault(line.resource_code, []).append(line)
        resources = {}
        for code, lines in by_code.items():
            lines.sort(key=lambda line: line.row)
            name = self._majority(code, "item", "nama", [(line.row, line.item) for line in lines])
            unit = self._majority(code, "satuan", "satuan", [(line.row, line.unit.value) for line in lines])
            categories = [(line.row, self._category(line)) for line in lines]
            category = self._majority(code, "kategori", "kategori", categories)
            fitted = fit(name, RESOURCE_NAME_MAX_LENGTH)
            if fitted != name:
                reason = f"nama sumber daya {code} lebih dari {RESOURCE_NAME_MAX_LENGTH} karakter; dipotong"
                self._report(lines[0].row, "item", name, REPAIRED, reason)
            resources[code] = ResourceData(code=code, name=fitted, unit=unit, category=category)
        return resources

    def _majority(self, code: str, column: str, label: str, values: list[tuple[int, str]]) -> str:
        counts = Counter(value for _, value in values)
        first_seen: dict[str, int] = {}
        for row, value in values:
            first_seen.setdefault(value, row)
        chosen = min(counts, key=lambda value: (-counts[value], first_seen[value]))
        if len(counts) > 1:
            reason = (
                f"kode {code} memakai {len(counts)} {label} berbeda; untuk sumber daya dipakai yang paling "
                f"sering: '{chosen}' ({counts[chosen]} baris)"
            )
            for row, value in values:
                if value != chosen:
                    self._report(row, column, value, RESOLVED, reason)
        return chosen

    # ------------------------------------------------------------------------ nested references

    def _resolve_references(self, analyses: dict[str, AnalysisData]) -> list[AnalysisData]:
        resolver = NestedResolver(
            Candidate(code, a.name, a.unit, bool(self.lines[code])) for code, a in analyses.items()
        )
        for parent in sorted(self.lines, key=code_order):
            for line in self.lines[parent]:
                if line.resource_code is None:
                    self._resolve(line, resolver, analyses)
        placeholders = []
        for p in resolver.placeholders.values():
            note = (
                f"Analisa pengganti dibuat saat impor: pekerjaan '{p.name}' dirujuk oleh {p.parent} tetapi "
                "tidak ada di berkas. Lengkapi komponennya sebelum dipakai."
            )
            placeholders.append(
                AnalysisData(
                    code=p.code,
                    name=p.name,
                    unit=p.unit,
                    unit_from_name=False,
                    first_row=p.first_row,
                    notes=[note],
                    is_suspicious=True,
                    is_placeholder=True,
                )
            )
        return placeholders

    def _resolve(self, line: _Line, resolver: NestedResolver, analyses: dict[str, AnalysisData]) -> None:
        resolution = resolver.resolve(Reference(line.row, line.analysis, line.item, line.unit.value))
        target, unit = resolution.target, line.unit.value or "-"
        line.nested_code = target
        parent = analyses[line.analysis]
        if resolution.kind == EXACT:
            reason = f"pekerjaan rujukan: analisa bertingkat {target} '{analyses[target].name[:80]}'"
            self._report(line.row, "item", line.item_raw, RESOLVED, reason)
            return
        if resolution.kind == PLACEHOLDER:
            line.flags.append(f"pekerjaan rujukan tidak ditemukan; dibuat analisa pengganti {target}")
            reason = (
                f"pekerjaan rujukan tidak ditemukan di berkas (tidak ada analisa bernama mirip dengan satuan "
                f"{unit}); dibuat analisa pengganti {target} tanpa komponen; lengkapi"
            )
            parent.notes.append(f"Rujukan '{line.item}' tidak ditemukan; memakai analisa pengganti {target}.")
        else:
            found = resolution.candidates
            shown = ", ".join(found[:5]) + (" …" if len(found) > 5 else "")
            if resolution.kind == AMBIGUOUS:
                reason = (
                    f"{len(found)} analisa cocok (satuan {unit}): {shown}; "
                    f"dipakai {target} (kode terkecil); periksa"
                )
            else:
                reason = (
                    f"tidak ada nama yang sama persis; dicocokkan dengan {target} "
                    f"(nama mirip, satuan {unit}); periksa"
                )
            line.flags.append(f"analisa bertingkat dicocokkan otomatis dengan {target}; periksa")
            parent.notes.append(f"Rujukan '{line.item}' dicocokkan otomatis dengan {target}; periksa.")
        self._report(line.row, "item", line.item_raw, FLAGGED, reason)

    # ---------------------------------------------------------------------------------- reports

    def _report_coefficients(self) -> None:
        # Evidence for a repair: the same resource with the same value written correctly elsewhere.
        correct: dict[tuple[str, Decimal], int] = {}
        for lines in self.lines.values():
            for line in lines:
                if line.resource_code and not line.repaired:
                    correct.setdefault((line.resource_code, line.value), line.row)
        for lines in self.lines.values():
            for line in lines:
                raw, value = line.coefficient.raw, _number(line.value)
                if line.repaired:
                    reason = (
                        f"bilangan bulat >= 1000 (koma desimal hilang): {raw} dibagi 1000 menjadi {value}; "
                        "komponen ditandai untuk diperiksa"
                    )
                    if (row := correct.get((line.resource_code or "", line.value))) is not None:
                        reason += f" (nilai {value} tertulis benar untuk sumber daya ini di baris {row})"
                    self._report(line.row, "koefisien", raw, REPAIRED, reason)
                elif line.value >= LARGE_COEFFICIENT:
                    reason = (
                        "koefisien >= 1000 yang tertulis dengan desimal (bukan bilangan bulat) tidak diubah; "
                        "komponen ditandai untuk diperiksa"
                    )
                    self._report(line.row, "koefisien", raw, FLAGGED, reason)
                elif line.value == 0:
                    self._report(line.row, "koefisien", raw, FLAGGED, "koefisien nol; komponen ditandai")
                if line.coefficient.rounded:
                    self._report(
                        line.row, "koefisien", raw, REPAIRED, f"lebih dari 6 desimal; dibulatkan ke {value}"
                    )
        if self.text_coefficients:
            reason = (
                "koefisien yang disimpan sebagai teks (titik desimal, mis. '0.6') dibaca persis "
                "sebagai Decimal; nilainya tidak berubah"
            )
            value = f"{len(self.text_coefficients)} sel teks"
            self._report(self.text_coefficients[0], "koefisien", value, RESOLVED, reason)

    def _report_text_fixes(self) -> None:
        """One review line per distinct repaired original text of a column, listing all its rows."""
        groups: dict[tuple[str, str], list[int]] = defaultdict(list)
        fixes: dict[tuple[str, str], tuple[str, tuple[str, ...]]] = {}

        def add(column: str, raw: object, text: str, reasons: tuple[str, ...], rows: Iterable[int]) -> None:
            key = (column, _text_of(raw))
            groups[key].extend(rows)
            fixes[key] = (text, reasons)

        for raw_names in self.names.values():
            for raw, rows in raw_names.items():
                if (cleaned := clean_text(raw)).changed:
                    add("nama_ahsp", raw, cleaned.text, cleaned.reasons, rows)
        for lines in self.lines.values():
            for line in lines:
                if (item := clean_text(line.item_raw)).changed:
                    add("item", line.item_raw, item.text, item.reasons, [line.row])
                if line.unit.changed and not line.unit.implausible:
                    add("satuan", line.satuan_raw, line.unit.value, line.unit.reasons, [line.row])
        for (column, raw), rows in groups.items():
            text, reasons = fixes[(column, raw)]
            reason = f"{'; '.join(reasons)}: menjadi '{text}'; {len(rows)} baris: {format_row_numbers(rows)}"
            self._report(min(rows), column, raw, REPAIRED, reason)

    # ------------------------------------------------------------------------------- components

    @staticmethod
    def _component(position: int, line: _Line) -> ComponentData:
        return ComponentData(
            source_row=line.row,
            resource_code=line.resource_code,
            nested_code=line.nested_code,
            unit=line.unit.value,
            coefficient=line.value,
            raw_coefficient=line.coefficient.raw,
            flags=list(line.flags),
            position=position,
            repaired=line.repaired,
        )

    def _conclude(self, analysis: AnalysisData) -> None:
        flagged = sum(1 for c in analysis.components if c.is_flagged)
        repaired = sum(1 for c in analysis.components if c.repaired)
        if repaired:
            analysis.notes.append(
                f"{repaired} koefisien bilangan bulat >= 1000 dibagi 1000; periksa nilainya."
            )
        if flagged:
            analysis.is_suspicious = True
            analysis.notes.append(f"{flagged} komponen ditandai untuk diperiksa.")
        if not analysis.components and not analysis.is_placeholder:
            analysis.is_suspicious = True
            analysis.notes.append("Analisa ini tidak memiliki komponen yang sah.")
            reason = "analisa tanpa komponen yang sah; diimpor tanpa komponen dan ditandai"
            self._report(analysis.first_row, "kode_ahsp", analysis.code, FLAGGED, reason)
