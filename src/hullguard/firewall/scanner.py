"""Detection over the views an inspection collected: prefilter passes, detector calls, findings.

``Scanner.scan`` lower-cases all views joined by ``SEPARATOR`` once; the RE2 gate (``gate.py``) names
the families whose prefilter may match, and each of those makes one exact pass over them, jumping to
the next view after each hit, so the number of searches is the number of views a family matches.
Only those views go to the family's ``scan`` (guarded: a detector bug becomes an ``HG-INTERNAL-001``
finding). The policy's paranoia level and allow rules apply here.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from time import perf_counter

from hullguard.events.redact import mask_secrets
from hullguard.events.schema import Severity, truncate
from hullguard.firewall.budget import Meter
from hullguard.firewall.detectors.base import Detection, ScanContext
from hullguard.firewall.gate import Locator
from hullguard.firewall.header_shapes import PREFIXES as HEADER_PREFIXES
from hullguard.firewall.header_shapes import Shape
from hullguard.firewall.header_shapes import fitting as header_shape
from hullguard.firewall.memo import MAX_TEXT as MEMO_TEXT
from hullguard.firewall.memo import key_of as memo_key
from hullguard.firewall.prefilter import LONG_TEXT, SEPARATOR, PreparedDetector, view_starts, windows
from hullguard.firewall.rules import INTERNAL_RULE
from hullguard.firewall.verdict import Finding

TYPE_CHECKING = False  # not typing's: importing typing costs about 3 ms of every cold start
if TYPE_CHECKING:
    from hullguard.firewall.engine import Firewall

Meta = tuple[str, "int | None", str, bool]  # (location, record, content type, is key) of a view
Passes = Callable[[str, list[str], dict[int, list[PreparedDetector]], float], None]
EVIDENCE_CONTEXT = 24
# The scan's shares of the time budget: one for the prefilter passes and detectors together, from the
# scan's start however long the walk took; one for each family's pass past that deadline; one for the
# detectors, from the end of the passes however long those took.
SCAN_SHARE = 1 / 4
FAMILY_SHARE = 1 / 64
DETECT_SHARE = 1 / 8
_DEADLINE_EVERY = 512  # matching views between two looks at the clock in a prefilter pass
EVIDENCE_LIMIT = 256
_CONTROL = "\x02"  # stands in for SEPARATOR inside a view (see ``Scanner.scan``)
_FAILED = Detection("", "", 0, 0)  # a detector raised or answered nonsense (reported already)
_SECRET_NAME = re.compile(r"(?i)(?:^|[._\[-])(?:password|passwd|pwd|secret|token|authorization|api[_-]?key)")


class Scanner:
    """Findings of one inspection."""

    def __init__(self, firewall: Firewall, meter: Meter) -> None:
        self.fw = firewall
        self.policy = firewall.policy
        self.budget = firewall.policy.budget
        self.meter = meter
        self.findings: list[Finding] = []
        self.finding_views: list[int] = []  # index of the view each finding came from
        self.view_index = 0
        self.found: set[tuple[str, str]] = set()  # (location, family) already reported
        self.allowed = 0
        self.error = ""
        self.deadline = 0.0  # when scanning must stop (set by ``scan``)
        self.passes_cut = False  # a prefilter pass stopped at its deadline: later views were not all read
        # (location, value) of the standard header values the walk matched against their shape
        # (``header_shapes.py``) -> the shape, or None when the value does not fit it, so that ``scan``
        # need not match them again
        self.shaped: dict[tuple[str, str], Shape | None] = {}

    def share(self, fraction: float) -> float:
        """Seconds of the time budget."""
        return self.budget.time_budget_ms / 1000.0 * fraction

    def time_up(self) -> None:
        self.meter.exhaust(f"time budget of {self.budget.time_budget_ms:g} ms used up while scanning")

    def scan(self, texts: list[str], metas: list[Meta]) -> None:
        """Prefilter passes over every view joined (lower-cased, so literals are matched
        case-sensitively, which Python's re does several times faster); for each view a family's
        prefilter hits, that family's detector runs on the original view."""
        fw = self.fw
        if not texts or not fw._detectors:
            return
        hits: dict[int, list[PreparedDetector]] = {}
        meter = self.meter
        deadline = max(meter.deadline, perf_counter() + self.share(SCAN_SHARE))
        joined = SEPARATOR.join(texts)
        self.prefilter(joined, texts, hits, deadline)
        if joined.count(SEPARATOR) >= len(texts) and perf_counter() <= deadline:
            # A view holds the separator character itself (a JSON "\u0001"): in the joined views it
            # reads as a view boundary, so a detector that drops control characters ("..\x01/") might
            # never be asked. Those views are prefiltered once more with it as another control character.
            views = [text.replace(SEPARATOR, _CONTROL) for text in texts]
            self.prefilter(SEPARATOR.join(views), views, hits, deadline)
            for index, families in hits.items():
                hits[index] = list(dict.fromkeys(families))  # a family found by both passes runs once
        if not hits:
            return  # the clean path
        # Scanning gets its own slice of time even when walking used the budget up: an attacker must
        # not be able to pad an event so that what was already collected is never looked at. The
        # detectors get one more after the prefilter passes, which an event of megabytes of views that
        # match can use up on its own (3 MB of attack lines had been cut there with no finding at all).
        deadline = max(deadline, perf_counter() + self.share(DETECT_SHARE))
        order = fw._order
        paranoia = self.policy.paranoia
        found = self.found
        findings = self.findings
        max_findings = self.budget.max_findings
        # Later views of a string are its decodings: trying them first makes the evidence the decoded
        # payload. Findings are put back in event order afterwards. Where a prefilter pass was cut, the
        # first views are the ones every family read: they go first.
        self.deadline = deadline
        for index in sorted(hits, reverse=not self.passes_cut):
            self.view_index = index
            if perf_counter() > deadline:
                self.time_up()
                return
            text = texts[index]
            path, record, ctype, is_key = metas[index]
            families = hits[index]
            if not is_key and path.startswith(HEADER_PREFIXES):
                # A standard header in its standard shape (``header_shapes.py``) is not looked at by the
                # families its shape rules out. The walk drops those of a flat header map that no other
                # family's prefilter matches before they become views; this catches the others (and
                # list-valued headers such as Lattice's, decoded views of a header value).
                judged = self.shaped
                shape = judged[(path, text)] if (path, text) in judged else header_shape(path, text)
                if shape is not None:
                    if shape.rules_out is None:
                        continue
                    families = [det for det in families if det.family not in shape.rules_out]
                    if not families:
                        continue
            if len(families) > 1:
                families.sort(key=lambda d: order[d.family])
            ctx = scan_context(paranoia, is_key, path, ctype)
            for det in families:
                if found and (path, det.family) in found:
                    continue
                if len(text) > LONG_TEXT and perf_counter() > deadline:
                    self.time_up()
                    return
                self.detect(det, text, ctx, record)
                if len(findings) >= max_findings:
                    meter.exhaust(f"more than {self.budget.max_findings} findings")
                    return

    def prefilter(
        self, joined: str, texts: list[str], hits: dict[int, list[PreparedDetector]], deadline: float
    ) -> None:
        """Add to ``hits``, per view index, the families whose prefilter matches that view of ``texts``
        (``joined`` is them joined by SEPARATOR)."""
        if self.fw._gate is not None and not joined.isascii():
            # The gate reads ASCII only: one accented name must not send every view of the event
            # through the exact passes. The ASCII views go through the gate, with the others blanked
            # out (so view indices stay as they are); the others, one by one, through the Unicode gate
            # (``_prefilter_unicode``), or the exact passes where it cannot tell.
            others = [i for i, text in enumerate(texts) if not text.isascii()]
            if len(others) < len(texts):
                blanked = texts.copy()
                for index in others:
                    blanked[index] = ""
                found: dict[int, list[PreparedDetector]] = {}
                self._prefilter_joined(SEPARATOR.join(blanked), blanked, found, deadline)
                for index in others:
                    found.pop(index, None)  # a prefilter that matched an empty stand-in says nothing
                for index, families in found.items():
                    hits.setdefault(index, []).extend(families)
            unjudged = self._prefilter_unicode(others, texts, hits, deadline)
            if unjudged:
                self._prefilter_subset(unjudged, texts, hits, deadline)
            if self.fw._cased and len(unjudged) < len(others):
                judged = [i for i in others if i not in unjudged]
                self._prefilter_subset(judged, texts, hits, deadline, self._prefilter_cased)
            return
        self._prefilter_joined(joined, texts, hits, deadline)

    def _prefilter_subset(
        self,
        indices: list[int],
        texts: list[str],
        hits: dict[int, list[PreparedDetector]],
        deadline: float,
        passes: Passes | None = None,
    ) -> None:
        """``passes`` (by default every family's) over the views ``indices`` of ``texts`` only."""
        subset = [texts[i] for i in indices]
        found: dict[int, list[PreparedDetector]] = {}
        (passes or self._prefilter_joined)(SEPARATOR.join(subset), subset, found, deadline)
        for position, families in found.items():
            hits.setdefault(indices[position], []).extend(families)

    def _prefilter_unicode(
        self, indices: list[int], texts: list[str], hits: dict[int, list[PreparedDetector]], deadline: float
    ) -> list[int]:
        """The lower-cased families' hits on the views ``indices`` (not ASCII), one Unicode gate match
        per view (``gate.UnicodeGate``), the families it cannot vouch for confirmed by their exact
        prefilter on that view. Returns the views it could not judge (no Unicode gate, RE2 gave up, a
        lone surrogate that UTF-8 cannot carry): they take the exact passes."""
        fw = self.fw
        gate = fw._gate
        lowered_families = fw._lowered
        unicode_gate = None if gate is None else gate.unicode(lowered_families)
        if unicode_gate is None:
            return indices
        unjudged: list[int] = []
        for index in indices:
            if perf_counter() > deadline:  # as the exact passes do: stop, the verdict says it is incomplete
                self.time_up()
                return []
            view = texts[index].lower()
            try:
                answer = unicode_gate.candidates(view.encode("utf-8"))
            except UnicodeEncodeError:
                answer = None
            if answer is None:
                unjudged.append(index)
                continue
            certain, to_confirm = answer
            found = [lowered_families[position] for position in certain]
            for position in to_confirm:
                det = lowered_families[position]
                if det.joined.search(view) is not None:
                    found.append(det)
            if found:
                hits.setdefault(index, []).extend(found)
        return unjudged

    def _prefilter_joined(
        self, joined: str, texts: list[str], hits: dict[int, list[PreparedDetector]], deadline: float
    ) -> None:
        fw = self.fw
        lowered = joined.lower()
        gate = fw._gate
        candidates = None
        data = b""
        if gate is not None and lowered.isascii():  # O(1) for str; the gate reads ASCII only
            data = lowered.encode("ascii")
            candidates = gate.candidates(data)
            if not candidates and not fw._cased:
                return  # the clean path: no family's prefilter matches any view
        starts = view_starts(texts)
        same_length = len(lowered) == len(joined)
        if not same_length:  # a few characters change length when lower-cased
            lowered = SEPARATOR.join(t.lower() for t in texts)
        lowered_starts = starts if same_length else view_starts([t.lower() for t in texts])
        # Per family, one pass over all views, searching on from the start of the next view after
        # each hit: the number of searches is the number of views the family matches. (One pattern
        # with a named group per family would be slower: Python's re then tries every branch at
        # every position instead of skipping ahead on each pattern's literal prefix.)
        marked = ""  # SEPARATOR + lowered, for the anchored passes (see ``split_passes``)
        splits = fw._splits
        # Every family with work gets a share of its own past the deadline (so an event whose views
        # keep the first families' passes busy cannot hide what a later family would find in its
        # first views), and no pass runs on past its share: the scan stays bounded.
        share = self.share(FAMILY_SHARE)
        stopped = False
        for position, det in enumerate(fw._lowered):
            if candidates is not None and position not in candidates:
                continue  # the gate vouches that this family's prefilter matches no view
            now = perf_counter()
            until = max(deadline, now + share)
            late = now > deadline  # this family reads only what its share allows: the scan is incomplete
            cut = False
            # (without the gate, every family takes its exact passes)
            split = splits.get(position) if splits and candidates is not None else None
            if split is not None and candidates is not None and split[0] not in candidates:
                # only the family's common class matched: the views it matches are found by searching for it
                cut = self._hit_views(split[1], lowered, det, lowered_starts, hits, until)
            elif candidates is not None and det.locator is not None:
                cut = self._locate(det.locator, det, data, lowered_starts, hits, lowered, until)
            else:
                for pattern, anchored in det.passes:
                    if anchored and not marked:
                        marked = SEPARATOR + lowered
                    # In ``marked`` an anchored match starts on the separator before its view, which
                    # is at the view's own offset in ``lowered``: the same arithmetic serves both.
                    view = marked if anchored else lowered
                    cut = self._hit_views(pattern, view, det, lowered_starts, hits, until) or cut
            stopped = stopped or late or cut
        if stopped:
            self.passes_cut = True
            self.time_up()
        self._prefilter_cased(joined, texts, hits, max(deadline, perf_counter() + share))

    def _prefilter_cased(
        self, joined: str, texts: list[str], hits: dict[int, list[PreparedDetector]], deadline: float
    ) -> None:
        """The prefilters that could not be lower-cased: one pass each over ``joined`` (``texts``)."""
        if not self.fw._cased:
            return
        starts = view_starts(texts)
        for det in self.fw._cased:
            if self._hit_views(det.joined, joined, det, starts, hits, deadline):
                self.time_up()
                return

    @staticmethod
    def _hit_views(
        pattern: re.Pattern[str],
        subject: str,
        det: PreparedDetector,
        starts: list[int],
        hits: dict[int, list[PreparedDetector]],
        deadline: float,
    ) -> bool:
        """Add ``det`` to the hits of each view of ``subject`` (the joined views, at ``starts``) in which
        ``pattern`` matches: one search per matching view, the next from the following view's start.
        True when the deadline stopped it (looked at every ``_DEADLINE_EVERY`` matching views: one
        family's views of a body of megabytes take seconds)."""
        last = len(starts) - 1
        search = pattern.search
        match = search(subject)
        count = 0
        while match is not None:
            index = bisect_right(starts, match.start()) - 1
            found = hits.setdefault(index, [])
            if not found or found[-1] is not det:
                found.append(det)
            if index >= last:
                break
            count += 1
            if not count % _DEADLINE_EVERY and perf_counter() > deadline:
                return True
            match = search(subject, starts[index + 1])
        return False

    @staticmethod
    def _locate(
        locator: Locator,
        det: PreparedDetector,
        data: bytes,
        starts: list[int],
        hits: dict[int, list[PreparedDetector]],
        lowered: str,
        deadline: float,
    ) -> bool:
        """The views ``det``'s prefilter matches, found by RE2 (``data`` is ``lowered``, the joined
        views, in ASCII, so byte and character offsets agree); one search per matching view, as in the
        exact passes. ``starts`` are the views' offsets. Where the translation is a superset
        (``det.verify``), the exact prefilter confirms each view RE2 proposes. True when the deadline
        stopped it, as in ``_hit_views``."""
        last = len(starts) - 1
        verify = det.verify
        spans = locator.spans()
        size = len(data)
        offset = spans(data, 0, size)[0][0]
        count = 0
        while offset >= 0:
            count += 1
            if not count % _DEADLINE_EVERY and perf_counter() > deadline:
                return True
            # RE2 has no lookbehind: the translation consumes the character a lookbehind looked at,
            # which for a match at the start of a view is the separator before it.
            if data[offset : offset + 1] == b"\x01":
                offset += 1
            index = bisect_right(starts, offset) - 1
            end = starts[index + 1] - 1 if index < last else len(lowered)
            if not verify or det.joined.search(lowered, starts[index], end) is not None:
                found = hits.setdefault(index, [])
                if not found or found[-1] is not det:
                    found.append(det)
            if index >= last:
                break
            # From the separator on: where a lookbehind was turned into a consumed character, the
            # match of a view's first character starts there.
            offset = spans(data, starts[index + 1] - 1, size)[0][0]
        return False

    def event_order(self) -> None:
        if len(self.findings) > 1:
            order = dict(zip(map(id, self.findings), self.finding_views, strict=True))
            self.findings.sort(key=lambda f: order[id(f)])

    def detect(self, det: PreparedDetector, text: str, ctx: ScanContext, record: int | None) -> None:
        path = ctx.location
        module = det.loaded or self.fw.module_of(det)
        if module is None:
            self.internal(f"detector {det.family} could not be loaded: {det.load_error}", path, record)
            return
        if len(text) <= LONG_TEXT:
            memo = self.fw._memo
            if len(text) <= MEMO_TEXT and path.startswith(HEADER_PREFIXES):  # what the memo keeps: header values
                key = memo_key(det.family, text, ctx)
                known, answer = memo.get(key)
                if not known:
                    answer = self._ask(det, text, ctx, record)
                    if answer is _FAILED:
                        return
                    memo.put(key, answer)
            else:
                answer = self._ask(det, text, ctx, record)
            if answer is not None and answer is not _FAILED:
                self.report(det.family, answer, text, 0, path, record)
            return
        for number, (offset, window) in enumerate(windows(det, text)):
            if number and perf_counter() > self.deadline:
                self.time_up()
                return
            answer = self._ask(det, window, ctx, record)
            if answer is _FAILED:
                return
            if answer is not None:
                self.report(det.family, answer, window, offset, path, record)
                return

    def _ask(self, det: PreparedDetector, text: str, ctx: ScanContext, record: int | None) -> Detection | None:
        """The detector's answer for ``text`` (a view its prefilter matched); ``_FAILED`` (reported as an
        internal error) when it raised or answered something that is no Detection."""
        family = det.family
        try:
            answer = det.entry(text, ctx)  # type: ignore[misc]  # None (no scan) raises, as reported below
        except Exception as exc:
            where = ctx.location
            self.internal(f"detector {family} failed on {where}: {type(exc).__name__}: {exc}", where, record)
            return _FAILED
        if answer is not None and not isinstance(answer, Detection):
            self.internal(f"detector {family} returned {type(answer).__name__}", ctx.location, record)
            return _FAILED
        return answer

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
                evidence=evidence(text, detection, path),
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


# Scan contexts by (paranoia, is key, location, content type): locations repeat from one event to the
# next (header names, body fields), and a lookup costs a fraction of building the frozen record.
# Bounded: emptied when full, so ever-new locations cost an insert each, never memory; long ones
# (an attacker's megabyte key) are not kept.
_CONTEXTS: dict[tuple[int, bool, str, str], ScanContext] = {}
_MAX_CONTEXTS = 4096
_MAX_CONTEXT_LOCATION = 256


def scan_context(paranoia: int, is_key: bool, location: str, content_type: str) -> ScanContext:
    key = (paranoia, is_key, location, content_type)
    ctx = _CONTEXTS.get(key)
    if ctx is None:
        ctx = ScanContext(paranoia, is_key, location, content_type)
        if len(location) <= _MAX_CONTEXT_LOCATION and len(content_type) <= _MAX_CONTEXT_LOCATION:
            if len(_CONTEXTS) >= _MAX_CONTEXTS:
                _CONTEXTS.clear()
            _CONTEXTS[key] = ctx
    return ctx


def evidence(text: str, detection: Detection, path: str) -> str:
    if _SECRET_NAME.search(path):
        return "**** (value of a secret field, not recorded)"
    start, end = detection.start, detection.end
    if end <= start or end > len(text):
        excerpt = text[:EVIDENCE_LIMIT]
    else:
        excerpt = text[max(0, start - EVIDENCE_CONTEXT) : min(len(text), end + EVIDENCE_CONTEXT)]
    return truncate(mask_secrets(excerpt), EVIDENCE_LIMIT)


__all__ = ["Meta", "Scanner", "evidence", "scan_context"]
