"""``manage.py export_project ID PATH``: the project's lossless JSON document (issue 15 §1)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ahsp.loaders.project_document import PARTS, load_project_document
from ahsp.models import Project


class Command(BaseCommand):
    help = "Tulis dokumen JSON lengkap sebuah proyek (cadangan yang dapat dipulihkan)."

    def add_arguments(self, parser):
        parser.add_argument("project_id", type=int)
        parser.add_argument("path", help="berkas tujuan (.json); '-' untuk keluaran standar")
        parser.add_argument("--parts", choices=PARTS, default="progress", help="bagian yang ditulis")
        parser.add_argument("--audit", action="store_true", help="sertakan ringkasan riwayat perubahan")

    def handle(self, *args, project_id, path, parts, audit, **options):
        project = Project.objects.filter(pk=project_id).first()
        if project is None:
            raise CommandError(f"Proyek {project_id} tidak ditemukan.")
        text = json.dumps(
            load_project_document(project, parts=parts, audit=audit), ensure_ascii=False, indent=1
        )
        if path == "-":
            self.stdout.write(text)
            return
        Path(path).write_text(text + "\n", encoding="utf-8")
        self.stdout.write(f"Proyek “{project.name}” ditulis ke {path} ({len(text.encode()):,} bita).")
