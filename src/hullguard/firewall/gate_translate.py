"""Translate a prefilter (Python ``re`` syntax) into an RE2 pattern for the one-pass gate (``gate.py``).

The gate only has to be a *necessary* condition: whenever the Python pattern matches somewhere in an
ASCII text, the RE2 pattern must match too. Matching more is allowed (it only costs the exact Python
pass the gate was meant to skip), matching less never is. The translation works on the tree Python's
own regex parser produces, so every construct is read exactly as ``re`` reads it:

- literals, classes, repeats, groups and branches have RE2 equivalents;
- ``\\d \\w \\s`` are spelled out with Python's meaning on ASCII text (RE2's ``\\s`` lacks ``\\v`` and
  ``\\x1c``-``\\x1f``, which Python counts as space); the gate is only asked about ASCII texts;
- lookarounds, which RE2 lacks: a lookbehind at the start of the pattern or a lookahead at its end is
  turned into the text it asserts (the same texts then contain a match); a negative one of a single
  character becomes "another character or the edge of the text"; any other lookaround is dropped,
  which can only make the gate match more;
- anything without an RE2 counterpart (back-references, conditionals) raises ``Untranslatable`` and
  the family is simply not gated: its exact passes always run.
"""

from __future__ import annotations

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


class Untranslatable(ValueError):
    """The pattern uses a construct the gate cannot express; the family stays ungated."""


# Python's classes on ASCII text (``\s`` counts ``\v`` and ``\x1c``-``\x1f``, RE2's does not): the gate
# only reads ASCII, so these sets are the whole meaning of ``\d \w \s`` and their negations there.
_ALL = frozenset(range(128))
_DIGITS = frozenset(range(48, 58))
_WORDS = _DIGITS | frozenset(range(65, 91)) | frozenset(range(97, 123)) | {95}
_SPACES = frozenset(range(9, 14)) | frozenset(range(28, 33))
_CATEGORY_SETS = {
    sre.CATEGORY_DIGIT: _DIGITS,
    sre.CATEGORY_NOT_DIGIT: _ALL - _DIGITS,
    sre.CATEGORY_WORD: _WORDS,
    sre.CATEGORY_NOT_WORD: _ALL - _WORDS,
    sre.CATEGORY_SPACE: _SPACES,
    sre.CATEGORY_NOT_SPACE: _ALL - _SPACES,
}


def _category(name: Any) -> str:
    chars = _CATEGORY_SETS.get(name)
    if chars is None:
        raise Untranslatable(f"category {name}")
    return _members(chars)


def _members(chars: frozenset[int]) -> str:
    """``chars`` as RE2 class members, runs of three or more as ranges."""
    out: list[str] = []
    codes = sorted(chars)
    i = 0
    while i < len(codes):
        j = i
        while j + 1 < len(codes) and codes[j + 1] == codes[j] + 1:
            j += 1
        if j - i >= 2:
            out.append(f"{_char(codes[i])}-{_char(codes[j])}")
        else:
            out.extend(_char(c) for c in codes[i : j + 1])
        i = j + 1
    return "".join(out)


def _char(code: int) -> str:
    """One character as RE2 source (inside or outside a class)."""
    char = chr(code)
    if char.isascii() and char.isalnum():
        return char
    return f"\\x{{{code:x}}}"


def _class_members(items: list[tuple[Any, Any]]) -> tuple[bool, str]:
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
            members.append(_category(av))
        else:
            raise Untranslatable(f"class member {op}")
    return negate, "".join(members)


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
        negate, members = _class_members(av)
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
        out.append(_node(op, av, at_start and i == 0, at_end and i == last))
    return "".join(out)


# -- lookbehinds after consumed characters ---------------------------------------------------------
# Prefilters are written for Python's re, which skips fast to a literal first character, so many
# say "a '/', preceded by etc": ``[/\\](?<=etc.)``. Dropping such a lookbehind would leave the gate
# matching every '/'. At the start of the match, where only single characters were consumed before
# it, the lookbehind is resolved exactly over ASCII: the characters it asserts are intersected with
# the consumed ones (``[/\\](?<=etc.)`` becomes ``etc[/\\]``).

_MAX_ALTERNATIVES = 64
SEPARATOR_CODE = 1  # the character joining the views (``prefilter.SEPARATOR``)
CharSeq = tuple[frozenset[int], ...]  # one ASCII character set per position


def _ascii_set(op: Any, av: Any) -> frozenset[int] | None:
    """The ASCII characters a one-character node matches, or None for other nodes."""
    if op is sre.SUBPATTERN and len(av[3]) == 1 and not av[1] and not av[2] & ~sre.SRE_FLAG_IGNORECASE:
        return _ascii_set(*av[3][0])  # ``(?-i:[...])``: a no-op flag on lower-cased text
    if op is sre.LITERAL:
        return frozenset((av,)) if av < 128 else frozenset()
    if op is sre.NOT_LITERAL:
        return frozenset(range(128)) - {av}
    if op is sre.ANY:
        return frozenset(range(128)) - {10}
    if op is not sre.IN:
        return None
    members: set[int] = set()
    negate = False
    for item, value in av:
        if item is sre.NEGATE:
            negate = True
        elif item is sre.LITERAL:
            members.add(value)
        elif item is sre.RANGE:
            members.update(range(value[0], min(value[1], 127) + 1))
        elif item is sre.CATEGORY:
            members.update(_CATEGORY_SETS[value])
        else:
            return None
    return _ALL - members if negate else frozenset(c for c in members if c < 128)


def _alternatives(nodes: Any) -> list[CharSeq] | None:
    """``nodes`` as the list of fixed-width character sequences it matches, or None when it is not
    a small set of fixed-width alternatives."""
    results: list[CharSeq] = [()]
    for op, av in nodes:
        single = _ascii_set(op, av)
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


def _class(chars: frozenset[int]) -> str:
    if len(chars) == 1:
        return _char(next(iter(chars)))
    return "[" + _members(chars) + "]"


def _resolve(prefix: CharSeq, asserted: CharSeq) -> CharSeq | None:
    """The characters a match must start with when ``prefix`` was consumed and the lookbehind then
    asserts ``asserted`` (which may reach back before the match); None when they cannot agree."""
    overlap = min(len(prefix), len(asserted))
    before = asserted[: len(asserted) - overlap]
    kept = prefix[: len(prefix) - overlap]
    shared = zip(prefix[len(prefix) - overlap :], asserted[len(asserted) - overlap :], strict=True)
    joint = tuple(a & b for a, b in shared)
    if any(not chars for chars in joint):
        return None
    if any(SEPARATOR_CODE in chars for chars in before[1:]):
        # The match could then start in an earlier view than the prefilter's (a separator first is
        # fine: ``Scanner._locate`` moves past it): still a superset, but not one to locate views by.
        _INEXACT.append("lookbehind across views")
    return before + kept + joint


def _starts_with_lookbehind(branch: Any) -> bool:
    return bool(branch) and branch[0][0] in (sre.ASSERT, sre.ASSERT_NOT) and branch[0][1][0] < 0


def _lookbehind_after_prefix(nodes: list[tuple[Any, Any]], at_end: bool) -> str | None:
    """RE2 for a sequence at the start of the match made of single characters followed by a
    lookbehind (or by a group whose alternatives start with one): None when it is not of that shape."""
    prefix: list[frozenset[int]] = []
    index = 0
    while index < len(nodes):
        chars = _ascii_set(*nodes[index])
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
        if all(c <= o for c, o in zip(consumed, others, strict=True)):
            complement = _ALL - first
            edge = "(?:\\A|" + _class(complement) + ")" if complement else "\\A"
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
        negate, members = _class_members(av)
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
        try:
            body = "(?:" + _sequence(inner, False, False) + ")"
        finally:
            _REPEATS.pop()
        if high == sre.MAXREPEAT:
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


EXACT = "exact"  # matches the same ASCII texts, starting in the same views
VERIFY = "verify"  # a superset whose matches start no earlier than the prefilter's: it finds the views
# to check, and the exact prefilter confirms each (``Scanner._locate``)
GATE_ONLY = "gate"  # a superset that may start in an earlier view: it only says whether to search


def translate(pattern: str) -> tuple[str, str]:
    """The RE2 form of ``pattern`` (compiled without flags) for ASCII subject texts, and how far it
    can stand in for the pattern (``EXACT``, ``VERIFY`` or ``GATE_ONLY``)."""
    tree = sre_parse.parse(pattern, 0)
    if tree.state.flags & ~(sre.SRE_FLAG_UNICODE):
        raise Untranslatable("global flags")
    _INEXACT.clear()
    result = _sequence(list(tree), True, True)
    if not _INEXACT:
        return result, EXACT
    return result, GATE_ONLY if "lookbehind across views" in _INEXACT else VERIFY


__all__ = ["EXACT", "GATE_ONLY", "VERIFY", "Untranslatable", "translate"]
