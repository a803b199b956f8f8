"""``application/x-www-form-urlencoded`` bodies and query strings: ``a=1&b=2`` -> named parts.

Values stay percent-encoded: the engine decodes them as URL text (with ``+`` as space).
"""

from __future__ import annotations

MAX_PAIRS = 1000


def looks_like(text: str) -> bool:
    """No blanks, and every ``&``-separated piece is ``name=value`` with a non-empty name."""
    if "=" not in text or len(text) > 1_000_000:
        return False
    if " " in text or "\n" in text or "\t" in text:
        return False
    return all(piece.find("=") > 0 for piece in text.split("&", MAX_PAIRS) if piece)


def parse(text: str) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for piece in text.split("&", MAX_PAIRS):
        if not piece:
            continue
        name, _, value = piece.partition("=")
        pairs.append((name, value))
    return pairs


def bracket_parts(name: str) -> list[str]:
    """``user[address][$ne]`` -> ``["user", "address", "$ne"]``: the nesting that qs (Express), PHP
    and Rack build from bracketed field names, which is how operators reach a NoSQL query."""
    parts: list[str] = []
    for piece in name.replace("]", "").split("[")[:32]:
        if piece:
            parts.append(piece)
    return parts
