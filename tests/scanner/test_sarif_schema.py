"""The SARIF that `hullguard scan` and `hullguard audit` write, checked against the official OASIS SARIF
2.1.0 schema (tests/fixtures/sarif, see its README) and against the project's own SARIF contract."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jsonschema
import pytest
from jsonschema import Draft4Validator, FormatChecker
from jsonschema.protocols import Validator
from scanner_testutil import EXAMPLES, OSV_DB
from typer.testing import CliRunner

from hullguard.cli.main import app
from hullguard.events.schema import RISKS, Severity
from hullguard.model.finding import Finding
from hullguard.scanner.reporters.sarif import render_sarif

runner = CliRunner()
SCHEMA_FILE = Path(__file__).resolve().parents[1] / "fixtures" / "sarif" / "sarif-schema-2.1.0.json"
LEVELS = {"none", "note", "warning", "error"}
ACCOUNT = "123456789012"

# RFC 3986, appendix A, as character classes: jsonschema checks the "uri" formats only when the optional
# rfc3987 package is installed, which it is not here, so the two formats the schema uses are checked here.
_PCT = r"%[0-9A-Fa-f]{2}"
_PCHAR = rf"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|{_PCT})"
_PCHAR_NO_COLON = rf"(?:[A-Za-z0-9\-._~!$&'()*+,;=@]|{_PCT})"
_QUERY_FRAGMENT = rf"(?:\?(?:[/?]|{_PCHAR})*)?(?:#(?:[/?]|{_PCHAR})*)?"
URI = re.compile(rf"[A-Za-z][A-Za-z0-9+.\-]*:(?:/|{_PCHAR})*{_QUERY_FRAGMENT}")
# A relative reference: an absolute path, a path whose first segment has no ":" (it would read as a
# scheme), or nothing; then the optional query and fragment.
RELATIVE_REF = re.compile(rf"(?:/(?:/|{_PCHAR})*|{_PCHAR_NO_COLON}+(?:/{_PCHAR}*)*|){_QUERY_FRAGMENT}")


def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or URI.fullmatch(value) is not None


def _is_uri_reference(value: object) -> bool:
    return not isinstance(value, str) or URI.fullmatch(value) is not None or RELATIVE_REF.fullmatch(value) is not None


def _format_checker(validator_class: type[Validator]) -> FormatChecker:
    checker = FormatChecker(list(validator_class.FORMAT_CHECKER.checkers))
    extra: dict[str, Callable[[object], bool]] = {"uri": _is_uri, "uri-reference": _is_uri_reference}
    for name, check in extra.items():
        if name not in checker.checkers:
            checker.checks(name)(check)
    return checker


@pytest.fixture(scope="module")
def sarif_validator() -> Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert "sarif-schema-2.1.0.json" in schema["id"] and "v2.1.0" in schema["id"]
    validator_class = jsonschema.validators.validator_for(schema)
    assert validator_class is Draft4Validator  # the OASIS schema is draft-04; a refresh that changes it must look here
    validator_class.check_schema(schema)
    validator: Validator = validator_class(schema, format_checker=_format_checker(validator_class))
    return validator


def assert_valid(validator: Validator, document: dict[str, Any]) -> None:
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:20])


def _scan(path: Path, fmt: str, out: Path) -> dict[str, Any]:
    result = runner.invoke(
        app,
        ["scan", str(path), "--format", fmt, "--output", str(out), "--osv-db", str(OSV_DB), "--no-progress"],
        catch_exceptions=False,
    )
    assert result.exit_code in (0, 1), result.output
    document: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return document


@pytest.fixture(scope="module")
def vulnerable(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The vulnerable example's SARIF, and the same scan's findings as JSON (to know lines and ids)."""
    tmp = tmp_path_factory.mktemp("vulnerable")
    sarif = _scan(EXAMPLES / "vulnerable", "sarif", tmp / "report.sarif")
    findings = _scan(EXAMPLES / "vulnerable", "json", tmp / "report.json")["findings"]
    return sarif, findings


def _rules(document: dict[str, Any]) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = document["runs"][0]["tool"]["driver"]["rules"]
    return rules


def assert_rules_contract(document: dict[str, Any]) -> None:
    rules = _rules(document)
    assert rules, "every rule is described, even when nothing was found"
    ids = [rule["id"] for rule in rules]
    assert len(ids) == len(set(ids)), "one descriptor per rule id"
    for rule in rules:
        risks = [tag for tag in rule["properties"]["tags"] if tag.startswith("risk:")]
        assert len(risks) == 1, (rule["id"], risks)
        assert risks[0].removeprefix("risk:") in RISKS, (rule["id"], risks)
        assert rule["defaultConfiguration"]["level"] in LEVELS


def assert_results_contract(document: dict[str, Any]) -> None:
    run = document["runs"][0]
    rules = _rules(document)
    assert "%SRCROOT%" in run["originalUriBaseIds"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in LEVELS
        physical = result["locations"][0]["physicalLocation"]
        uri = physical["artifactLocation"]["uri"]
        assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert not uri.startswith("/") and URI.fullmatch(uri) is None, f"{uri} is not relative to the scanned root"
        risk_tags = [t for t in rules[result["ruleIndex"]]["properties"]["tags"] if t.startswith("risk:")]
        assert risk_tags == [f"risk:{result['properties']['risk']}"]


def test_the_schema_rejects_what_code_scanning_would(sarif_validator: Validator) -> None:
    """The validator is live: a wrong level, an unknown property and a path that is no URI are errors."""
    finding = Finding("HG-X-001", "t", Severity.HIGH, "over-privileged", "m", file="a.yml", line=3, function="f")
    good = json.loads(render_sarif([finding], Path("."), []))
    assert_valid(sarif_validator, good)
    for broken in (
        {**good["runs"][0]["results"][0], "level": "fatal"},
        {**good["runs"][0]["results"][0], "severity": "high"},
    ):
        document = json.loads(json.dumps(good))
        document["runs"][0]["results"][0] = broken
        assert not sarif_validator.is_valid(document)
    document = json.loads(json.dumps(good))
    document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = "my app/a.yml"
    assert not sarif_validator.is_valid(document)


def test_vulnerable_example_sarif_is_valid_and_keeps_the_contract(
    sarif_validator: Validator, vulnerable: tuple[dict[str, Any], list[dict[str, Any]]]
) -> None:
    sarif, findings = vulnerable
    assert_valid(sarif_validator, sarif)
    assert sarif["version"] == "2.1.0"
    assert_rules_contract(sarif)
    assert_results_contract(sarif)
    results = sarif["runs"][0]["results"]
    assert len(results) == len(findings) > 0
    for result, finding in zip(results, findings, strict=True):
        assert result["ruleId"] == finding["rule_id"]
        assert (
            result["partialFingerprints"]["hullguardFingerprint/v1"]
            == hashlib.sha256(finding["fingerprint"].encode()).hexdigest()
        )
        physical = result["locations"][0]["physicalLocation"]
        assert unquote(physical["artifactLocation"]["uri"]) == (finding["file"] or ".")
        assert physical.get("region", {}).get("startLine") == finding["line"]
        assert result["properties"].get("function") == finding["function"]
        assert result["properties"].get("resource") == finding["resource"]
    # The example exercises every kind of location, so the checks above are not vacuous.
    assert any("startLine" in r["locations"][0]["physicalLocation"].get("region", {}) for r in results)
    assert any("function" in r["properties"] for r in results)
    assert any("resource" in r["properties"] and "function" not in r["properties"] for r in results)
    assert {r["properties"]["risk"] for r in results} >= set(RISKS) - {"flow-manipulation", "ungoverned-assets"}


def test_fixed_example_sarif_is_valid_with_no_results(sarif_validator: Validator, tmp_path: Path) -> None:
    sarif = _scan(EXAMPLES / "fixed", "sarif", tmp_path / "fixed.sarif")
    assert_valid(sarif_validator, sarif)
    assert sarif["runs"][0]["results"] == []
    assert_rules_contract(sarif)


def test_awkward_file_names_become_valid_relative_uris(sarif_validator: Validator) -> None:
    names = ["my app/serverless.yml", "svc/100%/handler.py", "déjà vu/#1?.json", "C:\\repo\\template.yaml", "a:b/c.yml"]
    findings = [
        Finding("HG-X-001", "t", Severity.LOW, "insecure-configuration", "m", file=name, line=i + 1, resource="Res")
        for i, name in enumerate(names)
    ]
    sarif = json.loads(render_sarif(findings, Path("."), []))
    assert_valid(sarif_validator, sarif)
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]]
    assert [unquote(u) for u in uris] == [n.replace("\\", "/") for n in names]
    assert uris[0] == "my%20app/serverless.yml"
    assert sarif["runs"][0]["results"][0]["properties"]["resource"] == "Res"
    assert "function" not in sarif["runs"][0]["results"][0]["properties"]


def _live_region() -> Any:
    from hullguard.cloud.collectors.facts import FunctionFacts, LiveRegion
    from hullguard.model.app import Application, Function, FunctionUrl

    functions = [
        Function(
            logical_id="open-api", name="open-api", runtime="python3.12", handler="app.handler", url=FunctionUrl("NONE")
        ),
        Function(logical_id="old-worker", name="old-worker", runtime="python3.7", handler="app.handler"),
    ]
    application = Application(
        name=f"{ACCOUNT}/us-east-1",
        root=f"aws://{ACCOUNT}/us-east-1",
        format="live",
        region="us-east-1",
        account=ACCOUNT,
        functions=functions,
    )
    facts = {str(f.name): FunctionFacts(arn=f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{f.name}") for f in functions}
    return LiveRegion(application, facts)


def test_cloud_audit_sarif_is_valid_and_names_coverage_gaps(sarif_validator: Validator, tmp_path: Path) -> None:
    """The audit's own output path (`finish_audit`, as `hullguard audit` ends) on a small live model."""
    from hullguard.cli.audit_cmd import finish_audit
    from hullguard.cloud.audit import build_report
    from hullguard.cloud.coverage import Coverage
    from hullguard.cloud.rules import RuleContext

    coverage = Coverage()
    coverage.add(ACCOUNT, "us-east-1", "lambda:ListCodeSigningConfigs", "AccessDenied: not authorized", "access-denied")
    coverage.add(ACCOUNT, "ap-east-1", "region", "region not enabled", "region-disabled")
    report = build_report([_live_region()], coverage, RuleContext(unused_days=0))
    out = tmp_path / "audit.sarif"
    assert finish_audit(report, "sarif", out, None, None, "high") == 1
    sarif = json.loads(out.read_text(encoding="utf-8"))
    assert_valid(sarif_validator, sarif)
    assert_rules_contract(sarif)
    assert_results_contract(sarif)
    run = sarif["runs"][0]
    assert any(r["id"].startswith("HG-AUDIT-") for r in _rules(sarif))  # account rules described too
    by_function = {(r["ruleId"], r["properties"].get("function")) for r in run["results"]}
    assert ("HG-AUTH-002", "open-api") in by_function  # URL auth NONE, the scanner's rule on the live model
    open_api = next(r for r in run["results"] if r["ruleId"] == "HG-AUTH-002")
    assert open_api["locations"][0]["logicalLocations"][0] == {
        "name": "open-api",
        "kind": "function",
        "fullyQualifiedName": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:open-api",
    }
    notes = [n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]]
    assert any("lambda:ListCodeSigningConfigs skipped (access-denied)" in n for n in notes)
    assert any("ap-east-1: region skipped (region-disabled)" in n for n in notes)
    assert run["invocations"][0]["executionSuccessful"] is True
