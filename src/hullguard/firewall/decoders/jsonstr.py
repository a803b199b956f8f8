"""JSON inside a string (SQS bodies, SNS messages, Config ``invokingEvent``, form fields...)."""

from __future__ import annotations

import json
from collections.abc import Callable

TYPE_CHECKING = False  # not typing's: importing typing costs about 3 ms of every cold start
if TYPE_CHECKING:
    from typing import Any

FAILED: Any = object()  # sentinel: the string is not JSON
# sentinel: JSON nested deeper than this interpreter's parser reads (it raised RecursionError). Python 3.14's
# parser reads any depth, earlier ones stop near the recursion limit: the caller reports the cut, so that
# the verdict says so on every runtime (a function's own ``json.loads`` may fail there, another parser not)
TOO_DEEP: Any = object()
_OPEN_CLOSE = {"{": "}", "[": "]"}


def looks_like(text: str) -> bool:
    """Starts with ``{``/``[`` and ends with the matching bracket (after blanks)."""
    if len(text) < 2:
        return False
    first = text[0]
    if first in " \t\r\n":
        text = text.strip()
        if len(text) < 2:
            return False
        first = text[0]
    closing = _OPEN_CLOSE.get(first)
    if closing is None:
        return False
    last = text[-1]
    if last in " \t\r\n":
        last = text.rstrip()[-1]
    return last == closing


# The C scanner behind ``json.loads``, called directly: ``loads`` adds two regex matches and a few
# checks around it, which cost as much as parsing a small message.
_SCAN: Callable[[str, int], tuple[Any, int]] = getattr(json.JSONDecoder(), "scan_once")  # noqa: B009 - untyped
_BLANKS = " \t\n\r"  # what JSON allows around a value


def parse(text: str) -> Any:
    """The parsed value, or ``FAILED`` (the same answer as ``json.loads``), or ``TOO_DEEP`` where the
    nesting is deeper than the interpreter's parser reads (it raises RecursionError before it can
    exhaust the stack)."""
    start = 0
    if text[:1] in _BLANKS:  # also catches the empty string
        start = len(text) - len(text.lstrip(_BLANKS))
    try:
        obj, end = _SCAN(text, start)
    except (StopIteration, ValueError):
        return FAILED
    except RecursionError:
        return TOO_DEEP
    if end != len(text) and text[end:].strip(_BLANKS):
        return FAILED  # extra data after the value
    return obj
