"""JUnit XML: one test suite per rule, one failing test case per finding, one passing case for a
rule without findings, so CI dashboards show what was checked as well as what failed."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import Any

from hullguard.model.finding import Finding


def render_junit(findings: Sequence[Finding], rules: list[Any]) -> str:
    by_rule: dict[str, list[Finding]] = {}
    for f in findings:
        by_rule.setdefault(f.rule_id, []).append(f)
    titles = {r.id: r.title for r in rules}
    for f in findings:
        titles.setdefault(f.rule_id, f.title)
    suites = ET.Element("testsuites", name="hullguard", tests="0", failures=str(len(findings)))
    total = 0
    for rule_id in sorted(titles):
        cases = by_rule.get(rule_id, [])
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=f"{rule_id} {titles[rule_id]}",
            tests=str(max(1, len(cases))),
            failures=str(len(cases)),
            errors="0",
        )
        if not cases:
            ET.SubElement(suite, "testcase", classname=rule_id, name=titles[rule_id])
            total += 1
        for f in cases:
            where = f"{f.file}:{f.line}" if f.line else f.file
            name = f"{f.function or f.resource or f.application} ({where})"
            case = ET.SubElement(suite, "testcase", classname=rule_id, name=name, file=f.file, line=str(f.line or 0))
            failure = ET.SubElement(case, "failure", message=f.message, type=f.severity.value)
            failure.text = f"{f.message}\nSeverity: {f.severity.value}\nRisk: {f.risk}\nFix: {f.remediation}"
            total += 1
    suites.set("tests", str(total))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
