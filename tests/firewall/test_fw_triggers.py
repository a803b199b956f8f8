"""Every trigger shape: recognised from real sample events, and an attack planted in each
attacker-controlled field is found at the right location (with the test-only detectors)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from fw_helpers import SQLI, TEST_DETECTORS, XSS, all_sample_events, b64, b64_gzip_json, event

from hullguard.firewall import Firewall, triggers

FW = Firewall(detectors=TEST_DETECTORS)

EXPECTED_TRIGGERS = {
    "activeMQEvent.json": "activemq",
    "albEvent.json": "alb",
    "albMultiValueHeadersEvent.json": "alb",
    "albMultiValueQueryStringEvent.json": "alb",
    "apiGatewayAuthorizerRequestEvent.json": "api-gateway-authorizer-request",
    "apiGatewayAuthorizerTokenEvent.json": "api-gateway-authorizer-token",
    "apiGatewayAuthorizerV2Event.json": "api-gateway-authorizer-v2",
    "apiGatewayProxyEvent.json": "api-gateway-rest",
    "apiGatewayProxyV2Event.json": "api-gateway-http",
    "apiGatewayProxyV2IamEvent.json": "api-gateway-http",
    "appSyncAuthorizerEvent.json": "appsync-authorizer",
    "appSyncBatchEvent.json": "appsync-batch",
    "appSyncDirectResolver.json": "appsync",
    "appSyncResolverEvent.json": "appsync",
    "awsConfigRuleConfigurationChanged.json": "config-rule",
    "bedrockAgentPostEvent.json": "bedrock-agent",
    "cloudWatchLogEvent.json": "cloudwatch-logs",
    "cloudformationCustomResourceCreate.json": "cloudformation-custom-resource",
    "codePipelineEvent.json": "codepipeline",
    "cognitoPreSignUpEvent.json": "cognito",
    "cognitoUserMigrationEvent.json": "cognito",
    "connectContactFlowEventAll.json": "connect",
    "dynamoStreamEvent.json": "dynamodb",
    "eventBridgeEvent.json": "eventbridge",
    "kafkaEventMsk.json": "kafka",
    "kafkaEventSelfManaged.json": "kafka",
    "kinesisFirehosePutEvent.json": "firehose",
    "kinesisStreamEvent.json": "kinesis",
    "lambdaFunctionUrlEvent.json": "function-url",
    "rabbitMQEvent.json": "rabbitmq",
    "s3BatchOperationEventSchemaV1.json": "s3-batch-operations",
    "s3Event.json": "s3",
    "s3EventBridgeNotificationObjectCreatedEvent.json": "s3-eventbridge",
    "s3ObjectEventIAMUser.json": "s3-object-lambda",
    "s3SqsEvent.json": "sqs",
    "secretsManagerEvent.json": "secrets-manager-rotation",
    "sesEvent.json": "ses",
    "snsEvent.json": "sns",
    "snsSqsEvent.json": "sqs",
    "sqsEvent.json": "sqs",
    "vpcLatticeEvent.json": "vpc-lattice",
    "vpcLatticeV2Event.json": "vpc-lattice-v2",
    "websocketConnectEvent.json": "api-gateway-websocket",
    "websocketMessageEvent.json": "api-gateway-websocket",
    "lexV1Event.json": "lex",
    "lexV2Event.json": "lex-v2",
    "alexaIntentEvent.json": "alexa",
    "iotCustomAuthorizerEvent.json": "iot-authorizer",
    "cloudWatchAlarmEventSingleMetric.json": "direct",
    "activeMQLambdaEvent.json": "activemq",
    "lambdaEdgeViewerRequestEvent.json": "lambda-edge",
    "documentDBChangeEvent.json": "documentdb",
    "pipesSqsBatch.json": "eventbridge-pipes",
    "pipesKinesisBatch.json": "eventbridge-pipes",
    "pipesDynamoDBBatch.json": "eventbridge-pipes",
    "pipesActiveMQBatch.json": "eventbridge-pipes",
    "pipesKafkaBatch.json": "eventbridge-pipes",
    "appSyncEventsPublishEvent.json": "appsync-events",
    # an asynchronous invocation's record sent to an on-failure destination: read whole by the walk
    "lambdaDestinationFailureRecord.json": "direct",
}


@pytest.mark.parametrize("name", sorted(EXPECTED_TRIGGERS))
def test_trigger_is_recognised(name: str) -> None:
    assert FW.inspect(event(name)).trigger == EXPECTED_TRIGGERS[name]


def _identify_in_order(event: Any) -> str:
    """The first module that recognises ``event``, asking every module in order."""
    for module in triggers.all_modules():
        name = module.identify(event)
        if name is not None:
            return str(name)
    return "direct"


def _shapes(event: Any) -> list[Any]:
    """The event, and the event without each of its top-level keys (a half-recognised shape)."""
    return [event] + [{k: v for k, v in event.items() if k != key} for key in event]


@pytest.mark.parametrize("path", all_sample_events(), ids=lambda p: p.name)
def test_identify_asks_only_modules_whose_anchor_keys_are_present_and_agrees_with_asking_all(path: Any) -> None:
    sample = json.loads(path.read_text())
    if not isinstance(sample, dict):
        return
    for shape in _shapes(sample):
        assert triggers.identify(shape)[0] == _identify_in_order(shape)
    # one key more than the anchor lookup reads key by key: the other lookup gives the same answer
    padded = {**{f"pad{i}": i for i in range(100)}, **sample}
    assert triggers.identify(padded)[0] == _identify_in_order(sample)


def test_trigger_sets_name_the_modules_trigger_constants() -> None:
    from hullguard.firewall.triggers import (
        alb,
        apigw,
        appsync,
        docdb,
        dynamodb,
        firehose,
        function_url,
        kafka,
        kinesis,
        lattice,
        mq,
        pipes,
        sqs,
    )

    assert {
        sqs.SQS,
        kinesis.KINESIS,
        dynamodb.DYNAMODB,
        kafka.KAFKA,
        mq.ACTIVEMQ,
        mq.RABBITMQ,
        firehose.FIREHOSE,
        appsync.BATCH,
        appsync.EVENTS,
        pipes.PIPES,
        docdb.DOCUMENTDB,
    } == triggers.BATCH_TRIGGERS
    assert triggers.RECORD_LIST_KEYS == {
        mq.ACTIVEMQ: "messages",
        firehose.FIREHOSE: "records",
        docdb.DOCUMENTDB: "events",
        appsync.EVENTS: "events",
    }
    assert {
        apigw.REST,
        apigw.HTTP,
        apigw.WEBSOCKET,
        function_url.FUNCTION_URL,
        alb.ALB,
        lattice.LATTICE,
        lattice.LATTICE_V2,
    } == triggers.HTTP_TRIGGERS
    assert [m.__name__.rsplit(".", 1)[1] for m in triggers.all_modules()] == [name for name, _ in triggers.ORDER]


def test_trigger_modules_are_imported_when_an_event_needs_them() -> None:
    """A cold start imports no trigger module; an SQS event imports the SQS module, not the others."""
    code = (
        "import json, sys; import hullguard.firewall as fw; f = fw.Firewall(); "
        "loaded = lambda: sorted(m for m in sys.modules if m.startswith('hullguard.firewall.triggers.')); "
        "before = loaded(); f.inspect({'Records': [{'eventSource': 'aws:sqs', 'body': 'hello'}]}); "
        "print(json.dumps([before, loaded()]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    before, after = json.loads(out)
    prefix = "hullguard.firewall.triggers."
    assert before == [prefix + "base", prefix + "direct"]
    assert after == [prefix + "base", prefix + "direct", prefix + "sqs"]


@pytest.mark.parametrize("path", all_sample_events(), ids=lambda p: p.name)
def test_benign_sample_events_have_no_finding(path: Any) -> None:
    verdict = FW.inspect(json.loads(path.read_text()))
    assert verdict.findings == []
    assert not verdict.blocked and not verdict.error and not verdict.budget_exhausted


def _set(obj: Any, path: str, value: Any) -> None:
    """Set ``a.b[0].c`` in nested dicts/lists (test helper for planting payloads)."""
    parts: list[Any] = []
    for piece in path.replace("]", "").split("."):
        name, *indexes = piece.split("[")
        if name:
            parts.append(name)
        parts.extend(int(i) for i in indexes)
    for part in parts[:-1]:
        obj = obj[part]
    obj[parts[-1]] = value


EDGE = "lambdaEdgeViewerRequestEvent.json"
CF = "Records[0].cf.request"


def plant(name: str, where: str, value: Any) -> Callable[[], Any]:
    def build() -> Any:
        ev = event(name)
        _set(ev, where, value)
        return ev

    return build


def _firehose_msk(value: str) -> Any:
    """A Firehose transformation event whose source is an MSK topic: each record's ``kafkaRecordValue``
    where a Direct PUT record has ``data``."""
    ev = event("kinesisFirehosePutEvent.json")
    ev["sourceMSKArn"] = "arn:aws:kafka:us-east-1:123456789012:cluster/orders/0b1f5c3a-1"
    for i, item in enumerate(ev["records"]):
        del item["data"]
        item["mskRecordMetadata"] = {"offset": str(i), "partitionId": "0", "approximateArrivalTimestamp": 1700000000000}
        item["kafkaRecordValue"] = value if i == 1 else b64('{"order": 42}')
    return ev


def _cloudwatch(message: str) -> Any:
    ev = event("cloudWatchLogEvent.json")
    payload = {
        "messageType": "DATA_MESSAGE",
        "owner": "123456789012",
        "logGroup": "/aws/lambda/orders",
        "logStream": "2024/02/17/[$LATEST]abc",
        "subscriptionFilters": ["all"],
        "logEvents": [{"id": "1", "timestamp": 1, "message": "START"}, {"id": "2", "timestamp": 2, "message": message}],
    }
    ev["awslogs"]["data"] = b64_gzip_json(payload)
    return ev


def _kinesis_logs(message: str) -> Any:
    ev = event("kinesisStreamEvent.json")
    payload = {"messageType": "DATA_MESSAGE", "logGroup": "/x", "logEvents": [{"id": "1", "message": message}]}
    ev["Records"][1]["kinesis"]["data"] = b64_gzip_json(payload)
    return ev


def _sns_in_sqs(note: str) -> Any:
    ev = event("snsSqsEvent.json")
    envelope = json.loads(ev["Records"][0]["body"])
    envelope["Message"] = json.dumps({"order": {"note": note}})
    ev["Records"][0]["body"] = json.dumps(envelope)
    return ev


def _raw_query_only(name: str, raw: str) -> Any:
    ev = event(name)
    ev.pop("queryStringParameters", None)
    ev["rawQueryString"] = raw
    return ev


def _s3_in_sqs(key: str) -> Any:
    ev = event("s3SqsEvent.json")
    inner = json.loads(ev["Records"][0]["body"])
    inner["Records"][0]["s3"]["object"]["key"] = key
    ev["Records"][0]["body"] = json.dumps(inner)
    return ev


def _s3_in_sns_in_sqs(key: str) -> Any:
    s3_event = json.loads(event("s3SqsEvent.json")["Records"][0]["body"])
    s3_event["Records"][0]["s3"]["object"]["key"] = key
    ev = event("snsSqsEvent.json")
    envelope = json.loads(ev["Records"][0]["body"])
    envelope["Message"] = json.dumps(s3_event)
    ev["Records"][0]["body"] = json.dumps(envelope)
    return ev


def _eventbridge_in_sqs(note: str) -> Any:
    ev = event("sqsEventBridgeEnvelope.json")
    inner = json.loads(ev["Records"][1]["body"])
    inner["detail"]["customer"]["note"] = note
    ev["Records"][1]["body"] = json.dumps(inner)
    return ev


def _kafka(value: str) -> Any:
    ev = event("kafkaEventMsk.json")
    ev["records"]["mytopic-0"][0]["value"] = b64(json.dumps({"q": value}))
    return ev


def _kafka_header(value: str) -> Any:
    ev = event("kafkaEventMsk.json")
    ev["records"]["mytopic-0"][0]["headers"] = [{"trace": list(value.encode())}]
    return ev


def _inbound_federation(given_name: str) -> Any:
    """A Cognito inbound federation event (``InboundFederation_ExternalProvider``, as the Cognito
    developer guide describes it): what an OIDC provider said of the user, whose profile fields the user
    writes at that provider."""
    ev = event("cognitoPreSignUpEvent.json")
    ev["triggerSource"] = "InboundFederation_ExternalProvider"
    ev["request"] = {
        "providerName": "CorpOIDC",
        "providerType": "OIDC",
        "attributes": {
            "tokenResponse": {"token_type": "Bearer", "expires_in": "3600"},
            "idToken": {"sub": "u-41", "email": "ana@example.com"},
            "userInfo": {"given_name": given_name, "family_name": "Lopez"},
        },
    }
    ev["response"] = {"userAttributesToMap": {}}
    return ev


def _appsync_batch(value: str) -> Any:
    ev = event("appSyncBatchEvent.json")
    ev[1]["arguments"] = {"title": value}
    return ev


def _form_body(value: str) -> Any:
    ev = event("apiGatewayProxyEvent.json")
    ev["headers"]["Content-Type"] = "application/x-www-form-urlencoded"
    ev["body"] = "name=jane&comment=" + quote_plus(value)
    return ev


def _multipart_body(value: str) -> Any:
    ev = event("apiGatewayProxyV2Event.json")
    ev["headers"]["content-type"] = "multipart/form-data; boundary=XyZ"
    ev["body"] = (
        '--XyZ\r\nContent-Disposition: form-data; name="title"\r\n\r\nholiday\r\n'
        f'--XyZ\r\nContent-Disposition: form-data; name="caption"\r\n\r\n{value}\r\n--XyZ--\r\n'
    )
    return ev


def _base64_body(value: str) -> Any:
    ev = event("apiGatewayProxyEvent.json")
    ev["body"] = b64(json.dumps({"user": {"name": value}}))
    ev["isBase64Encoded"] = True
    return ev


def _xml_body(value: str) -> Any:
    ev = event("lambdaFunctionUrlEvent.json")
    ev["headers"]["content-type"] = "application/xml"
    ev["body"] = f'<?xml version="1.0"?><order><note>{value.replace("<", "&lt;")}</note></order>'
    return ev


def _cookie_v1(value: str) -> Any:
    ev = event("apiGatewayProxyEvent.json")
    ev["headers"]["Cookie"] = "theme=dark; session=" + quote(value)
    return ev


def _config(value: str) -> Any:
    ev = event("awsConfigRuleConfigurationChanged.json")
    ev["ruleParameters"] = json.dumps({"allowedTypes": value})
    return ev


def _dynamodb_nested(value: str) -> Any:
    ev = event("dynamoStreamEvent.json")
    ev["Records"][1]["dynamodb"]["NewImage"] = {
        "profile": {"M": {"tags": {"L": [{"S": "ok"}, {"S": value}]}}},
        "Id": {"N": "7"},
    }
    return ev


def _iot_password(value: str) -> Any:
    ev = event("iotCustomAuthorizerEvent.json")
    ev["protocolData"]["mqtt"]["password"] = b64(value)
    return ev


def _codepipeline(value: str) -> Any:
    ev = event("codePipelineEvent.json")
    ev["CodePipeline.job"]["data"]["actionConfiguration"]["configuration"]["UserParameters"] = value
    return ev


def _direct(value: str) -> Any:
    return {"order": {"items": [{"sku": "A-1"}, {"sku": value}]}}


CASES: list[tuple[str, Callable[[], Any], str, int | None]] = [
    # HTTP triggers
    (
        "rest query",
        plant("apiGatewayProxyEvent.json", "queryStringParameters.parameter1", SQLI),
        "queryStringParameters.parameter1",
        None,
    ),
    (
        "rest multi-value query",
        plant("apiGatewayProxyEvent.json", "multiValueQueryStringParameters.parameter1[1]", SQLI),
        "multiValueQueryStringParameters.parameter1[1]",
        None,
    ),
    ("rest header", plant("apiGatewayProxyEvent.json", "headers.Header1", SQLI), "headers.header1", None),
    (
        "rest path parameter",
        plant("apiGatewayProxyEvent.json", "pathParameters", {"id": SQLI}),
        "pathParameters.id",
        None,
    ),
    ("rest path", plant("apiGatewayProxyEvent.json", "path", "/items/" + SQLI), "path", None),
    (
        "rest json body",
        plant("apiGatewayProxyEvent.json", "body", json.dumps({"user": {"name": SQLI}})),
        "body.user.name",
        None,
    ),
    ("rest base64 body", lambda: _base64_body(SQLI), "body.user.name", None),
    ("rest form body", lambda: _form_body(SQLI), "body.comment", None),
    ("rest cookie", lambda: _cookie_v1(SQLI), "headers.cookie.session", None),
    (
        "http api v2 query",
        plant("apiGatewayProxyV2Event.json", "queryStringParameters.parameter1", SQLI),
        "queryStringParameters.parameter1",
        None,
    ),
    (
        "http api v2 cookie",
        plant("apiGatewayProxyV2Event.json", "cookies", ["a=1", "session=" + quote(SQLI)]),
        "cookies[1].session",
        None,
    ),
    ("http api v2 raw path", plant("apiGatewayProxyV2Event.json", "rawPath", "/x/" + quote(SQLI)), "rawPath", None),
    ("http api v2 multipart", lambda: _multipart_body(XSS), "body.caption", None),
    ("function url xml body", lambda: _xml_body(XSS), "body", None),
    (
        "function url header",
        plant("lambdaFunctionUrlEvent.json", "headers.user-agent", XSS),
        "headers.user-agent",
        None,
    ),
    (
        "alb encoded query",
        plant("albEvent.json", "queryStringParameters", {"q": quote_plus(SQLI)}),
        "queryStringParameters.q",
        None,
    ),
    (
        "alb multi-value header",
        plant("albMultiValueHeadersEvent.json", "multiValueHeaders.accept", [XSS]),
        "multiValueHeaders.accept",
        None,
    ),
    (
        "alb multi-value header, second value",
        plant("albMultiValueHeadersEvent.json", "multiValueHeaders.header2", ["value1", SQLI]),
        "multiValueHeaders.header2[1]",
        None,
    ),
    (
        "alb multi-value cookie",
        plant("albMultiValueHeadersEvent.json", "multiValueHeaders.cookie", ["a=1; session=" + quote(SQLI)]),
        "multiValueHeaders.cookie.session",
        None,
    ),
    ("lattice v1 base64 body", plant("vpcLatticeEvent.json", "body", b64(json.dumps({"q": SQLI}))), "body.q", None),
    (
        "lattice v2 query under v1's name (as in Powertools' sample)",
        plant("vpcLatticeEventV2PathTrailingSlash.json", "query_string_parameters.order-id", SQLI),
        "query_string_parameters.order-id",
        None,
    ),
    (
        "http api cookies as one header's text",
        plant("apiGatewayProxyV2Event.json", "cookies", "a=1; session=" + quote(SQLI)),
        "cookies.session",
        None,
    ),
    (
        "http api cookies as a map",
        plant("apiGatewayProxyV2Event.json", "cookies", {"session": SQLI}),
        "cookies.session",
        None,
    ),
    (
        "rest body already parsed into an object (a local invoke)",
        plant("apiGatewayProxyEvent.json", "body", {"order": {"note": SQLI}}),
        "body.order.note",
        None,
    ),
    (
        "http api body already parsed into a list",
        plant("apiGatewayProxyV2Event.json", "body", [{"q": XSS}]),
        "body[0].q",
        None,
    ),
    (
        "http api raw query string without parsed parameters",
        lambda: _raw_query_only("apiGatewayProxyV2Event.json", "page=2&q=" + quote_plus(SQLI)),
        "rawQueryString.q",
        None,
    ),
    (
        "function url raw query string without parsed parameters",
        lambda: _raw_query_only("lambdaFunctionUrlEvent.json", "q=" + quote(XSS)),
        "rawQueryString.q",
        None,
    ),
    (
        "lattice v2 query",
        plant("vpcLatticeV2Event.json", "queryStringParameters", {"q": [quote(SQLI)]}),
        "queryStringParameters.q",
        None,
    ),
    (
        "websocket message",
        plant("websocketMessageEvent.json", "body", json.dumps({"action": "send", "text": XSS})),
        "body.text",
        None,
    ),
    (
        "websocket message user agent (no headers)",
        plant("websocketMessageEvent.json", "requestContext.identity.userAgent", SQLI),
        "requestContext.identity.userAgent",
        None,
    ),
    (
        "http api context user agent unlike the header",
        plant("apiGatewayProxyV2Event.json", "requestContext.http.userAgent", XSS),
        "requestContext.http.userAgent",
        None,
    ),
    (
        "websocket connect query",
        plant("websocketConnectEvent.json", "queryStringParameters.room", SQLI),
        "queryStringParameters.room",
        None,
    ),
    (
        "token authorizer",
        plant("apiGatewayAuthorizerTokenEvent.json", "authorizationToken", SQLI),
        "authorizationToken",
        None,
    ),
    (
        "request authorizer header",
        plant("apiGatewayAuthorizerRequestEvent.json", "headers.HeaderAuth1", SQLI),
        "headers.headerauth1",
        None,
    ),
    (
        "v2 authorizer query",
        plant("apiGatewayAuthorizerV2Event.json", "queryStringParameters.parameter2", SQLI),
        "queryStringParameters.parameter2",
        None,
    ),
    # GraphQL
    ("appsync argument", plant("appSyncResolverEvent.json", "arguments.name", SQLI), "arguments.name", None),
    ("appsync batch record", lambda: _appsync_batch(SQLI), "[1].arguments.title", 1),
    (
        "appsync nested argument in the selection set",
        plant(
            "appSyncDirectResolver.json",
            "info.selectionSetGraphQL",
            '{ id posts(search: "' + SQLI.replace("'", "\\'") + '") { title } }',
        ),
        "info.selectionSetGraphQL",
        None,
    ),
    (
        "appsync authorizer query literal",
        plant(
            "appSyncAuthorizerEvent.json",
            "requestContext.queryString",
            'query { find(q: "' + SQLI.replace("'", "\\'") + '") { id } }',
        ),
        "requestContext.queryString",
        None,
    ),
    (
        "appsync authorizer query that is not graphql",
        plant("appSyncAuthorizerEvent.json", "requestContext.queryString", "query Q { a }\n" + XSS),
        "requestContext.queryString",
        None,
    ),
    (
        "appsync authorizer operation name",
        plant("appSyncAuthorizerEvent.json", "requestContext.operationName", SQLI),
        "requestContext.operationName",
        None,
    ),
    (
        "appsync events payload",
        plant("appSyncEventsPublishEvent.json", "events[1].payload.text", SQLI),
        "events[1].payload.text",
        1,
    ),
    (
        "appsync events channel",
        plant("appSyncEventsPublishEvent.json", "info.channel.path", "/chat/" + XSS),
        "info.channel.path",
        None,
    ),
    (
        "appsync events header",
        plant("appSyncEventsPublishEvent.json", "request.headers.x-client", SQLI),
        "request.headers.x-client",
        None,
    ),
    (
        "appsync authorizer header",
        plant("appSyncAuthorizerEvent.json", "requestHeaders", {"User-Agent": "Mozilla/5.0", "x-tenant": SQLI}),
        "requestHeaders.x-tenant",
        None,
    ),
    # storage and messaging
    (
        "s3 key url-encoded with +",
        plant("s3Event.json", "Records[0].s3.object.key", quote_plus(SQLI)),
        "Records[0].s3.object.key",
        0,
    ),
    (
        "s3 batch operations key",
        plant("s3BatchOperationEventSchemaV1.json", "tasks[0].s3Key", quote_plus(SQLI)),
        "tasks[0].s3Key",
        0,
    ),
    (
        "s3 via eventbridge key",
        plant("s3EventBridgeNotificationObjectCreatedEvent.json", "detail.object.key", SQLI),
        "detail.object.key",
        None,
    ),
    (
        "s3 object lambda url",
        plant("s3ObjectEventIAMUser.json", "userRequest.url", "/a?q=" + quote(SQLI)),
        "userRequest.url",
        None,
    ),
    (
        "sqs json body",
        plant("sqsEvent.json", "Records[1].body", json.dumps({"order": {"note": SQLI}})),
        "Records[1].body.order.note",
        1,
    ),
    (
        "sqs message attribute",
        plant("sqsEvent.json", "Records[0].messageAttributes", {"trace": {"stringValue": SQLI, "dataType": "String"}}),
        "Records[0].messageAttributes.trace.stringValue",
        0,
    ),
    (
        "sqs message attribute list",
        plant(
            "sqsEvent.json",
            "Records[1].messageAttributes",
            {"tags": {"stringListValues": ["a", SQLI], "binaryListValues": [], "dataType": "String"}},
        ),
        "Records[1].messageAttributes.tags.stringListValues[1]",
        1,
    ),
    ("sns in sqs", lambda: _sns_in_sqs(SQLI), "Records[0].body.Message.order.note", 0),
    ("s3 in sqs", lambda: _s3_in_sqs(quote_plus(SQLI)), "Records[0].body.Records[0].s3.object.key", 0),
    (
        "s3 in sns in sqs",
        lambda: _s3_in_sns_in_sqs(quote_plus(SQLI)),
        "Records[0].body.Message.Records[0].s3.object.key",
        0,
    ),
    ("eventbridge in sqs", lambda: _eventbridge_in_sqs(SQLI), "Records[1].body.detail.customer.note", 1),
    ("sns message", plant("snsEvent.json", "Records[0].Sns.Message", SQLI), "Records[0].Sns.Message", 0),
    ("sns subject", plant("snsEvent.json", "Records[0].Sns.Subject", XSS), "Records[0].Sns.Subject", 0),
    (
        "sns binary attribute",
        plant("snsEvent.json", "Records[0].Sns.MessageAttributes.TestBinary.Value", b64(SQLI)),
        "Records[0].Sns.MessageAttributes.TestBinary.Value",
        0,
    ),
    ("eventbridge detail", plant("eventBridgeEvent.json", "detail.state", SQLI), "detail.state", None),
    ("cloudwatch logs base64+gzip", lambda: _cloudwatch(SQLI), "awslogs.data.logEvents[1].message", None),
    (
        "dynamodb new image",
        plant("dynamoStreamEvent.json", "Records[0].dynamodb.NewImage.Message.S", SQLI),
        "Records[0].dynamodb.NewImage.Message.S",
        0,
    ),
    (
        "dynamodb nested map and list",
        lambda: _dynamodb_nested(XSS),
        "Records[1].dynamodb.NewImage.profile.M.tags.L[1].S",
        1,
    ),
    (
        "kinesis base64 json",
        plant("kinesisStreamEvent.json", "Records[1].kinesis.data", b64(json.dumps({"user": {"name": SQLI}}))),
        "Records[1].kinesis.data.user.name",
        1,
    ),
    (
        "kinesis cloudwatch logs subscription",
        lambda: _kinesis_logs(SQLI),
        "Records[1].kinesis.data.logEvents[0].message",
        1,
    ),
    ("firehose base64 text", plant("kinesisFirehosePutEvent.json", "records[1].data", b64(XSS)), "records[1].data", 1),
    ("firehose msk value", lambda: _firehose_msk(b64(SQLI)), "records[1].kafkaRecordValue", 1),
    (
        "firehose kinesis partition key",
        plant("kinesisFirehosePutEvent.json", "records[0].kinesisRecordMetadata", {"partitionKey": XSS}),
        "records[0].kinesisRecordMetadata.partitionKey",
        0,
    ),
    ("kafka value", lambda: _kafka(SQLI), "records.mytopic-0[0].value.q", 0),
    ("kafka header bytes", lambda: _kafka_header(XSS), "records.mytopic-0[0].headers[0].trace", 0),
    ("activemq data", plant("activeMQEvent.json", "messages[1].data", b64(SQLI)), "messages[1].data", 1),
    ("activemq data, aws:mq", plant("activeMQLambdaEvent.json", "messages[1].data", b64(XSS)), "messages[1].data", 1),
    (
        "activemq correlation id",
        plant("activeMQEvent.json", "messages[1].correlationID", SQLI),
        "messages[1].correlationID",
        1,
    ),
    # DocumentDB change streams: the stored document and an update's fields
    (
        "documentdb full document",
        plant("documentDBChangeEvent.json", "events[0].event.fullDocument.note", SQLI),
        "events[0].event.fullDocument.note",
        0,
    ),
    (
        "documentdb updated field",
        plant("documentDBChangeEvent.json", "events[1].event.updateDescription.updatedFields.note", XSS),
        "events[1].event.updateDescription.updatedFields.note",
        1,
    ),
    # Lambda@Edge: the CloudFront request
    ("edge query string", plant(EDGE, f"{CF}.querystring", "lang=" + quote(SQLI)), f"{CF}.querystring.lang", 0),
    ("edge uri", plant(EDGE, f"{CF}.uri", "/" + XSS), f"{CF}.uri", 0),
    ("edge header", plant(EDGE, f"{CF}.headers.user-agent[0].value", SQLI), f"{CF}.headers.user-agent[0].value", 0),
    (
        "edge cookie",
        plant(EDGE, f"{CF}.headers.cookie[0].value", "theme=" + quote(XSS)),
        f"{CF}.headers.cookie[0].value.theme",
        0,
    ),
    (
        "edge base64 body",
        plant(EDGE, f"{CF}.body.data", b64("display_name=" + quote(SQLI))),
        f"{CF}.body.data.display_name",
        0,
    ),
    # EventBridge Pipes: each item of the array is a record of the pipe's source
    ("pipes sqs body", plant("pipesSqsBatch.json", "[1].body", SQLI), "[1].body", 1),
    (
        "pipes sqs attribute",
        plant("pipesSqsBatch.json", "[0].messageAttributes.tenant.stringValue", XSS),
        "[0].messageAttributes.tenant.stringValue",
        0,
    ),
    ("pipes kinesis data", plant("pipesKinesisBatch.json", "[1].data", b64(SQLI)), "[1].data", 1),
    ("pipes kinesis partition key", plant("pipesKinesisBatch.json", "[0].partitionKey", XSS), "[0].partitionKey", 0),
    (
        "pipes dynamodb image",
        plant("pipesDynamoDBBatch.json", "[0].dynamodb.NewImage.Message.S", XSS),
        "[0].dynamodb.NewImage.Message.S",
        0,
    ),
    ("pipes activemq data", plant("pipesActiveMQBatch.json", "[0].data", b64(SQLI)), "[0].data", 0),
    ("pipes kafka value", plant("pipesKafkaBatch.json", "[0].value", b64(XSS)), "[0].value", 0),
    (
        "rabbitmq data",
        plant("rabbitMQEvent.json", "rmqMessagesByQueue.pizzaQueue::/[0].data", b64(XSS)),
        "rmqMessagesByQueue.pizzaQueue::/[0].data",
        0,
    ),
    (
        "rabbitmq reply-to property",
        plant("rabbitMQEvent.json", "rmqMessagesByQueue.pizzaQueue::/[0].basicProperties.replyTo", XSS),
        "rmqMessagesByQueue.pizzaQueue::/[0].basicProperties.replyTo",
        0,
    ),
    (
        "ses subject",
        plant("sesEvent.json", "Records[0].ses.mail.commonHeaders.subject", XSS),
        "Records[0].ses.mail.commonHeaders.subject",
        0,
    ),
    (
        "ses header",
        plant("sesEvent.json", "Records[0].ses.mail.headers[0].value", SQLI),
        "Records[0].ses.mail.headers[0].value",
        0,
    ),
    (
        "ses recipient address",
        plant("sesEvent.json", "Records[0].ses.receipt.recipients[0]", SQLI),
        "Records[0].ses.receipt.recipients[0]",
        0,
    ),
    (
        "ses destination address",
        plant("sesEvent.json", "Records[0].ses.mail.destination[0]", XSS),
        "Records[0].ses.mail.destination[0]",
        0,
    ),
    (
        "ses header name",
        plant("sesEvent.json", "Records[0].ses.mail.headers[0].name", SQLI),
        "Records[0].ses.mail.headers[0].name",
        0,
    ),
    # identity, bots and other sources
    (
        "cognito user attribute",
        plant("cognitoPreSignUpEvent.json", "request.userAttributes.email", SQLI),
        "request.userAttributes.email",
        None,
    ),
    (
        "cognito inbound federation attribute",
        lambda: _inbound_federation(XSS),
        "request.attributes.userInfo.given_name",
        None,
    ),
    (
        "cognito migration password",
        plant("cognitoUserMigrationEvent.json", "request.password", SQLI),
        "request.password",
        None,
    ),
    ("lex v1 transcript", plant("lexV1Event.json", "inputTranscript", SQLI), "inputTranscript", None),
    (
        "lex v1 raw slot text",
        plant("lexV1Event.json", "currentIntent.slotDetails.FlowerType.originalValue", SQLI),
        "currentIntent.slotDetails.FlowerType.originalValue",
        None,
    ),
    (
        "lex v1 alternative intent slot",
        plant("lexV1Event.json", "alternativeIntents", [{"name": "Other", "slots": {"Note": XSS}}]),
        "alternativeIntents[0].slots.Note",
        None,
    ),
    (
        "lex v2 other interpretation",
        plant("lexV2Event.json", "interpretations[0].intent.slots.Location.value.originalValue", SQLI),
        "interpretations[0].intent.slots.Location.value.originalValue",
        None,
    ),
    (
        "lex v2 speech transcription",
        plant("lexV2Event.json", "transcriptions", [{"transcription": XSS, "transcriptionConfidence": 0.8}]),
        "transcriptions[0].transcription",
        None,
    ),
    (
        "lex v2 slot",
        plant("lexV2Event.json", "sessionState.intent.slots.Location.value.originalValue", SQLI),
        "sessionState.intent.slots.Location.value.originalValue",
        None,
    ),
    (
        "alexa slot",
        plant("alexaIntentEvent.json", "request.intent.slots.City.value", SQLI),
        "request.intent.slots.City.value",
        None,
    ),
    ("iot authorizer password (base64)", lambda: _iot_password(SQLI), "protocolData.mqtt.password", None),
    (
        "cloudformation properties",
        plant("cloudformationCustomResourceCreate.json", "ResourceProperties.MyProps", SQLI),
        "ResourceProperties.MyProps",
        None,
    ),
    ("config rule parameters (json in string)", lambda: _config(SQLI), "ruleParameters.allowedTypes", None),
    ("secrets manager secret id", plant("secretsManagerEvent.json", "SecretId", SQLI), "SecretId", None),
    (
        "codepipeline user parameters",
        lambda: _codepipeline(SQLI),
        "CodePipeline.job.data.actionConfiguration.configuration.UserParameters",
        None,
    ),
    ("bedrock agent input", plant("bedrockAgentPostEvent.json", "inputText", SQLI), "inputText", None),
    (
        "bedrock agent body property",
        plant("bedrockAgentPostEvent.json", "requestBody.content.application/json.properties[1].value", SQLI),
        "requestBody.content.application/json.properties[1].value",
        None,
    ),
    (
        "connect parameters",
        plant("connectContactFlowEventAll.json", "Details.Parameters", {"name": SQLI}),
        "Details.Parameters.name",
        None,
    ),
    ("direct invocation", lambda: _direct(SQLI), "order.items[1].sku", None),
]


@pytest.mark.parametrize(("label", "build", "location", "record"), CASES, ids=[c[0] for c in CASES])
def test_planted_attack_is_found_at_its_location(
    label: str, build: Callable[[], Any], location: str, record: int | None
) -> None:
    verdict = FW.inspect(build())
    assert not verdict.error
    locations = [(f.location, f.record) for f in verdict.findings]
    assert (location, record) in locations, locations
    assert verdict.blocked


@pytest.mark.parametrize(
    ("name", "where", "location"),
    [
        ("activeMQLambdaEvent.json", "messages[0].data", "messages[0].data"),
        ("pipesKinesisBatch.json", "[0].data", "[0].data"),
        ("pipesActiveMQBatch.json", "[0].data", "[0].data"),
        ("pipesKafkaBatch.json", "[0].value", "[0].value"),
        (EDGE, f"{CF}.body.data", f"{CF}.body.data.1;id"),  # a form body: "1;id" is a field name
    ],
)
def test_a_short_base64_message_is_decoded_as_its_source_declares(name: str, where: str, location: str) -> None:
    # "MTtpZA==" does not look like base64 to the walk of an unknown event (too short to guess):
    # only a recognised source says it is base64, and the command in it is found.
    verdict = Firewall().inspect(plant(name, where, b64("1;id"))())
    assert [(f.rule_id, f.location) for f in verdict.findings] == [("HG-CMDI-001", location)]


def test_a_pipes_batch_drops_only_its_blocked_items() -> None:
    batch = plant("pipesSqsBatch.json", "[0].body", SQLI)()
    verdict = FW.inspect(batch)
    assert verdict.record_count == 2 and verdict.blocked_records == [0]
    assert [item["messageId"] for item in FW.filter_batch(batch, verdict)] == [batch[1]["messageId"]]


def test_the_raw_query_string_is_read_only_where_the_parsed_parameters_are_missing() -> None:
    # API Gateway fills both from one request: with the parsed map there, its values are the views (the
    # raw string would only repeat them), and a benign raw string alone is clean.
    planted = event("apiGatewayProxyV2Event.json")
    planted["queryStringParameters"] = {"q": SQLI}
    planted["rawQueryString"] = "q=" + quote_plus(SQLI)
    assert [f.location for f in FW.inspect(planted).findings] == ["queryStringParameters.q"]
    benign = FW.inspect(_raw_query_only("apiGatewayProxyV2Event.json", "parameter1=value1&parameter2=value"))
    without_query = FW.inspect(_raw_query_only("apiGatewayProxyV2Event.json", ""))
    assert not benign.findings and benign.strings_scanned > without_query.strings_scanned


def test_the_context_user_agent_is_read_only_where_it_is_not_the_header() -> None:
    # API Gateway copies the User-Agent header into the request context: the same text is one view,
    # found at the header; a copy that differs (or a message event without headers) is a view of its own.
    same = event("apiGatewayProxyEvent.json")
    same["headers"]["User-Agent"] = same["requestContext"]["identity"]["userAgent"] = SQLI
    assert [f.location for f in FW.inspect(same).findings] == ["headers.user-agent"]
    lower = event("apiGatewayProxyV2Event.json")
    lower["headers"]["user-agent"] = lower["requestContext"]["http"]["userAgent"] = SQLI
    assert [f.location for f in FW.inspect(lower).findings] == ["headers.user-agent"]
    # another spelling, and a REST event with multi-value headers only: compared all the same
    odd = event("apiGatewayProxyEvent.json")
    odd["headers"]["USER-AGENT"] = odd["requestContext"]["identity"]["userAgent"] = SQLI
    assert [f.location for f in FW.inspect(odd).findings] == ["headers.user-agent"]
    multi = event("apiGatewayProxyEvent.json")
    multi["headers"] = None
    multi["multiValueHeaders"] = {"User-Agent": [SQLI]}
    multi["requestContext"]["identity"]["userAgent"] = SQLI
    assert [f.location for f in FW.inspect(multi).findings] == ["multiValueHeaders.user-agent"]


def test_secret_field_evidence_is_not_recorded() -> None:
    verdict = FW.inspect(plant("cognitoUserMigrationEvent.json", "request.password", SQLI)())
    assert verdict.findings[0].evidence.startswith("****")
    assert SQLI not in verdict.findings[0].evidence
