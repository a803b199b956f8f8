"""One security-event schema shared by the firewall, the runtime and the console.

Aligned with OCSF 1.3 "Detection Finding" (class_uid 2004) where its fields fit: ``time``,
``severity_id``, ``finding_info`` (uid, title, types, analytic = the rule), ``disposition_id``
(blocked/alerted). What OCSF has no field for (where in the Lambda event the payload was, the trigger
type, cold start) sits in ``unmapped`` under names of our own, so an OCSF consumer still reads the
event and a hullguard consumer loses nothing.

A scanner finding (``hullguard.model.finding.Finding``) is a separate record, but uses the same
``Severity`` and risk ids, so the console can show both side by side.

Standard library only: this module is imported inside every protected function, so it imports
neither ``typing`` nor ``dataclasses`` (see ``record.py``).
"""

from __future__ import annotations

import os
import time
from enum import Enum  # already imported by ``re``: an Enum class here costs about 0.1 ms

from hullguard._version import __version__
from hullguard.events.record import FrozenRecord, Record
from hullguard.events.redact import mask_secrets

TYPE_CHECKING = False
if TYPE_CHECKING:  # ``typing`` costs about 3 ms of every cold start; type checkers see it here
    from typing import Any

SCHEMA_VERSION = "hullguard.event/1"
OCSF_VERSION = "1.3.0"
DETECTION_FINDING_CLASS_UID = 2004
FINDINGS_CATEGORY_UID = 2
EVIDENCE_LIMIT = 512  # characters of decoded payload kept as evidence

# The brief's "Top Risks", as the ids every part tags its findings and events with.
RISKS: tuple[str, ...] = (
    "event-injection",
    "broken-authentication",
    "insecure-configuration",
    "over-privileged",
    "inadequate-logging",
    "vulnerable-dependency",
    "insecure-secrets",
    "denial-of-service",
    "flow-manipulation",
    "verbose-errors",
    "ungoverned-assets",
    "cross-execution-persistence",
    "credential-leakage",
    "out-of-band-deployment",
)


class Severity(str, Enum):
    """OCSF severity names; ``id`` is OCSF's ``severity_id``."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def id(self) -> int:
        return _SEVERITY_IDS[self]

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls(text.strip().lower())
        except ValueError:
            names = ", ".join(s.value for s in cls)
            raise ValueError(f"unknown severity {text!r}; expected one of {names}") from None

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.id >= other.id

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.id > other.id

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.id <= other.id

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.id < other.id


_SEVERITY_IDS = {
    Severity.INFO: 1,
    Severity.LOW: 2,
    Severity.MEDIUM: 3,
    Severity.HIGH: 4,
    Severity.CRITICAL: 5,
}


class Action(str, Enum):
    """What the policy did with what it saw. ``disposition_id`` follows OCSF."""

    BLOCKED = "blocked"
    ALERTED = "alerted"
    ALLOWED = "allowed"

    @property
    def disposition_id(self) -> int:
        return {Action.BLOCKED: 2, Action.ALERTED: 15, Action.ALLOWED: 1}[self]


class FunctionContext(FrozenRecord):
    """Which invocation an event belongs to, read from the Lambda context object."""

    __slots__ = ("arn", "name", "region", "request_id", "version")
    _fields = ("name", "version", "request_id", "arn", "region")

    name: str
    version: str
    request_id: str
    arn: str
    region: str

    def __init__(
        self, name: str = "", version: str = "", request_id: str = "", arn: str = "", region: str = ""
    ) -> None:
        put = object.__setattr__  # frozen: assignment goes around our own __setattr__
        put(self, "name", name)
        put(self, "version", version)
        put(self, "request_id", request_id)
        put(self, "arn", arn)
        put(self, "region", region)

    @classmethod
    def from_lambda_context(cls, context: object | None) -> FunctionContext:
        """Read a Lambda context defensively: a missing attribute is an empty string."""
        if context is None:
            return cls()

        def attr(name: str) -> str:
            value = getattr(context, name, "")
            return value if isinstance(value, str) else ""

        arn = attr("invoked_function_arn")
        parts = arn.split(":")
        return cls(
            name=attr("function_name"),
            version=attr("function_version"),
            request_id=attr("aws_request_id"),
            arn=arn,
            region=parts[3] if len(parts) > 3 else "",
        )


class SecurityEvent(Record):
    """One decision of the firewall or the runtime, serialised as one JSON line."""

    __slots__ = (
        "action",
        "attack",
        "cold_start",
        "cwe",
        "detail",
        "evidence",
        "function",
        "location",
        "risk",
        "rule_id",
        "severity",
        "source",
        "time_ms",
        "title",
        "trigger",
        "uid",
    )
    _fields = (
        "source",
        "rule_id",
        "title",
        "severity",
        "action",
        "attack",
        "risk",
        "location",
        "evidence",
        "trigger",
        "cold_start",
        "function",
        "cwe",
        "detail",
        "time_ms",
        "uid",
    )

    source: str  # "firewall" or "runtime"
    rule_id: str
    title: str
    severity: Severity
    action: Action
    attack: str  # attack class or runtime control, e.g. "sqli", "outbound-network"
    risk: str  # one of RISKS
    location: str  # path in the event (firewall) or the resource touched (runtime)
    evidence: str  # decoded excerpt, truncated and with secrets masked
    trigger: str  # trigger type, e.g. "api-gateway-rest", "sqs"
    cold_start: bool
    function: FunctionContext
    cwe: str
    detail: dict[str, Any]  # forensic extras (policy rule, stack, ...)
    time_ms: int
    uid: str

    def __init__(
        self,
        source: str,
        rule_id: str,
        title: str,
        severity: Severity,
        action: Action,
        attack: str,
        risk: str = "event-injection",
        location: str = "",
        evidence: str = "",
        trigger: str = "",
        cold_start: bool = False,
        function: FunctionContext | None = None,
        cwe: str = "",
        detail: dict[str, Any] | None = None,
        time_ms: int | None = None,
        uid: str | None = None,
    ) -> None:
        self.source = source
        self.rule_id = rule_id
        self.title = title
        self.severity = severity
        self.action = action
        self.attack = attack
        self.risk = risk
        self.location = location
        self.evidence = truncate(mask_secrets(evidence), EVIDENCE_LIMIT)
        self.trigger = trigger
        self.cold_start = cold_start
        self.function = FunctionContext() if function is None else function
        self.cwe = cwe
        self.detail = {} if detail is None else detail
        self.time_ms = int(time.time() * 1000) if time_ms is None else time_ms
        self.uid = _new_uid() if uid is None else uid

    def to_dict(self) -> dict[str, Any]:
        """OCSF Detection Finding shape, with Lambda specifics under ``unmapped``."""
        return {
            "schema": SCHEMA_VERSION,
            "class_uid": DETECTION_FINDING_CLASS_UID,
            "category_uid": FINDINGS_CATEGORY_UID,
            "activity_id": 1,
            "type_uid": DETECTION_FINDING_CLASS_UID * 100 + 1,
            "time": self.time_ms,
            "severity": self.severity.value,
            "severity_id": self.severity.id,
            "action": self.action.value,
            "disposition_id": self.action.disposition_id,
            "metadata": {
                "version": OCSF_VERSION,
                "product": {"name": "hullguard", "vendor_name": "hullguard", "version": __version__},
            },
            "finding_info": {
                "uid": self.uid,
                "title": self.title,
                "types": [self.attack],
                "analytic": {"uid": self.rule_id, "name": self.rule_id, "type": "Rule", "type_id": 1},
            },
            "cloud": {"provider": "AWS", "region": self.function.region},
            "unmapped": {
                "source": self.source,
                "risk": self.risk,
                "cwe": self.cwe,
                "location": self.location,
                "evidence": self.evidence,
                "trigger": self.trigger,
                "cold_start": self.cold_start,
                "function": {
                    "name": self.function.name,
                    "version": self.function.version,
                    "request_id": self.function.request_id,
                    "arn": self.function.arn,
                },
                "detail": self.detail,
            },
        }

    def to_json_line(self) -> str:
        """One line of JSON, safe for CloudWatch Logs (no raw newlines, ASCII only)."""
        import json  # imported here, like uuid below: the firewall's cold start needs neither

        return json.dumps(self.to_dict(), separators=(",", ":"), ensure_ascii=True, default=str)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SecurityEvent:
        """Inverse of ``to_dict``; raises ``ValueError`` with the field at fault on bad input."""
        if data.get("schema") != SCHEMA_VERSION:
            raise ValueError(f"unsupported schema {data.get('schema')!r}; expected {SCHEMA_VERSION!r}")
        try:
            info = data["finding_info"]
            extra = data.get("unmapped", {})
            fn = extra.get("function", {})
            return cls(
                source=str(extra.get("source", "")),
                rule_id=str(info["analytic"]["uid"]),
                title=str(info.get("title", "")),
                severity=Severity.parse(str(data["severity"])),
                action=Action(str(data["action"])),
                attack=str((info.get("types") or [""])[0]),
                risk=str(extra.get("risk", "event-injection")),
                location=str(extra.get("location", "")),
                evidence=str(extra.get("evidence", "")),
                trigger=str(extra.get("trigger", "")),
                cold_start=bool(extra.get("cold_start", False)),
                function=FunctionContext(
                    name=str(fn.get("name", "")),
                    version=str(fn.get("version", "")),
                    request_id=str(fn.get("request_id", "")),
                    arn=str(fn.get("arn", "")),
                    region=str(data.get("cloud", {}).get("region", "")),
                ),
                cwe=str(extra.get("cwe", "")),
                detail=dict(extra.get("detail", {})),
                time_ms=int(data["time"]),
                uid=str(info["uid"]),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"malformed security event: missing or wrong field {exc}") from None


def truncate(text: str, limit: int) -> str:
    """Cut ``text`` to ``limit`` characters, marking the cut so nobody mistakes it for the whole."""
    if len(text) <= limit:
        return text
    return text[: limit - 1] + "…"


def _new_uid() -> str:
    # 128 random bits, as uuid4 has, without importing uuid (it imports platform: a few ms of every
    # cold start) and without any import at all, since events are also built inside audit hooks.
    return os.urandom(16).hex()
