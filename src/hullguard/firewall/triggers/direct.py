"""Direct invocations and unknown shapes: a bounded walk of every key and string."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hullguard.firewall.triggers.base import Field, walk

DIRECT = "direct"


def identify(event: Any) -> str | None:
    return DIRECT


def fields(event: Any, trigger: str, prefix: str = "", record: int | None = None) -> Iterator[Field]:
    yield from walk(prefix, event, record)
