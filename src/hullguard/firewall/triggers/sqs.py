"""Amazon SQS: message bodies (which may hold SNS, S3 or EventBridge events) and message attributes."""

from __future__ import annotations

from collections.abc import Mapping

from hullguard.firewall.triggers.base import BASE64, ENVELOPE, KEY, PLAIN, Field, child, first, mapping, records

TYPE_CHECKING = False  # not typing's: importing typing costs about 3 ms of every cold start
if TYPE_CHECKING:
    from typing import Any

SQS = "sqs"


def identify(event: Mapping[str, Any]) -> str | None:
    if first(event.get("Records")).get("eventSource") == "aws:sqs":
        return SQS
    return None


def fields(event: Mapping[str, Any], trigger: str, prefix: str = "", record: int | None = None) -> list[Field]:
    out: list[Field] = []
    base = child(prefix, "Records")
    for i, item in enumerate(records(event.get("Records"))):
        item = mapping(item)
        body = item.get("body")
        if body is not None:
            out.append((f"{base}[{i}].body", body, ENVELOPE, i, ""))
        attributes = item.get("messageAttributes")
        if not attributes:
            continue
        for name, attr in mapping(attributes).items():
            where = f"{base}[{i}].messageAttributes.{name}"
            out.append((where, name, KEY, i, ""))
            attr = mapping(attr)
            value = attr.get("stringValue")
            if value is not None:
                out.append((f"{where}.stringValue", value, PLAIN, i, ""))
            value = attr.get("binaryValue")
            if value is not None:
                out.append((f"{where}.binaryValue", value, BASE64, i, ""))
    return out
