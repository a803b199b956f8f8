"""Turn runtime decisions into security events: one JSON line on stdout each, plus the forwarder.

``Reporter.decide(level, ...)`` is the one place that knows what block/alert/allow, the global mode
(``HULLGUARD_MODE=alert``) and learn mode mean; it returns True when the caller must stop the
operation. Every event carries forensic detail: the control, the policy rule that decided, what was
observed and a short excerpt of the user's stack that asked for it.
"""

from __future__ import annotations

import contextlib
import json  # noqa: F401 - imported now: events are written from inside audit hooks (see below)
import os
import sys
import threading

from hullguard.events.schema import Action, FunctionContext, SecurityEvent, Severity
from hullguard.runtime.policy import ALLOW, BLOCK
from hullguard.runtime.state import PACKAGE_DIR, STATE

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TextIO

    from hullguard.runtime.forwarder import Forwarder  # imported (with urllib) only when one is configured

# json (used by SecurityEvent.to_json_line) is imported with this module on purpose: events are written
# from inside audit hooks, where a first import would raise audit events of its own and be judged, under
# fail mode closed, as blocked operations.
STACK_FRAMES = 5
LEARN_RULE = "HG-RT-LEARN-001"


class Rule:
    """What a control reports: a stable id, a title and how bad it is.

    A slotted class rather than a frozen dataclass: about 25 of these are defined at import, and
    each dataclass definition costs a few hundred microseconds of the cold start.
    """

    __slots__ = ("attack", "cwe", "risk", "rule_id", "severity", "title")

    def __init__(self, rule_id: str, title: str, attack: str, risk: str, severity: Severity, cwe: str = "") -> None:
        self.rule_id = rule_id
        self.title = title
        self.attack = attack  # the runtime control, e.g. "outbound-network"
        self.risk = risk  # one of hullguard.events.RISKS
        self.severity = severity
        self.cwe = cwe

    def __repr__(self) -> str:
        return f"Rule({self.rule_id!r})"


class Reporter:
    def __init__(self, stream: TextIO | None = None, *, mode: str = BLOCK, learn: bool = False,
                 forwarder: Forwarder | None = None, secrets: tuple[str, ...] = ()) -> None:
        self.stream = stream if stream is not None else sys.stdout
        self.mode = mode
        self.learn = learn
        self.forwarder = forwarder
        self.secrets = tuple(s for s in secrets if len(s) >= 8)
        self._lock = threading.Lock()
        self._learned: set[tuple[str, str]] = set()
        self.emitted = 0
        # outside an invocation (cold start, background threads) events still name the function
        self.environment = FunctionContext(
            name=os.environ.get("AWS_LAMBDA_FUNCTION_NAME", ""),
            version=os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", ""),
            region=os.environ.get("AWS_REGION", ""),
        )

    def decide(self, level: str, rule: Rule, *, location: str, policy_rule: str, evidence: str = "",
               observed: dict[str, Any] | None = None, detail: dict[str, Any] | None = None) -> bool:
        """Report per ``level``; True means the caller must block the operation."""
        if level == ALLOW:
            if self.learn and observed is not None:
                self.record(observed)
            return False
        block = level == BLOCK and self.mode == BLOCK and not self.learn
        inv = STATE.invocation
        if not block and inv is not None:  # one alert per rule and place per invocation, not one per call
            key = (rule.rule_id, location)
            reported = inv.reported
            if reported is None:
                reported = inv.reported = set()
            elif key in reported:
                return False
            reported.add(key)
        extra: dict[str, Any] = {"control": rule.attack, "policy_rule": policy_rule, "mode": self.mode,
                                 "stack": caller_stack()}
        if observed is not None:
            extra["observed"] = observed
        if detail:
            extra.update(detail)
        if level == BLOCK and not block:
            extra["would_block"] = True
        self.emit(rule, Action.BLOCKED if block else Action.ALERTED, location, evidence, extra)
        return block

    def record(self, observed: dict[str, Any]) -> None:
        """Learn mode: note one thing the function did, once per execution environment."""
        key = (str(observed.get("kind", "")), str(observed.get("value", "")))
        if key in self._learned:
            return
        self._learned.add(key)
        self.emit(_LEARNED, Action.ALLOWED, key[1], "", {"control": "learn", "observed": observed})

    def emit(self, rule: Rule, action: Action, location: str, evidence: str, detail: dict[str, Any],
             source: str = "runtime") -> None:
        inv = STATE.invocation
        event = SecurityEvent(
            source=source,
            rule_id=rule.rule_id,
            title=rule.title,
            severity=rule.severity,
            action=action,
            attack=rule.attack,
            risk=rule.risk,
            location=location,
            evidence=self.mask(evidence),
            trigger=inv.trigger if inv else "",
            cold_start=inv.cold_start if inv else not STATE.started,
            function=inv.function if inv else self.environment,
            cwe=rule.cwe,
            detail=detail,
        )
        self.write(event)

    def write(self, event: SecurityEvent) -> None:
        """The stdout copy first (never lost), then the forwarder's."""
        line = self.mask(event.to_json_line())
        with self._lock:
            try:
                self.stream.write(line + "\n")
                self.stream.flush()
            except Exception:  # noqa: S110 - a closed stdout cannot be reported anywhere else
                pass
            self.emitted += 1
        if self.forwarder is not None:
            with contextlib.suppress(Exception):  # the remote copy is best effort by design
                self.forwarder.enqueue(event.to_dict())

    def mask(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, "****")
        return text

    def internal_error(self, where: str, exc: BaseException, fail_mode: str) -> None:
        """A bug in hullguard: report it; the caller applies the fail mode."""
        try:
            detail = {"control": "internal", "where": where, "error": f"{type(exc).__name__}: {exc}"[:500],
                      "fail_mode": fail_mode, "stack": caller_stack()}
            self.emit(_INTERNAL, Action.ALLOWED if fail_mode == "open" else Action.BLOCKED, where, "", detail)
        except Exception:  # noqa: S110 - reporting the report's failure would loop
            pass


_LEARNED = Rule(LEARN_RULE, "Learn mode: behaviour observed", "learn", "over-privileged", Severity.INFO)
_INTERNAL = Rule("HG-RT-INT-001", "hullguard internal error; fail mode applied", "internal",
                 "inadequate-logging", Severity.MEDIUM)


def caller_stack(limit: int = STACK_FRAMES) -> list[str]:
    """``file:line in function`` for the innermost user frames, hullguard's own frames left out."""
    out: list[str] = []
    try:
        frame = sys._getframe(1)
    except ValueError:
        return out
    while frame is not None and len(out) < limit:
        filename = frame.f_code.co_filename
        if not filename.startswith(PACKAGE_DIR) and not filename.startswith("<frozen"):
            out.append(f"{filename}:{frame.f_lineno} in {frame.f_code.co_name}")
        frame = frame.f_back  # type: ignore[assignment]
    return out
