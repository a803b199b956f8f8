"""`hullguard audit ...` end to end, against a moto server on a free 127.0.0.1 port (AWS_ENDPOINT_URL)."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import boto3
import pytest
import yaml
from typer.testing import CliRunner

from hullguard.cli.main import app
from hullguard.cloud.demo.account import seed_account, seed_metrics
from hullguard.cloud.demo.server import free_port
from hullguard.cloud.demo.trail import CI_ROLE, story_records, write_log_files

runner = CliRunner()


@pytest.fixture(scope="module")
def moto_server() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")
    endpoint = {"endpoint_url": url}
    seeded_session = _EndpointSession(session, endpoint)
    seeded = seed_account(seeded_session, filler=6)  # type: ignore[arg-type]
    seed_metrics(seeded_session, seeded, dt.datetime.now(dt.timezone.utc), days=4)  # type: ignore[arg-type]
    yield url
    server.stop()


class _EndpointSession:
    """A boto3 session whose clients all talk to the moto server (the module fixture runs before env patching)."""

    def __init__(self, session: boto3.Session, extra: dict[str, str]) -> None:
        self.session = session
        self.extra = extra
        self.region_name = session.region_name

    def client(self, service: str, **kwargs: Any) -> Any:
        return self.session.client(service, **{**self.extra, **kwargs})


@pytest.fixture
def endpoint(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    return moto_server


def test_help_works() -> None:
    result = runner.invoke(app, ["audit", "--help"])
    assert result.exit_code == 0 and "--organization" in result.output
    for sub in ("config-rules", "cloudtrail", "cloudwatch", "demo"):
        assert runner.invoke(app, ["audit", sub, "--help"]).exit_code == 0


def test_sarif_report_of_the_live_account(endpoint: str, tmp_path: Path) -> None:
    out = tmp_path / "audit.sarif"
    result = runner.invoke(
        app, ["audit", "--regions", "us-east-1,eu-west-1", "--no-cloudtrail", "--format", "sarif", "--output", str(out)]
    )
    assert result.exit_code == 1, result.output
    sarif = json.loads(out.read_text())
    run = sarif["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert [t for t in rules["HG-AUDIT-005"]["properties"]["tags"] if t.startswith("risk:")] == [
        "risk:ungoverned-assets"
    ]
    results = {(r["ruleId"], r["properties"].get("function")) for r in run["results"]}
    assert ("HG-AUDIT-005", "pdf-renderer") in results  # cross-account layer
    assert ("HG-AUTH-002", "orders-api") in results  # the scanner's own rule on the live model: URL auth NONE
    # Public resource policy: the scanner's HG-AUTH-003 when it reports it, else the account rule.
    assert {("HG-AUTH-003", "orders-api"), ("HG-AUDIT-006", "orders-api")} & results
    assert ("HG-IAM-012", "orders-worker") in results  # shared role, stated once (scanner id)
    assert ("HG-AUDIT-002", "orders-worker") not in results
    assert ("HG-CFG-005", "orders-api") in results  # several trigger types
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert any("ListCodeSigningConfigs" in n["message"]["text"] for n in notes)


def test_json_report_has_inventory_and_coverage(endpoint: str, tmp_path: Path) -> None:
    out = tmp_path / "audit.json"
    result = runner.invoke(
        app,
        ["audit", "--regions", "us-east-1", "--regions", "ap-east-1", "--no-cloudtrail", "-f", "json", "-o", str(out)],
    )
    assert result.exit_code == 1, result.output
    document = json.loads(out.read_text())
    inventory = {f["name"]: f for f in document["inventory"]}
    assert inventory["payments"]["protected"] is True
    assert any(
        p.startswith("layer arn:aws:lambda:us-east-1:123456789012:layer:hullguard-python")
        for p in inventory["payments"]["protection"]
    )
    assert inventory["orders-api"]["url"]["auth_type"] == "NONE"
    assert {t["kind"] for t in inventory["orders-api"]["triggers"]} >= {"function-url", "rest-api", "s3", "direct"}
    assert inventory["orders-worker"]["reserved_concurrency"] == 5
    assert inventory["orders-api"]["environment_names"] == ["STAGE", "TABLE"]
    assert inventory["pdf-renderer"]["layers"][0]["account"] == "999988887777"
    gaps = document["coverage"]["gaps"]
    assert {
        "account": "123456789012",
        "region": "ap-east-1",
        "scope": "region",
        "reason": "region-disabled",
        "message": "opt-in region not enabled in this account",
    } in gaps
    assert document["coverage"]["regions"] == ["us-east-1"]


def test_nothing_reachable_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    result = runner.invoke(app, ["audit", "--regions", "us-east-1"])
    assert result.exit_code == 2
    assert "cannot use the AWS credentials" in result.output
    assert "Traceback" not in result.output


def test_bad_options_exit_2() -> None:
    assert runner.invoke(app, ["audit", "--format", "xml"]).exit_code == 2
    assert runner.invoke(app, ["audit", "--role-arn", "arn:aws:s3:::nope", "--regions", "us-east-1"]).exit_code == 2
    assert runner.invoke(app, ["audit", "--upload", "http://127.0.0.1:1", "--regions", "us-east-1"]).exit_code == 2


class _Capture(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[str, str, Any]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Capture.received.append((self.path, self.headers["Authorization"], body))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"accepted": true}')

    def log_message(self, *args: Any) -> None:
        pass


def test_upload_sends_inventory_and_posture(endpoint: str, tmp_path: Path) -> None:
    server = HTTPServer(("127.0.0.1", 0), _Capture)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        result = runner.invoke(
            app,
            [
                "audit",
                "--regions",
                "us-east-1",
                "--no-cloudtrail",
                "-f",
                "json",
                "-o",
                str(tmp_path / "r.json"),
                "--upload",
                url,
                "--api-key",
                "k-123",
            ],
        )
    finally:
        server.shutdown()
    assert result.exit_code == 1, result.output
    from hullguard.console.ingest import validate_inventory, validate_posture
    from hullguard.console.settings import Limits

    paths = [(p, auth) for p, auth, _ in _Capture.received]
    assert paths[0] == ("/api/v1/inventory", "Bearer k-123")
    assert paths[1:] == [("/api/v1/posture", "Bearer k-123")]  # one scan: one account-region audited
    inventory, posture = _Capture.received[0][2], _Capture.received[1][2]
    # What we send is what the console's own validators accept.
    source, rows = validate_inventory(inventory, Limits())
    assert source == "audit" and any(r["name"] == "orders-api" and r["arn"].endswith(":orders-api") for r in rows)
    assert next(r for r in rows if r["name"] == "payments")["protected"] is True
    application, source, findings = validate_posture(posture, Limits())
    assert application == "aws://123456789012/us-east-1" and source == "audit" and findings


def test_console_deployments_from_local_trail(endpoint: str, tmp_path: Path) -> None:
    write_log_files(tmp_path / "trail", story_records())
    out = tmp_path / "r.json"
    result = runner.invoke(
        app,
        ["audit", "--regions", "us-east-1", "--cloudtrail-dir", str(tmp_path / "trail"), "-f", "json", "-o", str(out)],
    )
    assert result.exit_code == 1, result.output
    console = {f["function"] for f in json.loads(out.read_text())["findings"] if f["rule_id"] == "HG-AUDIT-001"}
    assert console == {"quick-fix-export", "billing-report", "orders-api"}


def test_cloudwatch_command(endpoint: str, tmp_path: Path) -> None:
    out = tmp_path / "w.json"
    result = runner.invoke(
        app, ["audit", "cloudwatch", "--regions", "us-east-1", "--days", "4", "-f", "json", "-o", str(out)]
    )
    assert result.exit_code == 1, result.output
    document = json.loads(out.read_text())
    found = {(f["rule_id"], f["function"]) for f in document["findings"]}
    assert ("HG-WATCH-005", "orders-api") in found and ("HG-WATCH-002", "orders-worker") in found
    assert document["cost"]["total_usd"] > 0


def test_config_rules_template_command() -> None:
    result = runner.invoke(app, ["audit", "config-rules", "--template"])
    assert result.exit_code == 0
    template = yaml.safe_load(result.output)
    assert template["Transform"] == "AWS::Serverless-2016-10-31"
    listing = runner.invoke(app, ["audit", "config-rules"])
    assert "lambda-function-public-access-prohibited" in listing.output and "hullguard-audit-002" in listing.output
    assert runner.invoke(app, ["audit", "config-rules", "--frequency", "Weekly"]).exit_code == 2


def test_cloudtrail_command(tmp_path: Path) -> None:
    write_log_files(tmp_path, story_records())
    out = tmp_path / "ct.sarif"
    result = runner.invoke(
        app, ["audit", "cloudtrail", "--dir", str(tmp_path), "--ci-role", CI_ROLE, "--format", "sarif", "-o", str(out)]
    )
    assert result.exit_code == 1, result.output
    ids = {r["ruleId"] for r in json.loads(out.read_text())["runs"][0]["results"]}
    assert ids == {"HG-TRAIL-001", "HG-TRAIL-002", "HG-TRAIL-003", "HG-TRAIL-004", "HG-TRAIL-005"}
    sql = runner.invoke(app, ["audit", "cloudtrail", "--print-sql", "--engine", "athena"])
    assert sql.exit_code == 0 and "json_extract_scalar" in sql.output
    ddl = runner.invoke(app, ["audit", "cloudtrail", "--athena-ddl", "s3://trail/AWSLogs/"])
    assert "CREATE EXTERNAL TABLE" in ddl.output and "sessioncredentialfromconsole" in ddl.output


def test_cloudtrail_bad_input(tmp_path: Path) -> None:
    assert runner.invoke(app, ["audit", "cloudtrail", "--dir", str(tmp_path / "missing")]).exit_code == 2
    assert runner.invoke(app, ["audit", "cloudtrail", "--dir", str(tmp_path)]).exit_code == 2  # no log files
    assert runner.invoke(app, ["audit", "cloudtrail", "--engine", "bigquery", "--dir", str(tmp_path)]).exit_code == 2
    assert runner.invoke(app, ["audit", "cloudtrail"]).exit_code == 2
    assert runner.invoke(app, ["audit", "cloudtrail", "--s3", "http://x"]).exit_code == 2


def test_cloudtrail_on_athena_runs_every_query(moto_aws: boto3.Session) -> None:
    """moto's Athena answers every query with an empty result: the Athena path runs end to end, clean."""
    result = runner.invoke(
        app,
        [
            "audit",
            "cloudtrail",
            "--engine",
            "athena",
            "--athena-database",
            "security",
            "--athena-output",
            "s3://athena-results/",
            "--ci-role",
            CI_ROLE,
            "-f",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["findings"] == [] and document["cloudtrail"]["engine"] == "athena"
    assert runner.invoke(app, ["audit", "cloudtrail", "--engine", "athena", "--dir", "."]).exit_code == 2
    assert runner.invoke(app, ["audit", "cloudtrail", "--engine", "athena", "--athena-table", "x;drop"]).exit_code == 2


def test_unassumable_role_is_named_and_exit_2(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from botocore.exceptions import ClientError

    from hullguard.cloud import session as session_mod

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise ClientError(
            {"Error": {"Code": "AccessDenied", "Message": "not authorized to perform: sts:AssumeRole"}}, "AssumeRole"
        )

    monkeypatch.setattr(session_mod, "assume", refuse)
    result = runner.invoke(
        app,
        [
            "audit",
            "--role-arn",
            "arn:aws:iam::210987654321:role/HullguardAuditRole",
            "--regions",
            "us-east-1",
            "--no-cloudtrail",
            "-f",
            "json",
        ],
    )
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    (gap,) = document["coverage"]["gaps"]
    assert (gap["account"], gap["reason"]) == ("210987654321", "assume-failed")
    assert "nothing could be audited" in result.stderr
