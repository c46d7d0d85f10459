"""Frozen versions (issue 15 §4): "Bekukan versi" stores the whole project document under a name, and
"Buka" shows it read-only with every page and document of a project.

Storage. The document is cut into chunks that change independently: the header (project, parameters,
stages, week reports), resources and analyses in groups of ``GROUP`` (by code), and one chunk per
top-level section with everything below it. Each chunk is canonical JSON (sorted keys), stored once under
its SHA-256 (``VersionChunk``); a version keeps only the list of its chunks' digests. So twenty versions of
a 2,000-item project in which one section changed between each store the unchanged chunks once.

Identity. ``content_hash`` is the SHA-256 of the whole canonical document: two versions with the same
content have the same hash, whatever their names.

Reading. A version opens as a read-only project (``Project.snapshot_of``), restored from its document
by the same code as a backup (``project_restore``); it is visible to whoever sees the project and
editable by nobody (``ProjectQuerySet``), so every page, export and comparison works on it unchanged and no
write can reach it. Snapshots are a cache: at most ``KEEP_OPEN`` per project stay, the least recently
opened is dropped (its chunks stay), and opening it again restores it again.
"""

from __future__ import annotations

import hashlib
import json
import zlib

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from ahsp.importers.project_document import plan_document
from ahsp.loaders.project_document import load_project_document
from ahsp.loaders.rab import load_rab_summary
from ahsp.models import AuditEvent, Project, ProjectVersion, VersionChunk
from ahsp.services import audit
from ahsp.services.project_restore import Origin, restore

GROUP = 100  # resources or analyses per chunk
KEEP_OPEN = 3  # opened versions kept as read-only projects, per project
HEAD_KEYS = ("format", "version", "parts", "project", "parameters", "stages", "week_reports")


def canonical(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def split(document: dict) -> tuple[dict, dict[str, bytes]]:
    """``(manifest, {digest: canonical bytes})`` of a document."""
    chunks: dict[str, bytes] = {}

    def put(value) -> str:
        data = canonical(value)
        digest = hashlib.sha256(data).hexdigest()
        chunks[digest] = data
        return digest

    def groups(rows: list) -> list[str]:
        return [put(rows[start : start + GROUP]) for start in range(0, len(rows), GROUP)]

    manifest = {
        "head": put({key: document[key] for key in HEAD_KEYS if key in document}),
        "resources": groups(document.get("resources", [])),
        "analyses": groups(document.get("analyses", [])),
        "sections": [put(section) for section in document.get("sections", [])],
    }
    return manifest, chunks


def assemble(manifest: dict) -> dict:
    """The document of a manifest (the inverse of ``split``)."""
    digests = [manifest["head"], *manifest["resources"], *manifest["analyses"], *manifest["sections"]]
    stored = {
        chunk.digest: json.loads(zlib.decompress(bytes(chunk.data)))
        for chunk in VersionChunk.objects.filter(digest__in=set(digests))
    }
    document = dict(stored[manifest["head"]])
    if "resources" in manifest and (manifest["resources"] or "parameters" in document):
        document["resources"] = [row for digest in manifest["resources"] for row in stored[digest]]
        document["analyses"] = [row for digest in manifest["analyses"] for row in stored[digest]]
    document["sections"] = [stored[digest] for digest in manifest["sections"]]
    return document


@transaction.atomic
def freeze(*, project: Project, name: str, note: str = "", by) -> ProjectVersion:
    """The project as it is now, frozen under ``name``; one audit event on the project."""
    locked = Project.objects.select_for_update().get(pk=project.pk)  # one number per version, in order
    document = load_project_document(locked, parts="progress")
    manifest, chunks = split(document)
    VersionChunk.objects.bulk_create(
        [VersionChunk(digest=d, data=zlib.compress(data, 6), size=len(data)) for d, data in chunks.items()],
        ignore_conflicts=True,  # a chunk another version already stored
        batch_size=200,
    )
    number = (ProjectVersion.objects.filter(project=locked).aggregate(n=Max("number"))["n"] or 0) + 1
    version = ProjectVersion.objects.create(
        project=locked,
        number=number,
        name=name.strip()[:120],
        note=note.strip(),
        created_by=by,
        content_hash=hashlib.sha256(canonical(document)).hexdigest(),
        manifest=manifest,
        item_count=_item_count(document),
        rounded_total=load_rab_summary(locked).totals.rounded_total,
    )
    audit.record(
        by=by,
        action=AuditEvent.Action.CREATE,
        target=version,
        project_id=locked.pk,
        summary=f"Versi {number} “{version.name}” dibekukan (#{version.short_hash})"[:300],
        after={
            "name": version.name,
            "content_hash": version.content_hash,
            "total": str(version.rounded_total),
        },
        changes=audit.Changes.NOTHING,  # the project's data did not change
    )
    return version


def _item_count(document: dict) -> int:
    count, stack = 0, list(document.get("sections", []))
    while stack:
        section = stack.pop()
        count += len(section["items"])
        stack.extend(section["sections"])
    return count


@transaction.atomic
def open_version(*, version: ProjectVersion) -> Project:
    """The version as a read-only project (restored now if it is not open), owned like its project."""
    version = (
        ProjectVersion.objects.select_for_update(of=("self",))
        .select_related("project", "snapshot")
        .get(pk=version.pk)
    )
    if version.snapshot is None:
        project = version.project
        plan = plan_document(assemble(version.manifest))
        name = f"{project.name} · versi {version.number} “{version.name}” #{version.short_hash}"[:255]
        origin = Origin(
            f"Versi {version.number} “{version.name}” dibuka (hanya baca)", {"name": version.name}
        )
        snapshot = restore(plan=plan, by=project.owner, origin=origin, name=name)
        Project.objects.filter(pk=snapshot.pk).update(snapshot_of=project)
        version.snapshot = snapshot
    version.opened_at = timezone.now()
    version.save(update_fields=["snapshot", "opened_at"])
    _drop_unused_snapshots(version.project_id)
    return Project.objects.get(pk=version.snapshot_id)


def _drop_unused_snapshots(project_id: int) -> None:
    """Keep the ``KEEP_OPEN`` most recently opened versions as projects; delete the others' (their chunks
    stay, so they open again on demand)."""
    opened = ProjectVersion.objects.filter(project_id=project_id, snapshot__isnull=False).order_by(
        "-opened_at"
    )
    for stale in opened[KEEP_OPEN:]:
        snapshot_id = stale.snapshot_id
        ProjectVersion.objects.filter(pk=stale.pk).update(snapshot=None)
        Project.objects.filter(pk=snapshot_id, snapshot_of_id=project_id).delete()


def storage_bytes(project: Project) -> dict[str, int]:
    """What the project's versions take: their chunks (compressed) and the sum of their documents."""
    digests = {d for m in project.versions.values_list("manifest", flat=True) for d in _digests(m)}
    chunks = VersionChunk.objects.filter(digest__in=digests)
    stored = sum(len(bytes(data)) for data in chunks.values_list("data", flat=True))
    return {"chunks": len(digests), "stored_bytes": stored}


def _digests(manifest: dict) -> list[str]:
    return [manifest["head"], *manifest["resources"], *manifest["analyses"], *manifest["sections"]]
