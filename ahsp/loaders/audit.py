"""Reading the audit trail: keyset pages of events, their cursors, and the before/after diff of one event.

Pages are newest first and cut by KEYSET on ``(created_at, id)``: the next page is the rows strictly
"older" than the last row shown, ``(created_at, id) < (last.created_at, last.id)``, a row comparison that
PostgreSQL answers from the index ``(project_id, created_at DESC, id DESC)`` (per project) or
``(created_at DESC, id DESC)`` (global) by seeking to the cursor and reading 51 entries. So page 10,000
costs what page 1 costs, and no OFFSET is ever used. Rows with the same ``created_at`` are ordered by
``id``, so a page boundary never skips or repeats a row.

The cursor handed to the browser is opaque and signed (``django.core.signing``, salted per trail): a
tampered or foreign cursor is rejected (``InvalidCursor``) instead of being trusted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import FieldDoesNotExist
from django.db.models import F, QuerySet
from django.db.models.fields.tuple_lookups import Tuple, TupleLessThan
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ahsp.models import AuditEvent, Project, ResourceCategory

PAGE_SIZE = 50
CURSOR_SALT = "ahsp.loaders.audit.cursor"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Columns a trail row shows; the before/after JSON is loaded only when a row is opened.
LIST_COLUMNS = (
    "id",
    "created_at",
    "actor_id",
    "actor_label",
    "project_id",
    "action",
    "target_type",
    "target_id",
    "summary",
)
RECENT_ACTORS_WINDOW = 500

# What each target type (the model name stored by ``services.audit.record``) is called in the UI.
TARGET_TYPES: dict[str, Any] = {
    "project": _("Proyek"),
    "section": _("Klasifikasi"),
    "workitem": _("Pekerjaan"),
    "projectparameter": _("Parameter"),
    "projectanalysis": _("Analisa (AHSP)"),
    "projectresource": _("Sumber daya"),
    "stage": _("Tahapan"),
    "weekreport": _("Laporan mingguan"),
    "exportjob": _("Ekspor"),
    "referenceimport": _("Impor AHSP referensi"),
}


def action_label(action: str) -> str:
    try:
        return str(AuditEvent.Action(action).label)
    except ValueError:
        return action


def target_type_label(target_type: str) -> str:
    return str(TARGET_TYPES.get(target_type, target_type))


# --- Cursors -------------------------------------------------------------------------------------------


class InvalidCursor(Exception):
    """The cursor was not made by this trail (tampered, truncated, from another trail or another key)."""


def _signer(scope: str) -> signing.Signer:
    return signing.Signer(salt=f"{CURSOR_SALT}:{scope}")


def encode_cursor(created_at: datetime, pk: int, *, scope: str) -> str:
    """An opaque token for the position just after the row (created_at, pk) in the trail ``scope``."""
    micros = (created_at - EPOCH) // timedelta(microseconds=1)
    return _signer(scope).sign_object([micros, pk])


def decode_cursor(token: str, *, scope: str) -> tuple[datetime, int]:
    try:
        value = _signer(scope).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise InvalidCursor from exc
    if not (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(part, int) and not isinstance(part, bool) for part in value)
        and value[1] > 0
    ):
        raise InvalidCursor
    try:
        created_at = EPOCH + timedelta(microseconds=value[0])
    except OverflowError as exc:
        raise InvalidCursor from exc
    return created_at, value[1]


def trail_scope(project_id: int | None) -> str:
    return "global" if project_id is None else f"project:{project_id}"


# --- Filters and pages ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrailFilters:
    actor: str = ""  # the e-mail shown as "who"
    action: str = ""
    target_type: str = ""
    date_from: date | None = None  # local dates (settings.TIME_ZONE), both inclusive
    date_to: date | None = None

    def as_query(self) -> dict[str, str]:
        """The filters as GET parameters (for the links of the next page)."""
        params = {
            "actor": self.actor,
            "action": self.action,
            "type": self.target_type,
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
        }
        return {key: value for key, value in params.items() if value}

    @property
    def active(self) -> bool:
        return bool(self.as_query())


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def trail_queryset(*, project_id: int | None, filters: TrailFilters) -> QuerySet[AuditEvent]:
    """The events of one project (or of all, ``project_id=None``), filtered, newest first."""
    qs = AuditEvent.objects.all()
    if project_id is not None:
        qs = qs.filter(project_id=project_id)
    if filters.actor:
        user_ids = list(
            get_user_model().objects.filter(email__iexact=filters.actor).values_list("pk", flat=True)
        )
        # A user who no longer exists is still found by the label the events were written with.
        qs = qs.filter(actor_id__in=user_ids) if user_ids else qs.filter(actor_label=filters.actor)
    if filters.action:
        qs = qs.filter(action=filters.action)
    if filters.target_type:
        qs = qs.filter(target_type=filters.target_type)
    if filters.date_from:
        qs = qs.filter(created_at__gte=_local_midnight(filters.date_from))
    if filters.date_to:
        qs = qs.filter(created_at__lt=_local_midnight(filters.date_to + timedelta(days=1)))
    return qs.order_by("-created_at", "-id")


def page_queryset(qs: QuerySet[AuditEvent], after: tuple[datetime, int] | None, size: int) -> QuerySet:
    """``size + 1`` rows after the keyset position ``after`` (the extra row tells whether more follow)."""
    if after is not None:
        qs = qs.filter(TupleLessThan(Tuple(F("created_at"), F("id")), after))
    return qs.only(*LIST_COLUMNS)[: size + 1]


@dataclass(frozen=True)
class TrailPage:
    events: list[AuditEvent]
    next_cursor: str | None
    project_names: dict[int, str] = field(default_factory=dict)

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None


def load_page(
    *,
    project_id: int | None,
    filters: TrailFilters,
    cursor: str | None = None,
    size: int = PAGE_SIZE,
    with_project_names: bool = False,
) -> TrailPage:
    """One page of the trail after ``cursor`` (the first page without one). Raises ``InvalidCursor``.

    A fixed number of queries at any depth: the page (plus the user lookup of an actor filter, plus the
    names of the page's projects for the global trail).
    """
    scope = trail_scope(project_id)
    after = decode_cursor(cursor, scope=scope) if cursor else None
    rows = list(page_queryset(trail_queryset(project_id=project_id, filters=filters), after, size))
    events, more = rows[:size], len(rows) > size
    next_cursor = encode_cursor(events[-1].created_at, events[-1].pk, scope=scope) if more else None
    names: dict[int, str] = {}
    if with_project_names:
        ids = {event.project_id for event in events if event.project_id is not None}
        if ids:
            names = dict(Project.objects.filter(pk__in=ids).values_list("pk", "name"))
    return TrailPage(events=events, next_cursor=next_cursor, project_names=names)


def recent_actors(*, project_id: int | None, limit: int = RECENT_ACTORS_WINDOW) -> list[str]:
    """Who wrote the latest events (suggestions for the user filter): one bounded index read."""
    qs = AuditEvent.objects.all()
    if project_id is not None:
        qs = qs.filter(project_id=project_id)
    labels = qs.order_by("-created_at", "-id").values_list("actor_label", flat=True)[:limit]
    return sorted({label for label in labels if label})


# --- The diff of one event (its "presenter") -----------------------------------------------------------

FIELD_LABELS: dict[str, Any] = {
    "name": _("Nama"),
    "nama": _("Nama"),
    "code": _("Kode"),
    "unit": _("Satuan"),
    "section_id": _("Klasifikasi (id)"),
    "parent_id": _("Induk (id)"),
    "position": _("Urutan"),
    "volume": _("Volume"),
    "volume_formula": _("Rumus volume"),
    "analysis_id": _("Analisa (id)"),
    "analysis_code": _("Kode analisa"),
    "value": _("Nilai"),
    "components": _("Komponen (kode × koefisien)"),
    "is_modified": _("Diubah dari referensi"),
    "unit_price": pgettext_lazy("audit field", "Harga satuan dasar"),
    "direct_unit_price": _("Harga satuan langsung"),
    "new_resource": _("Sumber daya baru"),
    "category": _("Kategori"),
    "purchase_unit": _("Satuan beli"),
    "purchase_factor": _("Isi per satuan beli"),
    "overhead_pct_override": _("BUK pekerjaan (%)"),
    "unit_rate": _("Harga satuan pekerjaan"),
    "amount": _("Jumlah harga"),
    "work_items": _("Pekerjaan"),
    "sections": _("Klasifikasi"),
    "analyses": _("Analisa"),
    "resources": _("Sumber daya"),
    "document": _("Dokumen"),
    "format": _("Format"),
    "parameters": _("Parameter"),
    "file_name": _("Berkas"),
    "stages": _("Tahapan"),
    "content_hash": _("Sidik isi"),
    "total": _("Total dibulatkan"),
    "bagian": _("Bagian proyek yang ditulis"),
    "salinan_dari": _("Disalin dari"),
    "summary": _("Ringkasan"),
    "rencana": _("Rencana (% per minggu)"),
    "minggu": _("Minggu ke-"),
    "minggu_mulai": _("Minggu mulai"),
    "minggu_akhir": _("Minggu akhir"),
    "pekerjaan": _("Pekerjaan"),
    "realisasi": _("Realisasi (%)"),
    "tanggal_laporan": _("Tanggal laporan"),
    "biaya_aktual": _("Biaya aktual"),
    "tanggal_mulai": _("Tanggal mulai"),
    "tanggal_selesai": _("Tanggal selesai"),
    "tahapan": _("Tahapan"),
    "owner": _("Pemilik akun (id)"),
    "version": _("Versi"),
}


# Keys whose value is a snapshot of a whole record (``{"code": ..., "name": ...}``): its fields are named
# with FIELD_LABELS too. Other dict values (``parameters``) map user-chosen names, shown as they are.
RECORD_KEYS = {"new_resource"}


def _record_label(key: str) -> str:
    label = FIELD_LABELS.get(key)
    return str(label) if label is not None else key.replace("_", " ")


def _record_value(key: str, value: Any) -> list[str]:
    if key == "category" and value in ResourceCategory.values:
        return [str(ResourceCategory(value).label)]
    return value_lines(key, value)


@dataclass(frozen=True)
class DiffRow:
    key: str
    label: str
    before: list[str] | None  # lines of the value; None = no value on that side
    after: list[str] | None


def field_label(event: AuditEvent, key: str) -> str:
    if event.target_type == "project" and key not in {"owner", "version"}:
        try:
            model_field = Project._meta.get_field(key)
        except FieldDoesNotExist:  # a field removed since the event was written
            model_field = None
        # A reverse relation (``work_items``, ``sections`` of an import event) has no verbose_name.
        if verbose_name := getattr(model_field, "verbose_name", None):
            return capfirst(str(verbose_name))
    return _record_label(key)


def value_lines(key: str, value: Any) -> list[str]:
    """A stored JSON value as short lines of text for the diff table."""
    if value is None:
        return ["—"]
    if value == "":
        return [str(_("(kosong)"))]
    if isinstance(value, bool):
        return [str(_("ya")) if value else str(_("tidak"))]
    if isinstance(value, dict):
        if not value:
            return [str(_("(kosong)"))]
        if key == "rencana":
            return [f"{_('minggu')} {week}: {share} %" for week, share in value.items()]
        if key in RECORD_KEYS:  # a whole record (its fields labelled), not a mapping of user names
            return [f"{_record_label(k)}: {', '.join(_record_value(k, v))}" for k, v in value.items()]
        return [f"{k}: {', '.join(value_lines(k, v))}" for k, v in value.items()]
    if isinstance(value, list):
        if not value:
            return [str(_("(kosong)"))]
        return [" × ".join(map(str, item)) if isinstance(item, list) else str(item) for item in value]
    return [str(value)]


def present_diff(event: AuditEvent) -> list[DiffRow]:
    """Field | before | after rows of one event, in the order the service wrote the keys."""
    before = event.before if isinstance(event.before, dict) else None
    after = event.after if isinstance(event.after, dict) else None
    keys = list(dict.fromkeys([*(before or {}), *(after or {})]))
    return [
        DiffRow(
            key=key,
            label=field_label(event, key),
            before=value_lines(key, before.get(key)) if before is not None and key in before else None,
            after=value_lines(key, after.get(key)) if after is not None and key in after else None,
        )
        for key in keys
    ]
