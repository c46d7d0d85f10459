"""Load profile of an estimator using AHSP: dashboard, reference library search, analyses, projects, RAB.

Each simulated user signs in as its own seeded account (user0001@load.test, user0002@..., see seed.py)
and then browses like a person: the dashboard (full page, and htmx swaps for paging and filtering),
the reference library's active search (htmx, with realistic Indonesian work names), an analysis found
in the results, and one of its own projects. In the projects at the top of its dashboard, which seed.py
gives an estimate (3 sections x 10 priced work items), it opens the Rekap RAB, opens a section there
(htmx fragment), downloads the RAB as CSV, and opens the work breakdown to edit a volume inline (htmx
POST with the row's version, Indonesian number format). seed.py also gives those estimates a schedule
(20 weeks, every item planned, some progress), so the user pages the Gantt's 12-week window forward and
back (htmx fragment, after the full page now and then), opens the Kurva S (weekly or monthly report), and
saves progress: it opens the progress page of a week, picks a row with room left, and posts this week's
% plus a small increment that keeps the item's cumulative within the "sisa maks." the page shows (htmx
POST with the row's version). Every response is checked for content, so an error page served with
status 200, a redirect back to the login page, a volume edit or a progress save refused as an edit
conflict, or a progress save refused as "cumulative over 100 %" (the client stayed within the room the
page showed, so the page or the check is wrong) counts as a failure.

One simulated user in ten (ExporterUser, weight 1 against EstimatorUser's 9) is a heavy user instead: it
signs in the same way and, in the export centre of its projects with an estimate, starts background
exports (RAB as XLSX/PDF/CSV, the price list, the AHSP details, the project workbook), polls their
progress partial every second until it answers 286, and downloads the file. Its requests are grouped as
/projects/[id]/exports/ (htmx POST), /exports/[id]/ (htmx) and /exports/[id]/download/ (<format>); each
export also counts as one "EXPORT" row, "<document>.<format> (start to file)", with the time from the POST
to the downloaded file.

Run it through loadtest/run.sh (it starts the stack and seeds the accounts). Environment:
LOAD_USER_COUNT   number of seeded accounts; simulated users beyond it reuse accounts from the start
                  (then two simulated users may edit the same rows, and edit conflicts can fail)
LOAD_PASSWORD     password of the seeded accounts (default in accounts.py)
LOAD_ESTIMATES    projects per account with an estimate, at the top of the dashboard (seed.py
                  --estimates; default 5)
LOAD_EXPORT_TIMEOUT  seconds an export may take from the POST to done before it counts as failed
                  (default 60)
LOAD_REQUEST_LOG  a CSV file to log every request to (start time, type, name, response time, failed), from
                  which report.py splits the login phase from the steady state (run.sh sets it)
"""

import csv
import html
import itertools
import json
import logging
import os
import random
import re
import time
from decimal import Decimal
from urllib.parse import quote, unquote, urlencode

import gevent
from accounts import email_for, password
from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser
from locust.exception import StopUser

logger = logging.getLogger(__name__)


class RequestLog:
    """Every request as one CSV row (start, epoch seconds; type; name; response time, ms; failed 0/1) in
    LOAD_REQUEST_LOG, so that report.py can tell the login phase from the steady state. gevent is
    cooperative and a buffered write does not yield, so rows do not interleave."""

    HEADER = ("start", "type", "name", "response_time", "failed")

    def __init__(self, path: str) -> None:
        self.handle = open(path, "w", newline="", encoding="utf-8")  # noqa: SIM115 (closed on quit)
        self.writer = csv.writer(self.handle)
        self.writer.writerow(self.HEADER)

    def on_request(self, request_type, name, response_time, exception=None, start_time=None, **_kwargs):
        if self.handle.closed:
            return
        response_time = response_time or 0.0
        start = start_time if start_time is not None else time.time() - response_time / 1000
        self.writer.writerow(
            (f"{start:.3f}", request_type, name, f"{response_time:.1f}", 1 if exception else 0)
        )

    def close(self, **_kwargs) -> None:
        if not self.handle.closed:
            self.handle.close()


if os.environ.get("LOAD_REQUEST_LOG"):
    _request_log = RequestLog(os.environ["LOAD_REQUEST_LOG"])
    events.request.add_listener(_request_log.on_request)
    events.test_stop.add_listener(lambda **_kwargs: _request_log.handle.flush())
    events.quitting.add_listener(_request_log.close)

# Words an estimator types into the reference search (names of SNI/AHSP work items).
REFERENCE_WORDS = [
    "galian",
    "galian tanah",
    "urugan",
    "urugan pasir",
    "beton",
    "beton mutu",
    "bekisting",
    "pembesian",
    "besi",
    "pasangan",
    "pasangan bata",
    "pasangan batu",
    "plesteran",
    "acian",
    "cat",
    "pengecatan",
    "keramik",
    "lantai",
    "pondasi",
    "rangka",
    "atap",
    "kusen",
    "pintu",
    "pipa",
]
# Words found in the seeded projects' names and locations (see seed.py).
PROJECT_WORDS = ["gedung", "jalan", "sekolah", "irigasi", "puskesmas", "jembatan", "bogor", "sleman"]
PROJECT_STATUSES = ["draft", "active", "done"]
PROJECT_SORTS = ["-updated_at", "name", "-name", "-created_at", "-fiscal_year", "-budget_ceiling"]

PROJECT_LINK = re.compile(r'href="/projects/(\d+)/"')
PAGE_LINK = re.compile(r"[?&;]page=(\d+)")
ANALYSIS_LINK = re.compile(r'href="/referensi/([^/"?]+)/\?source=([^"]*)"')
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
RAB_SECTION_ROW = re.compile(r'<tr id="rab-section-(\d+)"')
# A row of the work breakdown: its id, then (in its volume form) the CSRF field and the row's version.
ITEM_ROW = re.compile(
    r'<tr id="item-(\d+)" class="item-row">.*?name="csrfmiddlewaretoken" value="([^"]+)">'
    r'<input type="hidden" name="version" value="(\d+)">',
    re.DOTALL,
)
EDIT_CONFLICT = "sudah diubah oleh pengguna lain"  # ahsp.services.work_items.CONFLICT_MESSAGE
ERROR_LIST = re.compile(r'class="errorlist"[^>]*>(.*?)</div>', re.DOTALL)

# The Gantt's week window (ahsp/project_schedule.html#gantt-grid): its label and pager links.
GANTT_LABEL = re.compile(r'id="gantt-window-label">Minggu ke-(\d+) s\.d\. ke-(\d+) dari (\d+)<')
GANTT_PAGER = re.compile(r'rel="(prev|next)" href="[^"]*"\s+hx-get="[^"]*\?from=(\d+)"')
GANTT_PLANNED = re.compile(r"(\d+) dari \1 pekerjaan sudah direncanakan")
# A row of the progress page (ahsp/project_progress.html#progress-row): id, version, this week's % as the
# input shows it ("", "12,5"), and the most this week can take ("sisa maks. 40,00", 2 decimals).
PROGRESS_ROW = re.compile(
    r'<tr id="progress-item-(\d+)" class="progress-row[^"]*">'
    r'.*?name="version-\1" value="(\d+)">'
    r'.*?name="initial-\1" value="([^"]*)">'
    r'.*?<div class="hint">sisa maks\. ([\d.,]+)</div>',
    re.DOTALL,
)
PROGRESS_WEEK = re.compile(r'<input type="hidden" name="week" value="(\d+)">')
OVER_100 = "tidak boleh lebih dari 100"  # ahsp.calculations.schedule.validate_progress
PROGRESS_STEPS = [Decimal(s) for s in ("0.25", "0.5", "1", "1.25", "2", "2.5", "5")]
PROGRESS_WEEKS = 8  # progress is reported for weeks 1-8: past weeks (seed.py puts today in week 8 of 20)
CSV_HEADER = "\ufeffno;kode;uraian;satuan;volume;harga_satuan;jumlah_harga;bobot"

# The dashboard's widgets (ahsp.widgets.WIDGETS): each loads by htmx after the page, the first two at once
# ("load"), the others when scrolled into view ("revealed"; a person on a laptop sees them too).
WIDGETS = ("ringkasan", "peringatan", "terbesar", "aktivitas")
WIDGET_FAILED = "is-failed"  # the error state of a widget (ahsp/widgets/_placeholder.html)
# The audit trail (ahsp/audit_list.html#audit-rows): the rows, the next page's cursor, the diff links.
AUDIT_NEXT = re.compile(r'<tr id="audit-more" class="audit-more" hx-get="([^"]+)"')
AUDIT_ROW = re.compile(r'<tr id="audit-event-(\d+)" class="audit-row">')
AUDIT_DIFF = re.compile(r'<details hx-get="(/projects/\d+/audit/\d+/)"')
AUDIT_PAGES = 3  # pages a user scrolls through at most (50 rows each)

# What the exporter asks for, (document, format) -> how often (ahsp.exports.registry.BUILDERS).
EXPORTS = {
    ("rab", "xlsx"): 3,
    ("rab", "pdf"): 2,
    ("rab", "csv"): 2,
    ("harga", "xlsx"): 1,
    ("harga", "pdf"): 1,
    ("ahsp", "xlsx"): 1,
    ("ahsp", "pdf"): 1,
    ("proyek", "xlsx"): 1,
}
# format -> (Content-Type of the download, the first bytes of the file) (ahsp.services.exports.CONTENT_TYPES)
EXPORT_FILES = {
    "csv": ("text/csv; charset=utf-8", b"\xef\xbb\xbf"),  # UTF-8 BOM, for Excel
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK\x03\x04"),
    "pdf": ("application/pdf", b"%PDF-"),
}
# The progress partial (ahsp/export_job.html#export-progress): the job id and its status.
EXPORT_JOB = re.compile(r'<div id="export-job-(\d+)" class="card export-progress" data-status="(\w+)"')
EXPORT_ERROR = re.compile(r'<p class="message message-error" role="alert">(.*?)</p>', re.DOTALL)

_account_numbers = itertools.count(1)


def id_number(text: str) -> Decimal:
    """An Indonesian number from a page: "1.234,5" -> Decimal("1234.5")."""
    return Decimal(text.replace(".", "").replace(",", ".") or "0")


def percent_text(value: Decimal) -> str:
    """A % as typed and as the progress form shows it (ahsp.progress_data.input_value): "12,5", "40",
    "1,1250" (never exactly three decimals: "1,125" would be refused as ambiguous), "" for 0."""
    if not value:
        return ""
    whole, _, fraction = f"{value.quantize(Decimal('0.0001')):f}".partition(".")
    fraction = fraction.rstrip("0")
    if len(fraction) == 3:
        fraction += "0"
    return f"{whole},{fraction}" if fraction else whole


def progress_increase(current: Decimal, shown_room: Decimal, rng=random) -> Decimal | None:
    """This week's new % for a row showing ``current`` this week and "sisa maks. ``shown_room``" (the most
    this week may hold, rounded to 2 decimals): current plus a small step, kept 0,01 below the shown
    maximum so that the cumulative stays within 100 % whatever the rounding. None when there is no room."""
    room = shown_room - Decimal("0.01") - current
    if room < PROGRESS_STEPS[0]:
        return None
    return current + min(rng.choice(PROGRESS_STEPS), room)


def next_account_number() -> int:
    """A distinct account per simulated user (gevent is cooperative, so `next` is atomic here)."""
    number = next(_account_numbers)
    accounts = int(os.environ.get("LOAD_USER_COUNT") or 0)
    return (number - 1) % accounts + 1 if accounts > 0 else number


class SignedInUser(FastHttpUser):
    """What every simulated user shares: its own seeded account, the sign-in, the response checks."""

    abstract = True
    default_headers = {"Accept-Language": "id", "User-Agent": "ahsp-loadtest (locust)"}

    def on_start(self) -> None:
        self.email = email_for(next_account_number())
        self.project_ids: list[int] = []
        self.estimate_ids: list[int] = []  # the top of the dashboard at sign-in: seeded estimates
        self.max_page = 1
        self.log_in()
        self.open_dashboard()  # where the login redirects to; also discovers the user's projects
        if not self.estimate_ids:
            logger.error("%s: no projects on the dashboard, so no RAB, edits or exports", self.email)

    # --- helpers ------------------------------------------------------------------------------------

    def htmx_headers(self, current_path: str, target: str, trigger: str | None = None) -> dict:
        """The headers htmx 2 sends with an hx-get swap."""
        headers = {
            "HX-Request": "true",
            "HX-Current-URL": f"{self.host}{current_path}",
            "HX-Target": target,
        }
        if trigger:
            headers["HX-Trigger"] = trigger
        return headers

    def check_page(self, response, *markers: str) -> bool:
        """A full page for this user: status 200, the user's e-mail in the menu, and the markers."""
        if response.status_code != 200:
            where = response.headers.get("Location", "") if response.headers else ""
            response.failure(f"status {response.status_code} {where}".strip())
            return False
        text = response.text or ""
        if self.email not in text:
            response.failure("not signed in as this user (e-mail missing from the page)")
            return False
        return self.check_markers(response, text, markers)

    def check_fragment(self, response, *markers: str) -> bool:
        """An htmx fragment: status 200, no page chrome, and the markers."""
        if response.status_code != 200:
            where = response.headers.get("Location", "") if response.headers else ""
            response.failure(f"status {response.status_code} {where}".strip())
            return False
        text = response.text or ""
        if "<html" in text:
            response.failure("htmx request answered with a full page, not a fragment")
            return False
        return self.check_markers(response, text, markers)

    @staticmethod
    def check_markers(response, text: str, markers: tuple[str, ...]) -> bool:
        for marker in markers:
            if marker not in text:
                response.failure(f"expected content missing: {marker!r}")
                return False
        response.success()
        return True

    def remember_estimates(self, text: str) -> None:
        """The first projects of the dashboard's default view, once: seed.py gave exactly those an estimate
        (edits by this user could reorder the dashboard later; nobody else edits its projects)."""
        if self.estimate_ids:
            return
        count = int(os.environ.get("LOAD_ESTIMATES") or 5)
        ordered = list(dict.fromkeys(int(pk) for pk in PROJECT_LINK.findall(text)))
        self.estimate_ids = ordered[:count]

    def csrf_cookie(self) -> str:
        return next((c.value for c in self.client.cookiejar if c.name == "csrftoken"), "")

    def post_htmx_form(self, url: str, *, page: str, target: str, name: str, data: dict):
        """An htmx form POST from ``page`` swapping ``target``, as htmx 2 sends it (with the CSRF
        token); a context manager like ``client.post(..., catch_response=True)``."""
        headers = {
            **self.htmx_headers(page, target),
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"{self.host}{page}",
            "X-CSRFToken": self.csrf_cookie(),
        }
        return self.client.post(
            url, name=name, data=urlencode(data), headers=headers, catch_response=True, allow_redirects=False
        )

    def remember_projects(self, text: str) -> None:
        ids = {int(pk) for pk in PROJECT_LINK.findall(text)}
        self.project_ids = sorted(set(self.project_ids) | ids)
        pages = [int(n) for n in PAGE_LINK.findall(text)]
        self.max_page = max([self.max_page, *pages])

    def remember_analyses(self, text: str) -> None:
        found = [
            (unquote(html.unescape(code)), unquote(html.unescape(source)))
            for code, source in ANALYSIS_LINK.findall(text)
        ]
        if found:
            self.analyses = found

    # --- sign in ------------------------------------------------------------------------------------

    def log_in(self) -> None:
        """GET the form, POST it with the CSRF token; anything but a redirect into the app fails."""
        with self.client.get("/accounts/login/", catch_response=True, allow_redirects=False) as response:
            form_token = CSRF_FIELD.search(response.text or "")
            if response.status_code == 200 and form_token:
                response.success()
            else:
                response.failure(f"login page: status {response.status_code}, CSRF field: {bool(form_token)}")
        if not form_token:
            raise StopUser()
        cookie = self.csrf_cookie()
        data = {"login": self.email, "password": password(), "csrfmiddlewaretoken": form_token.group(1)}
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"{self.host}/accounts/login/",
            "X-CSRFToken": cookie,
        }
        with self.client.post(
            "/accounts/login/",
            data=urlencode(data),
            headers=headers,
            catch_response=True,
            allow_redirects=False,
        ) as response:
            location = response.headers.get("Location", "") if response.headers else ""
            has_session = any(c.name == "sessionid" for c in self.client.cookiejar)
            signed_in = response.status_code == 302 and "/accounts/" not in location and has_session
            if signed_in:
                response.success()
            else:
                reason = f"login failed: status {response.status_code}, Location {location!r}"
                response.failure(reason)  # one row in the failure table, not one per account
                logger.error("%s as %s (seeded by seed.py with this LOAD_PASSWORD?)", reason, self.email)
        if not signed_in:
            raise StopUser()

    def open_dashboard(self) -> bool:
        with self.client.get("/", name="/", catch_response=True, allow_redirects=False) as response:
            if self.check_page(response, 'id="project-list"'):
                self.remember_projects(response.text)
                self.remember_estimates(response.text)
                return True
        return False

    def beacon(self, entries: list[dict]) -> None:
        """What static/js/metrics.js sends after a page load or htmx swaps: JSON, no CSRF token; 204."""
        body = json.dumps(entries[0] if len(entries) == 1 else entries)
        with self.client.post(
            "/metrics/client/",
            data=body,
            headers={"Content-Type": "application/json"},
            name="/metrics/client/ (beacon)",
            catch_response=True,
            allow_redirects=False,
        ) as response:
            if response.status_code == 204:
                response.success()
            else:
                response.failure(f"beacon answered {response.status_code}: {(response.text or '')[:120]}")

    def page_beacon(self, path: str, ttfb: float) -> None:
        """A page's timings as a browser reports them (DOMContentLoaded and load a little later)."""
        dcl = round(ttfb + random.uniform(20, 120), 1)
        self.beacon([{"v": 1, "path": path, "kind": "page", "ttfb": ttfb, "dcl": dcl, "load": dcl + 15.0}])


class EstimatorUser(SignedInUser):
    """Most users: browse, search the library, open the RAB, edit volumes, download the RAB CSV."""

    weight = 9  # against ExporterUser's 1: one simulated user in ten is an exporter
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.rab_sections: dict[int, list[int]] = {}  # project id -> section ids seen on its RAB page
        self.analyses: list[tuple[str, str]] = []  # (code, source) seen in search results
        self.gantt_windows: dict[int, int] = {}  # project id -> first week of the window last seen
        super().on_start()

    # --- tasks --------------------------------------------------------------------------------------

    @task(3)
    def dashboard(self) -> None:
        """The dashboard as a browser loads it: the page, then its four widgets (htmx), then a beacon with
        the page's timing and the widgets' swap times."""
        started = time.perf_counter()
        if not self.open_dashboard():
            return
        ttfb = round((time.perf_counter() - started) * 1000, 1)
        swaps = []
        for name in WIDGETS:
            began = time.perf_counter()
            with self.client.get(
                f"/widgets/{name}/",
                name=f"/widgets/{name}/ (htmx)",
                headers=self.htmx_headers("/", f"widget-{name}"),
                catch_response=True,
                allow_redirects=False,
            ) as response:
                if WIDGET_FAILED in (response.text or ""):
                    response.failure(f"widget {name} answered its error state")
                elif not self.check_fragment(response, f'id="widget-{name}"'):
                    continue
            elapsed = max(round((time.perf_counter() - began) * 1000, 1), 0.1)
            swaps.append({"v": 1, "path": "/", "kind": "swap", "target": f"/widgets/{name}/", "ms": elapsed})
        self.page_beacon("/", max(ttfb, 0.1))
        if swaps:
            self.beacon(swaps)

    @task(1)
    def audit_trail(self) -> None:
        """A project's audit trail: the page, the next pages by their cursor as the user scrolls (htmx),
        and one row's before/after diff (htmx)."""
        if not self.project_ids:
            return
        pk = random.choice(self.estimate_ids or self.project_ids)
        path = f"/projects/{pk}/audit/"
        with self.client.get(
            path, name="/projects/[id]/audit/", catch_response=True, allow_redirects=False
        ) as response:
            if not self.check_page(response, 'id="audit-rows"'):
                return
            text = response.text
        diffs = AUDIT_DIFF.findall(text)
        for _ in range(random.randint(0, AUDIT_PAGES - 1)):
            found = AUDIT_NEXT.search(text)
            if not found:
                break
            gevent.sleep(random.uniform(0.5, 2.0))  # reading, then scrolling to the bottom
            with self.client.get(
                html.unescape(found.group(1)),
                name="/projects/[id]/audit/?cursor=[c] (htmx)",
                headers=self.htmx_headers(path, "audit-more", "audit-more"),
                catch_response=True,
                allow_redirects=False,
            ) as response:
                if not self.check_fragment(response):
                    return
                text = response.text or ""
                if not AUDIT_ROW.search(text):
                    response.failure("the next page of the audit trail has no rows")
                    return
                diffs += AUDIT_DIFF.findall(text)
        if diffs:
            with self.client.get(
                random.choice(diffs),
                name="/projects/[id]/audit/[event]/ (htmx)",
                headers=self.htmx_headers(path, "audit-diff"),
                catch_response=True,
                allow_redirects=False,
            ) as response:
                self.check_fragment(response, 'class="audit-diff-body"')

    @task(1)
    def dashboard_page_full(self) -> None:
        page = random.randint(1, self.max_page)
        with self.client.get(
            f"/?page={page}", name="/?page=[n]", catch_response=True, allow_redirects=False
        ) as response:
            if self.check_page(response, 'id="project-list"'):
                self.remember_projects(response.text)

    @task(2)
    def dashboard_page_htmx(self) -> None:
        page = random.randint(1, self.max_page)
        with self.client.get(
            f"/?page={page}",
            name="/?page=[n] (htmx)",
            headers=self.htmx_headers("/", "project-list"),
            catch_response=True,
            allow_redirects=False,
        ) as response:
            if self.check_fragment(response, '<section id="project-list"'):
                self.remember_projects(response.text)

    @task(2)
    def dashboard_filter_htmx(self) -> None:
        params = {
            "q": random.choice(["", *PROJECT_WORDS]),
            "status": random.choice(["", "", *PROJECT_STATUSES]),
            "sort": random.choice(PROJECT_SORTS),
        }
        with self.client.get(
            f"/?{urlencode(params)}",
            name="/?q=[q]&status=[s]&sort=[o] (htmx)",
            headers=self.htmx_headers("/", "project-list", "id_q"),
            catch_response=True,
            allow_redirects=False,
        ) as response:
            self.check_fragment(response, '<section id="project-list"')

    @task(6)
    def reference_search_htmx(self) -> None:
        """Active search: htmx fires after a pause in typing, so a phrase often costs two requests."""
        phrase = random.choice(REFERENCE_WORDS)
        words = phrase.split()
        typed = [words[0], phrase] if len(words) > 1 and random.random() < 0.7 else [phrase]
        for index, query in enumerate(typed):
            if index:
                gevent.sleep(random.uniform(0.3, 1.0))
            with self.client.get(
                f"/referensi/?{urlencode({'q': query})}",
                name="/referensi/?q=[q] (htmx)",
                headers=self.htmx_headers("/referensi/", "reference-results", "reference-q"),
                catch_response=True,
                allow_redirects=False,
            ) as response:
                if self.check_fragment(response, '<section id="reference-results"'):
                    self.remember_analyses(response.text)

    @task(1)
    def reference_search_full(self) -> None:
        query = random.choice(REFERENCE_WORDS)
        with self.client.get(
            f"/referensi/?{urlencode({'q': query})}",
            name="/referensi/?q=[q]",
            catch_response=True,
            allow_redirects=False,
        ) as response:
            if self.check_page(response, 'id="reference-results"'):
                self.remember_analyses(response.text)

    @task(4)
    def reference_detail(self) -> None:
        if not self.analyses:
            self.reference_search_full()
            if not self.analyses:
                return
        code, source = random.choice(self.analyses)
        with self.client.get(
            f"/referensi/{quote(code, safe='')}/?{urlencode({'source': source})}",
            name="/referensi/[code]/",
            catch_response=True,
            allow_redirects=False,
        ) as response:
            self.check_page(response, f"<h1>{html.escape(code)} ", "<table")

    @task(4)
    def project_detail(self) -> None:
        if not self.project_ids:
            self.dashboard()
            if not self.project_ids:
                return
        pk = random.choice(self.project_ids)
        with self.client.get(
            f"/projects/{pk}/", name="/projects/[id]/", catch_response=True, allow_redirects=False
        ) as response:
            self.check_page(response, f'href="/projects/{pk}/edit/"')

    # --- the estimate: Rekap RAB, its sections, CSV, volume edits -----------------------------------

    @task(3)
    def rab_page(self, pk: int | None = None) -> bool:
        """The recap: sections collapsed, totals with PPN and terbilang. Remembers the section ids."""
        if pk is None:
            if not self.estimate_ids:
                return False
            pk = random.choice(self.estimate_ids)
        with self.client.get(
            f"/projects/{pk}/rab/", name="/projects/[id]/rab/", catch_response=True, allow_redirects=False
        ) as response:
            if not self.check_page(response, 'id="rab-table"', "Jumlah", "Terbilang", 'id="rab-terbilang"'):
                return False
            text = response.text
            sections = [int(sid) for sid in RAB_SECTION_ROW.findall(text)]
            if not sections:
                # check_page called response.success(); a later failure() still decides the result.
                response.failure("RAB without sections: was the project given an estimate (seed.py)?")
                return False
            if 'id="rab-incomplete"' in text:
                response.failure("RAB marked incomplete (unpriced resources) although seed.py prices all")
                return False
            self.rab_sections[pk] = sections
        return True

    @task(4)
    def rab_section_htmx(self) -> None:
        """Open a section of the recap: htmx swaps its row for the open row plus its work items."""
        if not self.estimate_ids:
            return
        pk = random.choice(self.estimate_ids)
        if pk not in self.rab_sections and not self.rab_page(pk):
            return
        sid = random.choice(self.rab_sections[pk])
        with self.client.get(
            f"/projects/{pk}/rab/sections/{sid}/",
            name="/projects/[id]/rab/sections/[sid]/ (htmx)",
            headers=self.htmx_headers(f"/projects/{pk}/rab/", f"rab-section-{sid}"),
            catch_response=True,
            allow_redirects=False,
        ) as response:
            self.check_fragment(response, f'<tr id="rab-section-{sid}" ', "is-open", 'class="rab-item ')

    @task(1)
    def rab_csv(self) -> None:
        if not self.estimate_ids:
            return
        pk = random.choice(self.estimate_ids)
        with self.client.get(
            f"/projects/{pk}/exports/rab.csv",
            name="/projects/[id]/exports/rab.csv",
            catch_response=True,
            allow_redirects=False,
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
                return
            text = response.text or ""
            if not text.startswith(CSV_HEADER):
                response.failure(f"not the RAB CSV (BOM + header): starts with {text[:60]!r}")
            elif "\n;;Jumlah;" not in text or "\n;;Dibulatkan;" not in text:
                response.failure("RAB CSV without its total rows (Jumlah ... Dibulatkan): cut short?")
            else:
                response.success()

    @task(3)
    def edit_volume(self) -> None:
        """Open the work breakdown, then change a row's volume inline (htmx POST) once or twice."""
        if not self.estimate_ids:
            return
        pk = random.choice(self.estimate_ids)
        with self.client.get(
            f"/projects/{pk}/items/", name="/projects/[id]/items/", catch_response=True, allow_redirects=False
        ) as response:
            if not self.check_page(response, 'id="project-total"'):
                return
            rows = ITEM_ROW.findall(response.text)
            if not rows:
                response.failure(
                    "no work items with a volume form: was the project given an estimate (seed.py)?"
                )
                return
        for edit, (item_id, form_token, version) in enumerate(random.sample(rows, k=min(len(rows), 2))):
            if edit:
                if random.random() < 0.5:
                    break
                gevent.sleep(random.uniform(1.0, 3.0))  # types the next volume
            self.post_volume(pk, int(item_id), form_token, int(version))

    def post_volume(self, pk: int, item_id: int, form_token: str, version: int) -> None:
        # As an estimator types it: "12,5", "1.234,05", "1.234" (a dot before three digits groups thousands)
        # or "1234". The row then shows the volume with 2 to 4 decimals: "1.234,05", "1.234,00", "12,50".
        whole, cents = random.randint(1, 2500), random.choice([0, 5, 25, 50, 75, random.randint(1, 99)])
        thousands = f"{whole:,}".replace(",", ".")
        if cents:
            typed = f"{thousands},{cents:02d}".rstrip("0")
        else:
            typed = random.choice([thousands, str(whole)])
        shown = f"{thousands},{cents:02d}"
        data = {
            "csrfmiddlewaretoken": form_token,
            "version": str(version),
            "volume": typed,
            "volume_formula": "",
        }
        with self.post_htmx_form(
            f"/projects/{pk}/items/{item_id}/volume/",
            page=f"/projects/{pk}/items/",
            target=f"item-{item_id}",
            name="/projects/[id]/items/[item]/volume/ (htmx POST)",
            data=data,
        ) as response:
            text = (response.text or "") if response.status_code == 200 else ""
            if EDIT_CONFLICT in text:
                response.failure("edit conflict (optimistic lock) on a row only this user edits")
            elif response.status_code == 200 and 'class="errorlist"' in text:
                start = text.index('class="errorlist"')
                error = text[start : text.find("</form>", start)][:400]
                error = " ".join(html.unescape(re.sub(r"<[^>]*>|^[^>]*>", " ", error)).split())
                response.failure(f"volume {typed!r} refused: {error[:120]}")
            else:
                self.check_fragment(
                    response,
                    f'<tr id="item-{item_id}" ',
                    f'name="version" value="{version + 1}"',
                    f'value="{shown}"',
                    '<tr id="project-total" hx-swap-oob="outerHTML">',
                )

    # --- the schedule: Gantt window, Kurva S, progress --------------------------------------------

    def check_gantt(self, response, pk: int, first: int | None, *, fragment: bool) -> dict[str, int] | None:
        """The Gantt grid (page or fragment) of a scheduled estimate: the window asked for (``first``),
        rows, the totals, every item planned. Returns the pager ({"prev": week, "next": week})."""
        markers = ('<div id="gantt" class="gantt-wrap">', 'id="gantt-item-', 'id="gantt-planned-cumulative"')
        ok = self.check_fragment(response, *markers) if fragment else self.check_page(response, *markers)
        if not ok:
            return None
        text = response.text
        label = GANTT_LABEL.search(text)
        if not label:
            response.failure("Gantt without its window label: was the project given a schedule (seed.py)?")
            return None
        if first is not None and int(label.group(1)) != first:
            response.failure(f"Gantt window starts at week {label.group(1)}, asked for {first}")
            return None
        if not GANTT_PLANNED.search(text) or "(bobot 100,00 %)" not in text:
            response.failure("Gantt: not every item is planned (seed.py plans all of them)")
            return None
        self.gantt_windows[pk] = int(label.group(1))
        return {direction: int(week) for direction, week in GANTT_PAGER.findall(text)}

    @task(3)
    def gantt_window(self) -> None:
        """The Gantt: now and then the full page, then the week window paged forward or back (htmx swaps
        of the grid only), once or twice, as a planner scanning the weeks."""
        if not self.estimate_ids:
            return
        pk = random.choice(self.estimate_ids)
        page = f"/projects/{pk}/schedule/"
        first = self.gantt_windows.get(pk)
        if first is None or random.random() < 0.2:
            with self.client.get(
                page, name="/projects/[id]/schedule/", catch_response=True, allow_redirects=False
            ) as response:
                pager = self.check_gantt(response, pk, None, fragment=False)
        else:
            pager = self.gantt_fragment(pk, first)
        for _ in range(random.randint(1, 2)):
            if not pager:  # failed, or a project of a single window
                return
            gevent.sleep(random.uniform(0.5, 2.0))
            direction = random.choice(sorted(pager))
            pager = self.gantt_fragment(pk, pager[direction])

    def gantt_fragment(self, pk: int, first: int) -> dict[str, int] | None:
        page = f"/projects/{pk}/schedule/"
        with self.client.get(
            f"{page}?from={first}",
            name="/projects/[id]/schedule/ (htmx window)",
            headers=self.htmx_headers(page, "gantt"),
            catch_response=True,
            allow_redirects=False,
        ) as response:
            return self.check_gantt(response, pk, first, fragment=True)

    @task(2)
    def s_curve(self) -> None:
        """Kurva S: the SVG curves, the weekly table, earned value and the weekly or monthly report."""
        if not self.estimate_ids:
            return
        pk = random.choice(self.estimate_ids)
        monthly = random.random() < 0.25
        with self.client.get(
            f"/projects/{pk}/kurva-s/" + ("?period=month" if monthly else ""),
            name="/projects/[id]/kurva-s/" + ("?period=month" if monthly else ""),
            catch_response=True,
            allow_redirects=False,
        ) as response:
            markers = (
                'id="s-curve-chart"',
                'id="s-curve-table"',
                'id="cost-curve-chart"',
                'id="period-table"',
            )
            if response.status_code == 200 and 'id="s-curve-no-schedule"' in (response.text or ""):
                response.failure("Kurva S: the project has no schedule (seed.py gives the estimates one)")
            elif self.check_page(response, *markers) and 'id="s-curve-unplanned"' in response.text:
                response.failure("Kurva S: items without a plan (seed.py plans all of them)")

    @task(3)
    def save_progress(self) -> None:
        """Open the progress page of a week, then save one row's progress (htmx POST): this week's % plus
        a small step within the room the row shows."""
        if not self.estimate_ids:
            return
        pk = random.choice(self.estimate_ids)
        page = f"/projects/{pk}/progress/"
        with self.client.get(
            f"{page}?week={random.randint(1, PROGRESS_WEEKS)}",
            name="/projects/[id]/progress/?week=[w]",
            catch_response=True,
            allow_redirects=False,
        ) as response:
            if response.status_code == 200 and 'id="progress-no-schedule"' in (response.text or ""):
                response.failure("progress: the project has no schedule (seed.py gives the estimates one)")
                return
            if not self.check_page(
                response, 'id="progress-form"', 'id="week-totals"', 'id="deviation-table"'
            ):
                return
            text = response.text
            week, form_token = PROGRESS_WEEK.search(text), CSRF_FIELD.search(text)
            if not week or not form_token:
                response.failure("progress page without its week or CSRF field")
                return
            rows = []
            for item_id, version, shown, room in PROGRESS_ROW.findall(text):
                current = id_number(shown)
                value = progress_increase(current, id_number(room))
                if value is not None:
                    rows.append((int(item_id), int(version), current, id_number(room), value))
        if not rows:
            return  # every active row of that week is full (a long run): nothing to save
        gevent.sleep(random.uniform(1.0, 3.0))  # types the value
        self.post_progress(pk, int(week.group(1)), form_token.group(1), *random.choice(rows))

    def post_progress(
        self, pk: int, week: int, form_token: str, item_id: int, version: int, current, room, value
    ) -> None:
        typed = percent_text(value)
        data = {
            "csrfmiddlewaretoken": form_token,
            "week": str(week),
            f"version-{item_id}": str(version),
            f"initial-{item_id}": percent_text(current),
            f"progress-{item_id}": typed,
            "row": str(item_id),
        }
        with self.post_htmx_form(
            f"/projects/{pk}/progress/items/{item_id}/",
            page=f"/projects/{pk}/progress/?week={week}",
            target=f"progress-item-{item_id}",
            name="/projects/[id]/progress/items/[item]/ (htmx POST)",
            data=data,
        ) as response:
            text = (response.text or "") if response.status_code == 200 else ""
            error = ERROR_LIST.search(text)
            if error:
                message = " ".join(html.unescape(re.sub(r"<[^>]*>", " ", error.group(1))).split())
                if EDIT_CONFLICT in message:
                    response.failure(
                        "progress: edit conflict (optimistic lock) on a row only this user edits"
                    )
                elif OVER_100 in message:
                    response.failure(
                        f"progress {typed!r} refused as over 100 % although the row showed room up to "
                        f"{room}: {message[:120]}"
                    )
                else:
                    response.failure(f"progress {typed!r} refused: {message[:120]}")
            else:
                self.check_fragment(
                    response,
                    f'<tr id="progress-item-{item_id}" ',
                    f'name="version-{item_id}" value="{version + 1}"',
                    f'name="initial-{item_id}" value="{typed}"',
                    'id="week-totals"',
                    '<section id="deviation-table" class="deviation" hx-swap-oob="outerHTML">',
                )


class ExporterUser(SignedInUser):
    """A heavy, rarer user: exports documents of its estimates in the background and downloads them.

    In the export centre of one of its projects with an estimate it starts an export (htmx POST, the
    CSRF token from the centre's form), polls the progress partial every second as htmx does until it
    answers 286 (job done or failed), then downloads the file and checks its Content-Type, its
    attachment name and its first bytes. Besides the HTTP requests, each export is one "EXPORT" row per
    document and format in the report: the time from the POST to the downloaded file, failed when the
    job failed or was not done within LOAD_EXPORT_TIMEOUT seconds (default 60).
    """

    weight = 1
    wait_time = between(2, 5)

    def export_failed(self, name: str, started: float, error: str) -> None:
        self.environment.events.request.fire(
            request_type="EXPORT",
            name=name,
            response_time=(time.monotonic() - started) * 1000,
            response_length=0,
            exception=Exception(error),
            context={},
        )

    @task
    def export(self) -> None:
        if not self.estimate_ids:
            return
        pk = random.choice(self.estimate_ids)
        document, fmt = random.choices(list(EXPORTS), weights=list(EXPORTS.values()))[0]
        centre = f"/projects/{pk}/exports/"
        with self.client.get(
            centre, name="/projects/[id]/exports/", catch_response=True, allow_redirects=False
        ) as response:
            if not self.check_page(response, 'id="export-current"', f'name="document" value="{document}"'):
                return
            form_token = CSRF_FIELD.search(response.text)
            if not form_token:
                response.failure("export centre without a CSRF field")
                return

        name = f"{document}.{fmt} (start to file)"
        started = time.monotonic()
        data = {"csrfmiddlewaretoken": form_token.group(1), "document": document, "format": fmt}
        with self.post_htmx_form(
            centre,
            page=centre,
            target="export-current",
            name="/projects/[id]/exports/ (htmx POST)",
            data=data,
        ) as response:
            if not self.check_fragment(response, 'class="card export-progress"'):
                return
            job = EXPORT_JOB.search(response.text)
            if not job:
                response.failure("no progress partial with the job id")
                return
            job_id = int(job.group(1))

        if self.wait_for_export(centre, job_id, name, started):
            self.download_export(job_id, document, fmt, name, started)

    def wait_for_export(self, centre: str, job_id: int, name: str, started: float) -> bool:
        """Poll like htmx (hx-trigger="every 1s"): 200 while queued/running, 286 once done or failed."""
        timeout = float(os.environ.get("LOAD_EXPORT_TIMEOUT") or 60)
        while True:
            if time.monotonic() - started > timeout:
                self.export_failed(name, started, f"not done within {timeout:.0f} s")
                return False
            gevent.sleep(1.0)
            with self.client.get(
                f"/exports/{job_id}/",
                name="/exports/[id]/ (htmx)",
                headers=self.htmx_headers(centre, f"export-job-{job_id}"),
                catch_response=True,
                allow_redirects=False,
            ) as response:
                text = response.text or ""
                job = EXPORT_JOB.search(text)
                status = job.group(2) if job and int(job.group(1)) == job_id else None
                if response.status_code == 200 and status in ("queued", "running"):
                    response.success()
                    continue
                if response.status_code != 286 or status not in ("done", "failed") or "<html" in text:
                    response.failure(f"status {response.status_code}, job status {status!r}: not the partial")
                    return False
                response.success()  # the request did its job; the export's own row records a failure
                if status == "failed":
                    error = EXPORT_ERROR.search(text)
                    message = html.unescape(error.group(1)).strip() if error else "no message"
                    self.export_failed(name, started, f"job failed: {message[:120]}")
                    return False
                if f'id="export-download-{job_id}"' not in text:
                    self.export_failed(name, started, "done, but no download link")
                    return False
                return True

    def download_export(self, job_id: int, document: str, fmt: str, name: str, started: float) -> None:
        content_type, magic = EXPORT_FILES[fmt]
        with self.client.get(
            f"/exports/{job_id}/download/",
            name=f"/exports/[id]/download/ ({fmt})",
            catch_response=True,
            allow_redirects=False,
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
                return
            body = response.content or b""
            received = response.headers.get("Content-Type", "")
            disposition = response.headers.get("Content-Disposition", "")
            if received != content_type:
                response.failure(f"Content-Type {received!r}, expected {content_type!r}")
            elif "attachment" not in disposition or f'filename="{document}-' not in disposition:
                response.failure(f"not an attachment named {document}-...: {disposition!r}")
            elif not disposition.rstrip('"').endswith(f".{fmt}"):
                response.failure(f"attachment without the .{fmt} extension: {disposition!r}")
            elif not body.startswith(magic) or len(body) <= len(magic):
                response.failure(f"not a {fmt} file ({len(body)} bytes, starts with {body[:8]!r})")
            else:
                response.success()
                self.environment.events.request.fire(
                    request_type="EXPORT",
                    name=name,
                    response_time=(time.monotonic() - started) * 1000,
                    response_length=len(body),
                    exception=None,
                    context={},
                )
