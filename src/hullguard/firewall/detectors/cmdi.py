"""OS command injection detector: placeholder until the detector is written."""

from __future__ import annotations

from hullguard.firewall.detectors.base import Detection, RuleInfo, ScanContext

FAMILY = "cmdi"
# Necessary condition (regex source, matched case-insensitively): when it finds nothing in a string,
# ``scan`` cannot detect anything in it, so the engine skips this family for that string.
PREFILTER = r"(?!x)x"  # matches nothing until the detector exists
RULES: tuple[RuleInfo, ...] = ()


def scan(text: str, ctx: ScanContext) -> Detection | None:
    return None
