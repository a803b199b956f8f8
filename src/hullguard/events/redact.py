"""Mask secrets before they leave the function in a security event.

Every pattern here is linear-time: fixed-length character classes with bounded repetition and no
nested quantifiers, so a hostile payload cannot make masking slow.

The patterns are compiled on the first ``mask_secrets`` call, not at import: this module is imported
by every protected function's cold start, and most invocations never build a security event.
"""

from __future__ import annotations

import re

MASK = "****"

# Each pattern keeps a short, recognisable prefix so an analyst can tell what was masked.
_SOURCES: tuple[tuple[str, str], ...] = (
    # AWS access key ids: long-term (AKIA) and temporary (ASIA) keys.
    (r"\b((?:AKIA|ASIA|AIDA|AROA)[A-Z0-9]{4})[A-Z0-9]{12}\b", r"\1" + MASK),
    # Bearer / Basic authorization values.
    (r"(?i)\b(bearer|basic)\s{1,3}[A-Za-z0-9._~+/=-]{8,4096}", r"\1 " + MASK),
    # key=value or "key": "value" where the key name says "secret".
    (
        r"(?i)((?:secret|password|passwd|pwd|token|api[_-]?key|access[_-]?key|session[_-]?token|"
        r"authorization|credential)s?[\"']?\s{0,3}[:=]\s{0,3}[\"']?)[^\s\"'&,;}]{4,256}",
        r"\1" + MASK,
    ),
    # JSON Web Tokens: three base64url parts.
    (r"\beyJ[A-Za-z0-9_-]{8,2048}\.[A-Za-z0-9_-]{8,4096}\.[A-Za-z0-9_-]{0,1024}", "eyJ" + MASK),
    # Private key blocks.
    (r"-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----", "-----BEGIN " + MASK + " PRIVATE KEY-----"),
)


def mask_secrets(text: str) -> str:
    """Return ``text`` with credentials, tokens and passwords replaced by ``****``."""
    if not text:
        return text
    for pattern, replacement in _patterns():
        text = pattern.sub(replacement, text)
    return text


_compiled: tuple[tuple[re.Pattern[str], str], ...] = ()


def _patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    global _compiled
    if not _compiled:  # two threads racing here both compile the same patterns: harmless
        _compiled = tuple((re.compile(source), replacement) for source, replacement in _SOURCES)
    return _compiled
