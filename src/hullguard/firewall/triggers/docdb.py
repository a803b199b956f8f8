"""Amazon DocumentDB change streams: ``events[].event``, one change per item.

Attacker-controlled: the document as written (``fullDocument``, and ``fullDocumentBeforeChange`` when
the stream keeps it) and an update's changed fields (``updateDescription.updatedFields``). Stored data
is second-order input, as with DynamoDB Streams: what an attacker saved through another API reaches
this function. Not attacker-controlled: the change's metadata (``_id``, ``clusterTime``, ``ns``,
``documentKey``, ``operationType``), which the database writes. Extended JSON wrappers (``$oid``,
``$date``) are data types, not query operators.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from hullguard.firewall.triggers.base import Field, child, mapping, records, walk

TYPE_CHECKING = False  # not typing's: importing typing costs about 3 ms of every cold start
if TYPE_CHECKING:
    from typing import Any

DOCUMENTDB = "documentdb"
SOURCE = "aws:docdb"


def identify(event: Mapping[str, Any]) -> str | None:
    if event.get("eventSource") == SOURCE and isinstance(event.get("events"), list):
        return DOCUMENTDB
    return None


def fields(event: Mapping[str, Any], trigger: str, prefix: str = "", record: int | None = None) -> Iterator[Field]:
    for i, item in enumerate(records(event.get("events"))):
        change = mapping(mapping(item).get("event"))
        base = f"{child(prefix, 'events')}[{i}].event"
        for name in ("fullDocument", "fullDocumentBeforeChange"):
            yield from walk(f"{base}.{name}", change.get(name), i)
        update = mapping(change.get("updateDescription"))
        yield from walk(f"{base}.updateDescription.updatedFields", update.get("updatedFields"), i)
