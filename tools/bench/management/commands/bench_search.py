"""Server-time benchmark of the reference search (full page and HTMX fragment) on the current library."""

import statistics
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext

QUERIES = [
    "galian tanah",
    "beton",
    "2.2.1",
    "pasangan bata merah",
    "besi",
    "cat tembok",
    "xyzzy",
    "pekerjaan",
]


class Command(BaseCommand):
    help = "Measure the reference search view (P50/P95 server time, queries) over the loaded library."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=30)

    def handle(self, *args, runs: int, **options):
        user = get_user_model().objects.filter(is_active=True).order_by("id").first()
        if user is None:
            raise CommandError("Butuh setidaknya satu pengguna (jalankan seed_demo).")
        client = Client(SERVER_NAME="localhost")
        client.force_login(user)
        self.stdout.write(f"{'query':<24}{'mode':<10}{'P50 ms':>9}{'P95 ms':>9}{'queries':>9}")
        for query in QUERIES:
            for mode, headers in (("page", {}), ("htmx", {"HX-Request": "true"})):
                timings = []
                for _ in range(runs):
                    reset_queries()
                    with CaptureQueriesContext(connection) as captured:
                        start = time.perf_counter()
                        response = client.get("/referensi/", {"q": query}, headers=headers)
                        timings.append((time.perf_counter() - start) * 1000)
                    if response.status_code != 200:
                        raise CommandError(f"status {response.status_code} for {query!r}")
                timings.sort()
                p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
                self.stdout.write(
                    f"{query:<24}{mode:<10}{statistics.median(timings):>9.1f}{p95:>9.1f}{len(captured):>9}"
                )
