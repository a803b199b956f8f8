"""Seed a "messy account" into a moto backend (in-process or server) through the ordinary boto3 API.

Dozens of functions in two regions with what real accounts accumulate: one role shared by many
functions, a wildcard and a NotAction policy, a public resource policy, a function URL without auth,
a layer from a stranger's account, several trigger types on one function, functions created from the
console (the CloudTrail story in ``trail.py`` names them), a queue consumer with small concurrency,
and hourly metrics with a throttling spike. Seeded: the same call builds the same account.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import zipfile
from dataclasses import dataclass, field
from typing import Any

import boto3

from hullguard.cloud.demo.trail import ACCOUNT

TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)
FOREIGN_LAYER = "arn:aws:lambda:us-east-1:999988887777:layer:fast-json-utils:7"


def code_zip(body: str = "def handler(event, context):\n    return {'statusCode': 200}\n") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", body)
    return buffer.getvalue()


@dataclass
class SeededAccount:
    account: str
    regions: list[str]
    functions: dict[str, list[str]] = field(default_factory=dict)  # region -> names
    queue_arn: str = ""


def _role(iam: Any, name: str, statements: list[dict[str, Any]] | None = None, managed: list[str] | None = None) -> str:
    arn = str(iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)["Role"]["Arn"])
    if statements:
        iam.put_role_policy(
            RoleName=name,
            PolicyName=f"{name}-inline",
            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}),
        )
    for policy_arn in managed or []:
        iam.attach_role_policy(RoleName=name, PolicyArn=policy_arn)
    return arn


def _layers(session: boto3.Session, zipped: bytes) -> str:
    """Our own hullguard layer, published in the account."""
    return str(
        session.client("lambda", region_name="us-east-1").publish_layer_version(
            LayerName="hullguard-python", Content={"ZipFile": zipped}, CompatibleRuntimes=["python3.12"]
        )["LayerVersionArn"]
    )


def attach_foreign_layer(account: str, region: str, function: str, layer_arn: str = FOREIGN_LAYER) -> bool:
    """moto only accepts layers of the caller's own account, so the stranger's layer is set on moto's
    in-process state directly (what AWS would return for a function using a shared public layer).
    Works for ``mock_aws`` and an in-process ``ThreadedMotoServer``; returns False elsewhere."""
    try:
        from moto.awslambda.models import lambda_backends

        fn = lambda_backends[account][region].get_function(function)
        fn.layers = [*fn.layers, {"Arn": layer_arn, "CodeSize": 4096}]
    except Exception:
        return False
    return True


def seed_account(session: boto3.Session, filler: int = 30, seed: int = 3) -> SeededAccount:
    rng = random.Random(seed)  # noqa: S311 - seeded demo data, not security
    iam = session.client("iam", region_name="us-east-1")
    seeded = SeededAccount(account=ACCOUNT, regions=["us-east-1", "eu-west-1"])
    admin_policy = iam.create_policy(
        PolicyName="legacy-admin",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
        ),
    )["Policy"]["Arn"]
    shared = _role(
        iam,
        "orders-shared-role",
        [
            {"Effect": "Allow", "Action": ["dynamodb:*", "s3:GetObject"], "Resource": "*"},
            {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"},
        ],
    )
    notaction = _role(
        iam, "reports-role", [{"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"}]
    )
    admin = _role(iam, "legacy-admin-role", managed=[admin_policy])
    tight = _role(
        iam,
        "payments-role",
        [
            {
                "Effect": "Allow",
                "Action": "dynamodb:GetItem",
                "Resource": f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/payments",
            }
        ],
    )
    zipped = code_zip()

    def function(region: str, name: str, role: str, **kwargs: Any) -> None:
        client = session.client("lambda", region_name=region)
        params: dict[str, Any] = {
            "FunctionName": name,
            "Runtime": kwargs.pop("Runtime", "python3.12"),
            "Role": role,
            "Handler": kwargs.pop("Handler", "app.handler"),
            "Code": {"ZipFile": zipped},
            "Timeout": kwargs.pop("Timeout", 30),
            "MemorySize": kwargs.pop("MemorySize", 256),
        }
        params.update(kwargs)
        client.create_function(**params)
        seeded.functions.setdefault(region, []).append(name)

    east = session.client("lambda", region_name="us-east-1")
    hullguard_layer = _layers(session, zipped)
    sqs = session.client("sqs", region_name="us-east-1")
    queue_url = sqs.create_queue(QueueName="orders-queue", Attributes={"MessageRetentionPeriod": "86400"})["QueueUrl"]
    seeded.queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]

    # The public API with everything wrong: shared role, URL without auth, open policy, three trigger kinds.
    function("us-east-1", "orders-api", shared, Environment={"Variables": {"TABLE": "orders", "STAGE": "prod"}})
    east.create_function_url_config(FunctionName="orders-api", AuthType="NONE", Cors={"AllowOrigins": ["*"]})
    east.add_permission(
        FunctionName="orders-api",
        StatementId="FunctionURLAllowPublicAccess",
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        FunctionUrlAuthType="NONE",
    )
    east.add_permission(FunctionName="orders-api", StatementId="public", Action="lambda:InvokeFunction", Principal="*")
    east.add_permission(
        FunctionName="orders-api",
        StatementId="apigw",
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=f"arn:aws:execute-api:us-east-1:{ACCOUNT}:a1b2c3/*/POST/orders",
    )
    east.add_permission(
        FunctionName="orders-api",
        StatementId="uploads",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
        SourceArn="arn:aws:s3:::orders-uploads",
        SourceAccount=ACCOUNT,
    )
    # The queue consumer: small reserved concurrency, short retention.
    function("us-east-1", "orders-worker", shared, Timeout=60)
    east.put_function_concurrency(FunctionName="orders-worker", ReservedConcurrentExecutions=5)
    east.create_event_source_mapping(EventSourceArn=seeded.queue_arn, FunctionName="orders-worker", BatchSize=10)
    # Console-made functions (see trail.story_records), on the shared role and an admin role.
    function("us-east-1", "quick-fix-export", shared, Handler="lambda_function.lambda_handler")
    function("us-east-1", "billing-report", admin, Timeout=900, MemorySize=1024)
    # Cross-account layer from a stranger; NotAction role.
    function("us-east-1", "pdf-renderer", notaction, MemorySize=2048, Timeout=30)
    attach_foreign_layer(ACCOUNT, "us-east-1", "pdf-renderer")
    # Protected by hullguard, tight role: the good example.
    function(
        "us-east-1",
        "payments",
        tight,
        Layers=[hullguard_layer],
        Environment={"Variables": {"AWS_LAMBDA_EXEC_WRAPPER": "/opt/hullguard-wrapper", "HULLGUARD_MODE": "block"}},
    )
    east.put_function_concurrency(FunctionName="payments", ReservedConcurrentExecutions=50)
    # An old runtime on the shared role.
    function("us-east-1", "legacy-cron", shared, Runtime="python3.8")
    east.add_permission(
        FunctionName="legacy-cron",
        StatementId="schedule",
        Action="lambda:InvokeFunction",
        Principal="events.amazonaws.com",
        SourceArn=f"arn:aws:events:us-east-1:{ACCOUNT}:rule/nightly",
    )
    # Filler: ordinary services, a third of them on the shared role, spread over two regions.
    for i in range(filler):
        region = "us-east-1" if i % 3 else "eu-west-1"
        role = (
            shared
            if i % 3 == 0
            else _role(
                iam,
                f"svc-{i:02d}-role",
                [
                    {
                        "Effect": "Allow",
                        "Action": "dynamodb:GetItem",
                        "Resource": f"arn:aws:dynamodb:{region}:{ACCOUNT}:table/svc-{i:02d}",
                    }
                ],
            )
        )
        function(
            region,
            f"svc-{i:02d}",
            role,
            MemorySize=rng.choice([128, 256, 512, 1024]),
            Architectures=[rng.choice(["x86_64", "arm64"])],
        )
    return seeded


def seed_metrics(
    session: boto3.Session, seeded: SeededAccount, now: dt.datetime, days: int = 14, seed: int = 5
) -> None:
    """Hourly Lambda metrics: steady traffic, then in the last hours a flood on orders-api that throttles
    orders-worker, DLQ failures on billing-report and durations at the timeout on pdf-renderer."""
    rng = random.Random(seed)  # noqa: S311 - seeded demo data, not security
    cloudwatch = session.client("cloudwatch", region_name="us-east-1")
    end = now.replace(minute=0, second=0, microsecond=0)
    data: list[dict[str, Any]] = []

    def point(function: str, metric: str, when: dt.datetime, value: float, unit: str = "Count") -> None:
        data.append(
            {
                "MetricName": metric,
                "Dimensions": [{"Name": "FunctionName", "Value": function}],
                "Timestamp": when,
                "Value": value,
                "Unit": unit,
            }
        )

    hours = days * 24
    for h in range(hours, 0, -1):
        when = end - dt.timedelta(hours=h) + dt.timedelta(minutes=30)
        flood = h <= 3
        base = 200 + rng.randint(-20, 20)
        point("orders-api", "Invocations", when, base * (25 if flood else 1))
        point("orders-api", "Duration", when, 120.0 + rng.random() * 30, "Milliseconds")
        point("orders-worker", "Invocations", when, 50 + rng.randint(-5, 5))
        point("orders-worker", "ConcurrentExecutions", when, 5 if flood else 2)
        point("orders-worker", "Duration", when, 20000.0 + rng.random() * 2000, "Milliseconds")
        if flood:
            point("orders-worker", "Throttles", when, 400)
            point("orders-api", "Errors", when, 900)
        point("pdf-renderer", "Invocations", when, 5)
        point("pdf-renderer", "Duration", when, 28500.0, "Milliseconds")
        point("billing-report", "Invocations", when, 1)
        if h in (5, 30):
            point("billing-report", "DeadLetterErrors", when, 1)
    for offset in range(0, len(data), 500):
        cloudwatch.put_metric_data(Namespace="AWS/Lambda", MetricData=data[offset : offset + 500])
