"""The audit-trail loader: keyset pages, signed cursors, filters, and the diff presenter."""

from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
from django.core import signing
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ahsp.loaders import audit as audit_trail
from ahsp.loaders.audit import (
    CURSOR_SALT,
    InvalidCursor,
    TrailFilters,
    decode_cursor,
    encode_cursor,
    load_page,
    present_diff,
    recent_actors,
    trail_queryset,
    value_lines,
)
from ahsp.models import AuditEvent

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)  # 10:00 WIB


def make_events(
    count: int,
    *,
    project_id: int | None = 1,
    start: datetime = T0,
    step: timedelta = timedelta(minutes=1),
    same_time: bool = False,
    **fields,
) -> list[AuditEvent]:
    """``count`` events, the i-th at ``start + i * step`` (or all at ``start``), oldest first.

    ``created_at`` is ``auto_now_add``, so the times are set by an UPDATE after the insert.
    """
    defaults = {
        "actor_label": "estimator@example.com",
        "action": "update",
        "target_type": "workitem",
        "target_id": "7",
        "before": {"volume": "1.0000"},
        "after": {"volume": "2.0000"},
    }
    defaults.update(fields)
    events = AuditEvent.objects.bulk_create(
        AuditEvent(project_id=project_id, summary=f"Perubahan {number}", **defaults)
        for number in range(count)
    )
    for number, event in enumerate(events):
        event.created_at = start if same_time else start + number * step
        AuditEvent.objects.filter(pk=event.pk).update(created_at=event.created_at)
    return events


def walk(project_id, filters: TrailFilters | None = None, size=audit_trail.PAGE_SIZE) -> list[list[int]]:
    """Every page of a trail, as lists of ids."""
    filters = filters or TrailFilters()
    pages, cursor = [], None
    while True:
        page = load_page(project_id=project_id, filters=filters, cursor=cursor, size=size)
        pages.append([event.pk for event in page.events])
        if not page.has_next:
            return pages
        cursor = page.next_cursor


# --- cursors ------------------------------------------------------------------------------------------


def test_cursor_round_trip_keeps_microseconds():
    moment = datetime(2026, 3, 2, 3, 4, 5, 678901, tzinfo=UTC)
    token = encode_cursor(moment, 42, scope="project:1")
    assert decode_cursor(token, scope="project:1") == (moment, 42)
    assert "2026" not in token and "42" not in token.split(":")[-1]  # opaque, not a readable date


@pytest.mark.parametrize(
    "token",
    [
        "",
        "garbage",
        "WzEsMl0:forged",
        signing.Signer(salt="other").sign_object([1, 2]),
        signing.Signer(salt=f"{CURSOR_SALT}:project:1").sign_object({"created": 1, "id": 2}),
        signing.Signer(salt=f"{CURSOR_SALT}:project:1").sign_object([1, 0]),
        signing.Signer(salt=f"{CURSOR_SALT}:project:1").sign_object([1, True]),
        signing.Signer(salt=f"{CURSOR_SALT}:project:1").sign_object([10**30, 5]),
        signing.Signer(salt=f"{CURSOR_SALT}:project:1").sign_object(["1", 5]),
    ],
)
def test_tampered_or_foreign_cursors_are_refused(token):
    with pytest.raises(InvalidCursor):
        decode_cursor(token, scope="project:1")


def test_a_cursor_of_another_trail_is_refused():
    token = encode_cursor(T0, 5, scope="project:1")
    with pytest.raises(InvalidCursor):
        decode_cursor(token, scope="project:2")
    with pytest.raises(InvalidCursor):
        decode_cursor(token, scope="global")


def test_an_edited_cursor_is_refused():
    token = encode_cursor(T0, 5, scope="global")
    payload, signature = token.rsplit(":", 1)
    forged = signing.b64_encode(b"[1,999999]").decode() + ":" + signature
    with pytest.raises(InvalidCursor):
        decode_cursor(forged, scope="global")
    with pytest.raises(InvalidCursor):
        decode_cursor(payload + ":" + signature[:-1] + ("A" if signature[-1] != "A" else "B"), scope="global")


# --- keyset pages -------------------------------------------------------------------------------------


def test_pages_are_newest_first_and_cover_every_row_once():
    events = make_events(120)

    pages = walk(1)

    assert [len(page) for page in pages] == [50, 50, 20]
    flat = [pk for page in pages for pk in page]
    assert flat == [event.pk for event in reversed(events)]


def test_identical_timestamps_are_ordered_by_id_across_page_boundaries():
    # 130 events in one instant (a bulk import): the boundary falls inside the tie, twice.
    tied = make_events(130, same_time=True)
    older = make_events(5, start=T0 - timedelta(hours=1))

    pages = walk(1)

    flat = [pk for page in pages for pk in page]
    assert [len(page) for page in pages] == [50, 50, 35]
    assert flat == sorted((e.pk for e in tied), reverse=True) + [e.pk for e in reversed(older)]
    assert len(set(flat)) == 135


def test_exactly_one_page_has_no_next_and_51_rows_make_two():
    make_events(50)
    page = load_page(project_id=1, filters=TrailFilters())
    assert len(page.events) == 50 and page.next_cursor is None

    make_events(1, start=T0 - timedelta(days=1))
    page = load_page(project_id=1, filters=TrailFilters())
    assert len(page.events) == 50 and page.next_cursor is not None
    last = load_page(project_id=1, filters=TrailFilters(), cursor=page.next_cursor)
    assert len(last.events) == 1 and last.next_cursor is None


def test_a_page_reads_the_same_number_of_queries_at_any_depth():
    make_events(260)
    first = load_page(project_id=1, filters=TrailFilters())
    deep_cursor = first.next_cursor
    for _ in range(3):
        deep_cursor = load_page(project_id=1, filters=TrailFilters(), cursor=deep_cursor).next_cursor

    with CaptureQueriesContext(connection) as page_one:
        load_page(project_id=1, filters=TrailFilters())
    with CaptureQueriesContext(connection) as deep:
        deep_page = load_page(project_id=1, filters=TrailFilters(), cursor=deep_cursor)

    assert len(page_one) == len(deep) == 1
    assert len(deep_page.events) == 50 and deep_page.has_next  # page 5 of 6
    sql = deep.captured_queries[0]["sql"].upper()
    assert "OFFSET" not in sql and "LIMIT 51" in sql


def test_the_list_query_leaves_the_diff_json_unloaded():
    make_events(3)
    with CaptureQueriesContext(connection) as captured:
        load_page(project_id=1, filters=TrailFilters())
    sql = captured.captured_queries[0]["sql"]
    assert '"before"' not in sql and '"after"' not in sql


def test_the_global_trail_spans_projects_and_names_them(user):
    from ahsp.tests.factories import ProjectFactory

    project = ProjectFactory(owner=user, name="Gedung A")
    make_events(2, project_id=project.pk)
    make_events(2, project_id=None, target_type="referenceimport")
    make_events(1, project_id=999_999)  # a deleted project

    page = load_page(project_id=None, filters=TrailFilters(), with_project_names=True)

    assert len(page.events) == 5
    assert page.project_names == {project.pk: "Gedung A"}


# --- filters ------------------------------------------------------------------------------------------


def test_filters_by_action_type_and_actor(make_user):
    author = make_user("penulis@example.com")
    make_events(3, action="create", target_type="section", actor_id=author.pk, actor_label=author.email)
    make_events(4, action="update", target_type="workitem")
    make_events(2, action="delete", target_type="section", actor_id=None, actor_label="mantan@example.com")

    def ids(**filters):
        return {e.pk for e in trail_queryset(project_id=1, filters=TrailFilters(**filters))}

    assert len(ids(action="create")) == 3
    assert len(ids(target_type="section")) == 5
    assert len(ids(action="delete", target_type="section")) == 2
    assert len(ids(actor="PENULIS@example.com")) == 3  # e-mail, any case, resolved to the user id
    assert len(ids(actor="mantan@example.com")) == 2  # no such user any more: the stored label
    assert ids(actor="nobody@example.com") == set()


def test_date_range_is_in_local_days_inclusive():
    # 2 March 2026 in Jakarta (UTC+7) runs from 1 March 17:00 UTC to 2 March 17:00 UTC.
    inside_first = make_events(1, start=datetime(2026, 3, 1, 17, 0, tzinfo=UTC))
    inside_last = make_events(1, start=datetime(2026, 3, 2, 16, 59, 59, tzinfo=UTC))
    before = make_events(1, start=datetime(2026, 3, 1, 16, 59, 59, tzinfo=UTC))
    after = make_events(1, start=datetime(2026, 3, 2, 17, 0, tzinfo=UTC))

    found = set(
        trail_queryset(
            project_id=1, filters=TrailFilters(date_from=date(2026, 3, 2), date_to=date(2026, 3, 2))
        ).values_list("pk", flat=True)
    )

    assert found == {inside_first[0].pk, inside_last[0].pk}
    assert before[0].pk not in found and after[0].pk not in found


def test_filtered_pages_walk_by_keyset_too():
    make_events(70, action="delete")
    make_events(70, action="update", start=T0 + timedelta(seconds=30))

    pages = walk(1, TrailFilters(action="delete"))

    assert [len(page) for page in pages] == [50, 20]
    assert AuditEvent.objects.filter(pk__in=pages[0] + pages[1], action="delete").count() == 70


def test_filters_as_query_only_names_what_is_set():
    assert TrailFilters().as_query() == {} and not TrailFilters().active
    query = TrailFilters(action="create", date_to=date(2026, 3, 2)).as_query()
    assert query == {"action": "create", "date_to": "2026-03-02"}


def test_recent_actors_are_distinct_and_sorted():
    make_events(3, actor_label="b@example.com")
    make_events(2, actor_label="a@example.com", start=T0 + timedelta(hours=1))
    make_events(1, actor_label="")
    assert recent_actors(project_id=1) == ["a@example.com", "b@example.com"]


# --- the diff presenter -------------------------------------------------------------------------------


def test_present_diff_of_an_update_lists_field_before_after():
    event = AuditEvent(
        target_type="workitem",
        action="update",
        before={"name": "Galian", "volume": "1.0000"},
        after={"name": "Galian tanah", "volume": "2.5000"},
    )
    rows = present_diff(event)
    assert [(r.key, r.label, r.before, r.after) for r in rows] == [
        ("name", "Nama", ["Galian"], ["Galian tanah"]),
        ("volume", "Volume", ["1.0000"], ["2.5000"]),
    ]


def test_present_diff_of_create_and_delete_have_one_side():
    created = present_diff(AuditEvent(target_type="section", after={"name": "Atap", "parent_id": None}))
    assert [(r.label, r.before, r.after) for r in created] == [
        ("Nama", None, ["Atap"]),
        ("Induk (id)", None, ["—"]),
    ]
    deleted = present_diff(AuditEvent(target_type="stage", before={"nama": "Tahap 1"}))
    assert [(r.label, r.before, r.after) for r in deleted] == [("Nama", ["Tahap 1"], None)]
    assert present_diff(AuditEvent(target_type="project")) == []


def test_project_fields_use_the_model_labels():
    rows = present_diff(AuditEvent(target_type="project", before={"budget_ceiling": None, "version": 1}))
    assert [r.label for r in rows] == ["Pagu anggaran (Rp)", "Versi"]


def test_project_import_event_counts_are_labelled_not_taken_for_model_fields():
    """``work_items`` / ``sections`` are reverse relations of Project (no verbose_name): the diff of an
    import event raised AttributeError before."""
    after = {"file_name": "proyek.xlsx", "work_items": 3, "sections": 3, "analyses": 3, "resources": 4}
    rows = present_diff(AuditEvent(target_type="project", action="import", after=after))
    assert [r.label for r in rows] == ["Berkas", "Pekerjaan", "Klasifikasi", "Analisa", "Sumber daya"]


def test_keys_of_the_new_analysis_writes_have_indonesian_labels():
    """analyses.make_item_variant (analysis_code), set_direct_price (direct_unit_price) and
    add_new_resource_component (new_resource: a whole record, its fields labelled too)."""
    variant = AuditEvent(
        target_type="workitem",
        before={"analysis_id": 3, "analysis_code": "2.2.1.1"},
        after={"analysis_id": 9, "analysis_code": "2.2.1.1-a"},
    )
    direct = AuditEvent(
        target_type="workitem", before={"direct_unit_price": None}, after={"direct_unit_price": "1500000.00"}
    )
    new_resource = {
        "code": "L.01",
        "name": "Papan nama",
        "unit": "bh",
        "category": "other",
        "unit_price": "750000.00",
    }
    created = AuditEvent(target_type="projectanalysis", after={"new_resource": new_resource})

    assert [(r.label, r.before, r.after) for r in present_diff(variant)] == [
        ("Analisa (id)", ["3"], ["9"]),
        ("Kode analisa", ["2.2.1.1"], ["2.2.1.1-a"]),
    ]
    assert [(r.label, r.before, r.after) for r in present_diff(direct)] == [
        ("Harga satuan langsung", ["—"], ["1500000.00"])
    ]
    assert [(r.label, r.after) for r in present_diff(created)] == [
        (
            "Sumber daya baru",
            [
                "Kode: L.01",
                "Nama: Papan nama",
                "Satuan: bh",
                "Kategori: Lain-lain",
                "Harga satuan dasar: 750000.00",
            ],
        )
    ]


@pytest.mark.parametrize(
    ("key", "value", "lines"),
    [
        ("x", None, ["—"]),
        ("x", "", ["(kosong)"]),
        ("x", True, ["ya"]),
        ("x", 12, ["12"]),
        ("components", [["TK.0008", "0.75"], ["@C.1", "0.5"]], ["TK.0008 × 0.75", "@C.1 × 0.5"]),
        ("components", [], ["(kosong)"]),
        ("rencana", {"1": "50", "2": "50"}, ["minggu 1: 50 %", "minggu 2: 50 %"]),
        ("parameters", {"week": 3}, ["week: 3"]),
    ],
)
def test_value_lines(key, value, lines):
    assert value_lines(key, value) == lines


# --- the bench command (smoke: a small table on the test database) -----------------------------------


def test_bench_audit_runs_on_a_small_table():
    out = StringIO()
    call_command("bench_audit", events=400, projects=3, depth=3, runs=1, stdout=out)
    text = out.getvalue()
    assert "inserted 400 events" in text
    assert "project: same plan at page 1 and page 3: yes" in text
    assert "global (staff): same plan at page 1 and page 3: yes" in text
    assert AuditEvent.objects.filter(summary__startswith="Uji beban #").count() == 400
