"""Rules of the engine itself (detector rules live in the detector modules)."""

from __future__ import annotations

from hullguard.events.schema import Severity
from hullguard.firewall.detectors.base import RuleInfo

INTERNAL_RULE = RuleInfo(
    rule_id="HG-INTERNAL-001",
    family="internal",
    title="Firewall internal error",
    severity=Severity.HIGH,
    cwe="CWE-755",
    description="The firewall failed while inspecting an event (a bug, or input it could not handle). "
    "The policy's fail mode decided whether the event was blocked (closed) or let through (open).",
    remediation="Report the error text with the event shape to the hullguard maintainers; choose "
    "fail_mode: closed for functions where an uninspected event must never reach the handler.",
)
BUDGET_RULE = RuleInfo(
    rule_id="HG-BUDGET-001",
    family="budget",
    title="Event inspection stopped by its budget",
    severity=Severity.LOW,
    cwe="CWE-400",
    description="The event was larger, deeper or slower to decode than the policy's budget allows "
    "(decompression bomb, deeply nested JSON, huge payload); only part of it was inspected.",
    remediation="Raise the budget for functions that legitimately receive such events, or set "
    "on_budget_exhausted: block to refuse events that cannot be inspected completely.",
)
ENGINE_RULES: tuple[RuleInfo, ...] = (INTERNAL_RULE, BUDGET_RULE)

__all__ = ["BUDGET_RULE", "ENGINE_RULES", "INTERNAL_RULE"]
