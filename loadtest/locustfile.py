"""Load profile of an estimator using AHSP: dashboard, reference library search, analyses, projects.

Each simulated user signs in as its own seeded account (user0001@load.test, user0002@..., see seed.py)
and then browses like a person: the dashboard (full page, and htmx swaps for paging and filtering),
the reference library's active search (htmx, with realistic Indonesian work names), an analysis found
in the results, and one of its own projects. Every response is checked for content, so an error page
served with status 200, or a redirect back to the login page, counts as a failure.

Run it through loadtest/run.sh (it starts the stack and seeds the accounts). Environment:
LOAD_USER_COUNT   number of seeded accounts; simulated users beyond it reuse accounts from the start
LOAD_PASSWORD     password of the seeded accounts (default in accounts.py)
"""

import html
import itertools
import logging
import os
import random
import re
from urllib.parse import quote, unquote, urlencode

import gevent
from accounts import email_for, password
from locust import between, task
from locust.contrib.fasthttp import FastHttpUser
from locust.exception import StopUser

logger = logging.getLogger(__name__)

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

_account_numbers = itertools.count(1)


def next_account_number() -> int:
    """A distinct account per simulated user (gevent is cooperative, so `next` is atomic here)."""
    number = next(_account_numbers)
    accounts = int(os.environ.get("LOAD_USER_COUNT") or 0)
    return (number - 1) % accounts + 1 if accounts > 0 else number


class EstimatorUser(FastHttpUser):
    wait_time = between(1, 3)
    default_headers = {"Accept-Language": "id", "User-Agent": "ahsp-loadtest (locust)"}

    def on_start(self) -> None:
        self.email = email_for(next_account_number())
        self.project_ids: list[int] = []
        self.max_page = 1
        self.analyses: list[tuple[str, str]] = []  # (code, source) seen in search results
        self.log_in()
        self.dashboard()  # where the login redirects to; also discovers the user's projects

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
        cookie = next((c.value for c in self.client.cookiejar if c.name == "csrftoken"), "")
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

    # --- tasks --------------------------------------------------------------------------------------

    @task(3)
    def dashboard(self) -> None:
        with self.client.get("/", name="/", catch_response=True, allow_redirects=False) as response:
            if self.check_page(response, 'id="project-list"'):
                self.remember_projects(response.text)

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
