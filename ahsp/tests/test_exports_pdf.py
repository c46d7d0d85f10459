"""The PDF documents: open the produced PDF and read its text (pypdf), pages, orientation and totals.

Expected figures are those of the small RAB worked out by hand in ``rab_data.py``.
"""

import io
import re
from decimal import Decimal

import pytest
from pypdf import PdfReader

from ahsp.exports.analyses_pdf import build_analyses_pdf
from ahsp.exports.pdf_render import number_pages
from ahsp.exports.prices_pdf import build_prices_pdf
from ahsp.exports.rab_pdf import SubtotalRow, build_rab_pdf, chunked, with_subtotals
from ahsp.exports.requirements_pdf import build_requirements_pdf
from ahsp.exports.s_curve_pdf import build_s_curve_pdf
from ahsp.exports.schedule_pdf import build_schedule_pdf
from ahsp.loaders.rab import ItemRow, SectionRow
from ahsp.models import ExportJob, ProjectResource, Section, WorkItem
from ahsp.services import exports, recalc, sections, work_items
from ahsp.tests.factories import ProjectFactory, ProjectResourceFactory
from ahsp.tests.rab_data import build_small_rab

pytestmark = pytest.mark.django_db

SIGNATORIES = {
    "signing_place": "Bandung",
    "prepared_by_name": "Ir. Budi Santoso",
    "prepared_by_title": "Estimator",
    "checked_by_name": "Rina Wulandari, S.T.",
    "checked_by_title": "Kepala Seksi",
    "approved_by_name": "Dra. Siti Rahmawati, M.T.",
    "approved_by_title": "Kepala Dinas PUPR",
}


def read(data: bytes) -> tuple[PdfReader, list[str]]:
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    return reader, [" ".join(page.extract_text().split()) for page in reader.pages]


def is_landscape(reader: PdfReader) -> bool:
    box = reader.pages[0].mediabox
    return float(box.width) > float(box.height)


@pytest.fixture
def small(user):
    return build_small_rab(user, **SIGNATORIES)


def test_rab_pdf_has_header_rows_totals_terbilang_and_signatures(small):
    reader, pages = read(build_rab_pdf(small.project))
    text = " ".join(pages)

    assert is_landscape(reader)
    assert "RENCANA ANGGARAN BIAYA (RAB) Nama Proyek / Kegiatan : Gedung Serbaguna" in text
    for field in ("Gedung Serbaguna", "Dinas PUPR Kabupaten Contoh", "Kecamatan Sukamaju", "APBD", "2026"):
        assert field in text
    # Rows: number, code, name, unit, volume, HSP, amount, weight (2 decimals on paper).
    assert "I.1 C.1 Pemasangan bowplank m' 2,50 62.700,00 156.750,00 8,45" in text
    assert "I.2 2.2.1.1 Galian tanah biasa m3 10,00 93.500,00 935.000,00 50,43" in text
    assert "II.1" in text and "12,75 59.796,00 762.399,00 41,12" in text
    assert "Jumlah I Pekerjaan Persiapan dan Tanah 1.091.750,00 58,88" in text
    assert "Jumlah II Pekerjaan Plesteran 762.399,00 41,12" in text
    # Recap with the hand-worked totals.
    assert "REKAPITULASI" in text
    assert "Jumlah 1.854.149,00 100,00" in text
    assert "PPN 11 % 203.956,39" in text
    assert "Jumlah total 2.058.105,39" in text
    assert "2.058.000,00" in text
    assert "Terbilang: Dua juta lima puluh delapan ribu rupiah" in text
    for value in SIGNATORIES.values():
        assert value in text
    assert "Dibuat oleh" in text and "Diperiksa oleh" in text and "Disetujui oleh" in text


def test_every_page_is_numbered_x_of_y_and_repeats_the_table_header(user):
    project = ProjectFactory(owner=user, name="Proyek Panjang")
    section = sections.create(project=project, name="Pekerjaan Struktur", by=user)
    for number in range(90):
        work_items.add_custom(
            project=project, section=section, name=f"Pekerjaan {number}", unit="m2", by=user
        )

    reader, pages = read(build_rab_pdf(project))

    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert f"Halaman {number} dari {len(pages)}" in page
    table_pages = [page for page in pages if "Pekerjaan 8" in page or "Pekerjaan 5" in page]
    assert len(table_pages) >= 2
    for page in table_pages:
        assert "No Kode Uraian Pekerjaan Satuan Volume Harga Satuan (Rp) Jumlah Harga (Rp) Bobot (%)" in page


def test_user_text_is_printed_as_text_and_long_names_wrap(user):
    long_name = "Pekerjaan pemasangan " + "rangka atap baja ringan lengkap dengan " * 8 + "akhir"
    project = ProjectFactory(owner=user, name='<script>alert("x")</script> & Co', client='=HYPERLINK("x")')
    section = sections.create(project=project, name="<b>Bagian</b>", by=user)
    work_items.add_custom(project=project, section=section, name=long_name, unit="m2", by=user)

    reader, pages = read(build_rab_pdf(project))
    text = " ".join(pages)

    assert '<script>alert("x")</script> & Co' in text
    assert '=HYPERLINK("x")' in text
    assert "<b>Bagian</b>" in text
    assert "akhir" in pages[0]  # the end of the long name is on the page (wrapped, not cut off)


def test_empty_project_still_prints_a_document(user):
    reader, pages = read(build_rab_pdf(ProjectFactory(owner=user, name="Kosong")))

    assert "Belum ada klasifikasi dan pekerjaan." in pages[0]
    assert "Jumlah 0,00" in pages[0]
    assert "Halaman 1 dari 1" in pages[0]
    assert "(..............................)" in pages[0]  # unnamed signatories leave a line to sign


def test_missing_prices_are_noted(small):
    ProjectResource.objects.filter(project=small.project, code="M.15").update(unit_price=None)
    recalc.recalculate_project(small.project)

    text = " ".join(read(build_rab_pdf(small.project))[1])

    assert "harga belum lengkap" in text
    assert "DRAF — RAB belum lengkap: 1 sumber daya tanpa harga" in text


def test_nested_sections_get_their_own_subtotals_in_tree_order(user):
    section = SectionRow(1, None, (), 0, "I", "A", 0, Decimal(3), Decimal(100), 2, 1, 1)
    child = SectionRow(2, 1, (1,), 1, "I.1", "B", 0, Decimal(3), Decimal(100), 2, 2, 2)
    second = SectionRow(3, None, (), 0, "II", "C", 1, Decimal(0), Decimal(0), 0, 0, 0)

    def item(pk, section_id):
        return ItemRow(pk, section_id, (), 2, str(pk), "", "x", "m", 1, 1, 1, 1, 0)

    lines = list(with_subtotals([section, child, item(10, 2), item(11, 2), second]))

    kinds = [(line.kind, line.section.id if isinstance(line, SubtotalRow) else line.id) for line in lines]
    assert kinds == [
        ("section", 1),
        ("section", 2),
        ("item", 10),
        ("item", 11),
        ("subtotal", 2),
        ("subtotal", 1),
        ("section", 3),
        ("subtotal", 3),
    ]
    assert chunked(range(5), 2) == [[0, 1], [2, 3], [4]]
    assert chunked([], 2) == []


def test_rab_pdf_reports_progress_to_the_end(small):
    calls = []

    build_rab_pdf(small.project, progress=lambda done, total, stage="": calls.append((done, total, stage)))

    assert calls[0] == (0, 100, "Menghitung RAB")
    assert calls[-1] == (100, 100, "Menomori halaman")
    assert any(stage.startswith("Menyusun halaman 1/") for *_, stage in calls)
    assert [done for done, *_ in calls] == sorted(done for done, *_ in calls)


def test_rab_pdf_reads_a_constant_number_of_queries(user, django_assert_max_num_queries):
    project = ProjectFactory(owner=user)
    for s in range(3):
        section = sections.create(project=project, name=f"Bagian {s}", by=user)
        for i in range(15):
            work_items.add_custom(project=project, section=section, name=f"Item {i}", unit="m2", by=user)
    assert WorkItem.objects.filter(section__project=project).count() == 45
    assert Section.objects.filter(project=project).count() == 3

    with django_assert_max_num_queries(8):
        build_rab_pdf(project)


def test_analyses_pdf_shows_every_analysis_with_d_e_f(small):
    reader, pages = read(build_analyses_pdf(small.project))
    text = " ".join(pages)

    assert not is_landscape(reader)
    assert "ANALISA HARGA SATUAN PEKERJAAN (AHSP)" in text
    # C.1 bowplank: 0,1 x 150.000 = 15.000 (A); 0,012 x 3.500.000 = 42.000 (B); D 57.000; E 5.700; F 62.700.
    assert "Pemasangan bowplank" in text
    assert "Pekerja L.01 OH 0,1 150.000,00 15.000,00" in text  # coefficients trimmed (issue 11 §12)
    assert "Jumlah (A + B + C) 57.000,00" in text
    assert "Biaya Umum dan Keuntungan 10 % × D 5.700,00" in text
    assert "Harga Satuan Pekerjaan (D + E) 62.700,00" in text
    # C.3 plesteran: F = 59.796,00; C.2 galian: F = 93.500,00.
    assert "59.796,00" in text and "93.500,00" in text
    assert "Ir. Budi Santoso" in text and "Halaman 1 dari" in text


def test_prices_pdf_lists_used_resources_by_category_with_missing_marked(small):
    ProjectResource.objects.filter(project=small.project, code="M.15").update(
        unit_price=None, purchase_unit="zak", purchase_factor=Decimal("50")
    )
    ProjectResource.objects.filter(project=small.project, code="M.10").update(
        purchase_unit="batang", purchase_factor=Decimal("0.0072")
    )
    ProjectResourceFactory(
        project=small.project, code="X.99", name="Tidak dipakai", unit="bh", category="material"
    )

    reader, pages = read(build_prices_pdf(small.project))
    text = " ".join(pages)

    assert not is_landscape(reader)
    assert "DAFTAR HARGA SATUAN DASAR" in text
    assert re.search(
        r"A Tenaga Kerja 1 L\.01 Pekerja OH 150\.000,00 2 L\.04 Mandor OH 200\.000,00 B Bahan", text
    )
    # 3.500.000 x 0,0072 = 25.200,00 per batang.
    assert "1 M.10 Kayu kelas III m3 3.500.000,00 batang 0,0072 25.200,00" in text
    assert "2 M.15 Semen Portland kg belum diisi zak 50,00" in text
    assert "Tidak dipakai" not in text
    assert "4 sumber daya; 1 harga belum diisi." in text


def test_number_pages_stamps_every_page(small):
    data = build_analyses_pdf(small.project)

    again = number_pages(data)  # stamping twice stacks, but each page still has its own numbers
    pages = read(again)[1]
    for number, page in enumerate(pages, start=1):
        assert f"Halaman {number} dari {len(pages)}" in page


@pytest.mark.parametrize("document", ["rab", "ahsp", "harga"])
def test_pdf_jobs_finish_with_a_pdf_file(small, user, document, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = exports.start(project=small.project, document=document, fmt="pdf", by=user)

    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE, job.error
    assert job.percent == 100 and job.stage == "Selesai"
    with job.file.open("rb") as handle:
        data = handle.read()
    assert job.size == len(data)
    assert "Gedung Serbaguna" in " ".join(read(data)[1])
    assert exports.content_type(job) == "application/pdf"
    assert exports.download_name(job) == f"{document}-gedung-serbaguna.pdf"


def test_analyses_pdf_in_parts_has_one_header_one_signature_block_and_every_analysis(small, monkeypatch):
    monkeypatch.setattr("ahsp.exports.analyses_pdf.ANALYSES_PER_PART", 1)  # 3 analyses -> 3 parts
    stages = []

    reader, pages = read(
        build_analyses_pdf(small.project, progress=lambda done, total, stage="": stages.append((done, stage)))
    )
    text = " ".join(pages)

    assert len(pages) == 3  # each part starts on a new page
    assert text.count("Nama Proyek / Kegiatan") == 1 and text.count("Disetujui oleh") == 1
    assert "Disetujui oleh" in pages[-1] and "Nama Proyek / Kegiatan" in pages[0]
    for fragment in ("Pemasangan bowplank", "Galian tanah biasa", "Plesteran 1:4"):
        assert fragment in text
    for number, page in enumerate(pages, start=1):
        assert f"Halaman {number} dari 3" in page
    assert stages[-1] == (100, "Menyusun analisa 3/3")


# --- the BUK statement and the draft mark (issue 11 §5, §7) -------------------------------------------

DOCUMENTS = {
    "rab": build_rab_pdf,
    "ahsp": build_analyses_pdf,
    "harga": build_prices_pdf,
    "jadwal": build_schedule_pdf,
    "kurva-s": build_s_curve_pdf,
    "kebutuhan": build_requirements_pdf,
}


@pytest.fixture
def rab_12_5(user):
    """The small RAB at BUK 12,5 % with "Galian tanah biasa" (I.2) at its own 15 %."""
    rab = build_small_rab(user, overhead_profit_pct=Decimal("12.5"), **SIGNATORIES)
    WorkItem.objects.filter(pk=rab.excavation.pk).update(overhead_pct_override=Decimal("15"))
    recalc.recalculate_project(rab.project)
    return rab


def test_rab_pdf_states_the_buk_and_the_items_with_their_own(rab_12_5):
    text = " ".join(read(build_rab_pdf(rab_12_5.project))[1])

    statement = (
        "Catatan: Harga satuan pekerjaan sudah termasuk Biaya Umum dan Keuntungan (BUK) 12,5 %, kecuali:"
    )
    assert statement in text
    assert re.search(r"kecuali: – I\.2 Galian tanah biasa 15 %", text)
    assert "Pemasangan bowplank 12,5 %" not in text
    assert "di atas batas" not in text and "DRAF" not in text


def test_rab_pdf_warns_above_the_government_ceiling(user):
    rab = build_small_rab(user, overhead_profit_pct=Decimal("16.5"))

    text = " ".join(read(build_rab_pdf(rab.project))[1])

    assert "(BUK) 16,5 %." in text
    assert (
        "BUK 16,5 % di atas batas 15 % untuk pekerjaan pemerintah (Permen PUPR 8/2023); boleh untuk pekerjaan swasta."
        in text
    )


def test_analyses_pdf_names_the_buk_of_the_items_with_their_own(rab_12_5):
    text = " ".join(read(build_analyses_pdf(rab_12_5.project))[1])

    assert "E dihitung dengan BUK proyek 12,5 %; pekerjaan dengan BUK khusus: Galian tanah biasa 15 %" in (
        text
    )


@pytest.fixture
def incomplete(user):
    """The small RAB with one resource without a price (Semen, used by Plesteran) and one lump-sum item
    without an analysis line (HSP 0)."""
    rab = build_small_rab(user, **SIGNATORIES)
    ProjectResource.objects.filter(project=rab.project, code="M.15").update(unit_price=None)
    work_items.add_custom(
        project=rab.project, section=rab.plaster, name="Papan nama proyek", unit="ls", by=user
    )
    recalc.recalculate_project(rab.project)
    return rab


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_pdf_of_an_incomplete_rab_is_marked_draft(incomplete, document):
    reader, pages = read(DOCUMENTS[document](incomplete.project))

    mark = "DRAF — RAB belum lengkap: 1 pekerjaan tanpa harga satuan, 1 sumber daya tanpa harga"
    assert mark in pages[0]
    assert pages[0].index(mark) < pages[0].index("Nama Proyek / Kegiatan")  # at the top, above the header
    assert " ".join(pages).count(mark) == 1
    for number, page in enumerate(pages, start=1):
        assert f"DRAF · Halaman {number} dari {len(pages)}" in page  # and the footer of every page


@pytest.mark.parametrize("document", DOCUMENTS)
def test_no_pdf_of_a_complete_rab_is_marked_draft(small, document):
    text = " ".join(read(DOCUMENTS[document](small.project))[1])

    assert "DRAF" not in text and "belum lengkap" not in text
    assert "Halaman 1 dari" in text


def test_a_document_in_parts_is_marked_once_and_on_every_page(incomplete, monkeypatch):
    monkeypatch.setattr("ahsp.exports.analyses_pdf.ANALYSES_PER_PART", 1)

    pages = read(build_analyses_pdf(incomplete.project))[1]

    assert len(pages) == 4  # 4 analyses, one per part
    assert "DRAF — RAB belum lengkap" in pages[0] and " ".join(pages).count("RAB belum lengkap") == 1
    assert all(f"DRAF · Halaman {n} dari 4" in page for n, page in enumerate(pages, start=1))
