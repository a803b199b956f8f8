"""Percent-decoding: ``%XX`` runs as UTF-8 (overlong forms too), IIS-style ``%uXXXX``, and ``+``.

One call decodes one layer; the engine calls again on the result, which handles double encoding
(``%2527`` -> ``%27`` -> ``'``).
"""

from __future__ import annotations

import re

from hullguard.firewall.decoders import LazyPattern
from hullguard.firewall.decoders.overlong import bytes_to_text

MARKER = "%"
_RUN = LazyPattern(r"(?:%[0-9A-Fa-f]{2})+")
_UNICODE = LazyPattern(r"%[uU]([0-9A-Fa-f]{4})")


def _run(match: re.Match[str]) -> str:
    return bytes_to_text(bytes.fromhex(match.group().replace("%", "")))


def _unicode(match: re.Match[str]) -> str:
    return chr(int(match.group(1), 16))


def decode(text: str, plus: bool = False) -> str | None:
    """One layer of URL decoding, or None when ``text`` has nothing to decode.

    ``plus``: ``+`` means space (query strings, form bodies, S3 object keys)."""
    out = text
    if plus and "+" in out:
        out = out.replace("+", " ")
    if "%" in out:
        out = _RUN.get().sub(_run, out)
        if "%u" in out or "%U" in out:
            out = _UNICODE.get().sub(_unicode, out)
    return None if out == text else out
