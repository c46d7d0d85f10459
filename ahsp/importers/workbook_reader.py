"""Read the rows of an AHSP reference workbook (.xlsx) as raw cell values; no ORM.

openpyxl in read-only mode with `data_only=True` (through `ahsp.importers.safe_workbook`, which refuses
hostile files with a clear message): formulas (the `sumber_ahsp` column holds `=J2`) give their cached
values. Row numbers are the worksheet's own, as Excel shows them.
"""

from pathlib import Path

from ahsp.importers.safe_workbook import WorkbookRejected, open_workbook
from ahsp.importers.sni_parse import SourceRow


class ImportFailed(Exception):
    """The file cannot be imported at all; the message is for the user (Bahasa Indonesia)."""


REQUIRED_COLUMNS = ("kode_ahsp", "nama_ahsp", "kode_item_lookup", "kategori", "item", "satuan", "koefisien")
OPTIONAL_COLUMNS = ("id", "source_file", "sumber_ahsp")


def _header(cells: tuple) -> dict[str, int]:
    columns = {}
    for index, value in enumerate(cells):
        if value is not None:
            columns.setdefault(str(value).strip().lower(), index)
    return columns


def read_source_rows(path: Path) -> list[SourceRow]:
    """All data rows of the first worksheet whose first row names the required columns."""
    path = Path(path)
    if not path.is_file():
        raise ImportFailed(f"Berkas tidak ditemukan: {path}")
    try:
        # Zip, XML and row limits: ahsp.importers.safe_workbook.
        with open_workbook(path) as workbook:
            return _read_workbook(workbook)
    except WorkbookRejected as exc:
        raise ImportFailed(str(exc)) from exc
    except OSError as exc:
        raise ImportFailed(f"Berkas tidak dapat dibuka: {exc.strerror or exc}") from exc


def _read_workbook(workbook) -> list[SourceRow]:
    first_missing: list[str] | None = None
    for sheet in workbook.worksheets:
        rows = sheet.rows()
        header_cells = next(rows, None)
        if header_cells is None or all(cell is None for cell in header_cells):
            if first_missing is None:
                first_missing = []
            continue
        header = _header(header_cells)
        missing = [name for name in REQUIRED_COLUMNS if name not in header]
        if missing:
            if first_missing is None:
                first_missing = missing
            continue
        return _data_rows(rows, header)
    if not first_missing:
        raise ImportFailed("Lembar kerja kosong: tidak ada judul kolom maupun data.")
    raise ImportFailed(
        f"Kolom wajib tidak ada: {', '.join(first_missing)}. Baris pertama lembar kerja harus berisi "
        f"judul kolom: {', '.join(REQUIRED_COLUMNS)}."
    )


def _data_rows(rows, header: dict[str, int]) -> list[SourceRow]:
    indexes = [header[name] for name in REQUIRED_COLUMNS]
    result = []
    for number, cells in enumerate(rows, start=2):
        values = [cells[index] if index < len(cells) else None for index in indexes]
        if all(value is None or (isinstance(value, str) and not value.strip()) for value in values):
            continue  # an empty line carries no data
        result.append(SourceRow(number, *values))
    if not result:
        raise ImportFailed("Lembar kerja tidak berisi baris data (hanya judul kolom).")
    return result
