"""Security events from a verdict: one ``SecurityEvent`` per finding, plus one when the inspection
was cut short by its budget. The runtime prints them as JSON lines and forwards them."""

from __future__ import annotations

from hullguard.events.schema import Action, FunctionContext, SecurityEvent
from hullguard.firewall.rules import BUDGET_RULE, INTERNAL_RULE
from hullguard.firewall.verdict import Verdict


def security_events(
    verdict: Verdict,
    function: FunctionContext | None = None,
    trigger: str | None = None,
    cold_start: bool = False,
) -> list[SecurityEvent]:
    function = function or FunctionContext()
    trigger = trigger or verdict.trigger
    blocked_records = set(verdict.blocked_records)
    events: list[SecurityEvent] = []
    for finding in verdict.findings:
        if verdict.blocked and (not verdict.batch or finding.record is None or finding.record in blocked_records):
            action = Action.BLOCKED
        else:
            action = Action.ALERTED
        internal = finding.rule_id == INTERNAL_RULE.rule_id
        detail: dict[str, object] = {"detail": finding.detail}
        if finding.record is not None:
            detail["record"] = finding.record
        if internal and verdict.error:
            detail["error"] = verdict.error
        events.append(
            SecurityEvent(
                source="firewall",
                rule_id=finding.rule_id,
                title=finding.title or finding.rule_id,
                severity=finding.severity,
                action=action,
                attack=finding.attack,
                risk="event-injection",
                location=finding.location,
                evidence=finding.evidence,
                trigger=trigger,
                cold_start=cold_start,
                function=function,
                cwe=finding.cwe,
                detail=detail,
            )
        )
    if verdict.budget_exhausted:
        events.append(
            SecurityEvent(
                source="firewall",
                rule_id=BUDGET_RULE.rule_id,
                title=BUDGET_RULE.title,
                severity=BUDGET_RULE.severity,
                action=Action.BLOCKED if verdict.blocked and not verdict.findings else Action.ALERTED,
                attack="budget",
                risk="denial-of-service",
                trigger=trigger,
                cold_start=cold_start,
                function=function,
                cwe=BUDGET_RULE.cwe,
                detail={"reason": verdict.incomplete_reason, "bytes_scanned": verdict.bytes_scanned},
            )
        )
    return events


__all__ = ["security_events"]
