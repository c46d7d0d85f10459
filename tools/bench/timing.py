"""The one summary every bench command prints: P50 and P95 of a list of timings (once, not per command)."""

import statistics


def percentiles(timings: list[float]) -> tuple[float, float]:
    """``(P50, P95)``: the median, and the nearest-rank 95th percentile of ``timings``."""
    ordered = sorted(timings)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
