"""``manage.py restore_project PATH --owner EMAIL``: a project document restored as a NEW project."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from ahsp.importers.project_document import MAX_BYTES, DocumentInvalid, read_document
from ahsp.services.project_restore import Origin, restore


class Command(BaseCommand):
    help = "Pulihkan dokumen JSON proyek sebagai proyek baru."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--owner", required=True, help="e-mail pemilik proyek baru")
        parser.add_argument("--name", default="", help="nama proyek baru (bawaan: nama di dokumen)")

    def handle(self, *args, path, owner, name, **options):
        user = get_user_model().objects.filter(email__iexact=owner).first()
        if user is None:
            raise CommandError(f"Pengguna {owner} tidak ditemukan.")
        source = Path(path)
        if not source.is_file():
            raise CommandError(f"Berkas {path} tidak ditemukan.")
        with source.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
        try:
            project = restore(
                plan=read_document(raw),
                by=user,
                origin=Origin("Proyek dipulihkan dari cadangan", {"file_name": source.name[:200]}),
                name=name or None,
            )
        except DocumentInvalid as error:
            raise CommandError(
                "Dokumen tidak dapat dipulihkan; tidak ada yang ditulis:\n"
                + "\n".join(f"- {problem}" for problem in error.problems)
            ) from error
        self.stdout.write(f"Proyek “{project.name}” dipulihkan (id {project.pk}).")
