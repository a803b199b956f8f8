"""Every rule has a failing and a passing fixture, and both behave (house rule 4).

A fixture is ``rules/<RULE-ID>.yaml`` with ``fail:`` and ``pass:`` mappings of file name -> content;
each side is written to a temporary directory and scanned with that one rule only. The fail side
must produce at least one finding (``fail_count:`` pins the exact number), the pass side none.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from scanner_testutil import OSV_DB, TODAY

from hullguard.scanner.rules import all_rules, rule_by_id
from hullguard.scanner.scan import scan

FIXTURES = Path(__file__).resolve().parent / "rules"
RULE_IDS = [rule.id for rule in all_rules()]


def _materialise(files: dict[str, str], target: Path) -> None:
    for name, content in files.items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")


def _load(rule_id: str) -> dict[str, object]:
    data = yaml.safe_load((FIXTURES / f"{rule_id}.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict) and {"fail", "pass"} <= set(data), f"{rule_id}.yaml needs fail: and pass:"
    return data


def test_every_rule_has_a_fixture_and_no_fixture_is_orphaned() -> None:
    present = {p.stem for p in FIXTURES.glob("*.yaml")}
    assert sorted(set(RULE_IDS) - present) == [], "rules without PASS/FAIL fixtures"
    assert sorted(present - set(RULE_IDS)) == [], "fixtures for rules that do not exist"


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_rule_fails_on_fail_fixture_and_passes_on_pass_fixture(rule_id: str, tmp_path: Path) -> None:
    if not (FIXTURES / f"{rule_id}.yaml").exists():
        pytest.fail(f"no fixture for {rule_id}")
    data = _load(rule_id)
    rule = rule_by_id(rule_id)
    assert rule is not None
    results = {}
    for side in ("fail", "pass"):
        root = tmp_path / side
        _materialise(data[side], root)  # type: ignore[arg-type]
        report = scan(root, rules=[rule], osv_db=OSV_DB, today=TODAY)
        assert report.applications, f"{rule_id} {side}: nothing loaded ({report.all_problems})"
        assert not report.load_problems, f"{rule_id} {side}: {report.all_problems}"
        results[side] = report.findings
    assert results["fail"], f"{rule_id}: no finding on the FAIL fixture"
    if "fail_count" in data:
        assert len(results["fail"]) == data["fail_count"], [f.message for f in results["fail"]]
    assert all(f.rule_id == rule_id and f.risk == rule.risk for f in results["fail"])
    assert results["pass"] == [], [f"{f.file}:{f.line} {f.message}" for f in results["pass"]]
