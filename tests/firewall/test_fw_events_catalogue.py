"""Security events from verdicts, the generated rule catalogue, the exported API and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from fw_helpers import FIXTURES, SQLI, TEST_DETECTORS, event
from typer.testing import CliRunner

import hullguard.firewall as firewall_pkg
from hullguard.cli.main import app
from hullguard.events.schema import Action, FunctionContext, SecurityEvent
from hullguard.firewall import Firewall, catalogue
from hullguard.firewall.events import security_events

REPO = Path(__file__).resolve().parents[2]
FW = Firewall(detectors=TEST_DETECTORS)


def test_security_events_per_finding_and_batch_actions() -> None:
    ev = event("sqsEvent.json")
    ev["Records"][1]["body"] = json.dumps({"note": SQLI})
    verdict = FW.inspect(ev)
    fn = FunctionContext(name="orders", version="7", request_id="req-1", region="eu-west-1")
    events = security_events(verdict, fn, cold_start=True)
    assert len(events) == 1
    sec = events[0]
    assert sec.action is Action.BLOCKED and sec.trigger == "sqs" and sec.cold_start
    assert sec.location == "Records[1].body.note" and sec.detail["record"] == 1
    line = json.loads(sec.to_json_line())
    assert line["class_uid"] == 2004 and line["unmapped"]["function"]["name"] == "orders"
    assert SecurityEvent.from_dict(line).rule_id == "HG-SQLI-001"


def test_alert_mode_and_budget_events() -> None:
    deep: object = SQLI
    for _ in range(100):
        deep = {"a": deep}
    verdict = Firewall(detectors=TEST_DETECTORS, policy={"mode": "alert"}).inspect(deep)
    events = security_events(verdict, trigger="direct")
    # the payload below the depth cut is still found (Inspection.too_deep); the cut is its own event
    assert [e.rule_id for e in events] == ["HG-SQLI-001", "HG-BUDGET-001"]
    assert all(e.action is Action.ALERTED for e in events) and not verdict.blocked
    assert events[1].risk == "denial-of-service"


def test_internal_error_event_carries_the_error() -> None:
    verdict = FW.inspect({"q": "boom!"})
    (sec,) = security_events(verdict)
    assert sec.rule_id == "HG-INTERNAL-001" and "detector bug" in sec.detail["error"]


def test_rule_catalogue_doc_is_up_to_date() -> None:
    doc = REPO / "docs" / "rules-firewall.md"
    assert doc.read_text(encoding="utf-8") == catalogue.render(), (
        "docs/rules-firewall.md is stale: run `python -m hullguard.firewall.catalogue`"
    )
    assert catalogue.GENERATED_LINE in doc.read_text(encoding="utf-8")


def test_catalogue_lists_every_rule_once() -> None:
    rules, errors = catalogue.collect()
    ids = [r.rule_id for r in rules]
    assert not errors and len(ids) == len(set(ids)) and "HG-INTERNAL-001" in ids


def test_prefilter_registry_matches_every_detector_module() -> None:
    path = catalogue.PREFILTERS_PATH
    assert path.read_text(encoding="utf-8") == catalogue.render_prefilters(), (
        f"{path.name} is stale (a detector's PREFILTER changed): run `python -m hullguard.firewall.catalogue`"
    )


def test_presearch_registry_matches_every_detector_pattern() -> None:
    path = catalogue.PRESEARCHES_PATH
    assert path.read_text(encoding="utf-8") == catalogue.render_presearches(), (
        f"{path.name} is stale (a detector's Presearch pattern changed): run `python -m hullguard.firewall.catalogue`"
    )


def test_detector_modules_are_imported_only_when_a_prefilter_matches() -> None:
    code = (
        "import sys, json; from hullguard.firewall import Firewall; fw = Firewall(); "
        "loaded = lambda: sorted(m.rsplit('.', 1)[1] for m in sys.modules "
        "if m.startswith('hullguard.firewall.detectors.') and m.rsplit('.', 1)[1] not in ('base', 'prefilters')); "
        "before = loaded(); fw.inspect({'name': 'alice', 'count': '3'}); clean = loaded(); "
        "v = fw.inspect({'q': \"1' UNION SELECT password FROM users --\"}); "
        "print(json.dumps([before, clean, [f.attack for f in v.findings], 'sqli' in loaded(), len(fw.rules)]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    before, clean, attacks, sqli_loaded, rule_count = json.loads(out.stdout)
    assert before == [] and clean == []
    assert "sqli" in attacks and sqli_loaded
    assert rule_count == len(catalogue.collect()[0])  # fw.rules loads the rest


def test_public_api_names() -> None:
    assert set(firewall_pkg.__all__) >= {"Firewall", "Verdict", "Finding", "FirewallPolicy", "PolicyError"}


# Standard-library modules that cost milliseconds of every cold start and that the firewall does not
# need before it inspects: dataclasses imports inspect, which imports ast, dis and tokenize.
SLOW_STDLIB = ("dataclasses", "inspect", "ast", "dis", "tokenize", "pathlib", "uuid", "platform")


def test_import_is_standard_library_only_and_quick() -> None:
    code = (
        "import sys; from hullguard.firewall import Firewall; Firewall(); "
        "mods = [m for m in sys.modules if m.split('.')[0] in ('yaml', 'typer', 'rich', 'boto3', 'botocore') "
        f"or m in {SLOW_STDLIB!r}]; "
        "print(sorted(mods))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "[]"


def test_cli_inspect_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    benign = FIXTURES / "powertools" / "apiGatewayProxyEvent.json"
    result = runner.invoke(app, ["inspect", str(benign)])
    assert result.exit_code == 0, result.output
    ev = event("sqsEvent.json")
    ev["Records"][0]["body"] = json.dumps({"q": "1' UNION SELECT password FROM users --"})
    result = runner.invoke(app, ["inspect", "-", "--format", "json"], input=json.dumps(ev))
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["blocked"] and report["findings"][0]["location"] == "Records[0].body.q"
    assert runner.invoke(app, ["inspect", str(tmp_path / "missing.json")]).exit_code == 2
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    result = runner.invoke(app, ["inspect", str(bad)])
    assert result.exit_code == 2 and "not JSON" in result.stderr and "Traceback" not in result.output
    binary = tmp_path / "bin.json"
    binary.write_bytes(b"\xff\xfe\x00")
    assert runner.invoke(app, ["inspect", str(binary)]).exit_code == 2
    policy = tmp_path / "p.yml"
    policy.write_text("firewall:\n  families:\n    sqlx: on\n", encoding="utf-8")
    result = runner.invoke(app, ["inspect", str(benign), "--policy", str(policy)])
    assert result.exit_code == 2 and "firewall.families.sqlx" in result.stderr
    alert = tmp_path / "alert.yml"
    alert.write_text("firewall:\n  mode: alert\n", encoding="utf-8")
    result = runner.invoke(app, ["inspect", "-", "--policy", str(alert)], input=json.dumps(ev))
    assert result.exit_code == 1 and "alert only" in result.stdout


def test_cli_inspects_the_example_folder() -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["inspect", str(REPO / "examples" / "events"), "--format", "json"])
    assert result.exit_code == 1, result.output
    reports = {Path(r["file"]).name: r for r in json.loads(result.stdout)}
    assert reports["apigw-benign.json"]["findings"] == []
    expected = {
        "apigw-sqli-query.json": ("sqli", "queryStringParameters.currency"),
        "sqs-sns-envelope-xss.json": ("xss", "Records[0].body.Message.comment.text"),
        "s3-key-path-traversal.json": ("path", "Records[0].s3.object.key"),
        "dynamodb-stream-command-injection.json": ("cmdi", "Records[1].dynamodb.NewImage.Message.S"),
        "kinesis-log4shell.json": ("code", "Records[0].kinesis.data.userAgent"),
        "alb-ssrf-metadata.json": ("ssrf", "queryStringParameters.image"),
        "cloudwatch-logs-sqli.json": ("sqli", "awslogs.data.logEvents[0].message"),
    }
    for name, (attack, location) in expected.items():
        found = {(f["attack"], f["location"]) for f in reports[name]["findings"]}
        assert (attack, location) in found, (name, found)
