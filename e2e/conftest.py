"""Playwright end-to-end setup: real browsers against pytest-django's live_server.

Browsers
--------
pytest-playwright parametrises every test that uses ``page``/``context``/``browser`` over
``--browser``. Without ``--browser`` this conftest asks it for ``chromium``, ``firefox`` and ``msedge``,
so test ids read ``test_x[chromium]``, ``test_x[firefox]``, ``test_x[msedge]``:

- ``chromium``: Debian's Chromium (``/usr/bin/chromium`` or ``$E2E_CHROMIUM``); Playwright's own
  browser download cannot run on our machines.
- ``firefox``: the stock Firefox ESR over WebDriver BiDi (channel ``moz-firefox``,
  ``/usr/bin/firefox-esr`` or ``$E2E_FIREFOX``).
- ``msedge``: Microsoft Edge through Playwright's ``msedge`` channel of the chromium engine, only where
  Edge is installed. Chromium is never passed off as Edge.

A browser that is not installed is skipped with the reason, unless it is listed in
``E2E_REQUIRED_BROWSERS`` (comma separated; CI sets ``chromium,firefox``): then its tests fail (as a
setup error) with the same reason. ``--browser chromium`` etc. still select a single engine;
``--browser chromium --browser-channel msedge`` is pytest-playwright's own way to run only Edge.

Every page fails its test on a console error or an uncaught exception (checked at teardown).
"""

import os
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import BrowserContext, BrowserType, ConsoleMessage, Error, Page, Playwright, expect

# Playwright's sync API runs an asyncio loop in this thread; the ORM calls made by the tests (arrange
# steps, force_login) are still synchronous and safe. e2e only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

E2E_DIR = Path(__file__).parent

DEFAULT_BROWSERS = ["chromium", "firefox", "msedge"]

# 2-core CI machine running the server, the test process and the browser: generous but bounded.
EXPECT_TIMEOUT_MS = 10_000
ACTION_TIMEOUT_MS = 15_000
NAVIGATION_TIMEOUT_MS = 30_000

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    # Without these Chromium floods the closed network with update/sync/field-trial requests.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]

# Where Playwright's "msedge" channel looks for Microsoft Edge (stable).
MSEDGE_PATHS = {
    "linux": ["/opt/microsoft/msedge/msedge"],
    "darwin": ["/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge"],
    "win32": [
        os.path.expandvars(r"%PROGRAMFILES(X86)%\Microsoft\Edge\Application\msedge.exe"),
        os.path.expandvars(r"%PROGRAMFILES%\Microsoft\Edge\Application\msedge.exe"),
        os.path.expandvars(r"%LOCALAPPDATA%\Microsoft\Edge\Application\msedge.exe"),
    ],
}

expect.set_options(timeout=EXPECT_TIMEOUT_MS)


# --- collection -----------------------------------------------------------------------------------


def pytest_configure(config: pytest.Config) -> None:
    # No --browser given: every supported browser, each as its own parametrised variant.
    if not config.getoption("--browser", default=None):
        config.option.browser = list(DEFAULT_BROWSERS)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if E2E_DIR in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)


# --- browsers -------------------------------------------------------------------------------------


def _required_browsers() -> set[str]:
    return {name.strip() for name in os.environ.get("E2E_REQUIRED_BROWSERS", "").split(",") if name.strip()}


def _executable(env_var: str, default: str) -> str:
    return os.environ.get(env_var) or default


def _is_executable(path: str | None) -> bool:
    return bool(path) and os.path.isfile(path) and os.access(path, os.X_OK)


def _browser_launch_options(
    browser_name: str, browser_type: BrowserType, channel: str | None
) -> tuple[dict, str | None]:
    """Launch options for one of our browser names, or the reason it cannot run here."""
    if browser_name == "chromium" and channel == "msedge":
        return _browser_launch_options("msedge", browser_type, None)
    if browser_name == "chromium" and channel:
        # Another --browser-channel (chrome, chrome-beta...): Playwright finds and reports that browser.
        return {"channel": channel, "args": CHROMIUM_ARGS}, None
    if browser_name == "chromium":
        path = _executable("E2E_CHROMIUM", "/usr/bin/chromium")
        if not _is_executable(path):
            return {}, f"chromium not installed at {path} (set E2E_CHROMIUM)"
        return {"executable_path": path, "args": CHROMIUM_ARGS}, None
    if browser_name == "firefox":
        path = _executable("E2E_FIREFOX", "/usr/bin/firefox-esr")
        if not _is_executable(path):
            return {}, f"firefox-esr not installed at {path} (set E2E_FIREFOX)"
        return {"channel": "moz-firefox", "executable_path": path}, None
    if browser_name == "msedge":
        candidates = MSEDGE_PATHS.get(sys.platform, MSEDGE_PATHS["linux"])
        if os.environ.get("E2E_MSEDGE"):
            candidates = [os.environ["E2E_MSEDGE"]]
        found = next((p for p in candidates if _is_executable(p)), None)
        if found is None:
            return {}, f"Microsoft Edge not installed at {' or '.join(candidates)} (set E2E_MSEDGE)"
        options = {"channel": "msedge", "args": CHROMIUM_ARGS}
        if os.environ.get("E2E_MSEDGE"):
            options["executable_path"] = found
        return options, None
    # webkit or anything else pytest-playwright knows: only with Playwright's own download.
    path = browser_type.executable_path
    if not _is_executable(path):
        return {}, f"{browser_name} not installed at {path} (Playwright's browser download)"
    return {}, None


@pytest.fixture(scope="session")
def browser_type(playwright: Playwright, browser_name: str) -> BrowserType:
    """Edge is a channel of the chromium engine, not an engine of its own."""
    return playwright.chromium if browser_name == "msedge" else getattr(playwright, browser_name)


@pytest.fixture(scope="session")
def browser_type_launch_args(
    browser_type_launch_args: dict, browser_name: str, browser_type: BrowserType
) -> dict:
    """Session scoped: a skip or failure here is reported on every test of that browser."""
    options, missing = _browser_launch_options(
        browser_name, browser_type, browser_type_launch_args.get("channel")
    )
    if missing:
        wanted = "msedge" if browser_type_launch_args.get("channel") == "msedge" else browser_name
        if wanted in _required_browsers():
            pytest.fail(f"{missing}; it is required by E2E_REQUIRED_BROWSERS", pytrace=False)
        pytest.skip(missing)
    return {**browser_type_launch_args, **options}


@pytest.fixture(scope="session")
def base_url(django_db_setup, live_server) -> str:
    """``page.goto("/")`` resolves against the live server.

    pytest-playwright's session-scoped ``browser_context_args`` asks for this before any database
    fixture, so the test database is set up first here: pytest-django's LiveServer hands an in-memory
    SQLite test database's connection to the server thread only if it exists when the server starts
    (otherwise every request thread opens, and leaks, its own connection).
    """
    return live_server.url


class _ReleasingBody:
    """A WSGI response body that releases ``lock`` once the server has sent it (``close``)."""

    def __init__(self, body, lock: threading.Lock) -> None:
        self.body, self.lock = body, lock

    def __iter__(self):
        return iter(self.body)

    def close(self) -> None:
        try:
            if hasattr(self.body, "close"):
                self.body.close()
        finally:
            self.lock.release()


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    """The browser journeys run with project pages cached as in production (ahsp.views._page_cache):
    every edit followed by a page is also a check that the page is not stale."""
    settings.PAGE_CACHE_ENABLED = True


@pytest.fixture(autouse=True)
def _one_request_at_a_time(base_url, live_server):
    """Serialize the live server's requests while they share the in-memory SQLite test connection.

    pytest-django hands the live server the test's own connection to an in-memory SQLite database; its
    request threads all use that ONE connection, and two requests querying at once (the dashboard's
    widgets, htmx requests fired together) fail with ``InterfaceError: bad parameter or other API
    misuse``: an artefact of that test database (PostgreSQL, and production, give each thread its own
    connection). The lock is held until the response body is sent, streamed bodies included."""
    httpd = live_server.thread.httpd
    if not live_server.thread.connections_override:
        yield
        return
    application = httpd.get_app()
    lock = threading.Lock()

    def serialized(environ, start_response):
        lock.acquire()
        try:
            return _ReleasingBody(application(environ, start_response), lock)
        except BaseException:
            lock.release()
            raise

    httpd.set_app(serialized)
    yield
    httpd.set_app(application)


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    # An Indonesian user's browser (number and date inputs, Accept-Language); the UI defaults to Indonesian.
    return {**browser_context_args, "locale": "id-ID", "timezone_id": "Asia/Jakarta"}


# --- pages: timeouts and error collection ---------------------------------------------------------


class BrowserErrors:
    """Console errors and uncaught page errors of every page of the test's contexts."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def watch(self, page: Page) -> None:
        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                location = message.location or {}
                self.messages.append(
                    f"console error on {page.url}: {message.text} "
                    f"({location.get('url', '?')}:{location.get('lineNumber', '?')})"
                )

        def on_pageerror(error: Error) -> None:
            self.messages.append(
                f"uncaught error on {page.url}: {error.name}: {error.message}\n{error.stack}"
            )

        page.on("console", on_console)
        page.on("pageerror", on_pageerror)


@pytest.fixture
def browser_errors() -> BrowserErrors:
    return BrowserErrors()


def _prepare_context(context: BrowserContext, browser_errors: BrowserErrors) -> BrowserContext:
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    context.on("page", browser_errors.watch)
    return context


@pytest.fixture
def new_context(new_context: Callable[..., BrowserContext], browser_errors: BrowserErrors) -> Iterator:
    """pytest-playwright's factory, plus timeouts and error collection on every page it opens."""

    def make(**kwargs) -> BrowserContext:
        return _prepare_context(new_context(**kwargs), browser_errors)

    yield make
    assert not browser_errors.messages, "Browser reported errors:\n" + "\n".join(browser_errors.messages)


@pytest.fixture
def no_js_context(browser_name: str, new_context: Callable[..., BrowserContext]) -> BrowserContext:
    """A context with JavaScript switched off, to check the plain-HTML fallbacks of hx-* links."""
    if browser_name == "firefox":
        # Checked with playwright 1.64.1 + Firefox ESR 153: the WebDriver BiDi driver silently ignores
        # java_script_enabled=False (htmx still runs), and the profile pref javascript.enabled=false
        # makes every expect() hang past its timeout. The fallback is server HTML, checked in Chromium.
        pytest.skip("Playwright's Firefox (WebDriver BiDi) driver cannot switch JavaScript off")
    return new_context(java_script_enabled=False)


# --- login ----------------------------------------------------------------------------------------


@pytest.fixture
def login_user(live_server) -> Callable[[BrowserContext, object], None]:
    """Log in without the form (job-server's login_user): a real session cookie in the context."""

    def login(context: BrowserContext, user) -> None:
        client = Client()
        client.force_login(user)
        session_cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": session_cookie.value,
                    "url": live_server.url,
                    "httpOnly": True,
                    "sameSite": "Lax",
                }
            ]
        )

    return login


@pytest.fixture
def logged_in_page(page: Page, context: BrowserContext, login_user, user) -> Page:
    """``page`` with ``user`` (estimator@example.com) logged in."""
    login_user(context, user)
    return page
