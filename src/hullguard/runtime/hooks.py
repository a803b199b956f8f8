"""The one audit hook: a dict lookup on the event name, then the control that handles it.

``sys.addaudithook`` hooks cannot be removed, so exactly one is installed per process; controls are
(re)registered in ``HANDLERS``, which the hook reads on every audit event. Interpreter-wide events we
do not handle (there are many during imports) cost one failed dict lookup.

A handler blocks an operation by raising ``Blocked`` (a ``PermissionError``, so code that already
handles "permission denied" keeps working). Any other exception inside a handler is a hullguard bug:
it is reported and the fail mode decides whether the operation goes ahead.
"""

from __future__ import annotations

import errno
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    Handler = Callable[[tuple[Any, ...]], None]

HANDLERS: dict[str, Handler] = {}
_installed = False
_on_error: Callable[[str, BaseException], bool] | None = None  # returns True to block (fail closed)


class Blocked(PermissionError):
    """An operation the runtime policy forbids."""

    def __init__(self, what: str, rule: str) -> None:
        super().__init__(errno.EACCES, f"hullguard: {what} blocked by runtime policy ({rule})")


def set_error_handler(callback: Callable[[str, BaseException], bool]) -> None:
    global _on_error
    _on_error = callback


def _audit(event: str, args: tuple[Any, ...]) -> None:
    handler = HANDLERS.get(event)
    if handler is None:
        return
    try:
        handler(args)
    except Blocked:
        raise
    except Exception as exc:
        if report_error(event, exc):
            raise Blocked(event, "fail_mode: closed") from None


def report_error(where: str, exc: BaseException) -> bool:
    """Report a bug in one of our wrappers; True when the fail mode says to block the operation."""
    callback = _on_error
    try:
        return callback is not None and callback(where, exc)
    except Exception:
        return False


def install() -> None:
    """Install the process-wide hook once; later calls only keep the handler table."""
    global _installed
    if not _installed:
        sys.addaudithook(_audit)
        _installed = True


def installed() -> bool:
    return _installed
