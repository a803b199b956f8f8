"""JSON Web Tokens (JWS compact form): the header and payload a function reads when it decodes a token.

A function that trusts a token without verifying it (``jwt.decode(token, options={"verify_signature":
False})``, a hand-written ``base64`` of the middle segment, an ``alg: none`` token) reads whatever the
sender wrote there: OWASP's DVSA passes the payload to ``jsonpickle.decode``. A verified token's claims
can carry a user's chosen name as well, and its header's ``kid`` is a known injection point (a path or a
query the server uses to find the key). Encrypted tokens (five segments) show only their header.
"""

from __future__ import annotations

from hullguard.firewall.decoders import b64

_MAX_SEGMENT = 16_384  # header or payload characters decoded; a token is a header's size


def looks_like(text: str) -> bool:
    """A bearer token or a bare token whose first segment is base64url JSON (``eyJ`` is ``{"``)."""
    return text.startswith("eyJ") or (text[:7].lower() == "bearer " and text.startswith("eyJ", 7))


def parts(text: str) -> list[tuple[str, str]]:
    """("header" or "payload", decoded JSON text) of a token; empty when ``text`` is not one."""
    token = text[7:] if text[:7].lower() == "bearer " else text
    segments = token.strip().split(".", 5)
    if len(segments) not in (3, 5):
        return []
    found: list[tuple[str, str]] = []
    readable = ("header",) if len(segments) == 5 else ("header", "payload")  # a JWE's payload is ciphertext
    for name, segment in zip(readable, segments, strict=False):
        if not segment.startswith("eyJ") or len(segment) > _MAX_SEGMENT:
            continue
        data = b64.decode(segment, _MAX_SEGMENT)
        text_value = b64.as_text(data) if data else None
        if text_value:
            found.append((name, text_value))
    return found
