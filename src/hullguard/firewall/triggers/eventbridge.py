"""Amazon EventBridge / CloudWatch Events: ``detail`` of custom and partner events carries whatever the
producer put in it, often user input; AWS service events are walked too (cheap, and benign)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from hullguard.firewall.triggers.base import Field, child, walk

TYPE_CHECKING = False  # not typing's: importing typing costs about 3 ms of every cold start
if TYPE_CHECKING:
    from typing import Any

EVENTBRIDGE = "eventbridge"


def is_event(obj: Mapping[str, Any]) -> bool:
    return "detail-type" in obj and "source" in obj and "detail" in obj


def identify(event: Mapping[str, Any]) -> str | None:
    return EVENTBRIDGE if is_event(event) else None


def fields(event: Mapping[str, Any], trigger: str, prefix: str = "", record: int | None = None) -> Iterator[Field]:
    yield from walk(child(prefix, "detail"), event.get("detail"), record)
