"""Denial of service signals: oversized events and invocations that run into their timeout.

The size is measured as the event's compact JSON (C speed; a small API Gateway event costs a few
microseconds). The timeout is watched by one daemon thread, armed per invocation with the deadline
from ``context.get_remaining_time_in_millis()``: it reports *before* Lambda kills the invocation,
which an after-the-fact check could never do.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from hullguard.events.schema import Severity
from hullguard.runtime.policy import ALLOW, LimitsPolicy
from hullguard.runtime.report import Reporter, Rule
from hullguard.runtime.state import STATE, Invocation

OVERSIZED = Rule("HG-RT-LIM-001", "Oversized event (possible denial of service)", "limits", "denial-of-service",
                 Severity.MEDIUM, "CWE-400")
NEAR_TIMEOUT = Rule("HG-RT-LIM-002", "Invocation close to its timeout (possible denial of service)", "limits",
                    "denial-of-service", Severity.MEDIUM, "CWE-400")


def event_size(event: Any) -> int:
    try:
        return len(json.dumps(event, separators=(",", ":"), default=str))
    except (TypeError, ValueError, RecursionError):
        return 0


class LimitControl:
    def __init__(self, policy: LimitsPolicy, reporter: Reporter) -> None:
        self.policy = policy
        self.reporter = reporter
        self._cond = threading.Condition()
        self._deadline = 0.0  # monotonic seconds at which to report; 0 = disarmed
        self._armed: Invocation | None = None
        self._thread: threading.Thread | None = None

    def check_size(self, event: Any) -> bool:
        """True when the event must be rejected."""
        if self.policy.event_size == ALLOW:
            return False
        size = event_size(event)
        if size <= self.policy.max_event_bytes:
            return False
        return self.reporter.decide(self.policy.event_size, OVERSIZED, location="event", policy_rule="limits.max_event_bytes",
                                    evidence=f"{size} bytes > {self.policy.max_event_bytes}",
                                    detail={"bytes": size, "limit": self.policy.max_event_bytes})

    def arm(self, inv: Invocation, context: Any) -> None:
        if self.policy.timeout == ALLOW:
            return
        getter = getattr(context, "get_remaining_time_in_millis", None)
        if getter is None:
            return
        remaining = int(getter())
        if remaining <= 0 or remaining > 15 * 60 * 1000:
            return
        with self._cond:
            self._deadline = time.monotonic() + max(0, remaining - self.policy.timeout_margin_ms) / 1000
            self._armed = inv
            self._cond.notify()
        if self._thread is None:
            self._thread = threading.Thread(target=self._watch, name="hullguard-watchdog", daemon=True)
            self._thread.start()

    def disarm(self) -> None:
        if self._armed is not None:
            with self._cond:
                self._deadline = 0.0
                self._armed = None

    def _watch(self) -> None:
        STATE.internal_threads.add(threading.get_ident())
        while True:
            with self._cond:
                while not self._deadline:
                    self._cond.wait()
                delay = self._deadline - time.monotonic()
                if delay > 0:
                    self._cond.wait(delay)
                    continue
                inv, self._armed, self._deadline = self._armed, None, 0.0
            if inv is not None and STATE.invocation is inv:
                try:
                    self.reporter.decide("alert", NEAR_TIMEOUT, location="context", policy_rule="limits.timeout_margin_ms",
                                         evidence=f"less than {self.policy.timeout_margin_ms} ms left",
                                         detail={"margin_ms": self.policy.timeout_margin_ms})
                except Exception:  # noqa: S110 - the watchdog must survive anything
                    pass
