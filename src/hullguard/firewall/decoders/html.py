"""HTML character references: named (``&lt;``, ``&colon;``), decimal and hex, with or without ``;``."""

from __future__ import annotations

import html as _html

MARKER = "&"


def decode(text: str) -> str | None:
    if "&" not in text:
        return None
    out = _html.unescape(text)
    return None if out == text else out
