"""Declared vs needed: the privileges each function holds today beyond what its code needs.

An excess is either an action the code never needs, or a needed action granted on resources wider
than the ones the code uses. Each is graded by what an attacker who controls the function could do
with it (``analyzer.action_risk``): privilege escalation is critical, credentials, data reads and
permission changes high, other writes medium, reads and tagging low. Needed permissions the role
lacks are listed too: the function would fail on them.
"""

from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass, field
from typing import Any

from hullguard.events.schema import Severity
from hullguard.iam.analyzer import action_risk, effective_grants
from hullguard.iam.generate import FunctionPolicy

_PLACEHOLDER = re.compile(r"\$\{[^}]*\}")
_EXAMPLES = 10


@dataclass(slots=True)
class Excess:
    action: str
    declared: list[str]  # resources the role grants it on
    needed: list[str]  # resources the code needs it on ([] = not needed at all)
    severity: Severity
    impact: str

    @property
    def kind(self) -> str:
        return "broader-resource" if self.needed else "unused-action"

    def to_json(self) -> dict[str, Any]:
        return {"action": self.action, "kind": self.kind, "severity": self.severity.value, "impact": self.impact,
                "declared_resources": self.declared, "needed_resources": self.needed}


@dataclass(slots=True)
class DiffReport:
    function: str
    template: str
    declared_actions: int
    needed_actions: int
    excess: list[Excess] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)  # (action, resource)
    no_role: bool = False

    @property
    def severity(self) -> Severity | None:
        return max((e.severity for e in self.excess), key=lambda s: s.id, default=None)

    def to_json(self) -> dict[str, Any]:
        counts: dict[str, int] = {}
        for e in self.excess:
            counts[e.severity.value] = counts.get(e.severity.value, 0) + 1
        return {
            "function": self.function, "template": self.template, "declared_actions": self.declared_actions,
            "needed_actions": self.needed_actions, "severity": self.severity.value if self.severity else None,
            "excess_by_severity": counts, "excess": [e.to_json() for e in self.excess],
            "missing": [{"action": a, "resource": r} for a, r in self.missing],
        }


def _pattern(resource: str) -> str:
    return _PLACEHOLDER.sub("*", resource)


def covers(declared: str, needed: str) -> bool:
    """True when a declared resource pattern includes the needed resource."""
    if declared == "*" or declared == needed:
        return True
    return fnmatch.fnmatchcase(_pattern(needed), _pattern(declared))


def diff_function(policy: FunctionPolicy) -> DiffReport:
    fn = policy.function
    statements = fn.role.statements() if fn.role is not None else []
    declared = effective_grants(statements)
    needed: dict[str, set[str]] = {}
    for need in policy.needs:
        needed.setdefault(need.action.lower(), set()).add(need.resource)
    report = DiffReport(fn.logical_id, policy.app.template if policy.app else "", len(declared), len(needed),
                        no_role=fn.role is None)
    held = {a.lower() for a in declared}
    for action, resources in sorted(declared.items()):
        wanted = sorted(needed.get(action.lower(), set()))
        if not wanted:
            severity, impact = action_risk(action, held)
            report.excess.append(Excess(action, resources, [], severity, impact))
            continue
        wider = [r for r in resources if not any(covers(n, r) for n in wanted)]
        if wider:
            severity, impact = action_risk(action, held)
            report.excess.append(Excess(action, wider, wanted, severity, f"{impact} beyond what the code uses"))
    declared_lower = {a.lower(): r for a, r in declared.items()}
    for need in policy.needs:
        granted = declared_lower.get(need.action.lower(), [])
        if not any(covers(r, need.resource) for r in granted):
            entry = (need.action, need.resource)
            if entry not in report.missing:
                report.missing.append(entry)
    report.excess.sort(key=lambda e: (-e.severity.id, e.action))
    return report


def diff_policies(policies: list[FunctionPolicy]) -> list[DiffReport]:
    return [diff_function(p) for p in policies]


def render_diff(reports: list[DiffReport], fmt: str) -> str:
    if fmt == "json":
        return json.dumps([r.to_json() for r in reports], indent=2)
    lines: list[str] = []
    for report in reports:
        worst = report.severity.value.upper() if report.severity else "OK"
        lines.append(f"{report.function} ({report.template}): declares {report.declared_actions} actions, "
                     f"needs {report.needed_actions} -> {len(report.excess)} excess [{worst}]")
        if report.no_role:
            lines.append("  no role found in the template (the function's role is managed elsewhere)")
        by_severity: dict[Severity, list[Excess]] = {}
        for excess in report.excess:
            by_severity.setdefault(excess.severity, []).append(excess)
        for severity in sorted(by_severity, key=lambda s: -s.id):
            items = by_severity[severity]
            lines.append(f"  {severity.value.upper()}: {len(items)}")
            for excess in items[:_EXAMPLES]:
                where = ", ".join(excess.declared[:2]) + (" ..." if len(excess.declared) > 2 else "")
                lines.append(f"    {excess.action} on {where}: {excess.impact}")
            if len(items) > _EXAMPLES:
                lines.append(f"    ... and {len(items) - _EXAMPLES} more")
        for action, resource in report.missing:
            lines.append(f"  MISSING (the function would fail): {action} on {resource}")
        lines.append("")
    return "\n".join(lines)
