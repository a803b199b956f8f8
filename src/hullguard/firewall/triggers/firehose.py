"""Kinesis Data Firehose transformation: base64 ``records[].data`` (source records from Direct PUT,
Kinesis streams or other producers), ``records[].kafkaRecordValue`` instead when the source is an MSK
topic, and a Kinesis source record's partition key, which its producer chose."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from hullguard.firewall.triggers.base import BASE64, PLAIN, Field, child, mapping, records

TYPE_CHECKING = False  # not typing's: importing typing costs about 3 ms of every cold start
if TYPE_CHECKING:
    from typing import Any

FIREHOSE = "firehose"


def identify(event: Mapping[str, Any]) -> str | None:
    if "deliveryStreamArn" in event and isinstance(event.get("records"), list):
        return FIREHOSE
    return None


def fields(event: Mapping[str, Any], trigger: str, prefix: str = "", record: int | None = None) -> Iterator[Field]:
    for i, item in enumerate(records(event.get("records"))):
        item = mapping(item)
        base = f"{child(prefix, 'records')}[{i}]"
        if "kafkaRecordValue" in item:
            yield (f"{base}.kafkaRecordValue", item.get("kafkaRecordValue"), BASE64, i, "")
        else:
            yield (f"{base}.data", item.get("data"), BASE64, i, "")
        metadata = mapping(item.get("kinesisRecordMetadata"))
        if metadata:
            yield (f"{base}.kinesisRecordMetadata.partitionKey", metadata.get("partitionKey"), PLAIN, i, "")
