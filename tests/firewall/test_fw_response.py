"""Blocking answers per trigger, batch filtering and partial batch failures."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fw_helpers import SQLI, TEST_DETECTORS, b64, event

from hullguard.firewall import EventBlocked, Firewall
from hullguard.firewall.response import firehose_records

FW = Firewall(detectors=TEST_DETECTORS)


def _blocked(ev: Any) -> Any:
    verdict = FW.inspect(ev)
    assert verdict.blocked
    return verdict


def test_rest_api_answer() -> None:
    ev = event("apiGatewayProxyEvent.json")
    ev["queryStringParameters"]["parameter1"] = SQLI
    answer = FW.respond(_blocked(ev), ev)
    assert answer["statusCode"] == 403 and answer["isBase64Encoded"] is False
    assert json.loads(answer["body"]) == {"message": "Forbidden"}
    assert answer["headers"]["Content-Type"] == "application/json"
    assert answer["multiValueHeaders"]["Content-Type"] == ["application/json"]


@pytest.mark.parametrize("name", ["apiGatewayProxyV2Event.json", "lambdaFunctionUrlEvent.json"])
def test_http_api_and_function_url_answer(name: str) -> None:
    ev = event(name)
    ev["headers"]["x-test"] = SQLI
    answer = FW.respond(_blocked(ev), ev)
    assert answer["statusCode"] == 403 and "multiValueHeaders" not in answer and "statusDescription" not in answer


def test_alb_answer_follows_the_request_header_style() -> None:
    single = event("albEvent.json")
    single["headers"]["x-test"] = SQLI
    answer = FW.respond(_blocked(single), single)
    assert answer["statusDescription"] == "403 Forbidden" and "headers" in answer and "multiValueHeaders" not in answer
    multi = event("albMultiValueHeadersEvent.json")
    multi["multiValueHeaders"]["x-test"] = [SQLI]
    answer = FW.respond(_blocked(multi), multi)
    assert answer["multiValueHeaders"] == {"Content-Type": ["application/json"]} and "headers" not in answer


def test_lattice_websocket_and_authorizer_answers() -> None:
    lattice = event("vpcLatticeV2Event.json")
    lattice["headers"]["x-test"] = SQLI
    assert FW.respond(_blocked(lattice), lattice)["statusDescription"] == "403 Forbidden"
    ws = event("websocketMessageEvent.json")
    ws["body"] = SQLI
    assert FW.respond(_blocked(ws), ws) == {"statusCode": 403, "body": '{"message": "Forbidden"}'}
    token = event("apiGatewayAuthorizerTokenEvent.json")
    token["authorizationToken"] = SQLI
    deny = FW.respond(_blocked(token), token)
    assert deny["policyDocument"]["Statement"][0]["Effect"] == "Deny"
    assert deny["policyDocument"]["Statement"][0]["Resource"] == token["methodArn"]
    v2 = event("apiGatewayAuthorizerV2Event.json")
    v2["headers"]["Header1"] = SQLI
    assert FW.respond(_blocked(v2), v2) == {"isAuthorized": False}


def test_lambda_edge_answer_is_the_response_cloudfront_sends_instead() -> None:
    edge = event("lambdaEdgeViewerRequestEvent.json")
    edge["Records"][0]["cf"]["request"]["uri"] = "/" + SQLI
    answer = FW.respond(_blocked(edge), edge)
    assert answer["status"] == "403" and json.loads(answer["body"]) == {"message": "Forbidden"}
    assert answer["headers"] == {"content-type": [{"key": "Content-Type", "value": "application/json"}]}


def test_bots_custom_resources_and_raising_triggers() -> None:
    lex = event("lexV2Event.json")
    lex["inputTranscript"] = SQLI
    answer = FW.respond(_blocked(lex), lex)
    assert answer["sessionState"]["intent"]["state"] == "Failed"
    assert answer["sessionState"]["dialogAction"]["type"] == "Close"
    cfn = event("cloudformationCustomResourceCreate.json")
    cfn["ResourceProperties"]["MyProps"] = SQLI
    doc = FW.respond(_blocked(cfn), cfn)
    assert doc["Status"] == "FAILED" and doc["RequestId"] == cfn["RequestId"]
    cognito = event("cognitoPreSignUpEvent.json")
    cognito["request"]["userAttributes"]["email"] = SQLI
    with pytest.raises(EventBlocked):
        FW.respond(_blocked(cognito), cognito)


def test_sqs_batch_drops_only_the_malicious_record() -> None:
    ev = event("sqsEvent.json")
    ev["Records"][1]["body"] = json.dumps({"note": SQLI})
    verdict = _blocked(ev)
    assert verdict.batch and verdict.blocked_records == [1] and verdict.record_count == 2
    kept = FW.filter_batch(ev, verdict)
    assert [r["messageId"] for r in kept["Records"]] == [ev["Records"][0]["messageId"]]
    assert len(ev["Records"]) == 2  # the original event is untouched
    failures = FW.batch_item_failures(ev, verdict)
    assert failures == {"batchItemFailures": [{"itemIdentifier": ev["Records"][1]["messageId"]}]}
    assert FW.respond(verdict, ev) == failures
    quiet = Firewall(detectors=TEST_DETECTORS, policy={"report_batch_item_failures": False})
    assert quiet.respond(quiet.inspect(ev), ev) is None


def test_kinesis_and_dynamodb_item_identifiers() -> None:
    kinesis = event("kinesisStreamEvent.json")
    kinesis["Records"][0]["kinesis"]["data"] = b64(SQLI)
    verdict = _blocked(kinesis)
    seq = kinesis["Records"][0]["kinesis"]["sequenceNumber"]
    assert FW.batch_item_failures(kinesis, verdict) == {"batchItemFailures": [{"itemIdentifier": seq}]}
    assert len(FW.filter_batch(kinesis, verdict)["Records"]) == len(kinesis["Records"]) - 1
    ddb = event("dynamoStreamEvent.json")
    ddb["Records"][1]["dynamodb"]["NewImage"] = {"note": {"S": SQLI}}
    verdict = _blocked(ddb)
    seq = ddb["Records"][1]["dynamodb"]["SequenceNumber"]
    assert FW.batch_item_failures(ddb, verdict) == {"batchItemFailures": [{"itemIdentifier": seq}]}


def test_kafka_rabbitmq_and_firehose_filtering() -> None:
    kafka = event("kafkaEventMsk.json")
    group = kafka["records"]["mytopic-0"]
    group.append(dict(group[0], offset=16, value=b64(SQLI)))
    verdict = _blocked(kafka)
    assert verdict.blocked_records == [1]
    assert [r["offset"] for r in FW.filter_batch(kafka, verdict)["records"]["mytopic-0"]] == [15]
    assert FW.batch_item_failures(kafka, verdict) == {"batchItemFailures": []}
    rabbit = event("rabbitMQEvent.json")
    rabbit["rmqMessagesByQueue"]["pizzaQueue::/"][0]["data"] = b64(SQLI)
    assert FW.filter_batch(rabbit, _blocked(rabbit))["rmqMessagesByQueue"] == {}
    firehose = event("kinesisFirehosePutEvent.json")
    firehose["records"][0]["data"] = b64(SQLI)
    kept = FW.filter_batch(firehose, _blocked(firehose))["records"]
    assert [r["recordId"] for r in kept] == ["record2"]


def test_documentdb_change_stream_drops_only_the_malicious_change() -> None:
    changes = event("documentDBChangeEvent.json")
    changes["events"][0]["event"]["fullDocument"]["note"] = SQLI
    verdict = _blocked(changes)
    assert verdict.record_count == 2 and verdict.blocked_records == [0]
    kept = FW.filter_batch(changes, verdict)["events"]
    assert [c["event"]["operationType"] for c in kept] == ["update"]


def test_appsync_events_publish_drops_the_malicious_event_and_a_subscription_is_refused() -> None:
    published = event("appSyncEventsPublishEvent.json")
    published["events"][0]["payload"]["text"] = SQLI
    verdict = _blocked(published)
    assert verdict.record_count == 2 and verdict.blocked_records == [0]
    assert FW.respond(verdict, published) is None  # the handler broadcasts what it returns of the rest
    assert [e["payload"]["author"] for e in FW.filter_batch(published, verdict)["events"]] == ["jon"]
    subscription = event("appSyncEventsPublishEvent.json")
    subscription["info"]["operation"] = "SUBSCRIBE"
    subscription["events"] = None
    subscription["info"]["channel"]["path"] = "/chat/" + SQLI
    with pytest.raises(EventBlocked):
        FW.respond(_blocked(subscription), subscription)


def test_non_batch_events_pass_through_filter_unchanged() -> None:
    ev = event("s3Event.json")
    verdict = FW.inspect(ev)
    assert FW.filter_batch(ev, verdict) is ev
    assert FW.respond(verdict, ev) is None


def test_s3_batch_operations_and_firehose_answers() -> None:
    batch = event("s3BatchOperationEventSchemaV2.json")
    batch["tasks"][0]["s3Key"] = SQLI
    answer = FW.respond(_blocked(batch), batch)
    assert answer["invocationId"] == batch["invocationId"] and answer["treatMissingKeysAs"] == "PermanentFailure"
    assert answer["results"] == [
        {
            "taskId": batch["tasks"][0]["taskId"],
            "resultCode": "PermanentFailure",
            "resultString": "Blocked by the hullguard event firewall",
        }
    ]
    firehose = event("kinesisFirehosePutEvent.json")
    firehose["records"][1]["data"] = b64(SQLI)
    verdict = _blocked(firehose)
    assert firehose_records(firehose, verdict) == [
        {"recordId": "record2", "result": "ProcessingFailed", "data": firehose["records"][1]["data"]}
    ]
    every = FW.respond(verdict, firehose)["records"]
    assert [r["recordId"] for r in every] == ["record1", "record2"]
    assert {r["result"] for r in every} == {"ProcessingFailed"}
    # an MSK source's records hold kafkaRecordValue where others hold data
    value = firehose["records"][1].pop("data")
    firehose["records"][1]["kafkaRecordValue"] = value
    assert firehose_records(firehose, _blocked(firehose)) == [
        {"recordId": "record2", "result": "ProcessingFailed", "data": value}
    ]


def test_answers_are_imported_only_when_asked_for() -> None:
    import subprocess
    import sys

    # Inspecting needs no answer module; ``hullguard.firewall.EventBlocked`` still resolves to it.
    code = (
        "import sys, hullguard.firewall as fw; fw.Firewall(); before = 'hullguard.firewall.response' in sys.modules; "
        "from hullguard.firewall import EventBlocked; from hullguard.firewall.response import EventBlocked as E; "
        "print(before, EventBlocked is E is fw.EventBlocked)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.split() == ["False", "True"]
    with pytest.raises(AttributeError, match="no attribute 'Blocked'"):
        import hullguard.firewall

        _ = hullguard.firewall.Blocked  # type: ignore[attr-defined]
    assert json.loads(FW.respond(_blocked(_sqli_rest()), _sqli_rest())["body"]) == {"message": "Forbidden"}


def _sqli_rest() -> Any:
    ev = event("apiGatewayProxyEvent.json")
    ev["queryStringParameters"]["parameter1"] = SQLI
    return ev
