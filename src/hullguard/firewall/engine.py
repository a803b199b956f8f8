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

import importlib
import os
import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from time import perf_counter
from types import ModuleType
from typing import Any

from hullguard.events.redact import mask_secrets
from hullguard.events.schema import Severity, truncate
from hullguard.firewall import triggers
from hullguard.firewall.budget import Meter
from hullguard.firewall.decoders import (
    b64,
    cookies,
    fold,
    form,
    graphql,
    html,
    jsescape,
    jsonstr,
    multipart,
    unicode,
    url,
    xml,
)
from hullguard.firewall.decoders.gzip import decompress, is_compressed
from hullguard.firewall.decoders.overlong import bytes_to_text
from hullguard.firewall.detectors import FAMILIES
from hullguard.firewall.detectors.base import Detection, RuleInfo, ScanContext
from hullguard.firewall.policy import FirewallPolicy, PolicyError, coerce_policy
from hullguard.firewall.triggers.base import (
    B64_BODY,
    BASE64,
    BODY,
    BYTES,
    COOKIE,
    ENVELOPE,
    FLAT,
    FLAT_HEADERS,
    GRAPHQL,
    KEY,
    PLAIN,
    URL,
)
from hullguard.firewall.verdict import Finding, Verdict

INTERNAL_RULE = RuleInfo(
    rule_id="HG-INTERNAL-001",
    family="internal",
    title="Firewall internal error",
    severity=Severity.HIGH,
    cwe="CWE-755",
    description="The firewall failed while inspecting an event (a bug, or input it could not handle). "
    "The policy's fail mode decided whether the event was blocked (closed) or let through (open).",
    remediation="Report the error text with the event shape to the hullguard maintainers; choose "
    "fail_mode: closed for functions where an uninspected event must never reach the handler.",
)
BUDGET_RULE = RuleInfo(
    rule_id="HG-BUDGET-001",
    family="budget",
    title="Event inspection stopped by its budget",
    severity=Severity.LOW,
    cwe="CWE-400",
    description="The event was larger, deeper or slower to decode than the policy's budget allows "
    "(decompression bomb, deeply nested JSON, huge payload); only part of it was inspected.",
    remediation="Raise the budget for functions that legitimately receive such events, or set "
    "on_budget_exhausted: block to refuse events that cannot be inspected completely.",
)
ENGINE_RULES: tuple[RuleInfo, ...] = (INTERNAL_RULE, BUDGET_RULE)

PLACEHOLDER_PREFILTER = r"(?!x)x"  # what an unwritten detector module declares
MAX_VIEWS = 8  # decoded views per string (raw, URL, double URL, entities, escapes, NFKC, folded...)
LONG_TEXT = 16_384  # longer views are scanned in windows around prefilter matches
WINDOW = 2_048  # characters kept on each side of a prefilter match
MAX_WINDOWS = 32
EVIDENCE_CONTEXT = 24
EVIDENCE_LIMIT = 256
# Some marker of an encoding or an evasion (%, &, \\, $, *, quotes, anything non-ASCII): without one,
# a string has no view but itself. Written as one negated class of the other ASCII characters, which
# compiles instantly (a class up to U+10FFFF costs 20 ms at import) and scans at C speed.
_MARKERS = re.compile("[^" + "".join(re.escape(chr(c)) for c in range(128) if chr(c) not in "%&\\$*'\"") + "]")
_SECRET_NAME = re.compile(r"(?i)(?:^|[._\[-])(?:password|passwd|pwd|secret|token|authorization|api[_-]?key)")
_SCALARS = frozenset({int, float, bool, type(None)})  # values that carry no text: never pushed
_STRUCTURED = frozenset("{[ \t\r\n")  # first characters of strings that may hold JSON
_TEXT_DECODERS = (html.decode, jsescape.decode, unicode.decode, fold.decode)


@dataclass(frozen=True, slots=True)
class _Detector:
    family: str
    module: ModuleType
    # The module's PREFILTER rewritten for the joined views (see ``rewrite_pattern``): compiled
    # case-sensitively for lower-cased text when the source allows it (``on_lowered``), because
    # Python's re matches case-insensitive literals several times slower.
    joined: re.Pattern[str]
    on_lowered: bool


SEPARATOR = "\x01"  # joins the views; no prefilter has a reason to match a control character
_VIEW_START = f"(?:^|(?<={SEPARATOR}))"
_VIEW_END = f"(?=\\n?(?:{SEPARATOR}|\\Z))"


def rewrite_pattern(source: str, lower: bool = True) -> str:
    """``source`` for searching all views joined by ``SEPARATOR`` in one pass: anchors (``^``, ``$``,
    ``\\A``, ``\\Z``) are rewritten to match at view boundaries, and with ``lower`` the literals are
    lower-cased for matching lower-cased text without IGNORECASE (escapes such as ``\\S``, ``\\W``,
    ``\\x41`` are kept). Character classes are tracked so ``[^...]`` is left alone."""
    out: list[str] = []
    i, n = 0, len(source)
    in_class = False
    class_start = -1
    while i < n:
        char = source[i]
        if char == "\\" and i + 1 < n:
            nxt = source[i + 1]
            if nxt == "N" and lower:
                raise ValueError("named escapes are not lowered")
            if not in_class and nxt == "A":
                out.append(_VIEW_START)
            elif not in_class and nxt == "Z":
                out.append(_VIEW_END)
            else:
                out.append(char + nxt)
            i += 2
            continue
        if in_class:
            if char == "]" and i > class_start:
                in_class = False
            out.append(char.lower() if lower else char)
            i += 1
            continue
        if char == "[":
            in_class = True
            class_start = i + 1
            if i + 1 < n and source[i + 1] == "^":
                out.append("[^")
                class_start = i + 2
                i += 2
                continue
            out.append(char)
        elif char == "^":
            out.append(_VIEW_START)
        elif char == "$":
            out.append(_VIEW_END)
        else:
            out.append(char.lower() if lower else char)
        i += 1
    return "".join(out)


def _joined_pattern(source: str) -> tuple[re.Pattern[str], bool]:
    try:
        return re.compile(rewrite_pattern(source)), True
    except (re.error, ValueError):
        try:
            return re.compile(rewrite_pattern(source, lower=False), re.IGNORECASE), False
        except (re.error, ValueError):
            return re.compile(source, re.IGNORECASE), False


def load_detectors(families: Iterable[str]) -> tuple[list[ModuleType], list[str]]:
    """Import the detector module of each family; a module that fails to import is skipped and named."""
    modules: list[ModuleType] = []
    errors: list[str] = []
    for family in families:
        try:
            modules.append(importlib.import_module(f"hullguard.firewall.detectors.{family}"))
        except Exception as exc:  # a broken detector must not take the function down
            errors.append(f"detector {family}: {type(exc).__name__}: {exc}")
    return modules, errors


def _prefilter_source(source: str) -> str:
    # The contract says "case-insensitive"; a leading inline (?i) is dropped because the patterns are
    # compiled for lower-cased text (or with IGNORECASE when they cannot be lower-cased).
    return source[4:] if source.startswith("(?i)") else source


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
        self._detectors: list[_Detector] = []
        self._rules: dict[str, RuleInfo] = {r.rule_id: r for r in ENGINE_RULES}
        for module in modules:
            try:
                family = str(module.FAMILY)
                source = _prefilter_source(str(module.PREFILTER))
                joined, on_lowered = _joined_pattern(source)
                for rule in module.RULES:
                    self._rules[rule.rule_id] = rule
            except Exception as exc:
                self.load_errors.append(f"detector {getattr(module, '__name__', module)}: {exc}")
                continue
            if source == PLACEHOLDER_PREFILTER:
                continue  # a family whose detector is not written yet detects nothing
            self._detectors.append(_Detector(family, module, joined, on_lowered))
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
            inspection = _Inspection(self, start)
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


# (path, value, hint, record, content type, depth)
_Item = tuple[str, Any, int, "int | None", str, int]


class _Inspection:
    """The state of one ``inspect`` call."""

    def __init__(self, firewall: Firewall, start: float) -> None:
        self.fw = firewall
        self.policy = firewall.policy
        self.budget = firewall.policy.budget
        self.meter = Meter(self.budget, start)
        self.stack: list[_Item] = []
        self.ptexts: list[str] = []  # plain strings waiting for the marker check (see ``flush``)
        self.pmetas: list[tuple[str, int | None, str, bool, int]] = []  # (path, record, type, is key, depth)
        self.texts: list[str] = []  # every view to scan
        self.metas: list[tuple[str, int | None, str, bool]] = []  # (path, record, content type, is key)
        self.findings: list[Finding] = []
        self.finding_views: list[int] = []  # index of the view each finding came from
        self.view_index = 0
        self.found: set[tuple[str, str]] = set()  # (location, family) already reported
        self.allowed = 0
        self.trigger = "unknown"
        self.error = ""
        self.problems: list[str] = []

    # -- driver -------------------------------------------------------------------------------------
    def run(self, event: Any) -> Verdict:
        trigger, module = triggers.identify(event)
        self.trigger = trigger
        try:
            fields = list(module.fields(event, trigger))
        except Exception as exc:  # an odd shape must not stop inspection: walk it all
            self.problems.append(f"trigger {trigger}: {type(exc).__name__}: {exc}; walked the whole event")
            fields = [("", event, PLAIN, None, "")]
        for path, value, hint, record, ctype in reversed(fields):
            if value is not None:
                self.stack.append((path, value, hint, record, ctype, 0))
        while True:
            self.walk()
            self.flush()  # decoding may find JSON to walk
            if not self.stack:
                break
        self.scan()
        self.event_order()
        return self.verdict(event, trigger)

    def verdict(self, event: Any, trigger: str) -> Verdict:
        policy = self.policy
        verdict = Verdict(trigger=trigger, findings=self.findings)
        verdict.allowed = self.allowed
        verdict.strings_scanned = self.meter.strings
        verdict.bytes_scanned = self.meter.scanned
        verdict.budget_exhausted = self.meter.exhausted
        verdict.incomplete_reason = self.meter.reason
        if self.problems:
            verdict.extra["decode_problems"] = self.problems[:20]
        if self.fw.load_errors:
            verdict.extra["load_errors"] = list(self.fw.load_errors)
        verdict.error = self.error
        batch = trigger in triggers.BATCH_TRIGGERS
        verdict.batch = batch
        if batch:
            verdict.record_count = triggers.record_count(event, trigger)
        blocking = [f for f in self.findings if self._blocks(f)]
        if self.error and policy.fail_mode == "closed":
            blocking.extend(f for f in self.findings if f.rule_id == INTERNAL_RULE.rule_id)
        if self.meter.exhausted and policy.on_budget_exhausted == "block":
            blocking.append(
                Finding(BUDGET_RULE.rule_id, "budget", BUDGET_RULE.severity, "", "", BUDGET_RULE.title, BUDGET_RULE.cwe)
            )
        verdict.blocked = bool(blocking)
        if batch and blocking:
            records = {f.record for f in blocking}
            if None in records:
                verdict.blocked_records = list(range(verdict.record_count))
            else:
                verdict.blocked_records = sorted(r for r in records if r is not None)
        return verdict

    def _blocks(self, finding: Finding) -> bool:
        if finding.rule_id == INTERNAL_RULE.rule_id:
            return False
        return self.policy.blocks(finding.attack)

    # -- walking ------------------------------------------------------------------------------------
    def walk(self) -> None:
        """Visit everything on the stack. Plain strings without an obvious structure are queued as
        they are (``pending``); ``flush`` then looks for encoding markers in all of them at once."""
        stack = self.stack
        meter = self.meter
        budget = self.budget
        ptexts = self.ptexts
        pmetas = self.pmetas
        max_nodes = budget.max_strings * 4
        max_strings = budget.max_strings
        max_depth = budget.max_depth
        guess = b64.looks_like
        while stack:
            path, value, hint, record, ctype, depth = stack.pop()
            meter.nodes += 1
            if not meter.nodes & 255 and (meter.nodes > max_nodes or meter.out_of_time()):
                if meter.nodes > max_nodes:
                    meter.exhaust(f"more than {max_nodes} values in the event")
                stack.clear()
                break
            kind = type(value)
            if hint >= FLAT and (kind is dict or isinstance(value, Mapping)):
                self.flat(path, value, hint, record, depth)
                continue
            if kind is str:
                if hint:
                    if hint == KEY:
                        meter.strings += 1
                        ptexts.append(value)
                        pmetas.append((path, record, "", True, depth))
                    else:
                        self.string(path, value, hint, record, ctype, depth)
                    continue
                meter.strings += 1
                size = len(value)
                if not size:
                    continue
                if meter.strings > max_strings:
                    meter.exhaust(f"more than {max_strings} strings in the event")
                    stack.clear()
                    break
                if value.isascii() and value.isalnum():
                    # Letters and digits only: no decoding applies, but a prefilter may still match
                    # (a serialized Java object in base64 is alphanumeric), so it is queued as it is.
                    if size >= 16 and guess(value):
                        self.guess_base64(path, value, record, depth)
                elif value[0] in _STRUCTURED or (size >= 16 and not size & 3 and guess(value)):
                    meter.strings -= 1  # string() counts it
                    self.string(path, value, PLAIN, record, ctype, depth)
                    continue
                ptexts.append(value)
                pmetas.append((path, record, ctype, False, depth))
            elif kind is dict or (kind is not list and isinstance(value, Mapping)):
                if depth >= max_depth:
                    meter.exhaust(f"nesting deeper than {max_depth} levels at {path or '(root)'}")
                    continue
                room = max_nodes - meter.nodes - len(stack)
                if room <= 0:
                    meter.exhaust(f"more than {max_nodes} values in the event")
                    stack.clear()
                    break
                prefix = path + "." if path else ""
                depth += 1
                for key, inner in islice(value.items(), room):
                    where = f"{prefix}{key}"
                    if type(key) is str and not (key.isascii() and key.isalnum()):
                        meter.strings += 1
                        ptexts.append(key)
                        pmetas.append((where, record, "", True, depth))
                    if type(inner) not in _SCALARS:
                        stack.append((where, inner, 0, record, "", depth))
                if meter.strings > max_strings:
                    meter.exhaust(f"more than {max_strings} strings in the event")
                    stack.clear()
                    break
            elif kind is list or kind is tuple:
                if hint == BYTES:
                    self.string(path, _bytes_text(value), PLAIN, record, ctype, depth)
                    continue
                if depth >= max_depth:
                    meter.exhaust(f"nesting deeper than {max_depth} levels at {path or '(root)'}")
                    continue
                room = max_nodes - meter.nodes - len(stack)
                depth += 1
                for i, inner in enumerate(islice(value, max(room, 0))):
                    if type(inner) not in _SCALARS:
                        stack.append((f"{path}[{i}]", inner, 0, record, "", depth))
            elif kind is bytes or kind is bytearray:
                self.string(path, bytes_to_text(bytes(value)), hint, record, ctype, depth)
            # numbers, booleans and other scalars carry no injection

    def flat(self, path: str, values: Mapping[Any, Any], hint: int, record: int | None, depth: int) -> None:
        """A map of names to strings (headers, query parameters) without a stack push per value."""
        headers = hint == FLAT_HEADERS
        ptexts, pmetas, meter = self.ptexts, self.pmetas, self.meter
        guess = b64.looks_like
        depth += 1
        for key, value in islice(values.items(), self.budget.max_strings):
            if type(key) is not str:
                continue
            label = key.lower() if headers else key
            where = f"{path}.{label}"
            if not (key.isascii() and key.replace("-", "").isalnum()):
                meter.strings += 1
                ptexts.append(key)
                pmetas.append((where, record, "", True, depth))
                if "[" in key:  # user[$ne]=1: qs/PHP nesting makes each bracket part a key
                    for part in form.bracket_parts(key):
                        ptexts.append(part)
                        pmetas.append((where, record, "", True, depth))
            if type(value) is not str:
                self.push(where, value, PLAIN, record, "", depth)
                continue
            size = len(value)
            if not size:
                continue
            if headers and label == "cookie":
                self.push(where, value, COOKIE, record, "", depth)
                continue
            meter.strings += 1
            if value.isascii() and value.isalnum():
                if size >= 16 and guess(value):
                    self.guess_base64(where, value, record, depth)
            elif value[0] in _STRUCTURED or (size >= 16 and not size & 3 and guess(value)):
                meter.strings -= 1
                self.string(where, value, PLAIN, record, "", depth)
                continue
            ptexts.append(value)
            pmetas.append((where, record, "", False, depth))
        if meter.strings > self.budget.max_strings:
            meter.exhaust(f"more than {self.budget.max_strings} strings in the event")
            self.stack.clear()

    def flush(self) -> None:
        """Move queued strings to the scan list; decode the ones that show an encoding marker."""
        ptexts, pmetas = self.ptexts, self.pmetas
        if not ptexts:
            return
        joined = "\n".join(ptexts)
        meter = self.meter
        meter.scanned += len(joined)
        self.texts.extend(ptexts)
        self.metas.extend((m[0], m[1], m[2], m[3]) for m in pmetas)
        match = _MARKERS.search(joined)
        if match is not None:
            starts = _starts(ptexts)
            while match is not None:
                index = bisect_right(starts, match.start()) - 1
                path, record, ctype, is_key, depth = pmetas[index]
                self.derive(ptexts[index], path, record, ctype, is_key, False, depth)
                if index + 1 >= len(starts):
                    break
                match = _MARKERS.search(joined, starts[index + 1])
        self.ptexts = []
        self.pmetas = []
        if meter.scanned > self.budget.max_bytes:
            meter.exhaust(f"more than {self.budget.max_bytes} characters to scan")
            self.stack.clear()

    def push(self, path: str, value: Any, hint: int, record: int | None, ctype: str, depth: int) -> None:
        if value is not None:
            self.stack.append((path, value, hint, record, ctype, depth))

    def string(self, path: str, text: str, hint: int, record: int | None, ctype: str, depth: int) -> None:
        meter = self.meter
        meter.strings += 1
        if meter.strings > self.budget.max_strings:
            meter.exhaust(f"more than {self.budget.max_strings} strings in the event")
            self.stack.clear()
            return
        if not text:
            return
        if hint == PLAIN:
            if text.isascii() and text.isalnum():
                if b64.looks_like(text):
                    self.guess_base64(path, text, record, depth)
                self.views(path, text, record, ctype, False, False, depth)
                return
            if jsonstr.looks_like(text) and self.structure(path, text, record, depth, envelope=False):
                return
            if len(text) >= 16 and b64.looks_like(text):
                self.guess_base64(path, text, record, depth)
            self.views(path, text, record, ctype, False, False, depth)
        elif hint == URL:
            self.views(path, text, record, ctype, False, True, depth)
        elif hint == KEY:
            self.views(path, text, record, "", True, True)
        elif hint == ENVELOPE:
            if jsonstr.looks_like(text):
                if not self.structure(path, text, record, depth, envelope=True):
                    self.views(path, text, record, ctype, False, False, depth)  # broken JSON: text
                return
            meter.strings -= 1
            self.string(path, text, PLAIN, record, ctype, depth)
        elif hint == BODY:
            self.body(path, text, record, ctype, depth)
        elif hint in (BASE64, B64_BODY):
            decoded = self.base64(path, text, depth, declared=True)
            if decoded is None:
                self.views(path, text, record, ctype, False, False, depth)
            elif hint == B64_BODY:
                self.body(path, decoded, record, ctype, depth + 1)
            else:
                self.string(path, decoded, ENVELOPE, record, ctype, depth + 1)
        elif hint == GRAPHQL:
            for literal in graphql.string_literals(text):
                self.push(path, literal, PLAIN, record, "", depth + 1)
        elif hint == COOKIE:
            for name, value in cookies.parse(text):
                where = f"{path}.{name}" if name else path
                if name:
                    self.views(where, name, record, "", True, True)
                self.push(where, value, URL, record, "", depth + 1)
        else:
            self.string(path, text, PLAIN, record, ctype, depth)

    def structure(self, path: str, text: str, record: int | None, depth: int, envelope: bool) -> bool:
        """Parse JSON in a string and walk it; False when the string is not JSON after all."""
        if depth >= self.budget.max_depth:
            self.meter.exhaust(f"nesting deeper than {self.budget.max_depth} levels at {path}")
            return False
        obj = jsonstr.parse(text)
        if obj is jsonstr.FAILED:
            return False
        self.meter.decoded += len(text)
        if envelope:
            inner = triggers.envelope(obj, path, record)
            if inner is not None:
                for where, value, hint, rec, ctype in reversed(list(inner)):
                    self.push(where, value, hint, rec, ctype, depth + 1)
                return True
        self.push(path, obj, PLAIN, record, "", depth + 1)
        return True

    def body(self, path: str, text: str, record: int | None, ctype: str, depth: int) -> None:
        """An HTTP body, by content type and shape: multipart, JSON, form, XML or text."""
        lowered = ctype.lower()
        if "multipart/" in lowered:
            boundary = multipart.boundary(ctype)
            if boundary:
                for name, filename, part_type, content in multipart.parse(text, boundary):
                    where = f"{path}.{name}" if name else path
                    if name:
                        self.views(where, name, record, "", True, False)
                    if filename:
                        self.push(f"{where}.filename", filename, PLAIN, record, "", depth + 1)
                    self.push(where, content, BODY, record, part_type, depth + 1)
                return
        json_like = jsonstr.looks_like(text)
        if json_like and self.structure(path, text, record, depth, envelope=False):
            return
        if "x-www-form-urlencoded" in lowered or ((not lowered or "text/plain" in lowered) and form.looks_like(text)):
            for name, value in form.parse(text):
                decoded = url.decode(name, True) or name
                if "[" in decoded:
                    parts = form.bracket_parts(decoded)
                    where = ".".join([path, *parts])
                    for part in parts:
                        self.views(where, part, record, "", True, False)
                else:
                    where = f"{path}.{decoded}"
                self.views(where, name, record, "", True, True)
                self.push(where, value, URL, record, "", depth + 1)
            return
        if xml.looks_like(text, lowered):
            self.views(path, text, record, "application/xml", False, False)
            for element, value in xml.parts(text):
                self.push(f"{path}.{element}", value, PLAIN, record, "", depth + 1)
            return
        if json_like:  # broken JSON (truncated, too deep): scanned as text, not parsed twice
            self.views(path, text, record, ctype, False, False, depth)
            return
        self.string(path, text, PLAIN, record, ctype, depth)

    def base64(self, path: str, text: str, depth: int, declared: bool) -> str | None:
        """Decoded text of a base64 string (gunzipped when compressed), or None if it is not text."""
        room = self.meter.decoded_room()
        if room <= 0:
            self.meter.exhaust(f"decoded data over {self.budget.max_decoded_bytes} bytes")
            return None
        data = b64.decode(text, room)
        if data is None:
            if declared:
                self.problems.append(f"{path}: not valid base64")
            return None
        self.meter.decoded += len(data)
        if is_compressed(data):
            data, problem = decompress(data, self.meter.decoded_room())
            self.meter.decoded += len(data)
            if problem:
                self.problems.append(f"{path}: {problem}")
                if "budget" in problem:
                    self.meter.exhaust(f"decoded data over {self.budget.max_decoded_bytes} bytes at {path}")
        text_out = b64.as_text(data)
        if text_out is None and declared and data:
            text_out = bytes_to_text(data)
            printable = sum(1 for c in text_out[:256] if c.isprintable() or c in "\r\n\t")
            if printable * 10 < min(len(text_out), 256) * 9:
                return None  # binary content (an image, a protobuf...): nothing to scan as text
        return text_out

    def guess_base64(self, path: str, text: str, record: int | None, depth: int) -> None:
        if depth >= self.budget.max_depth:
            return
        decoded = self.base64(path, text, depth, declared=False)
        if decoded is not None and decoded != text:
            self.push(path, decoded, PLAIN, record, "", depth + 1)

    def views(
        self, path: str, text: str, record: int | None, ctype: str, is_key: bool, plus: bool, depth: int = 0
    ) -> None:
        """Queue ``text`` and each distinct decoding of it for scanning."""
        self.meter.scanned += len(text)
        self.texts.append(text)
        self.metas.append((path, record, ctype, is_key))
        if _MARKERS.search(text) is not None or (plus and "+" in text):
            self.derive(text, path, record, ctype, is_key, plus, depth)
        if self.meter.scanned > self.budget.max_bytes:
            self.meter.exhaust(f"more than {self.budget.max_bytes} characters to scan")
            self.stack.clear()

    def derive(
        self, text: str, path: str, record: int | None, ctype: str, is_key: bool, plus: bool, depth: int
    ) -> None:
        """Queue the decoded views of ``text`` (itself already queued): URL (repeatedly, for double
        encoding), HTML entities, JS escapes, Unicode normalisation, comment folding. A view that
        turns out to be JSON is walked as a structure instead of scanned as text."""
        views = [text]
        i = 0
        while i < len(views) and len(views) < MAX_VIEWS:
            view = views[i]
            i += 1
            out = url.decode(view, plus or "%" in view)
            if out is not None and out not in views:
                views.append(out)
            for decode in _TEXT_DECODERS:
                out = decode(view)
                if out is not None and out not in views:
                    views.append(out)
        meta = (path, record, ctype, is_key)
        meter = self.meter
        for view in views[1:]:
            if jsonstr.looks_like(view) and depth < self.budget.max_depth:
                obj = jsonstr.parse(view)
                if obj is not jsonstr.FAILED:
                    self.push(path, obj, PLAIN, record, "", depth + 1)
                    continue
            meter.scanned += len(view)
            meter.decoded += len(view)
            self.texts.append(view)
            self.metas.append(meta)

    # -- detection ----------------------------------------------------------------------------------
    def scan(self) -> None:
        """Prefilter passes over every view joined (lower-cased, so literals are matched
        case-sensitively, which Python's re does several times faster); for each view a family's
        prefilter hits, that family's detector runs on the original view."""
        texts = self.texts
        fw = self.fw
        if not texts or not fw._detectors:
            return
        joined = SEPARATOR.join(texts)
        lowered = joined.lower()
        starts = _starts(texts)
        same_length = len(lowered) == len(joined)
        if not same_length:  # a few characters change length when lower-cased
            lowered = SEPARATOR.join(t.lower() for t in texts)
        lowered_starts = starts if same_length else _starts([t.lower() for t in texts])
        hits: dict[int, list[_Detector]] = {}
        meter = self.meter
        deadline = max(meter.deadline, perf_counter() + self.budget.time_budget_ms / 2000.0)
        # Per family, one pass over all views, searching on from the start of the next view after
        # each hit: the number of searches is the number of views the family matches. (One pattern
        # with a named group per family would be slower: Python's re then tries every branch at
        # every position instead of skipping ahead on each pattern's literal prefix.)
        last = len(lowered_starts) - 1
        for det in fw._lowered:
            search = det.joined.search
            match = search(lowered)
            while match is not None:
                index = bisect_right(lowered_starts, match.start()) - 1
                hits.setdefault(index, []).append(det)
                if index >= last:
                    break
                match = search(lowered, lowered_starts[index + 1])
            if perf_counter() > deadline:
                meter.exhaust(f"time budget of {self.budget.time_budget_ms:g} ms used up while scanning")
                break
        for det in fw._cased:  # prefilters that could not be lower-cased: one pass each
            match = det.joined.search(joined)
            while match is not None:
                index = bisect_right(starts, match.start()) - 1
                hits.setdefault(index, []).append(det)
                if index + 1 >= len(starts):
                    break
                match = det.joined.search(joined, starts[index + 1])
        if not hits:
            return  # the clean path
        # Scanning gets its own slice of time even when walking used the budget up: an attacker must
        # not be able to pad an event so that what was already collected is never looked at.
        order = {d.family: i for i, d in enumerate(fw._detectors)}
        paranoia = self.policy.paranoia
        # Later views of a string are its decodings: trying them first makes the evidence the decoded
        # payload. Findings are put back in event order afterwards.
        for count, index in enumerate(sorted(hits, reverse=True)):
            self.view_index = index
            if not count & 31 and perf_counter() > deadline:
                meter.exhaust(f"time budget of {self.budget.time_budget_ms:g} ms used up while scanning")
                return
            text = texts[index]
            path, record, ctype, is_key = self.metas[index]
            families = hits[index]
            if len(families) > 1:
                families.sort(key=lambda d: order[d.family])
            ctx = ScanContext(paranoia=paranoia, is_key=is_key, location=path, content_type=ctype)
            for det in families:
                if (path, det.family) in self.found:
                    continue
                self.detect(det, text, ctx, record)
                if len(self.findings) >= self.budget.max_findings:
                    meter.exhaust(f"more than {self.budget.max_findings} findings")
                    return

    def event_order(self) -> None:
        if len(self.findings) > 1:
            order = dict(zip(map(id, self.findings), self.finding_views, strict=True))
            self.findings.sort(key=lambda f: order[id(f)])

    def detect(self, det: _Detector, text: str, ctx: ScanContext, record: int | None) -> None:
        path = ctx.location
        windows = ((0, text),) if len(text) <= LONG_TEXT else _windows(det, text)
        for offset, window in windows:
            try:
                detection = det.module.scan(window, ctx)
            except Exception as exc:
                self.internal(f"detector {det.family} failed on {path}: {type(exc).__name__}: {exc}", path, record)
                return
            if detection is None:
                continue
            if not isinstance(detection, Detection):
                self.internal(f"detector {det.family} returned {type(detection).__name__}", path, record)
                return
            self.report(det.family, detection, window, offset, path, record)
            return

    def report(self, family: str, detection: Detection, text: str, offset: int, path: str, record: int | None) -> None:
        rule = self.fw._rules.get(detection.rule_id)
        if rule is not None and rule.paranoia > self.policy.paranoia:
            return
        self.found.add((path, family))
        if self.policy.allow and self.policy.allows(path, family, detection.rule_id):
            self.allowed += 1
            return
        self.finding_views.append(self.view_index)
        self.findings.append(
            Finding(
                rule_id=detection.rule_id,
                attack=family,
                severity=rule.severity if rule else Severity.MEDIUM,
                location=path,
                evidence=_evidence(text, detection, path),
                title=rule.title if rule else detection.rule_id,
                cwe=rule.cwe if rule else "",
                detail=truncate(detection.detail, 200),
                record=record,
            )
        )

    def internal(self, error: str, path: str, record: int | None) -> None:
        self.error = self.error or error
        self.finding_views.append(self.view_index)
        self.findings.append(
            Finding(
                rule_id=INTERNAL_RULE.rule_id,
                attack="internal-error",
                severity=INTERNAL_RULE.severity,
                location=path,
                evidence="",
                title=INTERNAL_RULE.title,
                cwe=INTERNAL_RULE.cwe,
                detail=truncate(error, 300),
                record=record,
            )
        )


def _windows(det: _Detector, text: str) -> list[tuple[int, str]]:
    """The whole text, or for long texts the regions around the family's prefilter matches (a
    detector is linear but slower than a regex; the prefilter match is inside any attack it finds)."""
    if len(text) <= LONG_TEXT:
        return [(0, text)]
    spans: list[tuple[int, int]] = []
    # Lower-casing can change the length of a few characters; the windows are wide enough that the
    # resulting offset drift does not matter.
    for match in det.joined.finditer(text.lower() if det.on_lowered else text):
        start, end = max(0, match.start() - WINDOW), min(len(text), match.end() + WINDOW)
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], end)
        else:
            if len(spans) >= MAX_WINDOWS:
                break
            spans.append((start, end))
    return [(start, text[start:end]) for start, end in spans]


def _starts(views: list[str]) -> list[int]:
    """Offset of each view in the views joined by one separator character."""
    starts: list[int] = []
    pos = 0
    for view in views:
        starts.append(pos)
        pos += len(view) + 1
    return starts


def _evidence(text: str, detection: Detection, path: str) -> str:
    if _SECRET_NAME.search(path):
        return "**** (value of a secret field, not recorded)"
    start, end = detection.start, detection.end
    if end <= start or end > len(text):
        excerpt = text[:EVIDENCE_LIMIT]
    else:
        excerpt = text[max(0, start - EVIDENCE_CONTEXT) : min(len(text), end + EVIDENCE_CONTEXT)]
    return truncate(mask_secrets(excerpt), EVIDENCE_LIMIT)


def _bytes_text(value: Sequence[Any]) -> str:
    try:
        return bytes_to_text(bytes(value[:1_000_000]))
    except (TypeError, ValueError):
        return ""


__all__ = ["BUDGET_RULE", "ENGINE_RULES", "FAMILIES", "INTERNAL_RULE", "Firewall", "PolicyError", "load_detectors"]
