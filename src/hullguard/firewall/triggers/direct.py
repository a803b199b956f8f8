"""Direct invocations and unknown shapes: a bounded walk of every key and string."""

from __future__ import annotations

from collections.abc import Iterator

from hullguard.firewall.triggers.base import Field, walk

TYPE_CHECKING = False  # not typing's: importing typing costs about 3 ms of every cold start
if TYPE_CHECKING:
    from typing import Any

DIRECT = "direct"


def identify(event: Any) -> str | None:
    return DIRECT


def fields(event: Any, trigger: str, prefix: str = "", record: int | None = None) -> Iterator[Field]:
    yield from walk(prefix, event, record)
