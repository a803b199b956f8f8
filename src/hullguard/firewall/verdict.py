"""What ``Firewall.inspect`` returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hullguard.events.schema import Severity


@dataclass(frozen=True, slots=True)
class Finding:
    """One detection in one place of the event."""

    rule_id: str
    attack: str  # attack class, e.g. "sqli", "xss", "cmdi"
    severity: Severity
    location: str  # path in the event, e.g. "Records[0].s3.object.key" or "body.user.name"
    evidence: str  # decoded excerpt, truncated, secrets masked
    title: str = ""
    cwe: str = ""
    detail: str = ""
    record: int | None = None  # index of the batch record it was found in (SQS, Kinesis, DynamoDB)


@dataclass(slots=True)
class Verdict:
    blocked: bool = False
    findings: list[Finding] = field(default_factory=list)
    trigger: str = "unknown"
    budget_exhausted: bool = False  # inspection stopped early; see ``incomplete_reason``
    incomplete_reason: str = ""
    error: str = ""  # internal error text when inspection failed; the fail mode decided ``blocked``
    blocked_records: list[int] = field(default_factory=list)  # batch triggers: records to drop
    duration_us: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)
