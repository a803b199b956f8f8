"""JSON report: the findings as ``Finding.to_dict()``, with a summary and the problems met."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hullguard._version import __version__
from hullguard.model.finding import Finding


def render_json(
    findings: Sequence[Finding], root: Path, rules: list[Any], *, problems: Sequence[str] = (), suppressed: int = 0
) -> str:
    from hullguard.scanner.reporters import summary

    document = {
        "tool": {"name": "hullguard", "version": __version__},
        "root": str(root),
        "summary": {"total": len(findings), "by_severity": summary(findings), "suppressed": suppressed},
        "findings": [f.to_dict() for f in findings],
        "problems": list(problems),
        "rules": [{"id": r.id, "title": r.title, "severity": r.severity.value, "risk": r.risk} for r in rules],
    }
    return json.dumps(document, indent=2, default=str) + "\n"
