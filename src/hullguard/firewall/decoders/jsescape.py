"""JavaScript / JSON / C-style escapes: ``\\xNN``, ``\\uNNNN``, ``\\u{N}``, octal ``\\NNN`` and ``\\n``."""

from __future__ import annotations

import re

from hullguard.firewall.decoders import LazyPattern

MARKER = "\\"
_ESCAPE = LazyPattern(r"\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|u\{([0-9a-fA-F]{1,6})\}|([0-7]{1,3})|(.))", re.S)
_SIMPLE = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


def _one(match: re.Match[str]) -> str:
    hex2, hex4, hexn, octal, other = match.groups()
    code = hex2 or hex4 or hexn
    if code is not None:
        value = int(code, 16)
        return chr(value) if value <= 0x10FFFF else match.group()
    if octal is not None:
        return chr(int(octal, 8))
    return _SIMPLE.get(other, other)


def decode(text: str) -> str | None:
    if "\\" not in text:
        return None
    out = _ESCAPE.get().sub(_one, text)
    return None if out == text else out
