"""Amazon MSK and self-managed Kafka: base64 ``key`` and ``value``, header values as byte lists.

Records are grouped by ``topic-partition``; the record index in findings counts across groups in
the event's order (the same order ``filter_batch`` uses).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from hullguard.firewall.triggers.base import BASE64, BYTES, KEY, Field, child, mapping, records

TYPE_CHECKING = False  # not typing's: importing typing costs about 3 ms of every cold start
if TYPE_CHECKING:
    from typing import Any

KAFKA = "kafka"


def identify(event: Mapping[str, Any]) -> str | None:
    source = event.get("eventSource")
    if source in ("aws:kafka", "SelfManagedKafka", "aws:SelfManagedKafka") and isinstance(
        event.get("records"), Mapping
    ):
        return KAFKA
    return None


def iter_records(event: Mapping[str, Any]) -> Iterator[tuple[str, int, Any]]:
    """(topic-partition, index within it, record) in event order."""
    for group, items in mapping(event.get("records")).items():
        for j, item in enumerate(records(items)):
            yield group, j, item


def fields(event: Mapping[str, Any], trigger: str, prefix: str = "", record: int | None = None) -> Iterator[Field]:
    for index, (group, j, item) in enumerate(iter_records(event)):
        item = mapping(item)
        base = f"{child(child(prefix, 'records'), group)}[{j}]"
        yield (f"{base}.key", item.get("key"), BASE64, index, "")
        yield (f"{base}.value", item.get("value"), BASE64, index, "")
        for h, entry in enumerate(records(item.get("headers"))):
            for name, value in mapping(entry).items():
                where = f"{base}.headers[{h}].{name}"
                yield (where, name, KEY, index, "")
                yield (where, value, BYTES, index, "")
