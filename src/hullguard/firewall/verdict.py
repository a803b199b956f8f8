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
    # Additive fields (engine): batch triggers can drop ``blocked_records`` and process the rest.
    batch: bool = False
    record_count: int = 0  # records in a batch event (0 for non-batch triggers)
    allowed: int = 0  # findings suppressed by the policy's allow rules
    strings_scanned: int = 0
    bytes_scanned: int = 0

    @property
    def attacks(self) -> list[str]:
        """Attack classes found, without duplicates, in the order first seen."""
        return list(dict.fromkeys(f.attack for f in self.findings))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view (the CLI's ``--format json``)."""
        return {
            "blocked": self.blocked,
            "trigger": self.trigger,
            "findings": [
                {
                    "rule_id": f.rule_id,
                    "attack": f.attack,
                    "severity": f.severity.value,
                    "location": f.location,
                    "evidence": f.evidence,
                    "title": f.title,
                    "cwe": f.cwe,
                    "detail": f.detail,
                    "record": f.record,
                }
                for f in self.findings
            ],
            "budget_exhausted": self.budget_exhausted,
            "incomplete_reason": self.incomplete_reason,
            "error": self.error,
            "batch": self.batch,
            "record_count": self.record_count,
            "blocked_records": list(self.blocked_records),
            "allowed": self.allowed,
            "strings_scanned": self.strings_scanned,
            "bytes_scanned": self.bytes_scanned,
            "duration_us": round(self.duration_us, 1),
        }
