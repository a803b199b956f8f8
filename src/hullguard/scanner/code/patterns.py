"""Text patterns shared by the Python and Node.js analyses."""

from __future__ import annotations

import re
from collections.abc import Iterator

from hullguard.scanner.code.index import CodeFlow

SPLITS_ON_DOT = re.compile(r"""\.split\(\s*(['"])\\?\.\1\s*\)""")
MANUAL_JWT = re.compile(
    r"(base64url\.decode|base64\.decode|b64decode|urlsafe_b64decode|atob|Buffer\.from)\s*\((?:[^()]|\([^()]*\))*\[\s*1\s*\]"
)


def manual_jwt_decodes(text: str, verifies: bool) -> Iterator[CodeFlow]:
    """``base64url.decode(token.split('.')[1])``: a token's payload read by hand, never verified."""
    if verifies or not SPLITS_ON_DOT.search(text):
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if MANUAL_JWT.search(line):
            yield CodeFlow(
                "jwt-unverified", number, "a JWT payload is base64-decoded by hand: its signature is never verified"
            )
