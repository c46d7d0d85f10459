"""Cell-level cleaning for the SNI AHSP workbook: pure functions, no ORM, no I/O.

- `clean_text`: mojibake repair (ftfy) and whitespace collapsing, with the list of what changed;
- `normalise_unit`: one canonical spelling per unit (`Bh`, `Buah` -> `buah`; `M3`, `m³` -> `m3`);
- `parse_coefficient`: an exact `Decimal` from a text or numeric cell (never through float for text);
- `repair_lost_decimal_comma`: the explicit rule for integer coefficients >= 1000;
- `unit_from_name`: the work item's own unit, read from its name ("Pembuatan 1 m3 pagar ...").
"""

import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

import ftfy

# Field sizes of the reference models (kept here so the pure layer can fit values without the ORM).
UNIT_MAX_LENGTH = 60
CODE_MAX_LENGTH = 40
RESOURCE_NAME_MAX_LENGTH = 255
COEFFICIENT_PLACES = 6
COEFFICIENT_MAX_DIGITS = 20

# A unit longer than this, or of more than two words, is not a unit but a pasted note.
PLAUSIBLE_UNIT_LENGTH = 20

# ---------------------------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------------------------

REASON_MOJIBAKE = "karakter rusak (mojibake) diperbaiki dengan ftfy"
REASON_WHITESPACE = "spasi ganda/di tepi dirapikan"

_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class CleanText:
    text: str
    reasons: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.reasons)


@lru_cache(maxsize=16384, typed=True)  # typed: 1 and 1.0 are different cells
def clean_text(value: object) -> CleanText:
    """Repair mojibake (UTF-8 read as cp1252) with ftfy, collapse and strip whitespace.

    `None` becomes "". Non-text values (numbers) are written with `str`.
    """
    if value is None:
        return CleanText("")
    raw = value if isinstance(value, str) else str(value)
    # ftfy is slow-ish; plain ASCII without HTML entities can't contain mojibake.
    fixed = raw if raw.isascii() and "&" not in raw else ftfy.fix_text(raw)
    reasons = []
    if fixed != raw:
        reasons.append(REASON_MOJIBAKE)
    collapsed = _WHITESPACE.sub(" ", fixed).strip()
    if collapsed != fixed:
        reasons.append(REASON_WHITESPACE)
    return CleanText(collapsed, tuple(reasons))


def fit(text: str, max_length: int) -> str:
    """Cut text to a database field's length (callers report it when this changes anything)."""
    return text if len(text) <= max_length else text[: max_length - 1].rstrip() + "…"


# ---------------------------------------------------------------------------------------------
# Units
# ---------------------------------------------------------------------------------------------

# Lower-cased spelling -> canonical unit. Labour units keep their usual upper-case abbreviations.
UNIT_ALIASES: dict[str, str] = {
    "oh": "OH",
    "o.h": "OH",
    "o.h.": "OH",
    "orang hari": "OH",
    "oj": "OJ",
    "o.j": "OJ",
    "o.j.": "OJ",
    "orang jam": "OJ",
    "m3": "m3",
    "m³": "m3",
    "m^3": "m3",
    "m2": "m2",
    "m²": "m2",
    "m^2": "m2",
    "m": "m",
    "meter": "m",
    "m'": "m'",
    "m’": "m'",
    "m1": "m'",
    "kg": "kg",
    "ton": "ton",
    "liter": "liter",
    "ltr": "liter",
    "lt": "liter",
    "buah": "buah",
    "bh": "buah",
    "bh.": "buah",
    "unit": "unit",
    "set": "set",
    "lot": "lot",
    "ls": "ls",
    "hari": "hari",
    "jam": "jam",
    "bulan": "bulan",
    "minggu": "minggu",
    "lembar": "lembar",
    "lbr": "lembar",
    "batang": "batang",
    "btg": "batang",
    "gulung": "gulung",
    "tube": "tube",
    "polybag": "polybag",
    "ikat": "ikat",
    "daun": "daun",
    "dus": "dus",
    "pohon": "pohon",
    "titik": "titik",
    "ttk": "titik",
    "zak": "zak",
    "sak": "zak",
    "ha": "ha",
    "tunggul": "tunggul",
    "unit hari": "unit-hari",
    "unit/hari": "unit-hari",
    "unit-hari": "unit-hari",
    "buah hari": "buah-hari",
    "buah/hari": "buah-hari",
    "buah-hari": "buah-hari",
}
TIME_UNITS = frozenset({"hari", "jam", "bulan", "minggu"})


@dataclass(frozen=True)
class Unit:
    value: str
    reasons: tuple[str, ...] = ()
    implausible: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.reasons)


def normalise_unit(raw: object) -> Unit:
    """Canonical unit spelling; an implausible unit (a pasted note) is kept, cut to fit and marked."""
    cleaned = clean_text(raw)
    text = cleaned.text
    reasons = list(cleaned.reasons)
    if not text:
        return Unit("", tuple(reasons))
    key = re.sub(r"\s*/\s*", "/", text.lower())
    canonical = UNIT_ALIASES.get(key)
    if canonical is not None:
        if canonical != text:
            reasons.append(f"ejaan satuan diseragamkan menjadi '{canonical}'")
        return Unit(canonical, tuple(reasons))
    implausible = len(text) > PLAUSIBLE_UNIT_LENGTH or len(text.split()) > 2
    if implausible:
        reasons.append(f"satuan tidak wajar ({len(text)} karakter)")
    value = fit(text, UNIT_MAX_LENGTH)
    if value != text:
        reasons.append(f"dipotong menjadi {UNIT_MAX_LENGTH} karakter")
    return Unit(value, tuple(reasons), implausible)


# ---------------------------------------------------------------------------------------------
# Coefficients
# ---------------------------------------------------------------------------------------------


class CoefficientError(ValueError):
    """A coefficient that cannot be read; the message is in Indonesian (it goes to the report)."""


@dataclass(frozen=True)
class Coefficient:
    value: Decimal
    raw: str
    kind: str  # "integer" (an integer-valued number cell), "number" or "text"
    rounded: bool = False


# One separator alone is always the decimal separator (the workbook writes text as `0.6`, and the
# Indonesian `0,6` is accepted too). With both, the last one is the decimal separator and the other
# must group digits by three; repeated separators without the other one are grouping only.
_PLAIN = re.compile(r"(\d+)(?:\.(\d+))?|\.(\d+)")
_COMMA_DECIMAL = re.compile(r"(\d+),(\d+)")
_ID_GROUPED = re.compile(r"(\d{1,3}(?:\.\d{3})+),(\d+)|(\d{1,3}(?:\.\d{3}){2,})")
_EN_GROUPED = re.compile(r"(\d{1,3}(?:,\d{3})+)\.(\d+)|(\d{1,3}(?:,\d{3}){2,})")
_SCIENTIFIC = re.compile(r"\d+(?:\.\d+)?[eE][-+]?\d{1,3}")


def parse_decimal_text(text: str) -> Decimal:
    """Exact Decimal from number text: `0.6`, `1009.0`, `0,6`, `1.234,56`, `1,234.56`, `2.5E-05`.

    Raises CoefficientError for anything else (words, several decimal separators, bad grouping).
    """
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "")
    sign = ""
    if cleaned[:1] in "+-" and len(cleaned) > 1:
        sign, cleaned = ("-" if cleaned[0] == "-" else ""), cleaned[1:]
    literal = None
    if match := _PLAIN.fullmatch(cleaned):
        literal = cleaned if not cleaned.startswith(".") else "0" + cleaned
    elif match := _COMMA_DECIMAL.fullmatch(cleaned):
        literal = f"{match[1]}.{match[2]}"
    elif match := _ID_GROUPED.fullmatch(cleaned):
        literal = f"{match[1].replace('.', '')}.{match[2]}" if match[1] else match[3].replace(".", "")
    elif match := _EN_GROUPED.fullmatch(cleaned):
        literal = f"{match[1].replace(',', '')}.{match[2]}" if match[1] else match[3].replace(",", "")
    elif _SCIENTIFIC.fullmatch(cleaned):
        literal = cleaned
    if literal is None:
        raise CoefficientError(f"koefisien bukan angka yang jelas: '{text.strip()}'")
    return Decimal(sign + literal)


def parse_coefficient(value: object) -> Coefficient:
    """An exact Decimal from a workbook cell; numbers via `repr`, so 26.406 stays 26.406."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise CoefficientError("koefisien kosong")
    if isinstance(value, bool):
        raise CoefficientError(f"koefisien bukan angka: {value}")
    if isinstance(value, int):
        number, raw, kind = Decimal(value), str(value), "integer"
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise CoefficientError(f"koefisien bukan angka: {value}")
        raw = repr(value)
        number = Decimal(raw)
        kind = "integer" if value.is_integer() else "number"
    elif isinstance(value, Decimal):
        number, raw, kind = value, str(value), "number"
    elif isinstance(value, str):
        raw = value.strip()
        number, kind = parse_decimal_text(raw), "text"
    else:
        raise CoefficientError(f"koefisien bukan angka: {value!r}")
    if number < 0:
        raise CoefficientError(f"koefisien negatif: {raw}")
    rounded = False
    if number.as_tuple().exponent < -COEFFICIENT_PLACES:  # type: ignore[operator]
        number = number.quantize(Decimal(1).scaleb(-COEFFICIENT_PLACES), rounding=ROUND_HALF_UP)
        rounded = True
    if number.adjusted() >= COEFFICIENT_MAX_DIGITS - COEFFICIENT_PLACES:
        raise CoefficientError(f"koefisien terlalu besar: {raw}")
    return Coefficient(number, raw, kind, rounded)


LOST_COMMA_THRESHOLD = 1000
# Any coefficient this large is flagged for review, repaired or not (e.g. `1009.0` kg gravel per m3
# is plausible, but nobody should price 1,000+ units per unit of work without a look).
LARGE_COEFFICIENT = Decimal(LOST_COMMA_THRESHOLD)


def repair_lost_decimal_comma(coefficient: Coefficient) -> Decimal | None:
    """The explicit repair rule: an integer cell >= 1000 lost its decimal comma; divide by 1000.

    Returns the repaired value, or None when the rule does not apply (text and fractional numbers
    are taken as written).
    """
    if coefficient.kind != "integer" or coefficient.value < LOST_COMMA_THRESHOLD:
        return None
    return coefficient.value.scaleb(-3)


# ---------------------------------------------------------------------------------------------
# The work item's unit, from its name
# ---------------------------------------------------------------------------------------------

_NAME_UNITS = (
    r"m3|m³|m2|m²|m['’]|m|kg|ton|liter|ltr|buah|bh|unit|set|titik|ttk|batang|lembar|pohon|tunggul"
    r"|ha|ls|lot|hari|jam|bulan"
)
_AFTER_UNIT = r"(?![\w²³'’])"
_QUANTITY_UNIT = re.compile(
    rf"(?<![\w.,/'’])(?P<qty>\d+(?:[.,]\d+)?)\s*(?P<unit>{_NAME_UNITS}){_AFTER_UNIT}", re.IGNORECASE
)
_PER_UNIT = re.compile(rf"\bper[\s-]*(?P<unit>{_NAME_UNITS}){_AFTER_UNIT}", re.IGNORECASE)
_DECLARED_UNIT = re.compile(r"satuan\s+pekerjaan\s*:\s*(?P<unit>[\w'’²³/-]+)", re.IGNORECASE)
# "Pemasangan 10 m pipa": a quantity other than one counts only near the start of the name.
_LEADING_WORDS = 2


def _is_one(quantity: str) -> bool:
    return Decimal(quantity.replace(",", ".")) == 1


def unit_from_name(name: str) -> str | None:
    """The work item's own unit written in its name, canonical; None when the name has none.

    In order of preference: "Satuan Pekerjaan : hari"; the first "1 <unit>" that is not a time unit
    ("Penyiraman untuk 1 Hari ... untuk 1 m2 Rumput" is per m2); "per m2" / "Per-m'"; "1 <time unit>";
    a quantity other than one at the start ("Pemasangan 10 m pipa" -> "10 m"). Other quantities
    ("panjang 0,5 m'", "Polybag 20 Liter", "∅ 15 cm") are dimensions, not the unit.
    """
    text = clean_text(name).text
    if match := _DECLARED_UNIT.search(text):
        unit = normalise_unit(match["unit"])
        if not unit.implausible:
            return unit.value
    ones = [m for m in _QUANTITY_UNIT.finditer(text) if _is_one(m["qty"])]
    for match in ones:
        unit = normalise_unit(match["unit"]).value
        if unit not in TIME_UNITS:
            return unit
    if match := _PER_UNIT.search(text):
        return normalise_unit(match["unit"]).value
    if ones:
        return normalise_unit(ones[0]["unit"]).value
    for match in _QUANTITY_UNIT.finditer(text):
        if len(text[: match.start()].split()) <= _LEADING_WORDS:
            quantity = match["qty"]
            return f"{quantity} {normalise_unit(match['unit']).value}"
        break
    return None


# ---------------------------------------------------------------------------------------------
# Names for matching (nested references)
# ---------------------------------------------------------------------------------------------

_REGULATION_NOTE = re.compile(r"\(\s*lihat\b.*$", re.IGNORECASE)
_CONCRETE_GRADE = re.compile(r"\bf\s*['’]?\s*c\s*['’3]?(?=\s|\d|$)", re.IGNORECASE)
_TOKEN = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)*")
MIN_AFFIXED_WORD = 4
STOPWORDS = frozenset(
    {"dan", "untuk", "dengan", "secara", "cara", "per", "s", "d", "sd", "yang", "di", "ke", "dari", "atau"}
)


def match_key(name: str) -> str:
    """Normalised name for exact matching: cleaned, lower case, without the regulation reference."""
    text = _REGULATION_NOTE.sub("", clean_text(name).text)
    text = _CONCRETE_GRADE.sub("fc ", text.casefold())
    return " ".join(_TOKEN.findall(text))


def match_tokens(name: str) -> frozenset[str]:
    return frozenset(token for token in match_key(name).split() if token not in STOPWORDS)


def token_matches(wanted: str, available: frozenset[str]) -> bool:
    """A word matches itself or, for words of 4+ letters, a longer word ending with it
    (Indonesian prefixes: "galian" in "penggalian", "timbunan" in "penimbunan")."""
    if wanted in available:
        return True
    if not wanted.isalpha() or len(wanted) < MIN_AFFIXED_WORD:
        return False
    return any(word.endswith(wanted) for word in available if word.isalpha())
