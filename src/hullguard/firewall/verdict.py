"""What ``Firewall.inspect`` returns.

Plain slotted classes rather than dataclasses: this module is on every cold start (see
``hullguard.events.record``).
"""

from __future__ import annotations

from hullguard.events.record import FrozenRecord, Record
from hullguard.events.schema import Severity

TYPE_CHECKING = False
if TYPE_CHECKING:  # ``typing`` costs about 3 ms of every cold start; type checkers see it here
    from typing import Any


class Finding(FrozenRecord):
    """One detection in one place of the event."""

    __slots__ = ("attack", "cwe", "detail", "evidence", "location", "record", "rule_id", "severity", "title")
    _fields = ("rule_id", "attack", "severity", "location", "evidence", "title", "cwe", "detail", "record")

    rule_id: str
    attack: str  # attack class, e.g. "sqli", "xss", "cmdi"
    severity: Severity
    location: str  # path in the event, e.g. "Records[0].s3.object.key" or "body.user.name"
    evidence: str  # decoded excerpt, truncated, secrets masked
    title: str
    cwe: str
    detail: str
    record: int | None  # index of the batch record it was found in (SQS, Kinesis, DynamoDB)

    def __init__(
        self,
        rule_id: str,
        attack: str,
        severity: Severity,
        location: str,
        evidence: str,
        title: str = "",
        cwe: str = "",
        detail: str = "",
        record: int | None = None,
    ) -> None:
        put = object.__setattr__  # frozen: assignment goes around FrozenRecord.__setattr__
        put(self, "rule_id", rule_id)
        put(self, "attack", attack)
        put(self, "severity", severity)
        put(self, "location", location)
        put(self, "evidence", evidence)
        put(self, "title", title)
        put(self, "cwe", cwe)
        put(self, "detail", detail)
        put(self, "record", record)


class Verdict(Record):
    __slots__ = (
        "allowed",
        "batch",
        "blocked",
        "blocked_records",
        "budget_exhausted",
        "bytes_scanned",
        "duration_us",
        "error",
        "extra",
        "findings",
        "incomplete_reason",
        "record_count",
        "strings_scanned",
        "trigger",
    )
    _fields = (
        "blocked",
        "findings",
        "trigger",
        "budget_exhausted",
        "incomplete_reason",
        "error",
        "blocked_records",
        "duration_us",
        "extra",
        "batch",
        "record_count",
        "allowed",
        "strings_scanned",
        "bytes_scanned",
    )

    blocked: bool
    findings: list[Finding]
    trigger: str
    budget_exhausted: bool  # inspection stopped early; see ``incomplete_reason``
    incomplete_reason: str
    error: str  # internal error text when inspection failed; the fail mode decided ``blocked``
    blocked_records: list[int]  # batch triggers: records to drop
    duration_us: float
    extra: dict[str, Any]
    # Additive fields (engine): batch triggers can drop ``blocked_records`` and process the rest.
    batch: bool
    record_count: int  # records in a batch event (0 for non-batch triggers)
    allowed: int  # findings suppressed by the policy's allow rules
    strings_scanned: int
    bytes_scanned: int

    def __init__(
        self,
        blocked: bool = False,
        findings: list[Finding] | None = None,
        trigger: str = "unknown",
        budget_exhausted: bool = False,
        incomplete_reason: str = "",
        error: str = "",
        blocked_records: list[int] | None = None,
        duration_us: float = 0.0,
        extra: dict[str, Any] | None = None,
        batch: bool = False,
        record_count: int = 0,
        allowed: int = 0,
        strings_scanned: int = 0,
        bytes_scanned: int = 0,
    ) -> None:
        self.blocked = blocked
        self.findings = [] if findings is None else findings
        self.trigger = trigger
        self.budget_exhausted = budget_exhausted
        self.incomplete_reason = incomplete_reason
        self.error = error
        self.blocked_records = [] if blocked_records is None else blocked_records
        self.duration_us = duration_us
        self.extra = {} if extra is None else extra
        self.batch = batch
        self.record_count = record_count
        self.allowed = allowed
        self.strings_scanned = strings_scanned
        self.bytes_scanned = bytes_scanned

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
