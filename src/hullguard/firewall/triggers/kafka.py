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
SOURCES: frozenset[str] = frozenset({"aws:kafka", "SelfManagedKafka", "aws:SelfManagedKafka"})  # MSK, self-managed


def identify(event: Mapping[str, Any]) -> str | None:
    source = event.get("eventSource")  # (any JSON value: a set lookup of a list would raise)
    if type(source) is str and source in SOURCES and isinstance(event.get("records"), Mapping):
        return KAFKA
    return None


def iter_records(event: Mapping[str, Any]) -> Iterator[tuple[str, int, Any]]:
    """(topic-partition, index within it, record) in event order."""
    for group, items in mapping(event.get("records")).items():
        for j, item in enumerate(records(items)):
            yield group, j, item


def fields(event: Mapping[str, Any], trigger: str, prefix: str = "", record: int | None = None) -> Iterator[Field]:
    for index, (group, j, item) in enumerate(iter_records(event)):
        yield from record_fields(mapping(item), f"{child(child(prefix, 'records'), group)}[{j}]", index)


def record_fields(item: Mapping[str, Any], where: str, record: int) -> Iterator[Field]:
    """One record's key, value and headers (``where``: the record's location)."""
    yield (f"{where}.key", item.get("key"), BASE64, record, "")
    yield (f"{where}.value", item.get("value"), BASE64, record, "")
    for h, entry in enumerate(records(item.get("headers"))):
        for name, value in mapping(entry).items():
            at = f"{where}.headers[{h}].{name}"
            yield (at, name, KEY, record, "")
            yield (at, value, BYTES, record, "")
