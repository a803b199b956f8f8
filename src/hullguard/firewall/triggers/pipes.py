"""EventBridge Pipes with a Lambda function as target: a JSON array of the source's records.

A pipe sends its whole batch in one invocation, as an array even when it holds one record. Each
item is a record as the pipe received it from its source, which ``eventSource`` names:
- SQS messages and DynamoDB stream records are shaped as Lambda's own event source mappings
  deliver them;
- Kinesis records are flattened: ``data`` (base64) and ``partitionKey`` sit at the item's top, with
  no ``kinesis`` object around them;
- Amazon MQ and Kafka records carry one message each: base64 ``data``, or base64 ``key`` and
  ``value`` with byte-list headers.

Read as an unknown event, such an array would be walked string by string, and a short base64 value
would not be decoded ("MTtpZA==" is "1;id"): the parts are given the decoding their source declares.
An item of another source is walked whole.
"""

from __future__ import annotations

from collections.abc import Mapping

from hullguard.firewall.triggers import dynamodb, kafka, mq, sqs
from hullguard.firewall.triggers.base import BASE64, PLAIN, Field, child, walk

TYPE_CHECKING = False  # not typing's: importing typing costs about 3 ms of every cold start
if TYPE_CHECKING:
    from typing import Any

PIPES = "eventbridge-pipes"
_SOURCES = frozenset(
    {"aws:sqs", "aws:kinesis", "aws:dynamodb", mq.RABBITMQ_SOURCE, *mq.ACTIVEMQ_SOURCES, *kafka.SOURCES}
)


def identify_list(event: list[Any]) -> str | None:
    """A pipe's batch: an array whose first item is a record of a source pipes read."""
    head = event[0] if event else None
    source = head.get("eventSource") if isinstance(head, Mapping) else None
    return PIPES if type(source) is str and source in _SOURCES else None


def fields(event: Any, trigger: str, prefix: str = "", record: int | None = None) -> list[Field]:
    out: list[Field] = []
    for i, item in enumerate(event if isinstance(event, list) else []):
        where = child(prefix, i)
        if not isinstance(item, Mapping):
            out.append((where, item, PLAIN, i, ""))
            continue
        source = item.get("eventSource")
        if type(source) is not str:
            out.extend(walk(where, item, i))
        elif source == "aws:sqs":
            sqs.add_message(out, item, where, i)
        elif source == "aws:kinesis":
            out.append((f"{where}.data", item.get("data"), BASE64, i, ""))
            out.append((f"{where}.partitionKey", item.get("partitionKey"), PLAIN, i, ""))
        elif source == "aws:dynamodb":
            out.extend(dynamodb.record_fields(item, where, i))
        elif source in mq.ACTIVEMQ_SOURCES:
            out.extend(mq.activemq_message(item, where, i))
        elif source == mq.RABBITMQ_SOURCE:
            out.extend(mq.rabbitmq_message(item, where, i))
        elif source in kafka.SOURCES:
            out.extend(kafka.record_fields(item, where, i))
        else:  # a batch that mixes sources is no pipe's, but nothing in it goes unread
            out.extend(walk(where, item, i))
    return out
