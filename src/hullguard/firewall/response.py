"""How a blocked event is answered, in the format its trigger expects.

| trigger | ``respond(verdict, event)`` |
|---|---|
| API Gateway REST (v1) | ``{"statusCode": 403, "headers", "multiValueHeaders", "body", "isBase64Encoded"}`` |
| API Gateway HTTP (v2), function URL | ``{"statusCode": 403, "headers", "body", "isBase64Encoded"}`` |
| WebSocket | ``{"statusCode": 403, "body"}`` (a ``$connect`` route refuses the connection) |
| ALB | as v1 plus ``statusDescription``; ``multiValueHeaders`` instead of ``headers`` when the request used them |
| VPC Lattice v1/v2 | ``{"statusCode": 403, "statusDescription", "headers", "body", "isBase64Encoded"}`` |
| Lambda@Edge | the response CloudFront sends instead: ``{"status": "403", "statusDescription", "headers", "body"}`` |
| API Gateway Lambda authorizers | a Deny IAM policy (REST, HTTP payload 1.0) / ``{"isAuthorized": false}`` (HTTP 2.0) |
| AppSync authorizer / IoT authorizer | ``{"isAuthorized": false}`` / ``{"isAuthenticated": false, ...}`` |
| Lex v2, Lex v1, Alexa | a dialog that closes the conversation ("I can't help with that.") |
| CloudFormation custom resource | the ``FAILED`` response document (the caller PUTs it to ``ResponseURL``) |
| AppSync resolvers, Cognito triggers | raises ``EventBlocked`` (the service turns the error into a refusal) |
| AppSync Events | a subscription: raises ``EventBlocked``; a publish: ``None``, and ``filter_batch`` drops the |
| | blocked events (the handler returns the others, which are broadcast) |
| SQS, Kinesis, DynamoDB | ``batch_item_failures`` when the policy reports them, else ``None`` |
| S3 Batch Operations | the job result with ``PermanentFailure`` for each task |
| Firehose transformation | every record answered ``ProcessingFailed`` (see ``firehose_records``) |
| everything else (S3, SNS, EventBridge, logs, ...) | ``None``: the event is dropped, the security event records it |

The body never names the rule that matched: an attacker learns nothing about what to change.
"""

from __future__ import annotations

from collections.abc import Mapping

from hullguard.firewall.triggers import (
    BATCH_TRIGGERS,
    RECORD_LIST_KEYS,
    alb,
    apigw,
    appsync,
    aws_misc,
    cognito,
    dynamodb,
    edge,
    firehose,
    function_url,
    iot,
    kafka,
    kinesis,
    lattice,
    lex,
    mq,
    s3,
    sqs,
)
from hullguard.firewall.triggers.base import mapping, records
from hullguard.firewall.verdict import Verdict

TYPE_CHECKING = False
if TYPE_CHECKING:  # ``typing`` costs about 3 ms of every cold start; type checkers see it here
    from typing import Any

    from hullguard.firewall.policy import FirewallPolicy

BODY = '{"message": "Forbidden"}'  # json.dumps({"message": "Forbidden"}), without importing json
_JSON = {"Content-Type": "application/json"}


class EventBlocked(Exception):
    """Raised by ``respond`` for triggers whose service turns a failed invocation into a refusal."""

    def __init__(self, trigger: str) -> None:
        super().__init__(f"event blocked by hullguard firewall (trigger {trigger})")
        self.trigger = trigger


def respond(verdict: Verdict, event: Any, policy: FirewallPolicy | None = None) -> Any:
    trigger = verdict.trigger
    ev = mapping(event)
    if trigger == apigw.REST:
        return {
            "statusCode": 403,
            "headers": dict(_JSON),
            "multiValueHeaders": {"Content-Type": ["application/json"]},
            "body": BODY,
            "isBase64Encoded": False,
        }
    if trigger in (apigw.HTTP, function_url.FUNCTION_URL):
        return {"statusCode": 403, "headers": dict(_JSON), "body": BODY, "isBase64Encoded": False}
    if trigger == apigw.WEBSOCKET:
        return {"statusCode": 403, "body": BODY}
    if trigger == alb.ALB:
        answer: dict[str, Any] = {"statusCode": 403, "statusDescription": "403 Forbidden", "body": BODY}
        if "multiValueHeaders" in ev:
            answer["multiValueHeaders"] = {"Content-Type": ["application/json"]}
        else:
            answer["headers"] = dict(_JSON)
        answer["isBase64Encoded"] = False
        return answer
    if trigger in (lattice.LATTICE, lattice.LATTICE_V2):
        return {
            "statusCode": 403,
            "statusDescription": "403 Forbidden",
            "headers": dict(_JSON),
            "body": BODY,
            "isBase64Encoded": False,
        }
    if trigger == edge.EDGE:
        return edge.answer(403, BODY)
    if trigger in (apigw.AUTH_TOKEN, apigw.AUTH_REQUEST) or (trigger == apigw.AUTH_V2 and "methodArn" in ev):
        resource = ev.get("methodArn") or ev.get("routeArn") or "*"
        return {
            "principalId": "hullguard-blocked",
            "policyDocument": {
                "Version": "2012-10-17",
                "Statement": [{"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": resource}],
            },
        }
    if trigger in (apigw.AUTH_V2, appsync.AUTHORIZER):
        return {"isAuthorized": False}
    if trigger == iot.IOT_AUTHORIZER:
        return {
            "isAuthenticated": False,
            "principalId": "hullguardBlocked",
            "disconnectAfterInSeconds": 300,
            "refreshAfterInSeconds": 300,
            "policyDocuments": [],
        }
    if trigger == lex.LEX_V2:
        intent = dict(mapping(mapping(ev.get("sessionState")).get("intent")))
        intent["state"] = "Failed"
        return {
            "sessionState": {"dialogAction": {"type": "Close"}, "intent": intent},
            "messages": [{"contentType": "PlainText", "content": "I can't help with that."}],
        }
    if trigger == lex.LEX:
        return {
            "dialogAction": {
                "type": "Close",
                "fulfillmentState": "Failed",
                "message": {"contentType": "PlainText", "content": "I can't help with that."},
            }
        }
    if trigger == lex.ALEXA:
        return {
            "version": "1.0",
            "response": {
                "outputSpeech": {"type": "PlainText", "text": "Sorry, I can't help with that."},
                "shouldEndSession": True,
            },
        }
    if trigger == aws_misc.CFN:
        return {
            "Status": "FAILED",
            "Reason": "Request blocked by the hullguard event firewall",
            "PhysicalResourceId": ev.get("PhysicalResourceId") or ev.get("LogicalResourceId") or "hullguard-blocked",
            "StackId": ev.get("StackId", ""),
            "RequestId": ev.get("RequestId", ""),
            "LogicalResourceId": ev.get("LogicalResourceId", ""),
        }
    subscription = trigger == appsync.EVENTS and not verdict.record_count  # refused by the error too
    if trigger in (appsync.RESOLVER, appsync.BATCH, cognito.COGNITO) or subscription:
        raise EventBlocked(trigger)
    if trigger == s3.BATCH_OPS:
        return {
            "invocationSchemaVersion": ev.get("invocationSchemaVersion", "1.0"),
            "treatMissingKeysAs": "PermanentFailure",
            "invocationId": ev.get("invocationId", ""),
            "results": [
                {
                    "taskId": mapping(task).get("taskId", ""),
                    "resultCode": "PermanentFailure",
                    "resultString": "Blocked by the hullguard event firewall",
                }
                for task in records(ev.get("tasks"))
            ],
        }
    if trigger == firehose.FIREHOSE:
        return {"records": firehose_records(event, Verdict(blocked_records=list(range(verdict.record_count))))}
    if trigger in BATCH_TRIGGERS:
        if policy is not None and policy.report_batch_item_failures:
            failures = batch_item_failures(event, verdict)
            if failures["batchItemFailures"]:
                return failures
        return None
    return None


def batch_item_failures(event: Any, verdict: Verdict) -> dict[str, list[dict[str, str]]]:
    """Partial batch response for the blocked records (SQS messageId, Kinesis sequenceNumber,
    DynamoDB SequenceNumber). Other triggers have no such contract: the list is empty."""
    failures: list[dict[str, str]] = []
    items = records(mapping(event).get("Records"))
    for index in verdict.blocked_records:
        if not 0 <= index < len(items):
            continue
        item = mapping(items[index])
        ident: Any = None
        if verdict.trigger == sqs.SQS:
            ident = item.get("messageId")
        elif verdict.trigger == kinesis.KINESIS:
            ident = mapping(item.get("kinesis")).get("sequenceNumber")
        elif verdict.trigger == dynamodb.DYNAMODB:
            ident = mapping(item.get("dynamodb")).get("SequenceNumber")
        if isinstance(ident, str):
            failures.append({"itemIdentifier": ident})
    return {"batchItemFailures": failures}


def firehose_records(event: Any, verdict: Verdict) -> list[dict[str, str]]:
    """Firehose answers every record it sent: the blocked ones as ``ProcessingFailed`` (they go to the
    delivery stream's error output), to be added to the handler's answer for the others."""
    answers: list[dict[str, str]] = []
    items = records(mapping(event).get("records"))
    for index in verdict.blocked_records:
        if 0 <= index < len(items):
            item = mapping(items[index])
            answers.append(
                {
                    "recordId": str(item.get("recordId", "")),
                    "result": "ProcessingFailed",
                    "data": str(item.get("data", item.get("kafkaRecordValue", ""))),  # (an MSK source's)
                }
            )
    return answers


def filter_batch(event: Any, verdict: Verdict) -> Any:
    """A shallow copy of a batch event without the blocked records; other events come back as they are."""
    drop = set(verdict.blocked_records)
    if not drop or verdict.trigger not in BATCH_TRIGGERS:
        return event
    if isinstance(event, list):  # AppSync batch resolver, EventBridge Pipes batch
        return [item for i, item in enumerate(event) if i not in drop]
    if not isinstance(event, Mapping):
        return event
    copy = dict(event)
    if verdict.trigger == kafka.KAFKA:
        kept: dict[str, list[Any]] = {}
        for index, (group, _, item) in enumerate(kafka.iter_records(event)):
            kept.setdefault(group, [])
            if index not in drop:
                kept[group].append(item)
        copy["records"] = {group: items for group, items in kept.items() if items}
    elif verdict.trigger == mq.RABBITMQ:
        queues: dict[str, list[Any]] = {}
        for index, (queue, _, item) in enumerate(mq.iter_rabbit(event)):
            queues.setdefault(queue, [])
            if index not in drop:
                queues[queue].append(item)
        copy["rmqMessagesByQueue"] = {queue: items for queue, items in queues.items() if items}
    else:
        key = RECORD_LIST_KEYS.get(verdict.trigger, "Records")
        copy[key] = [item for i, item in enumerate(records(event.get(key))) if i not in drop]
    return copy


__all__ = ["BODY", "EventBlocked", "batch_item_failures", "filter_batch", "firehose_records", "respond"]
