"""Comment and whitespace folding: the evasions that split a keyword without changing its meaning.

- SQL inline comments ``UN/**/ION`` -> ``UN ION`` is still two tokens, so comments between letters are
  removed and comments elsewhere become a space (``SELECT/**/1`` -> ``SELECT 1``);
- shell ``$IFS``/``${IFS}`` -> space, and quote or backslash splitting ``c'a't``, ``w\\ho\\ami``,
  ``who$@ami`` -> the plain word.
"""

from __future__ import annotations

import re

_MARKERS = re.compile(r"/\*|\$\{?IFS|\$@|''|\"\"|\\[a-zA-Z]|[a-zA-Z]['\"][a-zA-Z]")
_IFS = re.compile(r"\$\{IFS\}|\$IFS(?:\$[0-9])?")
_SPLIT = re.compile(r"(?<=[a-zA-Z])(?:''|\"\"|\\|\$@|'|\")(?=[a-zA-Z])")
_MAX_COMMENTS = 256


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
    if _MARKERS.search(text) is None:
        return None
    out = text
    if "/*" in out:
        out = _strip_sql_comments(out)
    if "IFS" in out:
        out = _IFS.sub(" ", out)
    out = _SPLIT.sub("", out)
    return None if out == text else out
