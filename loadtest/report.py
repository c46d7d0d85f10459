"""Helpers for loadtest/run.sh: CPU accounting and the summary table of a Locust run.

report.py snapshot OUT.json --pid PID [--pid PID ...]
    CPU seconds used so far by each process tree (server: gunicorn master + workers, huey
    consumer), and by PostgreSQL and Redis processes, with a timestamp.
report.py measure OUT.json -- COMMAND ...
    Run COMMAND (the load generator), forward SIGINT/SIGTERM to it, write the CPU seconds it used
    and its wall time; exit with its exit code.
report.py summary --stats PREFIX [--requests F --users N] [--cpu-before F --cpu-after F]
                  [--locust-cpu F] [--access-log F]
    Print P50/P95/P99, requests and failures per endpoint: with --requests (the locustfile's
    LOAD_REQUEST_LOG, one row per request), two tables, the login phase (from the first request until
    the last user's login POST answered) and the steady state after it; without, one table of the
    whole run from Locust's PREFIX_stats.csv. Then the failures and locustfile errors, the HTTP
    status counts of the server's access log, and the CPU use of both sides. Exit 1 when a request
    failed (Locust's totals), the locustfile raised, or nothing ran.
"""

import argparse
import csv
import json
import math
import os
import resource
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class EndpointStats:
    method: str
    name: str
    requests: int
    failures: int
    p50: float | None
    p95: float | None
    p99: float | None
    average: float | None
    maximum: float | None
    rps: float


@dataclass(frozen=True)
class Failure:
    method: str
    name: str
    error: str
    occurrences: int


def _number(value: str | None) -> float | None:
    """Locust writes 'N/A' (or nothing) where an endpoint has no samples."""
    if value is None:
        return None
    value = value.strip()
    if not value or value.upper() == "N/A":
        return None
    return float(value)


def read_stats(path: Path) -> tuple[list[EndpointStats], EndpointStats | None]:
    """Rows of Locust's `*_stats.csv` per endpoint, and its 'Aggregated' total row."""
    rows, total = [], None
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            stats = EndpointStats(
                method=row["Type"],
                name=row["Name"],
                requests=int(row["Request Count"]),
                failures=int(row["Failure Count"]),
                p50=_number(row.get("50%")),
                p95=_number(row.get("95%")),
                p99=_number(row.get("99%")),
                average=_number(row.get("Average Response Time")),
                maximum=_number(row.get("Max Response Time")),
                rps=_number(row.get("Requests/s")) or 0.0,
            )
            if stats.name == "Aggregated":
                total = stats
            else:
                rows.append(stats)
    return rows, total


def read_failures(path: Path) -> list[Failure]:
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        return [
            Failure(row["Method"], row["Name"], row["Error"], int(row["Occurrences"]))
            for row in csv.DictReader(handle)
        ]


def read_exceptions(path: Path) -> list[tuple[int, str, str]]:
    """Errors raised inside the locustfile: (count, message, traceback)."""
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        return [(int(row["Count"]), row["Message"], row["Traceback"]) for row in csv.DictReader(handle)]


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def format_table(rows: list[EndpointStats], total: EndpointStats | None) -> str:
    header = ("Method", "Endpoint", "Requests", "Failures", "P50 ms", "P95 ms", "P99 ms", "Max ms", "req/s")
    body = [
        (
            r.method,
            r.name,
            f"{r.requests:,}",
            f"{r.failures:,}",
            _ms(r.p50),
            _ms(r.p95),
            _ms(r.p99),
            _ms(r.maximum),
            f"{r.rps:.2f}",
        )
        for r in sorted(rows, key=lambda r: (-r.requests, r.name, r.method))
    ]
    if total is not None:
        body.append(
            (
                "",
                "TOTAL",
                f"{total.requests:,}",
                f"{total.failures:,}",
                _ms(total.p50),
                _ms(total.p95),
                _ms(total.p99),
                _ms(total.maximum),
                f"{total.rps:.2f}",
            )
        )
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    left = {0, 1}

    def render(line: tuple[str, ...]) -> str:
        cells = [
            cell.ljust(w) if i in left else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(line, widths, strict=True))
        ]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    lines = [render(header), rule, *(render(line) for line in body[: len(rows)])]
    if total is not None:
        lines += [rule, render(body[-1])]
    return "\n".join(lines)


# --- login phase and steady state, from the locustfile's request log ------------------------------

LOGIN = ("POST", "/accounts/login/")


@dataclass(frozen=True)
class Request:
    start: float  # epoch seconds
    method: str
    name: str
    response_time: float  # ms
    failed: bool

    @property
    def end(self) -> float:
        return self.start + self.response_time / 1000


@dataclass(frozen=True)
class Phases:
    """The requests of a run split at `split`, when the last successful login answered: those that
    started before it are the login phase, the others the steady state."""

    login: list[Request]
    steady: list[Request]
    logins: int  # successful login POSTs
    started: float | None  # first request's start
    split: float | None  # None: nobody logged in, so everything is the login phase
    ended: float | None  # last request's end


def read_requests(path: Path) -> list[Request]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [
            Request(
                float(row["start"]),
                row["type"],
                row["name"],
                float(row["response_time"]),
                row["failed"] == "1",
            )
            for row in csv.DictReader(handle)
        ]


def split_phases(requests: list[Request]) -> Phases:
    if not requests:
        return Phases([], [], 0, None, None, None)
    logins = [r for r in requests if (r.method, r.name) == LOGIN and not r.failed]
    split = max((r.end for r in logins), default=None)
    login = [r for r in requests if split is None or r.start < split]
    steady = [r for r in requests if split is not None and r.start >= split]
    return Phases(
        login=login,
        steady=steady,
        logins=len(logins),
        started=min(r.start for r in requests),
        split=split,
        ended=max(r.end for r in requests),
    )


def percentile(sorted_values: list[float], share: float) -> float | None:
    """Nearest-rank percentile of an ascending list (None when empty)."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(share * len(sorted_values)))
    return sorted_values[rank - 1]


def _stats(method: str, name: str, requests: list[Request], seconds: float) -> EndpointStats:
    times = sorted(r.response_time for r in requests)
    return EndpointStats(
        method=method,
        name=name,
        requests=len(requests),
        failures=sum(r.failed for r in requests),
        p50=percentile(times, 0.50),
        p95=percentile(times, 0.95),
        p99=percentile(times, 0.99),
        average=sum(times) / len(times) if times else None,
        maximum=times[-1] if times else None,
        rps=len(requests) / seconds if seconds > 0 else 0.0,
    )


#: Rows the locustfile times that are not HTTP requests (an export from its POST to the downloaded file,
#: made of several requests that have their own rows): listed, but kept out of the aggregate.
TIMED_FLOWS = {"EXPORT"}


def phase_stats(requests: list[Request], seconds: float) -> tuple[list[EndpointStats], EndpointStats]:
    """Per endpoint, and aggregated over the HTTP requests (not the ``TIMED_FLOWS`` rows), over `seconds`
    of wall time."""
    groups: dict[tuple[str, str], list[Request]] = {}
    for request in requests:
        groups.setdefault((request.method, request.name), []).append(request)
    rows = [_stats(method, name, group, seconds) for (method, name), group in groups.items()]
    http = [request for request in requests if request.method not in TIMED_FLOWS]
    return rows, _stats("", "Aggregated", http, seconds)


def format_phases(phases: Phases, users: int | None = None) -> str:
    """The two tables: the login phase and the steady state after it."""
    if phases.started is None:
        return "No requests in the request log."
    expected = f" of {users}" if users else ""
    if phases.split is None:
        rows, total = phase_stats(phases.login, phases.ended - phases.started)
        return "\n".join(
            [
                f"Login phase: no user logged in{f' (0{expected})' if users else ''}; every request:",
                format_table(rows, total),
            ]
        )
    login_seconds = phases.split - phases.started
    steady_seconds = max(0.0, phases.ended - phases.split)
    lines = [
        f"Login phase: {phases.logins}{expected} users logged in within {login_seconds:.1f} s "
        "(the requests started until the last login answered)",
        format_table(*phase_stats(phases.login, login_seconds)),
        "",
    ]
    if users and phases.logins < users:
        lines.append(
            f"(only {phases.logins} of {users} users logged in: the steady state below is not all users)"
        )
    if phases.steady:
        lines += [
            f"Steady state: {steady_seconds:.1f} s after the last login",
            format_table(*phase_stats(phases.steady, steady_seconds)),
        ]
    else:
        lines.append("Steady state: no requests after the last login (run longer)")
    return "\n".join(lines)


# --- CPU accounting --------------------------------------------------------------------------------

SERVICE_NAMES = ("postgres", "redis-server")


def _cpu_seconds(process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def snapshot(root_pids: list[int]) -> dict:
    """CPU seconds per process, keyed by 'pid:start time' so a restarted worker is not subtracted."""
    import psutil

    groups: dict[str, dict[str, float]] = {"server": {}, "services": {}}
    for pid in root_pids:
        try:
            root = psutil.Process(pid)
            tree = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            continue
        for process in tree:
            try:
                groups["server"][f"{process.pid}:{process.create_time()}"] = _cpu_seconds(process)
            except psutil.NoSuchProcess:
                pass
    for process in psutil.process_iter(["name"]):
        if (process.info["name"] or "").startswith(SERVICE_NAMES):
            try:
                groups["services"][f"{process.pid}:{process.create_time()}"] = _cpu_seconds(process)
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                pass
    return {"time": time.time(), "groups": groups, "machine_busy": machine_busy_seconds()}


def machine_busy_seconds() -> float:
    """CPU seconds all processes on this machine have used (every core), from /proc/stat via psutil."""
    import psutil

    times = psutil.cpu_times()
    idle = times.idle + getattr(times, "iowait", 0.0)
    guest = getattr(times, "guest", 0.0) + getattr(times, "guest_nice", 0.0)  # already counted in user
    return sum(times) - idle - guest


def cpu_delta(before: dict, after: dict, group: str) -> float:
    """CPU seconds a group used between two snapshots (processes that ended in between are lost)."""
    old = before["groups"].get(group, {})
    return sum(seconds - old.get(key, 0.0) for key, seconds in after["groups"].get(group, {}).items())


def measure(out: Path, command: list[str]) -> int:
    usage_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.time()
    process = subprocess.Popen(command)

    def forward(signum, _frame):
        process.send_signal(signum)

    signal.signal(signal.SIGINT, forward)
    signal.signal(signal.SIGTERM, forward)
    returncode = process.wait()
    usage_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (usage_after.ru_utime - usage_before.ru_utime) + (usage_after.ru_stime - usage_before.ru_stime)
    out.write_text(json.dumps({"cpu": cpu, "wall": time.time() - started}))
    return returncode


def format_cpu(
    server: float,
    services: float,
    locust: float | None,
    wall: float,
    cores: int,
    machine: float | None = None,
) -> str:
    """CPU seconds and share of one core per side; with the machine's total, what everything else used
    (on a shared 2-core box, other work there slows the server and skews the latencies)."""

    def line(label: str, seconds: float) -> str:
        share = 100 * seconds / wall if wall > 0 else 0.0
        return f"  {label:<36} {seconds:8.1f} s CPU  {share:6.1f} % of one core"

    lines = [f"CPU during the load ({wall:.0f} s wall, {cores} cores = {100 * cores} % available):"]
    lines.append(line("server (gunicorn + huey consumer)", server))
    lines.append(line("PostgreSQL + Redis", services))
    if locust is not None:
        lines.append(line("load generator (locust)", locust))
    if machine is not None:
        lines.append(line("whole machine, all processes", machine))
        others = max(0.0, machine - server - services - (locust or 0.0))
        lines.append(line("other processes (not this test)", others))
    return "\n".join(lines)


# --- access log ------------------------------------------------------------------------------------


def status_counts(path: Path) -> tuple[Counter, Counter]:
    """Counts per status code, and the 5xx responses per path, of an access log whose lines start
    with the status code (gunicorn --access-logformat '%(s)s %(m)s %(U)s ...')."""
    statuses: Counter = Counter()
    errors: Counter = Counter()
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split()
        if len(parts) < 3 or not parts[0].isdigit():
            continue
        statuses[parts[0]] += 1
        if parts[0].startswith("5"):
            errors[f"{parts[0]} {parts[1]} {parts[2]}"] += 1
    return statuses, errors


# --- commands --------------------------------------------------------------------------------------


def summary(args: argparse.Namespace) -> int:  # noqa: C901  a report script: one check per line it prints, in that order
    prefix = args.stats
    stats_file = Path(f"{prefix}_stats.csv")
    if not stats_file.exists():
        print(f"report: {stats_file} not found (did locust start?)", file=sys.stderr)
        return 1
    rows, total = read_stats(stats_file)
    failures = read_failures(Path(f"{prefix}_failures.csv"))
    exceptions = read_exceptions(Path(f"{prefix}_exceptions.csv"))

    requests_log = Path(args.requests) if args.requests else None
    if requests_log and requests_log.exists():
        print(format_phases(split_phases(read_requests(requests_log)), args.users))
        if total is not None:
            print(
                f"\nWhole run (Locust): {total.requests:,} requests, {total.failures:,} failed, "
                f"P50 {_ms(total.p50)} ms, P95 {_ms(total.p95)} ms, P99 {_ms(total.p99)} ms, "
                f"{total.rps:.2f} req/s"
            )
    else:
        if requests_log:
            print(f"report: {requests_log} not found, so no login/steady split; the whole run:")
        print(format_table(rows, total))
    if failures:
        print("\nFailures:")
        for failure in sorted(failures, key=lambda f: -f.occurrences):
            print(f"  {failure.occurrences:6d}  {failure.method} {failure.name}: {failure.error}")
    if exceptions:
        print("\nErrors raised in the locustfile:")
        for count, message, traceback in exceptions:
            print(f"  {count:6d}  {message}\n{traceback}")

    if args.access_log and Path(args.access_log).exists():
        statuses, errors = status_counts(Path(args.access_log))
        counts = ", ".join(f"{code}: {n:,}" for code, n in sorted(statuses.items()))
        print(f"\nServer access log, responses by status: {counts or 'none'}")
        for line, n in errors.most_common(10):
            print(f"  {n:6d}  {line}")

    if args.cpu_before and args.cpu_after:
        before = json.loads(Path(args.cpu_before).read_text())
        after = json.loads(Path(args.cpu_after).read_text())
        locust = json.loads(Path(args.locust_cpu).read_text())["cpu"] if args.locust_cpu else None
        wall = after["time"] - before["time"]
        machine = None
        if "machine_busy" in before and "machine_busy" in after:
            machine = after["machine_busy"] - before["machine_busy"]
        print()
        print(
            format_cpu(
                cpu_delta(before, after, "server"),
                cpu_delta(before, after, "services"),
                locust,
                wall,
                args.cores,
                machine,
            )
        )

    failed = total.failures if total else sum(r.failures for r in rows)
    requests = total.requests if total else sum(r.requests for r in rows)
    errors_raised = sum(count for count, _, _ in exceptions)
    print()
    if requests == 0:
        print("RESULT: FAILED, no requests were made")
        return 1
    if failed or errors_raised:
        print(
            f"RESULT: FAILED, {failed:,} of {requests:,} requests failed, {errors_raised} locustfile errors"
        )
        return 1
    print(f"RESULT: OK, {requests:,} requests, none failed")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    snap = commands.add_parser("snapshot", help="CPU seconds of process trees and services")
    snap.add_argument("out", type=Path)
    snap.add_argument("--pid", type=int, action="append", default=[])

    run = commands.add_parser("measure", help="run a command and record the CPU it used")
    run.add_argument("out", type=Path)
    run.add_argument("cmd", nargs=argparse.REMAINDER)

    summ = commands.add_parser("summary", help="print the table; exit 1 on any failure")
    summ.add_argument("--stats", required=True, help="the --csv prefix given to locust")
    summ.add_argument("--requests", help="the locustfile's LOAD_REQUEST_LOG CSV: split login/steady")
    summ.add_argument("--users", type=int, help="simulated users, to tell whether all logged in")
    summ.add_argument("--cpu-before")
    summ.add_argument("--cpu-after")
    summ.add_argument("--locust-cpu")
    summ.add_argument("--access-log")
    summ.add_argument("--cores", type=int, default=_cores())

    args = parser.parse_args(argv)
    if args.command == "snapshot":
        args.out.write_text(json.dumps(snapshot(args.pid)))
        return 0
    if args.command == "measure":
        command = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
        if not command:
            parser.error("measure needs a command after --")
        return measure(args.out, command)
    return summary(args)


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


if __name__ == "__main__":
    sys.exit(main())
