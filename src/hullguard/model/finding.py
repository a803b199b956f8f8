"""A posture finding: what a scanner, IAM or cloud-audit rule says about the application model."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hullguard.events.schema import RISKS, Severity


@dataclass(slots=True)
class Finding:
    rule_id: str
    title: str
    severity: Severity
    risk: str  # one of hullguard.events.RISKS
    message: str
    file: str = ""  # relative to the scanned root
    line: int | None = None
    function: str | None = None  # logical id
    resource: str | None = None  # logical id of the resource concerned
    remediation: str = ""
    application: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.risk not in RISKS:
            raise ValueError(f"finding {self.rule_id}: unknown risk {self.risk!r}")

    @property
    def fingerprint(self) -> str:
        """Stable identity for baselines: no line numbers, so unrelated edits do not churn it."""
        return "|".join((self.rule_id, self.file, self.function or "", self.resource or "", self.message))

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "title": self.title,
            "severity": self.severity.value,
            "risk": self.risk,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "function": self.function,
            "resource": self.resource,
            "remediation": self.remediation,
            "application": self.application,
            "detail": self.detail,
            "fingerprint": self.fingerprint,
        }
