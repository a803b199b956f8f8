"""``Cookie`` header values: ``a=1; b=2`` -> named parts (values may be percent-encoded)."""

from __future__ import annotations

MAX_COOKIES = 200


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
