"""No 500 for any input: every URL pattern gets generated path values, query parameters and form fields.

For each URL pattern of the site (``get_resolver()``, recursively; the staff-only admin excepted) the path
converters are filled with real ids of a small seeded project of the test user, ids of another user's
project, missing and huge ids, and odd strings. Each example sends a GET or a POST (with and without
``HX-Request: true``) whose query parameters and form fields come from:

- the names every view reads (``request.GET.get("x")``, ``POST.getlist("x")``, ``f"{FIELD}..."`` and the
  fields of the forms in ``ahsp/forms/*.py`` / the views, collected from the source), and
- the ``<form>`` fields of every page of the seeded project (GET once before fuzzing, with the values the
  page puts in them), so a POST starts from what the page would send and one or more fields are replaced
  by hostile values: NUL bytes, unicode digits (``²``, ``١٢٣``), 15-40 digit numbers, negative numbers,
  dates like 9999-12-31 / 0001-01-01, very long strings, empty strings, random text.

The assertion is "no 5xx and no exception". On SQLite the database accepts what PostgreSQL refuses (NUL in
text, a numeric or integer that overflows its column), so the test makes SQLite refuse those the way
PostgreSQL does (``postgres_like_limits``): a value the forms let through to the database fails here too.
Each example runs in a savepoint that is rolled back, so a delete does not starve the next examples.
"""

from __future__ import annotations

import inspect
import os
import re
from collections import defaultdict
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from django.db import DataError, connection, transaction
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from ahsp.models import (
    AuditEvent,
    ExportJob,
    ReferenceAnalysis,
    ReferenceImportJob,
    WorkbookImportJob,
)
from ahsp.services import audit, parameters, recalc, schedule, sections, work_items
from ahsp.tests.estimate_fixtures import make_reference_library
from ahsp.tests.factories import AnalysisComponentFactory, ProjectFactory, ProjectResourceFactory

pytestmark = pytest.mark.django_db

#: Examples per URL pattern; ``FUZZ_EXAMPLES=200`` for a deeper run by hand or at night.
EXAMPLES_PER_URL = int(os.environ.get("FUZZ_EXAMPLES", "14"))
SKIPPED_NAMESPACES = {"admin"}  # Django's own staff-only admin: not our input handling

HOSTILE_VALUES = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "1\x00",
    "²",
    "١٢٣",
    "¹²³",
    "0",
    "-1",
    "1",
    "2",
    "abc",
    "9" * 15,
    "9" * 16,
    "9" * 20,
    "9" * 40,
    "999.999.999.999.999",
    "999.999.999.999.999,99",
    "9999999999999999,9999",
    "99999999999999.999999",
    "-999999999999999",
    "1e308",
    "NaN",
    "Infinity",
    "1,5",
    "1.234,56",
    "0,000001",
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "31/12/9999",
    "9999-12-31T23:59:59",
    "x" * 5000,
    "9" * 5000,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%00",
    "up",
    "down",
    "all",
    "month",
    "week",
    "weekly",
    "on",
    "true",
]

#: Values every field of every form gets once (``test_each_form_field_refuses_hostile_values``).
CRITICAL_VALUES = [
    "a\x00b",
    "²",
    "999.999.999.999.999",
    "9" * 16,
    "9999-12-31",
    "0001-01-01",
    "-1",
    "x" * 5000,
]


def hostile_values() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(HOSTILE_VALUES),
        st.sampled_from(CRITICAL_VALUES),
        st.sampled_from(HOSTILE_VALUES),
        st.text(max_size=20),
        st.integers(min_value=-(10**25), max_value=10**25).map(str),
        st.dates().map(str),
        st.decimals(allow_nan=False, allow_infinity=False, places=4).map(str),
    )


# --- The seeded project ------------------------------------------------------------------------------


@pytest.fixture
def world(user, other_user, settings, tmp_path):
    """A 4-week project with two sections, three work items (one from the library, one priced), prices, a
    parameter, a stage, audit events, an export job, a reference import job, a price import job; and another user's project."""
    settings.AHSP_REPORT_DIR = tmp_path / "reports"
    settings.MEDIA_ROOT = tmp_path / "media"
    library = make_reference_library()
    project = ProjectFactory(owner=user, start_date=date(2026, 3, 2), duration_weeks=4)
    section = sections.create(project=project, name="Pekerjaan Tanah", by=user)
    section2 = sections.create(project=project, name="Pekerjaan Beton", by=user)
    item = work_items.add_custom(project=project, section=section, name="Galian tanah", unit="m3", by=user)
    worker = ProjectResourceFactory(
        project=project,
        code="L.01",
        name="Pekerja",
        unit="OH",
        category="labour",
        unit_price=Decimal("100000"),
    )
    component = AnalysisComponentFactory(analysis=item.analysis, resource=worker, coefficient=Decimal("0.75"))
    recalc.recalculate_project(project)
    work_items.set_volume(item=item, volume=Decimal("12"), formula="", expected_version=None, by=user)
    parameter = parameters.set_value(project=project, name="panjang", value=Decimal("10"), by=user)
    stage = schedule.create_stage(project=project, name="Tahap 1", by=user)
    ref_item = work_items.add_from_reference(
        project=project, section=section2, reference=library["dig"], by=user
    )
    export = ExportJob.objects.create(project=project, requested_by=user, document="rab", format="pdf")
    reference_job = ReferenceImportJob.objects.create(
        requested_by=user, source="SNI 2025", file_name="a.xlsx"
    )
    workbook_job = WorkbookImportJob.objects.create(
        kind="prices", project=project, requested_by=user, file_name="harga.xlsx"
    )
    other = ProjectFactory(owner=other_user, name="Proyek orang lain")
    other_section = sections.create(project=other, name="Lain", by=other_user)
    other_item = work_items.add_custom(
        project=other, section=other_section, name="X", unit="m", by=other_user
    )
    event = AuditEvent.objects.filter(project_id=project.pk).order_by("-id").first()
    with transaction.atomic():  # the event of an Excel import (its diff once answered 500: issue 12)
        imported = audit.record(
            by=user,
            action=AuditEvent.Action.IMPORT,
            target=project,
            project_id=project.pk,
            summary="Proyek diimpor dari Excel: 2 pekerjaan",
            after={"file_name": "proyek.xlsx", "work_items": 2, "sections": 2, "analyses": 2, "resources": 1},
        )
    ids = {
        "pk": [project.pk],
        "section_id": [section.pk, section2.pk],
        "item_id": [item.pk, ref_item.pk],
        "component_id": [component.pk],
        "resource_id": [worker.pk],
        "parameter_id": [parameter.pk],
        "stage_id": [stage.pk],
        "event_id": [imported.pk, event.pk],
        "job_id": [export.pk, reference_job.pk, workbook_job.pk],
        "code": [library["dig"].code, ReferenceAnalysis.objects.get(code="3.1.2.1").code],
    }
    foreign = [other.pk, other_section.pk, other_item.pk, 999_999, 2**31, 2**63 - 1]
    foreign_ids = {
        "pk": [other.pk],
        "project_id": [other.pk],
        "section_id": [other_section.pk],
        "item_id": [other_item.pk],
    }
    return {"user": user, "project": project, "ids": ids, "foreign": foreign, "foreign_ids": foreign_ids}


# --- PostgreSQL's limits on SQLite -------------------------------------------------------------------

PG_INTEGER_RANGES = {
    "SmallIntegerField": (-32768, 32767),
    "PositiveSmallIntegerField": (0, 32767),
    "IntegerField": (-2147483648, 2147483647),
    "PositiveIntegerField": (0, 2147483647),
}


@pytest.fixture
def postgres_like_limits(monkeypatch):
    """Make SQLite refuse what PostgreSQL refuses: NUL characters in text, numerics that overflow their
    ``max_digits``/``decimal_places``, integers outside their column type. A no-op on PostgreSQL."""
    if connection.vendor != "sqlite":
        yield
        return
    ops = connection.ops
    adapt_decimal, adapt_integer = ops.adapt_decimalfield_value, ops.adapt_integerfield_value

    def decimal_value(value, max_digits=None, decimal_places=None):
        if isinstance(value, Decimal) and value.is_finite() and max_digits is not None:
            integer_digits = max(value.adjusted() + 1, 0)
            if integer_digits > max_digits - (decimal_places or 0):
                raise DataError(f"numeric field overflow ({value} in numeric({max_digits},{decimal_places}))")
        return adapt_decimal(value, max_digits, decimal_places)

    def integer_value(value, internal_type):
        low, high = PG_INTEGER_RANGES.get(internal_type, (-(2**63), 2**63 - 1))
        if isinstance(value, int) and not low <= value <= high:
            raise DataError(f"integer out of range ({value} for {internal_type})")
        return adapt_integer(value, internal_type)

    def no_nul(execute, sql, params, many, context):
        rows = params if many else [params]
        for row in rows or []:
            values = row.values() if isinstance(row, dict) else (row or [])
            if any(isinstance(value, str) and "\x00" in value for value in values):
                raise DataError("A string literal cannot contain NUL (0x00) characters.")
        return execute(sql, params, many, context)

    monkeypatch.setattr(ops, "adapt_decimalfield_value", decimal_value)
    monkeypatch.setattr(ops, "adapt_integerfield_value", integer_value)
    with connection.execute_wrapper(no_nul):
        yield


# --- URL patterns and the names views read -----------------------------------------------------------


def url_patterns() -> list[tuple[str, list[str], str]]:
    """(name to reverse, converter names, route) of every named pattern, nested includes flattened."""
    found = []

    def walk(patterns, namespace, route):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace in SKIPPED_NAMESPACES:
                    continue
                ns = f"{namespace}:{pattern.namespace}" if pattern.namespace else namespace
                walk(pattern.url_patterns, ns, route + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}".lstrip(":")
                groups = list(pattern.pattern.converters) or list(pattern.pattern.regex.groupindex)
                found.append((name, groups, route + str(pattern.pattern)))

    walk(get_resolver().url_patterns, "", "")
    return sorted(set((n, tuple(c), r) for n, c, r in found))


AHSP_DIR = Path(__file__).resolve().parents[1]
_READ = re.compile(r"""(?:GET|POST|data)(?:\.get|\.getlist|\[)\(?\s*f?["']([A-Za-z_][\w-]*)""")
_FORMS_IMPORT = re.compile(r"^from ahsp\.forms\.(\w+) import", re.MULTILINE)
_FORM_FIELD = re.compile(r"^\s+(\w+)\s*=\s*(?:forms\.\w+|\w*InputField|\w+Field)\(", re.MULTILINE)


def field_names_from_source() -> list[str]:
    names = set()
    for path in [
        *AHSP_DIR.glob("views/*.py"),
        *AHSP_DIR.glob("forms/*.py"),
        AHSP_DIR / "loaders" / "audit.py",
    ]:
        text = path.read_text()
        names.update(_READ.findall(text))
        names.update(_FORM_FIELD.findall(text))
    from ahsp.services.projects import EDITABLE_FIELDS

    names.update(EDITABLE_FIELDS)
    return sorted(names)


class FormCollector(HTMLParser):
    """Every ``<form>``'s action and method with its fields and their values as the page fills them; also
    the names of inputs outside forms and ``hx-get``/``hx-post`` targets."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self.loose_names: set[str] = set()
        self._form: dict | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {
                "action": a.get("action") or a.get("hx-post") or a.get("hx-get") or "",
                "method": (a.get("method") or ("post" if a.get("hx-post") else "get")).lower(),
                "fields": [],
            }
            self.forms.append(self._form)
            return
        for attr in ("hx-post", "hx-get"):
            if a.get(attr) and tag != "form":
                self.forms.append({"action": a[attr], "method": attr[3:], "fields": []})
        name = a.get("name")
        if not name:
            if tag == "option" and self._select and self._form is not None and "value" in a:
                fields = self._form["fields"]
                if "selected" in a or not any(n == self._select for n, _ in fields):
                    fields[:] = [f for f in fields if f[0] != self._select]
                    fields.append((self._select, a.get("value") or ""))
            return
        target = self._form["fields"] if self._form is not None else None
        self.loose_names.add(name)
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            if kind in {"file", "submit", "button", "image"}:
                return
            if target is not None:
                target.append((name, a.get("value") or ""))
        elif tag == "select":
            self._select = name
        elif tag == "textarea":
            self._textarea = name
            if target is not None:
                target.append((name, ""))

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            fields = self._form["fields"]
            if fields and fields[-1][0] == self._textarea:
                fields[-1] = (self._textarea, fields[-1][1] + data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def collect_forms(client, paths: list[str]) -> tuple[dict[str, list[list[tuple[str, str]]]], set[str]]:
    """Action path -> the field lists of the forms that post there, from GETting ``paths``."""
    forms: dict[str, list[list[tuple[str, str]]]] = defaultdict(list)
    names: set[str] = set()
    for path in paths:
        response = client.get(path)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parser = FormCollector()
        parser.feed(response.content.decode("utf-8", "replace"))
        names |= parser.loose_names
        for form in parser.forms:
            action = urlsplit(form["action"]).path or path
            if form["fields"] and form["fields"] not in forms[action]:
                forms[action].append(form["fields"])
            names.update(n for n, _ in form["fields"])
    return forms, names


# --- The test ------------------------------------------------------------------------------------------


def path_value(converter: str, name: str, world: dict) -> st.SearchStrategy:
    real = world["ids"].get(name, [])
    if converter.endswith("IntConverter"):
        return st.one_of(
            st.sampled_from(real or world["ids"]["pk"]),
            st.sampled_from(real or world["ids"]["pk"]),
            st.sampled_from(world["foreign"] + [0]),
        )
    if converter.endswith("SlugConverter"):
        from ahsp.loaders.dashboard import WIDGETS

        return st.one_of(st.sampled_from(sorted(WIDGETS)), st.from_regex(r"\A[-a-zA-Z0-9_]{1,40}\Z"))
    if converter == "regex":
        return st.sampled_from(["abc", "MQ:1tq:abc", "1-set-password", "x" * 300, "0"])
    return st.one_of(
        st.sampled_from(real or ["x"]),
        st.text(min_size=1, max_size=40).filter(lambda s: "/" not in s),
        st.sampled_from(["9" * 40, "\x00", "²", "x" * 300]),
    )


PATTERNS = url_patterns()
_PAGES: dict = {}


def page_forms(client, world) -> tuple[dict[str, list[list[tuple[str, str]]]], set[str]]:
    """View name -> the field lists of the forms (and hx-get/hx-post targets) that send there, found by
    GETting every pattern with the seeded project's real ids once (ids repeat: every test seeds the same
    world in a rolled-back transaction)."""
    if "forms" not in _PAGES:
        paths = []
        for name, converters, _route in PATTERNS:
            kwargs = {c: (world["ids"].get(c) or world["ids"]["pk"])[0] for c in converters}
            try:
                paths.append(reverse(name, kwargs=kwargs))
            except Exception:
                continue
        with transaction.atomic():
            forms, names = collect_forms(client, paths)
            transaction.set_rollback(True)
        by_view: dict[str, list[list[tuple[str, str]]]] = defaultdict(list)
        for action, field_lists in forms.items():
            try:
                view_name = resolve(action).view_name
            except Resolver404:
                continue
            for fields in field_lists:
                if fields not in by_view[view_name]:
                    by_view[view_name].append(fields)
        _PAGES["forms"], _PAGES["names"] = dict(by_view), names
    return _PAGES["forms"], _PAGES["names"]


def names_read_by(view) -> set[str]:
    """The parameter and form field names the view's module (and the forms it imports) read."""
    module = inspect.getmodule(inspect.unwrap(view))
    names = set()
    if module is not None and getattr(module, "__file__", None):
        text = Path(module.__file__).read_text()
        for form_module in _FORMS_IMPORT.findall(text):  # the forms live in ahsp/forms/<resource>.py
            text += (AHSP_DIR / "forms" / f"{form_module}.py").read_text()
        names.update(_READ.findall(text))
        names.update(_FORM_FIELD.findall(text))
    return names


@pytest.mark.parametrize(("name", "converters", "route"), PATTERNS, ids=lambda v: str(v))
def test_no_server_error_for_any_input(
    name, converters, route, world, client, postgres_like_limits, monkeypatch, settings
):
    """Every URL pattern, any path value, query parameter and form field: a 2xx, 3xx or 4xx answer."""
    from ahsp.services import exports, jobs

    monkeypatch.setitem(jobs.TASKS, exports.JOB.name, lambda job_id: None)  # no documents are built here
    # N+1 queries are test_views_*'s concern (django-zeal); here only 5xx counts.
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.startswith("zeal.")]
    client.force_login(world["user"])
    converter_types = _converter_types(route)
    forms, html_names = page_forms(client, world)
    baselines = forms.get(name, []) or [[]]
    view = resolve(reverse(name, kwargs={c: (world["ids"].get(c) or [1])[0] for c in converters})).func
    own_names = sorted(names_read_by(view) | {n for fields in baselines for n, _ in fields}) or ["q"]
    all_names = sorted(set(field_names_from_source()) | html_names)

    @hypothesis_settings(
        max_examples=EXAMPLES_PER_URL,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def fuzz(data):
        kwargs = {c: data.draw(path_value(converter_types[c], c, world), label=c) for c in converters}
        try:
            path = reverse(name, kwargs=kwargs)
        except Exception:
            return  # a value the converter itself refuses never reaches the view
        method = data.draw(st.sampled_from(["get", "post", "post"]), label="method")
        htmx = data.draw(st.booleans(), label="htmx")
        baseline = list(data.draw(st.sampled_from(baselines), label="form"))
        fields = dict(baseline) if method == "post" else {}
        names = st.sampled_from(own_names) | st.sampled_from(all_names)
        for field in data.draw(st.lists(names, min_size=1, max_size=5), label="fields"):
            fields[field] = data.draw(hostile_values(), label=field)
        query = {}
        for field in data.draw(st.lists(names, max_size=3), label="query"):
            query[field] = data.draw(hostile_values(), label=f"?{field}")
        headers = {"HX-Request": "true"} if htmx else {}
        with transaction.atomic():
            try:
                if method == "get":
                    response = client.get(path, {**fields, **query}, headers=headers)
                else:
                    target = path + ("?" + urlencode(query) if query else "")
                    response = client.post(target, fields, headers=headers)
            except Exception as exc:
                raise AssertionError(f"{method.upper()} {path} {fields!r} ?{query!r} raised {exc!r}") from exc
            finally:
                transaction.set_rollback(True)
        assert response.status_code < 500, f"{method.upper()} {path} {fields!r} ?{query!r}"

    fuzz()


def _converter_types(route: str) -> dict[str, str]:
    kinds = {
        "int": "IntConverter",
        "slug": "SlugConverter",
        "str": "StringConverter",
        "path": "PathConverter",
    }
    found = re.findall(r"<(?:(\w+):)?(\w+)>", route)
    types = {name: kinds.get(kind or "str", "StringConverter") for kind, name in found}
    types.update({name: "regex" for name in re.findall(r"\(\?P<(\w+)>", route)})
    return types


@pytest.mark.parametrize(("name", "converters", "route"), PATTERNS, ids=lambda v: str(v))
def test_each_form_field_refuses_hostile_values(
    name, converters, route, world, client, postgres_like_limits, monkeypatch, settings
):
    """Deterministic sweep: each field of each form that sends to the pattern (and each parameter its view
    reads) gets each of ``CRITICAL_VALUES`` once, the other fields as the page fills them."""
    from ahsp.services import exports, jobs

    monkeypatch.setitem(jobs.TASKS, exports.JOB.name, lambda job_id: None)
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.startswith("zeal.")]
    client.force_login(world["user"])
    forms, _names = page_forms(client, world)
    kwargs = {c: (world["ids"].get(c) or world["ids"]["pk"])[0] for c in converters}
    try:
        path = reverse(name, kwargs=kwargs)
    except Exception:
        pytest.skip("no real value for the path")
    view = resolve(path).func
    failures = []
    cases = [("post", fields) for fields in forms.get(name, [])]
    cases.append(("get", [(n, "") for n in sorted(names_read_by(view))]))
    for method, baseline in cases:
        for index, (field, _value) in enumerate(baseline):
            if field == "csrfmiddlewaretoken":
                continue
            for count, hostile in enumerate(CRITICAL_VALUES):
                data = dict(baseline) if method == "post" else {}
                data[field] = hostile
                headers = {"HX-Request": "true"} if (index + count) % 2 else {}
                with transaction.atomic():
                    try:
                        last_event = _last_event_id()
                        response = getattr(client, method)(path, data, headers=headers)
                        status = response.status_code
                        wrote = _last_event_id() != last_event
                        if status < 500 and wrote and hostile in STORED_DANGER:
                            status = _pages_after_write(client, world) or status
                    except Exception as exc:
                        status = repr(exc)[:200]
                    finally:
                        transaction.set_rollback(True)
                if not isinstance(status, int) or status >= 500:
                    failures.append(f"{method.upper()} {path} {field}={hostile[:20]!r}: {status}")
    assert not failures, "\n".join(failures)


#: Values that can be stored and break the pages computed from them later (a start date of 9999-12-31
#: broke the schedule); after a write with one of these the sweep GETs ``PAGES_AFTER_WRITE``.
STORED_DANGER = {"9999-12-31", "0001-01-01", "999.999.999.999.999", "9" * 16}
PAGES_AFTER_WRITE = [
    "ahsp:project_detail",
    "ahsp:project_rab",
    "ahsp:project_schedule",
    "ahsp:project_progress",
    "ahsp:project_s_curve",
    "ahsp:project_requirements",
    "ahsp:dashboard",
]


def _last_event_id():
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()


def _pages_after_write(client, world) -> str | None:
    """The first page that fails after a write ("GET <path>: <status or exception>"), or None."""
    pk = world["project"].pk
    for name in PAGES_AFTER_WRITE:
        path = reverse(name) if name == "ahsp:dashboard" else reverse(name, args=[pk])
        try:
            status = client.get(path).status_code
        except Exception as exc:
            return f"then GET {path}: {exc!r}"[:300]
        if status >= 500:
            return f"then GET {path}: {status}"
    return None


# --- Another user's project: 404 on every URL ---------------------------------------------------------

PROJECT_PATTERNS = [p for p in PATTERNS if {"pk", "project_id"} & set(p[1])]


def test_every_project_url_is_covered():
    """The sweep below walks the URL conf itself: a new project URL is checked without being listed."""
    assert len(PROJECT_PATTERNS) > 40


@pytest.mark.parametrize(("name", "converters", "route"), PROJECT_PATTERNS, ids=lambda v: str(v))
def test_another_users_project_is_404_on_every_url(name, converters, route, world, client, settings):
    """Every pattern with a ``<pk>`` / ``<project_id>``, named with another user's project (and its
    section and work item where the pattern names one; other ids are the user's own): GET answers 404,
    POST 404 where the view takes a POST (405 where it does not), with and without ``HX-Request``; never a
    403, which would tell a stranger that the project exists."""
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.startswith("zeal.")]
    client.force_login(world["user"])
    ids = {**world["ids"], **world["foreign_ids"]}
    path = reverse(name, kwargs={c: (ids.get(c) or world["ids"]["pk"])[0] for c in converters})
    answers = {}
    for method in ("get", "post"):
        for headers in ({}, {"HX-Request": "true"}):
            with transaction.atomic():
                answers[method, bool(headers)] = getattr(client, method)(path, headers=headers).status_code
                transaction.set_rollback(True)
    assert set(answers.values()) <= {404, 405}, f"{path}: {answers}"
    assert answers["get", False] == 404 or answers["post", False] == 404, f"{path}: {answers}"
