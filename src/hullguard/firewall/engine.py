"""The firewall engine: trigger -> decoders -> prefilter -> detectors -> policy -> verdict.

1. The trigger module names the attacker-controlled parts of the event (``triggers/``).
2. A walk with an explicit stack (no recursion) visits every key and string inside those parts and
   decodes each string once per encoding it shows a marker of (``decoders/``), producing "views".
3. All views are joined and lower-cased once; each family's prefilter makes one pass over them,
   jumping to the next view after each hit; on the clean path these passes are the whole cost.
4. Only views the prefilter matches go to the matching families' ``scan`` (guarded: a detector bug
   becomes an ``HG-INTERNAL-001`` finding, never an exception).
5. The policy drops allowed findings and decides ``blocked``; budgets stop the work early and say so.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from time import perf_counter
from types import ModuleType
from typing import Any

from hullguard.events.schema import truncate
from hullguard.firewall.detectors import FAMILIES
from hullguard.firewall.detectors.base import RuleInfo
from hullguard.firewall.inspection import Inspection
from hullguard.firewall.policy import FirewallPolicy, PolicyError, coerce_policy
from hullguard.firewall.prefilter import (
    PLACEHOLDER_PREFILTER,
    PreparedDetector,
    compile_joined,
    load_detectors,
    prefilter_source,
)
from hullguard.firewall.rules import BUDGET_RULE, ENGINE_RULES, INTERNAL_RULE
from hullguard.firewall.verdict import Finding, Verdict


class Firewall:
    """``Firewall(policy=...)``; ``inspect(event) -> Verdict`` never raises."""

    def __init__(
        self,
        policy: FirewallPolicy | Mapping[str, Any] | str | os.PathLike[str] | None = None,
        *,
        detectors: Sequence[ModuleType] | None = None,
    ) -> None:
        self.policy = coerce_policy(policy)
        self.load_errors: list[str] = []
        if detectors is None:
            modules, self.load_errors = load_detectors(self.policy.enabled_families)
        else:
            modules = [m for m in detectors if getattr(m, "FAMILY", None) not in self.policy.disabled_families]
        self._detectors: list[PreparedDetector] = []
        self._rules: dict[str, RuleInfo] = {r.rule_id: r for r in ENGINE_RULES}
        for module in modules:
            try:
                family = str(module.FAMILY)
                source = prefilter_source(str(module.PREFILTER))
                joined, on_lowered = compile_joined(source)
                for rule in module.RULES:
                    self._rules[rule.rule_id] = rule
            except Exception as exc:
                self.load_errors.append(f"detector {getattr(module, '__name__', module)}: {exc}")
                continue
            if source == PLACEHOLDER_PREFILTER:
                continue  # a family whose detector is not written yet detects nothing
            self._detectors.append(PreparedDetector(family, module, joined, on_lowered))
        self._by_family = {d.family: d for d in self._detectors}
        self._lowered = [d for d in self._detectors if d.on_lowered]
        self._cased = [d for d in self._detectors if not d.on_lowered]

    def gate(self, text: str) -> list[str]:
        """The families whose prefilter matches ``text`` (for tools and tests)."""
        lowered = text.lower()
        return [d.family for d in self._detectors if d.joined.search(lowered if d.on_lowered else text)]

    @property
    def families(self) -> tuple[str, ...]:
        return tuple(d.family for d in self._detectors)

    @property
    def rules(self) -> dict[str, RuleInfo]:
        return dict(self._rules)

    def inspect(self, event: Any) -> Verdict:
        start = perf_counter()
        inspection = None
        try:
            inspection = Inspection(self, start)
            verdict = inspection.run(event)
        except Exception as exc:  # the contract: nothing escapes inspect()
            trigger = inspection.trigger if inspection is not None else "unknown"
            verdict = self._failed(f"{type(exc).__name__}: {exc}", trigger)
        verdict.duration_us = (perf_counter() - start) * 1e6
        return verdict

    def _failed(self, error: str, trigger: str = "unknown") -> Verdict:
        finding = Finding(
            rule_id=INTERNAL_RULE.rule_id,
            attack="internal-error",
            severity=INTERNAL_RULE.severity,
            location="",
            evidence="",
            title=INTERNAL_RULE.title,
            cwe=INTERNAL_RULE.cwe,
            detail=truncate(error, 300),
        )
        return Verdict(
            blocked=self.policy.fail_mode == "closed",
            findings=[finding],
            trigger=trigger,
            error=truncate(error, 500),
        )

    # Answers for blocked events live in response.py; these keep the documented API on Firewall.
    def respond(self, verdict: Verdict, event: Any) -> Any:
        """The answer a blocked event's caller expects (403 for HTTP triggers; see ``response.py``)."""
        from hullguard.firewall.response import respond

        return respond(verdict, event, self.policy)

    def filter_batch(self, event: Any, verdict: Verdict) -> Any:
        """A shallow copy of a batch event without the blocked records (see ``response.py``)."""
        from hullguard.firewall.response import filter_batch

        return filter_batch(event, verdict)

    def batch_item_failures(self, event: Any, verdict: Verdict) -> dict[str, list[dict[str, str]]]:
        """``{"batchItemFailures": [{"itemIdentifier": ...}]}`` for the blocked records."""
        from hullguard.firewall.response import batch_item_failures

        return batch_item_failures(event, verdict)


__all__ = ["BUDGET_RULE", "ENGINE_RULES", "FAMILIES", "INTERNAL_RULE", "Firewall", "PolicyError", "load_detectors"]
