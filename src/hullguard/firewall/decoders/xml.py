"""XML bodies: text nodes and attribute values by element name, found in one linear pass.

No XML parser runs on attacker data (entity expansion is exactly the attack); the raw document is
still scanned as a whole so the XXE detector sees DOCTYPE and ENTITY declarations.
"""

from __future__ import annotations

from hullguard.firewall.decoders import LazyPattern

MAX_NODES = 2000
_NAME = LazyPattern(r"[A-Za-z_][\w.:-]{0,63}")
_ATTR = LazyPattern(r"([A-Za-z_][\w.:-]{0,63})\s{0,16}=\s{0,16}(?:\"([^\"<]*)\"|'([^'<]*)')")


def looks_like(text: str, content_type: str = "") -> bool:
    head = text[:64].lstrip()[:16].lower()
    if head.startswith(("<?xml", "<!doctype", "<soap")):
        return True
    return "xml" in content_type.lower() and head.startswith("<")


def parts(text: str) -> list[tuple[str, str]]:
    """(element or element@attribute, value) for non-blank text and attribute values."""
    found: list[tuple[str, str]] = []
    stack: list[str] = []
    pos, n = 0, len(text)
    while pos < n and len(found) < MAX_NODES:
        lt = text.find("<", pos)
        if lt < 0:
            lt = n
        chunk = text[pos:lt].strip()
        if chunk and stack:
            found.append((stack[-1], chunk))
        if lt >= n:
            break
        if text.startswith("<![CDATA[", lt):
            end = text.find("]]>", lt)
            end = n if end < 0 else end
            if stack:
                found.append((stack[-1], text[lt + 9 : end]))
            pos = end + 3
            continue
        gt = text.find(">", lt)
        if gt < 0:
            break
        tag = text[lt + 1 : gt]
        pos = gt + 1
        if tag.startswith(("?", "!")):
            continue
        if tag.startswith("/"):
            if stack:
                stack.pop()
            continue
        name = _NAME.get().match(tag)
        if name is None:
            continue
        element = name.group().split(":")[-1]
        for attr in _ATTR.get().finditer(tag, name.end()):
            found.append((f"{element}@{attr.group(1)}", attr.group(2) or attr.group(3) or ""))
        if not tag.endswith("/") and len(stack) < 256:
            stack.append(element)
    return found
