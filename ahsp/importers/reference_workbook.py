"""Read and check a reference workbook (SNI format) before anything is written: the plan of the reference
import.

The shape of every importer (as ``ahsp.importers.project_workbook``): read (``workbook_reader``), clean
and decide (``sni_parse``, pure), and here the checks that refuse the import as a whole, giving a
``ReferencePlan`` for ``ahsp.services.reference_library.write_plan`` to write. No writes, no queries.
Every refusal is an ``ImportFailed`` with its message in Bahasa Indonesia.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ahsp.importers.sni_parse import ParsedLibrary, parse_library
from ahsp.importers.sni_values import clean_text, fit
from ahsp.importers.workbook_reader import ImportFailed, read_source_rows
from ahsp.models import ReferenceAnalysis, ReferenceImport

SOURCE_MAX_LENGTH = ReferenceAnalysis._meta.get_field("source").max_length
FILE_NAME_MAX_LENGTH = ReferenceImport._meta.get_field("file_name").max_length


@dataclass(frozen=True)
class ReferencePlan:
    source: str  # the edition, cleaned (e.g. "SNI 2025")
    file_name: str  # as recorded, cut to the model field
    library: ParsedLibrary


def clean_source(source: str) -> str:
    """The edition as it is stored: cleaned text, not empty, at most ``SOURCE_MAX_LENGTH`` characters."""
    source = clean_text(source).text
    if not source:
        raise ImportFailed("Sumber/edisi wajib diisi, mis. 'SNI 2025'.")
    if len(source) > SOURCE_MAX_LENGTH:
        raise ImportFailed(f"Sumber/edisi paling banyak {SOURCE_MAX_LENGTH} karakter.")
    return source


def build_plan(library: ParsedLibrary, *, source: str, file_name: str) -> ReferencePlan:
    """The plan of a parsed library, refused when no analysis survived the checks."""
    if not library.analyses:
        raise ImportFailed(
            "Tidak ada analisa yang dapat diimpor: semua baris ditolak (lihat kolom kode_ahsp)."
        )
    return ReferencePlan(source=source, file_name=fit(file_name, FILE_NAME_MAX_LENGTH), library=library)


def read_reference_workbook(path: Path, *, source: str, file_name: str | None = None) -> ReferencePlan:
    """The edition is checked first (before the file is read), then the workbook is parsed and planned."""
    path = Path(path)
    source = clean_source(source)
    library = parse_library(read_source_rows(path))
    return build_plan(library, source=source, file_name=file_name or path.name)
