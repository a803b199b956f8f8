"""Python code analysis on real handler code."""

from __future__ import annotations

import textwrap
from pathlib import Path

from hullguard.iam.calls import CodeReport
from hullguard.iam.python_code import analyze_python


def analyse(tmp_path: Path, files: dict[str, str], handler: str = "handler.handler") -> CodeReport:
    for name, source in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
    module, _, function = handler.rpartition(".")
    return analyze_python(tmp_path, tmp_path / f"{module}.py", function)


def ops(report: CodeReport) -> list[tuple[str, str, dict[str, str]]]:
    return [(c.service, c.operation, {k: v.describe() for k, v in c.params.items()}) for c in report.calls]


def simple(report: CodeReport) -> set[tuple[str, str]]:
    return {(c.service, c.operation) for c in report.calls}


def test_aliases_sessions_and_from_imports(tmp_path: Path) -> None:
    report = analyse(tmp_path, {"handler.py": '''
        import boto3 as b
        from boto3 import client as make
        from boto3.session import Session

        sqs = b.session.Session().client("sqs")
        sns = make("sns")

        def handler(event, context):
            sqs.send_message(QueueUrl="https://sqs.us-east-1.amazonaws.com/123456789012/q", MessageBody="x")
            sns.publish(TopicArn="arn:aws:sns:us-east-1:123456789012:t", Message="x")
            Session(region_name="eu-west-1").client("kms").decrypt(CiphertextBlob=b"x")
    '''})
    assert simple(report) == {("sqs", "SendMessage"), ("sns", "Publish"), ("kms", "Decrypt")}


def test_environment_and_string_building(tmp_path: Path) -> None:
    report = analyse(tmp_path, {"handler.py": '''
        import os
        from os import environ, getenv
        import boto3

        s3 = boto3.client("s3")
        PREFIX = "reports/"

        def handler(event, context):
            s3.put_object(Bucket=os.environ["A"], Key=f"{PREFIX}{event['id']}.csv")
            s3.put_object(Bucket=environ.get("B", "fallback"), Key=PREFIX + "x")
            s3.put_object(Bucket=getenv("C"), Key="{}/{}".format("year", event["m"]))
            s3.put_object(Bucket="d", Key="%s.json" % event["n"])
    '''})
    params = [p for _, _, p in ops(report)]
    assert params[0] == {"Bucket": "${env:A}", "Key": "reports/<event['id']>.csv"}
    assert params[1] == {"Bucket": "${env:B}", "Key": "reports/x"}
    assert params[2] == {"Bucket": "${env:C}", "Key": "year/<event['m']>"}
    assert params[3] == {"Bucket": "d", "Key": "<event['n']>.json"}


def test_clients_through_wrappers_helpers_and_objects(tmp_path: Path) -> None:
    report = analyse(tmp_path, {
        "aws.py": '''
            import boto3

            def client(name):
                return boto3.client(name)

            class Repo:
                def __init__(self):
                    self.table = boto3.resource("dynamodb").Table("orders")

                def save(self, item):
                    self.table.put_item(Item=item)
        ''',
        "handler.py": '''
            from aws import client, Repo

            def archive(s3, key):
                s3.delete_object(Bucket="archive", Key=key)

            def handler(event, context):
                archive(client("s3"), event["key"])
                Repo().save(event)
        ''',
    })
    assert ("s3", "DeleteObject", {"Bucket": "archive", "Key": "<event['key']>"}) in ops(report)
    assert ("dynamodb", "PutItem", {"TableName": "orders", "Item": "<item>"}) in ops(report)
    assert report.files == ["handler.py", "aws.py"]


def test_paginators_waiters_and_presigned_urls(tmp_path: Path) -> None:
    report = analyse(tmp_path, {"handler.py": '''
        import boto3
        s3 = boto3.client("s3")

        def handler(event, context):
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket="b"):
                pass
            s3.get_waiter("bucket_exists").wait(Bucket="c")
            return s3.generate_presigned_url("put_object", Params={"Bucket": "d", "Key": "k"})
    '''})
    assert [(s, o) for s, o, _ in ops(report)] == [("s3", "ListObjectsV2"), ("s3", "HeadBucket"), ("s3", "PutObject")]


def test_resource_api(tmp_path: Path) -> None:
    report = analyse(tmp_path, {"handler.py": '''
        import boto3
        s3 = boto3.resource("s3")
        table = boto3.resource("dynamodb").Table("events")

        def handler(event, context):
            bucket = s3.Bucket("media")
            for obj in bucket.objects.filter(Prefix="tmp/"):
                print(obj.key)
            s3.Object("media", "a.txt").get()
            bucket.Object("b.txt").put(Body=b"x")
            print(s3.Object("media", "c.txt").content_length)
            with table.batch_writer() as batch:
                batch.put_item(Item={})
            bucket.upload_file("/tmp/x", "up/x")
    '''})
    found = ops(report)
    assert ("s3", "ListObjects", {"Bucket": "media", "Prefix": "tmp/"}) in found
    assert ("s3", "GetObject", {"Bucket": "media", "Key": "a.txt"}) in found
    assert ("s3", "PutObject", {"Bucket": "media", "Key": "b.txt", "Body": "<b'x'>"}) in found
    assert ("s3", "HeadObject", {"Bucket": "media", "Key": "c.txt"}) in found
    assert ("dynamodb", "BatchWriteItem", {"TableName": "events"}) in found
    assert ("s3", "PutObject", {"Bucket": "media", "Filename": "/tmp/x", "Key": "up/x"}) in found
    assert ("dynamodb", "DescribeTable") not in simple(report)


def test_copy_transactions_and_partiql(tmp_path: Path) -> None:
    report = analyse(tmp_path, {"handler.py": '''
        import boto3
        s3 = boto3.client("s3")
        ddb = boto3.client("dynamodb")

        def handler(event, context):
            s3.copy_object(CopySource={"Bucket": "src", "Key": "a/b"}, Bucket="dst", Key="c")
            ddb.transact_write_items(TransactItems=[{"Put": {"TableName": "t1"}}, {"Delete": {"TableName": "t2"}}])
            ddb.execute_statement(Statement='DELETE FROM "sessions" WHERE id = ?')
    '''})
    calls = report.calls
    assert calls[0].params["CopySource"].describe() == "src/a/b"
    assert [(c.params["TableName"].describe(), c.actions) for c in calls[1:3]] == [
        ("t1", ("dynamodb:PutItem",)), ("t2", ("dynamodb:DeleteItem",))]
    assert (calls[3].params["TableName"].describe(), calls[3].actions) == ("sessions", ("dynamodb:PartiQLDelete",))


def test_only_code_reachable_from_the_handler(tmp_path: Path) -> None:
    report = analyse(tmp_path, {"api.py": '''
        import boto3
        table = boto3.resource("dynamodb").Table("todos")

        def list_todos(event, context):
            return table.scan()["Items"]

        def delete_todo(event, context):
            table.delete_item(Key={"id": "x"})
    '''}, handler="api.list_todos")
    assert simple(report) == {("dynamodb", "Scan")}


def test_bad_input_is_reported_with_file_and_line(tmp_path: Path) -> None:
    report = analyse(tmp_path, {"handler.py": '''
        import boto3
        import broken

        def handler(event, context):
            boto3.client(event["service"]).do_thing()
            boto3.client("not-a-service").x()
    ''', "broken.py": "def oops(:\n    pass\n"})
    notes = [str(n) for n in report.notes]
    assert "broken.py:1: does not parse: invalid syntax" in notes
    assert any(n.startswith("handler.py:6: service name event['service'] is not a constant") for n in notes)
    assert "handler.py:7: unknown AWS service 'not-a-service'" in notes


def test_missing_handler_analyses_whole_module(tmp_path: Path) -> None:
    report = analyse(tmp_path, {"handler.py": '''
        import boto3
        def other(event, context):
            boto3.client("sqs").purge_queue(QueueUrl="u")
    '''}, handler="handler.main")
    assert simple(report) == {("sqs", "PurgeQueue")}
    notes = [str(n) for n in report.notes]
    assert "handler.py:1: handler function 'main' not found; analysing the whole module" in notes


def test_getattr_with_a_constant_name_and_run_time_dispatch(tmp_path: Path) -> None:
    report = analyse(tmp_path, {"handler.py": '''
        import boto3
        s3 = boto3.client("s3")

        def handler(event, context):
            getattr(s3, "delete_object")(Bucket="b", Key="k")
            getattr(s3, event["op"])(Bucket="b")
    '''})
    # nothing says which method: the service's actions, limited to the resources the call names
    assert simple(report) == {("s3", "DeleteObject"), ("s3", "*")}
    wildcard = next(c for c in report.calls if c.operation == "*")
    assert wildcard.actions == ("s3:*",) and wildcard.params["Bucket"].literal == "b" and wildcard.dynamic
    assert not next(c for c in report.calls if c.operation == "DeleteObject").dynamic
    assert "handler.py:7: method of the s3 client chosen at run time (getattr(s3, event['op'])); granting s3:* " \
        "on the resources its parameters name (statements marked ReviewInferred*)" in [str(n) for n in report.notes]


def test_run_time_dispatch_through_a_literal_table(tmp_path: Path) -> None:
    report = analyse(tmp_path, {"handler.py": '''
        import os
        import boto3
        s3 = boto3.client("s3")
        ACTIONS = {"archive": "put_object", "purge": "delete_object"}

        def handler(event, context):
            method = getattr(s3, ACTIONS[event["action"]])
            kwargs = {"Bucket": os.environ["BUCKET"], "Key": event["key"]}
            return method(**kwargs)
    '''})
    assert ops(report) == [("s3", "PutObject", {"Bucket": "${env:BUCKET}", "Key": "<event['key']>"}),
                           ("s3", "DeleteObject", {"Bucket": "${env:BUCKET}", "Key": "<event['key']>"})]
    assert all(c.dynamic for c in report.calls)
    assert any(str(n).startswith("handler.py:8: method of the s3 client chosen at run time") and
               "granting the methods it can name: put_object, delete_object" in str(n) for n in report.notes)


def test_run_time_dispatch_over_a_loop_a_conditional_and_a_prefix(tmp_path: Path) -> None:
    report = analyse(tmp_path, {"handler.py": '''
        import boto3
        sqs = boto3.client("sqs")
        ddb = boto3.client("dynamodb")
        sns = boto3.client("sns")

        def handler(event, context):
            for name in ("get_item", "delete_item"):
                getattr(ddb, name)(TableName="t", Key={})
            getattr(sqs, "send_message" + event["suffix"])(QueueUrl="https://sqs.us-east-1.amazonaws.com/1/q")
            getattr(sns, "publish" if event["one"] else "publish_batch")(TopicArn="arn:aws:sns:us-east-1:1:t")
    '''})
    assert simple(report) == {("dynamodb", "GetItem"), ("dynamodb", "DeleteItem"), ("sqs", "SendMessage"),
                              ("sqs", "SendMessageBatch"), ("sns", "Publish"), ("sns", "PublishBatch")}
    assert all(c.dynamic for c in report.calls)


def test_collection_items_keep_the_parent_identifiers(tmp_path: Path) -> None:
    report = analyse(tmp_path, {"handler.py": '''
        import boto3
        s3 = boto3.resource("s3")

        def handler(event, context):
            for obj in s3.Bucket("logs").objects.filter(Prefix="2024/"):
                obj.delete()
    '''})
    assert ("s3", "DeleteObject", {"Bucket": "logs", "Key": "<ObjectSummary.Key>"}) in ops(report)
