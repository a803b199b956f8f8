"""Comment and whitespace folding: the evasions that split a keyword without changing its meaning.

- SQL inline comments ``UN/**/ION`` -> ``UN ION`` is still two tokens, so comments between letters are
  removed and comments elsewhere become a space (``SELECT/**/1`` -> ``SELECT 1``);
- shell ``$IFS``/``${IFS}`` -> space, and quote or backslash splitting ``c'a't``, ``w\\ho\\ami``,
  ``who$@ami`` -> the plain word.
"""

from __future__ import annotations

from hullguard.firewall.decoders import LazyPattern

_IFS = LazyPattern(r"\$\{IFS\}|\$IFS(?:\$[0-9])?")
# Runs of the characters a splitter is made of (quote, backslash, ``$`` of ``$@``): one character class
# with a repeat, so Python's re skips through the text at C speed, and a run longer than a splitter (a
# hundred thousand quotes) is one match, not one per character. Whether a run is a splitter and
# letters stand on both sides is checked per match (a leading look-behind would make re try the
# pattern at every position).
_SPLITTER_RUN = LazyPattern(r"[\\'\"$]+")
_SPLITTERS = frozenset({"'", "''", '"', '""', "\\"})
_MAX_COMMENTS = 256
_MAX_SPLITS = 10_000


def _has_marker(text: str) -> bool:
    return "/*" in text or "IFS" in text or "'" in text or '"' in text or "\\" in text or "$@" in text


def _unsplit(text: str) -> str:
    """Remove splitters that stand between letters. Quotes count only when there are at least two:
    shell quoting is balanced (``c'a't``), while one apostrophe is just English (``O'Neil``)."""
    cuts: list[tuple[int, int, int]] = []  # (start, end, quotes removed)
    n = len(text)
    for match in _SPLITTER_RUN.get().finditer(text):
        start, end = match.span()
        run = match.group()
        if run not in _SPLITTERS:  # a longer run ("\\", three quotes, "$'") splits nothing, unless it ends in "$@"
            if run[-1] != "$" or not text.startswith("$@", end - 1):
                continue
            start, end = end - 1, end + 1
        if start > 0 and end < n and text[start - 1].isalpha() and text[end].isalpha():
            cuts.append((start, end, end - start if run[0] in "'\"" else 0))
            if len(cuts) >= _MAX_SPLITS:
                break
    if sum(cut[2] for cut in cuts) == 1:  # a lone apostrophe: not shell quoting
        cuts = [cut for cut in cuts if not cut[2]]
    if not cuts:
        return text
    out: list[str] = []
    last = 0
    for start, end, _ in cuts:
        out.append(text[last:start])
        last = end
    out.append(text[last:])
    return "".join(out)


def _strip_sql_comments(text: str) -> str:
    out: list[str] = []
    pos = 0
    for _ in range(_MAX_COMMENTS):
        start = text.find("/*", pos)
        if start < 0:
            break
        end = text.find("*/", start + 2)
        if end < 0:
            break
        out.append(text[pos:start])
        glue = start > 0 and end + 2 < len(text) and text[start - 1].isalpha() and text[end + 2].isalpha()
        out.append("" if glue else " ")
        pos = end + 2
    out.append(text[pos:])
    return "".join(out)


def decode(text: str) -> str | None:
    if not _has_marker(text):
        return None
    out = text
    if "/*" in out:
        out = _strip_sql_comments(out)
    if "IFS" in out:
        out = _IFS.get().sub(" ", out)
    if "\\" in out or "$@" in out or out.count("'") + out.count('"') > 1:
        out = _unsplit(out)  # (one quote alone is an apostrophe, which ``_unsplit`` leaves: O'Neil, don't)
    return None if out == text else out
