"""`manage.py import_project PATH --owner EMAIL`: create a project from a workbook (all or nothing).

Prints a short summary and the workbook's warnings (imported anyway, e.g. a BUK above the 15 % government
ceiling); the LAST line of stdout is the new project's id, so scripts can read it. Any problem: nothing is
written, and a CommandError lists every problem, then the warnings (exit status 1).
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from ahsp.services import project_import


class Command(BaseCommand):
    help = "Impor satu proyek lengkap dari buku kerja Excel (sheet Proyek, Pekerjaan, Harga, Analisa)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="berkas .xlsx")
        parser.add_argument("--owner", required=True, help="e-mail pengguna pemilik proyek baru")

    def handle(self, *args, path: Path, owner: str, **options):
        if not path.is_file():
            raise CommandError(f"Berkas tidak ditemukan: {path}")
        users = list(get_user_model().objects.filter(email__iexact=owner.strip())[:2])
        if not users:
            raise CommandError(f"Pengguna dengan e-mail {owner} tidak ditemukan.")
        if len(users) > 1:
            raise CommandError(f"Lebih dari satu pengguna memakai e-mail {owner}.")
        try:
            report = project_import.import_project_report(source=path, by=users[0], file_name=path.name)
        except project_import.ProjectImportError as exc:
            lines = [f"Impor dibatalkan, tidak ada yang disimpan: {len(exc.problems)} masalah ditemukan."]
            lines += [f"- {problem}" for problem in exc.problems]
            lines += _warning_lines(exc.warnings)
            raise CommandError("\n".join(lines)) from exc
        project = report.project
        count = project.work_items.count()
        self.stdout.write(f"Proyek “{project.name}” diimpor: {count} pekerjaan.")
        for line in _warning_lines(report.warnings):
            self.stdout.write(line)
        self.stdout.write(str(project.pk))


def _warning_lines(warnings) -> list[str]:
    if not warnings:
        return []
    return [
        f"{len(warnings)} peringatan (bukan masalah: tidak menghalangi impor):",
        *(f"- {warning}" for warning in warnings),
    ]
