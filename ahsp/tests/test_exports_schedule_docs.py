"""The schedule document (jadwal pelaksanaan): PDF (landscape Gantt table in bands of weeks) and XLSX (live
weights and weekly curve), plus the helpers shared with the Kurva S and kebutuhan document tests: the
worked example and a small Decimal evaluator of the formulas the builders write.

The example is the 3-item, 4-week one of ``test_calculations_schedule.py`` / ``test_services_schedule.py``
(project start Monday 2 March 2026, total Rp 10.000.000)::

    item  amount      bobot  planned shares (% of the item)     actual shares (% of the item)
    I.1 A 2.000.000   20 %   w1 50, w2 50                        w1 40, w2 60
    I.2 B 5.000.000   50 %   w2 20, w3 30, w4 50                 w2 10, w3 20
    I.3 C 3.000.000   30 %   w4 100                              -

    planned % of the project per week (bobot x share / 100): 10, 20, 15, 55; cumulative 10, 30, 45, 100
    actual (reported up to week 3): 8, 17, 10; cumulative 8, 25, 35; deviation -2, -5, -10 (terlambat)
    actual cost entered: w1 900.000, w2 1.900.000, w3 1.000.000 (cumulative 0,9 / 2,8 / 3,8 juta)
"""

import io
import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, localcontext

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from ahsp.exports import schedule_pdf
from ahsp.exports.schedule_pdf import build_schedule_pdf, widths
from ahsp.exports.schedule_xlsx import FIRST_DATA_ROW, HEADER, build_schedule_xlsx
from ahsp.exports.xlsx_common import HEADER_ROW
from ahsp.loaders.schedule_table import NO_SCHEDULE_NOTE, bands, load_schedule_table
from ahsp.models import ExportJob, WorkItem
from ahsp.services import exports, schedule, sections, work_items
from ahsp.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

INJECTION = '=HYPERLINK("http://x","klik")'
SCRIPT = "<script>alert(1)</script> Pekerjaan"
SIGNATORIES = {
    "signing_place": "Bandung",
    "prepared_by_name": "Ir. Budi Santoso",
    "prepared_by_title": "Estimator",
    "checked_by_name": "Rina Wulandari, S.T.",
    "checked_by_title": "Kepala Seksi",
    "approved_by_name": "Dra. Siti Rahmawati, M.T.",
    "approved_by_title": "Kepala Dinas PUPR",
}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def build_example(user, *, progress: bool = True, **fields):
    """The worked example of the module docstring, through the services; returns (project, [A, B, C])."""
    defaults = {
        "name": "Gedung Serbaguna",
        "start_date": date(2026, 3, 2),
        "duration_weeks": 4,
        **SIGNATORIES,
    }
    project = ProjectFactory(owner=user, **{**defaults, **fields})
    section = sections.create(project=project, name="Pekerjaan Utama", by=user)
    items = []
    for name, amount in (("A", "2000000"), ("B", "5000000"), ("C", "3000000")):
        item = work_items.add_custom(project=project, section=section, name=name, unit="ls", by=user)
        WorkItem.objects.filter(pk=item.pk).update(amount=Decimal(amount))
        items.append(WorkItem.objects.get(pk=item.pk))
    a, b, c = items
    schedule.set_even_plan(item=a, first_week=1, last_week=2, by=user)
    schedule.set_plan(item=b, shares={2: Decimal(20), 3: Decimal(30), 4: Decimal(50)}, by=user)
    schedule.set_even_plan(item=c, first_week=4, last_week=4, by=user)
    if progress:
        for item, week, value in ((a, 1, 40), (a, 2, 60), (b, 2, 10), (b, 3, 20)):
            schedule.set_progress(item=item, week=week, progress=Decimal(value), by=user)
        for week, cost in ((1, "900000"), (2, "1900000"), (3, "1000000")):
            schedule.set_week_report(
                project=project, week=week, report_date=None, actual_cost=Decimal(cost), by=user
            )
    return project, items


@pytest.fixture
def example(user):
    return build_example(user)


# --- reading the produced files ---------------------------------------------------------------------------


def read_pdf(data: bytes) -> tuple[PdfReader, list[str]]:
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    return reader, [" ".join(page.extract_text().split()) for page in reader.pages]


def is_landscape(reader: PdfReader) -> bool:
    box = reader.pages[0].mediabox
    return float(box.width) > float(box.height)


def assert_numbered(pages: list[str]) -> None:
    for number, page in enumerate(pages, start=1):
        assert f"Halaman {number} dari {len(pages)}" in page


def content(reader: PdfReader, index: int = 0) -> str:
    return reader.pages[index].get_contents().get_data().decode("latin-1")


def rgb(hex_colour: str) -> str:
    """ReportLab's fill operator for a colour: ``"9dc3e6"`` -> ``".615686 .764706 .901961 rg"``."""
    parts = []
    for i in (0, 2, 4):
        value = f"{int(hex_colour[i : i + 2], 16) / 255:.6f}".rstrip("0").rstrip(".")
        parts.append(value[1:] if value.startswith("0.") else value)
    return " ".join(parts) + " rg"


# --- a tiny Decimal evaluator of the formulas the builders write ----------------------------------------

_TOKEN = re.compile(
    r'\s*(?:(?P<str>"[^"]*")|(?P<range>\$?[A-Z]{1,3}\$?\d+:\$?[A-Z]{1,3}\$?\d+)|(?P<func>[A-Z]+)\(|'
    r"(?P<ref>\$?[A-Z]{1,3}\$?\d+)|(?P<num>\d+(?:\.\d+)?)|(?P<op><=|>=|<>|[-+*/=<>(),]))"
)


def _round(value: Decimal, digits: Decimal) -> Decimal:
    """Excel ROUND: half away from zero."""
    return value.quantize(Decimal(1).scaleb(-int(digits)), rounding=ROUND_HALF_UP)


class Evaluator:
    """Cells of a loaded sheet as Decimal (or text): numbers as written, empty = 0, formulas of + - * /,
    comparisons, SUM, SUMPRODUCT, ROUND and a lazy IF, over cells and ranges of the same sheet."""

    def __init__(self, ws):
        self.ws = ws

    def __call__(self, ref: str):
        value = self.ws[ref.replace("$", "")].value
        if value is None:
            return Decimal(0)
        if isinstance(value, datetime | date):
            raise AssertionError(f"{ref} is a date")
        if isinstance(value, bool):
            raise AssertionError(f"{ref} is a boolean")
        if isinstance(value, int | float):
            return Decimal(str(value))
        if isinstance(value, Decimal):
            return value
        if not value.startswith("="):
            return value
        tokens = [m for m in _TOKEN.finditer(value[1:])]
        assert "".join(m.group(0) for m in tokens).strip() == value[1:].strip(), value
        self.tokens, self.position = tokens, 0
        with localcontext() as context:
            context.prec = 40
            tree = self._comparison()
            assert self.position == len(tokens), value
            return tree()

    # parser: each method returns a thunk (IF evaluates only its taken branch)
    def _peek(self):
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _take(self, op: str | None = None):
        token = self.tokens[self.position]
        if op is not None:
            assert token["op"] == op, (op, token.group(0))
        self.position += 1
        return token

    def _comparison(self):
        left = self._additive()
        token = self._peek()
        if token is not None and token["op"] in ("=", "<>", "<", ">", "<=", ">="):
            op = self._take()["op"]
            right = self._additive()
            compare = {
                "=": lambda a, b: a == b,
                "<>": lambda a, b: a != b,
                "<": lambda a, b: a < b,
                ">": lambda a, b: a > b,
                "<=": lambda a, b: a <= b,
                ">=": lambda a, b: a >= b,
            }[op]
            return lambda: compare(left(), right())
        return left

    def _additive(self):
        node = self._term()
        while (token := self._peek()) is not None and token["op"] in ("+", "-"):
            op = self._take()["op"]
            left, right = node, self._term()
            node = (
                (lambda a, b: lambda: a() + b())(left, right)
                if op == "+"
                else (lambda a, b: lambda: a() - b())(left, right)
            )
        return node

    def _term(self):
        node = self._unary()
        while (token := self._peek()) is not None and token["op"] in ("*", "/"):
            op = self._take()["op"]
            left, right = node, self._unary()
            node = (
                (lambda a, b: lambda: a() * b())(left, right)
                if op == "*"
                else (lambda a, b: lambda: a() / b())(left, right)
            )
        return node

    def _unary(self):
        token = self._peek()
        if token is not None and token["op"] == "-":
            self._take()
            inner = self._unary()
            return lambda: -inner()
        return self._primary()

    def _primary(self):
        token = self._take()
        if token["num"]:
            value = Decimal(token["num"])
            return lambda: value
        if token["str"]:
            text = token["str"][1:-1]
            return lambda: text
        if token["ref"]:
            ref = token["ref"]
            return lambda: self(ref)
        if token["range"]:
            area = token["range"].replace("$", "")
            return lambda: [self(cell.coordinate) for row in self.ws[area] for cell in row]
        if token["op"] == "(":
            inner = self._comparison()
            self._take(")")
            return inner
        name = token["func"]
        args = []
        if self._peek()["op"] != ")":
            args.append(self._comparison())
            while self._peek()["op"] == ",":
                self._take()
                args.append(self._comparison())
        self._take(")")
        return self._function(name, args)

    @staticmethod
    def _numbers(values) -> list[Decimal]:
        flat = []
        for value in values:
            flat.extend(value if isinstance(value, list) else [value])
        return [v for v in flat if isinstance(v, Decimal)]

    def _function(self, name: str, args):
        if name == "IF":
            condition, yes, no = args
            return lambda: yes() if condition() else no()
        if name == "SUM":
            return lambda: sum(self._numbers([a() for a in args]), Decimal(0))
        if name == "SUMPRODUCT":

            def product():
                left, right = (a() for a in args)
                assert len(left) == len(right)
                return sum(
                    (x * y for x, y in zip(left, right, strict=True) if isinstance(x, Decimal)), Decimal(0)
                )

            return product
        if name == "ROUND":
            value, digits = args
            return lambda: _round(value(), digits())
        raise AssertionError(f"unexpected function {name}")


def evaluate(ws, ref: str):
    return Evaluator(ws)(ref)


def test_evaluator_knows_the_formula_shapes():
    from openpyxl import Workbook

    ws = Workbook().active
    ws["A1"], ws["A2"], ws["B1"], ws["B2"] = 2, 3, Decimal("0.5"), None
    ws["C1"] = '=IF(B2=0,"",ROUND(A1/B2,2))'
    ws["C2"] = "=SUMPRODUCT($A$1:$A$2,B1:B2)/100+SUM(A1:A2)-(-1)"
    ws["C3"] = '=IF(C2>=6.01,"ya","tidak")'
    assert evaluate(ws, "C1") == ""
    assert evaluate(ws, "C2") == Decimal("6.01")
    assert evaluate(ws, "C3") == "ya"


# --- data ---------------------------------------------------------------------------------------------------


def test_table_rows_carry_the_plans_in_tree_order(example, django_assert_max_num_queries):
    project, (a, b, c) = example
    with django_assert_max_num_queries(9):
        table = load_schedule_table(project)
    assert [(line.kind, line.number, line.name) for line in table.lines] == [
        ("section", "I", "Pekerjaan Utama"),
        ("item", "I.1", "A"),
        ("item", "I.2", "B"),
        ("item", "I.3", "C"),
    ]
    section, first, second, third = table.lines
    assert [line.weight for line in table.lines] == [Decimal(100), Decimal(20), Decimal(50), Decimal(30)]
    assert first.shares == {1: Decimal(50), 2: Decimal(50)} and third.shares == {4: Decimal(100)}
    assert section.weeks == frozenset({1, 2, 3, 4})
    assert [row.planned for row in table.curve] == [Decimal(10), Decimal(20), Decimal(15), Decimal(55)]
    assert table.unplanned_item_count == 0 and table.total_weight == 100
    assert [[w.number for w in band] for band in bands(table.weeks, 3)] == [[1, 2, 3], [4]]
    assert widths(16) == ("1.10cm", "6.00cm") and widths(4) == ("1.80cm", "16.40cm")


# --- PDF ---------------------------------------------------------------------------------------------------


def test_schedule_pdf_prints_the_gantt_table_with_weights_shares_and_totals(example):
    project, _items = example
    calls = []

    reader, pages = read_pdf(build_schedule_pdf(project, progress=lambda *args: calls.append(args)))
    text = " ".join(pages)

    assert is_landscape(reader) and len(pages) == 1
    assert_numbered(pages)
    assert "JADWAL PELAKSANAAN PEKERJAAN" in text
    for field in ("Gedung Serbaguna", "Dinas PUPR Kabupaten Contoh", "Kecamatan Sukamaju", "APBD", "2026"):
        assert field in text
    assert "4 minggu, 2 Maret 2026 – 29 Maret 2026" in text
    # The band heading, then the header: week number and first day.
    assert "Minggu ke-1 s.d. ke-4 (2 Maret 2026 – 29 Maret 2026) No Uraian Pekerjaan Bobot (%)" in text
    assert "1 2/3 2 9/3 3 16/3 4 23/3" in text
    # Rows: bobot (2 decimals) and the planned % of the item in its weeks.
    assert "I Pekerjaan Utama 100,00 I.1 A 20,00 50 50 I.2 B 50,00 20 30 50 I.3 C 30,00 100" in text
    assert "Rencana per minggu (% bobot proyek) 100,00 10,00 20,00 15,00 55,00" in text
    assert "Rencana kumulatif (%) 10,00 30,00 45,00 100,00" in text
    assert "belum dijadwalkan" not in text
    for value in SIGNATORIES.values():
        assert value in text
    # The planned weeks are shaded (the fill colour of td.on), the section's weeks lighter (td.span).
    assert rgb("9dc3e6") in content(reader) and rgb("deebf7") in content(reader)
    assert calls[0] == (0, 100, "Membaca jadwal") and calls[-1] == (100, 100, "Menomori halaman")
    assert [done for done, *_ in calls] == sorted(done for done, *_ in calls)


def test_weeks_are_printed_in_bands_of_16_with_the_header_on_every_page(user):
    project = ProjectFactory(
        owner=user, name="Proyek Panjang", start_date=date(2026, 1, 5), duration_weeks=20
    )
    section = sections.create(project=project, name="Pekerjaan Struktur", by=user)
    for number in range(45):
        item = work_items.add_custom(
            project=project, section=section, name=f"Item {number}", unit="m2", by=user
        )
        WorkItem.objects.filter(pk=item.pk).update(amount=Decimal(1000))
        if number == 0:
            schedule.set_even_plan(
                item=WorkItem.objects.get(pk=item.pk), first_week=15, last_week=18, by=user
            )

    reader, pages = read_pdf(build_schedule_pdf(project))
    text = " ".join(pages)

    assert is_landscape(reader) and len(pages) >= 4
    assert_numbered(pages)
    assert "Minggu ke-1 s.d. ke-16 (5 Januari 2026 – 26 April 2026) · bagian 1 dari 2" in text
    assert "Minggu ke-17 s.d. ke-20 (27 April 2026 – 24 Mei 2026) · bagian 2 dari 2" in text
    assert "15 13/4 16 20/4 I Pekerjaan Struktur" in text  # the last weeks of band 1
    assert "17 27/4 18 4/5 19 11/5 20 18/5 I Pekerjaan Struktur" in text
    # Item 0 (bobot 1/45 = 2,22 %) is planned 25 % in weeks 15-18: two in each band.
    assert "I.1 Item 0 2,22 25 25 I.2" in text
    assert "I.1 Item 0 2,22 25 25 I.2" in text.split("bagian 2 dari 2")[1]
    # Every page of a band repeats its heading and the column header.
    for page in pages:
        assert re.search(r"Minggu ke-(1|17) s\.d\. ke-(16|20) .* No Uraian Pekerjaan Bobot \(%\)", page)
    assert "44 pekerjaan belum dijadwalkan" in text and text.count("(belum dijadwalkan)") == 2 * 44


def test_a_large_schedule_is_laid_out_in_parts_with_the_same_content(user, monkeypatch):
    project, _items = build_example(user)
    single = read_pdf(build_schedule_pdf(project))[1]
    monkeypatch.setattr(schedule_pdf, "SINGLE_LAYOUT_ROWS", 0)
    monkeypatch.setattr(schedule_pdf, "ROWS_PER_TABLE", 2)
    monkeypatch.setattr(schedule_pdf, "TABLES_PER_PART", 1)
    calls = []

    reader, pages = read_pdf(build_schedule_pdf(project, progress=lambda *args: calls.append(args)))

    assert len(pages) == 2 and is_landscape(reader)  # two tables of 2 rows, each part on its own page
    assert_numbered(pages)
    assert "JADWAL PELAKSANAAN PEKERJAAN" in pages[0] and "JADWAL PELAKSANAAN PEKERJAAN" not in pages[1]
    assert "Disetujui oleh" in pages[1] and "Disetujui oleh" not in pages[0]
    assert "I.1 A 20,00 50 50" in pages[0] and "I.3 C 30,00 100" in pages[1]
    assert "Rencana kumulatif (%) 10,00 30,00 45,00 100,00" in pages[1]
    assert "Rencana kumulatif (%) 10,00 30,00 45,00 100,00" in single[0]
    assert ("Menyusun bagian 2/2" in [stage for *_, stage in calls]) and calls[-1][:2] == (100, 100)


def test_unplanned_items_and_user_text_are_printed_plainly(user):
    project, (a, _b, _c) = build_example(user, progress=False, name='<script>alert("x")</script> & Co')
    schedule.clear_plan(item=WorkItem.objects.get(pk=a.pk), by=user)
    WorkItem.objects.filter(pk=a.pk).update(name=INJECTION)
    long_name = "Pekerjaan pemasangan " + "rangka atap baja ringan lengkap dengan " * 6 + "akhir"
    WorkItem.objects.filter(pk=_c.pk).update(name=long_name)

    reader, pages = read_pdf(build_schedule_pdf(project))
    text = " ".join(pages)

    assert '<script>alert("x")</script> & Co' in text
    assert f"I.1 {INJECTION} (belum dijadwalkan) 20,00 I.2" in text
    assert "akhir 30,00 100" in text and len(pages) == 1  # the long name wraps inside its column
    assert "1 pekerjaan belum dijadwalkan, sehingga rencana kumulatif belum mencapai 100 %" in text
    assert "Rencana kumulatif (%) 0,00 10,00 25,00 80,00" in text


def test_a_project_without_start_date_or_duration_gets_a_note(user):
    for fields in ({"start_date": None}, {"duration_weeks": None}):
        project, _items = build_example(user, progress=False)
        type(project).objects.filter(pk=project.pk).update(**fields)
        project.refresh_from_db()

        reader, pages = read_pdf(build_schedule_pdf(project))

        assert len(pages) == 1 and is_landscape(reader)
        assert NO_SCHEDULE_NOTE in pages[0] and "Halaman 1 dari 1" in pages[0]
        assert "Rencana per minggu" not in pages[0] and "Disetujui oleh" in pages[0]


def test_an_empty_project_prints_a_document(user):
    reader, pages = read_pdf(build_schedule_pdf(ProjectFactory(owner=user, name="Kosong")))
    assert "Belum ada klasifikasi dan pekerjaan." in pages[0]
    assert "Rencana kumulatif (%) 0,00" in pages[0] and "Halaman 1 dari 1" in pages[0]


# --- XLSX --------------------------------------------------------------------------------------------------


def open_sheet(data: bytes):
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["Jadwal"]
    return workbook["Jadwal"]


def test_schedule_xlsx_has_numbers_fills_and_live_weights_and_curve(example, django_assert_max_num_queries):
    project, _items = example
    calls = []
    with django_assert_max_num_queries(10):  # the table's 9, the RAB's completeness (the draft line)
        data = build_schedule_xlsx(project, progress=lambda *args: calls.append(args))
    ws = open_sheet(data)

    assert ws["A1"].value == "JADWAL PELAKSANAAN PEKERJAAN" and ws["C2"].value == "Gedung Serbaguna"
    header = [ws.cell(row=HEADER_ROW, column=c).value for c in range(1, 9)]
    assert header == [*HEADER, "Minggu 1", "Minggu 2", "Minggu 3", "Minggu 4"]
    assert [ws.cell(row=HEADER_ROW + 1, column=c).value for c in range(5, 9)] == [
        datetime(2026, 3, 2),
        datetime(2026, 3, 9),
        datetime(2026, 3, 16),
        datetime(2026, 3, 23),
    ]
    assert ws.freeze_panes == f"C{FIRST_DATA_ROW}" == "C10"
    assert ws.print_title_rows == "$8:$9" and ws.print_title_cols == "$A:$B"
    assert ws.page_setup.orientation == "landscape"

    rows = {
        ws.cell(row=r, column=1).value or ws.cell(row=r, column=2).value: r for r in range(10, ws.max_row + 1)
    }
    section, a, b, c = rows["I"], rows["I.1"], rows["I.2"], rows["I.3"]
    total, weekly, cumulative = (
        rows["Jumlah"],
        rows["Rencana per minggu (% bobot proyek)"],
        rows["Rencana kumulatif (%)"],
    )
    assert (section, a, b, c, total, weekly, cumulative) == (10, 11, 12, 13, 14, 15, 16)
    # Real numbers: amounts and the planned % of each item; filled where planned.
    assert [ws.cell(row=a, column=col).value for col in range(1, 9)][:3] == ["I.1", "A", 2000000]
    assert [ws.cell(row=b, column=col).value for col in range(5, 9)] == [None, 20, 30, 50]
    assert ws[f"F{b}"].data_type == "n" and ws[f"F{b}"].number_format == "#,##0.00"
    assert ws[f"F{b}"].fill.fgColor.rgb == "FF9DC3E6" and ws[f"E{b}"].fill.fill_type is None
    assert ws[f"E{section}"].value is None and ws[f"E{section}"].fill.fgColor.rgb == "FFDEEBF7"
    # Live formulas, evaluated: amounts, weights, weekly planned % of the project, cumulative.
    assert ws[f"C{section}"].value == "=SUM(C11:C13)" and ws[f"C{total}"].value == "=SUM(C10)"
    assert ws[f"D{a}"].value == f"=IF($C${total}=0,0,C{a}/$C${total}*100)"
    assert ws["E15"].value == "=SUMPRODUCT($D$10:$D$13,E10:E13)/100"
    assert ws["F16"].value == "=SUM($E$15:F15)"
    assert [evaluate(ws, f"D{r}") for r in (section, a, b, c, total)] == [100, 20, 50, 30, 100]
    assert [evaluate(ws, f"{col}{weekly}") for col in "EFGH"] == [10, 20, 15, 55]
    assert [evaluate(ws, f"{col}{cumulative}") for col in "EFGH"] == [10, 30, 45, 100]
    # Editing an amount in Excel moves the weights and the curve (A becomes 7 / 15 of the total).
    ws[f"C{a}"] = 7000000
    assert evaluate(ws, f"D{a}").quantize(Decimal("0.000001")) == Decimal("46.666667")
    assert evaluate(ws, f"E{weekly}").quantize(Decimal("0.0001")) == Decimal("23.3333")
    assert evaluate(ws, f"H{cumulative}") == 100

    assert calls[-1] == (5, 5, "Selesai")  # 4 rows + saving
    done = [d for d, t, _ in calls if t]
    assert done == sorted(done)


def test_schedule_xlsx_neutralises_user_text_and_notes_unplanned_items(user):
    project, (a, b, _c) = build_example(user, progress=False, name=INJECTION)
    schedule.clear_plan(item=WorkItem.objects.get(pk=a.pk), by=user)
    WorkItem.objects.filter(pk=a.pk).update(name=INJECTION)
    WorkItem.objects.filter(pk=b.pk).update(name=SCRIPT)

    ws = open_sheet(build_schedule_xlsx(project))

    assert ws["C2"].value == INJECTION and ws["C2"].data_type == "s" and ws["C2"].quotePrefix
    assert ws["B11"].value == INJECTION and ws["B11"].data_type == "s" and ws["B11"].quotePrefix
    assert ws["B12"].value == SCRIPT
    assert [ws.cell(row=11, column=col).value for col in range(5, 9)] == [None] * 4
    notes = [ws.cell(row=r, column=2).value for r in range(17, ws.max_row + 1)]
    assert "1 pekerjaan belum dijadwalkan, sehingga rencana kumulatif belum mencapai 100 %: I.1" in notes
    assert [evaluate(ws, f"{col}16") for col in "EFGH"] == [0, 10, 25, 80]


def test_schedule_xlsx_without_dates_lists_the_rows_and_says_why(user):
    project, _items = build_example(user, progress=False)
    type(project).objects.filter(pk=project.pk).update(start_date=None)
    project.refresh_from_db()
    ws = open_sheet(build_schedule_xlsx(project))
    assert [ws.cell(row=HEADER_ROW, column=c).value for c in range(1, 6)] == [*HEADER, None]
    assert ws["B11"].value == "A" and evaluate(ws, "D11") == 20
    assert NO_SCHEDULE_NOTE in [ws.cell(row=r, column=2).value for r in range(10, ws.max_row + 1)]
    empty = open_sheet(build_schedule_xlsx(ProjectFactory(owner=user)))
    assert "Belum ada klasifikasi dan pekerjaan." in [
        empty.cell(row=r, column=2).value for r in range(10, empty.max_row + 1)
    ]
    assert empty["C10"].value == "=0" and empty["E11"].value == "=0"


# --- through the job service -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["pdf", "xlsx"])
def test_job_service_builds_the_schedule(example, user, fmt, django_capture_on_commit_callbacks):
    project, _items = example
    with django_capture_on_commit_callbacks(execute=True):
        job = exports.start(project=project, document="jadwal", fmt=fmt, by=user)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE, job.error
    assert job.file.name.endswith(f".{fmt}") and job.size > 0 and job.percent == 100
    assert exports.download_name(job) == f"jadwal-gedung-serbaguna.{fmt}"
    with job.file.open("rb") as handle:
        data = handle.read()
    if fmt == "pdf":
        assert "Rencana kumulatif (%) 10,00 30,00 45,00 100,00" in " ".join(read_pdf(data)[1])
    else:
        assert evaluate(open_sheet(data), "H16") == 100
