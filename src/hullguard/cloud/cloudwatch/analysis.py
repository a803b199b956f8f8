"""Judge a region's metrics: DoS pressure, failures, cost. Pure functions over models and series."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from hullguard.cloud.cloudwatch.cost import CostEstimate, estimate, queue_requests_to_lose_data
from hullguard.cloud.cloudwatch.metrics import RegionMetrics
from hullguard.cloud.cloudwatch.stats import find_spike
from hullguard.cloud.collectors.facts import LiveRegion
from hullguard.events.schema import Severity
from hullguard.model.app import Function
from hullguard.model.finding import Finding

DOS = "denial-of-service"


@dataclass(frozen=True, slots=True)
class WatchRule:
    id: str
    title: str
    severity: Severity
    risk: str
    description: str
    remediation: str
    references: tuple[str, ...] = ()


CONCURRENCY = WatchRule(
    "HG-WATCH-001",
    "Concurrency near its limit",
    Severity.HIGH,
    DOS,
    "Peak concurrent executions reached most of the function's reserved concurrency or the account limit: "
    "a burst (or an attacker) will be throttled, and one function can starve all others of the shared pool.",
    "Set reserved concurrency per function, raise the account quota, and rate-limit the trigger (API throttling).",
)
THROTTLES = WatchRule(
    "HG-WATCH-002",
    "Invocations throttled",
    Severity.MEDIUM,
    DOS,
    "Lambda refused invocations for lack of concurrency: synchronous callers got 429s, async events were retried.",
    "Find the source of the load; raise reserved concurrency or add throttling/queuing in front of the function.",
)
ERRORS = WatchRule(
    "HG-WATCH-003",
    "High error rate",
    Severity.MEDIUM,
    DOS,
    "A large share of invocations failed; failures under load are how resource exhaustion shows.",
    "Inspect the function's logs for the failing inputs; validate events before heavy work.",
)
TIMEOUTS = WatchRule(
    "HG-WATCH-004",
    "Duration close to the timeout",
    Severity.MEDIUM,
    DOS,
    "Executions run to within 10% of the timeout: slow inputs (ReDoS, huge payloads) will time out and be "
    "billed for the full duration.",
    "Bound the work per event (input size limits, linear-time parsing) and set the timeout from measured needs.",
)
SPIKE = WatchRule(
    "HG-WATCH-005",
    "Invocation spike against the function's own baseline",
    Severity.HIGH,
    DOS,
    "An hour of the last day had far more invocations than this function normally sees (median/MAD robust "
    "score): a flood, a retry storm or a recursive loop, and a cost spike with it.",
    "Check the trigger for abuse or loops; cap with reserved concurrency and API throttling; set a billing alarm.",
)
DLQ = WatchRule(
    "HG-WATCH-006",
    "Events lost: dead-letter or destination delivery failures",
    Severity.HIGH,
    DOS,
    "Lambda could not deliver failed async events to the DLQ or on-failure destination: those events are gone.",
    "Fix the DLQ/destination permissions or target; alarm on DeadLetterErrors and DestinationDeliveryFailures.",
)
ITERATOR = WatchRule(
    "HG-WATCH-007",
    "Stream iterator age high",
    Severity.MEDIUM,
    DOS,
    "The function falls behind its stream: records older than the stream retention are lost.",
    "Raise parallelization factor or batch size, make processing faster, and alarm on IteratorAge.",
)
QUEUE_LOSS = WatchRule(
    "HG-WATCH-008",
    "Queue data loss reachable by flooding",
    Severity.LOW,
    DOS,
    "For a queue-triggered function, #Requests = ConcurrencyLimit x (60 / ProcessingTimeMinutes) x 24 x "
    "RetentionDays messages are enough to make later messages expire before they are processed.",
    "Give the queue a redrive policy and a longer retention, raise the consumer's concurrency, and throttle producers.",
)
WATCH_RULES = (CONCURRENCY, THROTTLES, ERRORS, TIMEOUTS, SPIKE, DLQ, ITERATOR, QUEUE_LOSS)


@dataclass(frozen=True, slots=True)
class Thresholds:
    concurrency_ratio: float = 0.8
    error_rate: float = 0.05
    timeout_ratio: float = 0.9
    iterator_age_ms: float = 3_600_000.0
    spike_score: float = 6.0
    spike_minimum: float = 100.0


@dataclass
class WatchReport:
    findings: list[Finding] = field(default_factory=list)
    costs: dict[str, dict[str, Any]] = field(default_factory=dict)  # function ARN -> cost and projection
    account: dict[str, Any] = field(default_factory=dict)


def _finding(
    rule: WatchRule,
    live: LiveRegion,
    function: Function | None,
    message: str,
    severity: Severity | None = None,
    **detail: Any,
) -> Finding:
    arn = live.facts[str(function.name)].arn if function is not None and str(function.name) in live.facts else None
    return Finding(
        rule_id=rule.id,
        title=rule.title,
        severity=severity or rule.severity,
        risk=rule.risk,
        message=message,
        function=str(function.name) if function is not None else None,
        resource=arn,
        remediation=rule.remediation,
        application=live.app.name,
        detail={"account": live.account, "region": live.region, **detail},
    )


def analyse_region(live: LiveRegion, metrics: RegionMetrics, limits: Thresholds | None = None) -> WatchReport:
    t = limits or Thresholds()
    report = WatchReport()
    hours = max((metrics.end - metrics.start).total_seconds() / 3600.0, 1.0)
    account_peak = metrics.account_series.get("ConcurrentExecutions:Maximum")
    if metrics.account_limit and account_peak and account_peak.peak() >= t.concurrency_ratio * metrics.account_limit:
        report.findings.append(
            _finding(
                CONCURRENCY,
                live,
                None,
                f"account peak concurrency {account_peak.peak():.0f} of limit {metrics.account_limit} in {live.region}",
                peak=account_peak.peak(),
                limit=metrics.account_limit,
            )
        )
    report.account = {
        "limit": metrics.account_limit,
        "unreserved": metrics.unreserved,
        "peak": account_peak.peak() if account_peak else None,
    }
    for function in live.app.functions:
        name = str(function.name)
        invocations = metrics.series(name, "Invocations", "Sum")
        total = invocations.total()
        peak_concurrency = metrics.series(name, "ConcurrentExecutions", "Maximum").peak()
        limit = function.reserved_concurrency
        if limit and peak_concurrency >= t.concurrency_ratio * limit:
            report.findings.append(
                _finding(
                    CONCURRENCY,
                    live,
                    function,
                    f"{name} peaked at {peak_concurrency:.0f} concurrent executions of its reserved {limit}",
                    peak=peak_concurrency,
                    limit=limit,
                )
            )
        throttles = metrics.series(name, "Throttles", "Sum").total()
        if throttles > 0:
            share = throttles / max(total + throttles, 1.0)
            report.findings.append(
                _finding(
                    THROTTLES,
                    live,
                    function,
                    f"{name} was throttled {throttles:.0f} times ({share:.1%} of attempts)",
                    severity=Severity.HIGH if share >= 0.01 else None,
                    throttles=throttles,
                )
            )
        error_series = metrics.series(name, "Errors", "Sum")
        # The whole window, and the last day alone: a burst of failures must not drown in two quiet weeks.
        day = metrics.end - dt.timedelta(hours=24)
        for label, errors, calls in (
            ("over the window", error_series.total(), total),
            ("in the last 24 hours", error_series.since(day), invocations.since(day)),
        ):
            if calls >= 20 and errors / calls >= t.error_rate:
                report.findings.append(
                    _finding(
                        ERRORS,
                        live,
                        function,
                        f"{name}: {errors:.0f} of {calls:.0f} invocations failed {label} ({errors / calls:.1%})",
                        errors=errors,
                        invocations=calls,
                    )
                )
                break
        slowest = max(
            metrics.series(name, "Duration", "p99").peak(), metrics.series(name, "Duration", "Maximum").peak()
        )
        if function.timeout and slowest >= t.timeout_ratio * function.timeout * 1000:
            report.findings.append(
                _finding(
                    TIMEOUTS,
                    live,
                    function,
                    f"{name} ran up to {slowest / 1000:.1f}s of its {function.timeout}s timeout",
                    duration_ms=slowest,
                    timeout_s=function.timeout,
                )
            )
        spike = find_spike(invocations.values, threshold=t.spike_score, minimum=t.spike_minimum)
        if spike:
            report.findings.append(
                _finding(
                    SPIKE,
                    live,
                    function,
                    f"{name} had {spike.value:.0f} invocations in one hour against a median of {spike.median:.0f} "
                    f"(robust score {spike.score:.1f})",
                    peak=spike.value,
                    median=spike.median,
                    mad=spike.mad,
                    score=round(spike.score, 2),
                )
            )
        lost = (
            metrics.series(name, "DeadLetterErrors", "Sum").total()
            + metrics.series(name, "DestinationDeliveryFailures", "Sum").total()
        )
        if lost > 0:
            report.findings.append(
                _finding(
                    DLQ,
                    live,
                    function,
                    f"{name}: {lost:.0f} failed events could not be delivered to the DLQ/destination",
                    lost=lost,
                )
            )
        age = metrics.series(name, "IteratorAge", "Maximum").peak()
        if age >= t.iterator_age_ms:
            report.findings.append(
                _finding(
                    ITERATOR,
                    live,
                    function,
                    f"{name}'s stream iterator age reached {age / 60000:.0f} minutes",
                    iterator_age_ms=age,
                )
            )
        average = metrics.series(name, "Duration", "Average")
        avg_ms = (sum(average.values) / len(average.values)) if average.values else 0.0
        cost = estimate(live.region, function.architecture, function.memory or 128, total, avg_ms)
        report.costs[live.facts[name].arn if name in live.facts else name] = {
            "function": name,
            "window_hours": round(hours),
            **cost.to_dict(),
            "projected_30_days_usd": round(cost.total_usd * (720.0 / hours), 2),
        }
        _queue_loss(live, metrics, function, avg_ms, report)
    return report


def _queue_loss(
    live: LiveRegion, metrics: RegionMetrics, function: Function, avg_ms: float, report: WatchReport
) -> None:
    for trigger in function.triggers:
        if trigger.kind != "sqs" or not trigger.source_arn:
            continue
        attrs = metrics.queues.get(str(trigger.source_arn), {})
        retention_days = int(attrs.get("MessageRetentionPeriod", 345600)) / 86400.0
        limit = function.reserved_concurrency or metrics.unreserved or metrics.account_limit or 1000
        # Without measurements, assume the worst case the configuration allows: every message runs to the timeout.
        minutes = (avg_ms or (function.timeout or 3) * 1000.0) / 60000.0
        needed = queue_requests_to_lose_data(int(limit), minutes, retention_days)
        redrive = "RedrivePolicy" in attrs
        report.findings.append(
            _finding(
                QUEUE_LOSS,
                live,
                function,
                f"{needed:,} messages on {str(trigger.source_arn).rsplit(':', 1)[-1]} would outlast its "
                f"{retention_days:g}-day retention (concurrency {limit}, {minutes * 60:.1f}s per message"
                + ("" if redrive else ", no redrive policy")
                + ")",
                severity=Severity.MEDIUM if not redrive and needed < 10_000_000 else None,
                requests=needed,
                concurrency=limit,
                processing_minutes=minutes,
                retention_days=retention_days,
            )
        )


def region_cost(costs: dict[str, dict[str, Any]]) -> CostEstimate:
    return CostEstimate(
        invocations=sum(c["invocations"] for c in costs.values()),
        gb_seconds=sum(c["gb_seconds"] for c in costs.values()),
        compute_usd=sum(c["compute_usd"] for c in costs.values()),
        request_usd=sum(c["request_usd"] for c in costs.values()),
        priced_region=all(c["priced_region"] for c in costs.values()),
    )
