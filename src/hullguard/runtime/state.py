"""Process-wide runtime state: the invocation in progress and who is "us".

Lambda runs one invocation at a time per execution environment, so the invocation in progress is a
plain module global that every hook (in any thread the handler starts) can read in a few nanoseconds.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from typing import Any

from hullguard.events.schema import FunctionContext

# Our own files: frames from here are left out of the stack excerpts in events.
TMP_ROOT = "/tmp"  # noqa: S108 - the directory the tmp controls guard, not a place we create files in
PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@dataclass(slots=True)
class Invocation:
    """One call of the handler."""

    function: FunctionContext
    event: Any
    context: Any
    cold_start: bool
    trigger: str = "unknown"
    reported: set[tuple[str, str]] = field(default_factory=set)  # (rule, location) already alerted
    event_strings: frozenset[str] | None = None  # built lazily by the dynamic-code control
    tmp_dirty: bool = False  # something under /tmp was created or written


class _Local(threading.local):
    internal: int = 0  # >0 while hullguard itself works (formatting a traceback, cleaning /tmp)


class RuntimeState:
    def __init__(self) -> None:
        self.invocation: Invocation | None = None
        self.started = False  # start-up (imports, module-level code) is over once the first invocation begins
        self.pid = os.getpid()  # a forked child that tries to exec is stopped with os._exit
        self.local = _Local()
        self.internal_threads: set[int] = set()  # the forwarder and the watchdog

    def is_internal(self) -> bool:
        return self.local.internal > 0 or threading.get_ident() in self.internal_threads


STATE = RuntimeState()


class internal_work:
    """``with internal_work():`` marks hullguard's own file and network work so the hooks let it pass."""

    def __enter__(self) -> None:
        STATE.local.internal += 1

    def __exit__(self, *exc: object) -> None:
        STATE.local.internal -= 1
