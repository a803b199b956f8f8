"""Collectors on moto: a live account becomes the shared application model."""

from __future__ import annotations

import json
from typing import Any

import boto3
from botocore.exceptions import ClientError

from hullguard.cloud.collectors.iam import IamCollector
from hullguard.cloud.collectors.lambda_ import LambdaCollector
from hullguard.cloud.collectors.runner import collect
from hullguard.cloud.coverage import Coverage
from hullguard.cloud.session import Target, enabled_regions

from .conftest import make_function, make_role


def _collect(target: Target, coverage: Coverage, region: str = "us-east-1") -> Any:
    return LambdaCollector(target, region, IamCollector(target, coverage), coverage).collect()


def test_function_becomes_model_with_triggers_url_concurrency_and_protection(
    moto_aws: boto3.Session, target: Target, coverage: Coverage
) -> None:
    role = make_role(moto_aws, "api-role", [{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}])
    make_function(
        moto_aws,
        "api",
        role,
        Environment={"Variables": {"HULLGUARD_MODE": "block", "TABLE": "t"}},
        Tags={"team": "orders"},
        Timeout=20,
        MemorySize=512,
    )
    lam = moto_aws.client("lambda")
    lam.create_function_url_config(FunctionName="api", AuthType="NONE")
    lam.add_permission(
        FunctionName="api",
        StatementId="s3",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
        SourceArn="arn:aws:s3:::uploads",
        SourceAccount="123456789012",
    )
    lam.add_permission(
        FunctionName="api", StatementId="other", Action="lambda:InvokeFunction", Principal="210987654321"
    )
    lam.put_function_concurrency(FunctionName="api", ReservedConcurrentExecutions=7)
    sqs = moto_aws.client("sqs")
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    lam.create_event_source_mapping(EventSourceArn=queue_arn, FunctionName="api", BatchSize=5)

    live = _collect(target, coverage)
    fn = live.app.function("api")
    assert fn is not None
    assert live.app.format == "live" and live.app.root == "aws://123456789012/us-east-1"
    assert (fn.runtime, fn.timeout, fn.memory, fn.reserved_concurrency) == ("python3.12", 20, 512, 7)
    assert fn.url is not None and fn.url.auth_type == "NONE"
    kinds = {t.kind: t for t in fn.triggers}
    assert set(kinds) == {"s3", "direct", "sqs"}
    assert kinds["s3"].source_arn == "arn:aws:s3:::uploads"
    assert kinds["sqs"].source_arn == queue_arn and kinds["sqs"].batch_size == 5
    assert {str(p.principal) for p in fn.permissions} == {"s3.amazonaws.com", "210987654321"}
    assert fn.tags == {"team": "orders"}
    assert fn.protected is True and live.facts["api"].protection_signals == ["environment HULLGUARD_MODE"]
    assert fn.role is not None and fn.role.arn == role
    assert [s.actions for s in fn.role.statements()] == [["dynamodb:*"]]


def test_unprotected_function_and_shared_role_object(
    moto_aws: boto3.Session, target: Target, coverage: Coverage
) -> None:
    role = make_role(moto_aws, "shared", [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}])
    make_function(moto_aws, "a", role)
    make_function(moto_aws, "b", role)
    live = _collect(target, coverage)
    a, b = live.app.function("a"), live.app.function("b")
    assert a is not None and b is not None
    assert a.protected is False
    assert a.role is b.role  # one Role object per ARN: rules see the role as shared
    assert len(live.app.roles) == 1


def test_managed_policy_documents_are_read(moto_aws: boto3.Session, target: Target, coverage: Coverage) -> None:
    iam = moto_aws.client("iam")
    role = make_role(moto_aws, "r", [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}])
    policy = iam.create_policy(
        PolicyName="wide",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}
        ),
    )
    iam.attach_role_policy(RoleName="r", PolicyArn=policy["Policy"]["Arn"])
    make_function(moto_aws, "f", role)
    fn = _collect(target, coverage).app.function("f")
    assert fn is not None and fn.role is not None
    managed = [p for p in fn.role.policies if p.managed_arn]
    assert managed[0].statements[0].not_actions == ["iam:*"]


class _DeniedLambda:
    """A Lambda client whose GetPolicy is denied, everything else passing through."""

    def __init__(self, real: Any) -> None:
        self.real = real

    def get_policy(self, **kwargs: Any) -> Any:
        raise ClientError(
            {
                "Error": {"Code": "AccessDeniedException", "Message": "not authorized"},
                "ResponseMetadata": {"HTTPStatusCode": 403},
            },
            "GetPolicy",
        )

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


class _DenyingTarget(Target):
    def client(self, service: str, region: str | None = None) -> Any:
        real = super().client(service, region)
        return _DeniedLambda(real) if service == "lambda" else real


def test_access_denied_on_one_call_is_a_gap_not_a_crash(moto_aws: boto3.Session, coverage: Coverage) -> None:
    role = make_role(moto_aws, "r", [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}])
    make_function(moto_aws, "f", role)
    live = _collect(_DenyingTarget("123456789012", moto_aws), coverage)
    assert live.app.function("f") is not None
    denied = [g for g in coverage.gaps if g.scope == "lambda:GetPolicy f"]
    assert denied and denied[0].reason == "access-denied"


def test_opt_in_region_not_enabled_is_skipped_with_a_gap(target: Target, coverage: Coverage) -> None:
    regions = enabled_regions(target, coverage, ["us-east-1", "ap-east-1", "xx-nowhere-1"])
    assert regions == ["us-east-1"]
    reasons = {(g.region, g.reason) for g in coverage.gaps}
    assert ("ap-east-1", "region-disabled") in reasons and ("xx-nowhere-1", "region-disabled") in reasons


def test_default_regions_are_the_enabled_ones(target: Target, coverage: Coverage) -> None:
    regions = enabled_regions(target, coverage)
    assert "us-east-1" in regions and "eu-west-1" in regions
    assert "ap-east-1" not in regions  # opt-in region


def test_collect_runs_regions_in_parallel_and_sorts(
    moto_aws: boto3.Session, target: Target, coverage: Coverage
) -> None:
    role = make_role(moto_aws, "r", [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}])
    make_function(moto_aws, "east", role)
    make_function(moto_aws, "west", role, region="eu-west-1")
    seen: list[str] = []
    regions = collect([target], coverage, ["eu-west-1", "us-east-1"], progress=lambda label, d, t: seen.append(label))
    assert [(r.region, [f.name for f in r.app.functions]) for r in regions] == [
        ("eu-west-1", ["west"]),
        ("us-east-1", ["east"]),
    ]
    assert "123456789012/eu-west-1" in seen
