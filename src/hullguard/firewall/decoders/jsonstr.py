"""JSON inside a string (SQS bodies, SNS messages, Config ``invokingEvent``, form fields...)."""

from __future__ import annotations

import json
from typing import Any

FAILED: Any = object()  # sentinel: the string is not JSON
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


def parse(text: str) -> Any:
    """The parsed value, or ``FAILED``. Nesting deeper than the interpreter allows is ``FAILED`` too
    (the C parser raises RecursionError before it can exhaust the stack)."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return FAILED
