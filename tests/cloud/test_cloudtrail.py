"""CloudTrail: sources, the DuckDB store, the detections, and the same SQL rendered for Athena."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from hullguard.cloud.cloudtrail.athena import AthenaRunner
from hullguard.cloud.cloudtrail.detect import analyse
from hullguard.cloud.cloudtrail.queries import DUCKDB, Dialect, all_queries
from hullguard.cloud.cloudtrail.sources import (
    TokenBucket,
    download_s3_logs,
    log_files,
    lookup_records,
    read_log_file,
)
from hullguard.cloud.cloudtrail.store import TrailStore
from hullguard.cloud.demo.trail import CI_ROLE, noise_records, story_records, write_log_files


@pytest.fixture
def trail_dir(tmp_path: Path) -> Path:
    write_log_files(tmp_path, story_records() + noise_records(3000), per_file=1000)
    return tmp_path


def analysed(root: Path, **kwargs: Any) -> tuple[TrailStore, Any]:
    store = TrailStore()
    store.load(log_files(root))
    return store, analyse(store.query, **kwargs)


def test_story_detections(trail_dir: Path) -> None:
    _, report = analysed(trail_dir, ci_roles=[CI_ROLE], expected_networks=["3.0.0.0/8"])
    by_rule: dict[str, list[Any]] = {}
    for finding in report.findings:
        by_rule.setdefault(finding.rule_id, []).append(finding)
    console = {(f.function, f.detail["evidence"].split()[0]) for f in by_rule["HG-TRAIL-001"]}
    assert console == {
        ("quick-fix-export", "sessionCredentialFromConsole"),
        ("billing-report", "userAgent"),
        ("orders-api", "sessionCredentialFromConsole"),
    }
    # The CI role's UpdateFunctionCode20150331v2 (and 60 noise deployments) are not out of band.
    assert sorted(f.function for f in by_rule["HG-TRAIL-002"]) == ["billing-report", "orders-api", "quick-fix-export"]
    stolen = by_rule["HG-TRAIL-003"]
    assert {f.detail["eventname"] for f in stolen} == {"ListBuckets", "GetCallerIdentity"}
    assert all(f.function == "orders-api" and f.detail["access_key"] == "ASIAFUNCEXAMPLE00042" for f in stolen)
    permissions = {(f.detail["eventname"], f.severity.value) for f in by_rule["HG-TRAIL-004"]}
    assert permissions == {("AddPermission20150331v2", "high"), ("AttachRolePolicy", "medium")}
    assert [f.detail["eventname"] for f in by_rule["HG-TRAIL-005"]] == ["StopLogging"]
    # The denied DeleteFunction is not a change.
    assert not any(f.detail.get("eventname", "").startswith("DeleteFunction") for f in report.findings)


def test_without_ci_roles_out_of_band_is_skipped_with_a_note(trail_dir: Path) -> None:
    _, report = analysed(trail_dir)
    assert not [f for f in report.findings if f.rule_id == "HG-TRAIL-002"]
    assert any("--ci-role" in note for note in report.notes)


def test_ci_role_given_by_name_matches_too(trail_dir: Path) -> None:
    _, report = analysed(trail_dir, ci_roles=["github-actions-deploy"])
    assert len([f for f in report.findings if f.rule_id == "HG-TRAIL-002"]) == 3


def test_normal_function_use_is_not_credential_theft(tmp_path: Path) -> None:
    write_log_files(tmp_path, noise_records(2000))
    _, report = analysed(tmp_path, expected_networks=["3.0.0.0/8"])
    assert not [f for f in report.findings if f.rule_id == "HG-TRAIL-003"]


def test_org_trail_duplicates_removed_and_bad_files_named(trail_dir: Path) -> None:
    write_log_files(trail_dir, story_records(), org_id="o-abcdefghij")  # same records via an organization trail
    bad = trail_dir / "AWSLogs" / "123456789012" / "CloudTrail" / "us-east-1" / "2024" / "05" / "03"
    bad.mkdir(parents=True)
    (bad / "truncated.json.gz").write_bytes(gzip.compress(b'{"Records": [')[:20])
    (bad / "not-cloudtrail.json").write_text('{"hello": 1}')
    digest = trail_dir / "AWSLogs" / "123456789012" / "CloudTrail-Digest" / "us-east-1" / "2024" / "05" / "02"
    digest.mkdir(parents=True)
    (digest / "digest.json.gz").write_bytes(gzip.compress(b'{"awsAccountId": "1"}'))
    store = TrailStore()
    count = store.load(log_files(trail_dir))
    assert count == len(story_records()) + 3000
    assert len(store.problems) == 2 and all("skipped" in p for p in store.problems)
    assert any("truncated.json.gz" in p for p in store.problems)


def test_read_log_file_rejects_what_is_not_cloudtrail() -> None:
    assert read_log_file(gzip.compress(json.dumps({"Records": [{"eventID": "1"}]}).encode())) == [{"eventID": "1"}]
    for bad in (b"\x1f\x8bnot gzip", b"{nope", b'{"Records": 3}'):
        with pytest.raises(ValueError):
            read_log_file(bad)


def test_every_query_runs_on_duckdb_and_renders_for_athena(trail_dir: Path) -> None:
    store = TrailStore()
    store.load(log_files(trail_dir))
    duck = all_queries(DUCKDB, [CI_ROLE])
    athena = all_queries(Dialect("athena", "cloudtrail_logs"), [CI_ROLE])
    assert duck.keys() == athena.keys()
    for name, sql in duck.items():
        store.query(sql)  # runs
        rendered = athena[name]
        assert 'FROM "cloudtrail_logs"' in rendered, name
        assert "json_extract_string" not in rendered
        if "json_extract_string" in sql:
            assert "json_extract_scalar" in rendered
        # Only the dialect differs: same text once the JSON function and table quoting are mapped.
        assert (
            rendered.replace("json_extract_scalar", "json_extract_string").replace(
                '"cloudtrail_logs"', "cloudtrail_logs"
            )
            == sql
        )


class FakeLookup:
    """LookupEvents as AWS answers it: Events with CloudTrailEvent JSON strings, NextToken paging."""

    def __init__(self, records: list[dict[str, Any]], page: int = 2) -> None:
        self.records = records
        self.page = page
        self.calls: list[dict[str, Any]] = []

    def lookup_events(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        name = kwargs.get("LookupAttributes", [{}])[0].get("AttributeValue")
        matching = [r for r in self.records if name is None or r["eventName"] == name]
        start = int(kwargs.get("NextToken", "0"))
        chunk = matching[start : start + self.page]
        answer: dict[str, Any] = {
            "Events": [
                {"EventId": r["eventID"], "EventName": r["eventName"], "CloudTrailEvent": json.dumps(r)} for r in chunk
            ]
        }
        if start + self.page < len(matching):
            answer["NextToken"] = str(start + self.page)
        return answer


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_lookup_pages_by_event_name_at_two_requests_per_second() -> None:
    records = story_records()
    client = FakeLookup([*records, dict(records[1], eventID="dup-2")])
    clock = FakeClock()
    bucket = TokenBucket(2.0, clock=clock.time, sleep=clock.sleep)
    got = list(
        lookup_records(client, ["CreateFunction20150331", "UpdateFunctionConfiguration20150331v2"], bucket=bucket)
    )
    assert sorted(r["eventName"] for r in got) == [
        "CreateFunction20150331",
        "CreateFunction20150331",
        "UpdateFunctionConfiguration20150331v2",
    ]
    assert len(client.calls) == 2
    # 2 requests: the first is free, the second waits half a second.
    assert clock.now == pytest.approx(0.5)
    many = FakeLookup(records, page=1)
    clock2 = FakeClock()
    list(lookup_records(many, None, bucket=TokenBucket(2.0, clock=clock2.time, sleep=clock2.sleep)))
    assert len(many.calls) == len(records)
    assert clock2.now == pytest.approx((len(records) - 1) / 2.0)


def test_s3_source_on_moto(moto_aws: boto3.Session, tmp_path: Path) -> None:
    s3 = moto_aws.client("s3")
    s3.create_bucket(Bucket="org-trail")
    local = tmp_path / "src"
    for path in write_log_files(local, story_records(), org_id="o-abcdefghij"):
        s3.upload_file(str(path), "org-trail", path.relative_to(local).as_posix())
    s3.put_object(Bucket="org-trail", Key="AWSLogs/o-abcdefghij/123456789012/CloudTrail-Digest/x.json.gz", Body=b"x")
    problems: list[str] = []
    paths = download_s3_logs(s3, "s3://org-trail/AWSLogs/", tmp_path / "dl", problems)
    assert len(paths) == 1 and not problems
    store = TrailStore()
    assert store.load(paths) == len(story_records())


def test_athena_runner_reads_paged_results() -> None:
    class FakeAthena:
        def __init__(self) -> None:
            self.sql = ""

        def start_query_execution(self, **kwargs: Any) -> dict[str, Any]:
            self.sql = kwargs["QueryString"]
            assert kwargs["QueryExecutionContext"] == {"Database": "security"}
            return {"QueryExecutionId": "q-1"}

        def get_query_execution(self, **kwargs: Any) -> dict[str, Any]:
            return {"QueryExecution": {"Status": {"State": "SUCCEEDED"}}}

        def get_paginator(self, name: str) -> Any:
            assert name == "get_query_results"
            header = {"Data": [{"VarCharValue": "eventname"}, {"VarCharValue": "lambda_agent"}]}
            row = {"Data": [{"VarCharValue": "ListBuckets"}, {"VarCharValue": "false"}]}
            info = {"ColumnInfo": [{"Name": "eventname"}, {"Name": "lambda_agent"}]}

            class Pages:
                def paginate(self, **kwargs: Any) -> list[dict[str, Any]]:
                    return [
                        {"ResultSet": {"ResultSetMetadata": info, "Rows": [header, row]}},
                        {"ResultSet": {"ResultSetMetadata": info, "Rows": [row]}},
                    ]

            return Pages()

    fake = FakeAthena()
    rows = AthenaRunner(fake, "security", "s3://results/").query("SELECT 1")
    assert rows == [{"eventname": "ListBuckets", "lambda_agent": False}] * 2


def test_audit_marks_console_functions_from_lookup_events() -> None:
    from hullguard.cloud.cloudtrail.console_lookup import CONSOLE_EVENT_NAMES, mark_console_functions
    from hullguard.cloud.coverage import Coverage
    from hullguard.cloud.session import Target

    from .test_account_rules import fn, live

    fake = FakeLookup(story_records(), page=1)

    class Session:
        region_name = "us-east-1"

        def client(self, service: str, **kwargs: Any) -> Any:
            assert service == "cloudtrail" and kwargs["region_name"] == "us-east-1"
            return fake

    region = live(fn("quick-fix-export"), fn("billing-report"), fn("orders-api"))
    clock = FakeClock()
    coverage = Coverage()
    mark_console_functions(
        Target("123456789012", Session()),
        region,
        coverage,  # type: ignore[arg-type]
        bucket=TokenBucket(2.0, clock=clock.time, sleep=clock.sleep),
    )
    asked = [c["LookupAttributes"][0]["AttributeValue"] for c in fake.calls]
    assert sorted(set(asked)) == sorted(CONSOLE_EVENT_NAMES)
    assert region.facts["quick-fix-export"].console_evidence[0].startswith("CreateFunction20150331 at ")
    assert "sessionCredentialFromConsole" in region.facts["quick-fix-export"].console_evidence[0]
    assert "userAgent Mozilla" in region.facts["billing-report"].console_evidence[0]
    assert region.facts["orders-api"].console_evidence == []  # CI deployment only (and AddPermission is not a deploy)
    assert not coverage.gaps
