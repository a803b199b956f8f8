"""Unicode normalisation: NFKC folds full-width and other compatibility forms (``＜script＞``,
``ｓｅｌｅｃｔ``) to ASCII, and characters that render as nothing (zero-width space, soft hyphen,
byte-order mark) are removed, since both are used to slip keywords past filters."""

from __future__ import annotations

_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u180e\u200b\u200c\u200d\u2060\ufeff"))


def decode(text: str) -> str | None:
    if text.isascii():
        return None
    import unicodedata  # on first use: most strings are ASCII

    out = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    return None if out == text else out
