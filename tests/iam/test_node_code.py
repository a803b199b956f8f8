"""Node.js code analysis (tree-sitter) on real handler code."""

from __future__ import annotations

import textwrap
from pathlib import Path

from hullguard.iam.calls import CodeReport
from hullguard.iam.node_code import analyze_node


def analyse(tmp_path: Path, files: dict[str, str], entry: str = "index.js", export: str = "handler") -> CodeReport:
    for name, source in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
    return analyze_node(tmp_path, tmp_path / entry, export)


def ops(report: CodeReport) -> list[tuple[str, str, dict[str, str]]]:
    return [(c.service, c.operation, {k: v.describe() for k, v in c.params.items() if "." not in k})
            for c in report.calls]


def test_sdk_v2_clients_and_promise(tmp_path: Path) -> None:
    report = analyse(tmp_path, {"index.js": '''
        const AWS = require("aws-sdk");
        const S3 = require("aws-sdk/clients/s3");
        const s3 = new S3();
        const docs = new AWS.DynamoDB.DocumentClient();
        const BUCKET = process.env.BUCKET || "fallback";

        exports.handler = async (event) => {
          await s3.getObject({ Bucket: BUCKET, Key: `in/${event.key}` }).promise();
          await docs.query({ TableName: process.env["TABLE"] }).promise();
          await new AWS.SQS().sendMessageBatch({ QueueUrl: process.env.Q, Entries: [] }).promise();
          await s3.upload({ Bucket: "up", Key: "k", Body: "x" }).promise();
          return s3.getSignedUrl("putObject", { Bucket: "signed", Key: "k" });
        };
    '''})
    assert ops(report) == [
        ("s3", "GetObject", {"Bucket": "${env:BUCKET}", "Key": "in/<event.key>"}),
        ("dynamodb", "Query", {"TableName": "${env:TABLE}"}),
        ("sqs", "SendMessageBatch", {"QueueUrl": "${env:Q}", "Entries": "<[]>"}),
        ("s3", "PutObject", {"Bucket": "up", "Key": "k", "Body": "x"}),
        ("s3", "PutObject", {"Bucket": "signed", "Key": "k"}),
    ]
    assert report.calls[3].extra_actions == ("s3:AbortMultipartUpload",)


def test_sdk_v3_commands_paginators_and_lib_dynamodb(tmp_path: Path) -> None:
    report = analyse(tmp_path, {"index.mjs": '''
        import { S3Client, PutObjectCommand, paginateListObjectsV2 } from "@aws-sdk/client-s3";
        import { SFNClient, StartExecutionCommand as Start } from "@aws-sdk/client-sfn";
        import { DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
        import { DynamoDBClient } from "@aws-sdk/client-dynamodb";

        const s3 = new S3Client({});
        const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));

        export const handler = async (event) => {
          await s3.send(new PutObjectCommand({ Bucket: "b", Key: "k" }));
          for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: "b" })) {}
          await new SFNClient({}).send(new Start({ stateMachineArn: process.env.SM }));
          await doc.send(new UpdateCommand({ TableName: "t", Key: { id: 1 } }));
        };
    '''}, entry="index.mjs")
    assert [(s, o) for s, o, _ in ops(report)] == [
        ("s3", "PutObject"), ("s3", "ListObjectsV2"), ("stepfunctions", "StartExecution"), ("dynamodb", "UpdateItem")]


def test_local_modules_and_reachability(tmp_path: Path) -> None:
    report = analyse(tmp_path, {
        "index.js": '''
            const { save } = require("./lib/store");
            exports.handler = async (e) => save(e);
            exports.other = async () => { await require("./lib/store").purge(); };
        ''',
        "lib/store.js": '''
            const { DynamoDB } = require("@aws-sdk/client-dynamodb");
            const db = new DynamoDB({});
            async function save(item) { await db.putItem({ TableName: "items", Item: item }); }
            async function purge() { await db.deleteTable({ TableName: "items" }); }
            module.exports = { save, purge };
        ''',
    })
    assert [(s, o) for s, o, _ in ops(report)] == [("dynamodb", "PutItem")]
    assert report.files == ["index.js", "lib/store.js"]


def test_transactions_batch_and_partiql(tmp_path: Path) -> None:
    report = analyse(tmp_path, {"index.js": '''
        const AWS = require("aws-sdk");
        const doc = new AWS.DynamoDB.DocumentClient();
        const TABLE = process.env.TABLE;
        exports.handler = async () => {
          const items = [{ Put: { TableName: "a" } }, { ConditionCheck: { TableName: "b" } }];
          await doc.transactWrite({ TransactItems: items }).promise();
          await doc.batchWrite({ RequestItems: { [TABLE]: [], literal: [] } }).promise();
          await doc.executeStatement({ Statement: 'SELECT * FROM "c"' }).promise();
        };
    '''})
    found = [(c.params["TableName"].describe(), c.actions) for c in report.calls]
    assert found == [
        ("a", ("dynamodb:PutItem",)), ("b", ("dynamodb:ConditionCheckItem",)),
        ("${env:TABLE}", None), ("literal", None), ("c", ("dynamodb:PartiQLSelect",)),
    ]


def test_bad_code_and_dynamic_services_are_reported(tmp_path: Path) -> None:
    report = analyse(tmp_path, {"index.js": '''
        const AWS = require("aws-sdk");
        const c = new AWS[process.env.SVC]();
        const s3 = new AWS.S3();
        exports.handler = async () => {
          await s3.getObject({ Bucket: "b", Key: "k" }).promise();
          if (
        };
    '''})
    notes = [str(n) for n in report.notes]
    assert any(n.startswith("index.js:7: does not parse cleanly") or n.startswith("index.js:8: does not parse")
               for n in notes), notes
    assert any("AWS service chosen at run time" in n and n.startswith("index.js:3") for n in notes)
    assert ("s3", "GetObject") in [(s, o) for s, o, _ in ops(report)]


def analyse_env(tmp_path: Path, source: str, environment: dict[str, str]) -> CodeReport:
    (tmp_path / "index.js").write_text(textwrap.dedent(source))
    return analyze_node(tmp_path, tmp_path / "index.js", "handler", environment=environment)


DYNAMIC_SERVICE = '''
    const AWS = require("aws-sdk");
    const client = new AWS[process.env.QUEUE_SERVICE || "SQS"]();
    exports.handler = async (event) => {
      await client.sendMessage({ QueueUrl: process.env.QUEUE_URL, MessageBody: "x" }).promise();
      await client.publish({ TopicArn: process.env.TOPIC, Message: "x" }).promise();
    };
'''


def test_service_chosen_from_the_environment_uses_the_template_value_else_the_default(tmp_path: Path) -> None:
    from_default = analyse_env(tmp_path, DYNAMIC_SERVICE, {})
    assert [(s, o) for s, o, _ in ops(from_default)] == [("sqs", "SendMessage")]
    assert from_default.calls[0].dynamic == "new AWS[process.env.QUEUE_SERVICE || \"SQS\"]()"
    assert "index.js:3: AWS service chosen at run time (new AWS[process.env.QUEUE_SERVICE || \"SQS\"]()); " \
        "granting its calls on the candidate services: sqs (statements marked ReviewInferred*)" in \
        [str(n) for n in from_default.notes]
    from_template = analyse_env(tmp_path, DYNAMIC_SERVICE, {"QUEUE_SERVICE": "SNS"})
    assert [(s, o) for s, o, _ in ops(from_template)] == [("sns", "Publish")]
    # a candidate without the method is not the one in use: no "has no operation" note
    assert not any("has no operation" in str(n) for n in from_template.notes)


def test_service_chosen_from_a_literal_table_or_unknown(tmp_path: Path) -> None:
    report = analyse(tmp_path, {"index.js": '''
        const AWS = require("aws-sdk");
        const CLASSES = { queue: "SQS", topic: "SNS" };
        exports.handler = async (event) => {
          const client = new AWS[CLASSES[event.kind]]();
          await client.publish({ TopicArn: "arn:aws:sns:us-east-1:1:t", Message: "x" }).promise();
          const other = new AWS[event.service]();
          await other.deleteObject({ Bucket: "b", Key: "k" }).promise();
        };
    '''})
    assert [(s, o) for s, o, _ in ops(report)] == [("sns", "Publish")]
    notes = [str(n) for n in report.notes]
    assert any(n.startswith("index.js:5: AWS service chosen at run time") and "sqs, sns" in n for n in notes)
    assert any(n.startswith("index.js:7: AWS service chosen at run time") and "nothing is granted" in n
               for n in notes), notes


def test_unknown_service_package_is_reported(tmp_path: Path) -> None:
    report = analyse(tmp_path, {"index.js": '''
        // a client package for a service that does not exist
        const { XClient } = require("@aws-sdk/client-notreal");
        exports.handler = async () => new XClient({});
    '''})
    assert report.calls == []
    assert [str(n) for n in report.notes] == [
        "index.js:3: unknown AWS service package '@aws-sdk/client-notreal'; its calls are not known"]
