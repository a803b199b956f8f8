"""Mask secrets before they leave the function in a security event.

Every pattern here is linear-time: fixed-length character classes with bounded repetition and no
nested quantifiers, so a hostile payload cannot make masking slow.
"""

from __future__ import annotations

import re

MASK = "****"

# Each pattern keeps a short, recognisable prefix so an analyst can tell what was masked.
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # AWS access key ids: long-term (AKIA) and temporary (ASIA) keys.
    (re.compile(r"\b((?:AKIA|ASIA|AIDA|AROA)[A-Z0-9]{4})[A-Z0-9]{12}\b"), r"\1" + MASK),
    # Bearer / Basic authorization values.
    (re.compile(r"(?i)\b(bearer|basic)\s{1,3}[A-Za-z0-9._~+/=-]{8,4096}"), r"\1 " + MASK),
    # key=value or "key": "value" where the key name says "secret".
    (
        re.compile(
            r"(?i)((?:secret|password|passwd|pwd|token|api[_-]?key|access[_-]?key|session[_-]?token|"
            r"authorization|credential)s?[\"']?\s{0,3}[:=]\s{0,3}[\"']?)[^\s\"'&,;}]{4,256}"
        ),
        r"\1" + MASK,
    ),
    # JSON Web Tokens: three base64url parts.
    (re.compile(r"\beyJ[A-Za-z0-9_-]{8,2048}\.[A-Za-z0-9_-]{8,4096}\.[A-Za-z0-9_-]{0,1024}"), "eyJ" + MASK),
    # Private key blocks.
    (re.compile(r"-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----"), "-----BEGIN " + MASK + " PRIVATE KEY-----"),
)


def mask_secrets(text: str) -> str:
    """Return ``text`` with credentials, tokens and passwords replaced by ``****``."""
    if not text:
        return text
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text
