"""``Cookie`` header values: ``a=1; b=2`` -> named parts (values may be percent-encoded)."""

from __future__ import annotations

import re

MAX_COOKIES = 200
# A cookie name is an HTTP token (RFC 6265 section 4.1.1, RFC 9110 section 5.6.2).
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,256}")


def parse(text: str) -> list[tuple[str, str]]:
    if ";" not in text and "=" not in text:  # one bare value (HTTP API v2 lists cookies one by one)
        value = text.strip()
        return [("", value.strip('"'))] if value else []
    pairs: list[tuple[str, str]] = []
    for piece in text.split(";", MAX_COOKIES):
        piece = piece.strip()
        if not piece:
            continue
        name, sep, value = piece.partition("=")
        if not sep:
            name, value = "", piece
        pairs.append((name.strip(), value.strip().strip('"')))
    return pairs


def well_formed(pairs: list[tuple[str, str]]) -> bool:
    """Every part is ``name=value`` with a token for a name, as browsers and HTTP clients send them. A
    header that is not (an attack pasted in whole: ``admin*)((|userPassword=*)``, ``';id;'``) is read
    whole too: split at its ``;`` and ``=`` it falls into harmless pieces."""
    return all(name and _TOKEN.fullmatch(name) for name, _ in pairs)
