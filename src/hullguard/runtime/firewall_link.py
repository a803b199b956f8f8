"""The runtime's use of the firewall: build it from the policy, turn its verdict into events and answers.

Kept in one module so the middleware does not care how the firewall spells things. The firewall's
event and answer modules are loaded when a verdict first needs them, not at cold start.
"""

from __future__ import annotations

import sys

from hullguard.firewall import Firewall
from hullguard.firewall.triggers import BATCH_TRIGGERS
from hullguard.runtime.report import Reporter
from hullguard.runtime.state import Invocation

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from hullguard.firewall import Verdict

__all__ = ["batch_outcome", "build_firewall", "emit_verdict", "is_firewall_block", "merge_failures"]

_RESPONSE_MODULE = "hullguard.firewall.response"


def is_firewall_block(exc: BaseException) -> bool:
    """``exc`` is the firewall's ``EventBlocked`` (its module is loaded by whoever raised one)."""
    module = sys.modules.get(_RESPONSE_MODULE)
    return module is not None and isinstance(exc, module.EventBlocked)


def build_firewall(section: Mapping[str, Any], report_only: bool) -> Firewall:
    """The firewall for the ``firewall:`` section; ``report_only`` (alert/learn mode) forces its mode."""
    data = dict(section)
    if report_only:
        data["mode"] = "alert"
    return Firewall(policy=data or None)


def emit_verdict(reporter: Reporter, verdict: Verdict, inv: Invocation) -> None:
    """One security event per finding (and one for a cut-short inspection), ``source="firewall"``."""
    from hullguard.firewall.events import security_events

    events = security_events(verdict, inv.function, inv.trigger, inv.cold_start)
    for event in events:
        event.evidence = reporter.mask(event.evidence)
        event.detail.setdefault("control", "firewall")
        event.detail["inspection_us"] = round(verdict.duration_us, 1)
        reporter.write(event)


def batch_outcome(fw: Firewall, verdict: Verdict, event: Any) -> tuple[Any, dict[str, Any] | None] | None:
    """For a batch with some clean records: (event without the blocked ones, batch item failures)."""
    if verdict.trigger not in BATCH_TRIGGERS or not verdict.blocked_records:
        return None
    filtered = fw.filter_batch(event, verdict)
    failures: dict[str, Any] | None = None
    if getattr(fw.policy, "report_batch_item_failures", True):
        failures = fw.batch_item_failures(event, verdict)
    return filtered, failures


def merge_failures(result: Any, failures: dict[str, Any] | None) -> Any:
    """Add the firewall's batch item failures to what the handler returned."""
    if not failures:
        return result
    items = failures.get("batchItemFailures") or []
    if not items:
        return result
    if result is None:
        return {"batchItemFailures": list(items)}
    if isinstance(result, dict):
        merged = dict(result)
        merged["batchItemFailures"] = list(result.get("batchItemFailures") or []) + list(items)
        return merged
    return result  # a handler answering something else keeps its answer; the events record the drop
