"""The gate: one RE2 pass over all views that says which families' prefilters may match.

Python's ``re`` has no multi-pattern matching, so each family's prefilter costs a pass of its own over
the joined views (fifteen passes, most of a clean event's inspection time). RE2's ``Set`` matches all
of them in one linear-time pass and returns which ones matched. Each family's gate pattern is its
prefilter translated to RE2 syntax (``gate_translate.py``, generated into ``detectors/prefilters.py``)
so that it matches whenever the prefilter does; only the families the gate names run their exact
Python passes, which also locate the views to scan.

The gate never decides alone that an event is clean when it cannot vouch for it: without the
``google-re2`` wheel, for text that is not ASCII (the translation spells out Python's ``\\w``/``\\s``
for ASCII only), or when RE2 gives up (its DFA ran out of memory: a canary pattern that matches every
text is then missing from the answer), ``candidates`` returns None and every family runs its passes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

_CANARY = "\\z"  # matches every text; missing from an answer only when RE2 failed
# RE2's memory budgets (program plus DFA cache, grown on demand). A function may have 128 MB in all,
# so they stay small: past its budget the set's DFA gives up (the canary says so, and every exact
# pass runs) and a single pattern's search falls back to RE2's slower NFA, with the same answer.
_SET_MAX_MEM = 16 << 20
_LOCATOR_MAX_MEM = 4 << 20


def _re2_set(patterns: Sequence[str]) -> tuple[Callable[[bytes], list[int]], int] | None:
    """A compiled RE2 set's match function and its canary's index, or None without RE2."""
    try:
        import re2  # google-re2: a small wheel; optional, the exact passes work without it
    except Exception:  # not installed, or a wheel broken for this platform
        return None
    try:
        options = re2.Options()
        options.max_mem = _SET_MAX_MEM
        options.log_errors = False
        matcher = re2.Set.SearchSet(options)
        for pattern in patterns:
            matcher.Add(pattern)
        canary = matcher.Add(_CANARY)
        matcher.Compile()
    except Exception:  # a pattern RE2 rejects: no gate rather than a wrong one
        return None
    return matcher.Match, canary


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
            spans = self._spans = _spans(self._pattern)
        return spans


Spans = Callable[[bytes, int, int], Sequence[tuple[int, int]]]


def _spans(pattern: str) -> Spans:
    import re2

    options = re2.Options()
    options.max_mem = _LOCATOR_MAX_MEM
    options.log_errors = False
    compiled = re2.compile(pattern.encode("ascii"), options)
    # The wrapper's ``search`` builds a match object through a generator (about 2 µs a call); the
    # compiled RE2 underneath answers in a fraction of that, and bound to its anchor with
    # ``functools.partial`` it is called without a Python frame. Its interface is the wrapper's own,
    # so it is used only when it is there and answers as expected, else the public ``search``.
    try:
        raw = partial(compiled._regexp.Match, re2._re2.RE2.Anchor.UNANCHORED)
        probe = b"\x00" + pattern.encode("ascii")
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


class Gate:
    """Which prefilters may match a text. Built from ``patterns``, where ``patterns[i]`` is the RE2
    form of prefilter ``i``, or None for one that cannot be gated (it is then always a candidate)."""

    __slots__ = ("_always", "_canary", "_match", "_positions")

    def __init__(self, match: Callable[[bytes], list[int]], canary: int, positions: list[int], always: list[int]):
        self._match = match
        self._canary = canary
        self._positions = positions  # set index -> prefilter position
        self._always = always  # positions with no gate pattern

    @classmethod
    def build(cls, patterns: Sequence[str | None]) -> Gate | None:
        gated = [(i, p) for i, p in enumerate(patterns) if p is not None]
        if not gated:
            return None
        compiled = _re2_set([p for _, p in gated])
        if compiled is None:
            return None
        match, canary = compiled
        always = [i for i, p in enumerate(patterns) if p is None]
        return cls(match, canary, [i for i, _ in gated], always)

    def candidates(self, data: bytes) -> set[int] | None:
        """Positions of the prefilters that may match ``data`` (the joined views, ASCII); None when
        the gate cannot tell."""
        try:
            hits = self._match(data)
        except Exception:
            return None
        canary = self._canary
        if canary not in hits:
            return None
        positions = self._positions
        found = {positions[i] for i in hits if i != canary}
        found.update(self._always)
        return found


__all__ = ["Gate", "Locator", "Spans"]
