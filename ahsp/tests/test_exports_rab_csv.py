"""The streamed RAB CSV: format for Indonesian Excel, hand-worked totals, order, formula injection."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from ahsp.exports.rab_csv import HEADER, build_rab_csv, plain_number, rab_csv_rows, text_cell
from ahsp.loaders import rab as rab_loader
from ahsp.loaders.rab_notes import load_rab_notes
from ahsp.models import ProjectResource, Section, WorkItem
from ahsp.services import recalc, work_items
from ahsp.tests.factories import ProjectFactory, SectionFactory, WorkItemFactory
from ahsp.tests.rab_data import build_small_rab

HEADER_LINE = "no;kode;uraian;satuan;volume;harga_satuan;jumlah_harga;bobot\r\n"
STATEMENT = "Harga satuan pekerjaan sudah termasuk Biaya Umum dan Keuntungan (BUK)"


def csv_url(project):
    return reverse("ahsp:project_rab_csv", args=[project.pk])


def download(client, project):
    response = client.get(csv_url(project))
    assert response.status_code == 200
    assert response.streaming
    return response, b"".join(response.streaming_content)


def parse(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";"))


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Decimal("1234567.891"), 2, "1234567,89"),
        (Decimal("1234567.895"), 2, "1234567,90"),  # half-up, like the page
        (Decimal("0"), 2, "0,00"),
        (Decimal("12.75"), 4, "12,7500"),
        (Decimal("8.454013"), 6, "8,454013"),
        (Decimal("1000000000000"), 2, "1000000000000,00"),
        (Decimal("-1500.5"), 2, "-1500,50"),
    ],
)
def test_plain_number(value, places, expected):
    assert plain_number(value, places) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x","klik")', '\'=HYPERLINK("http://x","klik")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Galian tanah", "Galian tanah"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_text_cell_neutralises_formulas(value, expected):
    assert text_cell(value) == expected


def _row(**fields):
    defaults = {
        "id": 1,
        "section_id": 1,
        "ancestor_ids": (1,),
        "depth": 1,
        "number": "I.1",
        "code": "C.1",
        "name": "Pekerjaan",
        "unit": "m2",
        "volume": Decimal("1"),
        "unit_rate": Decimal("1"),
        "amount": Decimal("1"),
        "weight": Decimal("100"),
        "missing_prices": 0,
    }
    return rab_loader.ItemRow(**{**defaults, **fields})


@pytest.mark.django_db
def test_negative_numbers_stay_numbers(user):
    summary = rab_loader.load_rab_summary(ProjectFactory(owner=user))

    cells = next(rab_csv_rows(summary, [_row(amount=Decimal("-5"), name="-5")]))

    assert cells[2] == "'-5"  # the name is text: neutralised
    assert cells[6] == "-5,00"  # the amount is a number written by the exporter: untouched


@pytest.mark.django_db
def test_header_is_sent_before_any_row_is_read(user):
    summary = rab_loader.load_rab_summary(ProjectFactory(owner=user))
    read = []

    def rows():
        for number in range(5):
            read.append(number)
            yield _row(id=number, number=f"I.{number}")

    chunks = build_rab_csv(summary, rows(), rows_per_chunk=2)

    assert next(chunks) == ("\ufeff" + HEADER_LINE).encode()
    assert read == []
    rest = list(chunks)
    assert read == [0, 1, 2, 3, 4]
    assert len(rest) == 5  # 5 rows + 4 total rows = 9 lines, in chunks of 2
    assert [chunk.count(b"\r\n") for chunk in rest] == [2, 2, 2, 2, 1]


@pytest.mark.django_db
def test_csv_of_the_hand_worked_project(logged_in_client, user):
    rab = build_small_rab(user)

    response, body = download(logged_in_client, rab.project)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="rab-gedung-serbaguna.csv"'
    assert body.startswith(b"\xef\xbb\xbf" + HEADER_LINE.encode())
    assert tuple(parse(body)[0]) == HEADER
    # Values worked out by hand in ahsp/tests/rab_data.py.
    assert parse(body)[1:] == [
        ["I", "", "Pekerjaan Persiapan dan Tanah", "", "", "", "1091750,00", "58,881460"],
        ["I.1", "C.1", "Pemasangan bowplank", "m'", "2,5000", "62700,00", "156750,00", "8,454013"],
        ["I.2", "2.2.1.1", "Galian tanah biasa", "m3", "10,0000", "93500,00", "935000,00", "50,427447"],
        ["II", "", "Pekerjaan Plesteran", "", "", "", "762399,00", "41,118540"],
        ["II.1", "C.3", "Plesteran 1:4", "m2", "12,7500", "59796,00", "762399,00", "41,118540"],
        ["", "", "Jumlah", "", "", "", "1854149,00", ""],
        ["", "", "PPN 11,00 %", "", "", "", "203956,39", ""],
        ["", "", "Jumlah total", "", "", "", "2058105,39", ""],
        ["", "", "Dibulatkan", "", "", "", "2058000,00", ""],
        ["", "", f"Catatan: {STATEMENT} 10 %", "", "", "", "", ""],
    ]


@pytest.mark.django_db
def test_csv_rows_follow_the_tree_with_sub_sections(logged_in_client, user):
    rab = build_small_rab(user)
    sub = SectionFactory(project=rab.project, parent=rab.earthwork, name="Urugan", position=1)
    WorkItemFactory(
        project=rab.project,
        section=sub,
        analysis=rab.excavation.analysis,
        name="Urugan pasir",
        unit="m3",
        position=0,
        volume=Decimal("2"),
        unit_rate=Decimal("93500.00"),
        amount=Decimal("187000.00"),
    )

    _, body = download(logged_in_client, rab.project)

    # Section I: bowplank (position 0), then the sub-section (position 1, before the item at position 1)
    assert [row[:3] for row in parse(body)[1:6]] == [
        ["I", "", "Pekerjaan Persiapan dan Tanah"],
        ["I.1", "C.1", "Pemasangan bowplank"],
        ["I.2", "", "Urugan"],
        ["I.2.1", "2.2.1.1", "Urugan pasir"],
        ["I.3", "2.2.1.1", "Galian tanah biasa"],
    ]
    assert parse(body)[1][6] == "1278750,00"  # 156.750 + 187.000 + 935.000
    assert parse(body)[-5][6] == "2041149,00"  # 1.854.149 + 187.000


@pytest.mark.django_db
def test_csv_neutralises_formula_injection(logged_in_client, user):
    rab = build_small_rab(user)
    WorkItem.objects.filter(pk=rab.bowplank.pk).update(name='=HYPERLINK("http://evil.example","klik")')
    WorkItem.objects.filter(pk=rab.excavation.pk).update(name="@SUM(1)", unit="-m3")
    Section.objects.filter(pk=rab.plaster.pk).update(name="+cmd|' /C calc'!A0")

    _, body = download(logged_in_client, rab.project)

    rows = parse(body)
    assert rows[2][2] == '\'=HYPERLINK("http://evil.example","klik")'
    assert rows[3][2] == "'@SUM(1)" and rows[3][3] == "'-m3"
    assert rows[4][2] == "'+cmd|' /C calc'!A0"
    assert rows[3][4:8] == ["10,0000", "93500,00", "935000,00", "50,427447"]  # numbers untouched


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ('Gedung "Ünïcode" / ..\\ <x>', 'attachment; filename="rab-gedung-unicode-x.csv"'),
        ("Проект", 'attachment; filename="rab-proyek-{pk}.csv"'),
    ],
)
def test_csv_file_name_is_safe(logged_in_client, user, name, expected):
    project = ProjectFactory(owner=user, name=name)

    response, _ = download(logged_in_client, project)

    assert response["Content-Disposition"] == expected.format(pk=project.pk)


@pytest.mark.django_db
def test_empty_project_csv_has_header_and_totals(logged_in_client, user):
    _, body = download(logged_in_client, ProjectFactory(owner=user))

    assert [row[2] for row in parse(body)] == [
        "uraian",
        "Jumlah",
        "PPN 11,00 %",
        "Jumlah total",
        "Dibulatkan",
        f"Catatan: {STATEMENT} 10 %",
    ]
    assert {row[6] for row in parse(body)[1:-1]} == {"0,00"}


@pytest.mark.django_db
def test_csv_is_404_for_another_user_and_needs_login(client, other_user, user):
    project = ProjectFactory(owner=user)

    assert client.get(csv_url(project)).status_code == 302
    client.force_login(other_user)
    assert client.get(csv_url(project)).status_code == 404


# --- the BUK statement and the draft line (issue 11 §5, §7) -------------------------------------------


@pytest.mark.django_db
def test_csv_states_the_buk_with_the_items_that_have_their_own(logged_in_client, user):
    rab = build_small_rab(user, overhead_profit_pct=Decimal("12.5"))
    WorkItem.objects.filter(pk=rab.excavation.pk).update(overhead_pct_override=Decimal("15"))
    WorkItem.objects.filter(pk=rab.plastering.pk).update(overhead_pct_override=Decimal("15.75"))
    recalc.recalculate_project(rab.project)

    rows = parse(download(logged_in_client, rab.project)[1])

    assert rows[1][0] == "I"  # complete: no draft line, the first section follows the header
    assert rows[-2] == [
        "",
        "",
        f"Catatan: {STATEMENT} 12,5 %, kecuali: I.2 Galian tanah biasa 15 %; II.1 Plesteran 1:4 15,75 %",
        "",
        "",
        "",
        "",
        "",
    ]
    assert rows[-1][2] == (
        "BUK khusus di atas batas 15 % untuk pekerjaan pemerintah (Permen PUPR 8/2023); boleh untuk pekerjaan swasta."
    )
    assert all(len(row) == len(HEADER) for row in rows)


@pytest.mark.django_db
def test_csv_of_an_incomplete_rab_says_draft_right_after_the_header(logged_in_client, user):
    rab = build_small_rab(user)
    ProjectResource.objects.filter(project=rab.project, code__in=["L.04", "M.10"]).update(unit_price=None)
    for name in ("Papan nama proyek", "=SMK3"):
        work_items.add_custom(project=rab.project, section=rab.plaster, name=name, unit="ls", by=user)

    body = download(logged_in_client, rab.project)[1]
    rows = parse(body)

    assert body.startswith(b"\xef\xbb\xbf" + HEADER_LINE.encode())  # still the header first
    mark = "DRAF — RAB belum lengkap: 2 pekerjaan tanpa harga satuan, 2 sumber daya tanpa harga"
    assert rows[1] == ["", "", mark, "", "", "", "", ""]
    assert rows[2][:3] == ["I", "", "Pekerjaan Persiapan dan Tanah"]
    assert "'=SMK3" in [row[2] for row in rows]
    assert sum(mark in row[2] for row in rows) == 1


@pytest.mark.django_db
def test_draft_line_is_sent_with_the_header_before_any_row_is_read(user):
    rab = build_small_rab(user)
    ProjectResource.objects.filter(project=rab.project, code="M.15").update(unit_price=None)
    summary = rab_loader.load_rab_summary(rab.project)
    notes = load_rab_notes(rab.project, summary)
    read = []

    def rows():
        for number in range(3):
            read.append(number)
            yield _row(id=number, number=f"I.{number}")

    chunks = build_rab_csv(summary, rows(), rows_per_chunk=2, notes=notes)

    first = next(chunks).decode("utf-8")
    assert first == "\ufeff" + HEADER_LINE + ";;DRAF — RAB belum lengkap: 1 sumber daya tanpa harga;;;;;\r\n"
    assert read == []
    assert list(chunks)[-1].decode().endswith(f";;Catatan: {STATEMENT} 10 %;;;;;\r\n")
