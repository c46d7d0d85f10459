"""Real-user page metrics (issue 6 §3): the browser's beacons, checked and aggregated in the cache.

``static/js/metrics.js`` posts a small JSON body to ``/metrics/client/``: one entry, or a list of at
most ``MAX_ENTRIES`` entries, each exactly one of

    {"v": 1, "path": "/projects/<id>/", "kind": "page", "ttfb": 41.2, "dcl": 180.5, "load": 230.0}
    {"v": 1, "path": "/projects/<id>/", "kind": "swap", "target": "/projects/<id>/items/", "ms": 85.1}

Timings are milliseconds, ``0 < x <= 120000``: ``ttfb``, ``dcl`` and ``load`` are the navigation
entry's ``responseStart``, ``domContentLoadedEventEnd`` and ``loadEventEnd``; a swap's ``ms`` runs from
``htmx:beforeRequest`` to ``htmx:afterSettle`` (request, swap and htmx's 20 ms settle delay). ``path``
is the page's ``location.pathname`` and ``target`` the path of the htmx request, both with numeric
segments replaced by ``<id>``. Anything else
(unknown or missing fields, wrong types, NaN, booleans, a path no URL pattern matches...) makes the
whole beacon invalid, and nothing of it is stored.

Aggregation
-----------
The server maps each path to its URL pattern (``/projects/<id>/``, ``/referensi/<code>/``), so the
number of distinct paths is bounded by the URLconf, and keeps per path and metric (``ttfb``, ``dcl``,
``load`` and ``swap`` per page path; ``fragment`` per htmx target path) a histogram of ``BUCKET_COUNT``
fixed log-scale buckets from 1 ms to 120 s, as cache counters (``incr``; created by ``add``). The count
is the sum of the buckets. At most ``MAX_TRACKED_PATHS`` pages and as many targets are tracked; beacons
for further paths are accepted and not stored.

Bucket error: bucket ``i`` holds ``[R**i, R**(i+1))`` ms with ``R = 120000 ** (1/40) ≈ 1.3396``
(bucket 0 also takes values under 1 ms; 120000 falls in the last bucket). A percentile is reported as
the geometric middle ``R**(i + 0.5)`` of the bucket its rank falls in, so it is within a factor
``sqrt(R) ≈ 1.157`` of the sample percentile: at most 15.7 % above or 13.6 % below it.

Backends: django-redis (production; ``incr`` is atomic and keeps the TTL set at creation) and
LocMemCache (tests; atomic under its lock). FileBasedCache (local, no Redis) has only Django's generic
``incr`` (read, then write with the default 300 s timeout), so counters there are written with our own
read-then-write: correct for one user, but concurrent beacons can lose an increment. Good enough to
see local numbers, not a production store.

Reset starts a new generation (a new key prefix); the old keys expire after ``CLIENT_METRICS_TTL``.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import math
import re
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import unquote

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.urls import Resolver404, resolve

MAX_BODY_BYTES = 4096
MAX_ENTRIES = 10
MAX_MS = 120_000
MAX_PATH_LENGTH = 200
BUCKET_COUNT = 40
BUCKET_RATIO = MAX_MS ** (1 / BUCKET_COUNT)
_LOG_RATIO = math.log(BUCKET_RATIO)
MAX_TRACKED_PATHS = 200
ACCEPTED_CONTENT_TYPES = frozenset({"application/json", "text/plain"})

PAGE_METRICS = ("ttfb", "dcl", "load")
SWAP_METRIC = "swap"
FRAGMENT_METRIC = "fragment"

PAGE_KEYS = frozenset({"v", "path", "kind", *PAGE_METRICS})
SWAP_KEYS = frozenset({"v", "path", "kind", "target", "ms"})

# RFC 3986 path characters (pchar and "/"), plus the "<" and ">" of "<id>".
_PATH_SHAPE = re.compile(r"/[A-Za-z0-9\-._~!$&'()*+,;=:@%/<>]*\Z")
_ROUTE_PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")

_KEY_PREFIX = "client-metrics"
_GENERATION_KEY = f"{_KEY_PREFIX}:generation"
_PAGE = "page"
_TARGET = "target"


class InvalidBeacon(ValueError):
    """The beacon is not one this endpoint accepts (answered with 400, nothing stored)."""


@dataclass(frozen=True)
class PageTiming:
    path: str
    ttfb: float
    dcl: float
    load: float


@dataclass(frozen=True)
class SwapTiming:
    path: str
    target: str
    ms: float


Entry = PageTiming | SwapTiming


# --- validation (pure) ------------------------------------------------------------------------------


def _reject_constant(name: str) -> float:
    raise InvalidBeacon(f"{name} is not a number")


def _unique_object(pairs: list[tuple[str, object]]) -> dict:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise InvalidBeacon("duplicate field")
    return result


def _timing(entry: Mapping, field: str) -> float:
    value = entry[field]
    # bool is an int in Python; JSON true is not a timing.
    if type(value) not in (int, float) or not math.isfinite(value) or not 0 < value <= MAX_MS:
        raise InvalidBeacon(f"{field} must be a number of milliseconds in (0, {MAX_MS}]")
    return float(value)


def _path(entry: Mapping, field: str) -> str:
    value = entry[field]
    if not isinstance(value, str) or len(value) > MAX_PATH_LENGTH or not _PATH_SHAPE.match(value):
        raise InvalidBeacon(f"{field} must be an absolute path of at most {MAX_PATH_LENGTH} characters")
    return value


def _entry(raw: object) -> Entry:
    if not isinstance(raw, dict):
        raise InvalidBeacon("an entry must be an object")
    if raw.get("v") != 1 or type(raw.get("v")) is not int:
        raise InvalidBeacon("unknown beacon version")
    kind = raw.get("kind")
    if kind == "page":
        if raw.keys() != PAGE_KEYS:
            raise InvalidBeacon("a page entry has exactly the fields " + ", ".join(sorted(PAGE_KEYS)))
        ttfb, dcl, load = (_timing(raw, field) for field in PAGE_METRICS)
        if not ttfb <= dcl <= load:
            raise InvalidBeacon("expected ttfb <= dcl <= load")
        return PageTiming(path=_path(raw, "path"), ttfb=ttfb, dcl=dcl, load=load)
    if kind == "swap":
        if raw.keys() != SWAP_KEYS:
            raise InvalidBeacon("a swap entry has exactly the fields " + ", ".join(sorted(SWAP_KEYS)))
        return SwapTiming(path=_path(raw, "path"), target=_path(raw, "target"), ms=_timing(raw, "ms"))
    raise InvalidBeacon("kind must be page or swap")


def parse_beacon(body: bytes) -> list[Entry]:
    """The entries of a beacon body, or ``InvalidBeacon``. Paths are checked for shape only."""
    if not body or len(body) > MAX_BODY_BYTES:
        raise InvalidBeacon(f"the body must be 1 to {MAX_BODY_BYTES} bytes")
    try:
        data = json.loads(
            body.decode("utf-8"), parse_constant=_reject_constant, object_pairs_hook=_unique_object
        )
    except InvalidBeacon:
        raise
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise InvalidBeacon("the body is not JSON") from error
    raw_entries = data if isinstance(data, list) else [data]
    if not 1 <= len(raw_entries) <= MAX_ENTRIES:
        raise InvalidBeacon(f"a beacon has 1 to {MAX_ENTRIES} entries")
    return [_entry(raw) for raw in raw_entries]


def canonical_path(path: str) -> str | None:
    """The URL pattern ``path`` matches, as ``/projects/<id>/`` (``None`` when none matches).

    ``<id>`` stands for any number; integer parameters become ``<id>``, others ``<their name>``.
    """
    try:
        match = resolve(unquote(path.replace("<id>", "0")))
    except Resolver404:
        return None

    def parameter(found: re.Match) -> str:
        return "<id>" if found["converter"] == "int" else f"<{found['name']}>"

    return "/" + _ROUTE_PARAMETER.sub(parameter, match.route or "")


def canonical_entries(entries: Iterable[Entry]) -> list[Entry]:
    """The entries with every path mapped to its URL pattern, or ``InvalidBeacon`` if one matches none."""

    def mapped(path: str) -> str:
        canonical = canonical_path(path)
        if canonical is None:
            raise InvalidBeacon("the path matches no page of this site")
        return canonical

    result: list[Entry] = []
    for entry in entries:
        if isinstance(entry, PageTiming):
            result.append(PageTiming(mapped(entry.path), entry.ttfb, entry.dcl, entry.load))
        else:
            result.append(SwapTiming(mapped(entry.path), mapped(entry.target), entry.ms))
    return result


def client_address(meta: Mapping[str, str], trusted_header: str | None = None) -> str:
    """The address a beacon is rate-limited by: REMOTE_ADDR, or the last address of ``trusted_header``
    (e.g. ``HTTP_X_FORWARDED_FOR``, the one our own proxy appended) when configured. IPv6 clients are
    grouped by /64 (one host usually holds the whole network)."""
    candidates = []
    if trusted_header:
        candidates.append(meta.get(trusted_header, "").split(",")[-1].strip())
    candidates.append(meta.get("REMOTE_ADDR", ""))
    for candidate in candidates:
        try:
            address = ipaddress.ip_address(candidate)
        except ValueError:
            continue
        if address.version == 6:
            if address.ipv4_mapped is not None:
                return str(address.ipv4_mapped)
            return str(ipaddress.ip_network(f"{address}/64", strict=False))
        return str(address)
    return "unknown"


# --- buckets and percentiles (pure) ----------------------------------------------------------------


def bucket_index(ms: float) -> int:
    """The histogram bucket of a timing: ``[R**i, R**(i+1))``; under 1 ms → 0, 120000 → the last."""
    if ms < 1:
        return 0
    return min(int(math.log(ms) / _LOG_RATIO), BUCKET_COUNT - 1)


def bucket_middle(index: int) -> float:
    """The geometric middle of a bucket: the value reported for any rank that falls in it."""
    return BUCKET_RATIO ** (index + 0.5)


def percentile(counts: Sequence[int], percent: int) -> float | None:
    """The ``percent`` percentile (nearest rank) of the histogram ``counts``, ``None`` when empty.

    Rank ``ceil(percent / 100 * n)``; the result is the middle of the bucket holding that rank.
    """
    total = sum(counts)
    if total <= 0:
        return None
    rank = max(1, -(-percent * total // 100))
    seen = 0
    for index, count in enumerate(counts):
        seen += count
        if seen >= rank:
            return bucket_middle(index)
    return bucket_middle(len(counts) - 1)  # unreachable: seen == total >= rank


@dataclass(frozen=True)
class MetricSummary:
    count: int
    p50: float | None
    p95: float | None

    @classmethod
    def of(cls, counts: Sequence[int]) -> MetricSummary:
        return cls(count=sum(counts), p50=percentile(counts, 50), p95=percentile(counts, 95))


@dataclass(frozen=True)
class PageReport:
    path: str
    ttfb: MetricSummary
    dcl: MetricSummary
    load: MetricSummary
    swap: MetricSummary

    @property
    def count(self) -> int:
        """Page loads: every page entry has all three timings."""
        return self.load.count


@dataclass(frozen=True)
class TargetReport:
    path: str
    fragment: MetricSummary


@dataclass(frozen=True)
class MetricsReport:
    pages: list[PageReport]
    targets: list[TargetReport]
    since: datetime | None


# --- the cache -------------------------------------------------------------------------------------


def metrics_cache() -> BaseCache:
    return caches[getattr(settings, "CLIENT_METRICS_CACHE", "default")]


def _ttl() -> int:
    return int(getattr(settings, "CLIENT_METRICS_TTL", 30 * 24 * 3600))


def _incr(backend: BaseCache, key: str, delta: int, timeout: int) -> int:
    """Add ``delta`` to a counter, creating it (with ``timeout``) when missing; atomic where the
    backend's ``incr`` is (Redis, local memory)."""
    if getattr(backend.incr, "__func__", None) is BaseCache.incr:
        # Django's generic incr (file, database caches) re-sets the value with the default timeout.
        value = (backend.get(key) or 0) + delta
        backend.set(key, value, timeout)
        return value
    try:
        value = backend.incr(key, delta)
    except ValueError:  # missing
        if backend.add(key, delta, timeout):
            return delta
        value = backend.incr(key, delta)
    # None: the cache ignored a connection error (Redis down, project/cache.py): nothing was counted.
    return delta if value is None else value


def _path_hash(path: str) -> str:
    # Fixed-length keys: a 200-character path would make a key over memcached's 250 (a CacheKeyWarning).
    return hashlib.sha256(path.encode()).hexdigest()[:20]


def _generation(backend: BaseCache, *, create: bool) -> dict | None:
    generation = backend.get(_GENERATION_KEY)
    if generation is None and create:
        backend.add(_GENERATION_KEY, {"id": uuid.uuid4().hex[:12], "since": time.time()}, None)
        generation = backend.get(_GENERATION_KEY)
    return generation


def _bucket_key(generation: str, metric: str, path_hash: str, index: int) -> str:
    return f"{_KEY_PREFIX}:{generation}:b:{metric}:{path_hash}:{index}"


def _track(backend: BaseCache, generation: str, group: str, path: str, ttl: int) -> bool:
    """Whether ``path`` has (or now gets) one of the ``MAX_TRACKED_PATHS`` slots of ``group``."""
    id_key = f"{_KEY_PREFIX}:{generation}:id:{group}:{_path_hash(path)}"
    slot = backend.get(id_key)
    if slot is None:
        if backend.add(id_key, 0, ttl):  # this request registers the path
            number = _incr(backend, f"{_KEY_PREFIX}:{generation}:n:{group}", 1, ttl)
            if number > MAX_TRACKED_PATHS:
                backend.set(id_key, -1, ttl)
                return False
            backend.set(f"{_KEY_PREFIX}:{generation}:slot:{group}:{number}", path, ttl)
            backend.set(id_key, number, ttl)
            return True
        slot = backend.get(id_key, 0)  # registered by a concurrent request just now
    return slot >= 0


def record_entries(entries: Iterable[Entry], *, backend: BaseCache | None = None) -> int:
    """Count canonical entries into the histograms; returns how many timings were stored."""
    backend = backend or metrics_cache()
    ttl = _ttl()
    current = _generation(backend, create=True)
    if current is None:  # the cache ignored a connection error (Redis down): accepted, not counted
        return
    generation = current["id"]
    tracked: dict[tuple[str, str], bool] = {}

    def is_tracked(group: str, path: str) -> bool:
        if (group, path) not in tracked:
            tracked[group, path] = _track(backend, generation, group, path, ttl)
        return tracked[group, path]

    increments: dict[str, int] = {}
    for entry in entries:
        if isinstance(entry, PageTiming):
            timings = [(_PAGE, entry.path, metric, getattr(entry, metric)) for metric in PAGE_METRICS]
        else:
            timings = [
                (_PAGE, entry.path, SWAP_METRIC, entry.ms),
                (_TARGET, entry.target, FRAGMENT_METRIC, entry.ms),
            ]
        for group, path, metric, ms in timings:
            if is_tracked(group, path):
                key = _bucket_key(generation, metric, _path_hash(path), bucket_index(ms))
                increments[key] = increments.get(key, 0) + 1
    for key, delta in increments.items():
        _incr(backend, key, delta, ttl)
    return sum(increments.values())


def _tracked_paths(backend: BaseCache, generation: str, group: str) -> list[str]:
    count = backend.get(f"{_KEY_PREFIX}:{generation}:n:{group}") or 0
    keys = [
        f"{_KEY_PREFIX}:{generation}:slot:{group}:{n}" for n in range(1, min(count, MAX_TRACKED_PATHS) + 1)
    ]
    found = backend.get_many(keys) if keys else {}
    return list(dict.fromkeys(found[key] for key in keys if key in found))


def _histograms(
    backend: BaseCache, generation: str, wanted: list[tuple[str, str]]
) -> dict[tuple[str, str], list[int]]:
    """The bucket counts of every (metric, path) in ``wanted``, read in chunks of get_many."""
    keys = {
        (metric, path, index): _bucket_key(generation, metric, _path_hash(path), index)
        for metric, path in wanted
        for index in range(BUCKET_COUNT)
    }
    values: dict[str, int] = {}
    all_keys = list(keys.values())
    for start in range(0, len(all_keys), 4000):
        values.update(backend.get_many(all_keys[start : start + 4000]))
    return {
        (metric, path): [int(values.get(keys[metric, path, index]) or 0) for index in range(BUCKET_COUNT)]
        for metric, path in wanted
    }


def load_report(*, backend: BaseCache | None = None) -> MetricsReport:
    """Every tracked page (most loaded first) and htmx target (most requested first) with P50/P95."""
    backend = backend or metrics_cache()
    generation = _generation(backend, create=False)
    if generation is None:
        return MetricsReport(pages=[], targets=[], since=None)
    gen_id = generation["id"]
    pages = _tracked_paths(backend, gen_id, _PAGE)
    targets = _tracked_paths(backend, gen_id, _TARGET)
    histograms = _histograms(
        backend,
        gen_id,
        [(metric, path) for path in pages for metric in (*PAGE_METRICS, SWAP_METRIC)]
        + [(FRAGMENT_METRIC, path) for path in targets],
    )
    page_reports = [
        PageReport(
            path=path,
            ttfb=MetricSummary.of(histograms["ttfb", path]),
            dcl=MetricSummary.of(histograms["dcl", path]),
            load=MetricSummary.of(histograms["load", path]),
            swap=MetricSummary.of(histograms[SWAP_METRIC, path]),
        )
        for path in pages
    ]
    page_reports.sort(key=lambda report: (-report.count, -report.swap.count, report.path))
    target_reports = [
        TargetReport(path, MetricSummary.of(histograms[FRAGMENT_METRIC, path])) for path in targets
    ]
    target_reports.sort(key=lambda report: (-report.fragment.count, report.path))
    return MetricsReport(
        pages=page_reports,
        targets=target_reports,
        since=datetime.fromtimestamp(generation["since"], tz=UTC),
    )


def reset_metrics(*, backend: BaseCache | None = None) -> None:
    """Start from zero: a new generation; the old one's keys expire on their own."""
    backend = backend or metrics_cache()
    backend.set(_GENERATION_KEY, {"id": uuid.uuid4().hex[:12], "since": time.time()}, None)


def allow_beacon(client: str, *, backend: BaseCache | None = None, now: float | None = None) -> bool:
    """Count one beacon of ``client`` in the current minute; False once over the per-minute limit."""
    backend = backend or metrics_cache()
    limit = int(getattr(settings, "CLIENT_METRICS_RATE_LIMIT", 60))
    minute = int((time.time() if now is None else now) // 60)
    client_hash = hashlib.sha256(client.encode()).hexdigest()[:20]
    return _incr(backend, f"{_KEY_PREFIX}:rate:{client_hash}:{minute}", 1, 120) <= limit
