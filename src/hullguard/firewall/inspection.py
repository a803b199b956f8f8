"""One inspection: walk the attacker-controlled parts of an event and collect views to scan.

The trigger module names the parts (``triggers/``); a walk with an explicit stack (no recursion)
visits every key and string inside them within the budget; each string is decoded once per encoding
it shows a marker of (``decoders/``), and every view is queued for the ``Scanner``.
"""

from __future__ import annotations

import gc
import re
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from itertools import islice

from hullguard.firewall import triggers
from hullguard.firewall.budget import Meter
from hullguard.firewall.decoders import (
    b64,
    cookies,
    fold,
    form,
    html,
    jsescape,
    jsonstr,
    jwt,
    kpl,
    unicode,
    url,
)
from hullguard.firewall.decoders.gzip import decompress, is_compressed
from hullguard.firewall.decoders.overlong import bytes_to_text
from hullguard.firewall.header_shapes import MAX_VALUE as MAX_SHAPED
from hullguard.firewall.header_shapes import Shape, fits
from hullguard.firewall.header_shapes import shape as header_shape
from hullguard.firewall.memo import MAX_PARAMETER_TEXT as MAX_REMEMBERED_PARAMETER
from hullguard.firewall.memo import MAX_TEXT as MAX_REMEMBERED
from hullguard.firewall.prefilter import view_starts
from hullguard.firewall.rules import BUDGET_RULE, INTERNAL_RULE
from hullguard.firewall.scanner import Meta, Scanner
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
    UNDECODED,
    URL,
)
from hullguard.firewall.verdict import Finding, Verdict

TYPE_CHECKING = False  # not typing's: importing typing costs about 3 ms of every cold start
if TYPE_CHECKING:
    from typing import Any

    from hullguard.firewall.decoders.multipart import Part
    from hullguard.firewall.engine import Firewall

def _declares_utf8_alone(content_type: str) -> bool:
    """The commonest charset, "application/json; charset=utf-8", answered without parsing parameters
    (one charset parameter, the last, naming UTF-8: what the firewall reads anyway)."""
    return content_type.count("charset") == 1 and content_type.endswith(("charset=utf-8", 'charset="utf-8"'))


_MIN_JWT = 24  # the shortest token: a header, a payload and a signature of a few characters each
MAX_VIEWS = 8  # decoded views per string (raw, URL, double URL, entities, escapes, NFKC, folded...)
# Some marker of an encoding or an evasion (%, &, \\, $, *, quotes, +, anything non-ASCII): without one,
# a string has no view but itself. ``_has_marker`` says whether there is one, ``_marked`` which of the
# strings queued for ``flush`` hold one. A "+" is a space to a back end that form-decodes a value once
# more (API Gateway has decoded the query already; a framework in the function may do it again).
_ASCII_MARKERS = "%&\\$*'\"+"  # spelled out once more in ``_has_ascii_marker`` and ``_has_marker``, for speed


def _has_marker(text: str) -> bool:
    """``text`` holds a marker: ``isascii`` (a flag of the string) and a ``find`` per marker, which
    runs at memory speed."""
    return not text.isascii() or _has_ascii_marker(text) or "+" in text


def _has_ascii_marker(text: str) -> bool:
    """One of ``_ASCII_MARKERS`` but "+" is in ``text`` (a chain of ``in``: no generator frame per call).
    A "+" alone changes a view only where ``_spaced_by_plus`` says so."""
    return "%" in text or "&" in text or "\\" in text or "$" in text or "*" in text or "'" in text or '"' in text


# A "+" is read as a space (a view of its own) in a short value ("netsh+firewall+set+opmode+disable"),
# and in one of up to 1 KB that also holds a character injections need around their words (quotes, ;,
# |, &, <, >, brackets, backquote, $, \\): "'+OR+1=1--", ";+cat+/etc/passwd", "<img+src=x+onerror=alert(1)>".
# Not in the long base64 runs that hold "+" most often, nor in a tracking blob of kilobytes, where the
# view would double the detectors' work for an attack that needs a back end decoding the form encoding
# a second time and that much text.
_PLUS_VIEW_SHORT = 128
_PLUS_VIEW_MAX = 1024
_PUNCTUATION_AROUND_WORDS = re.compile(r"[\"'`;|&<>(){}\[\]$\\]")


def _spaced_by_plus(text: str) -> bool:
    size = len(text)
    return size <= _PLUS_VIEW_SHORT or (
        size <= _PLUS_VIEW_MAX and _PUNCTUATION_AROUND_WORDS.search(text) is not None
    )


_SCALARS = frozenset({int, float, bool, type(None)})  # values that carry no text: never pushed
# Containers up to this size skip the room computation: the node check every 256 values bounds them.
_SMALL = 64
_BIG_JSON = 64 * 1024  # characters of JSON above which the cyclic garbage collector is paused
# A repeated "@type" key: fastjson instantiates each class named in turn (its java.lang.AutoCloseable
# bypass names an allowed class first), where every other JSON parser, and so the walk, keeps the last.
_TYPE_KEY = '"@type"'
_TYPE_VALUE = re.compile(r'"@type"\s{0,8}:\s{0,8}"([^"\\]{1,256})"')
_MAX_TYPE_VALUES = 64
_STRUCTURED = frozenset("{[ \t\r\n")  # first characters of strings that may hold JSON
# Put before the memo location of a URL-encoded field: every location a trigger names starts with a
# name of its own (``path``, ``queryStringParameters.``...), never with this.
_URL_ENCODED = "\x00"
_TEXT_DECODERS = (html.decode, jsescape.decode, unicode.decode, fold.decode)
# Names of a flat map (headers, query parameters), by the map's location and kind and the name as
# sent: (location of the value, name cannot carry an injection, value is a Cookie header, meta of a
# value outside a batch record, the header's shape in ``header_shapes`` or None). Header and
# parameter names repeat from one event to the next; a bounded cache saves the string work and the
# tuples for each of them on every event.
_Name = tuple[str, bool, bool, Meta, "Shape | None"]
_NAMES: tuple[dict[str, dict[str, _Name]], dict[str, dict[str, _Name]]] = ({}, {})  # plain maps, headers
_MAX_NAMES = 4096
_MAX_NAME_LENGTH = 128


def _name(path: str, key: str, headers: bool) -> _Name:
    label = key.lower() if headers else key
    plain = key.isascii() and key.replace("-", "").isalnum() and key != "prototype"
    where = f"{path}.{label}"
    shape = header_shape(label) if headers else None
    known = (where, plain, headers and label == "cookie", (where, None, "", False), shape)
    if len(key) > _MAX_NAME_LENGTH:
        return known  # not kept: the cache must not hold an attacker's megabyte names
    by_path = _NAMES[headers]
    names = by_path.get(path)
    if names is None:
        if len(by_path) >= _MAX_NAMES:
            by_path.clear()
        names = by_path[path] = {}
    elif len(names) >= _MAX_NAMES:
        names.clear()
    names[key] = known
    return known


# Object keys seen to be plain (letters and digits, not "prototype"): JSON bodies repeat their keys
# from one event to the next, and a set lookup is cheaper than the two checks. Bounded in count and
# key length; when full, other keys are just checked each time.
_PLAIN_KEYS: set[str] = set()


def _marked(texts: list[str], joined: str) -> list[int]:
    """The indices, in order, of the strings of ``texts`` (``joined`` by one character) that hold a
    marker: the ones beyond ASCII by their ``isascii`` flag, the others by a ``find`` per marker that
    skips to the next string after each hit. (A regex search for any marker walks every character in
    Python's engine, ~3 ns each: on a 2 KB body with one accented name, a seventh of the inspection.)"""
    marked: set[int] = set()
    if not joined.isascii():
        marked.update(index for index, text in enumerate(texts) if not text.isascii())
    starts: list[int] = []
    for marker in _ASCII_MARKERS:
        at = joined.find(marker)
        if at < 0:
            continue
        if not starts:
            starts = view_starts(texts)
        last = len(starts) - 1
        while at >= 0:
            index = bisect_right(starts, at) - 1
            marked.add(index)
            if index >= last:
                break
            at = joined.find(marker, starts[index + 1])
    return sorted(marked)


# (path, value, hint, record, content type, depth)
_Item = tuple[str, "Any", int, "int | None", str, int]


class Inspection:
    """The state of one ``inspect`` call."""

    __slots__ = (
        "budget",
        "clean_values",
        "fresh_values",
        "fw",
        "gc_paused",
        "metas",
        "meter",
        "pmetas",
        "policy",
        "precounted",
        "problems",
        "ptexts",
        "run_depths",
        "run_starts",
        "scanner",
        "stack",
        "texts",
        "trigger",
    )

    def __init__(self, firewall: Firewall, start: float) -> None:
        self.fw = firewall
        self.policy = firewall.policy
        self.budget = firewall.policy.budget
        self.meter = Meter(self.budget, start)
        self.stack: list[_Item] = []
        # Plain strings waiting for the marker check (see ``flush``), with their metas as the scanner
        # takes them; their nesting depths are kept per run of strings (``run_starts`` indexes
        # ``ptexts``), since a whole object's strings share one depth (``~depth`` for strings in
        # which + means a space, see ``queue``).
        self.ptexts: list[str] = []
        self.pmetas: list[Meta] = []
        self.run_starts: list[int] = [0]
        self.run_depths: list[int] = [0]
        # Queued strings are counted in ``meter.strings`` when flushed, except this many, which their
        # producer counted already (the walk's loops do not count, to save the work per container).
        self.precounted = 0
        self.texts: list[str] = []  # every view to scan
        self.metas: list[Meta] = []  # (path, record, content type, is key) of each view
        self.scanner = Scanner(firewall, self.meter)
        self.trigger = "unknown"
        self.problems: list[str] = []
        self.gc_paused = False  # see ``structure``
        # Header and parameter values a whole earlier inspection found clean are left out (``memo.py``);
        # the ones this inspection walks are remembered as clean if it finds nothing at all.
        self.clean_values = firewall._memo.clean_values(self.policy.paranoia)
        self.fresh_values: list[tuple[str, str]] = []

    # -- driver -------------------------------------------------------------------------------------
    def run(self, event: Any) -> Verdict:
        trigger, module = triggers.identify(event)
        self.trigger = trigger
        try:
            fields = module.fields(event, trigger)
            if type(fields) is not list:
                fields = list(fields)
        except Exception as exc:  # an odd shape must not stop inspection: walk it all
            self.problems.append(f"trigger {trigger}: {type(exc).__name__}: {exc}; walked the whole event")
            fields = [("", event, PLAIN, None, "")]
        try:
            # Strings and flat maps at the top are handled at once; the rest is walked after them.
            stack = self.stack
            later: list[_Item] = []
            clean, fresh, meter = self.clean_values, self.fresh_values, self.meter
            for path, value, hint, record, ctype in fields:
                kind = type(value)
                if kind is str:
                    # A short plain or URL-encoded field (an HTTP path, a subject, an ALB's query
                    # value) is remembered like a parameter (``memo.py``): a function's paths repeat
                    # from request to request. The two are decoded differently ("+" is a space in
                    # one), so a URL-encoded value is remembered under a location of its own.
                    if hint in (PLAIN, URL) and len(value) <= MAX_REMEMBERED_PARAMETER and not ctype:
                        known = (path, value) if hint == PLAIN else (_URL_ENCODED + path, value)
                        if known in clean:
                            meter.strings += 1
                            meter.scanned += len(value)
                            continue
                        fresh.append(known)
                    self.string(path, value, hint, record, ctype, 0)
                elif kind is dict and hint >= FLAT:
                    self.flat(path, value, hint, record, 0)
                elif value is not None:
                    later.append((path, value, hint, record, ctype, 0))
            stack.extend(reversed(later))
            while True:
                if stack:
                    self.walk()
                self.flush()  # decoding may find JSON to walk
                if not stack:
                    break
            self.scanner.scan(self.texts, self.metas)
            if self.fresh_values and self.found_nothing():
                self.fw._memo.remember_clean(self.fresh_values)
        finally:
            if self.gc_paused:
                gc.enable()
        self.scanner.event_order()
        return self.verdict(event, trigger)

    def found_nothing(self) -> bool:
        """Nothing was found, allowed, cut short or undecodable: every value walked is clean."""
        scanner = self.scanner
        return not (scanner.findings or scanner.allowed or self.meter.exhausted or self.problems)

    def verdict(self, event: Any, trigger: str) -> Verdict:
        policy = self.policy
        scanner = self.scanner
        meter = self.meter
        findings = scanner.findings
        batch = trigger in triggers.BATCH_TRIGGERS
        verdict = Verdict(
            trigger=trigger, findings=findings, strings_scanned=meter.strings, bytes_scanned=meter.scanned
        )
        # the other fields only when they differ from their defaults (keywords cost per argument)
        if batch:
            verdict.batch = True
            verdict.record_count = triggers.record_count(event, trigger)
        if scanner.allowed:
            verdict.allowed = scanner.allowed
        if meter.exhausted:
            verdict.budget_exhausted = True
            verdict.incomplete_reason = meter.reason
        if scanner.error:
            verdict.error = scanner.error
        if self.problems:
            verdict.extra["decode_problems"] = self.problems[:20]
        if self.fw.load_errors:
            verdict.extra["load_errors"] = list(self.fw.load_errors)
        if not findings and not meter.exhausted:
            return verdict  # the clean path: nothing can block
        blocking = [f for f in findings if self._blocks(f)]
        if scanner.error and policy.fail_mode == "closed":
            blocking.extend(f for f in findings if f.rule_id == INTERNAL_RULE.rule_id)
        if meter.exhausted and policy.on_budget_exhausted == "block":
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
    # Strings are leaves of three loops below (values popped from the stack, object members, array
    # items) which share one rule, written out in each because a call per leaf is most of the cost:
    # a string that starts like JSON (or with a blank) goes to ``string``, one shaped like base64 is
    # also decoded, and every other string is queued as it is for ``flush``.
    def walk(self) -> None:
        """Visit everything on the stack. Plain strings without an obvious structure are queued as
        they are (``ptexts``); ``flush`` then looks for encoding markers in all of them at once."""
        stack = self.stack
        meter = self.meter
        budget = self.budget
        ptexts = self.ptexts
        pmetas = self.pmetas
        run_starts = self.run_starts
        run_depths = self.run_depths
        max_nodes = budget.max_strings * 4
        max_strings = budget.max_strings
        max_depth = budget.max_depth
        guess = b64.looks_like
        structured = _STRUCTURED
        scalars = _SCALARS
        plain_keys = _PLAIN_KEYS
        nodes = meter.nodes
        while stack:
            path, value, hint, record, ctype, depth = stack.pop()
            nodes += 1
            if not nodes & 255 and self.stopped(nodes):
                stack.clear()
                break
            kind = type(value)
            if kind is str:
                if hint:
                    if hint == KEY:
                        meter.strings += 1
                        self.precounted += 1
                        if run_depths[-1] != depth:
                            run_starts.append(len(ptexts))
                            run_depths.append(depth)
                        ptexts.append(value)
                        pmetas.append((path, record, "", True))
                    else:
                        self.string(path, value, hint, record, ctype, depth)
                    continue
                size = len(value)
                if not size:
                    meter.strings += 1
                    continue
                if value[0] in structured:
                    self.string(path, value, PLAIN, record, ctype, depth)
                    continue
                meter.strings += 1
                if meter.strings > max_strings:
                    meter.exhaust(f"more than {max_strings} strings in the event")
                    stack.clear()
                    break
                if size >= 16 and not size & 3 and guess(value):
                    self.guess_base64(path, value, record, depth)
                if run_depths[-1] != depth:
                    run_starts.append(len(ptexts))
                    run_depths.append(depth)
                ptexts.append(value)
                pmetas.append((path, record, ctype, False))
                self.precounted += 1
            elif kind is dict or (kind is not list and isinstance(value, Mapping)):
                if hint >= FLAT:
                    self.flat(path, value, hint, record, depth)
                    continue
                if depth >= max_depth:
                    nodes += self.too_deep(path, value, record, depth, nodes)
                    continue
                items = value.items()
                big = len(value) > _SMALL  # the checks every 256 values bound small ones
                if big:
                    room = min(max_nodes - nodes - len(stack), max_strings - self.strings() + 1)
                    if room <= 0:
                        meter.exhaust(f"more than {max_nodes} values in the event")
                        stack.clear()
                        break
                    if len(value) > room:
                        items = islice(items, room)  # type: ignore[assignment]
                prefix = path + "." if path else ""
                depth += 1
                if run_depths[-1] != depth:
                    run_starts.append(len(ptexts))
                    run_depths.append(depth)
                for key, inner in items:
                    # Keys of letters and digits carry no injection, except "prototype", which under a
                    # "constructor" key reaches Object.prototype (the location names the parent).
                    if key not in plain_keys:
                        if type(key) is str and (not (key.isascii() and key.isalnum()) or key == "prototype"):
                            ptexts.append(key)
                            pmetas.append((f"{prefix}{key}", record, "", True))
                        elif type(key) is str and len(key) <= _MAX_NAME_LENGTH and len(plain_keys) < _MAX_NAMES:
                            plain_keys.add(key)
                    child = type(inner)
                    if child is str:
                        size = len(inner)
                        if not size:
                            continue
                        where = f"{prefix}{key}"
                        if inner[0] in structured:
                            self.string(where, inner, PLAIN, record, "", depth)
                            continue
                        if size >= 16 and not size & 3 and " " not in inner and guess(inner):
                            self.guess_base64(where, inner, record, depth)
                        ptexts.append(inner)
                        pmetas.append((where, record, "", False))
                    elif child not in scalars:
                        stack.append((f"{prefix}{key}", inner, 0, record, "", depth))
                if big and self.strings() > max_strings:
                    meter.exhaust(f"more than {max_strings} strings in the event")
                    stack.clear()
                    break
            elif kind is list or kind is tuple:
                if hint == BYTES:
                    self.string(path, _bytes_text(value), PLAIN, record, ctype, depth)
                    continue
                if depth >= max_depth:
                    nodes += self.too_deep(path, value, record, depth, nodes)
                    continue
                depth += 1
                if run_depths[-1] != depth:
                    run_starts.append(len(ptexts))
                    run_depths.append(depth)
                items = value
                big = len(value) > _SMALL
                if big:
                    room = min(max_nodes - nodes - len(stack), max_strings - self.strings() + 1)
                    if len(value) > room:
                        items = islice(value, max(room, 0))  # type: ignore[assignment]
                for i, inner in enumerate(items):
                    child = type(inner)
                    if child is str:
                        size = len(inner)
                        if not size:
                            continue
                        where = f"{path}[{i}]"
                        if inner[0] in structured:
                            self.string(where, inner, PLAIN, record, "", depth)
                            continue
                        if size >= 16 and not size & 3 and " " not in inner and guess(inner):
                            self.guess_base64(where, inner, record, depth)
                        ptexts.append(inner)
                        pmetas.append((where, record, "", False))
                    elif child not in scalars:
                        stack.append((f"{path}[{i}]", inner, 0, record, "", depth))
                if big and self.strings() > max_strings:
                    meter.exhaust(f"more than {max_strings} strings in the event")
                    stack.clear()
                    break
            elif kind is bytes or kind is bytearray:
                self.string(path, bytes_to_text(bytes(value)), hint, record, ctype, depth)
            # numbers, booleans and other scalars carry no injection
        meter.nodes = nodes

    def too_deep(self, path: str, value: Any, record: int | None, depth: int, walked: int) -> int:
        """A container nested deeper than the budget allows. Dropping it would let a payload hide below
        the limit (a JSON body of 70 nested arrays; 10,000 on Python 3.14, whose parser no longer stops
        at the recursion limit), so its strings, keys included, are still looked at, each at ``path``,
        where the nesting was cut, and without parsing what they hold. The cut is reported. Returns the
        values visited (``walked``: the walk's count so far, for the budget of values)."""
        meter = self.meter
        meter.exhaust(f"nesting deeper than {self.budget.max_depth} levels at {path or '(root)'}")
        max_strings = self.budget.max_strings
        pending = [value]
        nodes = 0
        while pending:
            item = pending.pop()
            nodes += 1
            if meter.strings > max_strings or (not nodes & 255 and self.stopped(walked + nodes)):
                break
            kind = type(item)
            if kind is str:
                self.string(path, item, PLAIN, record, "", depth)
            elif kind is dict or (kind is not list and isinstance(item, Mapping)):
                for key, inner in item.items():
                    if type(key) is str:
                        self.string(path, key, KEY, record, "", depth)
                    pending.append(inner)
            elif kind is list or kind is tuple:
                pending.extend(item)
        return nodes

    def strings(self) -> int:
        """Strings looked at so far, the queued ones included."""
        return self.meter.strings + len(self.ptexts) - self.precounted

    def stopped(self, nodes: int) -> bool:
        """A budget checked every 256 values is used up: nodes, strings or time."""
        max_nodes = self.budget.max_strings * 4
        if nodes > max_nodes:
            self.meter.exhaust(f"more than {max_nodes} values in the event")
            return True
        if self.strings() > self.budget.max_strings:
            self.meter.exhaust(f"more than {self.budget.max_strings} strings in the event")
            return True
        return self.meter.out_of_time()

    def flat(self, path: str, values: Mapping[Any, Any], hint: int, record: int | None, depth: int) -> None:
        """A map of names to strings (headers, query parameters) without a stack push per value."""
        headers = hint == FLAT_HEADERS
        ptexts, pmetas, meter = self.ptexts, self.pmetas, self.meter
        clean, fresh = self.clean_values, self.fresh_values
        remembered = MAX_REMEMBERED if headers else MAX_REMEMBERED_PARAMETER
        guess = b64.looks_like
        names = _NAMES[headers].get(path) or {}
        depth += 1
        if self.run_depths[-1] != depth:
            self.run_starts.append(len(ptexts))
            self.run_depths.append(depth)
        max_strings = self.budget.max_strings
        shaped: list[tuple[Shape, str, Meta]] = []  # standard headers' values, judged after the loop
        shaped_base64: list[int] = []  # those of them that look like base64 (``shaped_headers`` says why)
        items = values.items()
        for key, value in items if len(values) <= max_strings else islice(items, max_strings):
            known = names.get(key)
            if known is None:
                if type(key) is not str:
                    continue
                known = _name(path, key, headers)
            where, plain, cookie, meta, shape = known
            if not plain:
                ptexts.append(key)
                pmetas.append((where, record, "", True))
                if "[" in key:  # user[$ne]=1: qs/PHP nesting makes each bracket part a key
                    for part in form.bracket_parts(key):
                        ptexts.append(part)
                        pmetas.append((where, record, "", True))
            if type(value) is not str:
                self.push(where, value, PLAIN, record, "", depth)
                continue
            size = len(value)
            if not size:
                continue
            if cookie or value[0] in _STRUCTURED:
                self.string(where, value, COOKIE if cookie else PLAIN, record, "", depth)
                continue
            if size <= remembered:
                if (where, value) in clean:
                    meter.strings += 1  # counted as looked at, as the first time
                    meter.scanned += size
                    continue  # clean in an earlier inspection, with every decoding of it
                fresh.append((where, value))
            looks_base64 = size >= 16 and not size & 3 and " " not in value and guess(value)
            if shape is not None and size <= MAX_SHAPED:
                if looks_base64:
                    shaped_base64.append(len(shaped))
                shaped.append((shape, value, meta if record is None else (where, record, "", False)))
                continue  # judged with the other standard headers after the loop
            if looks_base64:
                self.guess_base64(where, value, record, depth)
            # (a token: "eyJ..." or "Bearer eyJ..."; a standard header in its shape, above, carries none)
            if size >= _MIN_JWT and value[0] in "eBb" and jwt.looks_like(value):
                self.token(where, value, record, depth)
            ptexts.append(value)
            pmetas.append(meta if record is None else (where, record, "", False))
        if shaped:
            self.shaped_headers(shaped, shaped_base64, depth)
        if len(values) > _SMALL and self.strings() > max_strings:
            meter.exhaust(f"more than {max_strings} strings in the event")
            self.stack.clear()

    def shaped_headers(self, shaped: list[tuple[Shape, str, Meta]], base64_like: list[int], depth: int) -> None:
        """The values of standard headers (``header_shapes.py``): one in its header's shape that no family
        the shape leaves could find anything in is not a view (its base64 decoding, if it looks like
        base64, is one, but for an opaque id: see below); the others are. Which values fit is told by RE2
        matches over all of them, one when all fit, as a browser's dozen such headers usually do
        (``header_shapes.fits``). The scanner is told the shape each view fits (or None), so it need not
        match again.

        ``base64_like`` (indices into ``shaped``) are decoded as base64 guesses, except a value in the
        shape of an opaque id that a front end writes (CloudFront's ``X-Amz-Cf-Id``, a shape that rules
        every family out): random bytes, never text, and on a warm function's traffic its decoding was
        the largest single cost of a request (about 10 µs of a median 140 µs), every request carrying a
        new one. No function decodes such a header; a value that does not fit is still decoded."""
        fit_each = fits([(shape, value) for shape, value, _ in shaped])
        for i in base64_like:
            shape, value, meta = shaped[i]
            if not (fit_each[i] and shape.rules_out is None):
                self.guess_base64(meta[0], value, meta[1], depth)
        views: list[tuple[Shape | None, str, Meta]] = []
        skipped: list[str] = []  # looked at, as the first time, and counted like views
        undecided: list[tuple[Shape, str, Meta]] = []  # fit a shape that leaves some families
        for i, item in enumerate(shaped):  # (the compiled build loops over zip() generically)
            shape, value, meta = item
            if not fit_each[i]:
                views.append((None, value, meta))
            elif shape.rules_out is None or (shape.carries_nothing is not None and shape.carries_nothing(value)):
                skipped.append(value)
            elif shape.always_viewed:  # SSRF's prefilter matches every "scheme://" and address list
                narrowed = shape.narrowed
                if narrowed is not None and self.fw.finds_nothing(shape.decided_by, value, meta[0]):
                    undecided.append((narrowed, value, meta))
                else:
                    views.append(item)
            else:
                undecided.append(item)
        # Per set of families left (a User-Agent and a Host leave the same ones), one gate match tells
        # whether any of those values may carry something; only then is each asked. (Over values that
        # leave different families, one value's match of a family another one leaves would say yes.)
        groups: dict[frozenset[str] | None, list[tuple[Shape, str, Meta]]] = {}
        for item in undecided:
            groups.setdefault(item[0].rules_out, []).append(item)
        for group in groups.values():
            carried = self.fw.may_carry(group)
            for item in group:
                if carried and (len(group) == 1 or self.fw.may_carry([item])):
                    views.append(item)
                else:
                    skipped.append(item[1])
        ptexts, pmetas, judged = self.ptexts, self.pmetas, self.scanner.shaped
        for fitted, value, meta in views:
            ptexts.append(value)
            pmetas.append(meta)
            judged[(meta[0], value)] = fitted
        if skipped:
            self.meter.strings += len(skipped)
            self.meter.scanned += sum(map(len, skipped))

    def flush(self) -> None:
        """Move queued strings to the scan list; decode the ones that show an encoding marker."""
        ptexts, pmetas = self.ptexts, self.pmetas
        if not ptexts:
            return
        meter = self.meter
        meter.strings += len(ptexts) - self.precounted
        self.precounted = 0
        joined = "\n".join(ptexts)
        room = self.budget.max_bytes - meter.scanned
        if len(joined) > room:  # keep the strings that fit; the rest is not scanned, and said so
            meter.exhaust(f"more than {self.budget.max_bytes} characters to scan")
            self.stack.clear()
            starts = view_starts(ptexts)
            keep = max(0, bisect_right(starts, room) - 1)
            cut = ptexts[keep][: max(0, room - starts[keep])]  # as much of that one as fits
            del ptexts[keep + 1 :]
            del pmetas[keep + 1 :]
            if cut:
                ptexts[keep] = cut
            else:
                del ptexts[keep]
                del pmetas[keep]
            joined = "\n".join(ptexts)
        meter.scanned += len(joined)
        self.texts.extend(ptexts)
        self.metas.extend(pmetas)
        if _has_marker(joined):
            run_starts, run_depths = self.run_starts, self.run_depths
            for count, index in enumerate(_marked(ptexts, joined), 1):
                # A body of megabytes of encoded values is decoded here in one go: the clock is read
                # as the walk reads it, every 256 strings (a 6 MB body of attack lines took seconds)
                if not count & 255 and self.meter.out_of_time():
                    self.stack.clear()
                    break
                path, record, ctype, is_key = pmetas[index]
                mode = run_depths[bisect_right(run_starts, index) - 1]
                if mode < 0:
                    self.derive(ptexts[index], path, record, ctype, is_key, True, ~mode)
                else:
                    self.derive(ptexts[index], path, record, ctype, is_key, False, mode)
        ptexts.clear()
        pmetas.clear()
        self.run_starts = [0]
        self.run_depths = [0]

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
        if hint in (PLAIN, ENVELOPE):
            if text[0] in _STRUCTURED and jsonstr.looks_like(text):
                if self.structure(path, text, record, depth, envelope=hint == ENVELOPE):
                    return
                if hint == ENVELOPE:  # broken JSON: scanned as text
                    self.queue(path, text, record, ctype, depth)
                    return
            if len(text) >= 16 and b64.looks_like(text):
                self.guess_base64(path, text, record, depth)
            self.queue(path, text, record, ctype, depth)
        elif hint == BODY:
            self.body(path, text, record, ctype, depth)
        elif hint == COOKIE:
            pairs = cookies.parse(text)
            # (one bare value, a part without a name, is queued as the view below already)
            if not cookies.well_formed(pairs) and not (len(pairs) == 1 and not pairs[0][0]):
                self.queue(path, text, record, "", depth + 1, False, True)
            for name, value in pairs:
                where = f"{path}.{name}" if name else path
                if name:
                    self.queue(where, name, record, "", 0, True, True)
                meter.strings += 1
                self.queue(where, value, record, "", depth + 1, False, True)
                if len(value) >= _MIN_JWT and value[0] in "eBb" and jwt.looks_like(value):
                    self.token(where, value, record, depth + 1)
        elif hint == URL:
            self.queue(path, text, record, ctype, depth, False, True)
        elif hint == KEY:
            self.queue(path, text, record, "", 0, True, True)
        elif hint in (BASE64, B64_BODY):
            # a multipart body is read part by part whatever its bytes: a binary or UTF-16 part among them
            framed = hint == B64_BODY and ctype[:10].lower() == "multipart/"
            decoded = self.base64(path, text, depth, True, record, framed)
            if decoded is None:
                self.queue(path, text, record, ctype, depth)
            elif hint == B64_BODY:
                self.body(path, decoded, record, ctype, depth + 1)
            else:
                self.string(path, decoded, ENVELOPE, record, ctype, depth + 1)
        elif hint == UNDECODED:
            self.meter.exhaust(f"{path}: a body in content encoding {text[:40]!r}, which the firewall cannot decode")
        elif hint == GRAPHQL:
            from hullguard.firewall.decoders import graphql  # AppSync only: imported on first use

            document = graphql.read(text)
            for literal in document.literals:
                self.push(path, literal, PLAIN, record, "", depth + 1)
            if not document.is_graphql:  # any text, as an authorizer may get it: read whole as well
                self.string(path, text, PLAIN, record, ctype, depth)
        else:
            self.string(path, text, PLAIN, record, ctype, depth)

    def queue(
        self,
        path: str,
        text: str,
        record: int | None,
        ctype: str,
        depth: int,
        is_key: bool = False,
        plus: bool = False,
    ) -> None:
        """Queue a string for ``flush`` (which decodes it if it shows a marker), like the walk does.
        ``plus``: a ``+`` in it means a space (query strings, form fields, cookies): such a string with
        a ``+`` is decoded now, since ``flush`` looks for the other markers only."""
        if not text:
            return
        if plus and "+" in text:
            self.views(path, text, record, ctype, is_key, True, depth)
            return
        mode = ~depth if plus else depth  # a run's mode: its depth, or ~depth when + means space
        if self.run_depths[-1] != mode:
            self.run_starts.append(len(self.ptexts))
            self.run_depths.append(mode)
        self.ptexts.append(text)
        self.pmetas.append((path, record, ctype, is_key))
        self.precounted += 1

    def structure(self, path: str, text: str, record: int | None, depth: int, envelope: bool) -> bool:
        """Parse JSON in a string and walk it; False when the string is not JSON after all."""
        if depth >= self.budget.max_depth:
            self.meter.exhaust(f"nesting deeper than {self.budget.max_depth} levels at {path}")
            return False
        if len(text) > _BIG_JSON and not self.gc_paused and gc.isenabled():
            # Parsing and walking a big document allocate objects by the thousand, none in a cycle: the
            # cyclic collector would run over and over for nothing (a fifth of the time at 1 MB).
            gc.disable()
            self.gc_paused = True  # until the end of ``run``
        obj = jsonstr.parse(text)
        if obj is jsonstr.TOO_DEEP:
            self.too_deep_for_the_parser(path)
            return False
        if obj is jsonstr.FAILED:
            return False
        self.meter.decoded += len(text)
        first = text.find(_TYPE_KEY)
        if first >= 0 and text.find(_TYPE_KEY, first + 7) >= 0:
            # every value the key held, under the document's path (the deser family reads values at an "@type")
            for match in islice(_TYPE_VALUE.finditer(text, first), _MAX_TYPE_VALUES):
                self.queue(f"{path}.@type" if path else "@type", match.group(1), record, "", depth + 1)
        if envelope:
            inner = triggers.envelope(obj, path, record)
            if inner is not None:
                for where, value, hint, rec, ctype in reversed(list(inner)):
                    self.push(where, value, hint, rec, ctype, depth + 1)
                return True
        self.push(path, obj, PLAIN, record, "", depth + 1)
        return True

    def too_deep_for_the_parser(self, path: str) -> None:
        """JSON nested deeper than this interpreter's parser reads (before Python 3.14: near the recursion
        limit) is scanned as text, every character of it, and the cut is reported as on 3.14, whose parser
        reads it and whose walk stops at the depth budget (``too_deep``): a parser in the function may read
        what this one could not."""
        self.meter.exhaust(f"JSON at {path or '(root)'} nested deeper than the parser reads: scanned as text")

    def body(self, path: str, text: str, record: int | None, ctype: str, depth: int) -> None:
        """An HTTP body, by content type and shape: multipart, JSON, form, XML or text; and read again
        in the charset its content type declares, when a parser would read it so (``decoders/charset``)."""
        lowered = ctype.lower()
        media = lowered.partition(";")[0].strip()
        if "charset" in lowered and not media.startswith("multipart/") and not _declares_utf8_alone(lowered):
            from hullguard.firewall.decoders import charset, multipart  # imported on first use

            name = charset.codec(multipart.charset(ctype))
            recoded = charset.recode(text, name) if name else None
            if recoded is not None:
                self.meter.decoded += len(recoded)
                self.body(path, recoded, record, media, depth)  # (the charset gone: read once more only)
        if media.startswith("multipart/") and self.multipart(path, text, record, ctype, depth):
            return
        # A body with no part where its content type promised parts is what its shape says: handlers
        # that parse JSON whatever the type (``json.loads(event["body"])``) read it so.
        json_like = jsonstr.looks_like(text)
        if json_like and self.structure(path, text, record, depth, envelope=False):
            return
        declared_form = media == "application/x-www-form-urlencoded"
        if declared_form or ((not media or media == "text/plain") and form.looks_like(text)):
            if not declared_form:  # only its shape says form: it may as well be one value ("a=1 OR 1=1")
                self.queue(path, text, record, ctype, depth)
            for name, value in form.parse(text):
                decoded = url.decode(name, True) or name
                if "[" in decoded:
                    parts = form.bracket_parts(decoded)
                    where = ".".join([path, *parts])
                    for part in parts:
                        self.queue(where, part, record, "", 0, True)
                else:
                    where = f"{path}.{decoded}"
                self.queue(where, name, record, "", 0, True, True)
                self.meter.strings += 1
                self.queue(where, value, record, "", depth + 1, False, True)
                self.field_base64(where, value, record, depth + 1)
            return
        if text[:64].lstrip()[:1] == "<" and self.xml(path, text, record, lowered, depth):
            return  # (only a body starting with "<" can be XML: the decoder is imported for those)
        if json_like:  # broken JSON (truncated, too deep): scanned as text, not parsed twice
            self.queue(path, text, record, ctype, depth)
            return
        self.string(path, text, PLAIN, record, ctype, depth)

    def multipart(self, path: str, text: str, record: int | None, ctype: str, depth: int) -> bool:
        """Each part of a multipart body: its names (as keys), file names and content, the content also
        as its transfer encoding and its charset (or the request's) say. False when no part is found."""
        from hullguard.firewall.decoders import charset, multipart

        request_codec = charset.codec(multipart.charset(ctype))
        found = False
        for boundary in multipart.boundaries(ctype):
            parts, cut = multipart.parse(text, boundary)
            if cut:
                self.meter.exhaust(
                    f"multipart body at {path} not read in full (over {multipart.MAX_PARTS} parts or a part's "
                    f"headers over {multipart.MAX_HEAD} characters)"
                )
            for part in parts:
                found = True
                where = f"{path}.{part.names[0]}" if part.names and part.names[0] else path
                # the part's own charset (the email package's reading), then the request's (Starlette's)
                own_codec = charset.codec(multipart.charset(part.content_type)) if part.content_type else ""
                part_codecs = [codec for codec in dict.fromkeys((own_codec, request_codec)) if codec]
                names, filenames = part.names, part.filenames
                if request_codec:  # Starlette reads names and file names in the request's charset too
                    names = [*names, *filter(None, (charset.recode(name, request_codec) for name in names))]
                    filenames = [*filenames, *filter(None, (charset.recode(n, request_codec) for n in filenames))]
                for name in names:
                    self.queue(where, name, record, "", 0, True)
                for filename in filenames:
                    self.push(f"{where}.filename", filename, PLAIN, record, "", depth + 1)
                # A part without a content type is a form field's value as the user typed it, not a body
                # whose shape is guessed ("elt(5953=5953,1)" is no form to split at "=").
                hint = BODY if part.content_type else PLAIN
                self.push(where, part.content, hint, record, part.content_type, depth + 1)
                decoded = self.transfer_decoded(where, part)
                if decoded is not None:
                    self.push(where, decoded, hint, record, part.content_type, depth + 1)
                for codec in part_codecs:
                    recoded = charset.recode(part.content if decoded is None else decoded, codec)
                    if recoded is not None:
                        self.meter.decoded += len(recoded)
                        self.push(where, recoded, hint, record, multipart.media_type(part.content_type), depth + 1)
        return found

    def transfer_decoded(self, path: str, part: Part) -> str | None:
        """A part's content undone from its Content-Transfer-Encoding (base64 or quoted-printable), as
        python-multipart and the ``email`` package read it; None for any other (or none)."""
        if part.transfer_encoding == "base64":
            return self.base64(path, part.content, 0, True)
        if part.transfer_encoding == "quoted-printable":
            import binascii

            data = binascii.a2b_qp(part.content.encode("utf-8", "replace"))
            self.meter.decoded += len(data)
            return b64.to_text(data, True)
        return None

    def xml(self, path: str, text: str, record: int | None, content_type: str, depth: int) -> bool:
        """An XML body: scanned whole (DOCTYPE and ENTITY declarations), and each text node and
        attribute value by element name. False when ``text`` is not XML."""
        from hullguard.firewall.decoders import xml

        if not xml.looks_like(text, content_type):
            return False
        self.queue(path, text, record, "application/xml", depth)
        for element, value in xml.parts(text):
            self.push(f"{path}.{element}", value, PLAIN, record, "", depth + 1)
        return True

    def base64(
        self, path: str, text: str, depth: int, declared: bool, record: int | None = None, framed: bool = False
    ) -> str | None:
        """Decoded text of a base64 string (gunzipped when compressed), or None if it is not text. A KPL
        aggregated record's user records are walked instead (``aggregated``), and "" returned. ``framed``:
        the bytes are a container whose parts are read one by one (a multipart body), text in any case."""
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
            data = self.inflate(path, data)
        elif kpl.is_aggregated(data):
            self.aggregated(path, data, record, depth)
            return ""
        decoded = b64.to_text(data, declared)
        return data.decode("latin-1") if decoded is None and framed else decoded

    def inflate(self, path: str, data: bytes) -> bytes:
        """gzip or zlib data decompressed within the decoded-size budget (what came before a break)."""
        data, problem = decompress(data, self.meter.decoded_room())
        self.meter.decoded += len(data)
        if problem:
            self.problems.append(f"{path}: {problem}")
            if "budget" in problem:
                self.meter.exhaust(f"decoded data over {self.budget.max_decoded_bytes} bytes at {path}")
        return data

    def aggregated(self, path: str, data: bytes, record: int | None, depth: int) -> None:
        """A Kinesis record a KPL producer aggregated (``decoders/kpl.py``): the data of each user record
        in it, as the consumer unpacks it, and the partition keys its producer chose."""
        if depth >= self.budget.max_depth:
            return
        keys, records = kpl.unpack(data, self.budget.max_strings)
        for i, key in enumerate(keys):
            self.push(f"{path}.partitionKeys[{i}]", key, PLAIN, record, "", depth + 1)
        for i, item in enumerate(records):
            where = f"{path}.records[{i}]"
            text = b64.to_text(self.inflate(where, item) if is_compressed(item) else item, True)
            if text:
                self.push(where, text, ENVELOPE, record, "", depth + 1)

    def token(self, path: str, text: str, record: int | None, depth: int) -> None:
        """A JSON Web Token's header and payload (``decoders/jwt.py``), each walked as the JSON it is."""
        if depth >= self.budget.max_depth:
            return
        for name, decoded in jwt.parts(text):
            self.meter.decoded += len(decoded)
            self.push(f"{path}.jwt.{name}", decoded, PLAIN, record, "", depth + 1)

    def guess_base64(self, path: str, text: str, record: int | None, depth: int) -> None:
        if depth >= self.budget.max_depth:
            return
        decoded = self.base64(path, text, depth, False, record)
        if decoded and decoded != text:
            self.push(path, decoded, PLAIN, record, "", depth + 1)

    def field_base64(self, path: str, value: str, record: int | None, depth: int) -> None:
        """A form field's base64 value is guessed as a query parameter's is (its padding may arrive
        percent-encoded, "%3D"). Not a cookie's: session ids and CSRF tokens look like base64, and
        guessing them cost a browser request with four cookies 22 % more time (random tokens)."""
        if len(value) >= 16:
            plain = (url.decode(value, True) or value) if "%" in value else value
            if not len(plain) & 3 and b64.looks_like(plain):
                self.guess_base64(path, plain, record, depth)

    def views(
        self, path: str, text: str, record: int | None, ctype: str, is_key: bool, plus: bool, depth: int = 0
    ) -> None:
        """Queue ``text`` and each distinct decoding of it for scanning."""
        text = self.fit(text)
        if not text:
            return
        self.meter.scanned += len(text)
        self.texts.append(text)
        self.metas.append((path, record, ctype, is_key))
        if (plus and "+" in text) or _has_marker(text):
            self.derive(text, path, record, ctype, is_key, plus, depth)

    def fit(self, text: str) -> str:
        """``text``, or as much of it as the scan budget still allows (the cut is reported)."""
        room = self.budget.max_bytes - self.meter.scanned
        if len(text) <= room:
            return text
        self.meter.exhaust(f"more than {self.budget.max_bytes} characters to scan")
        self.stack.clear()
        return text[: max(room, 0)]

    def derive(
        self, text: str, path: str, record: int | None, ctype: str, is_key: bool, plus: bool, depth: int
    ) -> None:
        """Queue the decoded views of ``text`` (itself already queued): URL (repeatedly, for double
        encoding), HTML entities, JS escapes, Unicode normalisation, comment folding. A view that
        turns out to be JSON is walked as a structure instead of scanned as text."""
        if (
            not plus
            and not _has_ascii_marker(text)
            and not ("+" in text and _spaced_by_plus(text))
            and unicode.decode(text) is None
        ):
            # Marked only by characters beyond ASCII (an accented name) or by a "+" in a base64 run: every
            # other decoder needs an ASCII marker (%, &, \\, $, *, a quote; ``+`` where it means a space)
            # to change anything, and Unicode normalisation leaves it as it is.
            return
        views = [text]
        i = 0
        while i < len(views) and len(views) < MAX_VIEWS:
            view = views[i]
            i += 1
            out = url.decode(view, plus or "%" in view or ("+" in view and _spaced_by_plus(view)))
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
                if obj is jsonstr.TOO_DEEP:
                    self.too_deep_for_the_parser(path)
                elif obj is not jsonstr.FAILED:
                    self.push(path, obj, PLAIN, record, "", depth + 1)
                    continue
            view = self.fit(view)
            if not view:
                return
            meter.scanned += len(view)
            meter.decoded += len(view)
            self.texts.append(view)
            self.metas.append(meta)


def _bytes_text(value: Sequence[Any]) -> str:
    try:
        return bytes_to_text(bytes(value[:1_000_000]))
    except (TypeError, ValueError):
        return ""


__all__ = ["Inspection"]
