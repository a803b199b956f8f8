"""Amazon MQ: ActiveMQ ``messages[].data`` and RabbitMQ ``rmqMessagesByQueue`` (base64 ``data``,
header values as byte lists)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from hullguard.firewall.triggers.base import BASE64, BYTES, KEY, Field, child, mapping, records, walk

TYPE_CHECKING = False  # not typing's: importing typing costs about 3 ms of every cold start
if TYPE_CHECKING:
    from typing import Any

ACTIVEMQ = "activemq"
RABBITMQ = "rabbitmq"


def identify(event: Mapping[str, Any]) -> str | None:
    if event.get("eventSource") == "aws:amq" and isinstance(event.get("messages"), list):
        return ACTIVEMQ
    if event.get("eventSource") == "aws:rmq" and isinstance(event.get("rmqMessagesByQueue"), Mapping):
        return RABBITMQ
    return None


def iter_rabbit(event: Mapping[str, Any]) -> Iterator[tuple[str, int, Any]]:
    for queue, items in mapping(event.get("rmqMessagesByQueue")).items():
        for j, item in enumerate(records(items)):
            yield queue, j, item


def fields(event: Mapping[str, Any], trigger: str, prefix: str = "", record: int | None = None) -> Iterator[Field]:
    if trigger == ACTIVEMQ:
        for i, item in enumerate(records(event.get("messages"))):
            item = mapping(item)
            base = f"{child(prefix, 'messages')}[{i}]"
            yield (f"{base}.data", item.get("data"), BASE64, i, "")
            yield from walk(f"{base}.properties", item.get("properties"), i)
        return
    for index, (queue, j, item) in enumerate(iter_rabbit(event)):
        item = mapping(item)
        base = f"{child(child(prefix, 'rmqMessagesByQueue'), queue)}[{j}]"
        yield (f"{base}.data", item.get("data"), BASE64, index, "")
        headers = mapping(mapping(item.get("basicProperties")).get("headers"))
        for name, value in headers.items():
            where = f"{base}.basicProperties.headers.{name}"
            yield (where, name, KEY, index, "")
            if isinstance(value, Mapping) and "bytes" in value:
                yield (f"{where}.bytes", value.get("bytes"), BYTES, index, "")
            elif isinstance(value, str):
                yield (where, value, 0, index, "")
