"""``multipart/form-data`` bodies: each part's name, file name and content."""

from __future__ import annotations

import re

from hullguard.firewall.decoders import LazyPattern

MAX_PARTS = 200
_BOUNDARY = LazyPattern(r"boundary=\"?([^\";,\s]{1,200})", re.IGNORECASE)
_NAME = LazyPattern(r"\bname=\"([^\"]{0,256})\"", re.IGNORECASE)
_FILENAME = LazyPattern(r"\bfilename=\"([^\"]{0,1024})\"", re.IGNORECASE)


def boundary(content_type: str) -> str | None:
    match = _BOUNDARY.get().search(content_type)
    return match.group(1) if match else None


def parse(body: str, boundary_text: str) -> list[tuple[str, str, str, str]]:
    """(name, filename, part content type, content) per part; malformed parts are skipped."""
    parts: list[tuple[str, str, str, str]] = []
    for chunk in body.split("--" + boundary_text, MAX_PARTS + 1)[1:]:
        if chunk.startswith("--"):
            break
        head, sep, content = chunk.partition("\r\n\r\n")
        if not sep:
            head, sep, content = chunk.partition("\n\n")
            if not sep:
                continue
        name = _NAME.get().search(head)
        filename = _FILENAME.get().search(head)
        ctype = ""
        for line in head.splitlines():
            if line.lower().startswith("content-type:"):
                ctype = line.split(":", 1)[1].strip()
        if content.endswith("\r\n"):
            content = content[:-2]
        elif content.endswith("\n"):
            content = content[:-1]
        parts.append((name.group(1) if name else "", filename.group(1) if filename else "", ctype, content))
    return parts
