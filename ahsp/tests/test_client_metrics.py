"""Real-user metrics: beacon validation, buckets and percentiles (pure), and aggregation in the cache."""

import json
import math
import pickle
import time

import pytest
from django.core.cache import cache
from django.core.cache.backends.filebased import FileBasedCache

from ahsp.metrics import client as rum
from ahsp.metrics.client import InvalidBeacon, PageTiming, SwapTiming

# Hand-worked: R = 120000 ** (1/40) = e ** (ln 120000 / 40) = e ** (11.69525 / 40) = e ** 0.292381 = 1.339614.
# Bucket i is [R**i, R**(i+1)); its middle R**(i + 0.5), e.g. R**15.5 = e ** (15.5 * 0.292381) = e ** 4.53191.
R = 1.339614
MIDDLE = {
    0: 1.157417,  # R ** 0.5
    5: 4.993297,  # R ** 5.5
    10: 21.54195,  # R ** 10.5
    15: 92.93573,  # R ** 15.5
    20: 400.9409,  # R ** 20.5
    30: 7462.351,  # R ** 30.5
    39: 103679.2,  # R ** 39.5
}


def page(path="/", ttfb=50, dcl=200, load=300):
    return {"v": 1, "path": path, "kind": "page", "ttfb": ttfb, "dcl": dcl, "load": load}


def swap(path="/", target="/", ms=80):
    return {"v": 1, "path": path, "kind": "swap", "target": target, "ms": ms}


def body(data) -> bytes:
    return json.dumps(data).encode()


# --- buckets and percentiles ------------------------------------------------------------------------


def test_bucket_ratio_is_the_fortieth_root_of_120_seconds():
    assert rum.BUCKET_RATIO == pytest.approx(R, rel=1e-6)
    assert rum.BUCKET_RATIO**40 == pytest.approx(120_000)


@pytest.mark.parametrize(
    ("ms", "index"),
    [
        (0.2, 0),  # under 1 ms: the first bucket
        (1, 0),
        (1.33, 0),  # R = 1.3396: still [1, R)
        (1.34, 1),
        (5, 5),  # ln 5 / ln R = 1.6094 / 0.29238 = 5.50
        (80, 14),  # R**15 = 80.296
        (81, 15),
        (100, 15),  # 4.6052 / 0.29238 = 15.75
        (107, 15),  # R**16 = 107.565
        (108, 16),
        (89_000, 38),  # R**39 = 89578
        (100_000, 39),
        (120_000, 39),  # the top value stays in the last bucket
    ],
)
def test_bucket_index(ms, index):
    assert rum.bucket_index(ms) == index


@pytest.mark.parametrize(("index", "middle"), MIDDLE.items())
def test_bucket_middle(index, middle):
    assert rum.bucket_middle(index) == pytest.approx(middle, rel=1e-5)


def histogram(**counts_by_bucket: int) -> list[int]:
    counts = [0] * rum.BUCKET_COUNT
    for name, count in counts_by_bucket.items():
        counts[int(name.removeprefix("b"))] = count
    return counts


@pytest.mark.parametrize(
    ("counts", "percent", "expected"),
    [
        (histogram(), 50, None),  # no samples
        (histogram(b15=1), 50, MIDDLE[15]),  # one sample of 100 ms: reported 92.9 (−7 %)
        (histogram(b15=1), 95, MIDDLE[15]),
        # 20 samples: P50 is rank ceil(0.5 * 20) = 10, P95 rank ceil(0.95 * 20) = 19.
        (histogram(b10=10, b20=10), 50, MIDDLE[10]),
        (histogram(b10=10, b20=10), 95, MIDDLE[20]),
        (histogram(b10=9, b20=11), 50, MIDDLE[20]),  # rank 10 is the first of bucket 20
        (histogram(b10=11, b20=9), 50, MIDDLE[10]),
        # 100 samples: P95 is rank 95.
        (histogram(b5=94, b30=6), 95, MIDDLE[30]),
        (histogram(b5=95, b30=5), 95, MIDDLE[5]),
        # 21 samples: ceil(0.95 * 21) = ceil(19.95) = 20, still bucket 5.
        (histogram(b5=20, b30=1), 95, MIDDLE[5]),
        (histogram(b0=3), 95, MIDDLE[0]),
        (histogram(b39=2), 50, MIDDLE[39]),
        # 3 samples: P50 is rank ceil(1.5) = 2.
        (histogram(b0=1, b15=1, b30=1), 50, MIDDLE[15]),
    ],
)
def test_percentile_from_buckets(counts, percent, expected):
    result = rum.percentile(counts, percent)
    if expected is None:
        assert result is None
    else:
        assert result == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("ms", [1, 1.2, 3.7, 12, 99.9, 250, 1_000, 4_321, 60_000, 119_999, 120_000])
def test_reported_value_is_within_the_documented_bucket_error(ms):
    reported = rum.bucket_middle(rum.bucket_index(ms))
    assert 1 / math.sqrt(R) - 1e-6 <= reported / ms <= math.sqrt(R) + 1e-6  # −13.6 % .. +15.7 %


def test_metric_summary_counts_and_percentiles():
    summary = rum.MetricSummary.of(histogram(b10=10, b20=10))
    assert summary.count == 20
    assert summary.p50 == pytest.approx(MIDDLE[10], rel=1e-5)
    assert summary.p95 == pytest.approx(MIDDLE[20], rel=1e-5)


# --- validation -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (page(), [PageTiming("/", 50.0, 200.0, 300.0)]),
        (page("/projects/<id>/", 12.5, 12.5, 99.9), [PageTiming("/projects/<id>/", 12.5, 12.5, 99.9)]),
        (page(ttfb=0.1, dcl=60_000, load=120_000), [PageTiming("/", 0.1, 60_000.0, 120_000.0)]),
        (swap("/", "/widgets/totals/", 33.3), [SwapTiming("/", "/widgets/totals/", 33.3)]),
        ([swap(ms=n) for n in range(1, 11)], [SwapTiming("/", "/", float(n)) for n in range(1, 11)]),
        ([page(), swap()], [PageTiming("/", 50.0, 200.0, 300.0), SwapTiming("/", "/", 80.0)]),
        (
            swap("/referensi/A.2.3%20x/", "/referensi/"),
            [SwapTiming("/referensi/A.2.3%20x/", "/referensi/", 80.0)],
        ),
    ],
)
def test_parse_beacon_accepts(data, expected):
    assert rum.parse_beacon(body(data)) == expected


def with_fields(entry, **changes):
    result = {**entry, **changes}
    return {key: value for key, value in result.items() if value is not DROP}


DROP = object()


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b" " * 4096 + body(page()), id="over-4-KB"),
        pytest.param(b"\xff\xfe{}", id="not-utf8"),
        pytest.param(b"{not json", id="bad-json"),
        pytest.param(b'{"v": 1, "path": "/", "kind": "swap", "target": "/", "ms": NaN}', id="nan"),
        pytest.param(b'{"v": 1, "path": "/", "kind": "swap", "target": "/", "ms": Infinity}', id="infinity"),
        pytest.param(b'{"v": 1, "v": 1, "path": "/", "kind": "swap", "target": "/", "ms": 5}', id="dup-key"),
        pytest.param(b"[" * 3000 + b"]" * 1000, id="deeply-nested"),
        pytest.param(body("page"), id="string"),
        pytest.param(body(12), id="number"),
        pytest.param(body(None), id="null"),
        pytest.param(body([]), id="no-entries"),
        pytest.param(body([swap()] * 11), id="too-many-entries"),
        pytest.param(body([page(), 3]), id="entry-not-object"),
        pytest.param(body(with_fields(page(), extra=1)), id="unknown-field"),
        pytest.param(body(with_fields(page(), load=DROP)), id="missing-field"),
        pytest.param(body(with_fields(swap(), ttfb=5)), id="page-field-on-swap"),
        pytest.param(body(with_fields(page(), v=2)), id="version-2"),
        pytest.param(body(with_fields(page(), v=True)), id="version-bool"),
        pytest.param(body(with_fields(page(), v=1.0)), id="version-float"),
        pytest.param(body(with_fields(page(), v="1")), id="version-string"),
        pytest.param(body(with_fields(page(), kind="click")), id="unknown-kind"),
        pytest.param(body(with_fields(page(), ttfb=-5)), id="negative"),
        pytest.param(body(with_fields(page(), ttfb=0)), id="zero"),
        pytest.param(body(with_fields(page(), load=120_000.5)), id="over-120-s"),
        pytest.param(body(with_fields(swap(), ms=1e12)), id="huge"),
        pytest.param(body(with_fields(swap(), ms="80")), id="timing-string"),
        pytest.param(body(with_fields(swap(), ms=True)), id="timing-bool"),
        pytest.param(body(with_fields(swap(), ms=None)), id="timing-null"),
        pytest.param(body(with_fields(swap(), ms=[80])), id="timing-list"),
        pytest.param(body(with_fields(page(), ttfb=300, dcl=200)), id="ttfb-after-dcl"),
        pytest.param(body(with_fields(page(), path="projects/")), id="relative-path"),
        pytest.param(body(with_fields(page(), path="https://evil.example/")), id="absolute-url"),
        pytest.param(body(with_fields(page(), path="/" + "a" * 200)), id="path-201-chars"),
        pytest.param(body(with_fields(page(), path="/a b/")), id="path-space"),
        pytest.param(body(with_fields(page(), path="/?q=1")), id="path-query"),
        pytest.param(body(with_fields(page(), path="/\n")), id="path-newline"),
        pytest.param(body(with_fields(page(), path=5)), id="path-number"),
        pytest.param(body(with_fields(swap(), target=DROP)), id="swap-without-target"),
        pytest.param(body(with_fields(swap(), target='/<script>"/')), id="target-quote"),
    ],
)
def test_parse_beacon_rejects(raw):
    with pytest.raises(InvalidBeacon):
        rum.parse_beacon(raw)


def test_parse_beacon_takes_a_path_of_exactly_200_characters():
    path = "/" + "a" * 199
    assert rum.parse_beacon(body(page(path))) == [PageTiming(path, 50.0, 200.0, 300.0)]


def test_parse_beacon_takes_exactly_4096_bytes():
    raw = body(page())
    raw = b" " * (rum.MAX_BODY_BYTES - len(raw)) + raw
    assert len(raw) == 4096
    assert len(rum.parse_beacon(raw)) == 1


@pytest.mark.parametrize(
    ("path", "canonical"),
    [
        ("/", "/"),
        ("/projects/<id>/", "/projects/<id>/"),
        ("/projects/12/", "/projects/<id>/"),  # a client that did not normalise
        ("/projects/<id>/items/<id>/", "/projects/<id>/items/<id>/"),
        ("/projects/<id>/rab/", "/projects/<id>/rab/"),
        ("/referensi/A.2.3.1.1/", "/referensi/<code>/"),  # str parameters collapse to their name
        ("/referensi/A%2E2/", "/referensi/<code>/"),
        ("/metrics/", "/metrics/"),
        ("/accounts/login/", "/accounts/login/"),
        ("/no-such-page/", None),
        ("/projects/abc/", None),
        ("/projects/<id>", None),  # APPEND_SLASH redirects; no pattern matches it
    ],
)
def test_canonical_path(path, canonical):
    assert rum.canonical_path(path) == canonical


def test_canonical_entries_maps_every_path():
    entries = [PageTiming("/projects/7/", 1, 2, 3), SwapTiming("/projects/7/", "/projects/7/items/", 5)]
    assert rum.canonical_entries(entries) == [
        PageTiming("/projects/<id>/", 1, 2, 3),
        SwapTiming("/projects/<id>/", "/projects/<id>/items/", 5),
    ]


@pytest.mark.parametrize(
    "entry",
    [PageTiming("/no-such-page/", 1, 2, 3), SwapTiming("/", "/no-such-fragment/", 5)],
)
def test_canonical_entries_rejects_an_unknown_path(entry):
    with pytest.raises(InvalidBeacon):
        rum.canonical_entries([SwapTiming("/", "/", 5), entry])


@pytest.mark.parametrize(
    ("meta", "header", "expected"),
    [
        ({"REMOTE_ADDR": "203.0.113.9"}, None, "203.0.113.9"),
        ({"REMOTE_ADDR": "203.0.113.9", "HTTP_X_FORWARDED_FOR": "198.51.100.1"}, None, "203.0.113.9"),
        (
            {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "1.1.1.1, 198.51.100.1"},
            "HTTP_X_FORWARDED_FOR",
            "198.51.100.1",  # the address our proxy appended, not the client's own claim
        ),
        ({"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "junk"}, "HTTP_X_FORWARDED_FOR", "10.0.0.2"),
        ({"REMOTE_ADDR": "10.0.0.2"}, "HTTP_X_REAL_IP", "10.0.0.2"),
        ({"REMOTE_ADDR": "2001:db8:1:2:3:4:5:6"}, None, "2001:db8:1:2::/64"),
        ({"REMOTE_ADDR": "::ffff:192.0.2.5"}, None, "192.0.2.5"),
        ({}, None, "unknown"),
    ],
)
def test_client_address(meta, header, expected):
    assert rum.client_address(meta, header) == expected


# --- aggregation in the cache -----------------------------------------------------------------------


@pytest.fixture
def file_cache(tmp_path):
    return FileBasedCache(str(tmp_path / "cache"), {})


@pytest.fixture(params=["default", "file"])
def backend(request, file_cache):
    """The test cache (local memory, or Redis in CI) and the file cache used locally without Redis."""
    return cache if request.param == "default" else file_cache


def by_path(report):
    return {page.path: page for page in report.pages}


def test_report_is_empty_before_any_beacon(backend):
    report = rum.load_report(backend=backend)
    assert report.pages == [] and report.targets == [] and report.since is None


def test_record_and_report_percentiles(backend):
    entries = [PageTiming("/", 100, 400, 7000) for _ in range(3)] + [
        PageTiming("/projects/<id>/", 20, 30, 40),
        SwapTiming("/", "/", 100),
        SwapTiming("/", "/widgets/<name>/", 5),
        SwapTiming("/projects/<id>/", "/projects/<id>/items/", 100),
    ]
    assert rum.record_entries(entries, backend=backend) == 3 * 3 + 3 + 3 * 2

    report = rum.load_report(backend=backend)

    assert [page.path for page in report.pages] == ["/", "/projects/<id>/"]  # most loads first
    home = by_path(report)["/"]
    assert home.count == 3
    assert home.ttfb.p50 == pytest.approx(MIDDLE[15], rel=1e-5)  # 100 ms is in bucket 15
    assert home.dcl.p95 == pytest.approx(MIDDLE[20], rel=1e-5)  # 400 ms is in bucket 20
    assert home.load.p50 == pytest.approx(rum.bucket_middle(rum.bucket_index(7000)))
    assert home.swap.count == 2
    assert home.swap.p50 == pytest.approx(MIDDLE[5], rel=1e-5)  # ranks 1 of (5, 100): bucket 5
    assert home.swap.p95 == pytest.approx(MIDDLE[15], rel=1e-5)
    detail = by_path(report)["/projects/<id>/"]
    assert (detail.count, detail.swap.count) == (1, 1)
    assert {target.path: target.fragment.count for target in report.targets} == {
        "/": 1,
        "/widgets/<name>/": 1,
        "/projects/<id>/items/": 1,
    }
    assert report.since is not None


def test_counts_add_up_over_beacons(backend):
    for _ in range(5):
        rum.record_entries([PageTiming("/", 10, 20, 30), SwapTiming("/", "/", 7)], backend=backend)
    home = by_path(rum.load_report(backend=backend))["/"]
    assert (home.count, home.ttfb.count, home.dcl.count, home.swap.count) == (5, 5, 5, 5)


def test_a_page_with_only_swaps_is_listed_after_loaded_pages(backend):
    rum.record_entries([SwapTiming("/metrics/", "/", 5), PageTiming("/", 1, 2, 3)], backend=backend)
    report = rum.load_report(backend=backend)
    assert [(page.path, page.count, page.swap.count) for page in report.pages] == [
        ("/", 1, 0),
        ("/metrics/", 0, 1),
    ]
    assert by_path(report)["/"].swap.p50 is None


def test_reset_clears_the_aggregates(backend):
    rum.record_entries([PageTiming("/", 1, 2, 3)], backend=backend)
    rum.reset_metrics(backend=backend)
    report = rum.load_report(backend=backend)
    assert report.pages == [] and report.since is not None
    rum.record_entries([PageTiming("/metrics/", 1, 2, 3)], backend=backend)
    assert [page.path for page in rum.load_report(backend=backend).pages] == ["/metrics/"]


def test_tracked_paths_are_bounded(backend, monkeypatch):
    monkeypatch.setattr(rum, "MAX_TRACKED_PATHS", 2)
    for path in ["/", "/metrics/", "/referensi/", "/"]:
        rum.record_entries([PageTiming(path, 1, 2, 3)], backend=backend)
    report = rum.load_report(backend=backend)
    assert {page.path: page.count for page in report.pages} == {"/": 2, "/metrics/": 1}


def test_file_cache_counters_keep_the_metrics_ttl(file_cache, settings):
    """Django's generic incr would re-set a counter with the default 300 s timeout."""
    settings.CLIENT_METRICS_TTL = 3600
    rum.record_entries([PageTiming("/", 1, 2, 3)], backend=file_cache)
    rum.record_entries([PageTiming("/", 1, 2, 3)], backend=file_cache)
    generation = file_cache.get("client-metrics:generation")["id"]
    key = f"client-metrics:{generation}:b:ttfb:{rum._path_hash('/')}:{rum.bucket_index(1)}"
    with open(file_cache._key_to_file(key), "rb") as handle:
        expiry = pickle.load(handle)  # FileBasedCache writes the expiry time first
    assert 3000 < expiry - time.time() <= 3600
    assert by_path(rum.load_report(backend=file_cache))["/"].count == 2


def test_allow_beacon_limits_per_client_and_minute(backend, settings):
    settings.CLIENT_METRICS_RATE_LIMIT = 3
    minute = 1_800_000_000.0
    assert [rum.allow_beacon("192.0.2.1", backend=backend, now=minute) for _ in range(4)] == [
        True,
        True,
        True,
        False,
    ]
    assert rum.allow_beacon("192.0.2.2", backend=backend, now=minute)  # another client
    assert rum.allow_beacon("192.0.2.1", backend=backend, now=minute + 60)  # the next minute
