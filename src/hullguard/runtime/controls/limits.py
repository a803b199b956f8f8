"""Denial of service signals: oversized events and invocations that run into their timeout.

The size is the event's compact JSON, measured when the firewall's inspection (bytes scanned,
time) says the event may be large (a small event skips the dump). The timeout is watched by one daemon thread,
armed per invocation with the deadline from ``context.get_remaining_time_in_millis()``: it reports
*before* Lambda kills the invocation, which an after-the-fact check could never do. The watchdog
polls (every 50 ms at most) instead of being woken, so arming it costs two attribute writes.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time

from hullguard.events.schema import Severity
from hullguard.runtime.policy import ALLOW, LimitsPolicy
from hullguard.runtime.report import Reporter, Rule
from hullguard.runtime.state import STATE, Invocation

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

OVERSIZED = Rule("HG-RT-LIM-001", "Oversized event (possible denial of service)", "limits", "denial-of-service",
                 Severity.MEDIUM, "CWE-400")
NEAR_TIMEOUT = Rule("HG-RT-LIM-002", "Invocation close to its timeout (possible denial of service)", "limits",
                    "denial-of-service", Severity.MEDIUM, "CWE-400")


# The firewall reads every string of the event; below this inspection time the event is small
# (tens of kilobytes at most), so the exact size is not worth a JSON dump on the hot path.
EXACT_SIZE_AFTER_US = 500.0
POLL_S = 0.05  # watchdog granularity: a timeout is reported at most this late


def event_size(event: Any) -> int:
    try:
        return len(json.dumps(event, separators=(",", ":"), default=str))
    except (TypeError, ValueError, RecursionError):
        return 0


class LimitControl:
    def __init__(self, policy: LimitsPolicy, reporter: Reporter) -> None:
        self.policy = policy
        self.reporter = reporter
        self._deadline = 0.0  # monotonic seconds at which to report; 0 = disarmed
        self._armed: Invocation | None = None
        self._thread: threading.Thread | None = None

    def check_size(self, event: Any, verdict: Any = None) -> bool:
        """True when the event must be rejected.

        The exact size costs a JSON dump, so it is measured only when the firewall's inspection of
        the same event (its bytes scanned and its time, both linear in the size) says the event may
        be large; without a verdict it is always measured.
        """
        if self.policy.event_size == ALLOW:
            return False
        if verdict is not None and not verdict.budget_exhausted \
                and getattr(verdict, "bytes_scanned", 0) * 4 < self.policy.max_event_bytes \
                and verdict.duration_us < EXACT_SIZE_AFTER_US:
            return False
        size = event_size(event)
        if size <= self.policy.max_event_bytes:
            return False
        return self.reporter.decide(self.policy.event_size, OVERSIZED, location="event",
                                    policy_rule="limits.max_event_bytes",
                                    evidence=f"{size} bytes > {self.policy.max_event_bytes}",
                                    detail={"bytes": size, "limit": self.policy.max_event_bytes})

    def arm(self, inv: Invocation, context: Any) -> None:
        """Two attribute writes: the watchdog polls, so arming never wakes a thread (no GIL hand-off)."""
        if self.policy.timeout == ALLOW:
            return
        getter = getattr(context, "get_remaining_time_in_millis", None)
        if getter is None:
            return
        remaining = int(getter())
        if remaining <= 0 or remaining > 15 * 60 * 1000:
            return
        self._armed = inv
        self._deadline = time.monotonic() + max(0, remaining - self.policy.timeout_margin_ms) / 1000
        if self._thread is None:
            self._thread = threading.Thread(target=self._watch, name="hullguard-watchdog", daemon=True)
            self._thread.start()

    def disarm(self) -> None:
        self._deadline = 0.0
        self._armed = None

    def _watch(self) -> None:
        STATE.internal_threads.add(threading.get_ident())
        while True:
            deadline, inv = self._deadline, self._armed
            now = time.monotonic()
            if not deadline or inv is None or now < deadline:
                time.sleep(POLL_S if not deadline else min(POLL_S, max(deadline - now, 0.001)))
                continue
            self._deadline, self._armed = 0.0, None
            if STATE.invocation is inv:
                with contextlib.suppress(Exception):  # the watchdog must survive anything
                    self.reporter.decide("alert", NEAR_TIMEOUT, location="context",
                                         policy_rule="limits.timeout_margin_ms",
                                         evidence=f"less than {self.policy.timeout_margin_ms} ms left",
                                         detail={"margin_ms": self.policy.timeout_margin_ms})
