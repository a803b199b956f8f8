"""From calls to ARNs through the template, and what the Lambda platform needs."""

from __future__ import annotations

from pathlib import Path

from hullguard.iam.calls import ApiCall, Sym
from hullguard.iam.generate import generate_function, statements_from_needs
from hullguard.iam.operations import catalog
from hullguard.iam.resolve import Need, Resolver
from hullguard.model.app import Application, Function, Resource, Trigger, Unknown

P, RA = "arn:${AWS::Partition}", "${AWS::Region}:${AWS::AccountId}"


def resolver(env: dict, resources: list[Resource] | None = None) -> Resolver:
    app = Application(name="a", root=".", format="sam", resources=resources or [])
    fn = Function(logical_id="Fn", environment=env)
    app.functions.append(fn)
    return Resolver(app, fn, catalog())


def needs(r: Resolver, service: str, operation: str, **params: Sym) -> set[tuple[str, str]]:
    return {(n.action, n.resource) for n in r.needs(ApiCall(service, operation, dict(params), "h.py", 3))}


def test_references_become_arns() -> None:
    r = resolver({"Q": "${Queue}", "T": "${Table}", "F": "${Worker}", "S": "${Secret}"},
                 [Resource("Queue", "AWS::SQS::Queue"), Resource("Table", "AWS::DynamoDB::Table"),
                  Resource("Worker", "AWS::Lambda::Function"), Resource("Secret", "AWS::SecretsManager::Secret")])
    assert needs(r, "sqs", "SendMessage", QueueUrl=Sym.env("Q")) == {("sqs:SendMessage", "${Queue.Arn}")}
    assert needs(r, "dynamodb", "Query", TableName=Sym.env("T"), IndexName=Sym.text("by-user")) == {
        ("dynamodb:Query", f"{P}:dynamodb:{RA}:table/${{Table}}/index/by-user")}
    assert needs(r, "lambda", "Invoke", FunctionName=Sym.env("F")) == {("lambda:InvokeFunction", "${Worker.Arn}")}
    assert needs(r, "secretsmanager", "GetSecretValue", SecretId=Sym.env("S")) == {
        ("secretsmanager:GetSecretValue", "${Secret}")}


def test_unknowns_become_narrow_wildcards_with_notes() -> None:
    r = resolver({"B": Unknown("${ssm:/bucket}")})
    key = Sym.text("uploads/") + Sym.wild("event['id']") + Sym.text(".json")
    assert needs(r, "s3", "PutObject", Bucket=Sym.env("B"), Key=key) == {("s3:PutObject", f"{P}:s3:::*/uploads/*.json")}
    assert needs(r, "s3", "GetObject", Bucket=Sym.env("MISSING"), Key=Sym.text("k")) == {
        ("s3:GetObject", f"{P}:s3:::*/k")}
    notes = [str(n) for n in r.notes]
    assert "h.py:3: Bucket: environment variable B = ${ssm:/bucket} cannot be resolved; using *" in notes
    assert "h.py:3: Key: event['id'] is only known at run time; using *" in notes
    assert "h.py:3: Bucket: environment variable MISSING is not set in the template; using *" in notes


def test_environment_defaults_and_queue_urls() -> None:
    r = resolver({})
    default = Sym.env("QUEUE", Sym.text("https://sqs.eu-west-1.amazonaws.com/123456789012/jobs"))
    assert needs(r, "sqs", "SendMessageBatch", QueueUrl=default) == {
        ("sqs:SendMessage", f"{P}:sqs:eu-west-1:123456789012:jobs")}


def test_copy_object_source_and_target() -> None:
    r = resolver({})
    assert needs(r, "s3", "CopyObject", CopySource=Sym.text("src/a.txt"), Bucket=Sym.text("dst"),
                 Key=Sym.text("b.txt")) == {("s3:PutObject", f"{P}:s3:::dst/b.txt"),
                                            ("s3:GetObject", f"{P}:s3:::src/a.txt")}


def test_rds_data_api_reads_its_secret() -> None:
    r = resolver({})
    secret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
    found = needs(r, "rds-data", "ExecuteStatement",
                  resourceArn=Sym.text("arn:aws:rds:us-east-1:123456789012:cluster:c"), secretArn=Sym.text(secret))
    assert ("secretsmanager:GetSecretValue", secret) in found


def test_platform_needs_and_kms(tmp_path: Path) -> None:
    (tmp_path / "h.py").write_text("import os, boto3\nq = boto3.client('sqs')\ndef handler(e, c):\n"
                                   "    q.send_message(QueueUrl=os.environ['Q'], MessageBody='x')\n")
    app = Application(name="a", root=str(tmp_path), format="cloudformation", resources=[
        Resource("Queue", "AWS::SQS::Queue", {"KmsMasterKeyId": "${Key.Arn}"}), Resource("Key", "AWS::KMS::Key"),
        Resource("Stream", "AWS::Kinesis::Stream"), Resource("Dlq", "AWS::SQS::Queue")])
    fn = Function(logical_id="Fn", handler="h.handler", runtime="python3.12", code_path=".",
                  environment={"Q": "${Queue}"}, vpc={"SubnetIds": ["s"]}, tracing=True, dlq="${Dlq.Arn}",
                  environment_kms_key="arn:aws:kms:us-east-1:123456789012:key/env",
                  triggers=[Trigger("kinesis", source_arn="${Stream.Arn}")])
    app.functions.append(fn)
    by_action: dict[str, set[str]] = {}
    for need in generate_function(app, fn, tmp_path).needs:
        by_action.setdefault(need.action, set()).add(need.resource)
    assert by_action["sqs:SendMessage"] == {"${Queue.Arn}", "${Dlq.Arn}"}
    assert by_action["kms:GenerateDataKey"] == {"${Key.Arn}"}
    assert by_action["kms:Decrypt"] == {"${Key.Arn}", "arn:aws:kms:us-east-1:123456789012:key/env"}
    assert by_action["kinesis:GetRecords"] == {"${Stream.Arn}"}
    assert by_action["ec2:CreateNetworkInterface"] == {"*"} and by_action["xray:PutTraceSegments"] == {"*"}
    assert by_action["logs:CreateLogGroup"] == {
        f"{P}:logs:{RA}:log-group:/aws/lambda/${{AWS::StackName}}-Fn-*:*"}


def test_statements_group_actions_sharing_resources() -> None:
    statements = statements_from_needs([
        Need("s3:GetObject", "arn:aws:s3:::b/*", ""), Need("s3:PutObject", "arn:aws:s3:::b/*", ""),
        Need("xray:PutTraceSegments", "*", ""), Need("s3:GetObject", "*", "")])
    assert statements == [
        {"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": ["arn:aws:s3:::b/*"]},
        {"Effect": "Allow", "Action": ["s3:GetObject", "xray:PutTraceSegments"], "Resource": ["*"]},
    ]


def test_service_wildcard_is_limited_to_the_named_resources() -> None:
    r = resolver({"BUCKET": "archive"})
    call = ApiCall("s3", "*", {"Bucket": Sym.env("BUCKET")}, "h.py", 9, actions=("s3:*",), dynamic="getattr(s3, op)")
    found = r.needs(call)
    assert {(n.action, n.resource) for n in found} == {("s3:*", f"{P}:s3:::archive"), ("s3:*", f"{P}:s3:::archive/*")}
    assert all(n.review for n in found)
    nothing_named = r.needs(ApiCall("sqs", "*", {}, "h.py", 11, actions=("sqs:*",), dynamic="getattr(sqs, op)"))
    assert [(n.action, n.resource) for n in nothing_named] == [("sqs:*", "*")]
    assert "h.py:11: sqs:*: no resource could be named from the call's parameters; using *" in map(str, r.notes)


def test_inferred_grants_get_their_own_marked_statements() -> None:
    statements = statements_from_needs([
        Need("s3:GetObject", "arn:aws:s3:::b/*", ""),
        Need("s3:GetObject", "arn:aws:s3:::b/*", "", review=True),  # also needed for sure: stays unmarked
        Need("s3:PutObject", "arn:aws:s3:::b/*", "", review=True),
        Need("s3:DeleteObject", "arn:aws:s3:::b/*", "", review=True),
        Need("sqs:SendMessage", "arn:aws:sqs:us-east-1:1:q", "", review=True)])
    assert statements == [
        {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::b/*"]},
        {"Sid": "ReviewInferred1", "Effect": "Allow", "Action": ["s3:DeleteObject", "s3:PutObject"],
         "Resource": ["arn:aws:s3:::b/*"]},
        {"Sid": "ReviewInferred2", "Effect": "Allow", "Action": ["sqs:SendMessage"],
         "Resource": ["arn:aws:sqs:us-east-1:1:q"]},
    ]
