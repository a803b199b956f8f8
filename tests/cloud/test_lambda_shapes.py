"""The Lambda collector on API answers written from AWS's documented shapes, for what moto lacks
(container images, DLQ settings, destinations, code signing, VPC, arm64, foreign layers).
botocore's Stubber validates every request and answer against the real Lambda API model."""

from __future__ import annotations

import datetime as dt
from typing import Any

import boto3
from botocore.stub import Stubber

from hullguard.cloud.collectors.lambda_ import LambdaCollector
from hullguard.cloud.coverage import Coverage
from hullguard.cloud.rules import evaluate_live
from hullguard.cloud.session import Target
from hullguard.model.app import Role

ARN = "arn:aws:lambda:us-east-1:123456789012:function:img"
ROLE = "arn:aws:iam::123456789012:role/img-role"
LAYER = "arn:aws:lambda:us-east-1:999988887777:layer:fast-json:3"
CSC = "arn:aws:lambda:us-east-1:123456789012:code-signing-config:csc-0123456789abcdef0"
WHEN = dt.datetime(2024, 1, 2, tzinfo=dt.timezone.utc)

CONFIGURATION: dict[str, Any] = {
    "FunctionName": "img",
    "FunctionArn": ARN,
    "Role": ROLE,
    "CodeSize": 0,
    "Timeout": 30,
    "MemorySize": 1024,
    "LastModified": "2024-01-02T03:04:05.000+0000",
    "PackageType": "Image",
    "Architectures": ["arm64"],
    "DeadLetterConfig": {"TargetArn": "arn:aws:sqs:us-east-1:123456789012:img-dlq"},
    "TracingConfig": {"Mode": "Active"},
    "VpcConfig": {"SubnetIds": ["subnet-0a1b"], "SecurityGroupIds": ["sg-0c2d"], "VpcId": "vpc-0e3f"},
    "Layers": [{"Arn": LAYER, "CodeSize": 2048}],
    "Environment": {"Variables": {"AWS_LAMBDA_EXEC_WRAPPER": "/opt/hullguard-wrapper", "DB_HOST": "db"}},
    "KMSKeyArn": "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "State": "Active",
}


class _Iam:
    def role(self, arn: str) -> Role:
        return Role(logical_id="img-role", name="img-role", arn=arn)


class _StubTarget(Target):
    def __init__(self, client: Any) -> None:
        super().__init__("123456789012", boto3.Session(region_name="us-east-1"))
        self.stubbed = client

    def client(self, service: str, region: str | None = None) -> Any:
        assert service == "lambda"
        return self.stubbed


def test_documented_answers_become_the_model() -> None:
    client = boto3.client("lambda", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    stub = Stubber(client)
    stub.add_response("list_functions", {"Functions": [CONFIGURATION]}, {})
    stub.add_response(
        "list_event_source_mappings",
        {
            "EventSourceMappings": [
                {
                    "UUID": "a1b2c3d4-5678-90ab-cdef-11111EXAMPLE",
                    "BatchSize": 100,
                    "FunctionArn": ARN,
                    "State": "Enabled",
                    "EventSourceArn": "arn:aws:kinesis:us-east-1:123456789012:stream/clicks",
                    "FunctionResponseTypes": ["ReportBatchItemFailures"],
                    "DestinationConfig": {
                        "OnFailure": {"Destination": "arn:aws:sqs:us-east-1:123456789012:clicks-failed"}
                    },
                }
            ]
        },
        {},
    )
    stub.add_response(
        "list_code_signing_configs",
        {
            "CodeSigningConfigs": [
                {
                    "CodeSigningConfigId": "csc-0123456789abcdef0",
                    "CodeSigningConfigArn": CSC,
                    "AllowedPublishers": {
                        "SigningProfileVersionArns": [
                            "arn:aws:signer:us-east-1:123456789012:/signing-profiles/ci/abcdef1234"
                        ]
                    },
                    "CodeSigningPolicies": {"UntrustedArtifactOnDeployment": "Enforce"},
                    "LastModified": "2024-01-01T00:00:00Z",
                }
            ]
        },
        {},
    )
    stub.add_response("list_functions_by_code_signing_config", {"FunctionArns": [ARN]}, {"CodeSigningConfigArn": CSC})
    stub.add_response(
        "get_function",
        {
            "Configuration": CONFIGURATION,
            "Tags": {"application": "images"},
            "Concurrency": {"ReservedConcurrentExecutions": 3},
        },
        {"FunctionName": "img"},
    )
    stub.add_client_error(
        "get_policy",
        "ResourceNotFoundException",
        "No policy is found for: img",
        http_status_code=404,
        expected_params={"FunctionName": "img"},
    )
    stub.add_response(
        "get_function_url_config",
        {
            "FunctionUrl": "https://abcdefghij.lambda-url.us-east-1.on.aws/",
            "FunctionArn": ARN,
            "AuthType": "AWS_IAM",
            "CreationTime": "2024-01-02T03:04:05Z",
            "LastModifiedTime": "2024-01-02T03:04:05Z",
        },
        {"FunctionName": "img"},
    )
    stub.add_response(
        "get_function_event_invoke_config",
        {
            "FunctionArn": ARN,
            "MaximumRetryAttempts": 1,
            "LastModified": WHEN,
            "DestinationConfig": {"OnFailure": {"Destination": "arn:aws:sns:us-east-1:123456789012:img-failures"}},
        },
        {"FunctionName": "img"},
    )
    coverage = Coverage()
    with stub:
        live = LambdaCollector(_StubTarget(client), "us-east-1", _Iam(), coverage, workers=1).collect()  # type: ignore[arg-type]
        stub.assert_no_pending_responses()
    fn = live.app.function("img")
    assert fn is not None and not coverage.gaps
    assert (fn.runtime, fn.architecture, fn.memory, fn.reserved_concurrency) == ("container-image", "arm64", 1024, 3)
    assert fn.dlq == "arn:aws:sqs:us-east-1:123456789012:img-dlq"
    assert fn.destinations == {"on_failure": "arn:aws:sns:us-east-1:123456789012:img-failures"}
    assert fn.code_signing == CSC and fn.tracing is True
    assert fn.vpc == {"vpc_id": "vpc-0e3f", "subnets": ["subnet-0a1b"], "security_groups": ["sg-0c2d"]}
    assert fn.url is not None and fn.url.auth_type == "AWS_IAM"
    (stream,) = fn.triggers
    assert (stream.kind, stream.on_failure, stream.report_batch_item_failures) == (
        "kinesis",
        "arn:aws:sqs:us-east-1:123456789012:clicks-failed",
        True,
    )
    assert fn.protected is True and live.facts["img"].protection_signals == [
        "AWS_LAMBDA_EXEC_WRAPPER=/opt/hullguard-wrapper"
    ]
    assert live.facts["img"].layer_accounts == ["999988887777"] and live.facts["img"].package_type == "Image"
    assert {f.rule_id for f in evaluate_live([live])} == {"HG-AUDIT-005"}  # only the stranger's layer
