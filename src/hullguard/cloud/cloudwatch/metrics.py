"""Collect Lambda's CloudWatch metrics for every function of a region, 500 queries per call.

moto has no percentile statistics, so durations use ``Maximum`` and ``Average``; the analysis also
takes ``p99`` when present (real CloudWatch returns it).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from hullguard.cloud.collectors.facts import LiveRegion
from hullguard.cloud.coverage import Coverage
from hullguard.cloud.session import Target

BATCH = 500
PERCENTILE = ("Duration", "p99")
# (metric, statistic) pairs read per function.
FUNCTION_METRICS = (
    ("Invocations", "Sum"),
    ("Errors", "Sum"),
    ("Throttles", "Sum"),
    ("Duration", "Average"),
    ("Duration", "Maximum"),
    ("ConcurrentExecutions", "Maximum"),
    ("DeadLetterErrors", "Sum"),
    ("DestinationDeliveryFailures", "Sum"),
    ("IteratorAge", "Maximum"),
)
ACCOUNT_METRICS = (("ConcurrentExecutions", "Maximum"), ("Throttles", "Sum"))


@dataclass
class Series:
    """Hourly (or ``period``) values of one metric, oldest first."""

    timestamps: list[dt.datetime] = field(default_factory=list)
    values: list[float] = field(default_factory=list)

    def total(self) -> float:
        return float(sum(self.values))

    def since(self, start: dt.datetime) -> float:
        return float(sum(v for t, v in zip(self.timestamps, self.values, strict=True) if t >= start))

    def peak(self) -> float:
        return float(max(self.values)) if self.values else 0.0


@dataclass
class RegionMetrics:
    account: str
    region: str
    period: int
    start: dt.datetime
    end: dt.datetime
    functions: dict[str, dict[str, Series]] = field(default_factory=dict)  # name -> "Metric:Stat" -> series
    account_series: dict[str, Series] = field(default_factory=dict)
    account_limit: int | None = None
    unreserved: int | None = None
    queues: dict[str, dict[str, Any]] = field(default_factory=dict)  # queue ARN -> attributes

    def series(self, function: str, metric: str, stat: str) -> Series:
        return self.functions.get(function, {}).get(f"{metric}:{stat}", Series())


def _query(qid: str, metric: str, stat: str, period: int, function: str | None) -> dict[str, Any]:
    dims = [{"Name": "FunctionName", "Value": function}] if function else []
    return {
        "Id": qid,
        "MetricStat": {
            "Metric": {"Namespace": "AWS/Lambda", "MetricName": metric, "Dimensions": dims},
            "Period": period,
            "Stat": stat,
        },
        "ReturnData": True,
    }


def _fetch(client: Any, queries: list[dict[str, Any]], start: dt.datetime, end: dt.datetime) -> dict[str, Series]:
    out: dict[str, Series] = {}
    for offset in range(0, len(queries), BATCH):
        chunk = queries[offset : offset + BATCH]
        pages = client.get_paginator("get_metric_data").paginate(
            MetricDataQueries=chunk, StartTime=start, EndTime=end, ScanBy="TimestampAscending"
        )
        for page in pages:
            for result in page.get("MetricDataResults", []):
                series = out.setdefault(result["Id"], Series())
                series.timestamps.extend(result.get("Timestamps", []))
                series.values.extend(float(v) for v in result.get("Values", []))
    for series in out.values():  # pages may interleave: keep each series in time order
        pairs = sorted(zip(series.timestamps, series.values, strict=True))
        series.timestamps = [p[0] for p in pairs]
        series.values = [p[1] for p in pairs]
    return out


def percentiles_supported() -> bool:
    """Emulators (moto, LocalStack) reached through AWS_ENDPOINT_URL have no percentile statistics."""
    return not (os.environ.get("AWS_ENDPOINT_URL") or os.environ.get("AWS_ENDPOINT_URL_CLOUDWATCH"))


def collect_metrics(
    target: Target,
    live: LiveRegion,
    coverage: Coverage,
    days: int = 14,
    period: int = 3600,
    now: dt.datetime | None = None,
    percentiles: bool | None = None,
) -> RegionMetrics:
    end = (now or dt.datetime.now(dt.timezone.utc)).replace(minute=0, second=0, microsecond=0)
    start = end - dt.timedelta(days=days)
    result = RegionMetrics(live.account, live.region, period, start, end)
    try:
        settings = target.client("lambda", live.region).get_account_settings()
        result.account_limit = settings.get("AccountLimit", {}).get("ConcurrentExecutions")
        result.unreserved = settings.get("AccountLimit", {}).get("UnreservedConcurrentExecutions")
    except (ClientError, BotoCoreError) as exc:
        coverage.add(live.account, live.region, "lambda:GetAccountSettings (account concurrency limit unknown)", exc)
    names = [str(f.name) for f in live.app.functions]
    wanted = list(FUNCTION_METRICS)
    if percentiles if percentiles is not None else percentiles_supported():
        wanted.append(PERCENTILE)
    queries: list[dict[str, Any]] = []
    ids: dict[str, tuple[str | None, str]] = {}
    for i, name in enumerate(names):
        for j, (metric, stat) in enumerate(wanted):
            qid = f"f{i}m{j}"
            ids[qid] = (name, f"{metric}:{stat}")
            queries.append(_query(qid, metric, stat, period, name))
    for j, (metric, stat) in enumerate(ACCOUNT_METRICS):
        qid = f"a{j}"
        ids[qid] = (None, f"{metric}:{stat}")
        queries.append(_query(qid, metric, stat, period, None))
    try:
        fetched = _fetch(target.client("cloudwatch", live.region), queries, start, end)
    except (ClientError, BotoCoreError) as exc:
        coverage.add(live.account, live.region, "cloudwatch:GetMetricData (DoS and cost analysis skipped)", exc)
        return result
    for qid, series in fetched.items():
        owner, key = ids[qid]
        if owner is None:
            result.account_series[key] = series
        else:
            result.functions.setdefault(owner, {})[key] = series
    _queues(target, live, result, coverage)
    return result


def _queues(target: Target, live: LiveRegion, result: RegionMetrics, coverage: Coverage) -> None:
    arns = {str(t.source_arn) for f in live.app.functions for t in f.triggers if t.kind == "sqs" and t.source_arn}
    if not arns:
        return
    sqs = target.client("sqs", live.region)
    for arn in sorted(arns):
        parts = arn.split(":")
        try:
            url = sqs.get_queue_url(QueueName=parts[5], QueueOwnerAWSAccountId=parts[4])["QueueUrl"]
            attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        except (ClientError, BotoCoreError, IndexError) as exc:
            coverage.add(
                live.account,
                live.region,
                f"sqs:GetQueueAttributes {arn}",
                exc if isinstance(exc, BaseException) else str(exc),
            )
            continue
        result.queues[arn] = dict(attrs)
