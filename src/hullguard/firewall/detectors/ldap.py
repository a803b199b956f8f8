"""LDAP filter injection detector.

An application that builds ``(&(uid=INPUT)(userPassword=...))`` from input is broken out of when the
input closes the current assertion and opens another (``*)(uid=*))(|(uid=*``, ``admin)(&)``), adds an
absolute true/false filter (``(&)``, ``(|)``), or truncates the rest with a NUL. RFC 4515 hex escapes
(``\\2a``, ``\\28``, ``\\29``) are decoded first so that escaped payloads are judged as the directory
server sees them. A lone wildcard or parenthesis is a search term, not an injection.
"""

from __future__ import annotations

import re

from hullguard.events.schema import Severity
from hullguard.firewall.detectors.base import Detection, RuleInfo, ScanContext

FAMILY = "ldap"
# Necessary condition: a parenthesis next to a filter operator or another parenthesis, or a hex escape.
PREFILTER = r"\)\s{0,4}[(\x00)]|\)\s{0,4}[|&!]\s{0,4}\(|\(\s{0,4}[|&!)(]|\\[0-9a-f]{2}|\*\)"
_PREFILTER = re.compile(PREFILTER, re.IGNORECASE)
_REMEDIATION = (
    "Escape every input placed in an LDAP filter with RFC 4515 escaping (ldap3.utils.conv.escape_filter_chars, "
    "ldap.filter.escape_filter_chars) and bind with a least-privilege account."
)
RULES: tuple[RuleInfo, ...] = (
    RuleInfo("HG-LDAP-001", FAMILY, "LDAP filter break-out", Severity.HIGH, "CWE-90",
             "Input that closes the current filter assertion and opens a new one: ')(' followed by an attribute "
             "assertion or a filter operator, as in *)(uid=*))(|(uid=*, admin)(&) or x)&(cn=admin.", _REMEDIATION),
    RuleInfo("HG-LDAP-002", FAMILY, "LDAP absolute or wildcard filter", Severity.HIGH, "CWE-90",
             "Absolute true/false filters (&) and (|), an OR/AND group of wildcard assertions (|(mail=*)), or a "
             "wildcard followed by closing parentheses and a NUL (*))%00) that truncates the filter.",
             _REMEDIATION),
)
_ATTRIBUTE = r"[a-z][\w.;-]{0,40}\s{0,4}[~<>:]?="
_BREAKOUT = re.compile(
    # (a scanner opens as many parentheses as it closed, to balance a filter nested that deep)
    rf"\)\s{{0,4}}(?:\(\s{{0,4}}){{1,16}}[|&!]?\s{{0,4}}(?:\(\s{{0,4}})?{_ATTRIBUTE}"
    # ")(|" opening an OR, AND or NOT, whose operands are filters: a "(" (or the ")" of an absolute filter)
    # follows, or the value ends there; a letter does not ("S7@+Ja2)(!odbv", a random password)
    rf"|\)\s{{0,4}}\(\s{{0,4}}[|&!]\s{{0,4}}(?:[()]|$)"
    # ")&(cn=admin", ")!(sn=*": the operator between the closed assertion and the new one
    rf"|\)\s{{0,4}}[|&!]\s{{0,4}}\(\s{{0,4}}{_ATTRIBUTE}",
    re.IGNORECASE,
)
_ABSOLUTE = re.compile(
    rf"\(\s{{0,4}}[|&]\s{{0,4}}\)|\(\s{{0,4}}[|&!]\s{{0,4}}\(\s{{0,4}}{_ATTRIBUTE}|\*\s{{0,4}}\)\s{{0,4}}\x00|\*\s{{0,4}}\)\s{{0,4}}\)"
    rf"\s{{0,4}}(?:\x00|$)|\*\s{{0,4}}\(\s{{0,4}}\)\s{{0,4}}[|&]",
    re.IGNORECASE,
)
_HEX_ESCAPE = re.compile(r"\\([0-9a-f]{2})", re.IGNORECASE)


def _unescape(text: str) -> str:
    return _HEX_ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), text)


def scan(text: str, ctx: ScanContext) -> Detection | None:
    if not _PREFILTER.search(text):  # the engine has checked it, and calls ``scan_unfiltered``
        return None
    return scan_unfiltered(text, ctx)


def scan_unfiltered(text: str, ctx: ScanContext) -> Detection | None:
    """``scan`` without the PREFILTER check (a necessary condition, which the engine has made)."""
    views = [text]
    if "\\" in text:
        unescaped = _unescape(text)
        if unescaped != text:
            views.append(unescaped)
    for view in views:
        match = _BREAKOUT.search(view)
        if match:
            return Detection("HG-LDAP-001", f"filter break-out {match.group(0)!r}", match.start(), match.end())
        match = _ABSOLUTE.search(view)
        if match:
            return Detection("HG-LDAP-002", f"filter construct {match.group(0)!r}", match.start(), match.end())
    return None
