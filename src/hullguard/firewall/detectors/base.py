"""The contract between the firewall engine and its attack-family detectors.

A detector module (one per attack family, e.g. ``sqli.py``) exposes::

    FAMILY: str                       # attack class id, e.g. "sqli"
    PREFILTER: str                    # a regex every text it flags matches (a necessary condition)
    RULES: tuple[RuleInfo, ...]       # every rule id it can emit, with metadata for the catalogue
    def scan(text: str, ctx: ScanContext) -> Detection | None
    def scan_unfiltered(text: str, ctx: ScanContext) -> Detection | None   # optional

``scan`` receives one decoded string (a value, or a key when ``ctx.is_key``) and returns the first
detection or None. It must run in time linear in ``len(text)`` (no backtracking regular expressions:
every regex is anchored on literal tokens with bounded repetition, or replaced by a scanner), must
not raise (the engine also guards it), and must not allocate more than a small multiple of the input.
The engine asks only about strings the PREFILTER matches; a module whose ``scan`` checks the PREFILTER
itself (for direct callers) also offers ``scan_unfiltered``, the same without that check, which the
engine calls instead. The tests hold the PREFILTER to being a necessary condition of it.
"""

from __future__ import annotations

from hullguard.events.record import FrozenRecord
from hullguard.events.schema import Severity

# Plain slotted classes rather than dataclasses: this module is on every cold start (see
# ``hullguard.events.record``). All three are immutable and hashable.


class RuleInfo(FrozenRecord):
    """Catalogue metadata of one firewall rule (docs/rules-firewall.md is generated from these)."""

    __slots__ = ("cwe", "description", "family", "paranoia", "remediation", "rule_id", "severity", "title")
    _fields = ("rule_id", "family", "title", "severity", "cwe", "description", "remediation", "paranoia")

    rule_id: str  # stable, e.g. "HG-SQLI-001"; never reused for a different meaning
    family: str  # attack class id
    title: str
    severity: Severity
    cwe: str  # e.g. "CWE-89"
    description: str
    remediation: str
    paranoia: int  # lowest paranoia level at which the rule is active (1 = default)

    def __init__(
        self,
        rule_id: str,
        family: str,
        title: str,
        severity: Severity,
        cwe: str,
        description: str,
        remediation: str,
        paranoia: int = 1,
    ) -> None:
        put = object.__setattr__  # frozen: assignment goes around FrozenRecord.__setattr__
        put(self, "rule_id", rule_id)
        put(self, "family", family)
        put(self, "title", title)
        put(self, "severity", severity)
        put(self, "cwe", cwe)
        put(self, "description", description)
        put(self, "remediation", remediation)
        put(self, "paranoia", paranoia)


class Detection(FrozenRecord):
    __slots__ = ("detail", "end", "rule_id", "start")
    _fields = ("rule_id", "detail", "start", "end")

    rule_id: str
    detail: str  # why, in a few words (fingerprint, token, matched construct)
    start: int  # span of the evidence within the scanned text
    end: int

    def __init__(self, rule_id: str, detail: str, start: int = 0, end: int = 0) -> None:
        put = object.__setattr__
        put(self, "rule_id", rule_id)
        put(self, "detail", detail)
        put(self, "start", start)
        put(self, "end", end)


class ScanContext(FrozenRecord):
    """What a detector may know about the string it is given."""

    __slots__ = ("content_type", "is_key", "location", "paranoia")
    _fields = ("paranoia", "is_key", "location", "content_type")

    paranoia: int  # 1 default, 2 stricter, 3 strictest (more false positives)
    is_key: bool  # the string is a JSON/form key, not a value
    location: str  # path in the event, e.g. "body.user.name" (for context-aware rules)
    content_type: str  # e.g. "application/xml" when the engine knows it

    def __init__(self, paranoia: int = 1, is_key: bool = False, location: str = "", content_type: str = "") -> None:
        put = object.__setattr__
        put(self, "paranoia", paranoia)
        put(self, "is_key", is_key)
        put(self, "location", location)
        put(self, "content_type", content_type)
