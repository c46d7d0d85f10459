"""The empty project workbook users download to fill in (``/projects/import/template.xlsx``).

Pure builder (no ORM): data in, bytes out. The data sheets hold only their headers (and, in Proyek, every
key with an empty value): there are NO example rows, so a template imported unchanged gives a clear report
("nama wajib diisi", ...) and an example can never end up in a real estimate. The examples are in the
"Petunjuk" sheet, which the importer ignores.
"""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ahsp.importers.project_workbook import (
    ANALYSIS_COLUMNS,
    NUMBERING_NAMES,
    OPTIONAL_KEYS,
    PRICE_COLUMNS,
    PROJECT_KEYS,
    ROUNDING_MODE_NAMES,
    SHEET_ANALYSES,
    SHEET_PRICES,
    SHEET_PROJECT,
    SHEET_WORK,
    WORK_COLUMNS,
)

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
TEXT_FORMAT = "@"  # codes such as 1.1 must stay text, not become the number 1,1
DATA_ROWS = 5000  # rows covered by the category drop-down list
PROJECT_COLUMNS = ("kunci", "nilai")  # the Proyek sheet's header row
#: The kategori words of the Harga sheet's drop-down list (the importer's CATEGORY_ALIASES read them).
CATEGORY_CHOICES = ("Tenaga Kerja", "Bahan", "Peralatan", "Lain-lain")

PROJECT_HELP: dict[str, tuple[str, str]] = {
    "nama": ("Nama proyek (wajib).", "Pembangunan Gedung Serbaguna"),
    "pemilik": ("Pemilik pekerjaan / instansi.", "Dinas PUPR Kabupaten Contoh"),
    "lokasi": ("Lokasi pekerjaan.", "Kecamatan Sukamaju"),
    "sumber_dana": ("Sumber dana.", "APBD"),
    "tahun_anggaran": ("Tahun anggaran, 1990-2100.", "2026"),
    "tanggal_mulai": ("Tanggal mulai: sel tanggal, atau teks dd/mm/yyyy atau yyyy-mm-dd.", "02/03/2026"),
    "durasi_minggu": ("Durasi pelaksanaan dalam minggu, 1-520.", "20"),
    "buk_persen": (
        "Biaya umum dan keuntungan (BUK) dalam %, 0-100, paling banyak 2 desimal (wajib). Di atas 15 % "
        "(batas untuk pekerjaan pemerintah) tetap diimpor, dengan peringatan.",
        "10",
    ),
    "ppn_persen": ("PPN dalam % (wajib).", "11"),
    "pembulatan": (
        "Total akhir dibulatkan ke bawah ke kelipatan sekian rupiah: 0 (tidak dibulatkan), 1, 10, 100, "
        "1000, 10000 atau 100000 (wajib).",
        "1000",
    ),
    "kontraktor": ("Kontraktor pelaksana (boleh dihapus).", "PT Contoh Konstruksi"),
    "konsultan_perencana": ("Konsultan perencana (boleh dihapus).", "CV Contoh Perencana"),
    "konsultan_pengawas": ("Konsultan pengawas (boleh dihapus).", "CV Contoh Pengawas"),
    "pagu_anggaran": ("Pagu anggaran dalam rupiah (boleh dihapus).", "1.500.000.000"),
    "keterangan": ("Keterangan bebas (boleh dihapus).", "Tahap I"),
    "arah_pembulatan": (
        f"Arah pembulatan total akhir: {', '.join(ROUNDING_MODE_NAMES.values())}; kosong = ke bawah "
        "(boleh dihapus).",
        "ke bawah",
    ),
    "pembulatan_hsp": (
        "Harga satuan pekerjaan (HSP) dibulatkan ke Rp 1, 10 atau 100 terdekat; 0 atau kosong = tidak "
        "dibulatkan (boleh dihapus).",
        "0",
    ),
    "penomoran": (
        f"Penomoran RAB: {NUMBERING_NAMES['roman']} (I, I.1, I.1.1) atau {NUMBERING_NAMES['arabic']} "
        "(1, 1.1, 1.1.1); kosong = romawi (boleh dihapus).",
        "romawi",
    ),
    "tempat_tanda_tangan": ("Tempat penandatanganan dokumen (boleh dihapus).", "Sukamaju"),
    "dibuat_oleh_nama": ("Nama penanda tangan “Dibuat oleh” (boleh dihapus).", "Budi Santoso, S.T."),
    "dibuat_oleh_jabatan": ("Jabatan penanda tangan “Dibuat oleh” (boleh dihapus).", "Estimator"),
    "diperiksa_oleh_nama": ("Nama penanda tangan “Diperiksa oleh” (boleh dihapus).", "Siti Aminah, S.T."),
    "diperiksa_oleh_jabatan": ("Jabatan penanda tangan “Diperiksa oleh” (boleh dihapus).", "Kepala Seksi"),
    "disetujui_oleh_nama": ("Nama penanda tangan “Disetujui oleh” (boleh dihapus).", "Ir. Ahmad Fauzi"),
    "disetujui_oleh_jabatan": ("Jabatan penanda tangan “Disetujui oleh” (boleh dihapus).", "Kepala Dinas"),
}

COLUMN_HELP: dict[str, list[tuple[str, str, str]]] = {
    SHEET_WORK: [
        (
            "klasifikasi",
            "Klasifikasi pekerjaan (wajib). Baris dengan nama sama masuk klasifikasi yang sama.",
            "Pekerjaan Tanah",
        ),
        ("sub_klasifikasi", "Sub-klasifikasi (boleh kosong).", "Galian"),
        (
            "kode_ahsp",
            "Kode AHSP pustaka referensi (edisi terbaru dipakai), atau kode analisa khusus yang diisi di "
            "sheet Analisa (wajib).",
            "2.2.1.1",
        ),
        ("uraian", "Uraian pekerjaan; kosong = uraian dari AHSP.", "Galian tanah pondasi"),
        ("satuan", "Satuan pekerjaan; kosong = satuan dari AHSP.", "m3"),
        ("volume", "Volume, angka 0 atau lebih, paling banyak 4 desimal (wajib).", "12,5"),
        (
            "buk_persen",
            "BUK khusus pekerjaan ini dalam %, 0-100, paling banyak 2 desimal; di atas 15 % (batas untuk "
            "pekerjaan pemerintah) tetap diimpor, dengan peringatan; kosong = BUK proyek (kolom boleh "
            "dihapus).",
            "7,5",
        ),
    ],
    SHEET_PRICES: [
        (
            "kode_item",
            "Kode sumber daya, unik (wajib). Kode sama dengan pustaka = sumber dayanya.",
            "TK.0008",
        ),
        ("uraian", "Nama sumber daya (wajib).", "Pekerja"),
        ("satuan", "Satuan (wajib).", "OH"),
        ("kategori", "Tenaga Kerja, Bahan, Peralatan, atau Lain-lain (wajib).", "Tenaga Kerja"),
        ("harga_satuan", "Harga satuan dalam rupiah; kosong = belum ada harga.", "100000 atau 100.000,00"),
    ],
    SHEET_ANALYSES: [
        (
            "kode_ahsp",
            "Kode analisa. Kode baru = analisa khusus; kode pustaka = analisa pustaka yang diubah "
            "(baris-baris di sini MENGGANTI komponennya).",
            "K.1",
        ),
        (
            "kode_item",
            "Kode sumber daya (sheet Harga atau pustaka), atau kode_ahsp lain untuk analisa bersarang.",
            "TK.0008",
        ),
        ("koefisien", "Koefisien per 1 satuan pekerjaan, paling banyak 6 desimal (wajib).", "0,75"),
        (
            "uraian",
            "Uraian analisa khusus (boleh kosong jika diisi di sheet Pekerjaan). Baris berisi uraian/satuan "
            "tanpa kode_item dan koefisien hanya memberi nama analisa (analisa tanpa komponen).",
            "Bongkar paving",
        ),
        ("satuan", "Satuan analisa khusus (boleh kosong jika diisi di sheet Pekerjaan).", "m2"),
    ],
}

ROW_MEANING = {SHEET_WORK: "pekerjaan", SHEET_PRICES: "sumber daya", SHEET_ANALYSES: "komponen analisa"}

GENERAL_NOTES = [
    "Isi sheet Proyek, Pekerjaan dan Harga; sheet Analisa boleh dihapus jika tidak ada analisa khusus.",
    "Baris 1 setiap sheet data adalah judul kolom: jangan diubah. Urutan kolom bebas.",
    "Angka boleh berupa sel angka atau teks berformat Indonesia: koma adalah tanda desimal dan titik di "
    "depan tepat tiga angka memisahkan ribuan. Jadi 1.500 = seribu lima ratus, 1.234,56 = seribu dua "
    "ratus tiga puluh empat koma lima enam, 13,632 = tiga belas koma enam tiga dua (koefisien tiga "
    "desimal). Teks 1234.56 (satu titik yang tidak diikuti tepat tiga angka) juga dibaca sebagai desimal. "
    "Harga (paling banyak 2 desimal): Rp 100.000 = seratus ribu rupiah.",
    "Impor bersifat semua atau tidak sama sekali: jika ada satu saja masalah, tidak ada yang disimpan "
    "dan laporan mencantumkan setiap masalah (sheet, baris, kolom, nilai, alasan).",
    "Contoh di bawah hanya penjelasan; sheet data templat sengaja kosong.",
]


def _header_row(sheet, columns, widths) -> None:
    sheet.append(list(columns))
    for index, _name in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        sheet.column_dimensions[get_column_letter(index)].width = widths.get(_name, 16)
    sheet.freeze_panes = "A2"


def _text_columns(sheet, columns, names) -> None:
    """Code columns formatted as text (a column style), so Excel keeps 1.1 as written, not 1,1."""
    for index, name in enumerate(columns, start=1):
        if name in names:
            sheet.column_dimensions[get_column_letter(index)].number_format = TEXT_FORMAT


def build_template() -> bytes:
    workbook = Workbook()
    guide = workbook.active
    guide.title = "Petunjuk"
    _guide(guide)

    project = workbook.create_sheet(SHEET_PROJECT)
    _header_row(project, PROJECT_COLUMNS, {"kunci": 24, "nilai": 48})
    for key in PROJECT_KEYS:
        project.append([key, None])
        if key not in OPTIONAL_KEYS and PROJECT_KEYS[key][2]:
            project.cell(row=project.max_row, column=1).font = HEADER_FONT
    # Values as text: "02/03/2026" stays 2 March whatever the locale of the user's Excel (and text numbers
    # are read in Indonesian or plain format).
    for row in range(2, project.max_row + 1):
        project.cell(row=row, column=2).number_format = TEXT_FORMAT

    widths = {"klasifikasi": 28, "sub_klasifikasi": 28, "uraian": 48, "kode_ahsp": 14, "kode_item": 14}
    work = workbook.create_sheet(SHEET_WORK)
    _header_row(work, WORK_COLUMNS, widths)
    _text_columns(work, WORK_COLUMNS, {"kode_ahsp"})

    prices = workbook.create_sheet(SHEET_PRICES)
    _header_row(prices, PRICE_COLUMNS, widths)
    _text_columns(prices, PRICE_COLUMNS, {"kode_item"})
    categories = DataValidation(
        type="list",
        formula1=f'"{",".join(CATEGORY_CHOICES)}"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Kategori",
        error="Pilih Tenaga Kerja, Bahan, Peralatan, atau Lain-lain.",
    )
    column = get_column_letter(PRICE_COLUMNS.index("kategori") + 1)
    categories.add(f"{column}2:{column}{DATA_ROWS + 1}")
    prices.add_data_validation(categories)

    analyses = workbook.create_sheet(SHEET_ANALYSES)
    _header_row(analyses, ANALYSIS_COLUMNS, widths)
    _text_columns(analyses, ANALYSIS_COLUMNS, {"kode_ahsp", "kode_item"})

    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _guide(sheet) -> None:
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 22
    sheet.column_dimensions["C"].width = 90
    sheet.column_dimensions["D"].width = 30
    wrap = Alignment(wrap_text=True, vertical="top")

    def title(text: str) -> None:
        sheet.append([])
        sheet.append([text])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True, size=12)

    sheet.append(["Petunjuk impor proyek dari Excel"])
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    for note in GENERAL_NOTES:
        sheet.append(["", note])
        sheet.merge_cells(start_row=sheet.max_row, start_column=2, end_row=sheet.max_row, end_column=4)

    title("Sheet Proyek: satu baris per kunci (kolom A) dengan nilainya (kolom B)")
    sheet.append(["", "kunci", "penjelasan", "contoh"])
    for cell in sheet[sheet.max_row]:
        cell.font = HEADER_FONT
    for key, (text, example) in PROJECT_HELP.items():
        sheet.append(["", key, text, example])
        sheet.cell(row=sheet.max_row, column=3).alignment = wrap

    for name, rows in COLUMN_HELP.items():
        title(f"Sheet {name}: satu baris per {ROW_MEANING[name]} (baris 1 = judul kolom)")
        sheet.append(["", "kolom", "penjelasan", "contoh"])
        for cell in sheet[sheet.max_row]:
            cell.font = HEADER_FONT
        for column, text, example in rows:
            sheet.append(["", column, text, example])
            sheet.cell(row=sheet.max_row, column=3).alignment = wrap
