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

    head = {
        "tool": {"name": "hullguard", "version": __version__},
        "root": str(root),
        "summary": {"total": len(findings), "by_severity": summary(findings), "suppressed": suppressed},
    }
    tail = {
        "problems": list(problems),
        "rules": [{"id": r.id, "title": r.title, "severity": r.severity.value, "risk": r.risk} for r in rules],
    }
    # One finding per line, compact: json's C encoder only runs without ``indent`` and is ~10x faster than
    # the pure-Python indenting one, which dominated large scans (thousands of findings). Still one document.
    lines = ["{"]
    lines += [f"  {json.dumps(key)}: {json.dumps(value, default=str)}," for key, value in head.items()]
    encoded = [json.dumps(f.to_dict(), default=str) for f in findings]
    body = "\n    " + ",\n    ".join(encoded) + "\n  " if encoded else ""
    lines.append(f'  "findings": [{body}],')
    lines += [f"  {json.dumps(key)}: {json.dumps(value, default=str)}," for key, value in tail.items()]
    lines[-1] = lines[-1].rstrip(",")
    lines.append("}")
    return "\n".join(lines) + "\n"
