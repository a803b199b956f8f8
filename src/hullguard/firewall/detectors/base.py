"""The contract between the firewall engine and its attack-family detectors.

A detector module (one per attack family, e.g. ``sqli.py``) exposes::

    FAMILY: str                       # attack class id, e.g. "sqli"
    RULES: tuple[RuleInfo, ...]       # every rule id it can emit, with metadata for the catalogue
    def scan(text: str, ctx: ScanContext) -> Detection | None

``scan`` receives one decoded string (a value, or a key when ``ctx.is_key``) and returns the first
detection or None. It must run in time linear in ``len(text)`` (no backtracking regular expressions:
every regex is anchored on literal tokens with bounded repetition, or replaced by a scanner), must
not raise (the engine also guards it), and must not allocate more than a small multiple of the input.
"""

from __future__ import annotations

from dataclasses import dataclass

from hullguard.events.schema import Severity


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """Catalogue metadata of one firewall rule (docs/rules-firewall.md is generated from these)."""

    rule_id: str  # stable, e.g. "HG-SQLI-001"; never reused for a different meaning
    family: str  # attack class id
    title: str
    severity: Severity
    cwe: str  # e.g. "CWE-89"
    description: str
    remediation: str
    paranoia: int = 1  # lowest paranoia level at which the rule is active (1 = default)


@dataclass(frozen=True, slots=True)
class Detection:
    rule_id: str
    detail: str  # why, in a few words (fingerprint, token, matched construct)
    start: int = 0  # span of the evidence within the scanned text
    end: int = 0


@dataclass(frozen=True, slots=True)
class ScanContext:
    """What a detector may know about the string it is given."""

    paranoia: int = 1  # 1 default, 2 stricter, 3 strictest (more false positives)
    is_key: bool = False  # the string is a JSON/form key, not a value
    location: str = ""  # path in the event, e.g. "body.user.name" (for context-aware rules)
    content_type: str = ""  # e.g. "application/xml" when the engine knows it
