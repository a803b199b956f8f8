"""What the Lambda platform needs from a function's role, whatever its code does.

- its own log group (``logs:CreateLogStream``/``PutLogEvents``, plus ``CreateLogGroup`` unless the
  framework creates the group, as the Serverless Framework does);
- VPC network interfaces when the function runs in a VPC (the actions of AWS's
  ``AWSLambdaVPCAccessExecutionRole``, which cannot be scoped to a resource);
- X-Ray when active tracing is on;
- reading its pollers' event sources (SQS queues, Kinesis and DynamoDB streams);
- sending to its dead-letter queue and on-failure/on-success destinations;
- ``kms:Decrypt`` on the key that encrypts its environment, and on keys of encrypted queues,
  topics, buckets and streams it uses (``kms_needs``).
"""

from __future__ import annotations

from typing import Any

from hullguard.iam.resolve import ACCOUNT, PARTITION, REGION, Need, Resolver, intrinsic_text
from hullguard.model.app import Application, Function, Unknown

VPC_ACTIONS = ("ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface",
               "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses")
XRAY_ACTIONS = ("xray:PutTraceSegments", "xray:PutTelemetryRecords")
SQS_POLLER = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")
KINESIS_POLLER = ("kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords",
                  "kinesis:GetShardIterator", "kinesis:ListShards", "kinesis:SubscribeToShard")
DYNAMODB_POLLER = ("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator")


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, Unknown):
        return None
    if isinstance(value, (dict, list)):
        return intrinsic_text(value)
    return str(value)


def log_group_arn(app: Application | None, function: Function) -> str:
    """The ARN pattern of the function's log group (and its streams)."""
    group = _text(function.log_group)
    if group is None:
        name = _text(function.name)
        if name is None:
            # CloudFormation names an unnamed function "<stack>-<LogicalId>-<random>"; referencing the
            # function itself here would make the role depend on the function that depends on the role.
            fmt = app.format if app else ""
            name = f"${{AWS::StackName}}-{function.logical_id}-*" if fmt in ("sam", "cloudformation") \
                else f"*{function.logical_id}*"
        group = f"/aws/lambda/{name}"
    return f"arn:{PARTITION}:logs:{REGION}:{ACCOUNT}:log-group:{group}:*"


def platform_needs(app: Application | None, function: Function, resolver: Resolver) -> list[Need]:
    out: list[Need] = []
    group = log_group_arn(app, function)
    actions = ["logs:CreateLogStream", "logs:PutLogEvents"]
    if not app or app.format != "serverless":
        actions.insert(0, "logs:CreateLogGroup")
    out += [Need(a, group, "platform: function logs") for a in actions]
    if function.vpc:
        out += [Need(a, "*", "platform: VPC network interfaces") for a in VPC_ACTIONS]
    if function.tracing:
        out += [Need(a, "*", "platform: X-Ray tracing") for a in XRAY_ACTIONS]
    for trigger in function.triggers:
        source = _text(trigger.source_arn)
        if trigger.kind in ("sqs", "kinesis", "dynamodb") and source is None:
            resolver.notes.append(resolver_note(function, f"{trigger.kind} event source ARN unknown; using *"))
        arn = resolver.as_arn(source) if source else None
        arn = arn or source or "*"
        if trigger.kind == "sqs":
            out += [Need(a, arn, f"platform: {trigger.kind} event source") for a in SQS_POLLER]
        elif trigger.kind == "kinesis":
            out += [Need(a, arn, "platform: kinesis event source") for a in KINESIS_POLLER]
        elif trigger.kind == "dynamodb":
            out += [Need(a, arn, "platform: dynamodb stream event source") for a in DYNAMODB_POLLER]
            out.append(Need("dynamodb:ListStreams", "*", "platform: dynamodb stream event source"))
        if trigger.on_failure is not None:
            out += destination_needs(resolver, trigger.on_failure, "platform: event source on-failure destination")
    if function.dlq is not None:
        out += destination_needs(resolver, function.dlq, "platform: dead-letter queue")
    for name, target in function.destinations.items():
        out += destination_needs(resolver, target, f"platform: {name} destination")
    key = _text(function.environment_kms_key)
    if key:
        out.append(Need("kms:Decrypt", resolver.as_arn(key) or key, "platform: environment encryption key"))
    return out


def resolver_note(function: Function, message: str) -> Any:
    from hullguard.iam.calls import Note

    return Note(function.source.file, function.source.line or 0, message)


def destination_needs(resolver: Resolver, target: Any, reason: str) -> list[Need]:
    text = _text(target)
    if text is None:
        return []
    arn = resolver.as_arn(text) or text
    service = _service_of(resolver, text, arn)
    action = {"sqs": "sqs:SendMessage", "sns": "sns:Publish", "lambda": "lambda:InvokeFunction",
              "events": "events:PutEvents", "s3": "s3:PutObject"}.get(service)
    if action is None:
        return []
    if service == "s3":
        arn = f"{arn}/*"
    return [Need(action, arn, reason)]


def _service_of(resolver: Resolver, text: str, arn: str) -> str:
    if arn.startswith("arn:"):
        return arn.split(":")[2]
    ref = resolver.reference(text)
    if ref is not None and ref[0] in resolver.resources:
        kind = resolver.resources[ref[0]].type
        return {"AWS::SQS::Queue": "sqs", "AWS::SNS::Topic": "sns", "AWS::Lambda::Function": "lambda",
                "AWS::Serverless::Function": "lambda", "AWS::Events::EventBus": "events",
                "AWS::S3::Bucket": "s3"}.get(kind, "")
    if ref is not None and ref[0].startswith("aws_"):
        return {"aws_sqs_queue": "sqs", "aws_sns_topic": "sns", "aws_lambda_function": "lambda"}.get(
            ref[0].split(".")[0], "")
    return ""


# Properties naming the KMS key of an encrypted resource, by type.
_KMS_PROPERTIES = {
    "AWS::SQS::Queue": ("KmsMasterKeyId",),
    "AWS::SNS::Topic": ("KmsMasterKeyId",),
    "AWS::Kinesis::Stream": ("StreamEncryption", "KeyId"),
    "AWS::SecretsManager::Secret": ("KmsKeyId",),
    "AWS::S3::Bucket": ("BucketEncryption",),
}
_WRITE_NEEDS = {"sqs:SendMessage": ("kms:GenerateDataKey", "kms:Decrypt"), "sns:Publish": ("kms:GenerateDataKey",
                                                                                          "kms:Decrypt"),
                "kinesis:PutRecord": ("kms:GenerateDataKey",), "kinesis:PutRecords": ("kms:GenerateDataKey",),
                "s3:PutObject": ("kms:GenerateDataKey",)}
_READ_NEEDS = {"sqs:ReceiveMessage": ("kms:Decrypt",), "kinesis:GetRecords": ("kms:Decrypt",),
               "s3:GetObject": ("kms:Decrypt",), "secretsmanager:GetSecretValue": ("kms:Decrypt",)}


def kms_needs(resolver: Resolver, needs: list[Need]) -> list[Need]:
    """KMS permissions for the encrypted resources the function uses, when the template names the key."""
    out: list[Need] = []
    for need in needs:
        kms_actions = _WRITE_NEEDS.get(need.action, ()) + _READ_NEEDS.get(need.action, ())
        if not kms_actions:
            continue
        key = _key_of(resolver, need.resource)
        if key is None:
            continue
        out += [Need(a, key, f"{need.reason} (encrypted with a customer managed key)") for a in kms_actions]
    return out


def _key_of(resolver: Resolver, resource: str) -> str | None:
    for logical_id, res in resolver.resources.items():
        if f"${{{logical_id}" not in resource:
            continue
        props = res.properties
        key: Any = None
        if res.type in ("AWS::SQS::Queue", "AWS::SNS::Topic", "AWS::SecretsManager::Secret"):
            key = props.get(_KMS_PROPERTIES[res.type][0])
        elif res.type == "AWS::Kinesis::Stream" and isinstance(props.get("StreamEncryption"), dict):
            key = props["StreamEncryption"].get("KeyId")
        elif res.type == "AWS::S3::Bucket" and isinstance(props.get("BucketEncryption"), dict):
            rules = props["BucketEncryption"].get("ServerSideEncryptionConfiguration") or []
            for rule in rules if isinstance(rules, list) else []:
                default = rule.get("ServerSideEncryptionByDefault") if isinstance(rule, dict) else None
                if isinstance(default, dict) and default.get("SSEAlgorithm") in ("aws:kms", "aws:kms:dsse"):
                    key = default.get("KMSMasterKeyID")
        text = _text(key)
        if not text or text.startswith("alias/aws/"):
            continue  # AWS managed keys need no grant in the caller's policy
        return resolver.as_arn(text) or (text if text.startswith("arn:") else
                                          f"arn:{PARTITION}:kms:{REGION}:{ACCOUNT}:key/{text}")
    return None
