"""report.py reads Locust's CSVs and decides the exit status of loadtest/run.sh. No database needed."""

import json

import pytest
from report import (
    EndpointStats,
    Request,
    cpu_delta,
    format_phases,
    format_table,
    main,
    percentile,
    phase_stats,
    read_failures,
    read_requests,
    read_stats,
    split_phases,
    status_counts,
)

STATS_HEADER = (
    '"Type","Name","Request Count","Failure Count","Median Response Time","Average Response Time",'
    '"Min Response Time","Max Response Time","Average Content Size","Requests/s","Failures/s",'
    '"50%","66%","75%","80%","90%","95%","98%","99%","99.9%","99.99%","100%"'
)
STATS_ROWS = [
    "GET,/,120,0,41,55.2,12,480,9050,4.0,0.0,41,50,58,63,90,150,300,420,480,480,480",
    'GET,"/referensi/?q=[q] (htmx)",300,2,12,20.5,4,900,3100,10.0,0.07,12,15,18,20,30,61,120,250,900,900,900',
    "POST,/accounts/login/,10,0,880,870.0,700,1020,0,0.33,0.0,880,900,900,950,1000,1000,1000,1000,1020,1020,1020",
    "DELETE,/never/,0,0,0,0.0,0,0,0,0.0,0.0,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A",
    ",Aggregated,430,2,14,45.1,4,1020,4200,14.33,0.07,14,20,30,41,62,140,420,880,1020,1020,1020",
]
FAILURES = (
    '"Method","Name","Error","Occurrences"\n'
    "GET,\"/referensi/?q=[q] (htmx)\",CatchResponseError('status 500'),2\n"
)
EXCEPTIONS_HEADER = '"Count","Message","Traceback","Nodes"\n'


def write_run(tmp_path, rows=STATS_ROWS, failures=None):
    prefix = tmp_path / "stats"
    (tmp_path / "stats_stats.csv").write_text("\n".join([STATS_HEADER, *rows]) + "\n")
    (tmp_path / "stats_failures.csv").write_text(failures or '"Method","Name","Error","Occurrences"\n')
    (tmp_path / "stats_exceptions.csv").write_text(EXCEPTIONS_HEADER)
    return prefix


def test_read_stats_parses_endpoints_percentiles_and_total(tmp_path):
    write_run(tmp_path)

    rows, total = read_stats(tmp_path / "stats_stats.csv")

    htmx = next(r for r in rows if r.name == "/referensi/?q=[q] (htmx)")
    assert (htmx.method, htmx.requests, htmx.failures) == ("GET", 300, 2)
    assert (htmx.p50, htmx.p95, htmx.p99) == (12, 61, 250)
    empty = next(r for r in rows if r.name == "/never/")
    assert empty.p50 is None and empty.p99 is None  # 'N/A' in the CSV
    assert total.name == "Aggregated" and total.requests == 430 and total.failures == 2
    assert len(rows) == 4


def test_read_failures(tmp_path):
    write_run(tmp_path, failures=FAILURES)

    [failure] = read_failures(tmp_path / "stats_failures.csv")

    assert failure.name == "/referensi/?q=[q] (htmx)"
    assert failure.error == "CatchResponseError('status 500')"
    assert failure.occurrences == 2


def test_format_table_sorts_by_requests_and_ends_with_total(tmp_path):
    write_run(tmp_path)
    rows, total = read_stats(tmp_path / "stats_stats.csv")

    lines = format_table(rows, total).splitlines()

    assert lines[0].split() == [
        "Method",
        "Endpoint",
        "Requests",
        "Failures",
        "P50",
        "ms",
        "P95",
        "ms",
        "P99",
        "ms",
        "Max",
        "ms",
        "req/s",
    ]
    assert lines[2].split()[:2] == ["GET", "/referensi/?q=[q]"]  # most requests first
    assert lines[-1].split() == ["TOTAL", "430", "2", "14", "140", "880", "1,020", "14.33"]
    never = next(line for line in lines if "/never/" in line)
    assert never.split()[-5:] == ["-", "-", "-", "0", "0.00"]  # no percentiles without samples
    assert len({len(line) for line in lines[:2]}) == 1  # header and rule line up


def test_format_table_without_total_row():
    row = EndpointStats("GET", "/", 1, 0, 5, 5, 5, 5, 5, 0.5)

    assert format_table([row], None).splitlines()[-1].split() == [
        "GET",
        "/",
        "1",
        "0",
        "5",
        "5",
        "5",
        "5",
        "0.50",
    ]


def test_summary_exits_1_when_a_request_failed(tmp_path, capsys):
    prefix = write_run(tmp_path, failures=FAILURES)

    assert main(["summary", "--stats", str(prefix)]) == 1

    out = capsys.readouterr().out
    assert "RESULT: FAILED, 2 of 430 requests failed" in out
    assert "CatchResponseError('status 500')" in out


def test_summary_exits_0_without_failures(tmp_path, capsys):
    rows = [row for row in STATS_ROWS if "htmx" not in row and "Aggregated" not in row]
    rows.append(",Aggregated,130,0,41,90.0,12,1020,8000,4.33,0.0,41,50,58,63,90,870,1000,1000,1020,1020,1020")
    prefix = write_run(tmp_path, rows=rows)

    assert main(["summary", "--stats", str(prefix)]) == 0

    assert "RESULT: OK, 130 requests, none failed" in capsys.readouterr().out


def test_summary_exits_1_when_nothing_ran(tmp_path, capsys):
    rows = [",Aggregated,0,0,0,0.0,0,0,0,0.0,0.0,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A"]
    prefix = write_run(tmp_path, rows=rows)

    assert main(["summary", "--stats", str(prefix)]) == 1
    assert "no requests were made" in capsys.readouterr().out


def test_summary_exits_1_when_the_csv_is_missing(tmp_path):
    assert main(["summary", "--stats", str(tmp_path / "absent")]) == 1


def test_summary_prints_cpu_of_both_sides_and_status_counts(tmp_path, capsys):
    prefix = write_run(tmp_path)
    before = {
        "time": 100.0,
        "groups": {"server": {"10:1.0": 5.0}, "services": {"20:1.0": 1.0}},
        "machine_busy": 1000.0,
    }
    after = {
        "time": 130.0,
        "groups": {"server": {"10:1.0": 20.0, "11:2.0": 3.0}, "services": {"20:1.0": 4.0}},
        "machine_busy": 1040.0,
    }
    (tmp_path / "before.json").write_text(json.dumps(before))
    (tmp_path / "after.json").write_text(json.dumps(after))
    (tmp_path / "locust.json").write_text(json.dumps({"cpu": 6.0, "wall": 31.0}))
    (tmp_path / "access.log").write_text("200 GET / 40ms\n200 GET / 35ms\n500 GET /referensi/ 9ms\n")

    main(
        [
            "summary",
            "--stats",
            str(prefix),
            "--cpu-before",
            str(tmp_path / "before.json"),
            "--cpu-after",
            str(tmp_path / "after.json"),
            "--locust-cpu",
            str(tmp_path / "locust.json"),
            "--access-log",
            str(tmp_path / "access.log"),
            "--cores",
            "2",
        ]
    )

    out = " ".join(capsys.readouterr().out.split())  # spacing is layout, not content
    assert "30 s wall, 2 cores = 200 % available" in out
    assert "server (gunicorn + huey consumer) 18.0 s CPU 60.0 % of one core" in out
    assert "PostgreSQL + Redis 3.0 s CPU 10.0 % of one core" in out
    assert "load generator (locust) 6.0 s CPU 20.0 % of one core" in out
    assert "whole machine, all processes 40.0 s CPU 133.3 % of one core" in out
    assert "other processes (not this test) 13.0 s CPU 43.3 % of one core" in out
    assert "responses by status: 200: 2, 500: 1" in out
    assert "1 500 GET /referensi/" in out


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ({"1:1.0": 2.0}, {"1:1.0": 5.0}, 3.0),
        ({"1:1.0": 2.0}, {"1:9.0": 5.0}, 5.0),  # pid reused by a new process: count it whole
        ({"1:1.0": 2.0}, {}, 0.0),  # process gone: its last CPU is not known
    ],
)
def test_cpu_delta(old, new, expected):
    before = {"time": 0, "groups": {"server": old}}
    after = {"time": 1, "groups": {"server": new}}

    assert cpu_delta(before, after, "server") == pytest.approx(expected)


def test_status_counts_skips_lines_that_are_not_requests(tmp_path):
    log = tmp_path / "access.log"
    log.write_text("[2026-01-01 INFO] Booting worker\n302 POST /accounts/login/ 900ms\n200 GET / 3ms\n")

    statuses, errors = status_counts(log)

    assert statuses == {"302": 1, "200": 1}
    assert not errors


# --- login phase and steady state (the locustfile's LOAD_REQUEST_LOG) ------------------------------

REQUEST_LOG_HEADER = "start,type,name,response_time,failed"
T0 = 1_700_000_000.0


def request_log_rows():
    """Two users: logins answer at T0+1.5 and T0+4.0 (the split); a failed login later does not count."""
    return [
        (0.0, "GET", "/accounts/login/", 100.0, 0),
        (0.2, "POST", "/accounts/login/", 1300.0, 0),  # ends at 1.5
        (1.6, "GET", "/", 400.0, 0),
        (1.0, "GET", "/accounts/login/", 50.0, 0),
        (1.1, "POST", "/accounts/login/", 2900.0, 0),  # ends at 4.0: the last login
        (3.9, "GET", "/referensi/?q=[q] (htmx)", 500.0, 0),  # started before the split: login phase
        (4.0, "GET", "/", 30.0, 0),
        (4.5, "GET", "/referensi/?q=[q] (htmx)", 20.0, 0),
        (5.0, "GET", "/referensi/?q=[q] (htmx)", 10.0, 1),
        (6.0, "POST", "/accounts/login/", 5.0, 1),  # a failed login does not move the split
        (13.9, "GET", "/", 100.0, 0),  # ends at 14.0
    ]


def write_request_log(tmp_path, rows=None):
    path = tmp_path / "requests.csv"
    lines = [REQUEST_LOG_HEADER]
    for start, method, name, ms, failed in request_log_rows() if rows is None else rows:
        quoted = f'"{name}"' if "," in name else name
        lines.append(f"{T0 + start:.3f},{method},{quoted},{ms},{failed}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_read_requests(tmp_path):
    requests = read_requests(write_request_log(tmp_path))

    assert len(requests) == 11
    assert requests[1] == Request(T0 + 0.2, "POST", "/accounts/login/", 1300.0, False)
    assert requests[1].end == pytest.approx(T0 + 1.5)
    assert requests[8].failed


def test_split_phases_at_the_last_successful_login(tmp_path):
    phases = split_phases(read_requests(write_request_log(tmp_path)))

    assert phases.logins == 2
    assert phases.split == pytest.approx(T0 + 4.0)
    assert phases.started == pytest.approx(T0) and phases.ended == pytest.approx(T0 + 14.0)
    assert [(r.name, r.response_time) for r in phases.login] == [
        ("/accounts/login/", 100.0),
        ("/accounts/login/", 1300.0),
        ("/", 400.0),
        ("/accounts/login/", 50.0),
        ("/accounts/login/", 2900.0),
        ("/referensi/?q=[q] (htmx)", 500.0),
    ]
    assert [r.start - T0 for r in phases.steady] == pytest.approx([4.0, 4.5, 5.0, 6.0, 13.9])


def test_split_phases_without_a_successful_login_is_all_login_phase():
    requests = [Request(T0, "POST", "/accounts/login/", 10.0, True), Request(T0 + 1, "GET", "/", 5.0, False)]

    phases = split_phases(requests)

    assert phases.split is None and phases.logins == 0
    assert phases.login == requests and phases.steady == []
    assert split_phases([]).started is None


@pytest.mark.parametrize(("share", "expected"), [(0.5, 50), (0.95, 95), (0.99, 99), (1.0, 100), (0.001, 1)])
def test_percentile_is_nearest_rank(share, expected):
    assert percentile([float(n) for n in range(1, 101)], share) == expected


def test_percentile_of_nothing_is_none():
    assert percentile([], 0.95) is None


def test_phase_stats_per_endpoint_and_aggregated():
    requests = [Request(T0 + i, "GET", "/", float(ms), ms == 300) for i, ms in enumerate((10, 20, 300))]
    requests.append(Request(T0, "POST", "/x/", 5.0, False))

    rows, total = phase_stats(requests, seconds=2.0)

    home = next(r for r in rows if r.name == "/")
    assert (home.requests, home.failures, home.p50, home.p95, home.maximum) == (3, 1, 20, 300, 300)
    assert home.rps == pytest.approx(1.5)
    assert (total.name, total.requests, total.failures, total.p50, total.rps) == ("Aggregated", 4, 1, 10, 2.0)


def test_format_phases_prints_the_login_phase_and_the_steady_state(tmp_path):
    phases = split_phases(read_requests(write_request_log(tmp_path)))

    out = format_phases(phases, users=2)

    login_part, steady_part = out.split("Steady state:")
    assert "Login phase: 2 of 2 users logged in within 4.0 s" in login_part
    login_total = next(line for line in login_part.splitlines() if line.split()[:1] == ["TOTAL"])
    assert login_total.split()[:3] == ["TOTAL", "6", "0"]
    assert "10.0 s after the last login" in steady_part
    steady_total = next(line for line in steady_part.splitlines() if line.split()[:1] == ["TOTAL"])
    # 5 requests over 10 s: 5, 10, 20, 30, 100 ms; one failed (a search), one failed login
    assert steady_total.split() == ["TOTAL", "5", "2", "20", "100", "100", "100", "0.50"]
    assert "only" not in out


def test_format_phases_says_when_not_every_user_logged_in(tmp_path):
    phases = split_phases(read_requests(write_request_log(tmp_path)))

    assert "only 2 of 3 users logged in" in format_phases(phases, users=3)


def test_format_phases_without_requests_after_the_last_login():
    phases = split_phases([Request(T0, "POST", "/accounts/login/", 10.0, False)])

    assert "no requests after the last login" in format_phases(phases)


def test_summary_with_a_request_log_prints_both_phases_and_keeps_locusts_verdict(tmp_path, capsys):
    prefix = write_run(tmp_path, failures=FAILURES)  # Locust's totals: 2 of 430 failed
    log = write_request_log(tmp_path, [row for row in request_log_rows() if not row[4]])  # none failed

    assert main(["summary", "--stats", str(prefix), "--requests", str(log), "--users", "2"]) == 1

    out = capsys.readouterr().out
    assert out.index("Login phase: 2 of 2 users") < out.index("Steady state: 10.0 s after the last login")
    assert "Whole run (Locust): 430 requests, 2 failed, P50 14 ms, P95 140 ms, P99 880 ms" in out
    assert "RESULT: FAILED, 2 of 430 requests failed" in out


def test_summary_with_a_request_log_exits_0_without_failures(tmp_path, capsys):
    rows = [row for row in STATS_ROWS if "htmx" not in row and "Aggregated" not in row]
    rows.append(",Aggregated,130,0,41,90.0,12,1020,8000,4.33,0.0,41,50,58,63,90,870,1000,1000,1020,1020,1020")
    prefix = write_run(tmp_path, rows=rows)
    log = write_request_log(tmp_path)

    assert main(["summary", "--stats", str(prefix), "--requests", str(log), "--users", "2"]) == 0
    assert "RESULT: OK, 130 requests, none failed" in capsys.readouterr().out


def test_summary_falls_back_to_the_whole_run_without_the_request_log(tmp_path, capsys):
    prefix = write_run(tmp_path)

    main(["summary", "--stats", str(prefix), "--requests", str(tmp_path / "absent.csv")])

    out = capsys.readouterr().out
    assert "absent.csv not found, so no login/steady split" in out
    assert "TOTAL" in out and "Login phase" not in out


def test_the_aggregate_counts_http_requests_not_the_timed_export_flows():
    from report import Request, phase_stats

    requests = [
        Request(start=float(i), method="GET", name="/", response_time=10.0, failed=0) for i in range(99)
    ]
    requests.append(
        Request(start=100.0, method="EXPORT", name="rab.pdf (start to file)", response_time=1000.0, failed=0)
    )
    rows, total = phase_stats(requests, 100.0)
    assert total.requests == 99 and total.p99 == 10.0
    assert {row.method for row in rows} == {"GET", "EXPORT"}
