"""Translate a prefilter (Python ``re`` syntax) into an RE2 pattern for the RE2 gates (``gate.py``).

A gate only has to be a *necessary* condition: whenever the Python pattern matches somewhere in a
text, the RE2 pattern must match too. Matching more is allowed (it only costs the exact Python pass
the gate was meant to skip), matching less never is. The translation works on the tree Python's own
regex parser produces, so every construct is read exactly as ``re`` reads it:

- literals, classes, repeats, groups and branches have RE2 equivalents;
- lookarounds, which RE2 lacks: a lookbehind at the start of the pattern or a lookahead at its end is
  turned into the text it asserts (the same texts then contain a match); a negative one of a single
  character becomes "another character or the edge of the text"; any other lookaround is dropped,
  which can only make the gate match more;
- anything without an RE2 counterpart (back-references, conditionals) raises ``Untranslatable`` and
  the family is simply not gated: its exact passes always run.

Two kinds of subject text (``translate(pattern, text=...)``):

- ``ASCII``: the joined views when they are all ASCII. ``\\d \\w \\s`` are spelled out with Python's
  meaning on ASCII (RE2's ``\\s`` lacks ``\\v`` and ``\\x1c``-``\\x1f``, which Python counts as space).
- ``UNICODE``: one view that is not ASCII, as UTF-8 (RE2 then matches code points, as Python does on
  ``str``). Python's ``\\d \\w \\s \\b`` are Unicode-aware and RE2's are not, and Python's Unicode
  tables change with its version; so they are spelled out exactly over Latin-1 (U+0000-U+00FF, whose
  properties have not changed in decades) and beyond it every character counts as a member of both a
  class and its negation. Such a translation is exact on views within Latin-1 (``EXACT_LATIN1``); the
  gate says when a view has a character beyond it, and the exact prefilter then confirms. A
  case-insensitive group is not translated (Python's case folding has equivalences RE2's lacks, such
  as i/ı), nor needed: the prefilters are matched without IGNORECASE on lower-cased text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

try:  # Python 3.11+
    from re import _constants as sre  # type: ignore[attr-defined]
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # Python 3.10
    import sre_constants as sre  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

RE2_MAX_REPEAT = 1000  # RE2 refuses counted repeats above this
_INEXACT: list[str] = []  # what the translation in progress had to drop (generation is single-threaded)
_REPEATS: list[bool] = []  # the counted repeats the node being translated is inside
_MAX_NESTED_COUNT = 8
_UNBOUNDED: list[int] = [0]  # unbounded repeats translated so far (to tell whether a body holds one)

ASCII = "ascii"  # the subject is the joined views, all ASCII
UNICODE = "unicode"  # the subject is one view, any text, matched by RE2 as UTF-8
_ASCII_TOP = 0x7F
_LATIN1_TOP = 0xFF  # Python's classes are spelled out exactly up to here in UNICODE translations
_UNICODE_TOP = 0x10FFFF
_TOP = [_ASCII_TOP]  # the highest code point of the translation in progress's subject texts
_FOLDED = [False]  # the translation in progress is for text whose Python-only case foldings are undone
_BEYOND_LATIN1 = "class beyond Latin-1"  # the one inexactness that EXACT_LATIN1 allows


class Untranslatable(ValueError):
    """The pattern uses a construct the gate cannot express; the family stays ungated."""


# -- character sets --------------------------------------------------------------------------------
# A set of code points is a tuple of sorted, disjoint, non-adjacent inclusive ranges. A character
# class is a pair of them, (sure, maybe): the characters it certainly matches and those it may match.
# They differ only for Python's Unicode classes beyond Latin-1; a class rendered as ``[...]`` spells
# out ``maybe`` and one rendered as ``[^...]`` ``sure``, so both match at least what Python does.
Ranges = tuple[tuple[int, int], ...]
Chars = tuple[Ranges, Ranges]


def _ranges(spans: Iterable[tuple[int, int]]) -> Ranges:
    merged: list[tuple[int, int]] = []
    for low, high in sorted(spans):
        if merged and low <= merged[-1][1] + 1:
            if high > merged[-1][1]:
                merged[-1] = (merged[-1][0], high)
        else:
            merged.append((low, high))
    return tuple(merged)


def _codes(codes: Iterable[int]) -> Ranges:
    return _ranges((code, code) for code in codes)


def _complement(ranges: Ranges) -> Ranges:
    """``ranges``' complement among the subject texts' characters."""
    top = _TOP[0]
    out: list[tuple[int, int]] = []
    low = 0
    for start, end in ranges:
        if start > low:
            out.append((low, min(start - 1, top)))
        low = end + 1
        if low > top:
            break
    if low <= top:
        out.append((low, top))
    return tuple((start, end) for start, end in out if start <= top)


def _intersect(a: Ranges, b: Ranges) -> Ranges:
    return _complement(_ranges(_complement(a) + _complement(b)))


def _contains(ranges: Ranges, code: int) -> bool:
    return any(low <= code <= high for low, high in ranges)


def _clip(ranges: Ranges) -> Ranges:
    """``ranges`` without the code points the subject texts cannot hold."""
    return _intersect(ranges, ((0, _TOP[0]),))


def _python_class(pattern: str, top: int) -> Ranges:
    """The code points up to ``top`` that Python's ``pattern`` (one character) matches."""
    compiled = re.compile(pattern)
    return _codes(code for code in range(top + 1) if compiled.fullmatch(chr(code)))


# Python's classes, computed with Python's re: up to ASCII exactly (the ASCII gate reads nothing
# else), and up to Latin-1 exactly for UNICODE translations, where the rest is unknown (see above).
_CATEGORY_PATTERNS = {
    sre.CATEGORY_DIGIT: r"\d",
    sre.CATEGORY_NOT_DIGIT: r"\D",
    sre.CATEGORY_WORD: r"\w",
    sre.CATEGORY_NOT_WORD: r"\W",
    sre.CATEGORY_SPACE: r"\s",
    sre.CATEGORY_NOT_SPACE: r"\S",
}
_ASCII_CATEGORIES = {name: _python_class(p, _ASCII_TOP) for name, p in _CATEGORY_PATTERNS.items()}
_LATIN1_CATEGORIES = {name: _python_class(p, _LATIN1_TOP) for name, p in _CATEGORY_PATTERNS.items()}


def _category_chars(name: Any) -> Chars:
    if name not in _CATEGORY_PATTERNS:
        raise Untranslatable(f"category {name}")
    if _TOP[0] == _ASCII_TOP:
        exact = _ASCII_CATEGORIES[name]
        return exact, exact
    sure = _LATIN1_CATEGORIES[name]
    return sure, _ranges((*sure, (_LATIN1_TOP + 1, _UNICODE_TOP)))


def _members(chars: Ranges) -> str:
    """``chars`` as RE2 class members, runs of three or more as ranges."""
    out: list[str] = []
    for low, high in chars:
        if high - low >= 2:
            out.append(f"{_char(low)}-{_char(high)}")
        else:
            out.extend(_char(c) for c in range(low, high + 1))
    return "".join(out)


def _char(code: int) -> str:
    """One character as RE2 source (inside or outside a class)."""
    char = chr(code)
    if char.isascii() and char.isalnum():
        return char
    return f"\\x{{{code:x}}}"


def _class_members(items: list[tuple[Any, Any]], rendered_negated: bool) -> tuple[bool, str]:
    """Whether the class ``items`` is negated, and its members as RE2 source, for a class rendered as
    ``[^...]`` (``rendered_negated``: Python's classes as the characters they surely hold) or as
    ``[...]`` (as those they may hold)."""
    negate = False
    members: list[str] = []
    for op, av in items:
        if op is sre.NEGATE:
            negate = True
        elif op is sre.LITERAL:
            members.append(_char(av))
        elif op is sre.RANGE:
            members.append(f"{_char(av[0])}-{_char(av[1])}")
        elif op is sre.CATEGORY:
            sure, maybe = _category_chars(av)
            if sure != maybe:
                _INEXACT.append(_BEYOND_LATIN1)
            members.append(_members(sure if rendered_negated else maybe))
        else:
            raise Untranslatable(f"class member {op}")
    return negate, "".join(members)


def _is_negated(items: list[tuple[Any, Any]]) -> bool:
    return any(op is sre.NEGATE for op, _ in items)


def _single_char_complement(node: list[tuple[Any, Any]]) -> str | None:
    """RE2 class for "any character the one-character pattern ``node`` does not match", or None when
    ``node`` is not a single character."""
    if len(node) != 1:
        return None
    op, av = node[0]
    if op is sre.LITERAL:
        return f"[^{_char(av)}]"
    if op is sre.NOT_LITERAL:
        return f"[{_char(av)}]"
    if op is sre.IN:
        negate, members = _class_members(av, rendered_negated=not _is_negated(av))
        return f"[{members}]" if negate else f"[^{members}]"
    if op is sre.ANY:
        return "\\n"
    return None


def _sequence(nodes: Any, at_start: bool, at_end: bool) -> str:
    nodes = list(nodes)
    if at_start:
        resolved = _lookbehind_after_prefix(nodes, at_end)
        if resolved is not None:
            return resolved
    out: list[str] = []
    last = len(nodes) - 1
    for i, (op, av) in enumerate(nodes):
        if op is sre.AT and _TOP[0] > _ASCII_TOP and av in (sre.AT_BOUNDARY, sre.AT_NON_BOUNDARY):
            out.append(_unicode_boundary(av, nodes[i - 1] if i else None, at_end and i == last))
        else:
            out.append(_node(op, av, at_start and i == 0, at_end and i == last))
    return "".join(out)


def _unicode_boundary(at: Any, previous: tuple[Any, Any] | None, at_end: bool) -> str:
    """Python's ``\\b`` or ``\\B`` on any text: RE2's own reads ASCII letters only. After a certain
    ASCII word character at the end of the match, ``\\b`` is "a character that is not a word character,
    or the end" (the same texts contain a match); elsewhere it is dropped (the gate may match more)."""
    if at is sre.AT_BOUNDARY and at_end and previous is not None and _ends_in_ascii_word(*previous):
        return "(?:\\z|" + _class(_category_chars(sre.CATEGORY_NOT_WORD)) + ")"
    _INEXACT.append("word boundary")
    return ""


def _ends_in_ascii_word(op: Any, av: Any) -> bool:
    """Whether every text ``op``/``av`` matches ends in an ASCII letter, digit or underscore."""
    if op is sre.LITERAL:
        return _contains(_ASCII_CATEGORIES[sre.CATEGORY_WORD], av)
    if op is sre.SUBPATTERN:
        inner = list(av[3])
        return bool(inner) and _ends_in_ascii_word(*inner[-1])
    if op is sre.BRANCH:
        return all(branch and _ends_in_ascii_word(*list(branch)[-1]) for branch in av[1])
    return False


# -- lookbehinds after consumed characters ---------------------------------------------------------
# Prefilters are written for Python's re, which skips fast to a literal first character, so many
# say "a '/', preceded by etc": ``[/\\](?<=etc.)``. Dropping such a lookbehind would leave the gate
# matching every '/'. At the start of the match, where only single characters were consumed before
# it, the lookbehind is resolved exactly: the characters it asserts are intersected with the
# consumed ones (``[/\\](?<=etc.)`` becomes ``etc[/\\]``), class by class (see "character sets").

_MAX_ALTERNATIVES = 64
SEPARATOR_CODE = 1  # the character joining the views (``prefilter.SEPARATOR``)
CharSeq = tuple[Chars, ...]  # one character class per position


def _char_set(op: Any, av: Any) -> Chars | None:
    """The characters a one-character node matches (sure, maybe), or None for other nodes."""
    if op is sre.SUBPATTERN and len(av[3]) == 1 and not av[1] and not av[2] & ~sre.SRE_FLAG_IGNORECASE:
        return _char_set(*av[3][0])  # ``(?-i:[...])``: a no-op flag on lower-cased text
    if op is sre.LITERAL:
        exact = _clip(((av, av),))
        return exact, exact
    if op is sre.NOT_LITERAL:
        exact = _complement(((av, av),))
        return exact, exact
    if op is sre.ANY:
        exact = _complement(((10, 10),))
        return exact, exact
    if op is not sre.IN:
        return None
    sure: list[tuple[int, int]] = []
    maybe: list[tuple[int, int]] = []
    negate = False
    for item, value in av:
        if item is sre.NEGATE:
            negate = True
        elif item is sre.LITERAL:
            sure.append((value, value))
            maybe.append((value, value))
        elif item is sre.RANGE:
            sure.append(value)
            maybe.append(value)
        elif item is sre.CATEGORY:
            category_sure, category_maybe = _category_chars(value)
            sure.extend(category_sure)
            maybe.extend(category_maybe)
        else:
            return None
    if negate:
        return _complement(_ranges(maybe)), _complement(_ranges(sure))
    return _clip(_ranges(sure)), _clip(_ranges(maybe))


def _alternatives(nodes: Any) -> list[CharSeq] | None:
    """``nodes`` as the list of fixed-width character sequences it matches, or None when it is not
    a small set of fixed-width alternatives."""
    results: list[CharSeq] = [()]
    for op, av in nodes:
        single = _char_set(op, av)
        if single is not None:
            options: list[CharSeq] | None = [(single,)]
        elif op is sre.SUBPATTERN and not (av[1] or av[2]):
            options = _alternatives(av[3])
        elif op is sre.BRANCH:
            options = []
            for branch in av[1]:
                inner = _alternatives(branch)
                if inner is None:
                    return None
                options.extend(inner)
        elif op is sre.MAX_REPEAT and av[0] == av[1] and av[0] <= 8:
            inner = _alternatives(av[2])
            options = None if inner is None else [()]
            for _ in range(av[0]):
                if options is None or inner is None:
                    break
                options = [o + i for o in options for i in inner]
        else:
            return None
        if options is None:
            return None
        results = [r + o for r in results for o in options]
        if len(results) > _MAX_ALTERNATIVES:
            return None
    return results


def _class(chars: Chars) -> str:
    """RE2 for one character of ``chars``: those it may be."""
    sure, maybe = chars
    if sure != maybe:
        _INEXACT.append(_BEYOND_LATIN1)
    if len(maybe) == 1 and maybe[0][0] == maybe[0][1]:
        return _char(maybe[0][0])
    return "[" + _members(maybe) + "]"


def _both(a: Chars, b: Chars) -> Chars:
    return _intersect(a[0], b[0]), _intersect(a[1], b[1])


def _resolve(prefix: CharSeq, asserted: CharSeq) -> CharSeq | None:
    """The characters a match must start with when ``prefix`` was consumed and the lookbehind then
    asserts ``asserted`` (which may reach back before the match); None when they cannot agree."""
    overlap = min(len(prefix), len(asserted))
    before = asserted[: len(asserted) - overlap]
    kept = prefix[: len(prefix) - overlap]
    shared = zip(prefix[len(prefix) - overlap :], asserted[len(asserted) - overlap :], strict=True)
    joint = tuple(_both(a, b) for a, b in shared)
    if any(not chars[1] for chars in joint):
        return None
    # (A UNICODE translation is matched against one view at a time, where no lookbehind sees another.)
    if _TOP[0] == _ASCII_TOP and any(_contains(chars[1], SEPARATOR_CODE) for chars in before[1:]):
        # The match could then start in an earlier view than the prefilter's (a separator first is
        # fine: ``Scanner._locate`` moves past it): still a superset, but not one to locate views by.
        _INEXACT.append("lookbehind across views")
    return before + kept + joint


def _starts_with_lookbehind(branch: Any) -> bool:
    return bool(branch) and branch[0][0] in (sre.ASSERT, sre.ASSERT_NOT) and branch[0][1][0] < 0


def _lookbehind_after_prefix(nodes: list[tuple[Any, Any]], at_end: bool) -> str | None:
    """RE2 for a sequence at the start of the match made of single characters followed by a
    lookbehind (or by a group whose alternatives start with one): None when it is not of that shape."""
    prefix: list[Chars] = []
    index = 0
    while index < len(nodes):
        chars = _char_set(*nodes[index])
        if chars is None:
            break
        prefix.append(chars)
        index += 1
    if index >= len(nodes):
        return None
    op, av = nodes[index]
    rest = nodes[index + 1 :]
    if op is sre.SUBPATTERN and not (av[1] or av[2]) and len(av[3]) == 1 and av[3][0][0] is sre.BRANCH:
        op, av = av[3][0]
    if op is sre.BRANCH:
        branches = av[1]
        if not prefix or not any(_starts_with_lookbehind(branch) for branch in branches):
            return None  # nothing consumed: each alternative resolves its own lookbehind in place
        # Distribute the consumed prefix into each alternative: ``c(?:(?<=a.)x|(?<=b.)y)``.
        head = nodes[:index]
        return "(?:" + "|".join(_sequence(head + list(branch) + rest, True, at_end) for branch in branches) + ")"
    if op not in (sre.ASSERT, sre.ASSERT_NOT) or av[0] >= 0 or not prefix:
        return None
    asserted = _alternatives(av[1])
    if asserted is None:
        return None
    tail = _sequence(rest, False, at_end)
    consumed = tuple(prefix)
    if op is sre.ASSERT:
        starts = [r for r in (_resolve(consumed, a) for a in asserted) if r is not None]
        if not starts:
            return "[^\\x00-\\x{10ffff}]"  # can never match
        return "(?:" + "|".join("".join(_class(c) for c in start) for start in starts) + ")" + tail
    # A negative lookbehind one character wider than what was consumed, and agreeing with it there:
    # the match must not be preceded by its first character.
    if len(asserted) == 1 and len(asserted[0]) == len(consumed) + 1:
        first, *others = asserted[0]
        # Each consumed character surely matches the lookbehind there (what it may be is within
        # what the lookbehind surely accepts); the character before may be anything ``first`` may not.
        if all(_intersect(c[1], o[0]) == c[1] for c, o in zip(consumed, others, strict=True)):
            complement = _complement(first[1]), _complement(first[0])
            edge = "(?:\\A|" + _class(complement) + ")" if complement[1] else "\\A"
            return edge + "".join(_class(c) for c in consumed) + tail
    _INEXACT.append("lookbehind")
    return "".join(_class(c) for c in consumed) + tail  # dropped: the gate may match more


def _node(op: Any, av: Any, at_start: bool, at_end: bool) -> str:
    if op is sre.LITERAL:
        return _char(av)
    if op is sre.NOT_LITERAL:
        return f"[^{_char(av)}]"
    if op is sre.ANY:
        return "[^\\n]"
    if op is sre.IN:
        negate, members = _class_members(av, rendered_negated=_is_negated(av))
        return f"[{'^' if negate else ''}{members}]"
    if op is sre.BRANCH:
        return "(?:" + "|".join(_sequence(branch, at_start, at_end) for branch in av[1]) + ")"
    if op is sre.SUBPATTERN:
        add_flags, del_flags, inner = av[1], av[2], av[3]
        # The gate's subject is lower-cased like the exact passes' and compiled without flags, so
        # ``(?-i:...)`` is a no-op; ``(?i:...)`` and ``(?x:...)`` (already applied by the parser)
        # carry over; flags that change what ``.``, ``^`` or ``$`` mean do not.
        if (add_flags | del_flags) & ~(sre.SRE_FLAG_IGNORECASE | sre.SRE_FLAG_VERBOSE):
            raise Untranslatable("inline flags")
        if add_flags & sre.SRE_FLAG_IGNORECASE and _TOP[0] > _ASCII_TOP and not _FOLDED[0]:
            raise Untranslatable("case-insensitive group on text that is not ASCII")
        opener = "(?i:" if add_flags & sre.SRE_FLAG_IGNORECASE else "(?:"
        return opener + _sequence(inner, at_start, at_end) + ")"
    if op is getattr(sre, "ATOMIC_GROUP", None):
        _INEXACT.append("atomic group")
        return "(?:" + _sequence(av, False, False) + ")"  # greedy matches a superset of atomic
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT) or op is getattr(sre, "POSSESSIVE_REPEAT", None):
        if op is not sre.MAX_REPEAT and op is not sre.MIN_REPEAT:
            _INEXACT.append("possessive repeat")
        low, high, inner = av
        if low > RE2_MAX_REPEAT or (high != sre.MAXREPEAT and high > RE2_MAX_REPEAT):
            raise Untranslatable("repeat count over RE2's limit")
        bounded_outer = high != sre.MAXREPEAT and high > 1
        if any(_REPEATS) and high != sre.MAXREPEAT and high > _MAX_NESTED_COUNT:
            # A wide count inside another count (``(?:[^/]{0,64}/){0,8}``) unrolls into thousands of
            # RE2 instructions (17 ms to compile the command-injection gate); unbounded, it is a
            # small superset.
            _INEXACT.append("nested count")
            high = sre.MAXREPEAT
        _REPEATS.append(bounded_outer)
        unbounded_before = _UNBOUNDED[0]
        try:
            body = "(?:" + _sequence(inner, False, False) + ")"
        finally:
            _REPEATS.pop()
        if high != sre.MAXREPEAT and high > 1 and _UNBOUNDED[0] > unbounded_before:
            # A count over a body that repeats without bound (``(?:[^/]*/){0,8}`` once the width inside
            # is dropped) makes RE2 keep a copy of what follows per count: the command-injection
            # gate's list of command names eight times, whose DFA then meets new states on nearly
            # every new text (9 µs a real query string, against 1 µs on text seen before).
            _INEXACT.append("count over an unbounded repeat")
            high = sre.MAXREPEAT
        if high == sre.MAXREPEAT:
            _UNBOUNDED[0] += 1
            return body + ("*" if low == 0 else "+" if low == 1 else f"{{{low},}}")
        return body + f"{{{low},{high}}}"
    if op is sre.AT:
        return _anchor(av)
    if op in (sre.ASSERT, sre.ASSERT_NOT):
        return _lookaround(op is sre.ASSERT, av[0], av[1], at_start, at_end)
    raise Untranslatable(f"construct {op}")


def _anchor(at: Any) -> str:
    if at in (sre.AT_BEGINNING, sre.AT_BEGINNING_STRING):
        return "\\A"
    if at is sre.AT_END_STRING:
        return "\\z"
    if at is sre.AT_END:  # Python's "$": the end, or before a newline that ends the text
        return "(?:\\n?\\z)"
    if at is sre.AT_BOUNDARY:
        return "\\b"
    if at is sre.AT_NON_BOUNDARY:
        return "\\B"
    raise Untranslatable(f"anchor {at}")


def _lookaround(positive: bool, direction: int, inner: Any, at_start: bool, at_end: bool) -> str:
    behind = direction < 0
    if (behind and at_start) or (not behind and at_end):
        if positive:  # the asserted text becomes part of the match: the same texts match
            # (and it is itself at the start or the end of the match, where nested assertions resolve)
            return "(?:" + _sequence(inner, behind, not behind) + ")"
        complement = _single_char_complement(list(inner))
        if complement is not None:
            edge = "\\A" if behind else "\\z"
            return f"(?:{edge}|{complement})"
    _INEXACT.append("lookaround")
    return ""  # dropped: the gate may match more, never less


EXACT = "exact"  # matches the same texts (the same views: ASCII: starting in the same view)
EXACT_LATIN1 = "latin1"  # UNICODE only: exact on views within Latin-1, a superset (VERIFY) on others
VERIFY = "verify"  # a superset whose matches start no earlier than the prefilter's: it finds the views
# to check, and the exact prefilter confirms each (``Scanner._locate``)
GATE_ONLY = "gate"  # a superset that may start in an earlier view: it only says whether to search


def translate(pattern: str, text: str = ASCII, folded: bool = False) -> tuple[str, str]:
    """The RE2 form of ``pattern`` (compiled without flags) for subject texts of the kind ``text``
    (``ASCII``: the joined views; ``UNICODE``: one view, as UTF-8), and how far it can stand in for
    the pattern (``EXACT``, ``EXACT_LATIN1``, ``VERIFY`` or ``GATE_ONLY``). ``folded``: the caller
    replaces, in UNICODE text, the characters that Python's case-insensitive matching and not RE2's
    takes for an ASCII letter (``detectors/presearch.py``), so that a case-insensitive group of ASCII
    literals may be translated for it too."""
    tree = sre_parse.parse(pattern, 0)
    if tree.state.flags & ~(sre.SRE_FLAG_UNICODE):
        raise Untranslatable("global flags")
    _INEXACT.clear()
    _TOP[0] = _UNICODE_TOP if text == UNICODE else _ASCII_TOP
    _FOLDED[0] = folded
    try:
        result = _sequence(list(tree), True, True)
    finally:
        _TOP[0] = _ASCII_TOP
        _FOLDED[0] = False
    inexact = set(_INEXACT)
    if not inexact:
        return result, EXACT
    if inexact == {_BEYOND_LATIN1}:
        return result, EXACT_LATIN1
    return result, GATE_ONLY if "lookbehind across views" in inexact else VERIFY


__all__ = ["ASCII", "EXACT", "EXACT_LATIN1", "GATE_ONLY", "UNICODE", "VERIFY", "Untranslatable", "translate"]
