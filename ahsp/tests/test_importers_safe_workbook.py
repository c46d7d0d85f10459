"""Hostile workbooks are refused fast, in little memory, with a clear message (issue 12 §1).

Every file is generated here with zipfile (no binaries in the repository). The bounds on time and memory
are generous so CI stays stable, yet each fails on the old opener (``openpyxl.load_workbook`` + iterating
by the declared dimension): the dimension workbook scanned empty cells for about 14 minutes, the
shared-strings bomb took +1.9 GB and then a MemoryError.

``BOUNDS=1 pytest -s ahsp/tests/test_importers_safe_workbook.py -k bounds`` prints the measured seconds
and MB of every hostile class.
"""

from __future__ import annotations

import io
import os
import re
import struct
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import openpyxl.xml
import pytest

from ahsp.importers import project_workbook, workbook_reader
from ahsp.importers.safe_workbook import (
    WorkbookLimits,
    WorkbookRejected,
    _Budget,
    _CountingReader,
    open_workbook,
)

MB = 1024 * 1024
MAX_SECONDS = 5.0  # generous; measured figures are in the final note of issue 12 (a few ms to ~0.3 s)
MAX_PEAK_MB = 50.0
SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
NOT_XLSX = "bukan buku kerja Excel .xlsx yang sah"
DTD = "DTD/entitas XML"


# ------------------------------------------------------------------------------------------------ builders


MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PARTS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"


def plain_workbook(rows=(("kode_item", "harga_satuan"), ("L.01", 1000), ("L.02", 2500))) -> bytes:
    """A workbook as Excel writes one: texts in the shared-strings table, numbers in the cells."""
    strings: list[str] = []
    body = []
    for number, values in enumerate(rows, start=1):
        cells = []
        for index, value in enumerate(values):
            reference = f"{chr(ord('A') + index)}{number}"
            if isinstance(value, str):
                strings.append(value)
                cells.append(f'<c r="{reference}" t="s"><v>{len(strings) - 1}</v></c>')
            else:
                cells.append(f'<c r="{reference}"><v>{value}</v></c>')
        body.append(f'<row r="{number}">{"".join(cells)}</row>')
    shared = "".join(f"<si><t>{text}</t></si>" for text in strings)
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{PARTS_NS}"><Relationship Id="rId1" Target="xl/workbook.xml" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets>'
            '<sheet name="Harga" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{PARTS_NS}">'
            f'<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="{REL_NS}/worksheet"/>'
            f'<Relationship Id="rId2" Target="sharedStrings.xml" Type="{REL_NS}/sharedStrings"/>'
            "</Relationships>"
        ),
        SHEET: sheet_xml("".join(body), dimension=f"A1:B{len(rows)}").decode().partition("?>")[2],
        STRINGS: f'<sst xmlns="{MAIN_NS}" count="{len(strings)}" uniqueCount="{len(strings)}">{shared}</sst>',
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + text)
    return buffer.getvalue()


def rewrite(data: bytes, parts: dict[str, bytes | Callable[[bytes], bytes]], extra=()) -> bytes:
    """The workbook ``data`` with some parts replaced (bytes, or a function of the old bytes) or added."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            content = source.read(info)
            replacement = parts.get(info.filename)
            if callable(replacement):
                content = replacement(content)
            elif replacement is not None:
                content = replacement
            target.writestr(info.filename, content)
        for name, content in extra:
            target.writestr(name, content)
    return out.getvalue()


def sheet_xml(body: str, dimension: str = "A1:B3", prolog: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f"{prolog}"
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{body}</sheetData></worksheet>'
    ).encode()


def inline_row(number: int, *values: str, column: str = "A") -> str:
    cells = "".join(
        f'<c r="{chr(ord(column) + i)}{number}" t="inlineStr"><is><t>{value}</t></is></c>'
        for i, value in enumerate(values)
    )
    return f'<row r="{number}">{cells}</row>'


def declared_dimension_workbook(*, corner: bool = False, header: tuple[str, ...] | None = None) -> bytes:
    """A few KB that declare A1:XFD1048576 (16,384 columns x 1,048,576 rows) and hold three rows; with
    ``corner`` also the one cell XFD1048576 that the dimension claims (the old opener padded each of the
    million rows up to it to 16,384 cells: minutes of one core)."""

    def hostile(xml: bytes) -> bytes:
        xml = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', xml)
        if corner:
            xml = xml.replace(
                b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
            )
        return xml

    rows = (header, ("L.01", 1000), ("L.02", 2500)) if header else plain_workbook.__defaults__[0]
    return rewrite(plain_workbook(rows), {SHEET: hostile})


def strings_bomb(path: Path, megabytes: int) -> Path:
    """A shared-strings table of one ``megabytes`` MB string, deflated to about 1/1000 of that."""
    base = plain_workbook()
    with (
        zipfile.ZipFile(io.BytesIO(base)) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            if info.filename == STRINGS:
                with target.open(STRINGS, "w") as stream:
                    stream.write(f'<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>'.encode())
                    block = b"A" * MB
                    for _ in range(megabytes):
                        stream.write(block)
                    stream.write(b"</t></si></sst>")
            else:
                target.writestr(info.filename, source.read(info))
    return path


def lie_about_size(data: bytes, member: str, declared: int) -> bytes:
    """Patch the central directory: ``member`` claims ``declared`` uncompressed bytes."""
    buffer = bytearray(data)
    name = member.encode()
    position = 0
    while (position := buffer.find(b"PK\x01\x02", position)) >= 0:
        name_length = struct.unpack_from("<H", buffer, position + 28)[0]
        if bytes(buffer[position + 46 : position + 46 + name_length]) == name:
            struct.pack_into("<L", buffer, position + 24, declared)
            return bytes(buffer)
        position += 4
    raise AssertionError(f"{member} not in the zip")


XXE_PROLOG = '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file://{path}">]>'
LAUGHS = (
    '<!DOCTYPE sst [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{"&lol{};".format(i - 1 if i > 1 else "") * 10}">' for i in range(1, 10))
    + "]>"
)


def billion_laughs() -> bytes:
    xml = (
        '<?xml version="1.0"?>'
        + LAUGHS
        + '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol9;</t></si></sst>'
    )
    return rewrite(plain_workbook(), {STRINGS: xml.encode()})


def many_members(count: int) -> bytes:
    return rewrite(plain_workbook(), {}, extra=[(f"customXml/item{i}.xml", b"<a/>") for i in range(count)])


# --------------------------------------------------------------------------------------------- measuring


def measure(action: Callable[[], object]) -> tuple[object, float, float]:
    """(result or the exception raised, CPU seconds, peak MB allocated by Python). CPU time, not wall time:
    the bound is on the parser's work, which must not depend on what else the machine runs (parallel
    tests, browsers)."""
    tracemalloc.start()
    started = time.process_time()
    try:
        result = action()
    except Exception as exc:  # the rejection is the result
        result = exc
    seconds = time.process_time() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, seconds, peak / MB


def read_all(source) -> list[list[tuple]]:
    with open_workbook(source) as workbook:
        return [list(sheet.rows()) for sheet in workbook.worksheets]


def refused(source) -> str:
    with pytest.raises(WorkbookRejected) as info:
        read_all(source)
    return str(info.value)


# ------------------------------------------------------------------------------------------ the classes


def test_openpyxl_parses_through_defusedxml():
    assert openpyxl.xml.DEFUSEDXML is True


def test_a_plain_workbook_reads_its_rows_compactly():
    (rows,) = read_all(io.BytesIO(plain_workbook()))

    assert rows == [("kode_item", "harga_satuan"), ("L.01", 1000), ("L.02", 2500)]


def test_declared_dimension_a1_xfd1048576_reads_only_the_rows_that_exist():
    data = declared_dimension_workbook()

    result, seconds, peak = measure(lambda: read_all(io.BytesIO(data)))

    assert len(data) < 10_000
    assert result == [[("kode_item", "harga_satuan"), ("L.01", 1000), ("L.02", 2500)]]
    assert seconds < MAX_SECONDS and peak < MAX_PEAK_MB


def test_declared_dimension_with_its_corner_cell_is_refused_fast():
    data = declared_dimension_workbook(corner=True)

    message, seconds, peak = measure(lambda: refused(io.BytesIO(data)))

    assert len(data) < 10_000
    assert "baris lebih dari 200.000" in message
    assert seconds < MAX_SECONDS and peak < MAX_PEAK_MB


@pytest.mark.parametrize("corner", [False, True])
def test_declared_dimension_in_each_importer_finishes_fast(tmp_path, corner):
    path = tmp_path / "dimensi.xlsx"
    path.write_bytes(declared_dimension_workbook(corner=corner))

    parsed, project_seconds, _peak = measure(lambda: project_workbook.parse_workbook(path))
    reference, reference_seconds, _peak = measure(lambda: workbook_reader.read_source_rows(path))

    assert project_seconds < MAX_SECONDS and reference_seconds < MAX_SECONDS
    # Neither finds its columns in the Harga sheet's header, so both stop there (the price import reads on:
    # test_views_hostile_uploads).
    assert parsed.problems and "Kolom wajib tidak ada" in str(reference)


def test_a_row_far_down_and_a_cell_far_right_are_refused_fast():
    far_down = rewrite(plain_workbook(), {SHEET: sheet_xml(inline_row(1, "a") + inline_row(1_048_576, "b"))})
    far_right = rewrite(
        plain_workbook(), {SHEET: sheet_xml(inline_row(1, "a") + '<row r="2"><c r="XFD2"><v>1</v></c></row>')}
    )

    message, seconds, peak = measure(lambda: refused(io.BytesIO(far_down)))
    assert "baris lebih dari 200.000" in message and seconds < MAX_SECONDS and peak < MAX_PEAK_MB
    message, seconds, peak = measure(lambda: refused(io.BytesIO(far_right)))
    assert "baris 2: kolom lebih dari 100." in message and seconds < MAX_SECONDS and peak < MAX_PEAK_MB


def test_row_and_text_caps_come_from_settings(settings):
    settings.WORKBOOK_LIMITS = {"max_rows": 2}

    assert "baris lebih dari 2" in refused(io.BytesIO(plain_workbook()))
    long_text = plain_workbook(rows=(("kode_item", "harga_satuan"), ("abcdef", 1)))
    settings.WORKBOOK_LIMITS = {"max_cell_chars": 5}
    assert "baris 1: isi sel lebih dari 5 karakter" in refused(io.BytesIO(long_text))


@pytest.fixture(scope="module")
def bomb_200mb(tmp_path_factory) -> Path:
    return strings_bomb(tmp_path_factory.mktemp("bomb") / "bom.xlsx", 200)


def test_a_200_mb_shared_strings_table_is_refused_before_it_is_loaded(bomb_200mb):
    message, seconds, peak = measure(lambda: refused(bomb_200mb))

    assert bomb_200mb.stat().st_size < 1 * MB
    assert message.startswith("Berkas terlalu besar setelah dibuka") and "200,0 MB" in message
    assert seconds < MAX_SECONDS and peak < MAX_PEAK_MB


def test_a_bomb_under_the_size_cap_is_refused_by_its_ratio(tmp_path):
    bomb = strings_bomb(tmp_path / "rasio.xlsx", 12)  # 12 MB < the 16 MB part cap, but 1000x

    message = refused(bomb)

    assert "mengembang" in message and "paling banyak 200 kali" in message


def test_a_lying_size_in_the_zip_directory_cannot_inflate(tmp_path):
    bomb = strings_bomb(tmp_path / "bohong.xlsx", 40).read_bytes()
    lying = lie_about_size(bomb, STRINGS, 1000)  # claims 1 KB; the deflated data hold 40 MB

    message, seconds, peak = measure(lambda: refused(io.BytesIO(lying)))

    assert "tidak dapat dibaca" in message or "tidak sesuai" in message
    assert seconds < MAX_SECONDS and peak < MAX_PEAK_MB


def test_the_reader_counts_real_bytes_whatever_the_directory_says():
    """Below zipfile (which itself stops at the declared size): more bytes than declared, or than the
    part's cap, stop the read at the first chunk past the limit."""
    limits = WorkbookLimits()
    lying = zipfile.ZipInfo(STRINGS)
    lying.file_size = 1000
    honest_but_big = zipfile.ZipInfo(STRINGS)
    honest_but_big.file_size = 40 * MB

    with pytest.raises(WorkbookRejected, match="tidak sesuai isinya"):
        _CountingReader(io.BytesIO(b"<a>" + b"x" * 100_000), lying, _Budget(limits)).read()
    with pytest.raises(WorkbookRejected, match="paling banyak 16 MB"):
        _CountingReader(io.BytesIO(b"<a>" + b"x" * 20 * MB), honest_but_big, _Budget(limits)).read()


@pytest.mark.parametrize(
    "part, content",
    [
        (SHEET, b"<worksheet><sheetData><row r='1'><c r='A1'><v>1</v>"),  # truncated
        (SHEET, b"\x00\x01 not xml at all"),
        ("xl/workbook.xml", b"<workbook><sheets><sheet name='x'"),
        (STRINGS, b"<sst><si><t>a</si></sst>"),
    ],
)
def test_malformed_xml_is_refused_with_a_message(part, content):
    message = refused(io.BytesIO(rewrite(plain_workbook(), {part: content})))

    assert "tidak dapat dibaca sebagai buku kerja Excel" in message or NOT_XLSX in message


@pytest.mark.parametrize("part", [SHEET, STRINGS, "xl/workbook.xml", "[Content_Types].xml"])
def test_an_external_entity_is_never_read(tmp_path, part):
    secret = tmp_path / "rahasia.txt"
    secret.write_text("RAHASIA-XXE")
    root = {
        SHEET: "worksheet",
        STRINGS: "sst",
        "xl/workbook.xml": "workbook",
        "[Content_Types].xml": "Types",
    }[part]

    def with_xxe(xml: bytes) -> bytes:
        root_at = re.search(rb"<[A-Za-z]", xml).start()
        doctype = XXE_PROLOG.format(path=secret).replace("worksheet", root).encode()
        body = xml[root_at:]
        closing = body.rindex(b"</")
        return xml[:root_at] + doctype + body[:closing] + b"&xxe;" + body[closing:]

    data = rewrite(plain_workbook(), {part: with_xxe})

    message = refused(io.BytesIO(data))
    assert DTD in message and "RAHASIA" not in message
    parsed = project_workbook.parse_workbook(io.BytesIO(data))
    assert "RAHASIA" not in repr(parsed) and DTD in parsed.problems[0].reason


def test_a_dtd_hidden_after_a_long_comment_is_still_refused():
    padding = "<!--" + "x" * 100_000 + "-->"
    data = rewrite(
        plain_workbook(),
        {SHEET: sheet_xml(inline_row(1, "a"), prolog=padding + LAUGHS.replace("sst", "worksheet"))},
    )

    message = refused(io.BytesIO(data))

    assert "XML rusak" in message or DTD in message


def test_billion_laughs_is_refused_fast_in_little_memory():
    data = billion_laughs()

    message, seconds, peak = measure(lambda: refused(io.BytesIO(data)))

    assert DTD in message and seconds < MAX_SECONDS and peak < MAX_PEAK_MB


def test_too_many_members_are_refused_before_the_directory_is_read():
    data = many_members(20_000)

    message, seconds, peak = measure(lambda: refused(io.BytesIO(data)))

    assert "terlalu banyak bagian (20.0" in message and "paling banyak 1.000" in message
    assert seconds < MAX_SECONDS and peak < MAX_PEAK_MB


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"", NOT_XLSX),
        (b"kode_item;harga_satuan\nL.01;1000\n", NOT_XLSX),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
            "berformat .xls lama atau dilindungi kata sandi",
        ),
        (b"PK\x03\x04" + b"\x00" * 100, NOT_XLSX),  # a zip header without a directory
    ],
)
def test_a_file_that_is_no_xlsx_is_refused(content, expected):
    assert expected in refused(io.BytesIO(content))


def test_a_zip_that_is_no_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "halo")

    assert NOT_XLSX in refused(io.BytesIO(out.getvalue()))


def test_encrypted_and_oddly_compressed_members_are_refused():
    encrypted = bytearray(plain_workbook())
    position = encrypted.find(b"PK\x01\x02")
    struct.pack_into("<H", encrypted, position + 8, struct.unpack_from("<H", encrypted, position + 8)[0] | 1)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plain_workbook())) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info), compress_type=zipfile.ZIP_BZIP2)

    assert "terenkripsi" in refused(io.BytesIO(bytes(encrypted)))
    assert "metode kompresi tidak dikenal" in refused(io.BytesIO(out.getvalue()))


def test_the_time_budget_stops_reading(settings):
    settings.WORKBOOK_LIMITS = {"max_seconds": 0}

    assert "melebihi batas waktu" in refused(io.BytesIO(plain_workbook()))


# --------------------------------------------------------------------------------------- measured bounds


@pytest.mark.skipif(not os.environ.get("BOUNDS"), reason="prints the figures of the closing note (BOUNDS=1)")
def test_print_measured_bounds(bomb_200mb, tmp_path):
    files = {
        "dimension A1:XFD1048576": io.BytesIO(declared_dimension_workbook()),
        "dimension + corner cell": io.BytesIO(declared_dimension_workbook(corner=True)),
        "shared strings 200 MB": bomb_200mb,
        "lying zip header (40 MB)": io.BytesIO(
            lie_about_size(strings_bomb(tmp_path / "l.xlsx", 40).read_bytes(), STRINGS, 1000)
        ),
        "malformed XML": io.BytesIO(rewrite(plain_workbook(), {SHEET: b"<worksheet><sheetData>"})),
        "XXE /etc/passwd": io.BytesIO(
            rewrite(
                plain_workbook(),
                {SHEET: sheet_xml(inline_row(1, "&xxe;"), prolog=XXE_PROLOG.format(path="/etc/passwd"))},
            )
        ),
        "billion laughs": io.BytesIO(billion_laughs()),
        "20,000 members": io.BytesIO(many_members(20_000)),
        "not a zip": io.BytesIO(b"kode;harga\n"),
    }
    cases = {name: (lambda source=source: read_all(source)) for name, source in files.items()}
    for name, action in cases.items():
        result, seconds, peak = measure(action)
        print(f"{name:28s} {seconds:7.3f} s {peak:7.1f} MB  {str(result)[:90]}")
