"""Amazon SNS: ``Message`` (often JSON of another event, e.g. S3), ``Subject`` and message attributes."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from hullguard.firewall.triggers.base import BASE64, ENVELOPE, KEY, PLAIN, Field, child, first, mapping, records

TYPE_CHECKING = False  # not typing's: importing typing costs about 3 ms of every cold start
if TYPE_CHECKING:
    from typing import Any

SNS = "sns"


def identify(event: Mapping[str, Any]) -> str | None:
    return SNS if "Sns" in first(event.get("Records")) else None


def is_notification(obj: Mapping[str, Any]) -> bool:
    """An SNS notification as delivered to SQS or HTTP subscribers (raw delivery off)."""
    return obj.get("Type") == "Notification" and "Message" in obj and "TopicArn" in obj


def fields(event: Mapping[str, Any], trigger: str, prefix: str = "", record: int | None = None) -> Iterator[Field]:
    for i, item in enumerate(records(event.get("Records"))):
        yield from notification(mapping(mapping(item).get("Sns")), f"{child(prefix, 'Records')}[{i}].Sns", i)


def notification(sns: Mapping[str, Any], base: str, record: int | None) -> Iterator[Field]:
    yield (child(base, "Message"), sns.get("Message"), ENVELOPE, record, "")
    yield (child(base, "Subject"), sns.get("Subject"), PLAIN, record, "")
    for name, attr in mapping(sns.get("MessageAttributes")).items():
        where = child(child(base, "MessageAttributes"), name)
        yield (where, name, KEY, record, "")
        attr = mapping(attr)
        kind = attr.get("Type")
        yield (child(where, "Value"), attr.get("Value"), BASE64 if kind == "Binary" else PLAIN, record, "")
