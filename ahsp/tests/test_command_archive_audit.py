"""manage.py archive_audit: old events go to a verified .jsonl.gz file, then (only then) leave the table."""

import gzip
import json
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ahsp.management.commands import archive_audit
from ahsp.models import AuditEvent
from ahsp.tests.test_audit_trail import make_events

pytestmark = pytest.mark.django_db

# 1 March 2026 00:00 in Jakarta is 28 February 17:00 UTC.
CUTOFF_UTC = datetime(2026, 2, 28, 17, 0, tzinfo=UTC)


@pytest.fixture
def events():
    """7 old events (the last one second before the local cutoff, two sharing a timestamp) and 3 newer."""
    old = make_events(5, start=CUTOFF_UTC - timedelta(days=40), step=timedelta(days=3))
    old += make_events(2, start=CUTOFF_UTC - timedelta(seconds=1), same_time=True, project_id=None)
    old[0].before = {"name": "Galian “lama”"}
    AuditEvent.objects.filter(pk=old[0].pk).update(before=old[0].before)
    new = make_events(3, start=CUTOFF_UTC, step=timedelta(hours=1))
    return old, new


def read_archive(path):
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def run(*args):
    out = StringIO()
    call_command("archive_audit", *args, stdout=out)
    return out.getvalue()


def test_round_trip_the_file_holds_exactly_the_deleted_events(events, tmp_path):
    old, new = events
    originals = {e["id"]: e for e in AuditEvent.objects.filter(pk__in=[o.pk for o in old]).values()}
    target = tmp_path / "arsip" / "audit-2026-02.jsonl.gz"

    output = run("--before", "2026-03-01", "--output", str(target), "--batch-size", "2")

    rows = read_archive(target)
    assert [row["id"] for row in rows] == sorted(originals, key=lambda pk: (originals[pk]["created_at"], pk))
    assert set(AuditEvent.objects.values_list("pk", flat=True)) == {e.pk for e in new}
    for row in rows:
        original = originals[row["id"]]
        assert datetime.fromisoformat(row["created_at"]) == original["created_at"]
        for field in (
            "actor_id",
            "actor_label",
            "project_id",
            "action",
            "target_type",
            "target_id",
            "summary",
        ):
            assert row[field] == original[field]
        assert (row["before"], row["after"]) == (original["before"], original["after"])
    assert rows[0]["before"] == {"name": "Galian “lama”"}
    assert "archived 7 event(s) before 2026-03-01; deleted 7." in output
    assert not (tmp_path / "arsip" / "audit-2026-02.jsonl.gz.partial").exists()


def test_archived_events_can_be_loaded_back(events, tmp_path):
    target = tmp_path / "a.jsonl.gz"
    run("--before", "2026-03-01", "--output", str(target))
    rows = read_archive(target)
    AuditEvent.objects.bulk_create(AuditEvent(**row) for row in rows)
    assert AuditEvent.objects.count() == 10


def test_dry_run_counts_and_changes_nothing(events, tmp_path):
    target = tmp_path / "a.jsonl.gz"
    output = run("--before", "2026-03-01", "--output", str(target), "--dry-run")
    assert "dry run: 7 event(s) before 2026-03-01" in output
    assert not target.exists() and AuditEvent.objects.count() == 10


def test_nothing_old_writes_no_file(events, tmp_path):
    target = tmp_path / "a.jsonl.gz"
    assert "no events before 2026-01-01" in run("--before", "2026-01-01", "--output", str(target))
    assert not target.exists() and AuditEvent.objects.count() == 10


def test_an_existing_archive_is_never_overwritten(events, tmp_path):
    target = tmp_path / "a.jsonl.gz"
    target.write_bytes(b"precious")
    with pytest.raises(CommandError, match="already exists"):
        run("--before", "2026-03-01", "--output", str(target))
    assert target.read_bytes() == b"precious" and AuditEvent.objects.count() == 10


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--before", "01-03-2026", "--output", "x.gz"], "YYYY-MM-DD"),
        (["--before", "2026-03-01"], "--output is required"),
        (["--before", "2026-03-01", "--output", "x.gz", "--batch-size", "0"], "batch-size"),
    ],
)
def test_bad_arguments(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_a_failed_verification_deletes_nothing(events, tmp_path, monkeypatch):
    target = tmp_path / "a.jsonl.gz"
    monkeypatch.setattr(archive_audit.Command, "_verify", lambda self, path: (6, 0))

    with pytest.raises(CommandError, match="verification failed"):
        run("--before", "2026-03-01", "--output", str(target))

    assert AuditEvent.objects.count() == 10
    assert not target.exists() and not (tmp_path / "a.jsonl.gz.partial").exists()


def test_a_batch_that_deletes_the_wrong_number_rolls_back_and_stops(events, tmp_path, monkeypatch):
    old, _ = events
    target = tmp_path / "a.jsonl.gz"
    original = archive_audit.Command._ids_in
    calls = {"n": 0}

    def ids_with_a_stranger(path):
        calls["n"] += 1
        ids = list(original(path))
        if calls["n"] == 2:  # the deleting pass (the first pass is the verification)
            ids.insert(3, 10**9)  # an id that is not in the table: its batch must not half-delete
        yield from ids

    monkeypatch.setattr(archive_audit.Command, "_ids_in", staticmethod(ids_with_a_stranger))

    with pytest.raises(CommandError, match="rolled back"):
        run("--before", "2026-03-01", "--output", str(target), "--batch-size", "2")

    # Batch 1 (2 ids) was deleted; batch 2 (an id + the stranger) rolled back; nothing after it ran.
    assert AuditEvent.objects.count() == 10 - 2
    assert len(read_archive(target)) == 7  # every event is still in the file


def test_events_written_after_the_start_are_not_archived(events, tmp_path, monkeypatch):
    """The set is fixed by the largest id at the start: a late event with an old timestamp stays."""
    target = tmp_path / "a.jsonl.gz"
    original = archive_audit.Command._write

    def write_then_insert(self, selected, path, batch_size):
        written = original(self, selected, path, batch_size)
        make_events(1, start=CUTOFF_UTC - timedelta(days=400))
        return written

    monkeypatch.setattr(archive_audit.Command, "_write", write_then_insert)

    run("--before", "2026-03-01", "--output", str(target))

    assert len(read_archive(target)) == 7 and AuditEvent.objects.count() == 3 + 1
