"""The policy analyser on real policy documents (tests/iam/policies/)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hullguard.events.schema import Severity
from hullguard.iam.analyzer import (
    KINDS,
    PolicyIssue,
    analyze_policies,
    analyze_statements,
    escalation_methods,
    summarize,
)
from hullguard.iam.dataset import load_dataset
from hullguard.model.app import Policy, Statement

POLICIES = Path(__file__).parent / "policies"


def statements(name: str) -> list[Statement]:
    doc = json.loads((POLICIES / name).read_text())
    return [Statement.from_json(s) for s in doc["Statement"]]


def kinds(issues: list[PolicyIssue]) -> set[str]:
    return {i.kind for i in issues}


def of_kind(issues: list[PolicyIssue], kind: str) -> list[PolicyIssue]:
    return [i for i in issues if i.kind == kind]


def test_least_privilege_policy_is_clean() -> None:
    assert analyze_statements(statements("least_privilege.json")) == []


def test_admin_policy() -> None:
    issues = analyze_statements(statements("admin.json"))
    assert {"wildcard-action", "wildcard-resource", "privilege-escalation", "data-exfiltration",
            "credential-exposure", "resource-exposure", "infrastructure-modification"} <= kinds(issues)
    assert of_kind(issues, "wildcard-action")[0].severity is Severity.CRITICAL
    privesc = of_kind(issues, "privilege-escalation")[0]
    assert privesc.severity is Severity.CRITICAL
    # every published method is reachable with "*"
    assert set(privesc.methods) == {m.id for m in escalation_methods()}


def test_passrole_lambda_escalation_across_statements() -> None:
    issues = analyze_statements(statements("lambda_passrole_escalation.json"))
    privesc = of_kind(issues, "privilege-escalation")
    assert len(privesc) == 1
    assert "passrole-lambda-create-invoke" in privesc[0].methods
    # PassRole is limited to one role, so HIGH rather than CRITICAL
    assert privesc[0].severity is Severity.HIGH
    assert {"iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"} <= set(privesc[0].actions)


def test_explicit_deny_removes_escalation() -> None:
    issues = analyze_statements(statements("deny_overrides.json"))
    methods = {m for i in of_kind(issues, "privilege-escalation") for m in i.methods}
    assert "passrole-lambda-create-invoke" not in methods
    assert "lambda-update-function-code" not in methods


def test_service_wildcard_counts_expanded_actions() -> None:
    issues = analyze_statements(statements("s3_full_on_star.json"))
    service = of_kind(issues, "service-wildcard")
    assert len(service) == 1 and service[0].actions == ["s3:*"]
    expected = len(load_dataset().expand("s3:*"))
    assert f"({expected} actions)" in service[0].message
    assert "s3:GetObject" in of_kind(issues, "data-exfiltration")[0].actions
    assert "s3:PutBucketPolicy" in of_kind(issues, "resource-exposure")[0].actions


def test_data_exfiltration_on_star() -> None:
    issues = analyze_statements(statements("secrets_reader.json"))
    exfil = of_kind(issues, "data-exfiltration")
    assert exfil[0].actions == ["dynamodb:Scan", "secretsmanager:GetSecretValue", "ssm:GetParametersByPath"]
    assert exfil[0].severity is Severity.HIGH


def test_data_read_on_one_resource_is_not_exfiltration() -> None:
    assert of_kind(analyze_statements(statements("least_privilege.json")), "data-exfiltration") == []


def test_not_action_and_not_resource() -> None:
    issues = analyze_statements(statements("not_action.json"))
    assert of_kind(issues, "not-action-allow")[0].actions == ["iam:*", "organizations:*"]
    assert of_kind(issues, "not-resource-allow")[0].resources == ["arn:aws:s3:::audit-logs/*"]
    # NotAction iam:* still lets it escalate through Lambda
    assert "lambda-update-function-code" in of_kind(issues, "privilege-escalation")[0].methods


def test_unknown_actions_and_malformed_arns() -> None:
    issues = analyze_statements(statements("typos_and_bad_arns.json"))
    assert of_kind(issues, "unknown-action")[0].actions == ["s3:GetObjects", "dynamo:GetItem"]
    bad = sorted(r for i in of_kind(issues, "malformed-arn") for r in i.resources)
    assert bad == ["arn:aws:sqs:us-east-1:1234:orders", "my-queue"]


def test_resource_exposure_severity_depends_on_scope() -> None:
    issues = of_kind(analyze_statements(statements("exposure.json")), "resource-exposure")
    by_severity = {i.severity: set(i.actions) for i in issues}
    assert by_severity[Severity.HIGH] == {"lambda:AddPermission", "s3:PutBucketPolicy", "sqs:SetQueueAttributes"}
    assert by_severity[Severity.MEDIUM] == {"sns:AddPermission"}


def test_credential_exposure() -> None:
    issues = of_kind(analyze_statements(statements("credentials.json")), "credential-exposure")
    assert issues[0].actions == ["ecr:GetAuthorizationToken", "iam:CreateAccessKey"]


def test_assume_role_wildcard_only_escalates_on_star() -> None:
    wild = of_kind(analyze_statements(statements("assume_any_role.json")), "privilege-escalation")
    assert wild and "sts-assume-role" in wild[0].methods
    assert of_kind(analyze_statements(statements("assume_one_role.json")), "privilege-escalation") == []


@pytest.mark.parametrize(
    ("arn", "severity"),
    [
        ("arn:aws:iam::aws:policy/AdministratorAccess", Severity.CRITICAL),
        ("arn:aws:iam::aws:policy/PowerUserAccess", Severity.HIGH),
        ("arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess", Severity.HIGH),
        ("arn:aws:iam::aws:policy/IAMFullAccess", Severity.CRITICAL),
        ("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", None),
    ],
)
def test_admin_managed_policy(arn: str, severity: Severity | None) -> None:
    issues = of_kind(analyze_policies([Policy(name=arn.rsplit("/", 1)[-1], managed_arn=arn)]), "admin-managed-policy")
    assert [i.severity for i in issues] == ([severity] if severity else [])


def test_summary_counts_by_access_level() -> None:
    summary = summarize(statements("s3_full_on_star.json"))
    assert sum(summary.by_access_level.values()) == len(summary.actions) == len(load_dataset().expand("s3:*"))
    assert set(summary.by_access_level) <= {"List", "Read", "Write", "Permissions management", "Tagging"}


def test_every_kind_is_documented_and_data_actions_exist() -> None:
    dataset = load_dataset()
    for method in escalation_methods():
        for action in method.actions:
            assert dataset.action(action), f"{method.id}: {action} not in the IAM dataset"
    risky = json.loads((Path(__file__).parents[2] / "src/hullguard/iam/data/risky_actions.json").read_text())
    for action in [*risky["data_exfiltration"], *risky["credential_exposure"], *risky["platform_wildcard"]["actions"]]:
        assert dataset.action(action), action
    assert len(KINDS) == 13


def test_generated_policies_are_clean() -> None:
    """What gen-roles writes must pass its own analyser: references stand for whole ARNs."""
    statements_ = [Statement.from_json(s) for s in [
        {"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": ["${EventsQueue.Arn}"]},
        {"Effect": "Allow", "Action": ["dynamodb:PutItem"], "Resource": ["${aws_dynamodb_table.orders.arn}"]},
        {"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": ["arn:${AWS::Partition}:s3:::${Bucket}/in/*"]},
        {"Effect": "Allow", "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "Resource": ["*"]},
    ]]
    assert analyze_statements(statements_) == []
