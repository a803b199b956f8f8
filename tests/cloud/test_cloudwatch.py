"""CloudWatch DoS and cost analysis: robust statistics, prices, the queue formula, and metrics from moto."""

from __future__ import annotations

import datetime as dt

import boto3
import pytest

from hullguard.cloud.cloudwatch.analysis import analyse_region
from hullguard.cloud.cloudwatch.cost import estimate, price_table, queue_requests_to_lose_data
from hullguard.cloud.cloudwatch.metrics import RegionMetrics, Series, collect_metrics
from hullguard.cloud.cloudwatch.stats import find_spike, robust_score
from hullguard.cloud.collectors.iam import IamCollector
from hullguard.cloud.collectors.lambda_ import LambdaCollector
from hullguard.cloud.coverage import Coverage
from hullguard.cloud.session import Target

from .conftest import make_function, make_role
from .test_account_rules import fn, live

NOW = dt.datetime(2024, 6, 1, 12, tzinfo=dt.timezone.utc)


def test_spike_against_own_baseline_not_a_fixed_threshold() -> None:
    busy = [1000.0 + (i % 7) * 30 for i in range(24 * 13)]
    assert find_spike(busy + [1100.0] * 24) is None  # normal for this function
    assert find_spike(busy + [1000.0] * 23 + [9000.0]) is not None
    quiet = [2.0 + (i % 3) for i in range(24 * 13)]
    assert find_spike(quiet + [3.0] * 23 + [40.0]) is None  # 40 calls is not an attack (minimum)
    assert find_spike(quiet + [3.0] * 23 + [400.0]) is not None
    # One earlier spike in the baseline does not mask the next (the median/MAD ignore it).
    with_old_spike = [*busy[:100], 50000.0, *busy[101:]]
    assert find_spike(with_old_spike + [1000.0] * 23 + [9000.0]) is not None
    assert find_spike([5.0] * 10) is None  # not enough history
    flat = robust_score(300.0, [100.0] * 50)
    assert flat.mad == 0 and flat.score > 6


def test_cost_estimate_by_architecture_and_region() -> None:
    x86 = estimate("us-east-1", "x86_64", 1024, 1_000_000, 1000.0)
    assert x86.gb_seconds == pytest.approx(1_000_000)
    assert x86.compute_usd == pytest.approx(16.6667, rel=1e-4)
    assert x86.request_usd == pytest.approx(0.20)
    arm = estimate("us-east-1", "arm64", 1024, 1_000_000, 1000.0)
    assert arm.compute_usd == pytest.approx(13.3334, rel=1e-4)
    unknown = estimate("xx-nowhere-1", "x86_64", 128, 10, 10.0)
    assert unknown.priced_region is False
    assert "_source" in price_table()


def test_queue_data_loss_formula_from_the_brief() -> None:
    # ConcurrencyLimit x (60 / ProcessingTimeMinutes) x 24 x RetentionDays
    assert queue_requests_to_lose_data(5, 0.5, 1) == 5 * 120 * 24 * 1
    assert queue_requests_to_lose_data(1000, 1, 4) == 1000 * 60 * 24 * 4
    with pytest.raises(ValueError):
        queue_requests_to_lose_data(0, 1, 4)


def hourly(values: list[float]) -> Series:
    start = NOW - dt.timedelta(hours=len(values))
    return Series([start + dt.timedelta(hours=i) for i in range(len(values))], values)


def test_analysis_on_real_shaped_metrics_including_percentiles_and_dlq() -> None:
    from hullguard.model.app import Trigger

    queue = "arn:aws:sqs:us-east-1:123456789012:jobs"
    region = live(
        fn("api", timeout=30, memory=1024),
        fn("worker", timeout=60, reserved_concurrency=5, triggers=[Trigger("sqs", queue)]),
        fn("quiet", timeout=3),
    )
    metrics = RegionMetrics(
        "123456789012", "us-east-1", 3600, NOW - dt.timedelta(days=14), NOW, account_limit=1000, unreserved=900
    )
    baseline = [200.0 + (i % 5) * 4 for i in range(24 * 14 - 24)]
    metrics.functions["api"] = {
        "Invocations:Sum": hourly(baseline + [210.0] * 23 + [6000.0]),
        "Errors:Sum": hourly([0.0] * (24 * 14 - 1) + [3000.0]),
        "Duration:Average": hourly([150.0] * (24 * 14)),
        "Duration:p99": hourly([29_000.0]),  # CloudWatch percentiles (moto has none)
        "DeadLetterErrors:Sum": hourly([2.0]),
    }
    metrics.functions["worker"] = {
        "Invocations:Sum": hourly([50.0] * 48),
        "Throttles:Sum": hourly([0.0] * 47 + [30.0]),
        "ConcurrentExecutions:Maximum": hourly([5.0]),
        "Duration:Average": hourly([30_000.0] * 48),
        "IteratorAge:Maximum": hourly([0.0]),
    }
    metrics.queues[queue] = {"MessageRetentionPeriod": "86400"}
    report = analyse_region(region, metrics)
    found = {(f.rule_id, f.function) for f in report.findings}
    assert found == {
        ("HG-WATCH-005", "api"),
        ("HG-WATCH-003", "api"),
        ("HG-WATCH-004", "api"),
        ("HG-WATCH-006", "api"),
        ("HG-WATCH-001", "worker"),
        ("HG-WATCH-002", "worker"),
        ("HG-WATCH-008", "worker"),
    }
    loss = next(f for f in report.findings if f.rule_id == "HG-WATCH-008")
    assert loss.detail["requests"] == 5 * (60 // 0.5) * 24 * 1  # 30 s per message = 0.5 min -> 120/h per slot
    api_cost = report.costs["arn:aws:lambda:us-east-1:123456789012:function:api"]
    assert api_cost["invocations"] == round(sum(baseline) + 210 * 23 + 6000)
    assert api_cost["total_usd"] > 0


def test_metrics_collected_from_moto(moto_aws: boto3.Session) -> None:
    role = make_role(moto_aws, "r", [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}])
    make_function(moto_aws, "api", role, Timeout=10)
    cloudwatch = moto_aws.client("cloudwatch")
    data = [
        {
            "MetricName": "Invocations",
            "Dimensions": [{"Name": "FunctionName", "Value": "api"}],
            "Timestamp": NOW - dt.timedelta(hours=h, minutes=-30),
            "Value": 100.0 if h > 2 else 5000.0,
        }
        for h in range(1, 24 * 7)
    ]
    data += [
        {
            "MetricName": "Duration",
            "Dimensions": [{"Name": "FunctionName", "Value": "api"}],
            "Timestamp": NOW - dt.timedelta(hours=2, minutes=-30),
            "Value": 9800.0,
            "Unit": "Milliseconds",
        }
    ]
    for i in range(0, len(data), 500):
        cloudwatch.put_metric_data(Namespace="AWS/Lambda", MetricData=data[i : i + 500])
    coverage = Coverage()
    target = Target("123456789012", moto_aws)
    region = LambdaCollector(target, "us-east-1", IamCollector(target, coverage), coverage).collect()
    metrics = collect_metrics(target, region, coverage, days=7, now=NOW, percentiles=False)
    invocations = metrics.series("api", "Invocations", "Sum")
    assert invocations.total() == pytest.approx(100.0 * (24 * 7 - 3) + 5000.0 * 2)
    assert invocations.timestamps == sorted(invocations.timestamps)
    found = {f.rule_id for f in analyse_region(region, metrics).findings}
    assert {"HG-WATCH-005", "HG-WATCH-004"} <= found
