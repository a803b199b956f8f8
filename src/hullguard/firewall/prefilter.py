"""Detector loading and prefilter preparation.

Each detector module's ``PREFILTER`` is a necessary condition for its ``scan``. The engine searches all
views of an event at once, joined by ``SEPARATOR`` and lower-cased, so each prefilter is rewritten
once: literals lower-cased (Python's re matches case-insensitive literals several times slower) and
anchors moved to view boundaries. Long views are handed to detectors in windows around matches.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable
from itertools import accumulate, repeat
from operator import add
from types import ModuleType

from hullguard.firewall.gate import Locator

TYPE_CHECKING = False  # not typing's: importing typing costs about 3 ms of every cold start
if TYPE_CHECKING:
    from hullguard.firewall.detectors.base import ScanContext

PLACEHOLDER_PREFILTER = r"(?!x)x"  # what an unwritten detector module declares
LONG_TEXT = 16_384  # longer views are scanned in windows around prefilter matches
WINDOW = 2_048  # characters kept on each side of a prefilter match
MAX_WINDOWS = 16


class PreparedDetector:
    """A detector family with its prefilter compiled for the joined views.

    ``joined`` is the module's PREFILTER rewritten for the joined views (see ``rewrite_pattern``):
    compiled case-sensitively for lower-cased text when the source allows it (``on_lowered``),
    because Python's re matches case-insensitive literals several times slower. The detector module
    itself is imported on first use (``module``): the prefilter comes from the generated registry
    ``detectors/prefilters.py``, so an event no prefilter matches imports no detector at all.
    """

    __slots__ = (
        "_joined",
        "_module",
        "_passes",
        "entry",
        "family",
        "gate",
        "load_error",
        "loaded",
        "locator",
        "on_lowered",
        "source",
        "verify",
    )

    def __init__(
        self,
        family: str,
        joined: re.Pattern[str] | None,
        on_lowered: bool,
        module: ModuleType | None = None,
        passes: tuple[tuple[re.Pattern[str], bool], ...] | None = (),
        source: str = "",
        gate: tuple[str, str] | None = None,
    ):
        self.family = family
        self.source = source  # the PREFILTER (without a leading (?i)), for compiling ``joined`` later
        self._joined = joined
        self.on_lowered = on_lowered
        self._module = module
        self.load_error = ""
        self.loaded: ModuleType | None = None  # the module once the engine has added its rules
        # What the scanner calls on a view the prefilter matched: the module's ``scan_unfiltered`` when
        # it has one (``scan`` without its own PREFILTER check, which the scanner has just made), else
        # its ``scan``; set with ``loaded``.
        self.entry: Callable[[str, ScanContext], object] | None = None
        # The prefilter in RE2 syntax for the set gate (``gate.py``), if any; when the translation
        # is exact, RE2 also finds the views it matches (``locator``) instead of the Python passes.
        self.gate = gate[0] if gate else None
        self.locator = Locator(gate[0]) if gate and gate[1] != "gate" else None
        self.verify = gate is not None and gate[1] == "verify"  # located views are confirmed by ``joined``
        # What the scanner searches (see ``split_passes``): (pattern, anchored) pairs, where an
        # anchored pattern starts with SEPARATOR and is searched over SEPARATOR + the joined views.
        # None: not compiled yet (a gated family compiles them when the gate first names it).
        self._passes = passes if passes is None else (passes or ((self.joined, False),))

    @property
    def passes(self) -> tuple[tuple[re.Pattern[str], bool], ...]:
        if self._passes is None:
            self._passes = split_passes(self.source) or ((self.joined, False),)
        return self._passes

    @property
    def joined(self) -> re.Pattern[str]:
        """The whole prefilter for the joined views. With split ``passes`` the scanner does not need
        it (only long-text windows and ``Firewall.gate`` do), so it is compiled on first use: compiling
        every prefilter twice would double what ``Firewall()`` spends on them."""
        if self._joined is None:
            self._joined, self.on_lowered = compile_joined(self.source)
        return self._joined

    @property
    def module(self) -> ModuleType | None:
        """The detector module, imported the first time it is needed; None when it cannot be."""
        if self._module is None and not self.load_error:
            modules, errors = load_detectors((self.family,))
            if modules:
                self._module = modules[0]
            else:
                self.load_error = errors[0] if errors else f"detector {self.family}: not found"
        return self._module


SEPARATOR = "\x01"  # joins the views; no prefilter has a reason to match a control character
_VIEW_START = f"(?:^|(?<={SEPARATOR}))"
_VIEW_END = f"(?=\\n?(?:{SEPARATOR}|\\Z))"


_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}


def rewrite_pattern(source: str, lower: bool = True) -> str:
    """``source`` for searching all views joined by ``SEPARATOR`` in one pass: anchors (``^``, ``$``,
    ``\\A``, ``\\Z``) are rewritten to match at view boundaries, and with ``lower`` the literals are
    lower-cased for matching lower-cased text without IGNORECASE (class escapes such as ``\\S`` and
    ``\\W`` are kept; ``\\x41`` becomes ``a``). Character classes are tracked so ``[^...]`` is left
    alone. Raises ValueError where lower-casing could lose matches (a class range from an upper- to
    a lower-case letter, an escaped upper-case letter ending a range, named escapes): the caller
    then keeps a case-insensitive pattern."""
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
            width = _HEX_ESCAPES.get(nxt, 0)
            if lower and width and i + 2 + width <= n:
                literal = chr(int(source[i + 2 : i + 2 + width], 16))
                if literal.lower() != literal:
                    end = i + 2 + width
                    if in_class and (source[i - 1 : i] == "-" or source[end : end + 1] == "-"):
                        raise ValueError("escaped upper-case letter as a class range end")
                    out.append(re.escape(literal.lower()))
                    i = end
                    continue
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
            elif lower and char == "-" and i > class_start and i + 1 < n and source[i + 1] != "]":
                low, high = source[i - 1], source[i + 1]
                if low.isupper() != high.isupper():  # [A-z] also spans [ \\ ] ^ _ `
                    raise ValueError("class range across letter cases")
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


def compile_joined(source: str) -> tuple[re.Pattern[str], bool]:
    try:
        return re.compile(rewrite_pattern(source)), True
    except (re.error, ValueError):
        try:
            return re.compile(rewrite_pattern(source, lower=False), re.IGNORECASE), False
        except (re.error, ValueError):
            return re.compile(source, re.IGNORECASE), False


def top_level_branches(source: str) -> list[str]:
    """``source`` split at its top-level ``|`` (not inside a group or a character class)."""
    branches: list[str] = []
    depth = 0
    in_class = False
    class_first = 0  # a "]" right after "[" or "[^" is a literal, not the end of the class
    begin = 0
    i, n = 0, len(source)
    while i < n:
        char = source[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            if char == "]" and i > class_first:
                in_class = False
        elif char == "[":
            in_class = True
            class_first = i + 2 if source[i + 1 : i + 2] == "^" else i + 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            branches.append(source[begin:i])
            begin = i + 1
        i += 1
    branches.append(source[begin:])
    return branches


# Escapes that stand for one literal character inside a character class.
_CLASS_MEMBER = re.compile(r"\\x[0-9a-fA-F]{2}|\\u[0-9a-fA-F]{4}|\\[^\w]|\\[nrtfv0]|[^\\\]\-^]")
_MAX_EXPANDED = 8


def _literal_first(branch: str) -> list[str] | None:
    """``branch`` as alternatives that each start with one literal character, or None.

    Python's re skips quickly through text to the possible first characters of a pattern only when
    every top-level alternative starts with a literal: one that starts with a class, a group or a
    lookbehind makes it try each alternative at every position. A small leading class is expanded
    (``[oc]:\\d`` -> ``o:\\d``, ``c:\\d``)."""
    if not branch:
        return None
    if branch[0] == "[":
        close = branch.find("]", 1)
        if close < 2 or branch[1] == "^":
            return None
        members = _CLASS_MEMBER.findall(branch, 1, close)
        if "".join(members) != branch[1:close] or len(members) > _MAX_EXPANDED:
            return None
        rest = branch[close + 1 :]
        if rest[:1] in ("*", "?", "{", "+"):
            return None  # the quantifier applies to the class
        return [(member if member[0] == "\\" else re.escape(member)) + rest for member in members]
    if branch[0] == "\\":
        match = _CLASS_MEMBER.match(branch)
        return [branch] if match and branch[match.end() : match.end() + 1] not in ("*", "?", "{", "+") else None
    if branch[0] in "().*+?{|$^":
        return None
    return [branch] if branch[1:2] not in ("*", "?", "{", "+") else None


def split_passes(source: str) -> tuple[tuple[re.Pattern[str], bool], ...] | None:
    """The prefilter as up to three searches that Python's re runs faster than the whole pattern.

    1. Branches anchored at a view start: ``^x`` rewritten for joined views would be
       ``(?:^|(?<=SEPARATOR))x``, a zero-width start tried at every position; searched instead as
       ``SEPARATOR x`` over SEPARATOR + the views, they jump from separator to separator.
    2. Branches that start with a literal character (small leading classes expanded): together
       they let re skip ahead to their possible first characters.
    3. The rest (a leading lookbehind, group or wide class), which would spoil the skip of 2.

    A view is hit when any of the searches hits it, as with the whole pattern (the command-injection
    prefilter: about 4x faster on a typical POST). None when there is nothing to gain or a part
    cannot be matched on lower-cased text."""
    branches = top_level_branches(source)
    anchored: list[str] = []
    literal: list[str] = []
    other: list[str] = []
    for branch in branches:
        if branch.startswith("(?-i:") and branch.endswith(")"):
            branch = "(?:" + branch[5:]  # on lower-cased text with lower-cased literals, a no-op flag
        if branch.startswith("^"):
            anchored.append(branch[1:])
        elif branch.startswith("\\A"):
            anchored.append(branch[2:])
        else:
            expanded = _literal_first(branch)
            if expanded is None:
                other.append(branch)
            else:
                literal.extend(expanded)
    if len(branches) == 1 and not anchored:
        return None
    passes: list[tuple[re.Pattern[str], bool]] = []
    try:
        if anchored:
            passes.append((re.compile(SEPARATOR + "(?:" + rewrite_pattern("|".join(anchored)) + ")"), True))
        if literal:
            passes.append((re.compile(rewrite_pattern("|".join(literal))), False))
        if other:
            passes.append((re.compile(rewrite_pattern("|".join(other))), False))
    except (re.error, ValueError):
        return None
    return tuple(passes)


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


def prefilter_source(source: str) -> str:
    # The contract says "case-insensitive"; a leading inline (?i) is dropped because the patterns are
    # compiled for lower-cased text (or with IGNORECASE when they cannot be lower-cased).
    return source[4:] if source.startswith("(?i)") else source


def windows(det: PreparedDetector, text: str) -> list[tuple[int, str]]:
    """The whole text, or for long texts fixed-size regions around the family's prefilter matches,
    at most ``MAX_WINDOWS`` of them (a detector is linear but slower than a regex, and the prefilter
    match is inside any attack it finds). One search per window: dense matches (a text made of
    quotes) cost as little as sparse ones."""
    if len(text) <= LONG_TEXT:
        return [(0, text)]
    # Lower-casing can change the length of a few characters; the windows are wide enough that the
    # resulting offset drift does not matter.
    subject = text.lower() if det.on_lowered else text
    search = det.joined.search
    spans: list[tuple[int, int]] = []
    pos = 0
    while len(spans) < MAX_WINDOWS:
        match = search(subject, pos)
        if match is None:
            break
        start, end = max(0, match.start() - WINDOW), min(len(text), match.end() + WINDOW)
        spans.append((start, end))
        pos = max(end, match.end() + 1)
    return [(start, text[start:end]) for start, end in spans]


def view_starts(views: list[str]) -> list[int]:
    """Offset of each view in the views joined by one separator character (computed in C: the
    lengths plus one for the separator, summed up)."""
    starts = [0]
    starts.extend(accumulate(map(add, map(len, views), repeat(1))))
    starts.pop()
    return starts


__all__ = [
    "LONG_TEXT",
    "PLACEHOLDER_PREFILTER",
    "SEPARATOR",
    "PreparedDetector",
    "compile_joined",
    "load_detectors",
    "prefilter_source",
    "rewrite_pattern",
    "split_passes",
    "top_level_branches",
    "view_starts",
    "windows",
]
