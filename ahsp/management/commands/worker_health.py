"""Exit 0 when the huey consumer recorded a heartbeat recently (used by the worker's health check)."""

from django.core.management.base import BaseCommand, CommandError

from ahsp.services import jobs


class Command(BaseCommand):
    help = "Check that the task consumer is alive (its periodic heartbeat is recent)."

    def add_arguments(self, parser):
        parser.add_argument("--max-age", type=int, default=180, help="seconds (default 180)")

    def handle(self, *args, max_age: int, **options):
        age = jobs.worker_silent_seconds()
        if age is None:
            raise CommandError("Belum ada detak dari pekerja antrean (huey).")
        if age > max_age:
            raise CommandError(f"Detak terakhir pekerja antrean {age:.0f} detik yang lalu (batas {max_age}).")
        self.stdout.write(f"worker ok, last heartbeat {age:.0f}s ago")
