"""For ``hullguard audit``: which live functions were created or changed from the console.

Reads the last 90 days of Lambda write events with ``LookupEvents`` (2 requests/s, respected by a
token bucket per account and region), runs the same console query as ``audit cloudtrail`` on an
in-memory DuckDB, and records the evidence on each function's facts.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError

from hullguard.cloud.cloudtrail.queries import console_changes
from hullguard.cloud.cloudtrail.sources import TokenBucket, lookup_records, write_ndjson
from hullguard.cloud.cloudtrail.store import TrailStore
from hullguard.cloud.collectors.facts import LiveRegion
from hullguard.cloud.coverage import Coverage
from hullguard.cloud.session import Target, client_config

# LookupEvents matches event names exactly, so every version Lambda has logged is asked for.
CONSOLE_EVENT_NAMES = [
    "CreateFunction20150331",
    "CreateFunction",
    "UpdateFunctionCode20150331v2",
    "UpdateFunctionCode20150331",
    "UpdateFunctionConfiguration20150331v2",
    "UpdateFunctionConfiguration20150331",
]


def mark_console_functions(
    target: Target, live: LiveRegion, coverage: Coverage, max_pages: int = 20, bucket: TokenBucket | None = None
) -> None:
    if not live.app.functions:
        return
    try:
        # Few retries: the token bucket already paces LookupEvents, and an endpoint without it fails fast.
        client = target.session.client("cloudtrail", region_name=live.region, config=client_config(attempts=3))
        records = list(
            lookup_records(client, CONSOLE_EVENT_NAMES, bucket=bucket or TokenBucket(2.0), max_pages=max_pages)
        )
    except (ClientError, BotoCoreError) as exc:
        coverage.add(live.account, live.region, "cloudtrail:LookupEvents (console-created functions not judged)", exc)
        return
    if not records:
        return
    with tempfile.TemporaryDirectory(prefix="hullguard-ct-") as tmp:
        store = TrailStore()
        store.load([write_ndjson(records, Path(tmp) / "lookup.json")])
        rows = store.query(console_changes())
        store.close()
    for row in rows:
        facts = live.facts.get(str(row.get("function_name")))
        if facts is not None:
            facts.console_evidence.append(
                f"{row['eventname']} at {row['eventtime']} by {row['principal']} ({row['evidence']})"
            )
