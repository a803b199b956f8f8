"""Shared timing loop, so every tool is timed the same way (standard library only)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def time_call(
    fn: Callable[[], object], budget_s: float = 1.5, min_runs: int = 5, max_runs: int = 20_000
) -> dict[str, float]:
    """Median and p90 wall time of ``fn()`` in microseconds, after a short warm-up."""
    for _ in range(3):
        fn()
    samples: list[float] = []
    deadline = time.perf_counter() + budget_s
    while len(samples) < max_runs and (len(samples) < min_runs or time.perf_counter() < deadline):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1e6)
    samples.sort()
    return {
        "median_us": statistics.median(samples),
        "p90_us": p90(samples),
        "runs": float(len(samples)),
    }


def p90(ordered: list[float]) -> float:
    """The 90th percentile of sorted samples (the slowest one when there are fewer than ten)."""
    return ordered[int(len(ordered) * 0.9) - 1] if len(ordered) >= 10 else ordered[-1]
