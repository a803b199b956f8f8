"""Format audit results with the posture scanner's reporters, plus what only an audit has: coverage
gaps (in every format) and the inventory (JSON). No second SARIF writer: SARIF and JUnit come from
``hullguard.scanner.reporters.render``; gaps go in SARIF's ``toolExecutionNotifications``."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from hullguard.model.finding import Finding

FORMATS = ("terminal", "json", "sarif", "junit", "markdown")


class ReporterMissing(Exception):
    pass


def _scanner_rules() -> list[Any]:
    try:
        from hullguard.scanner.rules import all_rules
    except ImportError:
        return []
    return list(all_rules())


def render_findings(
    findings: Sequence[Finding],
    fmt: str,
    rules: Iterable[Any],
    gaps: Sequence[str] = (),
    extra: dict[str, Any] | None = None,
    color: bool = False,
    include_scanner_rules: bool = True,
) -> str:
    """Render like ``hullguard scan`` does; ``extra`` keys are added to the JSON document."""
    try:
        from hullguard.scanner.reporters import render
    except ImportError:
        raise ReporterMissing(
            "the posture scanner's reporters (hullguard.scanner.reporters) are not installed"
        ) from None
    rule_list = (_scanner_rules() if include_scanner_rules else []) + list(rules)
    text = render(findings, fmt, Path("."), rule_list, problems=list(gaps), color=color)
    if fmt == "json":
        document = json.loads(text)
        document.update(extra or {})
        return json.dumps(document, indent=2, default=str) + "\n"
    if fmt == "sarif" and gaps:
        document = json.loads(text)
        run = document["runs"][0]
        run["invocations"] = [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": [{"level": "warning", "message": {"text": g}} for g in gaps],
            }
        ]
        return json.dumps(document, indent=2) + "\n"
    return text
