"""DynamoDB Streams: typed attribute values (``{"S": ...}``, ``{"M": {...}}``, ``{"L": [...]}``,
``{"SS": [...]}``, ``{"B": base64}``) in ``NewImage``, ``OldImage`` and ``Keys``.

Stored data is second-order input: what an attacker saved through another API reaches this function.
Locations keep the type letters (``Records[0].dynamodb.NewImage.note.S``) so they point into the event.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from hullguard.firewall.triggers.base import BASE64, KEY, PLAIN, Field, first, mapping, records

TYPE_CHECKING = False  # not typing's: importing typing costs about 3 ms of every cold start
if TYPE_CHECKING:
    from typing import Any

DYNAMODB = "dynamodb"
_MAX_NODES = 100_000  # typed values are walked here, so they get their own bound


def identify(event: Mapping[str, Any]) -> str | None:
    if first(event.get("Records")).get("eventSource") == "aws:dynamodb":
        return DYNAMODB
    return None


def fields(event: Mapping[str, Any], trigger: str, prefix: str = "", record: int | None = None) -> Iterator[Field]:
    for i, item in enumerate(records(event.get("Records"))):
        yield from record_fields(mapping(item), f"{prefix + '.' if prefix else ''}Records[{i}]", i)


def record_fields(item: Mapping[str, Any], where: str, record: int) -> Iterator[Field]:
    """The images of one stream record (``where``: the record's location)."""
    ddb = mapping(item.get("dynamodb"))
    for image in ("NewImage", "OldImage", "Keys"):
        attrs = ddb.get(image)
        if isinstance(attrs, Mapping):
            yield from typed_map(f"{where}.dynamodb.{image}", attrs, record)


def typed_map(path: str, attrs: Mapping[str, Any], record: int | None) -> Iterator[Field]:
    """Attribute names and string/binary values of a typed map, without recursion."""
    # (location, value, True when value is a map of attribute names to typed values)
    stack: list[tuple[str, Any, bool]] = [(path, attrs, True)]
    nodes = 0
    while stack and nodes < _MAX_NODES:
        where, value, is_map = stack.pop()
        nodes += 1
        if is_map:
            if isinstance(value, Mapping):
                for name, inner in value.items():
                    key_path = f"{where}.{name}"
                    yield (key_path, name, KEY, record, "")
                    stack.append((key_path, inner, False))
            continue
        if not isinstance(value, Mapping) or len(value) != 1:
            if value is not None:
                yield (where, value, PLAIN, record, "")  # not a typed value: let the engine walk it
            continue
        ((kind, inner),) = value.items()
        typed = f"{where}.{kind}"
        if kind == "S":
            yield (typed, inner, PLAIN, record, "")
        elif kind == "B":
            yield (typed, inner, BASE64, record, "")
        elif kind in ("SS", "BS") and isinstance(inner, list):
            for j, item in enumerate(inner):
                yield (f"{typed}[{j}]", item, BASE64 if kind == "BS" else PLAIN, record, "")
        elif kind == "L" and isinstance(inner, list):
            stack.extend((f"{typed}[{j}]", item, False) for j, item in enumerate(inner))
        elif kind == "M":
            stack.append((typed, inner, True))
        elif kind not in ("N", "NS", "BOOL", "NULL"):
            yield (typed, inner, PLAIN, record, "")
