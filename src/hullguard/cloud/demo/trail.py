"""Real-shaped CloudTrail records (fields as AWS documents them for Lambda, STS, IAM and CloudTrail).

``story_records`` tells one incident end to end; ``noise_records`` adds ordinary activity in volume
for the benchmark. Everything is seeded, so the same call returns the same records.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import random
import uuid
from pathlib import Path
from typing import Any

ACCOUNT = "123456789012"
REGION = "us-east-1"
CI_ROLE = f"arn:aws:iam::{ACCOUNT}:role/github-actions-deploy"
ADMIN_ROLE = f"arn:aws:iam::{ACCOUNT}:role/Admin"
LAMBDA_UA = (
    "Boto3/1.34.34 md/Botocore#1.34.34 ua/2.0 os/linux#5.10.209 md/arch#x86_64 lang/python#3.12.2 "
    "md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.34"
)
CI_UA = "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1016-azure exe/x86_64.ubuntu.22 prompt/off command/lambda.update-function-code"  # noqa: E501
ATTACKER_UA = "aws-cli/2.13.0 Python/3.11.4 Darwin/22.5.0 exe/x86_64 prompt/off command/s3.ls"
CONSOLE_UA = "AWS Internal"
BROWSER_UA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0"


def _id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _time(base: dt.datetime, minutes: float) -> str:
    return (base + dt.timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _role_identity(role_arn: str, session: str, key: str, created: str) -> dict[str, Any]:
    name = role_arn.rsplit("/", 1)[-1]
    return {
        "type": "AssumedRole",
        "principalId": f"AROAEXAMPLE{abs(hash(name)) % 10**8:08d}:{session}",
        "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{name}/{session}",
        "accountId": ACCOUNT,
        "accessKeyId": key,
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": "AROAEXAMPLE",
                "arn": role_arn,
                "accountId": ACCOUNT,
                "userName": name,
            },
            "attributes": {"creationDate": created, "mfaAuthenticated": "false"},
        },
    }


def record(
    rng: random.Random,
    when: str,
    source: str,
    name: str,
    identity: dict[str, Any],
    ip: str,
    agent: str,
    request: dict[str, Any] | None = None,
    response: dict[str, Any] | None = None,
    read_only: bool = False,
    region: str = REGION,
    **extra: Any,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "eventVersion": "1.09",
        "userIdentity": identity,
        "eventTime": when,
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": ip,
        "userAgent": agent,
        "requestParameters": request,
        "responseElements": response,
        "requestID": _id(rng),
        "eventID": _id(rng),
        "readOnly": read_only,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": ACCOUNT,
        "eventCategory": "Management",
    }
    out.update(extra)
    return out


def lambda_assume_role(rng: random.Random, when: str, function: str, role_arn: str, key: str) -> dict[str, Any]:
    """Lambda obtaining a function's credentials (what every cold start logs)."""
    return record(
        rng,
        when,
        "sts.amazonaws.com",
        "AssumeRole",
        {"type": "AWSService", "invokedBy": "lambda.amazonaws.com"},
        "lambda.amazonaws.com",
        "lambda.amazonaws.com",
        request={"roleArn": role_arn, "roleSessionName": function, "durationSeconds": 43200},
        response={
            "credentials": {
                "accessKeyId": key,
                "sessionToken": "IQoJb3JpZ2luX2VjEXAMPLE",
                "expiration": "Jan 1, 2025, 12:00:00 AM",
            },
            "assumedRoleUser": {
                "assumedRoleId": f"AROAEXAMPLE:{function}",
                "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{role_arn.rsplit('/', 1)[-1]}/{function}",
            },
        },
        read_only=True,
        sharedEventID=_id(rng),
    )


def story_records(base: dt.datetime | None = None, seed: int = 7) -> list[dict[str, Any]]:
    """The incident the demo tells: console deployments, a hand-made hotfix, stolen function credentials,
    a public AddPermission, a policy attached to a function role, and a trail switched off."""
    rng = random.Random(seed)  # noqa: S311 - seeded demo data, not security
    t0 = base or dt.datetime(2024, 5, 2, 9, 0, tzinfo=dt.timezone.utc)
    created = _time(t0, -5)
    ci = _role_identity(CI_ROLE, "GitHubActions", "ASIACIEXAMPLE0000001", created)
    admin = _role_identity(ADMIN_ROLE, "alice@example.com", "ASIAADMINEXAMPLE0001", created)
    fn_role = f"arn:aws:iam::{ACCOUNT}:role/orders-shared-role"
    stolen_key = "ASIAFUNCEXAMPLE00042"
    records = [
        # CI deploys normally (versioned event name, matched by prefix).
        record(
            rng,
            _time(t0, 0),
            "lambda.amazonaws.com",
            "UpdateFunctionCode20150331v2",
            ci,
            "20.42.11.7",
            CI_UA,
            request={"functionName": "orders-api", "publish": True},
            response={"functionName": "orders-api"},
        ),
        # Alice creates a function in the console: the session credential flag is the signal.
        record(
            rng,
            _time(t0, 10),
            "lambda.amazonaws.com",
            "CreateFunction20150331",
            admin,
            "203.0.113.24",
            CONSOLE_UA,
            request={
                "functionName": "quick-fix-export",
                "runtime": "python3.12",
                "role": fn_role,
                "handler": "lambda_function.lambda_handler",
            },
            response={
                "functionName": "quick-fix-export",
                "functionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:quick-fix-export",
            },
            sessionCredentialFromConsole="true",
        ),
        # ... and edits another one's configuration from the browser.
        record(
            rng,
            _time(t0, 12),
            "lambda.amazonaws.com",
            "UpdateFunctionConfiguration20150331v2",
            admin,
            "203.0.113.24",
            BROWSER_UA,
            request={"functionName": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:billing-report", "timeout": 900},
            response={"functionName": "billing-report"},
        ),
        # Lambda gets credentials for orders-api; the function uses them normally.
        lambda_assume_role(rng, _time(t0, 20), "orders-api", fn_role, stolen_key),
        record(
            rng,
            _time(t0, 21),
            "dynamodb.amazonaws.com",
            "DescribeTable",
            _role_identity(fn_role, "orders-api", stolen_key, _time(t0, 20)),
            "3.91.10.20",
            LAMBDA_UA,
            request={"tableName": "orders"},
            read_only=True,
        ),
        # The same key, minutes later, from a laptop with the AWS CLI: stolen via the environment.
        record(
            rng,
            _time(t0, 45),
            "s3.amazonaws.com",
            "ListBuckets",
            _role_identity(fn_role, "orders-api", stolen_key, _time(t0, 20)),
            "198.51.100.77",
            ATTACKER_UA,
            read_only=True,
        ),
        record(
            rng,
            _time(t0, 46),
            "sts.amazonaws.com",
            "GetCallerIdentity",
            _role_identity(fn_role, "orders-api", stolen_key, _time(t0, 20)),
            "198.51.100.77",
            ATTACKER_UA,
            read_only=True,
        ),
        # A resource policy opened to everyone.
        record(
            rng,
            _time(t0, 50),
            "lambda.amazonaws.com",
            "AddPermission20150331v2",
            admin,
            "203.0.113.24",
            CONSOLE_UA,
            request={
                "functionName": "orders-api",
                "statementId": "public",
                "principal": "*",
                "action": "lambda:InvokeFunction",
            },
            response={"statement": '{"Sid":"public","Effect":"Allow","Principal":"*"}'},
            sessionCredentialFromConsole="true",
        ),
        # Admin rights attached to the function role.
        record(
            rng,
            _time(t0, 55),
            "iam.amazonaws.com",
            "AttachRolePolicy",
            admin,
            "203.0.113.24",
            CONSOLE_UA,
            request={"roleName": "orders-shared-role", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"},
            region="us-east-1",
            sessionCredentialFromConsole="true",
        ),
        # And the trail goes quiet.
        record(
            rng,
            _time(t0, 60),
            "cloudtrail.amazonaws.com",
            "StopLogging",
            admin,
            "198.51.100.77",
            ATTACKER_UA,
            request={"name": f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/management-events"},
        ),
        # A failed attempt is not a change.
        record(
            rng,
            _time(t0, 61),
            "lambda.amazonaws.com",
            "DeleteFunction20150331",
            admin,
            "198.51.100.77",
            ATTACKER_UA,
            request={"functionName": "orders-api"},
            errorCode="AccessDenied",
            errorMessage="User is not authorized to perform: lambda:DeleteFunction",
        ),
    ]
    return records


_NOISE = (
    ("dynamodb.amazonaws.com", "DescribeTable", True),
    ("lambda.amazonaws.com", "GetFunction20150331v2", True),
    ("lambda.amazonaws.com", "ListFunctions20150331", True),
    ("s3.amazonaws.com", "GetBucketAcl", True),
    ("kms.amazonaws.com", "Decrypt", True),
    ("sts.amazonaws.com", "GetCallerIdentity", True),
    ("lambda.amazonaws.com", "UpdateFunctionCode20150331v2", False),
)


def noise_records(
    count: int, seed: int = 11, base: dt.datetime | None = None, functions: int = 200
) -> list[dict[str, Any]]:
    """``count`` ordinary records: functions using their own credentials, CI deployments, reads."""
    rng = random.Random(seed)  # noqa: S311 - seeded demo data, not security
    t0 = base or dt.datetime(2024, 5, 1, tzinfo=dt.timezone.utc)
    ci = _role_identity(CI_ROLE, "GitHubActions", "ASIACIEXAMPLE0000001", _time(t0, 0))
    out: list[dict[str, Any]] = []
    current: dict[int, str] = {}  # function -> the key Lambda issued it last (every AssumeRole issues a new one)
    for i in range(count):
        n = rng.randrange(functions)
        function = f"svc-{n:04d}"
        role = f"arn:aws:iam::{ACCOUNT}:role/svc-{n:04d}-role"
        when = _time(t0, i * 0.01)
        if i % 50 == 0 or n not in current:
            current[n] = f"ASIA{seed % 10**7:07d}{i % 10**9:09d}"
            out.append(lambda_assume_role(rng, when, function, role, current[n]))
            continue
        source, name, read_only = _NOISE[rng.randrange(len(_NOISE))]
        if not read_only:
            out.append(
                record(rng, when, source, name, ci, "20.42.11.7", CI_UA,
                       request={"functionName": function}, response={"functionName": function})
            )  # fmt: skip
        else:
            identity = _role_identity(role, function, current[n], when)
            out.append(record(rng, when, source, name, identity, "3.91.10.20", LAMBDA_UA,
                              request={"tableName": "orders"}, read_only=True))  # fmt: skip
    return out


def write_log_files(
    root: Path,
    records: list[dict[str, Any]],
    per_file: int = 5000,
    account: str = ACCOUNT,
    org_id: str | None = None,
) -> list[Path]:
    """Write records as CloudTrail delivers them: gzip files under AWSLogs/[<org>/]<account>/CloudTrail/..."""
    paths: list[Path] = []
    for index in range(0, len(records), per_file):
        chunk = records[index : index + per_file]
        first = chunk[0]
        day = dt.datetime.strptime(first["eventTime"], "%Y-%m-%dT%H:%M:%SZ")
        region = first.get("awsRegion", REGION)
        prefix = root / "AWSLogs" / (org_id or "") / account if org_id else root / "AWSLogs" / account
        folder = prefix / "CloudTrail" / region / f"{day:%Y}" / f"{day:%m}" / f"{day:%d}"
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{account}_CloudTrail_{region}_{day:%Y%m%dT%H%M}Z_{index // per_file:06d}.json.gz"
        path = folder / name
        path.write_bytes(gzip.compress(json.dumps({"Records": chunk}).encode(), compresslevel=1))
        paths.append(path)
    return paths
