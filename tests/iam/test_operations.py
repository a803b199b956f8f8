"""SDK operation -> IAM action mapping, including every documented exception."""

from __future__ import annotations

import pytest

from hullguard.iam.operations import ActionNeed, catalog


@pytest.mark.parametrize(
    ("service", "method", "actions"),
    [
        ("s3", "list_objects_v2", ["s3:ListBucket"]),
        ("s3", "list_objects", ["s3:ListBucket"]),
        ("s3", "head_object", ["s3:GetObject"]),
        ("s3", "head_bucket", ["s3:ListBucket"]),
        ("s3", "create_multipart_upload", ["s3:PutObject"]),
        ("s3", "upload_part", ["s3:PutObject"]),
        ("s3", "complete_multipart_upload", ["s3:PutObject"]),
        ("s3", "abort_multipart_upload", ["s3:AbortMultipartUpload"]),
        ("s3", "delete_objects", ["s3:DeleteObject"]),
        ("s3", "list_buckets", ["s3:ListAllMyBuckets"]),
        ("sqs", "send_message_batch", ["sqs:SendMessage"]),
        ("sqs", "delete_message_batch", ["sqs:DeleteMessage"]),
        ("sqs", "change_message_visibility_batch", ["sqs:ChangeMessageVisibility"]),
        ("sns", "publish_batch", ["sns:Publish"]),
        ("lambda", "invoke", ["lambda:InvokeFunction"]),
        ("dynamodb", "transact_get_items", ["dynamodb:GetItem"]),
        ("stepfunctions", "start_execution", ["states:StartExecution"]),
        ("sesv2", "send_email", ["ses:SendEmail"]),
        ("apigatewaymanagementapi", "post_to_connection", ["execute-api:ManageConnections"]),
        ("iot-data", "publish", ["iot:Publish"]),
        ("dynamodbstreams", "get_records", ["dynamodb:GetRecords"]),
        ("cloudwatch", "put_metric_data", ["cloudwatch:PutMetricData"]),
        ("bedrock-runtime", "converse", ["bedrock:InvokeModel"]),
        ("dynamodb", "put_item", ["dynamodb:PutItem"]),
        ("sts", "get_caller_identity", []),
    ],
)
def test_operation_to_actions(service: str, method: str, actions: list[str]) -> None:
    services = catalog()
    operation = services.operation(service, method)
    assert operation is not None
    assert [n.action for n in services.needs(service, operation)] == actions


def test_copy_object_needs_source_read_and_target_write() -> None:
    assert catalog().needs("s3", "CopyObject") == [ActionNeed("s3:PutObject"), ActionNeed("s3:GetObject", "source")]


def test_node_method_names_map_too() -> None:
    assert catalog().operation("s3", "listObjectsV2") == "ListObjectsV2"
    assert catalog().operation("dynamodb", "batchWriteItem") == "BatchWriteItem"


@pytest.mark.parametrize(
    ("sdk_name", "service"),
    [("sfn", "stepfunctions"), ("cloudwatch-logs", "logs"), ("secrets-manager", "secretsmanager"),
     ("CognitoIdentityServiceProvider", "cognito-idp"), ("eventbridge", "events"), ("DynamoDB", "dynamodb"),
     ("iot-data-plane", "iot-data"), ("SageMakerRuntime", "sagemaker-runtime")],
)
def test_sdk_names(sdk_name: str, service: str) -> None:
    assert catalog().service_for_sdk_name(sdk_name) == service


def test_every_exception_names_a_real_action() -> None:
    import json
    from importlib import resources

    data = json.loads((resources.files("hullguard.iam") / "data" / "operation_actions.json").read_text())
    services = catalog()
    for service, operations in data["operations"].items():
        for operation, actions in operations.items():
            assert services.operation(service, operation) == operation, f"{service}.{operation} is not an operation"
            for entry in actions:
                assert services.is_known_action(entry.rpartition("=")[2]), entry


def test_waiter_operations() -> None:
    assert catalog().waiter_operation("s3", "object_exists") == "HeadObject"
    assert catalog().waiter_operation("dynamodb", "table_exists") == "DescribeTable"
