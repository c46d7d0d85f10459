"""Reading an untrusted project document: the bounded JSON parse and typed field checks that name the
JSON path of every problem (``$.sections[2].items[0].volume``) in Bahasa Indonesia.

Numbers are read as ``Decimal`` (never float); ``NaN`` / ``Infinity`` are refused; a document nested deeper
than the JSON parser can follow is refused with a message, not a crash; the size is bounded by the caller
before anything is read (``MAX_BYTES``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

#: The largest document read (a 2,000-item project with a 52-week plan and progress is about 3 MB).
MAX_BYTES = 25 * 1024 * 1024
#: Problems listed before the report stops (the rest are not looked for).
MAX_PROBLEMS = 50

_DECIMAL = re.compile(r"-?\d{1,30}(\.\d{1,30})?")


@dataclass(frozen=True)
class Problem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class DocumentInvalid(Exception):
    """The document cannot be restored; ``problems`` say where and why (nothing was written)."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(problem) for problem in problems[:5]))


class TooManyProblems(Exception):
    """Raised inside the checks once ``MAX_PROBLEMS`` are collected."""


def _refuse_constant(name: str):
    raise ValueError(name)


def parse_json(raw: bytes) -> object:
    """The JSON value of ``raw`` (UTF-8), or ``DocumentInvalid`` with one problem at ``$``."""
    if len(raw) > MAX_BYTES:
        raise DocumentInvalid(
            [
                Problem(
                    "$",
                    _("Berkas terlalu besar (%(size)s MB); paling besar %(limit)s MB.")
                    % {"size": len(raw) // (1024 * 1024), "limit": MAX_BYTES // (1024 * 1024)},
                )
            ]
        )
    try:
        text = raw.decode("utf-8-sig")
        return json.loads(text, parse_float=Decimal, parse_int=int, parse_constant=_refuse_constant)
    except UnicodeDecodeError:
        message = _("Berkas bukan teks UTF-8, jadi bukan dokumen JSON proyek AHSP.")
    except RecursionError:
        message = _("Dokumen bersarang terlalu dalam untuk dibaca.")
    except ValueError as error:  # json.JSONDecodeError, NaN / Infinity, an integer too long to read
        position = getattr(error, "lineno", None)
        message = (
            _("Bukan JSON yang sah (baris %(line)s, kolom %(column)s).")
            % {"line": error.lineno, "column": error.colno}
            if position
            else _("Bukan JSON yang sah: angka tidak terbaca.")
        )
    raise DocumentInvalid([Problem("$", message)])


class Checker:
    """Typed reads with paths; each failed check records a ``Problem`` and returns ``None``."""

    def __init__(self):
        self.problems: list[Problem] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))
        if len(self.problems) >= MAX_PROBLEMS:
            raise TooManyProblems

    def mapping(self, value, path: str) -> dict | None:
        if isinstance(value, dict):
            return value
        self.fail(path, _("harus berupa objek JSON ({...})."))
        return None

    def sequence(self, value, path: str) -> list | None:
        if isinstance(value, list):
            return value
        self.fail(path, _("harus berupa daftar JSON ([...])."))
        return None

    def key(self, obj: dict, name: str, path: str):
        """``obj[name]``; a missing key is a problem (the caller gets ``None``)."""
        if name not in obj:
            self.fail(f"{path}.{name}", _("kunci wajib tidak ada."))
            return None
        return obj[name]

    def text(self, value, path: str, *, max_length: int, required: bool = False) -> str | None:
        if not isinstance(value, str):
            self.fail(path, _("harus berupa teks."))
            return None
        if "\x00" in value:
            self.fail(path, _("tidak boleh memuat karakter NUL."))
            return None
        if required and not value.strip():
            self.fail(path, _("wajib diisi."))
            return None
        if len(value) > max_length:
            self.fail(path, _("paling panjang %(limit)s karakter.") % {"limit": max_length})
            return None
        return value

    def boolean(self, value, path: str) -> bool | None:
        if isinstance(value, bool):
            return value
        self.fail(path, _("harus true atau false."))
        return None

    def integer(self, value, path: str, *, minimum: int, maximum: int) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(path, _("harus bilangan bulat."))
            return None
        if not minimum <= value <= maximum:
            self.fail(path, _("harus antara %(min)s dan %(max)s.") % {"min": minimum, "max": maximum})
            return None
        return value

    def decimal(self, value, path: str, *, places: int, minimum: Decimal, maximum: Decimal) -> Decimal | None:
        """A decimal written as a JSON string ("1234.50") or number, within the range and places."""
        if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
            self.fail(path, _('harus angka (teks seperti "1234.50").'))
            return None
        if isinstance(value, str):
            if not _DECIMAL.fullmatch(value):
                self.fail(path, _("bukan angka desimal (pakai titik sebagai pemisah desimal)."))
                return None
            number = Decimal(value)
        else:  # a JSON number: read as Decimal by ``parse_json`` (never a float)
            number = Decimal(value)
            if not number.is_finite():
                self.fail(path, _("bukan angka desimal (pakai titik sebagai pemisah desimal)."))
                return None
        if not minimum <= number <= maximum:
            self.fail(path, _("harus antara %(min)s dan %(max)s.") % {"min": minimum, "max": maximum})
            return None
        if number != number.quantize(Decimal(1).scaleb(-places)):  # within range: quantize cannot overflow
            self.fail(path, _("paling banyak %(places)s angka di belakang titik.") % {"places": places})
            return None
        return number

    def day(self, value, path: str, *, earliest: date, latest: date) -> date | None:
        if not isinstance(value, str):
            self.fail(path, _("harus tanggal (teks YYYY-MM-DD)."))
            return None
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            self.fail(path, _("bukan tanggal YYYY-MM-DD yang sah."))
            return None
        if not earliest <= parsed <= latest:
            self.fail(path, _("harus antara %(min)s dan %(max)s.") % {"min": earliest, "max": latest})
            return None
        return parsed

    def choice(self, value, path: str, choices) -> object | None:
        allowed = [key for key, _label in choices]
        if value in allowed and type(value) is type(allowed[0]):
            return value
        self.fail(path, _("harus salah satu dari: %(choices)s.") % {"choices": ", ".join(map(str, allowed))})
        return None
