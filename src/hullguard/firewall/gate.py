"""The gate: RE2 set matches over all views that say which families' prefilters may match.

Python's ``re`` has no multi-pattern matching, so each family's prefilter costs a pass of its own over
the joined views (fifteen passes, most of a clean event's inspection time). RE2's ``Set`` matches many
patterns in one linear-time pass and returns which ones matched; the gate has two sets (the path and
command prefilters apart from the rest, see ``SEPARATE_SETS``), and the header shapes' questions about
families from both get a set of their own (``Gate._plan``). Each family's gate pattern is its
prefilter translated to RE2 syntax (``gate_translate.py``, generated into ``detectors/prefilters.py``)
so that it matches whenever the prefilter does; only the families the gate names run their exact
Python passes, which also locate the views to scan.

Views that are not ASCII (one accented name) go through a second set, ``UnicodeGate``: the prefilters
translated for any text, matched against one view at a time as UTF-8 (so no byte offsets need mapping
back to characters). It is compiled on the first such view; most functions never see one.

The gates never decide alone that a view is clean when they cannot vouch for it: without the
``google-re2`` wheel, or when RE2 gives up (its DFA ran out of memory: a canary pattern that matches
every text is then missing from the answer), ``candidates`` returns None and every family runs its
exact passes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

TYPE_CHECKING = False  # not typing's: importing typing costs about 3 ms of every cold start
if TYPE_CHECKING:
    from typing import Any

    from hullguard.firewall.prefilter import PreparedDetector

_CANARY = "\\z"  # matches every text; missing from an answer only when RE2 failed
# RE2's memory budgets (program plus DFA cache, grown on demand). A function may have 128 MB in all,
# so they stay small: past its budget the set's DFA gives up (the canary says so, and every exact
# pass runs) and a single pattern's search falls back to RE2's slower NFA, with the same answer.
_SET_MAX_MEM = 16 << 20
_UNICODE_SET_MAX_MEM = 8 << 20  # built only when a view is not ASCII, matched against one view at a time
_LOCATOR_MAX_MEM = 4 << 20
_BEYOND_LATIN1 = "[^\\x00-\\x{ff}]"  # a view with such a character: EXACT_LATIN1 translations verify
_EXACT_LATIN1 = "latin1"  # ``gate_translate.EXACT_LATIN1`` (not imported: it is the generator's module)
_EXACT = "exact"


def _options(re2: Any, max_mem: int) -> Any:
    """RE2 options with a memory budget (see above), RE2's own error log off: a failure is answered."""
    options = re2.Options()
    options.max_mem = max_mem
    options.log_errors = False
    return options


def _re2_set(
    patterns: Sequence[str], max_mem: int = _SET_MAX_MEM
) -> tuple[Callable[[bytes], list[int] | None], int] | None:
    """A compiled RE2 set's match function (the indices of the patterns that match; empty or None
    when nothing matched, which with the canary means RE2 failed) and its canary's index, or None
    without RE2."""
    try:
        import re2  # google-re2: a small wheel; optional, the exact passes work without it
    except Exception:  # not installed, or a wheel broken for this platform
        return None
    try:
        matcher = re2.Set.SearchSet(_options(re2, max_mem))
        for pattern in patterns:
            matcher.Add(pattern)
        canary = matcher.Add(_CANARY)
        matcher.Compile()
    except Exception:  # a pattern RE2 rejects: no gate rather than a wrong one
        return None
    return _fastest_match(matcher), canary


def _fastest_match(matcher: object) -> Callable[[bytes], list[int] | None]:
    """The compiled set's own ``Match`` when the wrapper has it where expected and it answers as the
    wrapper does (the wrapper's adds a Python frame and a type check per call), else the wrapper's."""
    public: Callable[[bytes], list[int] | None] = getattr(matcher, "Match")  # noqa: B009
    try:
        raw: Callable[[bytes], list[int] | None] = matcher._set.Match  # type: ignore[attr-defined]
        probe = b"\x00"
        same = list(raw(probe) or ()) == list(public(probe) or ())
    except Exception:  # another wrapper version: its public method
        return public
    return raw if same else public


def _answer(match: Callable[[bytes], list[int] | None], canary: int, data: bytes) -> Sequence[int] | None:
    """The indices of a set's patterns that match ``data``, or None when RE2 failed (it raised, or the
    canary, which matches every text, is missing: the wrapper answers None when nothing matched)."""
    try:
        hits = match(data) or ()
    except Exception:
        return None
    return hits if canary in hits else None


class Locator:
    """Finds where a translated prefilter matches the joined views, with RE2 (one search per view it
    matches, like the exact Python passes, at a fraction of their cost when the prefilter starts with
    a lookbehind or a wide class). Compiled on first use."""

    __slots__ = ("_pattern", "_spans")

    def __init__(self, pattern: str) -> None:
        self._pattern = pattern
        self._spans: Spans | None = None

    def spans(self) -> Spans:
        """``spans(data, pos, end)[0][0]``: offset of the first match in ``data[pos:end]``, or -1."""
        spans = self._spans
        if spans is None:
            spans = self._spans = compile_spans(self._pattern)
        return spans


Spans = Callable[[bytes, int, int], Sequence[tuple[int, int]]]


def compile_spans(pattern: str, max_mem: int = _LOCATOR_MAX_MEM) -> Spans:
    """``pattern`` (RE2 syntax, matched on UTF-8 bytes; an ASCII text's bytes are its UTF-8) compiled with
    the memory budget ``max_mem``, as a ``Locator``'s spans function. Raises without RE2 or where RE2
    rejects the pattern (``detectors/presearch.py`` also compiles its patterns here)."""
    import re2

    compiled = re2.compile(pattern.encode("utf-8"), _options(re2, max_mem))
    # The wrapper's ``search`` builds a match object through a generator (about 2 µs a call); the
    # compiled RE2 underneath answers in a fraction of that, and bound to its anchor with
    # ``functools.partial`` it is called without a Python frame. Its interface is the wrapper's own,
    # so it is used only when it is there and answers as expected, else the public ``search``.
    try:
        raw = partial(compiled._regexp.Match, re2._re2.RE2.Anchor.UNANCHORED)
        probe = b"\x00" + pattern.encode("utf-8")
        expected = compiled.search(probe, 0)
        if raw(probe, 0, len(probe))[0][0] != (-1 if expected is None else expected.start()):
            raise ValueError("unexpected answer")
    except Exception:
        public = compiled.search

        def spans(data: bytes, pos: int, end: int) -> Sequence[tuple[int, int]]:
            found = public(data, pos, end)
            return [(-1, -1)] if found is None else [found.span()]

        return spans
    return raw  # type: ignore[no-any-return]


def prefix_matcher(pattern: str, max_mem: int = _LOCATOR_MAX_MEM) -> Callable[[bytes, int], int] | None:
    """Where the longest match of ``pattern`` (RE2 syntax) that starts at ``pos`` of a text (ASCII
    bytes) ends, or -1 when none starts there, in one linear-time pass; None without RE2 or when RE2
    rejects the pattern. ``max_mem``: its memory budget (see above)."""
    try:
        import re2
    except Exception:  # not installed, or a wheel broken for this platform
        return None
    try:
        options = _options(re2, max_mem)
        options.longest_match = True  # the end of the longest match, whatever the order of alternatives
        compiled = re2.compile(pattern.encode("ascii"), options)
    except Exception:  # a pattern RE2 rejects
        return None
    public = compiled.match

    def public_end(data: bytes, pos: int) -> int:
        found = public(data, pos)
        return -1 if found is None else int(found.end())

    try:  # the compiled RE2 without the wrapper's match object, as in ``compile_spans``
        raw = partial(compiled._regexp.Match, re2._re2.RE2.Anchor.ANCHOR_START)
        for probe in (b"", b"\x01", pattern.encode("ascii")):
            for pos in (0, len(probe) // 2):
                if raw(probe, pos, len(probe))[0][1] != public_end(probe, pos):
                    raise ValueError("unexpected answer")
    except Exception:
        return public_end
    return lambda data, pos: raw(data, pos, len(data))[0][1]  # type: ignore[no-any-return]


# Groups of families whose gate patterns are matched in an RE2 set of their own (the other families
# share one more). A set's DFA state is the combination of every pattern's partial matches, so on text
# it has not seen before it builds states for new combinations: most of the gate's cost on a request
# whose query string is new. The path prefilter (a counted base64 run, directory and file-name lists)
# and the command prefilter (a command name after any path at the start of a view) keep the most
# partial matches alive at once. In a set of their own, on a stream of distinct browser requests, the
# gate costs about half the instructions of one set; each set is one more call on every event, which
# is why it is two sets and not three (one each: no fewer instructions on the stream, more on every
# repeated event; path+SSRF, command+SQL and the rest: a fifth fewer instructions on new text, but
# slower in wall time on the stream and on every event; with the command prefilter split, see
# ``Firewall._split_gate``, command and path in a set each: 1.5 % fewer instructions on the stream, 3.5
# to 5 % more on every event of the speed table). Measured with valgrind and in paired timing runs, see
# ``docs/firewall.md``.
SEPARATE_SETS = (("path", "cmdi"),)


class _Set:
    """One compiled RE2 set of the gate: its match function, canary index, the prefilter position of
    each of its patterns."""

    __slots__ = ("canary", "match", "positions")

    def __init__(self, match: Callable[[bytes], list[int] | None], canary: int, positions: list[int]):
        self.match = match
        self.canary = canary
        # set index -> prefilter position; the canary's index (added last) -> -1, dropped from answers
        self.positions = [*positions, -1]


class Gate:
    """Which prefilters may match a text. Built from ``patterns``, where ``patterns[i]`` is the RE2
    form of prefilter ``i``, or None for one that cannot be gated (it is then always a candidate);
    ``names[i]`` is its family, which decides its set (``SEPARATE_SETS``)."""

    __slots__ = ("_always", "_owners", "_patterns", "_plans", "_sets", "_unicode", "_unicode_tried")

    def __init__(
        self,
        sets: list[_Set],
        always: list[int],
        owners: dict[int, int] | None = None,
        patterns: dict[int, str] | None = None,
    ):
        self._sets = sets
        self._patterns = patterns or {}  # position (extra ones too) -> gate pattern, for ``_plan``'s sets
        self._always = always  # positions with no gate pattern
        self._owners = owners or {}  # position of an extra pattern -> the prefilter position it is part of
        # wanted positions -> (whether one has no gate pattern, [(a set holding one of them, the set's
        # indices of their patterns)]): what ``may_match`` asks, worked out once per set of positions
        self._plans: dict[frozenset[int], tuple[bool, list[tuple[_Set, frozenset[int]]]]] = {}
        self._unicode: UnicodeGate | None = None
        self._unicode_tried = False

    def unicode(self, detectors: Sequence[PreparedDetector]) -> UnicodeGate | None:
        """The gate for views that are not ASCII, for the same prefilters (``detectors``, in the order
        of the patterns this gate was built from), built the first time it is asked for; None when it
        cannot be built (every such view then takes the exact passes)."""
        if not self._unicode_tried:
            self._unicode_tried = True
            try:
                self._unicode = UnicodeGate.build(unicode_gates(detectors))
            except Exception:  # never an exception into the host function: no gate instead
                self._unicode = None
        return self._unicode

    @classmethod
    def build(
        cls, patterns: Sequence[str | None], names: Sequence[str] = (), extra: Sequence[tuple[int, str]] = ()
    ) -> Gate | None:
        """``extra``: (position, pattern) pairs, each a part of that position's prefilter matched in
        the same set as a pattern of its own: the answer names extra pair ``k`` as position
        ``len(patterns) + k``, and its position too. A prefilter split in two (its common character
        class at its position, the rest as an extra pattern) then says which part matched: where only
        the class did, the views it matches are found by searching for the class (``Firewall._split_gate``)."""
        gated = {i: p for i, p in enumerate(patterns) if p is not None}  # position -> pattern
        if not gated:
            return None
        owners = {len(patterns) + k: position for k, (position, _) in enumerate(extra)}
        gated.update((len(patterns) + k, pattern) for k, (_, pattern) in enumerate(extra))
        families = {i: names[owners.get(i, i)] for i in gated if owners.get(i, i) < len(names)}
        groups: list[list[int]] = []
        for separate in SEPARATE_SETS:
            group = [i for i in gated if families.get(i) in separate]
            if group and len(group) < len(gated):
                groups.append(group)
        grouped = {i for group in groups for i in group}
        groups.append([i for i in gated if i not in grouped])
        sets: list[_Set] = []
        for group in groups:
            compiled = _re2_set([gated[i] for i in group])
            if compiled is None:
                return None
            match, canary = compiled
            if canary != len(group):  # the set numbers patterns in the order they were added
                return None
            sets.append(_Set(match, canary, group))
        always = [i for i, p in enumerate(patterns) if p is None]
        return cls(sets, always, owners, gated)

    def may_match(self, data: bytes, wanted: frozenset[int]) -> bool | None:
        """Whether the prefilter at one of the ``wanted`` positions may match ``data`` (ASCII); None
        when the gate cannot tell: what ``candidates`` says about those positions, but matching only the
        sets that hold them and stopping at the first with a match among them (the header shapes ask
        it for a few values on every request)."""
        plan = self._plans.get(wanted)
        if plan is None:
            plan = self._plans[wanted] = self._plan(wanted)
        always, sets = plan
        if always:
            return True
        for gate_set, indices in sets:
            hits = _answer(gate_set.match, gate_set.canary, data)
            if hits is None:
                return None
            if not indices.isdisjoint(hits):
                return True
        return False

    def _plan(self, wanted: frozenset[int]) -> tuple[bool, list[tuple[_Set, frozenset[int]]]]:
        """How ``may_match`` asks about ``wanted``: the sets that hold their patterns, or, where those
        are several, one set of their own, compiled here. The plans are few (one per header shape that
        rules families out) and asked on every request with a new value of such a header (a Referer
        page): one RE2 call instead of two halves the cost of the question. The sets that
        ``SEPARATE_SETS`` keeps apart stay apart for ``candidates``, which asks about every family at
        once on all views of an event; these few patterns on one header value are not that case."""
        owners = self._owners

        def asked(position: int) -> bool:  # a wanted position, or an extra pattern of one
            return position in wanted or owners.get(position, -1) in wanted

        sets = []
        for gate_set in self._sets:
            indices = frozenset(index for index, position in enumerate(gate_set.positions) if asked(position))
            if indices:
                sets.append((gate_set, indices))
        own = [p for p in sorted(self._patterns) if asked(p)]
        if len(sets) > 1 and own:
            compiled = _re2_set([self._patterns[p] for p in own])
            if compiled is not None and compiled[1] == len(own):
                match, canary = compiled
                sets = [(_Set(match, canary, own), frozenset(range(len(own))))]
        return not wanted.isdisjoint(self._always), sets

    def candidates(self, data: bytes) -> set[int] | None:
        """Positions of the prefilters that may match ``data`` (the joined views, ASCII); None when
        the gate cannot tell."""
        found = set(self._always)
        for gate_set in self._sets:
            hits = _answer(gate_set.match, gate_set.canary, data)
            if hits is None:
                return None
            found.update(map(gate_set.positions.__getitem__, hits))
        found.discard(-1)  # the canaries
        for extra, owner in self._owners.items():
            if extra in found:
                found.add(owner)
        return found


def unicode_gates(detectors: Sequence[PreparedDetector]) -> list[tuple[str, str] | None]:
    """Per detector, its prefilter's translation for text that is not ASCII (from the generated
    registry), or None. Only a detector prepared from the registry has one: a module given to
    ``Firewall(detectors=...)`` may declare another prefilter under the same family name."""
    from hullguard.firewall.detectors.prefilters import GATES, UNICODE_GATES

    out: list[tuple[str, str] | None] = []
    for det in detectors:
        registered = GATES.get(det.family)
        same = det.gate is not None and registered is not None and registered[0] == det.gate
        out.append(UNICODE_GATES.get(det.family) if same else None)
    return out


class UnicodeGate:
    """Which prefilters match one view that is not ASCII, from one RE2 match on its UTF-8 bytes.

    Built from ``gates``, where ``gates[i]`` is prefilter ``i`` translated for any text
    (``gate_translate.UNICODE``) and how exact that is, or None for one that has no such translation
    (it is then always confirmed by its exact prefilter). A family the set names is certain when its
    translation is exact, or exact within Latin-1 and the view has no character beyond it (a pattern of
    the set tells); otherwise the exact prefilter confirms it on the view.
    """

    __slots__ = ("_beyond", "_canary", "_exact", "_latin1", "_match", "_positions", "_ungated")

    def __init__(
        self, match: Callable[[bytes], list[int] | None], canary: int, gates: Sequence[tuple[str, str] | None]
    ):
        self._match = match
        self._canary = canary
        self._beyond = canary - 1  # the pattern added last before the canary
        positions = [i for i, gate in enumerate(gates) if gate is not None]
        self._positions = positions  # set index -> prefilter position
        self._exact = {i for i, gate in enumerate(gates) if gate is not None and gate[1] == _EXACT}
        self._latin1 = {i for i, gate in enumerate(gates) if gate is not None and gate[1] == _EXACT_LATIN1}
        self._ungated = [i for i, gate in enumerate(gates) if gate is None]

    @classmethod
    def build(cls, gates: Sequence[tuple[str, str] | None]) -> UnicodeGate | None:
        patterns = [gate[0] for gate in gates if gate is not None]
        if not patterns:
            return None
        compiled = _re2_set([*patterns, _BEYOND_LATIN1], _UNICODE_SET_MAX_MEM)
        if compiled is None:
            return None
        match, canary = compiled
        if canary != len(patterns) + 1:  # the set numbers patterns in the order they were added
            return None
        return cls(match, canary, gates)

    def candidates(self, data: bytes) -> tuple[list[int], list[int]] | None:
        """For one view (``data``: its lower-cased text in UTF-8): the positions of the prefilters that
        match it, and of those that may match it and must be confirmed by the exact prefilter; None
        when the gate cannot tell."""
        hits = _answer(self._match, self._canary, data)
        if hits is None:
            return None
        first_extra = self._beyond  # the beyond-Latin-1 pattern, then the canary
        beyond = first_extra in hits
        exact = self._exact
        latin1 = self._latin1
        positions = self._positions
        certain: list[int] = []
        to_confirm = list(self._ungated)
        for hit in hits:
            if hit >= first_extra:
                continue
            position = positions[hit]
            if position in exact or (position in latin1 and not beyond):
                certain.append(position)
            else:
                to_confirm.append(position)
        return certain, to_confirm


__all__ = ["Gate", "Locator", "Spans", "UnicodeGate", "compile_spans", "unicode_gates"]
