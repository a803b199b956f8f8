"""RE2 in front of a detector's own regular expression on long text.

A detector searches a view its prefilter matched with Python's ``re``, which tries a pattern of many
alternatives at nearly every position: about 100 to 300 ns per character. On a short view that is
nothing; on a long benign one (an analytics beacon's 4 KB parameter full of ``;``, ``:`` and ``/``,
which every family's prefilter matches) each family's searches cost a millisecond or more, and such
values made the slowest requests of the traffic stream (``bench/RESULTS.md``). RE2 answers the same
question, "does it match anywhere?", in one linear pass at a few nanoseconds per byte.

``Presearch(source, flags)`` stands where ``re.compile(source, flags)`` stood. On an ASCII text of at
least ``LONG_TEXT`` characters it first asks RE2 for the pattern translated by ``gate_translate`` (the
translation the prefilter gate uses: a *necessary* condition, which matches whenever the Python
pattern does, and sometimes more). When RE2 finds no match the answer is no match; otherwise, and on
short, non-ASCII or untranslatable input, Python's ``re`` answers as before, so every match (its span
and groups) is Python's own. Without the google-re2 wheel, or where RE2 rejects the translation, it is
Python's ``re`` alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import partial

LONG_TEXT = 128  # shorter texts: Python's search costs about what the call into RE2 would
_MAX_MEM = 1 << 20  # RE2's memory for one pattern; past it RE2 uses its slower NFA, with the same answer
# Escapes that put a character beyond ASCII into a pattern (or may: an octal one): see ``_translatable``.
_WIDE_ESCAPE = re.compile(r"\\(?:[uUN]|x[89a-fA-F]|[0-3][0-7]{2})")

Finder = Callable[[bytes], bool]  # whether the RE2 translation matches somewhere in an ASCII text


def _never_says_no(data: bytes) -> bool:
    """The finder of a pattern RE2 cannot stand in front of: Python's ``re`` always answers."""
    return True


class Presearch:
    """A compiled pattern (``pattern``) whose ``search``, ``match`` and ``finditer`` first ask RE2 on
    long ASCII text. The RE2 side is compiled on the first such text: most functions never see one, and
    a cold start pays nothing for it."""

    __slots__ = ("_finds", "pattern")

    def __init__(self, source: str, flags: int = 0) -> None:
        self.pattern = re.compile(source, flags)
        self._finds: Finder | None = None  # compiled on first use

    def _may_match(self, text: str) -> bool:
        if len(text) < LONG_TEXT or not text.isascii():
            return True
        finds = self._finds
        if finds is None:
            finds = self._finds = _finder(self.pattern)
        try:
            return finds(text.encode("ascii"))
        except Exception:  # RE2 failed on this text: Python's re answers
            return True

    def search(self, text: str, pos: int = 0) -> re.Match[str] | None:
        # (RE2 looks at the whole text: a match after ``pos`` is a match in it)
        return self.pattern.search(text, pos) if self._may_match(text) else None

    def match(self, text: str, pos: int = 0) -> re.Match[str] | None:
        return self.pattern.match(text, pos) if self._may_match(text) else None

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.pattern.finditer(text) if self._may_match(text) else iter(())


def _translatable(pattern: re.Pattern[str]) -> str | None:
    """``pattern`` as ``gate_translate.translate`` takes it (no global flags), or None. A
    case-insensitive pattern becomes one case-insensitive group, which the translation keeps for ASCII
    text; it is left to Python when it holds a character beyond ASCII, which Python's case folding
    may match to an ASCII one (``ſ`` and ``s``, the Kelvin sign and ``k``)."""
    source = pattern.pattern
    flags = pattern.flags & ~(re.UNICODE | re.ASCII)  # on ASCII text, re.ASCII changes no match
    if flags == 0:
        return source
    if flags == re.IGNORECASE and source.isascii() and _WIDE_ESCAPE.search(source) is None:
        return f"(?i:{source})"
    return None


def _finder(pattern: re.Pattern[str]) -> Finder:
    """The RE2 side of ``pattern``, or ``_never_says_no`` where there cannot be one."""
    source = _translatable(pattern)
    if source is None:
        return _never_says_no
    try:
        import re2  # google-re2: optional, as for the prefilter gate

        from hullguard.firewall.gate_translate import ASCII, translate

        translated, _ = translate(source, ASCII)
        options = re2.Options()
        options.max_mem = _MAX_MEM
        options.log_errors = False
        compiled = re2.compile(translated.encode("ascii"), options)
    except Exception:  # no RE2, an untranslatable construct, or a pattern RE2 rejects
        return _never_says_no
    public = compiled.search

    def by_wrapper(data: bytes) -> bool:
        return public(data) is not None

    # The compiled RE2 under the wrapper answers without building a match object (as ``gate._spans``).
    try:
        raw = partial(compiled._regexp.Match, re2._re2.RE2.Anchor.UNANCHORED)
        for probe in (b"", b"\x00", translated.encode("ascii")):
            if (raw(probe, 0, len(probe))[0][0] != -1) != by_wrapper(probe):
                raise ValueError("unexpected answer")
    except Exception:
        return by_wrapper
    return lambda data: raw(data, 0, len(data))[0][0] != -1  # type: ignore[no-any-return]


__all__ = ["LONG_TEXT", "Presearch"]
