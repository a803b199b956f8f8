"""Robust statistics for "is this hour unusual for this function?": median and MAD, not mean and σ,
so one earlier spike does not hide the next one."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

MAD_SCALE = 1.4826  # MAD x 1.4826 estimates σ for normally distributed data


@dataclass(frozen=True, slots=True)
class Spike:
    value: float
    median: float
    mad: float
    score: float  # robust z-score of the value against the baseline


def robust_score(value: float, baseline: Sequence[float]) -> Spike:
    median = statistics.median(baseline) if baseline else 0.0
    mad = statistics.median([abs(x - median) for x in baseline]) if baseline else 0.0
    # A perfectly flat baseline has MAD 0: fall back to a floor so one extra call is not "infinite".
    spread = max(mad * MAD_SCALE, 0.05 * median, 1.0)
    return Spike(value, median, mad, (value - median) / spread)


def find_spike(
    series: Sequence[float], recent: int = 24, threshold: float = 6.0, minimum: float = 100.0, ratio: float = 3.0
) -> Spike | None:
    """The largest of the last ``recent`` points, if it stands out from the points before it.

    It must be ``threshold`` robust deviations above the baseline median, at least ``ratio`` times the
    median, and at least ``minimum`` in absolute terms (a quiet function going from 1 to 9 calls is not
    an attack).
    """
    if len(series) <= recent + 3:
        return None
    baseline, window = list(series[:-recent]), list(series[-recent:])
    peak = max(window)
    spike = robust_score(peak, baseline)
    if spike.score >= threshold and peak >= minimum and peak >= ratio * max(spike.median, 1.0):
        return spike
    return None
