"""Move old audit events to a gzip-compressed JSON-lines file, without losing one.

    manage.py archive_audit --before 2025-01-01 --output /backup/audit-2024.jsonl.gz [--dry-run]

1. The events to archive are fixed at the start: ``created_at`` before local midnight of ``--before``
   (settings.TIME_ZONE) and ``id`` at most the largest id at that moment.
2. They are written oldest first, one JSON object per line, read by keyset in chunks (``--batch-size``),
   into ``<output>.partial``; memory stays flat at any size.
3. The file is read back: its line count and id checksum must equal the database's for the same set;
   only then is it renamed to ``<output>``.
4. Then the events are deleted in batches of the ids read back FROM THE FILE, each batch in its own
   transaction that rolls back unless it deleted exactly that many rows. An interrupted run leaves every
   event either in the table or in the file (usually both), never in neither.

``--dry-run`` only counts. An existing ``--output`` is never overwritten.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Count, F, Max, Min, Sum
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan
from django.utils import timezone

from ahsp.models import AuditEvent

FIELDS = (
    "id",
    "created_at",
    "actor_id",
    "actor_label",
    "project_id",
    "action",
    "target_type",
    "target_id",
    "summary",
    "before",
    "after",
)
CHECKSUM_MODULUS = 2**63


class Command(BaseCommand):
    help = "Archive audit events older than a date to a .jsonl.gz file, verify it, then delete them."

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True, help="YYYY-MM-DD: events before this local date")
        parser.add_argument(
            "--output", help="path of the .jsonl.gz file to write (required unless --dry-run)"
        )
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would be archived, write nothing"
        )

    def handle(self, *args, before: str, output: str | None, batch_size: int, dry_run: bool, **options):
        try:
            day = date.fromisoformat(before)
        except ValueError as exc:
            raise CommandError(f"--before must be a date YYYY-MM-DD, not {before!r}.") from exc
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        cutoff = timezone.make_aware(datetime.combine(day, time.min))
        max_id = AuditEvent.objects.aggregate(m=Max("id"))["m"] or 0
        selected = AuditEvent.objects.filter(created_at__lt=cutoff, id__lte=max_id)
        stats = selected.aggregate(count=Count("id"), ids=Sum("id"), oldest=Min("created_at"))
        count, checksum = stats["count"], (stats["ids"] or 0) % CHECKSUM_MODULUS
        if dry_run:
            oldest = timezone.localtime(stats["oldest"]).strftime("%Y-%m-%d %H:%M") if count else "-"
            self.stdout.write(
                f"dry run: {count} event(s) before {day} (oldest {oldest}) would be archived; nothing written."
            )
            return
        if not output:
            raise CommandError("--output is required (or give --dry-run).")
        target = Path(output)
        if target.exists():
            raise CommandError(f"{target} already exists; archives are never overwritten.")
        if not count:
            self.stdout.write(f"no events before {day}; nothing to archive.")
            return
        partial = target.with_name(target.name + ".partial")
        target.parent.mkdir(parents=True, exist_ok=True)

        written = self._write(selected, partial, batch_size)
        read_count, read_checksum = self._verify(partial)
        if (written, read_count, read_checksum) != (count, count, checksum):
            partial.unlink(missing_ok=True)
            raise CommandError(
                f"verification failed: {count} event(s) in the table, {written} written, {read_count} read "
                "back (or the id checksums differ); nothing was deleted."
            )
        os.replace(partial, target)
        self.stdout.write(f"wrote and verified {count} event(s) in {target} ({target.stat().st_size} bytes)")

        deleted = 0
        for ids in self._batches(self._ids_in(target), batch_size):
            with transaction.atomic():
                removed, _ = AuditEvent.objects.filter(pk__in=ids, created_at__lt=cutoff).delete()
                if removed != len(ids):
                    raise CommandError(
                        f"a batch deleted {removed} of {len(ids)} archived event(s); that batch was rolled "
                        f"back. {deleted} event(s) were deleted before it; every event is still in {target}."
                    )
            deleted += removed
        self.stdout.write(self.style.SUCCESS(f"archived {count} event(s) before {day}; deleted {deleted}."))

    def _rows(self, selected, batch_size: int) -> Iterator[dict]:
        """The selected events oldest first, by keyset on (created_at, id) in chunks (no OFFSET)."""
        after = None
        while True:
            chunk = selected.order_by("created_at", "id")
            if after is not None:
                chunk = chunk.filter(TupleGreaterThan(Tuple(F("created_at"), F("id")), after))
            rows = list(chunk.values(*FIELDS)[:batch_size])
            if not rows:
                return
            yield from rows
            after = (rows[-1]["created_at"], rows[-1]["id"])

    def _write(self, selected, path: Path, batch_size: int) -> int:
        written = 0
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            for row in self._rows(selected, batch_size):
                handle.write(json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False) + "\n")
                written += 1
        return written

    def _verify(self, path: Path) -> tuple[int, int]:
        """Read the whole file back: (lines, id checksum). Any unreadable line fails the archive."""
        count, checksum = 0, 0
        try:
            for event_id in self._ids_in(path):
                count += 1
                checksum = (checksum + event_id) % CHECKSUM_MODULUS
        except (OSError, EOFError, ValueError, KeyError, TypeError) as exc:
            path.unlink(missing_ok=True)
            raise CommandError(f"the archive could not be read back ({exc}); nothing was deleted.") from exc
        return count, checksum

    @staticmethod
    def _ids_in(path: Path) -> Iterator[int]:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                yield int(json.loads(line)["id"])

    @staticmethod
    def _batches(ids: Iterator[int], size: int) -> Iterator[list[int]]:
        batch: list[int] = []
        for event_id in ids:
            batch.append(event_id)
            if len(batch) == size:
                yield batch
                batch = []
        if batch:
            yield batch
