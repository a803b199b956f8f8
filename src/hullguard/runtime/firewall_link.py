"""The runtime's use of the firewall: build it from the policy, turn its verdict into events and answers.

Kept in one module so the middleware does not care how the firewall spells things.
"""

from __future__ import annotations

from hullguard.firewall import Firewall, Verdict
from hullguard.firewall.events import security_events
from hullguard.firewall.response import EventBlocked
from hullguard.firewall.triggers import BATCH_TRIGGERS
from hullguard.runtime.report import Reporter
from hullguard.runtime.state import Invocation

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

__all__ = ["EventBlocked", "batch_outcome", "build_firewall", "emit_verdict", "merge_failures"]


def build_firewall(section: Mapping[str, Any], report_only: bool) -> Firewall:
    """The firewall for the ``firewall:`` section; ``report_only`` (alert/learn mode) forces its mode."""
    data = dict(section)
    if report_only:
        data["mode"] = "alert"
    return Firewall(policy=data or None)


def emit_verdict(reporter: Reporter, verdict: Verdict, inv: Invocation) -> None:
    """One security event per finding (and one for a cut-short inspection), ``source="firewall"``."""
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
