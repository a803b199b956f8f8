"""Policy analyser: placeholder with the interface the posture scanner calls.

``analyze_statements`` judges IAM statements (identity policies of a role) and returns one
``PolicyIssue`` per problem: wildcards, privilege escalation, data exfiltration, credential and
resource exposure, infrastructure modification, NotAction/NotResource with Allow, unknown actions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hullguard.events.schema import Severity
from hullguard.model.app import Statement


@dataclass(slots=True)
class PolicyIssue:
    kind: str  # e.g. "wildcard-action", "privilege-escalation", "data-exfiltration"
    severity: Severity
    message: str
    actions: list[str] = field(default_factory=list)
    statement: Statement | None = None


def analyze_statements(statements: list[Statement]) -> list[PolicyIssue]:
    return []
