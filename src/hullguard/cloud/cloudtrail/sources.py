"""Where CloudTrail records come from: the ``LookupEvents`` API, log files in S3, or a local directory.

Log files follow ``AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<file>.json.gz`` (organization trails
add ``<org-id>/`` after ``AWSLogs/``); digest files are skipped. Records from the API are written to a
newline-delimited JSON file so every source is loaded by the same DuckDB reader.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

LOG_FILE = re.compile(
    r"AWSLogs/(?:o-[a-z0-9]{10,32}/)?(?P<account>\d{12})/CloudTrail/(?P<region>[a-z0-9-]+)/"
    r"(?P<y>\d{4})/(?P<m>\d{2})/(?P<d>\d{2})/[^/]+\.json(?:\.gz)?$"
)
LOOKUP_RATE = 2.0  # LookupEvents: 2 requests per second per account and region
LOOKUP_DAYS = 90


class TokenBucket:
    """At most ``rate`` acquisitions per second on average, ``burst`` at once; thread-safe."""

    def __init__(self, rate: float, burst: float = 1.0, clock: Any = time.monotonic, sleep: Any = time.sleep) -> None:
        self.rate = rate
        self.capacity = burst
        self.tokens = burst
        self.clock = clock
        self.sleep = sleep
        self.last = clock()
        self.lock = threading.Lock()

    def acquire(self) -> None:
        with self.lock:
            while True:
                now = self.clock()
                self.tokens = min(self.capacity, self.tokens + (now - self.last) * self.rate)
                self.last = now
                if self.tokens >= 1:
                    self.tokens -= 1
                    return
                self.sleep((1 - self.tokens) / self.rate)


def lookup_records(
    client: Any,
    event_names: list[str] | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    bucket: TokenBucket | None = None,
    max_pages: int | None = None,
) -> Iterator[dict[str, Any]]:
    """CloudTrail records from ``LookupEvents`` (management events of the last 90 days, one region).

    LookupEvents filters on one attribute per call, so each event name is a separate query. Every
    request goes through the token bucket: the API allows 2 per second.
    """
    limiter = bucket or TokenBucket(LOOKUP_RATE)
    end = end or dt.datetime.now(dt.timezone.utc)
    start = max(start or end - dt.timedelta(days=LOOKUP_DAYS), end - dt.timedelta(days=LOOKUP_DAYS))
    filters: list[list[dict[str, str]]] = (
        [[{"AttributeKey": "EventName", "AttributeValue": n}] for n in event_names] if event_names else [[]]
    )
    for attributes in filters:
        token: str | None = None
        pages = 0
        while True:
            kwargs: dict[str, Any] = {"StartTime": start, "EndTime": end, "MaxResults": 50}
            if attributes:
                kwargs["LookupAttributes"] = attributes
            if token:
                kwargs["NextToken"] = token
            limiter.acquire()
            answer = client.lookup_events(**kwargs)
            for event in answer.get("Events", []):
                raw = event.get("CloudTrailEvent")
                if raw:
                    yield json.loads(raw)
            pages += 1
            token = answer.get("NextToken")
            if not token or (max_pages and pages >= max_pages):
                break


def log_files(root: Path) -> list[Path]:
    """CloudTrail log files under ``root`` (digests and unrelated files ignored), sorted."""
    found = [p for p in root.rglob("*.json*") if "CloudTrail-Digest" not in p.parts and p.is_file()]
    return sorted(p for p in found if LOG_FILE.search(p.as_posix()) or p.parent == root)


def read_log_file(data: bytes) -> list[dict[str, Any]]:
    """Records of one log file (gzip or plain JSON); raises ValueError when it is not a CloudTrail file."""
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise ValueError(f"not a valid gzip file: {exc}") from None
    try:
        document = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"not JSON: {exc}") from None
    records = document.get("Records") if isinstance(document, dict) else None
    if not isinstance(records, list):
        raise ValueError("no Records array: not a CloudTrail log file")
    return [r for r in records if isinstance(r, dict)]


def parse_s3_url(url: str) -> tuple[str, str]:
    if not url.startswith("s3://"):
        raise ValueError(f"expected s3://bucket/prefix, got {url!r}")
    bucket, _, prefix = url[5:].partition("/")
    if not bucket:
        raise ValueError(f"no bucket in {url!r}")
    return bucket, prefix


def download_s3_logs(
    client: Any, url: str, dest: Path, problems: list[str], workers: int = 8, since: dt.date | None = None
) -> list[Path]:
    """Copy the CloudTrail log files under ``s3://bucket/prefix`` to ``dest`` (keys kept as paths)."""
    bucket, prefix = parse_s3_url(url)
    keys: list[str] = []
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            key = obj["Key"]
            match = LOG_FILE.search(key)
            if not match or "CloudTrail-Digest" in key:
                continue
            if since and dt.date(int(match["y"]), int(match["m"]), int(match["d"])) < since:
                continue
            keys.append(key)

    def fetch(key: str) -> Path | None:
        target = dest / key
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            client.download_file(bucket, key, str(target))
        except (ClientError, BotoCoreError) as exc:
            problems.append(f"s3://{bucket}/{key}: {exc}")
            return None
        return target

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return [p for p in pool.map(fetch, keys) if p is not None]


def write_ndjson(records: list[dict[str, Any]], path: Path) -> Path:
    """Write records as one CloudTrail-shaped file (``{"Records": [...]}``) the store can read."""
    path.write_text(json.dumps({"Records": records}, default=str))
    return path
