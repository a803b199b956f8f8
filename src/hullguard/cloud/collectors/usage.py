"""Invocation counts over the last N days, 500 functions per ``GetMetricData`` call."""

from __future__ import annotations

import datetime as dt
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from hullguard.cloud.collectors.facts import LiveRegion
from hullguard.cloud.coverage import Coverage
from hullguard.cloud.session import Target

BATCH = 500  # GetMetricData accepts at most 500 queries per request


def collect_invocations(
    target: Target, live: LiveRegion, days: int, coverage: Coverage, now: dt.datetime | None = None
) -> None:
    """Fill ``facts.invocations`` with the sum of ``AWS/Lambda Invocations`` over the last ``days`` days."""
    names = list(live.facts)
    if not names or days <= 0:
        return
    end = (now or dt.datetime.now(dt.timezone.utc)).replace(second=0, microsecond=0)
    start = end - dt.timedelta(days=days)
    try:
        cloudwatch = target.client("cloudwatch", live.region)
        for offset in range(0, len(names), BATCH):
            chunk = names[offset : offset + BATCH]
            queries: list[dict[str, Any]] = [
                {
                    "Id": f"f{offset + i}",
                    "MetricStat": {
                        "Metric": {
                            "Namespace": "AWS/Lambda",
                            "MetricName": "Invocations",
                            "Dimensions": [{"Name": "FunctionName", "Value": name}],
                        },
                        "Period": 86400,
                        "Stat": "Sum",
                    },
                    "ReturnData": True,
                }
                for i, name in enumerate(chunk)
            ]
            totals: dict[str, float] = {}
            for page in cloudwatch.get_paginator("get_metric_data").paginate(
                MetricDataQueries=queries, StartTime=start, EndTime=end
            ):
                for result in page.get("MetricDataResults", []):
                    totals[result["Id"]] = totals.get(result["Id"], 0.0) + float(sum(result.get("Values", [])))
            for i, name in enumerate(chunk):
                live.facts[name].invocations = totals.get(f"f{offset + i}", 0.0)
    except (ClientError, BotoCoreError) as exc:
        coverage.add(live.account, live.region, "cloudwatch:GetMetricData (unused functions not judged)", exc)
