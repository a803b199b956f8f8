"""The example app: exact expected findings for examples/vulnerable, none for examples/fixed.

The snapshot (examples/vulnerable/expected-findings.txt) lists rule id, file, line, function and
resource of every finding. Regenerate it on purpose with HULLGUARD_UPDATE_SNAPSHOTS=1.
"""

from __future__ import annotations

import os

from scanner_testutil import EXAMPLES, OSV_DB, TODAY

from hullguard.events.schema import RISKS
from hullguard.scanner.scan import scan

SNAPSHOT = EXAMPLES / "vulnerable" / "expected-findings.txt"
HEADER = "# rule_id | file | line | function | resource  (generated; HULLGUARD_UPDATE_SNAPSHOTS=1 to refresh)\n"
STATIC_RISKS = set(RISKS)  # every risk has a planted flaw (examples/README.md)


def _rows() -> list[str]:
    report = scan(EXAMPLES / "vulnerable", osv_db=OSV_DB, today=TODAY)
    assert not report.all_problems, report.all_problems
    return sorted(
        f"{f.rule_id} | {f.file} | {f.line} | {f.function or '-'} | {f.resource or '-'}" for f in report.findings
    )


def test_vulnerable_example_findings_match_snapshot() -> None:
    rows = _rows()
    if os.environ.get("HULLGUARD_UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    expected = [line for line in SNAPSHOT.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    assert rows == expected


def test_vulnerable_example_covers_every_static_risk_in_both_formats() -> None:
    report = scan(EXAMPLES / "vulnerable", osv_db=OSV_DB, today=TODAY)
    by_format: dict[str, set[str]] = {}
    formats = {a.name: a.format for a in report.applications}
    for finding in report.findings:
        by_format.setdefault(formats[finding.application], set()).add(finding.risk)
    assert set(by_format) == {"serverless", "sam"}
    for fmt, risks in by_format.items():
        assert risks >= STATIC_RISKS, (fmt, sorted(STATIC_RISKS - risks))


def test_fixed_example_is_clean() -> None:
    report = scan(EXAMPLES / "fixed", osv_db=OSV_DB, today=TODAY)
    assert not report.all_problems
    assert {a.format for a in report.applications} == {"serverless", "sam"}
    assert sum(len(a.functions) for a in report.applications) == 10  # no leftover legacyExport
    assert [f"{f.rule_id} {f.file}:{f.line} {f.message}" for f in report.findings] == []
