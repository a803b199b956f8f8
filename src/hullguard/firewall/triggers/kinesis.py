"""Kinesis Data Streams: base64 ``data`` (JSON, text, or gzip from a CloudWatch Logs subscription)
and the producer-chosen ``partitionKey``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from hullguard.firewall.triggers.base import BASE64, PLAIN, Field, child, first, mapping, records

TYPE_CHECKING = False  # not typing's: importing typing costs about 3 ms of every cold start
if TYPE_CHECKING:
    from typing import Any

KINESIS = "kinesis"


def identify(event: Mapping[str, Any]) -> str | None:
    if first(event.get("Records")).get("eventSource") == "aws:kinesis":
        return KINESIS
    return None


def fields(event: Mapping[str, Any], trigger: str, prefix: str = "", record: int | None = None) -> Iterator[Field]:
    for i, item in enumerate(records(event.get("Records"))):
        data = mapping(mapping(item).get("kinesis"))
        base = f"{child(prefix, 'Records')}[{i}].kinesis"
        yield (f"{base}.data", data.get("data"), BASE64, i, "")
        yield (f"{base}.partitionKey", data.get("partitionKey"), PLAIN, i, "")
