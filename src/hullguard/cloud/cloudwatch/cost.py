"""Lambda cost estimate: GB-seconds by architecture plus requests, at the shipped region price table.

Prices (``prices.json``) are AWS's first on-demand tier without the free tier, so the estimate is an
upper bound for small accounts and slightly high for very large ones (tier discounts above 6 billion
GB-seconds a month are ignored). A region missing from the table is priced at the default and says so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any


@lru_cache(maxsize=1)
def price_table() -> dict[str, Any]:
    return dict(json.loads(resources.files(__package__).joinpath("prices.json").read_text()))


@dataclass(frozen=True, slots=True)
class CostEstimate:
    invocations: float
    gb_seconds: float
    compute_usd: float
    request_usd: float
    priced_region: bool  # False: region not in the table, default prices used

    @property
    def total_usd(self) -> float:
        return self.compute_usd + self.request_usd

    def to_dict(self) -> dict[str, Any]:
        return {
            "invocations": round(self.invocations),
            "gb_seconds": round(self.gb_seconds, 2),
            "compute_usd": round(self.compute_usd, 4),
            "request_usd": round(self.request_usd, 4),
            "total_usd": round(self.total_usd, 4),
            "priced_region": self.priced_region,
        }


def estimate(
    region: str, architecture: str, memory_mb: int, invocations: float, average_duration_ms: float
) -> CostEstimate:
    """Cost of ``invocations`` calls averaging ``average_duration_ms`` at ``memory_mb``.

    Lambda bills duration rounded up to the millisecond, so the average is a fair estimate of the sum.
    """
    table = price_table()
    prices = table["regions"].get(region)
    priced = prices is not None
    prices = prices or table["default"]
    gb_seconds = invocations * (average_duration_ms / 1000.0) * (memory_mb / 1024.0)
    key = "gb_second_arm64" if architecture == "arm64" else "gb_second_x86_64"
    return CostEstimate(
        invocations=invocations,
        gb_seconds=gb_seconds,
        compute_usd=gb_seconds * float(prices[key]),
        request_usd=invocations / 1_000_000 * float(prices["requests"]),
        priced_region=priced,
    )


def queue_requests_to_lose_data(concurrency_limit: int, processing_time_minutes: float, retention_days: float) -> int:
    """The brief's estimate of how many queued requests an attacker needs to make messages expire unprocessed.

    ``#Requests = ConcurrencyLimit x (60 / ProcessingTimeMinutes) x 24 x RetentionDays``: what the
    function can drain during the queue's retention period; anything beyond it is deleted unread.
    """
    if concurrency_limit <= 0 or processing_time_minutes <= 0 or retention_days <= 0:
        raise ValueError("concurrency, processing time and retention must be positive")
    return int(concurrency_limit * (60.0 / processing_time_minutes) * 24 * retention_days)
