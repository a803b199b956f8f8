"""``@protect`` and ``@protect(policy="hullguard.yml")``: one line to harden a handler.

The guard is built when the decorator runs, i.e. at cold start: a broken policy fails the init with
a precise message (Lambda shows it as the init error), while a bug inside hullguard itself is
reported and leaves the handler running unprotected (fail open) or refusing (fail closed).
"""

from __future__ import annotations

import os
import sys

from hullguard.runtime.controls.errors import FunctionError
from hullguard.runtime.core import Guard
from hullguard.runtime.loader import load_policy
from hullguard.runtime.policy import RuntimePolicy, RuntimePolicyError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, overload

    from hullguard.runtime.core import Handler
    from hullguard.runtime.loader import PolicyArg
else:
    def overload(fn: object) -> object:  # typing stays out of the cold start; only type checkers read overloads
        return fn

_GUARDS: dict[int, Guard] = {}  # one guard per distinct policy object in the process


def guard_for(policy: PolicyArg = None, near: str | None = None) -> Guard:
    """The guard for ``policy`` (resolved explicit > env > file > defaults), built once."""
    return build_guard(load_policy(policy, near))


def build_guard(resolved: RuntimePolicy) -> Guard:
    key = hash(repr(resolved))
    guard = _GUARDS.get(key)
    if guard is None:
        guard = _GUARDS[key] = Guard(resolved)
    return guard


def _module_dir(fn: Callable[..., Any]) -> str | None:
    module = sys.modules.get(getattr(fn, "__module__", "") or "")
    path = getattr(module, "__file__", None)
    return os.path.dirname(os.path.abspath(path)) if path else None


def protect_handler(handler: Handler, policy: PolicyArg = None) -> Handler:
    """``handler`` wrapped by the guard of its policy; a broken policy raises ``RuntimePolicyError``."""
    resolved = load_policy(policy, _module_dir(handler))  # the user's mistake: fails the cold start
    try:
        guard = build_guard(resolved)
    except Exception as exc:  # our own bug: never take the function down; the fail mode decides
        return fallback_handler(handler, resolved, exc)
    return guard.wrap(handler)


def fallback_handler(handler: Handler, policy: RuntimePolicy, exc: Exception) -> Handler:
    closed = policy.fail_mode == "closed"
    outcome = "refuses every call" if closed else "runs unprotected"
    sys.stderr.write(f"hullguard: internal error while starting protection ({type(exc).__name__}: {exc}); "
                     f"fail mode {policy.fail_mode}: the handler {outcome}\n")
    if not closed:
        return handler

    def refuse(event: Any, context: Any) -> Any:
        raise FunctionError("Protection could not start; request refused (fail mode closed)")

    return refuse


@overload
def protect(handler: Handler, *, policy: PolicyArg = None) -> Handler: ...


# F811: ruff cannot see that ``overload`` is typing's when type checking (it is a no-op at run time)
@overload
def protect(handler: None = None, *, policy: PolicyArg = None) -> Callable[[Handler], Handler]: ...  # noqa: F811


def protect(  # noqa: F811
    handler: Handler | None = None, *, policy: PolicyArg = None
) -> Handler | Callable[[Handler], Handler]:
    """Decorate a Lambda handler: firewall on the event, runtime policy while it runs, events out."""
    if handler is not None:
        return protect_handler(handler, policy)

    def decorate(fn: Handler) -> Handler:
        return protect_handler(fn, policy)

    return decorate


__all__ = ["Guard", "RuntimePolicy", "RuntimePolicyError", "build_guard", "fallback_handler", "guard_for", "protect"]
