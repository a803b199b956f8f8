"""Shared test helpers for the firewall engine: real sample events and small test-only detectors.

The test-only detectors let the engine be tested independently of the real ones (which other
engineers write): each recognises one literal payload, so a finding proves that the engine delivered
the decoded payload, from the right place, to the detector.
"""

from __future__ import annotations

import base64
import copy
import gzip
import json
import types
from pathlib import Path
from typing import Any

import pytest

from hullguard.events.schema import Severity
from hullguard.firewall import compiled as firewall_compiled
from hullguard.firewall.detectors.base import Detection, RuleInfo, ScanContext

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "events"
SQLI = "1' OR '1'='1"
XSS = "<script>alert(1)</script>"


def event(name: str) -> Any:
    """A sample event by file name, from powertools/ or hullguard/ (a fresh copy each time)."""
    for folder in ("powertools", "hullguard"):
        path = FIXTURES / folder / name
        if path.exists():
            return copy.deepcopy(json.loads(path.read_text(encoding="utf-8")))
    raise FileNotFoundError(name)


def all_sample_events() -> list[Path]:
    return sorted((FIXTURES / "powertools").glob("*.json")) + sorted((FIXTURES / "hullguard").glob("*.json"))


def b64(text: str | bytes) -> str:
    data = text.encode() if isinstance(text, str) else text
    return base64.b64encode(data).decode()


def b64_gzip_json(obj: Any) -> str:
    return base64.b64encode(gzip.compress(json.dumps(obj).encode())).decode()


def _module(family: str, prefilter: str, rule: RuleInfo, scan: Any) -> types.ModuleType:
    module = types.ModuleType(f"test_detector_{family}")
    module.FAMILY = family  # type: ignore[attr-defined]
    module.PREFILTER = prefilter  # type: ignore[attr-defined]
    module.RULES = (rule,)  # type: ignore[attr-defined]
    module.scan = scan  # type: ignore[attr-defined]
    return module


def _rule(family: str, number: int = 1, severity: Severity = Severity.HIGH, paranoia: int = 1) -> RuleInfo:
    rule_id = f"HG-{family.upper()}-{number:03d}"
    return RuleInfo(rule_id, family, f"test {family} rule", severity, "CWE-0", "test rule", "none", paranoia)


def _literal_scan(rule_id: str, needle: str) -> Any:
    def scan(text: str, ctx: ScanContext) -> Detection | None:
        at = text.lower().find(needle.lower())
        return None if at < 0 else Detection(rule_id, f"found {needle!r}", at, at + len(needle))

    return scan


# MongoDB Extended JSON type wrappers (DocumentDB change streams carry them): data types, which the real
# detector does not read as operators either
_EXTENDED_JSON = frozenset({"$oid", "$date", "$timestamp", "$numberLong", "$numberDecimal"})


def _key_scan(text: str, ctx: ScanContext) -> Detection | None:
    if ctx.is_key and text.startswith("$") and text not in _EXTENDED_JSON:
        return Detection("HG-NOSQL-001", "operator key", 0, len(text))
    return None


def _boom(text: str, ctx: ScanContext) -> Detection | None:
    raise RuntimeError("detector bug")


SQLI_DETECTOR = _module("sqli", r"'\s*or\s", _rule("sqli"), _literal_scan("HG-SQLI-001", SQLI))
XSS_DETECTOR = _module(
    "xss", r"<script", _rule("xss", severity=Severity.MEDIUM), _literal_scan("HG-XSS-001", "<script>")
)
NOSQL_DETECTOR = _module("nosql", r"\$", _rule("nosql"), _key_scan)
STRICT_DETECTOR = _module(
    "ldap", r"strict-only", _rule("ldap", paranoia=3), _literal_scan("HG-LDAP-001", "strict-only")
)
BUGGY_DETECTOR = _module("xpath", r"boom", _rule("xpath"), _boom)
TEST_DETECTORS = [SQLI_DETECTOR, XSS_DETECTOR, NOSQL_DETECTOR, STRICT_DETECTOR, BUGGY_DETECTOR]


def requires_interpreted(why: str) -> None:
    """Skip a test that replaces a function of a firewall module: compiled modules call their own
    functions directly, so the replacement would never run and the test would prove nothing."""
    if firewall_compiled():
        pytest.skip(f"interpreted modules only: {why}")


def views_scanned(firewall: Any, event: dict[str, object]) -> list[tuple[str, str]]:
    """(location, text) of every view ``inspect`` hands to the scanner."""
    from hullguard.firewall import scanner

    requires_interpreted("records the views by replacing Scanner.scan")

    seen: list[tuple[str, str]] = []
    original = scanner.Scanner.scan

    def recording(self: scanner.Scanner, texts: list[str], metas: list[scanner.Meta]) -> None:
        seen.extend((meta[0], text) for text, meta in zip(texts, metas, strict=True))
        original(self, texts, metas)

    scanner.Scanner.scan = recording  # type: ignore[method-assign]
    try:
        firewall.inspect(event)
    finally:
        scanner.Scanner.scan = original  # type: ignore[method-assign]
    return seen

