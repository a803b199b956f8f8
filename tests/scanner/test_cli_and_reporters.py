"""`hullguard scan` end to end: formats, exit codes, --fail-on, baseline, suppressions, upload."""

from __future__ import annotations

import json
import shutil
import threading
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import jsonschema
import pytest
from scanner_testutil import EXAMPLES, OSV_DB
from typer.testing import CliRunner

from hullguard.cli.main import app
from hullguard.events.schema import RISKS

runner = CliRunner()
VULNERABLE = EXAMPLES / "vulnerable"

# The parts of the SARIF 2.1.0 schema (OASIS) that code-scanning platforms read, written out here.
SARIF_SUBSET = {
    "type": "object",
    "required": ["version", "runs", "$schema"],
    "properties": {
        "version": {"const": "2.1.0"},
        "runs": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["tool", "results"],
                "properties": {
                    "tool": {
                        "type": "object",
                        "required": ["driver"],
                        "properties": {
                            "driver": {
                                "type": "object",
                                "required": ["name", "rules"],
                                "properties": {
                                    "rules": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": [
                                                "id",
                                                "shortDescription",
                                                "defaultConfiguration",
                                                "properties",
                                            ],
                                            "properties": {
                                                "shortDescription": {"type": "object", "required": ["text"]},
                                                "defaultConfiguration": {
                                                    "type": "object",
                                                    "properties": {
                                                        "level": {"enum": ["none", "note", "warning", "error"]}
                                                    },
                                                },
                                            },
                                        },
                                    }
                                },
                            }
                        },
                    },
                    "results": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["ruleId", "level", "message", "locations"],
                            "properties": {
                                "level": {"enum": ["none", "note", "warning", "error"]},
                                "message": {"type": "object", "required": ["text"]},
                                "locations": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            "physicalLocation": {
                                                "type": "object",
                                                "required": ["artifactLocation"],
                                                "properties": {
                                                    "artifactLocation": {"type": "object", "required": ["uri"]},
                                                    "region": {
                                                        "type": "object",
                                                        "properties": {"startLine": {"type": "integer", "minimum": 1}},
                                                    },
                                                },
                                            }
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    },
}


def _scan(*args: str) -> Any:
    return runner.invoke(app, ["scan", *args, "--no-progress"], catch_exceptions=False)


def test_sarif_output_is_valid_and_tags_each_rule_with_one_risk(tmp_path: Path) -> None:
    out = tmp_path / "report.sarif"
    result = _scan(str(VULNERABLE), "--format", "sarif", "--output", str(out), "--osv-db", str(OSV_DB))
    assert result.exit_code == 1
    doc = json.loads(out.read_text())
    jsonschema.validate(doc, SARIF_SUBSET)
    run = doc["runs"][0]
    for rule in run["tool"]["driver"]["rules"]:
        risks = [t for t in rule["properties"]["tags"] if t.startswith("risk:")]
        assert len(risks) == 1 and risks[0][5:] in RISKS, rule["id"]
    results = run["results"]
    assert results
    for res in results:
        uri = res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert not uri.startswith("/") and (VULNERABLE / uri).is_file(), uri
    injected = next(r for r in results if r["ruleId"] == "HG-INJ-004")
    assert injected["properties"]["function"] in ("processPayment", "ProcessPaymentFunction")
    assert injected["locations"][0]["physicalLocation"]["region"]["startLine"] == 15
    route = next(r for r in results if r["ruleId"] == "HG-AUTH-001")
    assert route["properties"]["resource"] in ("ApiGatewayRestApi", "OrdersApi")


def test_json_junit_markdown_and_terminal_formats(tmp_path: Path) -> None:
    data = json.loads(_scan(str(VULNERABLE), "--format", "json").stdout)
    assert data["summary"]["total"] == len(data["findings"]) > 50
    assert {"rule_id", "severity", "risk", "file", "line", "function", "fingerprint"} <= set(data["findings"][0])
    junit = ET.fromstring(_scan(str(VULNERABLE), "--format", "junit").stdout)  # noqa: S314 - our own output
    failures = junit.findall(".//failure")
    assert len(failures) == data["summary"]["total"]
    markdown = _scan(str(VULNERABLE), "--format", "markdown").stdout
    assert markdown.startswith("# hullguard scan") and "| HG-INJ-001 |" in markdown
    terminal = _scan(str(VULNERABLE)).stdout
    assert "orders / createOrder" in terminal and "HG-INJ-001" in terminal and "\x1b[" not in terminal


def test_fail_on_threshold_and_clean_exit() -> None:
    assert _scan(str(EXAMPLES / "fixed")).exit_code == 0
    critical_only = _scan(str(VULNERABLE), "--rules", "HG-DOS-004", "--fail-on", "high")
    assert critical_only.exit_code == 0  # DOS-004 findings are low
    assert _scan(str(VULNERABLE), "--rules", "HG-DOS-004", "--fail-on", "low").exit_code == 1


def test_bad_input_exits_2_with_a_message(tmp_path: Path) -> None:
    missing = _scan(str(tmp_path / "nope"))
    assert missing.exit_code == 2 and "does not exist" in missing.stderr
    empty = _scan(str(tmp_path))
    assert empty.exit_code == 2 and "nothing could be scanned" in empty.stderr
    (tmp_path / "template.yaml").write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources: [oops\n")
    broken = _scan(str(tmp_path))
    assert broken.exit_code == 2 and "template.yaml:" in broken.stderr
    assert _scan(str(VULNERABLE), "--format", "pdf").exit_code == 2
    assert _scan(str(VULNERABLE), "--fail-on", "severe").exit_code == 2
    assert _scan(str(VULNERABLE), "--rules", "HG-NOPE-1").exit_code == 2


def test_baseline_reports_only_new_findings(tmp_path: Path) -> None:
    project = tmp_path / "app"
    shutil.copytree(EXAMPLES / "fixed", project)
    baseline = tmp_path / "baseline.json"
    assert _scan(str(project), "--write-baseline", str(baseline)).exit_code == 0
    template = project / "template.yaml"
    template.write_text(template.read_text().replace("AuthType: AWS_IAM", "AuthType: NONE"))
    data = json.loads(_scan(str(project), "--format", "json", "--baseline", str(baseline)).stdout)
    assert [f["rule_id"] for f in data["findings"]] == ["HG-AUTH-002"]
    # once accepted into the baseline, it is no longer reported
    _scan(str(project), "--write-baseline", str(baseline))
    assert _scan(str(project), "--baseline", str(baseline)).exit_code == 0
    (tmp_path / "bad.json").write_text("{")
    assert _scan(str(project), "--baseline", str(tmp_path / "bad.json")).exit_code == 2


def test_inline_and_metadata_suppressions_need_a_reason(tmp_path: Path) -> None:
    project = tmp_path / "app"
    shutil.copytree(EXAMPLES / "fixed", project)
    template = project / "template.yaml"
    text = template.read_text().replace("AuthType: AWS_IAM", "AuthType: NONE")
    template.write_text(
        text.replace(
            "      FunctionUrlConfig:\n",
            "      # hullguard:ignore HG-AUTH-002 public thumbnails, signed URLs checked in code\n"
            "      FunctionUrlConfig:\n",
        )
    )
    data = json.loads(_scan(str(project), "--format", "json").stdout)
    assert data["findings"] == [] and data["summary"]["suppressed"] == 1
    template.write_text(
        text.replace("      FunctionUrlConfig:\n", "      # hullguard:ignore HG-AUTH-002\n      FunctionUrlConfig:\n")
    )
    result = _scan(str(project), "--format", "json")
    assert [f["rule_id"] for f in json.loads(result.stdout)["findings"]] == ["HG-AUTH-002"]
    assert "no reason" in result.stderr
    template.write_text(
        text.replace(
            "  ThumbnailFunction:\n    Type: AWS::Serverless::Function\n",
            "  ThumbnailFunction:\n    Type: AWS::Serverless::Function\n    Metadata:\n      hullguard:\n"
            "        suppress:\n          - id: HG-AUTH-002\n            reason: public by design, see ADR-12\n",
        )
    )
    data = json.loads(_scan(str(project), "--format", "json").stdout)
    assert data["findings"] == [] and data["summary"]["suppressed"] == 1


class _Collector(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[str, str, Any]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Collector.received.append((self.path, self.headers["Authorization"], body))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"ok": true}')

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def collector() -> Any:
    server = HTTPServer(("127.0.0.1", 0), _Collector)
    _Collector.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_upload_posts_posture_and_inventory(collector: str) -> None:
    result = _scan(str(EXAMPLES / "fixed"), "--upload", collector, "--api-key", "hg_test_key")
    assert result.exit_code == 0, result.stderr
    paths = [p for p, _, _ in _Collector.received]
    assert paths.count("/api/v1/posture") == 2 and paths[-1] == "/api/v1/inventory"
    assert all(auth == "Bearer hg_test_key" for _, auth, _ in _Collector.received)
    posture = _Collector.received[0][2]
    assert posture["source"] == "scan" and posture["findings"] == [] and posture["application"]
    functions = _Collector.received[-1][2]["functions"]
    assert len(functions) == 10
    assert set(functions[0]) == {
        "name",
        "version",
        "account",
        "region",
        "runtime",
        "protected",
        "application",
        "last_deployed",
    }
    assert functions[0]["version"] == "$LATEST" and functions[0]["protected"] is False


def test_upload_without_key_or_to_a_dead_console_exits_2() -> None:
    assert _scan(str(EXAMPLES / "fixed"), "--upload", "http://127.0.0.1:9").exit_code == 2
    dead = _scan(str(EXAMPLES / "fixed"), "--upload", "http://127.0.0.1:9", "--api-key", "k")
    assert dead.exit_code == 2 and "upload failed" in dead.stderr


def test_inventory_marks_functions_protected_by_wrapper_layer_or_decorator(tmp_path: Path) -> None:
    from hullguard.scanner.scan import inventory, scan

    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(
        "from hullguard import protect\n\n\n@protect\ndef handler(event, context):\n    return 1\n"
    )
    (tmp_path / "template.yaml").write_text("""\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Wrapped:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: hullguard.handler.handler, CodeUri: src}
  Layered:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.other
      CodeUri: src
      Layers: [arn:aws:lambda:us-east-1:123456789012:layer:hullguard:3]
  Decorated:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.handler, CodeUri: src}
  Bare:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.other, CodeUri: src}
""")
    report = scan(tmp_path, rules=[])
    protected = {f["name"]: f["protected"] for f in inventory(report)}
    assert protected == {"Wrapped": True, "Layered": True, "Decorated": True, "Bare": False}


def test_sarif_carries_unreadable_inputs_as_tool_notifications(tmp_path: Path) -> None:
    project = tmp_path / "app"
    shutil.copytree(EXAMPLES / "fixed", project)
    (project / "broken.yaml").write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources: [oops\n")
    out = tmp_path / "r.sarif"
    assert _scan(str(project), "--format", "sarif", "--output", str(out)).exit_code == 0
    notes = json.loads(out.read_text())["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert any(n["message"]["text"].startswith("broken.yaml:") for n in notes)
