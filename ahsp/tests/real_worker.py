"""Real huey consumers for tests (used by test_export_worker_real.py); test code only.

Run as a script (``python -m ahsp.tests.real_worker [run_huey options]``) it is ``manage.py run_huey``
with two test-only additions, so production code carries no test hooks:

- ``AHSP_TEST_EXPORT_STEP_DELAY`` (seconds): every export builder sleeps that long after each progress
  report, so a job is reliably in the middle of its build when a test kills the consumer;
- a watchdog thread that ends the consumer when the process that started it (pytest) is gone, so an
  interrupted test run leaves no orphan consumer behind.

Imported, it offers ``Workers``: an isolated huey queue for the test process (the tasks that
``exports.start`` enqueues go there instead of running in immediate mode) and consumers that read it,
pointed at pytest-django's test database and the test's MEDIA_ROOT. ``Workers.stop_all`` always ends
every consumer it started (SIGTERM, then SIGKILL of its process group).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

STEP_DELAY_ENV = "AHSP_TEST_EXPORT_STEP_DELAY"
BASE_DIR = Path(__file__).resolve().parents[2]


# --- The consumer process --------------------------------------------------------------------------


def _exit_with_parent() -> None:
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(3)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def _slow_down_builders(delay: float) -> None:
    from ahsp.exports import registry  # noqa: PLC0415 (after django.setup())

    def slowed(builder):
        def build(job, progress):
            def slow_progress(done: int, total: int, stage: str = "") -> None:
                progress(done, total, stage)
                time.sleep(delay)

            return builder(job, slow_progress)

        return build

    for key, builder in list(registry.BUILDERS.items()):
        registry.BUILDERS[key] = slowed(builder)


def main(argv: list[str]) -> None:
    _exit_with_parent()
    import django  # noqa: PLC0415

    django.setup()
    delay = float(os.environ.get(STEP_DELAY_ENV) or 0)
    if delay > 0:
        _slow_down_builders(delay)
    from django.core.management import execute_from_command_line  # noqa: PLC0415

    execute_from_command_line(["manage.py", "run_huey", *argv])


# --- The test side ---------------------------------------------------------------------------------


def queue_redis_url(redis_url: str) -> str:
    """The Redis URL for the test queues: ``AHSP_TEST_QUEUE_REDIS_URL``, or REDIS_URL with another DB.

    The tests' cache lives in REDIS_URL's database and ``cache.clear()`` (run before every test, in every
    xdist worker) is a FLUSHDB there, which would also wipe tasks waiting in a queue in that database.
    """
    if os.environ.get("AHSP_TEST_QUEUE_REDIS_URL"):
        return os.environ["AHSP_TEST_QUEUE_REDIS_URL"]
    parts = urlsplit(redis_url)
    db = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{15 if db != 15 else 14}"))


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL for the database the test process is connected to (pytest-django's test DB)."""
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(str(settings_dict.get("PASSWORD") or ""), safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = quote(settings_dict.get("HOST") or "", safe="")
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{quote(settings_dict['NAME'], safe='')}"


class Consumer:
    def __init__(self, process: subprocess.Popen, log_path: Path) -> None:
        self.process = process
        self.log_path = log_path

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def wait_ready(self, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while "+ ahsp.tasks.build_export" not in self.log():
            if self.process.poll() is not None:
                raise AssertionError(f"consumer exited with {self.process.returncode}:\n{self.log()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"consumer not ready after {timeout} s:\n{self.log()}")
            time.sleep(0.05)

    def kill(self) -> int:
        """SIGKILL, as when the machine or the OOM killer takes the worker down mid-job."""
        os.killpg(self.process.pid, signal.SIGKILL)
        return self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
            except ProcessLookupError:
                pass
        self.process.wait(timeout=10)


class Workers:
    """An isolated huey queue for one test, and the consumers started for it."""

    def __init__(self, *, huey, redis_url: str, settings_dict: dict, media_root: Path, tmp: Path) -> None:
        from huey.storage import RedisStorage  # noqa: PLC0415

        self.huey = huey
        self.name = f"ahsp-test-real-{os.getpid()}-{uuid.uuid4().hex[:10]}"
        self.redis_url = queue_redis_url(redis_url)
        self.storage = RedisStorage(name=self.name, url=self.redis_url)
        self.database_url = database_url(settings_dict)
        self.media_root = media_root
        self.tmp = tmp
        self.consumers: list[Consumer] = []
        self._saved = (huey.immediate, huey.storage)
        # The test process enqueues into the isolated queue instead of running tasks immediately.
        huey.immediate = False
        huey.storage = self.storage

    def queue_size(self) -> int:
        return self.storage.queue_size()

    def start(self, *, workers: int = 2, step_delay: float = 0.0) -> Consumer:
        number = len(self.consumers) + 1
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "project.settings",
            "DEBUG": "0",
            "SECRET_KEY": "real-worker-test-secret-key",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "HUEY_NAME": self.name,
            "HUEY_IMMEDIATE": "0",
            "CACHE_KEY_PREFIX": self.name,
            "MEDIA_ROOT": str(self.media_root),
            "AHSP_DATA_DIR": str(self.tmp / "data"),
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
            STEP_DELAY_ENV: str(step_delay),
        }
        log_path = self.tmp / f"consumer-{number}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
                [
                    sys.executable,
                    "-m",
                    "ahsp.tests.real_worker",
                    "--workers",
                    str(workers),
                    "--worker-type",
                    "thread",
                    "--no-periodic",  # no heartbeat/sweep tasks: the tests decide when to sweep
                    "--delay",
                    "0.05",
                    "--max-delay",
                    "0.5",
                ],
                cwd=BASE_DIR,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: killpg reaches it and only it
            )
        consumer = Consumer(process, log_path)
        self.consumers.append(consumer)
        return consumer

    def logs(self, tail: int | None = 4000) -> str:
        return "\n".join(f"--- consumer {c.pid}:\n{c.log()[-(tail or 0) :]}" for c in self.consumers)

    def executed_tasks(self, task: str = "ahsp.tasks.build_export") -> list[str]:
        """Ids of the ``task`` runs the consumers started (one per run: a redelivery would show twice)."""
        pattern = re.compile(rf"\] INFO:huey:[^:]+:Executing {re.escape(task)}: (\S+)")
        return [match for c in self.consumers for match in pattern.findall(c.log())]

    def wait_for(self, what: str, predicate: Callable[[], bool], timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout} s waiting for {what}\n{self.logs()}")
            time.sleep(0.1)

    def stop_all(self) -> None:
        try:
            for consumer in self.consumers:
                consumer.stop()
        finally:
            immediate, storage = self._saved
            self.huey.immediate = immediate
            self.huey.storage = storage
            try:
                self.storage.flush_all()
            finally:
                self.storage.pool.disconnect()


if __name__ == "__main__":
    main(sys.argv[1:])
