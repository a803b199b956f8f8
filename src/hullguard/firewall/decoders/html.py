"""HTML character references: named (``&lt;``, ``&colon;``), decimal and hex, with or without ``;``."""

from __future__ import annotations

MARKER = "&"


def decode(text: str) -> str | None:
    if "&" not in text:
        return None
    import html  # on first use: html.entities is a large table, and most events have no '&'

    out = html.unescape(text)
    return None if out == text else out
