"""Unicode normalisation: NFKC folds full-width and other compatibility forms (``＜script＞``,
``ｓｅｌｅｃｔ``) to ASCII, and characters that render as nothing (zero-width space, soft hyphen,
byte-order mark) are removed, since both are used to slip keywords past filters."""

from __future__ import annotations

import re

_INVISIBLE_CHARS = "\u00ad\u180e\u200b\u200c\u200d\u2060\ufeff"
_INVISIBLE = dict.fromkeys(map(ord, _INVISIBLE_CHARS))
# translate() looks up every character of a non-ASCII text (~65 ns each); a search finds out first
# whether there is anything to remove.
_HAS_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]")


def decode(text: str) -> str | None:
    if text.isascii():
        return None
    import unicodedata  # on first use: most strings are ASCII

    out = unicodedata.normalize("NFKC", text)
    if _HAS_INVISIBLE.search(out) is not None:
        out = out.translate(_INVISIBLE)
    return None if out == text else out
