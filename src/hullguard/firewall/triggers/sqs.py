"""Amazon SQS: message bodies (which may hold SNS, S3 or EventBridge events) and message attributes."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from hullguard.firewall.triggers.base import BASE64, ENVELOPE, KEY, PLAIN, Field, child, mapping, records

SQS = "sqs"


def identify(event: Mapping[str, Any]) -> str | None:
    items = records(event.get("Records"))
    if items and isinstance(items[0], Mapping) and items[0].get("eventSource") == "aws:sqs":
        return SQS
    return None


def fields(event: Mapping[str, Any], trigger: str, prefix: str = "", record: int | None = None) -> Iterator[Field]:
    for i, item in enumerate(records(event.get("Records"))):
        item = mapping(item)
        base = f"{child(prefix, 'Records')}[{i}]"
        yield (f"{base}.body", item.get("body"), ENVELOPE, i, "")
        for name, attr in mapping(item.get("messageAttributes")).items():
            where = f"{base}.messageAttributes.{name}"
            yield (where, name, KEY, i, "")
            attr = mapping(attr)
            yield (f"{where}.stringValue", attr.get("stringValue"), PLAIN, i, "")
            yield (f"{where}.binaryValue", attr.get("binaryValue"), BASE64, i, "")
