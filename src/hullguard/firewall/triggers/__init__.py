"""Trigger recognition: which event source an event comes from, and its attacker-controlled parts.

``identify(event)`` returns ``(trigger name, module)``, asking only the modules whose anchor keys the
event has; ``module.fields(event, name)`` gives the parts (see ``base.py``). Unknown shapes fall back
to ``direct`` (a bounded walk of every string).
``envelope(obj, path, record)`` recognises an event carried inside another (SNS or S3 or EventBridge
inside an SQS body, S3 inside SNS, CloudWatch Logs inside Kinesis) so its parts get the right decoding.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from importlib import import_module
from types import ModuleType

from hullguard.firewall.triggers import direct
from hullguard.firewall.triggers.base import Field, records

TYPE_CHECKING = False  # not typing's: importing typing costs about 3 ms of every cold start
if TYPE_CHECKING:
    from typing import Any

# The trigger modules in recognition order, each with the keys without which its ``identify``
# answers None (its anchors). Order matters: function URLs look like HTTP API v2 events;
# S3-via-EventBridge like any EventBridge event; the most common sources come first because
# identification stops at the first match. A module is imported when an event first has one of its
# anchors: a function sees one or two trigger types, and importing all twenty costs ~2 ms of cold
# start. (``test_fw_triggers`` checks the anchors against asking every module.)
ORDER: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("function_url", ("requestContext",)),
    ("apigw", ("type", "requestContext")),
    ("alb", ("requestContext",)),
    ("sqs", ("Records",)),
    ("sns", ("Records",)),
    ("s3", ("Records", "invocationSchemaVersion", "source", "getObjectContext", "userRequest")),
    ("dynamodb", ("Records",)),
    ("kinesis", ("Records",)),
    ("edge", ("Records",)),
    ("lattice", ("method",)),
    ("appsync", ("arguments", "authorizationToken", "events")),
    ("ses", ("Records",)),
    ("firehose", ("deliveryStreamArn",)),
    ("kafka", ("eventSource",)),
    ("mq", ("eventSource",)),
    ("docdb", ("eventSource",)),
    ("cloudwatch_logs", ("awslogs",)),
    ("cognito", ("triggerSource",)),
    ("lex", ("bot", "request")),
    ("iot", ("protocolData",)),
    ("aws_misc", ("RequestType", "invokingEvent", "SecretId", "CodePipeline.job", "actionGroup", "Name")),
    ("eventbridge", ("detail-type",)),
)
_LOADED: list[ModuleType | None] = [None] * len(ORDER)

# Triggers whose records can be dropped one by one (``Firewall.filter_batch``); the names are the
# modules' constants (a test checks), written out so that this set needs no module imported.
BATCH_TRIGGERS = frozenset(
    {
        "sqs",
        "kinesis",
        "dynamodb",
        "kafka",
        "activemq",
        "rabbitmq",
        "firehose",
        "appsync-batch",
        "appsync-events",
        "eventbridge-pipes",
        "documentdb",
    }
)

# Triggers answered with an HTTP response (``Firewall.respond`` builds a 403 in their format).
HTTP_TRIGGERS = frozenset(
    {
        "api-gateway-rest",
        "api-gateway-http",
        "api-gateway-websocket",
        "function-url",
        "alb",
        "vpc-lattice",
        "vpc-lattice-v2",
    }
)


def module(index: int) -> ModuleType:
    """The trigger module at ``index`` of ``ORDER``, imported on first use."""
    loaded = _LOADED[index]
    if loaded is None:
        loaded = _LOADED[index] = import_module(f"{__name__}.{ORDER[index][0]}")
    return loaded


def all_modules() -> tuple[ModuleType, ...]:
    """Every trigger module in recognition order (imports them all)."""
    return tuple(module(index) for index in range(len(ORDER)))


# A bit per module under each of its anchor keys: only modules with an anchor in the event are
# asked, in order.
def _anchor_bits() -> dict[str, int]:
    bits: dict[str, int] = {}
    for index, (_, anchors) in enumerate(ORDER):
        for key in anchors:
            bits[key] = bits.get(key, 0) | 1 << index
    return bits


_BITS = _anchor_bits()
_MANY_KEYS = 2 * len(_BITS)  # above this many keys, look the anchors up in the event instead
# HTTP events, the commonest, are recognised by the first modules, all anchored on these two keys:
# they are asked first, before the event's keys are read.
_HTTP_FIRST = 3
_HTTP_BITS = (1 << _HTTP_FIRST) - 1


def identify(event: Any) -> tuple[str, ModuleType]:
    if type(event) is dict:
        bits = _BITS
        mask = 0
        if "requestContext" in event or "type" in event:
            for index in range(_HTTP_FIRST):
                found = _LOADED[index] or module(index)
                name = found.identify(event)
                if name is not None:
                    return name, found
        if len(event) <= _MANY_KEYS:
            for key in event:
                mask |= bits.get(key, 0)
        else:
            for key, bit in bits.items():
                if key in event:
                    mask |= bit
        mask &= ~_HTTP_BITS  # asked above when they could answer
        while mask:
            low = mask & -mask
            index = low.bit_length() - 1
            found = _LOADED[index] or module(index)
            name = found.identify(event)
            if name is not None:
                return name, found
            mask ^= low
    elif isinstance(event, Mapping):
        for found in all_modules():
            name = found.identify(event)
            if name is not None:
                return name, found
    elif isinstance(event, list):
        from hullguard.firewall.triggers import appsync, pipes

        for found in (pipes, appsync):
            name = found.identify_list(event)
            if name is not None:
                return name, found
    return direct.DIRECT, direct


def envelope(obj: Any, path: str, record: int | None) -> Iterator[Field] | None:
    """The fields of an event found inside another one, or None when ``obj`` is no known event."""
    if type(obj) is not dict and not isinstance(obj, Mapping):
        return None
    if "Type" not in obj and "Records" not in obj and "detail-type" not in obj and "logEvents" not in obj:
        return None  # none of the shapes below (most JSON messages are plain data)
    from hullguard.firewall.triggers import cloudwatch_logs, eventbridge, s3, sns

    if sns.is_notification(obj):
        return sns.notification(obj, path, record)
    if s3.is_notification(obj):
        return s3.fields(obj, s3.S3, path, record)
    if eventbridge.is_event(obj):
        if obj.get("source") == "aws.s3":
            return s3.fields(obj, s3.EVENTBRIDGE, path, record)
        return eventbridge.fields(obj, eventbridge.EVENTBRIDGE, path, record)
    if cloudwatch_logs.is_payload(obj):
        return cloudwatch_logs.payload_fields(obj, path, record)
    return None


_RECORDS_LIST = frozenset({"sqs", "kinesis", "dynamodb"})  # batches under "Records"
# The key of a batch's list of records where it is not "Records" (Kafka and RabbitMQ group theirs by
# topic or queue, and AppSync batch resolvers and pipes send the list itself); ``record_count`` and
# ``Firewall.filter_batch`` both read it. Written out like ``BATCH_TRIGGERS`` (a test checks the names).
RECORD_LIST_KEYS: dict[str, str] = {
    "activemq": "messages",
    "firehose": "records",
    "documentdb": "events",
    "appsync-events": "events",
}


def record_count(event: Any, trigger: str) -> int:
    """How many records a batch event holds (0 for other triggers)."""
    if trigger not in BATCH_TRIGGERS:
        return 0
    if trigger in _RECORDS_LIST and type(event) is dict:  # the common case, without the checks below
        return len(records(event.get("Records")))
    if isinstance(event, list):
        return len(event)
    if not isinstance(event, Mapping):
        return 0
    from hullguard.firewall.triggers import kafka, mq

    if trigger == kafka.KAFKA:
        return sum(1 for _ in kafka.iter_records(event))
    if trigger == mq.RABBITMQ:
        return sum(1 for _ in mq.iter_rabbit(event))
    return len(records(event.get(RECORD_LIST_KEYS.get(trigger, "Records"))))


__all__ = [
    "BATCH_TRIGGERS",
    "HTTP_TRIGGERS",
    "ORDER",
    "RECORD_LIST_KEYS",
    "all_modules",
    "envelope",
    "identify",
    "module",
    "record_count",
]
