"""`manage.py import_reference PATH [--source "SNI 2025"] [--report PATH]`.

Prints the review counts and the report path; the LAST line of stdout is the summary line
(`analyses=N resources=N components=N nested=N suspicious=N`) so scripts can read it.
"""

from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ahsp.importers.review import ACTIONS
from ahsp.importers.workbook_reader import ImportFailed
from ahsp.services.reference_library import import_reference


class Command(BaseCommand):
    help = "Impor pustaka AHSP referensi dari buku kerja Excel (format SNI)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="berkas .xlsx")
        parser.add_argument("--source", default="SNI 2025", help='sumber/edisi, mis. "SNI 2025"')
        parser.add_argument(
            "--report", type=Path, default=None, help="berkas CSV laporan (bawaan: di AHSP_REPORT_DIR)"
        )

    def handle(self, *args, path: Path, source: str, report: Path | None, **options):
        if not path.is_file():
            raise CommandError(f"Berkas tidak ditemukan: {path}")
        try:
            result = import_reference(path, source=source, file_name=path.name, report_path=report)
        except ImportFailed as exc:
            raise CommandError(str(exc)) from exc
        actions = Counter(row.action for row in result.review_rows)
        self.stdout.write("Laporan pemeriksaan: " + ", ".join(f"{a}={actions[a]}" for a in ACTIONS))
        self.stdout.write(f"Berkas laporan: {result.report_path}")
        self.stdout.write(result.summary_line)
