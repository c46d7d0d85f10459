"""ahsp.importers.reference_workbook: the checks that refuse a whole reference import, before any write.

No database: the plan is built from a ``ParsedLibrary`` made here (the parse itself has its own tests).
"""

from pathlib import Path

import pytest

from ahsp.importers.reference_workbook import (
    FILE_NAME_MAX_LENGTH,
    SOURCE_MAX_LENGTH,
    build_plan,
    clean_source,
    read_reference_workbook,
)
from ahsp.importers.sni_parse import AnalysisData, ParsedLibrary
from ahsp.importers.workbook_reader import ImportFailed


def library(*codes: str) -> ParsedLibrary:
    analyses = {code: AnalysisData(code, f"Analisa {code}", "m3", True, 2) for code in codes}
    return ParsedLibrary(resources={}, analyses=analyses, review_rows=[])


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("SNI 2025", "SNI 2025"),
        ("  SNI   2025 ", "SNI 2025"),
        ("x" * SOURCE_MAX_LENGTH, "x" * SOURCE_MAX_LENGTH),
    ],
)
def test_clean_source_keeps_a_valid_edition(source, expected):
    assert clean_source(source) == expected


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("   ", "Sumber/edisi wajib diisi, mis. 'SNI 2025'."),
        ("x" * (SOURCE_MAX_LENGTH + 1), f"Sumber/edisi paling banyak {SOURCE_MAX_LENGTH} karakter."),
    ],
)
def test_clean_source_refuses_a_blank_or_long_edition(source, message):
    with pytest.raises(ImportFailed) as caught:
        clean_source(source)
    assert str(caught.value) == message


def test_build_plan_refuses_a_library_without_analyses():
    with pytest.raises(ImportFailed, match="Tidak ada analisa yang dapat diimpor"):
        build_plan(library(), source="SNI 2025", file_name="sni.xlsx")


def test_build_plan_keeps_the_library_and_cuts_the_file_name_to_the_field():
    parsed = library("1.1.1")
    plan = build_plan(parsed, source="SNI 2025", file_name="a" * (FILE_NAME_MAX_LENGTH + 10) + ".xlsx")
    assert plan.library is parsed and plan.source == "SNI 2025"
    assert len(plan.file_name) == FILE_NAME_MAX_LENGTH and plan.file_name.endswith("…")


def test_the_edition_is_checked_before_the_file_is_read(tmp_path):
    missing = Path(tmp_path) / "tidak-ada.xlsx"
    with pytest.raises(ImportFailed, match="Sumber/edisi wajib diisi"):
        read_reference_workbook(missing, source=" ")
    with pytest.raises(ImportFailed, match="Berkas tidak ditemukan"):
        read_reference_workbook(missing, source="SNI 2025")
