"""The firewall engine: trigger -> decoders -> prefilter -> detectors -> policy -> verdict.

1. The trigger module names the attacker-controlled parts of the event (``triggers/``).
2. A walk with an explicit stack (no recursion) visits every key and string inside those parts and
   decodes each string once per encoding it shows a marker of (``decoders/``), producing "views".
3. All views are joined and lower-cased once; the RE2 gate (``gate.py``) names the families whose
   prefilter may match; each of those makes its exact pass, jumping to the next view after each hit.
4. Only views the prefilter matches go to the matching families' ``scan`` (guarded: a detector bug
   becomes an ``HG-INTERNAL-001`` finding, never an exception).
5. The policy drops allowed findings and decides ``blocked``; budgets stop the work early and say so.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from time import perf_counter
from types import ModuleType

from hullguard.events.schema import truncate
from hullguard.firewall.detectors import FAMILIES
from hullguard.firewall.detectors.base import Detection, RuleInfo
from hullguard.firewall.detectors.prefilters import GATE_SPLITS, GATES, PREFILTERS
from hullguard.firewall.gate import Gate
from hullguard.firewall.header_shapes import Shape
from hullguard.firewall.inspection import Inspection
from hullguard.firewall.memo import MAX_TEXT as MEMO_TEXT
from hullguard.firewall.memo import DetectorMemo
from hullguard.firewall.memo import key_of as memo_key
from hullguard.firewall.policy import FirewallPolicy, PolicyError, coerce_policy
from hullguard.firewall.prefilter import (
    PLACEHOLDER_PREFILTER,
    SEPARATOR,
    PreparedDetector,
    compile_joined,
    load_detectors,
    prefilter_source,
    split_passes,
)
from hullguard.firewall.rules import BUDGET_RULE, ENGINE_RULES, INTERNAL_RULE
from hullguard.firewall.scanner import scan_context
from hullguard.firewall.verdict import Finding, Verdict

TYPE_CHECKING = False  # not typing's: importing typing costs about 3 ms of every cold start
if TYPE_CHECKING:
    from typing import Any

    from hullguard.firewall.scanner import Meta


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
        self._detectors: list[PreparedDetector] = []
        self._rules: dict[str, RuleInfo] = {r.rule_id: r for r in ENGINE_RULES}
        self._rules_complete = detectors is not None
        if detectors is None:
            # Default rules: prefilters from the generated registry; each detector module is
            # imported when its prefilter first matches (a clean cold start imports none).
            for family in self.policy.enabled_families:
                source = PREFILTERS.get(family)
                if source is None:  # not in the registry: import it now to learn its prefilter
                    modules, errors = load_detectors((family,))
                    self.load_errors.extend(errors)
                    self._add(modules[0] if modules else None, family)
                else:
                    self._prepare(family, source, None, family, GATES.get(family))
        else:
            for module in detectors:
                if getattr(module, "FAMILY", None) not in self.policy.disabled_families:
                    self._add(module, str(getattr(module, "__name__", module)))
        self._by_family = {d.family: d for d in self._detectors}
        self._order = {d.family: i for i, d in enumerate(self._detectors)}  # the order families run in
        self._memo = DetectorMemo()  # detector answers for repeated header values (``memo.py``)
        # per header shape that rules some families out, the families it leaves: their positions in
        # the gate, and those the gate cannot judge (see ``may_carry``)
        self._shape_checks: dict[str, tuple[frozenset[int], list[PreparedDetector]]] = {}
        self._lowered = [d for d in self._detectors if d.on_lowered]
        self._cased = [d for d in self._detectors if not d.on_lowered]
        patterns, extra, self._splits = self._split_gate()
        self._gate = Gate.build(patterns, [d.family for d in self._lowered], extra)
        if self._gate is None:  # no RE2: every pass runs on every event, so compile them now
            for det in self._lowered:
                det.passes  # noqa: B018 (compiles on first access)

    def _split_gate(
        self,
    ) -> tuple[list[str | None], list[tuple[int, str]], dict[int, tuple[int, re.Pattern[str]]]]:
        """The gate's patterns and extra patterns (``Gate.build``), and its splits. A family whose prefilter
        starts with a character class most benign values match (``GATE_SPLITS``: the command
        prefilter's separators, an "&" in every URL with a query) is matched as two patterns, that
        class and the rest: where the rest matches no view, its views are found by one search for the
        class instead of RE2's search for the whole prefilter over the joined views (about 40 us on a
        browser request's new query string). Splits: position -> (the rest's position in the gate's
        answers, the class for the lower-cased views)."""
        patterns = [d.gate for d in self._lowered]
        extra: list[tuple[int, str]] = []
        splits: dict[int, tuple[int, re.Pattern[str]]] = {}
        for position, det in enumerate(self._lowered):
            split = GATE_SPLITS.get(det.family)
            registered = GATES.get(det.family)
            # a module given to Firewall(detectors=...) may declare another prefilter under the name
            if split is None or registered is None or det.gate != registered[0]:
                continue
            common, common_gate, rest_gate = split
            patterns[position] = common_gate
            splits[position] = (len(patterns) + len(extra), re.compile(common))
            extra.append((position, rest_gate))
        return patterns, extra, splits

    def _add(self, module: ModuleType | None, name: str) -> None:
        if module is None:
            return
        try:
            family = str(module.FAMILY)
            source = str(module.PREFILTER)
            for rule in module.RULES:
                self._rules[rule.rule_id] = rule
        except Exception as exc:
            self.load_errors.append(f"detector {getattr(module, '__name__', name)}: {exc}")
            return
        self._prepare(family, source, module, getattr(module, "__name__", name))

    def _prepare(
        self, family: str, source: str, module: ModuleType | None, name: str, gate: tuple[str, str] | None = None
    ) -> None:
        source = prefilter_source(source)
        if source == PLACEHOLDER_PREFILTER:
            return  # a family whose detector is not written yet detects nothing
        if gate is not None:
            # Translated for the gate, so it lowers cleanly; its exact passes are compiled when the
            # gate first names the family (on most functions' traffic, a few families ever).
            self._detectors.append(PreparedDetector(family, None, True, module, None, source, gate))
            return
        # Split passes when they help (see ``split_passes``); the whole pattern is then compiled only
        # if something needs it, otherwise it is the one pass.
        passes = split_passes(source)
        if passes:
            self._detectors.append(PreparedDetector(family, None, True, module, passes, source))
            return
        try:
            joined, on_lowered = compile_joined(source)
        except Exception as exc:
            self.load_errors.append(f"detector {name}: {exc}")
            return
        self._detectors.append(PreparedDetector(family, joined, on_lowered, module, (), source))

    def module_of(self, det: PreparedDetector) -> ModuleType | None:
        """``det``'s module (imported on first use, its rules added); None when it cannot load."""
        loaded = det.loaded
        if loaded is not None:
            return loaded
        module = det.module
        if module is None:
            if det.load_error and det.load_error not in self.load_errors:
                self.load_errors.append(det.load_error)
            return None
        for rule in getattr(module, "RULES", ()):
            self._rules.setdefault(rule.rule_id, rule)
        det.entry = getattr(module, "scan_unfiltered", None) or getattr(module, "scan", None)
        det.loaded = module
        return module

    def finds_nothing(self, family: str, value: str, location: str) -> bool:
        """Whether this firewall's ``family`` detector, asked about the header ``value`` at ``location``
        as the scanner would ask it, finds nothing (a family the policy turned off finds nothing). The
        answer goes into the detector memo under the scanner's key, so a value seen again (in events
        with findings, which the clean-value memo skips) or then scanned as a view is not asked twice.
        False when it cannot tell (its module does not load, it raised or answered nonsense): the value
        is then a view, and the scanner reports what went wrong."""
        det = self._by_family.get(family)
        if det is None:
            return True
        if self.module_of(det) is None or det.entry is None:
            return False
        ctx = scan_context(self.policy.paranoia, False, location, "")  # a header value, no content type
        key = memo_key(family, value, ctx)
        known, answer = self._memo.get(key)
        if not known:
            try:
                answer = det.entry(value, ctx)  # type: ignore[assignment]  # checked below
            except Exception:
                return False
            if answer is not None and not isinstance(answer, Detection):
                return False
            if len(value) <= MEMO_TEXT:
                self._memo.put(key, answer)
        return answer is None

    def may_carry(self, shaped: list[tuple[Shape, str, Meta]]) -> bool:
        """Whether the prefilter of a family that its shape does not rule out matches one of these
        header values, each in its shape: only such a value must be inspected (``header_shapes.py``).
        The shapes are ASCII, so the gate answers for the lower-cased families in one RE2 match over
        all the values (a Python search of the SSRF or deserialization prefilter alone costs several
        times that on a User-Agent)."""
        positions: frozenset[int] = frozenset()
        exact: list[PreparedDetector] = []
        for shape, _, _ in shaped:
            checks = self._shape_checks.get(shape.name)
            if checks is None:
                checks = self._shape_checks[shape.name] = self._kept_prefilters(shape.rules_out or frozenset())
            positions = checks[0] if not positions else positions | checks[0]
            exact.extend(det for det in checks[1] if det not in exact)
        values = [value for _, value, _ in shaped]
        if positions:
            joined = SEPARATOR.join(values).lower()
            if self._gate is None or not joined.isascii():  # the grammars are ASCII: never, but be sure
                return True
            if self._gate.may_match(joined.encode("ascii"), positions) is not False:
                return True  # a family matches (or the gate cannot tell): inspect
        for det in exact:
            for value in values:
                if det.joined.search(value.lower() if det.on_lowered else value) is not None:
                    return True
        return False

    def _kept_prefilters(self, rules_out: frozenset[str]) -> tuple[frozenset[int], list[PreparedDetector]]:
        """The families ``rules_out`` leaves: positions in the gate of those it can judge, and the
        others, whose exact prefilter ``may_carry`` searches."""
        gated = self._gate is not None
        positions = frozenset(
            i for i, det in enumerate(self._lowered) if gated and det.gate is not None and det.family not in rules_out
        )
        exact = [
            det
            for det in self._detectors
            if det.family not in rules_out and not (gated and det.on_lowered and det.gate is not None)
        ]
        for det in exact:
            det.joined  # noqa: B018 (compiled on first access, which also settles ``on_lowered``)
        return positions, exact

    def gate(self, text: str) -> list[str]:
        """The families whose prefilter matches ``text`` (for tools and tests)."""
        lowered = text.lower()
        return [d.family for d in self._detectors if d.joined.search(lowered if d.on_lowered else text)]

    def forget(self) -> None:
        """Drop what inspections remembered (benchmarks of first sight): the detector answers and clean
        values of this firewall, and the SSRF detector's verdicts on URL hosts, which it keeps per
        process."""
        self._memo.clear()
        from hullguard.firewall.detectors.ssrf_hosts import forget_hosts

        forget_hosts()

    @property
    def families(self) -> tuple[str, ...]:
        return tuple(d.family for d in self._detectors)

    @property
    def rules(self) -> dict[str, RuleInfo]:
        """Every rule of the enabled families (imports the detector modules not loaded yet)."""
        if not self._rules_complete:
            for det in self._detectors:
                self.module_of(det)
            self._rules_complete = True
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
