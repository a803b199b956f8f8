"""Code injection detector (Python, Node.js, PHP, Java/EL, Log4Shell JNDI): placeholder."""

from __future__ import annotations

from hullguard.firewall.detectors.base import Detection, RuleInfo, ScanContext

FAMILY = "code"
# Necessary condition (regex source, matched case-insensitively): when it finds nothing in a string,
# ``scan`` cannot detect anything in it, so the engine skips this family for that string.
PREFILTER = r"(?!x)x"  # matches nothing until the detector exists
RULES: tuple[RuleInfo, ...] = ()


def scan(text: str, ctx: ScanContext) -> Detection | None:
    return None
