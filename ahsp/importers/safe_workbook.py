"""Open an uploaded .xlsx without letting its content hurt the server; the one opener of every import.

An .xlsx is a zip of XML parts, and each layer can be hostile: a 6 KB sheet that declares the dimension
``A1:XFD1048576`` (openpyxl then pads every row to 16,384 cells and yields a million empty rows), a
shared-strings part that inflates from 200 KB to 200 MB and is loaded whole, 100,000 zip members, a
DTD with an entity bomb or an external entity. So, in this order:

1. **The zip, before openpyxl sees it.** The end-of-central-directory record gives the member count
   before ``zipfile`` builds its directory; then every member's declared uncompressed size, the total and
   the compression ratio are checked, and encrypted members, unknown compression methods and odd names
   are refused. Parts that openpyxl loads whole (shared strings, styles, workbook) get a smaller cap than
   the worksheets, which are streamed.
2. **While reading, the real bytes.** Every part is read through a counter: more bytes than the member
   declared (a lying header), more than its cap, more than the whole file's budget or past the time budget
   stops the import. The XML prolog of each part is checked first: a workbook never has a ``<!DOCTYPE``,
   so any DTD (the door to entity bombs and XXE) is refused. The XML itself is parsed by openpyxl through
   ``defusedxml`` (installed, so ``openpyxl.xml.DEFUSEDXML`` is true; its lxml ``fromstring`` does not
   resolve entities), a second wall.
3. **Rows as they exist.** ``SafeSheet.rows()`` drops the declared dimension (``reset_dimensions``),
   stops after ``max_rows`` rows and refuses a row with a value past ``max_columns`` or a text longer
   than ``max_cell_chars``.

Anything the file does wrong raises ``WorkbookRejected`` with a message in Bahasa Indonesia for the import
report, never another exception. The limits are ``settings.WORKBOOK_LIMITS`` (keys = the fields of
``WorkbookLimits``; the defaults below, documented in ``project/settings.py``).

Pure: reads the file and settings only, no ORM.
"""

from __future__ import annotations

import logging
import re
import struct
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

MB = 1024 * 1024
_EOCD = struct.Struct("<4s4H2LH")
_EOCD_SIGNATURE = b"PK\x05\x06"
_CFB_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, and Excel's password-protected .xlsx
_MAX_COMMENT = 0xFFFF
_CENTRAL_ENTRY_MAX = 1024  # bytes of central directory per member: a name, extras, a comment
_RATIO_FLOOR = MB  # members smaller than this may compress as well as they like
_PROLOG_MAX = 64 * 1024
_CHUNK = 64 * 1024
_TIME_CHECK_ROWS = 1000


class WorkbookRejected(Exception):
    """The upload is refused; ``str(exc)`` is the reason for the user, in Bahasa Indonesia."""


@dataclass(frozen=True)
class WorkbookLimits:
    max_members: int = 1_000  # zip members (a workbook with 100 sheets has ~250)
    max_sheet_mb: int = 100  # one worksheet part, uncompressed (streamed row by row)
    max_part_mb: int = 16  # any other part (shared strings, styles, ...: loaded whole by openpyxl)
    max_total_mb: int = 250  # all members together, uncompressed
    max_ratio: int = 200  # uncompressed / compressed, for members over 1 MB (XML: typically 5-30)
    max_rows: int = 200_000  # rows of one sheet, empty ones included
    max_columns: int = 100  # columns of one row
    max_cell_chars: int = 32_767  # text in one cell (Excel's own limit)
    max_seconds: float = 120  # reading the workbook, start to end

    @classmethod
    def from_settings(cls) -> WorkbookLimits:
        configured = getattr(settings, "WORKBOOK_LIMITS", None) or {}
        known = {f.name for f in fields(cls)}
        return replace(cls(), **{key: value for key, value in configured.items() if key in known})


# ------------------------------------------------------------------------------------------------ messages


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _mb(size: int) -> str:
    return f"{size / MB:,.1f}".replace(",", "X").replace(".", ",").replace("X", ".")


def not_xlsx_message() -> str:
    return _(
        "Berkas bukan buku kerja Excel .xlsx yang sah (file .xls lama atau CSV harus disimpan ulang "
        "sebagai .xlsx)."
    )


def _too_large(size: int, limit_mb: int) -> WorkbookRejected:
    return WorkbookRejected(
        _("Berkas terlalu besar setelah dibuka (%(size)s MB; paling banyak %(limit)s MB).")
        % {"size": _mb(size), "limit": _number(limit_mb)}
    )


def _part_too_large(name: str, size: int, limit_mb: int) -> WorkbookRejected:
    return WorkbookRejected(
        _("Berkas terlalu besar setelah dibuka: bagian “%(name)s” %(size)s MB (paling banyak %(limit)s MB).")
        % {"name": name[:80], "size": _mb(size), "limit": _number(limit_mb)}
    )


def _unreadable(reason: str) -> WorkbookRejected:
    return WorkbookRejected(
        _(
            "Isi berkas tidak dapat dibaca sebagai buku kerja Excel (%(reason)s). Simpan ulang berkas dari Excel."
        )
        % {"reason": reason}
    )


# ------------------------------------------------------------------------------------------ the zip layer


def _seek_start(handle: IO[bytes]) -> None:
    if hasattr(handle, "seek"):
        handle.seek(0)


def _check_directory(handle: IO[bytes], limits: WorkbookLimits) -> None:
    """Member count and directory size from the end record, before ``zipfile`` reads the directory."""
    handle.seek(0, 2)
    size = handle.tell()
    handle.seek(0)
    if handle.read(len(_CFB_SIGNATURE)) == _CFB_SIGNATURE:
        raise WorkbookRejected(
            _(
                "Berkas ini berformat .xls lama atau dilindungi kata sandi. Buka di Excel, hapus kata sandinya "
                "dan simpan sebagai .xlsx."
            )
        )
    tail_size = min(size, _EOCD.size + _MAX_COMMENT)
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    position = tail.rfind(_EOCD_SIGNATURE)
    if position < 0 or len(tail) - position < _EOCD.size:
        raise WorkbookRejected(not_xlsx_message())
    _sig, disk, _cd_disk, disk_entries, entries, directory_size, directory_offset, _comment = _EOCD.unpack(
        tail[position : position + _EOCD.size]
    )
    if 0xFFFF in (disk, disk_entries, entries) or 0xFFFFFFFF in (directory_size, directory_offset):
        # ZIP64 (more than 65,535 members or 4 GB): no workbook an estimator uploads needs it.
        raise WorkbookRejected(
            _("Berkas berisi terlalu banyak bagian (format ZIP64); paling banyak %(limit)s bagian.")
            % {"limit": _number(limits.max_members)}
        )
    if entries > limits.max_members or directory_size > limits.max_members * _CENTRAL_ENTRY_MAX:
        raise WorkbookRejected(
            _("Berkas berisi terlalu banyak bagian (%(count)s); paling banyak %(limit)s.")
            % {"count": _number(entries), "limit": _number(limits.max_members)}
        )
    handle.seek(0)


_SHEET_PART = re.compile(r"xl/worksheets/sheet\d{1,5}\.xml", re.IGNORECASE)


def _is_sheet(name: str) -> bool:
    """A worksheet part as Excel names it: streamed, so it may be larger than the parts loaded whole."""
    return _SHEET_PART.fullmatch(name) is not None


def _part_limit_mb(name: str, limits: WorkbookLimits) -> int:
    return limits.max_sheet_mb if _is_sheet(name) else limits.max_part_mb


def _check_members(archive: zipfile.ZipFile, limits: WorkbookLimits) -> None:
    """Declared sizes, the total, ratios, encryption, compression methods and names of every member."""
    members = archive.infolist()
    if len(members) > limits.max_members:
        raise WorkbookRejected(
            _("Berkas berisi terlalu banyak bagian (%(count)s); paling banyak %(limit)s.")
            % {"count": _number(len(members)), "limit": _number(limits.max_members)}
        )
    total = 0
    for info in members:
        name = info.filename
        if info.flag_bits & 0x1:
            raise WorkbookRejected(
                _("Berkas terenkripsi atau dilindungi kata sandi; simpan ulang tanpa kata sandi.")
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _unreadable(_("metode kompresi tidak dikenal pada “%(name)s”") % {"name": name[:80]})
        if "\x00" in name or name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/"):
            raise _unreadable(_("nama bagian tidak wajar"))
        limit_mb = _part_limit_mb(name, limits)
        if info.file_size > limit_mb * MB:
            raise _part_too_large(name, info.file_size, limit_mb)
        if info.file_size > _RATIO_FLOOR and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise WorkbookRejected(
                _(
                    "Berkas terlalu besar setelah dibuka: bagian “%(name)s” mengembang %(ratio)s kali "
                    "(%(size)s MB; paling banyak %(limit)s kali). Berkas seperti ini tidak dibuat oleh Excel."
                )
                % {
                    "name": name[:80],
                    "ratio": _number(info.file_size // max(info.compress_size, 1)),
                    "size": _mb(info.file_size),
                    "limit": _number(limits.max_ratio),
                }
            )
        total += info.file_size
    if total > limits.max_total_mb * MB:
        raise _too_large(total, limits.max_total_mb)


class _Budget:
    """Bytes really decompressed (all parts, every time one is read) and the clock."""

    def __init__(self, limits: WorkbookLimits) -> None:
        self.limits = limits
        self.read = 0
        self.max_read = 2 * limits.max_total_mb * MB  # openpyxl reads a sheet twice (size, then rows)
        self.deadline = time.monotonic() + limits.max_seconds

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise WorkbookRejected(
                _(
                    "Pembacaan berkas melebihi batas waktu (%(seconds)s detik); bagi berkas menjadi beberapa bagian."
                )
                % {"seconds": _number(int(self.limits.max_seconds))}
            )


class _CountingReader:
    """A member opened for reading: counts what it really inflates and refuses a DTD in its prolog."""

    def __init__(self, inner, info: zipfile.ZipInfo, budget: _Budget) -> None:
        self._inner = inner
        self._info = info
        self._budget = budget
        self._limit_mb = _part_limit_mb(info.filename, budget.limits)
        self._count = 0
        self._head = b""
        self._prolog_checked = not info.filename.lower().endswith((".xml", ".rels", ".vml"))

    def _charge(self, data: bytes) -> bytes:
        self._count += len(data)
        self._budget.read += len(data)
        if self._count > self._info.file_size:
            raise _unreadable(_("ukuran “%(name)s” tidak sesuai isinya") % {"name": self._info.filename[:80]})
        if self._count > self._limit_mb * MB:
            raise _part_too_large(self._info.filename, self._count, self._limit_mb)
        if self._budget.read > self._budget.max_read:
            raise _too_large(self._budget.read, self._budget.limits.max_total_mb)
        self._budget.check_time()
        if not self._prolog_checked:
            self._check_prolog(data)
        return data

    def _check_prolog(self, data: bytes) -> None:
        self._head += data
        verdict = _prolog_verdict(self._head, complete=len(self._head) >= self._info.file_size)
        if verdict is None and len(self._head) < _PROLOG_MAX:
            return
        self._prolog_checked = True
        self._head = b""
        if verdict == "dtd":
            raise WorkbookRejected(
                _(
                    "Berkas berisi deklarasi DTD/entitas XML pada “%(name)s”; buku kerja Excel tidak memakainya, "
                    "jadi berkas ditolak demi keamanan."
                )
                % {"name": self._info.filename[:80]}
            )
        if verdict != "ok":
            raise _unreadable(_("XML rusak pada “%(name)s”") % {"name": self._info.filename[:80]})

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            chunks = []
            while chunk := self._inner.read(_CHUNK):
                chunks.append(self._charge(chunk))
            return b"".join(chunks)
        return self._charge(self._inner.read(size))

    def read1(self, size: int = -1) -> bytes:
        return self.read(_CHUNK if size is None or size < 0 else size)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def close(self) -> None:
        self._inner.close()

    @property
    def closed(self) -> bool:
        return self._inner.closed

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _prolog_verdict(head: bytes, *, complete: bool) -> str | None:
    """How the XML prolog in ``head`` ends: "ok" (at the root element), "dtd" (a ``<!DOCTYPE``), "bad" (no
    XML where XML must be: another encoding, or garbage), or None (read more first)."""
    text = head.removeprefix(b"\xef\xbb\xbf")
    position = 0
    while True:
        while position < len(text) and text[position] in b" \t\r\n":
            position += 1
        rest = text[position:]
        if not rest:
            return "ok" if complete else None  # an empty part: the parser reports it
        if len(rest) < 9 and not complete:
            return None
        if rest.startswith(b"<!DOCTYPE"):
            return "dtd"
        if rest.startswith(b"<?"):
            end = rest.find(b"?>")
        elif rest.startswith(b"<!--"):
            end = rest.find(b"-->")
        elif rest[:1] == b"<" and rest[1:2] not in (b"!", b"?", b""):
            return "ok"  # the root element: the prolog had no DTD
        else:
            return "bad"
        if end < 0:
            return "bad" if complete else None
        position += end + 2


class _BoundedZipFile(zipfile.ZipFile):
    """The archive openpyxl reads from: every member it opens goes through ``_CountingReader``."""

    budget: _Budget

    def open(self, name, mode="r", pwd=None, **kwargs):
        handle = super().open(name, mode, pwd=pwd, **kwargs)
        if mode != "r":
            return handle
        info = name if isinstance(name, zipfile.ZipInfo) else self.getinfo(name)
        return _CountingReader(handle, info, self.budget)


# ------------------------------------------------------------------------------------- workbook and rows


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _rejection(exc: BaseException) -> WorkbookRejected:
    """The user's message for an exception raised by zipfile, the XML parser or openpyxl on bad content
    (openpyxl wraps what it catches in a ValueError, so the chain of causes is searched)."""
    from xml.etree.ElementTree import ParseError  # noqa: PLC0415

    from defusedxml import DefusedXmlException  # noqa: PLC0415

    causes = list(_causes(exc))
    for cause in causes:
        if isinstance(cause, WorkbookRejected):
            return WorkbookRejected(str(cause))  # a new one: raising ``cause`` from ``exc`` would loop
    for cause in causes:
        if isinstance(cause, DefusedXmlException):
            return WorkbookRejected(
                _(
                    "Berkas berisi deklarasi DTD/entitas XML; buku kerja Excel tidak memakainya, jadi berkas "
                    "ditolak demi keamanan."
                )
            )
        if isinstance(cause, ParseError) or type(cause).__name__ == "XMLSyntaxError":
            return _unreadable(_("XML rusak"))
        if isinstance(cause, zipfile.BadZipFile | EOFError) or type(cause).__module__ == "zlib":
            return _unreadable(_("arsip ZIP rusak"))
        if isinstance(cause, MemoryError):
            return _unreadable(_("berkas terlalu besar untuk dibaca"))
    return WorkbookRejected(not_xlsx_message())


class SafeSheet:
    """One worksheet of a ``SafeWorkbook``: its title and its rows, within the limits."""

    def __init__(self, worksheet, limits: WorkbookLimits, budget: _Budget) -> None:
        self._worksheet = worksheet
        self._limits = limits
        self._budget = budget
        self.title: str = worksheet.title

    def rows(self) -> Iterator[tuple]:
        """The sheet's rows as tuples of values, row 1 first, each as long as its last cell; a missing row
        is an empty tuple.

        Never padded to the declared dimension. Raises ``WorkbookRejected`` past ``max_rows`` rows, for a
        cell past ``max_columns`` or a text longer than ``max_cell_chars``.
        """
        limits = self._limits
        try:
            worksheet = self._worksheet
            worksheet.reset_dimensions()  # the declared <dimension> is a claim, not a fact
            # openpyxl builds each row with ``_get_row``, as wide as its LAST cell says (XFD: 16,384): this
            # one checks the width first (pinned openpyxl 3.1.5; test_importers_safe_workbook covers it).
            worksheet._get_row = self._compact_row
            for number, cells in enumerate(worksheet.iter_rows(values_only=True), start=1):
                if number > limits.max_rows:
                    raise WorkbookRejected(
                        _("Sheet “%(sheet)s”: baris lebih dari %(limit)s; bagi data menjadi beberapa berkas.")
                        % {"sheet": self.title[:40], "limit": _number(limits.max_rows)}
                    )
                if number % _TIME_CHECK_ROWS == 0:
                    self._budget.check_time()
                for value in cells:
                    if value.__class__ is str and len(value) > limits.max_cell_chars:
                        raise WorkbookRejected(
                            _("Sheet “%(sheet)s” baris %(row)s: isi sel lebih dari %(limit)s karakter.")
                            % {
                                "sheet": self.title[:40],
                                "row": _number(number),
                                "limit": _number(limits.max_cell_chars),
                            }
                        )
                yield tuple(cells)
        except WorkbookRejected:
            raise
        except Exception as exc:
            logger.info("Workbook sheet %r refused: %r", self.title, exc)
            raise _rejection(exc) from exc

    def _compact_row(
        self, row: list[dict], min_col: int = 1, max_col=None, values_only: bool = True
    ) -> tuple:
        if not row:
            return ()
        width = max(cell["column"] for cell in row)
        if width > self._limits.max_columns:
            raise WorkbookRejected(
                _("Sheet “%(sheet)s” baris %(row)s: kolom lebih dari %(limit)s.")
                % {
                    "sheet": self.title[:40],
                    "row": _number(row[0].get("row") or 0),
                    "limit": _number(self._limits.max_columns),
                }
            )
        values = [None] * width
        for cell in row:
            values[cell["column"] - 1] = cell["value"]
        return tuple(values)


class SafeWorkbook:
    """A read-only workbook opened by ``open_workbook``: sheet names and ``SafeSheet``s."""

    def __init__(self, workbook, limits: WorkbookLimits, budget: _Budget) -> None:
        self._workbook = workbook
        self._limits = limits
        self._budget = budget
        self._sheets: dict[str, SafeSheet] = {}

    @property
    def sheetnames(self) -> list[str]:
        return list(self._workbook.sheetnames)

    def __getitem__(self, name: str) -> SafeSheet:
        """The sheet named ``name``; ``KeyError`` if there is none (as openpyxl)."""
        if name not in self._sheets:
            self._sheets[name] = SafeSheet(self._workbook[name], self._limits, self._budget)
        return self._sheets[name]

    @property
    def worksheets(self) -> list[SafeSheet]:
        """The worksheets in order (chart sheets left out, as openpyxl's ``worksheets``)."""
        return [self[sheet.title] for sheet in self._workbook.worksheets]


def _load(handle: IO[bytes], limits: WorkbookLimits) -> tuple[object, _Budget]:
    from openpyxl.reader.excel import ExcelReader  # noqa: PLC0415 (openpyxl only where a workbook is read)

    _check_directory(handle, limits)
    archive = _BoundedZipFile(handle)
    budget = _Budget(limits)
    archive.budget = budget
    try:
        _check_members(archive, limits)
        _seek_start(handle)
        reader = ExcelReader(handle, read_only=True, data_only=True)
        reader.archive.close()  # openpyxl's own, unbounded ZipFile of the same handle (the handle stays open)
        reader.archive, reader.valid_files = archive, archive.namelist()
        reader.read()
    except BaseException:
        archive.close()
        raise
    return reader.wb, budget


@contextmanager
def open_workbook(
    source: str | Path | IO[bytes], limits: WorkbookLimits | None = None
) -> Iterator[SafeWorkbook]:
    """The workbook at ``source`` (a path, an upload or a binary file object), read-only with cached values.

    Raises ``WorkbookRejected`` (message in Bahasa Indonesia) for a file that is not a workbook or breaks
    a limit; ``FileNotFoundError`` for a path that does not exist.
    """
    limits = limits or WorkbookLimits.from_settings()
    with _handle(source) as handle:
        try:
            workbook, budget = _load(handle, limits)
        except WorkbookRejected:
            raise
        except Exception as exc:
            logger.info("Workbook refused: %r", exc)
            raise _rejection(exc) from exc
        try:
            yield SafeWorkbook(workbook, limits, budget)
        finally:
            workbook.close()


@contextmanager
def _handle(source) -> Iterator[IO[bytes]]:
    if isinstance(source, str | Path):
        with Path(source).open("rb") as handle:
            yield handle
        return
    _seek_start(source)
    yield source
