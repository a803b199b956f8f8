"""Process-wide runtime state: the invocation in progress and who is "us".

Lambda runs one invocation at a time per execution environment, so the invocation in progress is a
plain module global that every hook (in any thread the handler starts) can read in a few nanoseconds.
"""

from __future__ import annotations

import os
import threading

from hullguard.events.schema import FunctionContext

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# Our own files: frames from here are left out of the stack excerpts in events.
TMP_ROOT = "/tmp"  # noqa: S108 - the directory the tmp controls guard, not a place we create files in
PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Invocation:
    """One call of the handler.

    A plain slotted class, not a dataclass: defining a dataclass costs a few hundred microseconds of
    every cold start, and one of these is built per invocation. ``function`` (the names events carry)
    is read from the Lambda context only when an event is built: most invocations emit none.
    """

    __slots__ = (
        "_function",
        "cold_start",
        "context",
        "event",
        "event_strings",
        "reported",
        "tmp_created",
        "tmp_dirty",
        "trigger",
    )

    def __init__(self, function: FunctionContext | None, event: Any, context: Any, cold_start: bool,
                 trigger: str = "unknown") -> None:
        self._function = function
        self.event = event
        self.context = context
        self.cold_start = cold_start
        self.trigger = trigger
        # (rule, location) already alerted; created on the first alert, most invocations have none
        self.reported: set[tuple[str, str]] | None = None
        self.event_strings: frozenset[str] | None = None  # built lazily by the dynamic-code control
        # /tmp may have changed in a way the hooks could not name (relative path, dir_fd): list it
        self.tmp_dirty = False
        self.tmp_created: set[str] | None = None  # paths under /tmp this invocation created (audit hook)

    @property
    def function(self) -> FunctionContext:
        function = self._function
        if function is None:
            function = self._function = FunctionContext.from_lambda_context(self.context)
        return function


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
