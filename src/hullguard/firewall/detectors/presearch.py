"""RE2 in front of a detector's own regular expression on long text.

A detector searches a view its prefilter matched with Python's ``re``, which tries a pattern of many
alternatives at nearly every position: about 100 to 300 ns per character. On a short view that is
nothing; on a long benign one (an analytics beacon's 4 KB parameter full of ``;``, ``:`` and ``/``,
which every family's prefilter matches) each family's searches cost a millisecond or more, and such
values made the slowest requests of the traffic stream (``bench/RESULTS.md``). RE2 answers the same
question, "does it match anywhere?", in one linear pass at a few nanoseconds per byte.

``Presearch(source, flags)`` stands where ``re.compile(source, flags)`` stood. On a text of at least
``MIN_LENGTH`` characters it first asks RE2 for the pattern translated by ``gate_translate`` (the
translation the prefilter gates use: a *necessary* condition, which matches whenever the Python
pattern does, and sometimes more): for ASCII text, matched on its bytes; for other text, translated
for Unicode and matched on its UTF-8. When RE2 finds no match the answer is no match; otherwise, and on
short or untranslatable input, Python's ``re`` answers as before, so every match (its span and groups)
is Python's own. Without the google-re2 wheel, or where RE2 rejects the translation, it is Python's
``re`` alone.

Case-insensitive patterns: RE2 folds case as Unicode's case folding says, Python's ``re`` also takes
``ı`` and ``İ`` for ``i`` (``PYTHON_FOLDS``; a test checks the list against both engines over every
code point). Before RE2 reads text that is not ASCII, those characters are replaced by the ASCII
letter Python matches them with, which changes no Python answer for a pattern written in ASCII, the
only ones translated (a pattern with a character beyond ASCII, which Python's folding may match to an
ASCII one, is left to Python, as is one with a positive lookbehind, whose translation reasons about
characters without their case).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

MIN_LENGTH = 128  # shorter texts: Python's search costs about what the call into RE2 would
# Escapes that put a character beyond ASCII into a pattern (or may: an octal one): see ``translatable``.
_WIDE_ESCAPE = re.compile(r"\\(?:[uUN]|x[89a-fA-F]|[0-3][0-7]{2})")
# The characters Python's case-insensitive matching takes for an ASCII letter where RE2's may not (RE2
# folds the last two as well; replacing them too costs nothing).
PYTHON_FOLDS = {"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"}
_FOLD_TABLE = str.maketrans(PYTHON_FOLDS)
_FOLDABLE = re.compile("[" + "".join(PYTHON_FOLDS) + "]")  # (translate() reads a dict per character: 50 ns)
_ASCII, _UNICODE = "ascii", "unicode"  # ``gate_translate``'s kinds of text (not imported before first use)
# RE2's memory for one pattern (a cap: it takes what the text needs); past it, RE2 falls back to its NFA,
# slower, with the same answer. Translated for Unicode, a pattern's program spells its classes over all
# of Unicode in UTF-8 and needs more room: with 1 MB its DFA gave up and a search took 2 ms.
_MAX_MEM = {_ASCII: 1 << 20, _UNICODE: 4 << 20}

Finder = Callable[[bytes], bool]  # whether the RE2 translation matches somewhere in the text's bytes


def _never_says_no(data: bytes) -> bool:
    """The finder of a pattern RE2 cannot stand in front of: Python's ``re`` always answers."""
    return True


class Presearch:
    """A compiled pattern (``pattern``) whose ``search``, ``match`` and ``finditer`` first ask RE2 on
    long text. The RE2 sides are compiled on the first such text: most functions never see one, and a
    cold start pays nothing for them."""

    __slots__ = ("_finds_ascii", "_finds_unicode", "pattern")

    def __init__(self, source: str, flags: int = 0) -> None:
        self.pattern = re.compile(source, flags)
        self._finds_ascii: Finder | None = None  # compiled on first use
        self._finds_unicode: Finder | None = None

    def _may_match(self, text: str) -> bool:
        if len(text) < MIN_LENGTH:
            return True
        try:
            if text.isascii():
                finds = self._finds_ascii
                if finds is None:
                    finds = self._finds_ascii = _finder(self.pattern, _ASCII)
                return finds(text.encode("ascii"))
            finds = self._finds_unicode
            if finds is None:
                finds = self._finds_unicode = _finder(self.pattern, _UNICODE)
            if finds is _never_says_no:
                return True
            if self.pattern.flags & re.IGNORECASE and _FOLDABLE.search(text) is not None:
                text = text.translate(_FOLD_TABLE)
            return finds(text.encode("utf-8"))  # (a lone surrogate raises: Python's re answers)
        except Exception:  # RE2 failed on this text: Python's re answers
            return True

    def search(self, text: str, pos: int = 0) -> re.Match[str] | None:
        # (RE2 looks at the whole text: a match after ``pos`` is a match in it)
        return self.pattern.search(text, pos) if self._may_match(text) else None

    def match(self, text: str, pos: int = 0) -> re.Match[str] | None:
        return self.pattern.match(text, pos) if self._may_match(text) else None

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.pattern.finditer(text) if self._may_match(text) else iter(())


def translatable(pattern: re.Pattern[str]) -> str | None:
    """``pattern`` as ``gate_translate.translate`` takes it (no global flags), or None. A
    case-insensitive pattern becomes one case-insensitive group (see the module's help for which)."""
    source = pattern.pattern
    # (any other flag is left to Python: re.ASCII, for one, puts a \b between "é" and "a" where the
    # translation, which reads \w as Python's Unicode one, has none)
    flags = pattern.flags & ~re.UNICODE
    if flags == 0:
        return source
    ascii_source = source.isascii() and _WIDE_ESCAPE.search(source) is None
    if flags == re.IGNORECASE and ascii_source and "(?<=" not in source:
        return f"(?i:{source})"
    return None


def translation(pattern: re.Pattern[str], text: str) -> str | None:
    """``pattern`` in RE2 syntax for ``text`` (``_ASCII`` or ``_UNICODE``), or None where it has none
    (``gate_translate``, run here and by the generator of ``detectors/presearches.py``)."""
    source = translatable(pattern)
    if source is None:
        return None
    from hullguard.firewall.gate_translate import Untranslatable, translate

    try:
        return translate(source, text, folded=bool(pattern.flags & re.IGNORECASE))[0]
    except (Untranslatable, re.error, ValueError):
        return None


def _registry() -> dict[tuple[str, int], tuple[str | None, str | None]]:
    try:
        from hullguard.firewall.detectors.presearches import TRANSLATIONS
    except Exception:  # a broken registry must not take the function down: patterns are translated here
        return {}
    return TRANSLATIONS


def _registered(pattern: re.Pattern[str], text: str) -> str | None:
    """The generated translation (``detectors/presearches.py``), or the one made now for a pattern
    the registry does not hold."""
    entry = _registry().get((pattern.pattern, int(pattern.flags)))
    if entry is None:
        return translation(pattern, text)
    return entry[0] if text == _ASCII else entry[1]


def _finder(pattern: re.Pattern[str], text: str) -> Finder:
    """The RE2 side of ``pattern`` for ``text`` (``_ASCII`` or ``_UNICODE``), or ``_never_says_no``."""
    try:
        translated = _registered(pattern, text)
        if translated is None:
            return _never_says_no
        from hullguard.firewall.gate import compile_spans

        spans = compile_spans(translated, _MAX_MEM[text])
    except Exception:  # no RE2 (google-re2 is optional, as for the prefilter gate), or RE2 rejects it
        return _never_says_no
    return lambda data: spans(data, 0, len(data))[0][0] != -1


def instances() -> list[tuple[str, Presearch]]:
    """Every ``Presearch`` the detector package's modules hold, named ``module.NAME`` where first found
    (for the generated registry and the tests)."""
    import importlib
    import pkgutil

    import hullguard.firewall.detectors as package

    found: dict[int, tuple[str, Presearch]] = {}
    for info in pkgutil.iter_modules(package.__path__):
        if info.name in ("prefilters", "presearches"):
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for name, value in vars(module).items():
            if isinstance(value, Presearch):
                found.setdefault(id(value), (f"{info.name}.{name}", value))
    return sorted(found.values(), key=lambda item: item[0])


__all__ = ["MIN_LENGTH", "PYTHON_FOLDS", "Presearch", "instances", "translatable", "translation"]
