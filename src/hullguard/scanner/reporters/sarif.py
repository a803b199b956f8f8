"""SARIF 2.1.0 for code-scanning platforms.

Each rule carries ``properties.tags`` with exactly one ``risk:<id>`` and a ``security-severity``
score; each result has ``ruleId``, ``level``, a location relative to the scanned root (``%SRCROOT%``)
with ``startLine`` when known, and ``properties.function`` / ``properties.resource``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from hullguard._version import __version__
from hullguard.events.schema import Severity
from hullguard.model.finding import Finding

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
# GitHub code scanning reads this number: >= 9 critical, >= 7 high, >= 4 medium, else low.
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "1.0",
}


def _rule(rule: Any) -> dict[str, Any]:
    references = list(getattr(rule, "references", ()) or ())
    help_text = f"{rule.description}\n\nRemediation: {rule.remediation}"
    markdown = f"{rule.description}\n\n**Remediation:** {rule.remediation}"
    if references:
        markdown += "\n\n" + "\n".join(f"- {ref}" for ref in references)
    out: dict[str, Any] = {
        "id": rule.id,
        "name": "".join(part.capitalize() for part in rule.title.replace("-", " ").split()[:8]),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.description},
        "help": {"text": help_text, "markdown": markdown},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {
            "tags": ["security", f"risk:{rule.risk}"],
            "precision": "high",
            "security-severity": SECURITY_SEVERITY[rule.severity],
        },
    }
    if references:
        out["helpUri"] = references[0]
    return out


def _uri(path: str) -> str:
    """A relative URI reference (RFC 3986) for a path under the root: the schema's ``uri-reference``.

    Spaces, ``%``, ``#``, ``?`` and non-ASCII letters are legal in file names but not in a URI, so
    they are percent-encoded; ``/`` stays the separator. ``:`` is encoded too, because in a first
    segment it would turn the path into a URI scheme.
    """
    text = path.replace("\\", "/").lstrip("/")
    return quote(text, safe="/!$&'()*+,;=@-._~") if text else "."


def _message(finding: Finding) -> str:
    if not finding.remediation:
        return finding.message
    stop = "" if finding.message.rstrip().endswith((".", "!", "?")) else "."
    return f"{finding.message.rstrip()}{stop} Fix: {finding.remediation}"


def render_sarif(findings: Sequence[Finding], root: Path, rules: list[Any], problems: Sequence[str] = ()) -> str:
    # One descriptor per id: SARIF's ruleIndex points at one entry, and the schema wants the array unique.
    known: set[str] = set()
    rule_list: list[Any] = []
    for rule in rules:
        if rule.id not in known:
            rule_list.append(rule)
            known.add(rule.id)
    for finding in findings:
        if finding.rule_id not in known:  # a finding of a rule not listed still needs a descriptor
            rule_list.append(_Adhoc(finding))
            known.add(finding.rule_id)
    index = {r.id: i for i, r in enumerate(rule_list)}
    results = []
    for f in findings:
        region: dict[str, Any] = {"startLine": f.line} if f.line else {}
        location: dict[str, Any] = {
            "physicalLocation": {"artifactLocation": {"uri": _uri(f.file), "uriBaseId": "%SRCROOT%"}}
        }
        if region:
            location["physicalLocation"]["region"] = region
        logical = f.function or f.resource
        if logical:
            logical_location: dict[str, Any] = {"name": logical, "kind": "function" if f.function else "resource"}
            arn = f.detail.get("arn")  # live findings (cloud audit) know the deployed function's ARN
            if f.function and isinstance(arn, str) and arn:
                logical_location["fullyQualifiedName"] = arn
            location["logicalLocations"] = [logical_location]
        properties: dict[str, Any] = {"severity": f.severity.value, "risk": f.risk, "application": f.application}
        if f.function:
            properties["function"] = f.function
        if f.resource:
            properties["resource"] = f.resource
        results.append(
            {
                "ruleId": f.rule_id,
                "ruleIndex": index[f.rule_id],
                "level": LEVELS[f.severity],
                "message": {"text": _message(f)},
                "locations": [location],
                "partialFingerprints": {"hullguardFingerprint/v1": hashlib.sha256(f.fingerprint.encode()).hexdigest()},
                "properties": properties,
            }
        )
    root_uri = Path(root).resolve().as_uri() + "/"
    document: dict[str, Any] = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "hullguard",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": "https://github.com/hullguard/hullguard",
                        "rules": [_rule(r) for r in rule_list],
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": root_uri}},
                "results": results,
                "columnKind": "unicodeCodePoints",
            }
        ],
    }
    if problems:  # inputs that could not be read: shown by code-scanning UIs as tool notifications
        document["runs"][0]["invocations"] = [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": [{"level": "warning", "message": {"text": p}} for p in problems],
            }
        ]
    return json.dumps(document, indent=2) + "\n"


class _Adhoc:
    def __init__(self, finding: Finding) -> None:
        self.id = finding.rule_id
        self.title = finding.title
        self.description = finding.title
        self.remediation = finding.remediation or "See the finding message."
        self.severity = finding.severity
        self.risk = finding.risk
        self.references: tuple[str, ...] = ()
