"""The runtime's use of the firewall: build it from the policy, turn its verdict into events and answers.

Kept in one module so the middleware does not care how the firewall spells things: if a piece of
the firewall API is missing (an older firewall), the fallbacks here keep the runtime working.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hullguard.events.schema import Action, SecurityEvent, Severity
from hullguard.firewall import Firewall, Verdict
from hullguard.runtime.report import Reporter
from hullguard.runtime.state import Invocation

try:
    from hullguard.firewall.response import EventBlocked
    from hullguard.firewall.triggers import BATCH_TRIGGERS
except ImportError:  # pragma: no cover - same package; only an older firewall lacks these

    class EventBlocked(Exception):  # type: ignore[no-redef]
        """Stand-in for the firewall's own exception."""

    BATCH_TRIGGERS = frozenset({"sqs", "kinesis", "dynamodb"})

__all__ = ["EventBlocked", "batch_outcome", "build_firewall", "emit_verdict", "merge_failures"]


def build_firewall(section: Mapping[str, Any], report_only: bool) -> Firewall:
    """The firewall for the ``firewall:`` section; ``report_only`` (alert/learn mode) forces its mode."""
    data = dict(section)
    if report_only:
        data["mode"] = "alert"
    return Firewall(policy=data or None)


def emit_verdict(reporter: Reporter, verdict: Verdict, inv: Invocation, blocking: bool) -> None:
    """One security event per finding, in the shared schema, ``source="firewall"``."""
    for finding in verdict.findings:
        record_blocked = finding.record is not None and finding.record in verdict.blocked_records
        action = Action.BLOCKED if blocking and (verdict.blocked or record_blocked) else Action.ALERTED
        severity = finding.severity if isinstance(finding.severity, Severity) else Severity.MEDIUM
        detail: dict[str, Any] = {"control": "firewall", "inspection_us": round(verdict.duration_us, 1)}
        if finding.detail:
            detail["detail"] = finding.detail
        if finding.record is not None:
            detail["record"] = finding.record
        if verdict.error:
            detail["error"] = verdict.error
        reporter.write(SecurityEvent(
            source="firewall",
            rule_id=finding.rule_id,
            title=finding.title or finding.rule_id,
            severity=severity,
            action=action,
            attack=finding.attack,
            risk="event-injection",
            location=finding.location,
            evidence=reporter.mask(finding.evidence),
            trigger=verdict.trigger,
            cold_start=inv.cold_start,
            function=inv.function,
            cwe=finding.cwe,
            detail=detail,
        ))


def batch_outcome(fw: Firewall, verdict: Verdict, event: Any) -> tuple[Any, dict[str, Any] | None] | None:
    """For a batch with some clean records: (event without the blocked ones, batch item failures)."""
    if verdict.trigger not in BATCH_TRIGGERS or not verdict.blocked_records:
        return None
    filtered = fw.filter_batch(event, verdict)
    failures: dict[str, Any] | None = None
    if getattr(fw.policy, "report_batch_item_failures", True):
        failures = fw.batch_item_failures(event, verdict)
    return filtered, failures


def merge_failures(result: Any, failures: dict[str, Any] | None) -> Any:
    """Add the firewall's batch item failures to what the handler returned."""
    items = (failures or {}).get("batchItemFailures") or []
    if not items:
        return result
    if result is None:
        return {"batchItemFailures": list(items)}
    if isinstance(result, dict):
        merged = dict(result)
        merged["batchItemFailures"] = list(result.get("batchItemFailures") or []) + list(items)
        return merged
    return result  # a handler answering something else keeps its answer; the events record the drop
