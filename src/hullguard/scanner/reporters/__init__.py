"""Reporters only format (house rule 3): findings in, text out.

``render(findings, fmt, root, rules=...)`` for ``terminal|json|sarif|junit|markdown``; the cloud audit
reuses it with its own rules. ``rules`` are the rule classes to describe (SARIF driver rules, JUnit
passing cases); by default every registered scanner rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from hullguard.model.finding import Finding

FORMATS = ("terminal", "json", "sarif", "junit", "markdown")


def render(
    findings: Sequence[Finding],
    fmt: str,
    root: Path,
    rules: Iterable[Any] | None = None,
    *,
    problems: Sequence[str] = (),
    suppressed: int = 0,
    color: bool = False,
) -> str:
    """Format ``findings`` (paths relative to ``root``) as ``fmt``; ValueError for an unknown format."""
    if rules is None:
        from hullguard.scanner.rules import all_rules

        rules = all_rules()
    rule_list = list(rules)
    if fmt == "terminal":
        from hullguard.scanner.reporters.terminal import render_terminal

        return render_terminal(findings, root, problems=problems, suppressed=suppressed, color=color)
    if fmt == "json":
        from hullguard.scanner.reporters.json_report import render_json

        return render_json(findings, root, rule_list, problems=problems, suppressed=suppressed)
    if fmt == "sarif":
        from hullguard.scanner.reporters.sarif import render_sarif

        return render_sarif(findings, root, rule_list, problems=problems)
    if fmt == "junit":
        from hullguard.scanner.reporters.junit import render_junit

        return render_junit(findings, rule_list)
    if fmt == "markdown":
        from hullguard.scanner.reporters.markdown import render_markdown

        return render_markdown(findings, root, problems=problems, suppressed=suppressed)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def summary(findings: Sequence[Finding]) -> dict[str, int]:
    """Count of findings per severity name, every severity present (zeros included)."""
    from hullguard.events.schema import Severity

    counts = {s.value: 0 for s in reversed(list(Severity))}
    for finding in findings:
        counts[finding.severity.value] += 1
    return counts
