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
        add_message(out, mapping(item), f"{base}[{i}]", i)
    return out


def add_message(out: list[Field], item: Mapping[str, Any], where: str, record: int) -> None:
    """One message's body and attributes (``where``: the message's location), appended to ``out``."""
    body = item.get("body")
    if body is not None:
        out.append((f"{where}.body", body, ENVELOPE, record, ""))
    attributes = item.get("messageAttributes")
    if not attributes:
        return
    for name, attr in mapping(attributes).items():
        at = f"{where}.messageAttributes.{name}"
        out.append((at, name, KEY, record, ""))
        attr = mapping(attr)
        value = attr.get("stringValue")
        if value is not None:
            out.append((f"{at}.stringValue", value, PLAIN, record, ""))
        value = attr.get("binaryValue")
        if value is not None:
            out.append((f"{at}.binaryValue", value, BASE64, record, ""))
        # Lists: SQS reserves them (SendMessage refuses them today), but Lambda's event carries both keys,
        # and whatever a sender could put there would be its data
        for name, hint in (("stringListValues", PLAIN), ("binaryListValues", BASE64)):
            values = attr.get(name)
            if values:
                for i, value in enumerate(records(values)):
                    out.append((f"{at}.{name}[{i}]", value, hint, record, ""))
