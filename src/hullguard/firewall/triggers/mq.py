"""Amazon MQ: ActiveMQ ``messages[].data`` and RabbitMQ ``rmqMessagesByQueue`` (base64 ``data``,
header values as byte lists), with the properties their publishers write."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from hullguard.firewall.triggers.base import BASE64, BYTES, KEY, PLAIN, Field, child, mapping, records, walk

TYPE_CHECKING = False  # not typing's: importing typing costs about 3 ms of every cold start
if TYPE_CHECKING:
    from typing import Any

ACTIVEMQ = "activemq"
RABBITMQ = "rabbitmq"
# Lambda's developer guide names ActiveMQ's event source "aws:mq"; older documentation, Powertools'
# sample and EventBridge Pipes say "aws:amq". Either way the messages' base64 data must be decoded as
# such: read as an unknown event, a short one ("MTtpZA==", "1;id") does not look like base64 and its
# command would go unseen. (Annotated: mypyc must know the type where ``pipes`` imports it.)
ACTIVEMQ_SOURCES: frozenset[str] = frozenset({"aws:mq", "aws:amq"})
RABBITMQ_SOURCE = "aws:rmq"
# Besides the data, what a message's publisher writes as text: ActiveMQ's JMS correlation id, type and
# reply-to destination (the broker sets the message id, times and destination); every text property of
# an AMQP message (correlation id, reply-to, message id, type, app id, content type...; the user id too,
# which RabbitMQ only checks against the connection's user). A consumer stores, routes or replies by them.
_ACTIVEMQ_SENDER_FIELDS = ("correlationID", "type", "replyTo")


def identify(event: Mapping[str, Any]) -> str | None:
    source = event.get("eventSource")
    if type(source) is str and source in ACTIVEMQ_SOURCES and isinstance(event.get("messages"), list):
        return ACTIVEMQ
    if source == RABBITMQ_SOURCE and isinstance(event.get("rmqMessagesByQueue"), Mapping):
        return RABBITMQ
    return None


def iter_rabbit(event: Mapping[str, Any]) -> Iterator[tuple[str, int, Any]]:
    for queue, items in mapping(event.get("rmqMessagesByQueue")).items():
        for j, item in enumerate(records(items)):
            yield queue, j, item


def fields(event: Mapping[str, Any], trigger: str, prefix: str = "", record: int | None = None) -> Iterator[Field]:
    if trigger == ACTIVEMQ:
        for i, item in enumerate(records(event.get("messages"))):
            yield from activemq_message(mapping(item), f"{child(prefix, 'messages')}[{i}]", i)
        return
    for index, (queue, j, item) in enumerate(iter_rabbit(event)):
        yield from rabbitmq_message(mapping(item), f"{child(child(prefix, 'rmqMessagesByQueue'), queue)}[{j}]", index)


def activemq_message(item: Mapping[str, Any], where: str, record: int) -> Iterator[Field]:
    """One ActiveMQ message's data, properties and sender-written fields (``where``: the message's location)."""
    yield (f"{where}.data", item.get("data"), BASE64, record, "")
    yield from walk(f"{where}.properties", item.get("properties"), record)
    for name in _ACTIVEMQ_SENDER_FIELDS:
        value = item.get(name)
        if isinstance(value, str):
            yield (f"{where}.{name}", value, PLAIN, record, "")


def rabbitmq_message(item: Mapping[str, Any], where: str, record: int) -> Iterator[Field]:
    """One RabbitMQ message's data, text properties and header values (``where``: the message's location)."""
    yield (f"{where}.data", item.get("data"), BASE64, record, "")
    properties = mapping(item.get("basicProperties"))
    for name, value in properties.items():
        if isinstance(value, str):  # every property the publisher may write as text: see above
            yield (f"{where}.basicProperties.{name}", value, PLAIN, record, "")
    headers = mapping(properties.get("headers"))
    for name, value in headers.items():
        at = f"{where}.basicProperties.headers.{name}"
        yield (at, name, KEY, record, "")
        if isinstance(value, Mapping) and "bytes" in value:
            yield (f"{at}.bytes", value.get("bytes"), BYTES, record, "")
        elif isinstance(value, str):
            yield (at, value, 0, record, "")
