"""No-code-change entry point: set the function's handler to ``hullguard.handler.handler`` and put
the real one in ``HULLGUARD_HANDLER`` (``module.function`` or ``path/to/module.function``).

The guard is built *before* the user's module is imported, so its module-level code already runs
under the runtime policy. Mistakes (no ``HULLGUARD_HANDLER``, a module that does not import, a
missing function, a broken policy) fail the cold start with a message naming the cause.
"""

from __future__ import annotations

import importlib
import os

from hullguard.runtime.loader import load_policy
from hullguard.runtime.protect import build_guard, fallback_handler

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from hullguard.runtime.core import Handler

ENV_HANDLER = "HULLGUARD_HANDLER"
SELF = "hullguard.handler.handler"


class HandlerConfigError(RuntimeError):
    """``HULLGUARD_HANDLER`` is missing or does not name an importable function."""


def load_target(spec: str) -> Handler:
    """Import ``module.function`` (slashes allowed in the module part, as Lambda allows)."""
    module_name, _, function_name = spec.strip().rpartition(".")
    if not module_name or not function_name:
        raise HandlerConfigError(f"{ENV_HANDLER}={spec!r} must look like module.function")
    if spec.strip() == SELF:
        raise HandlerConfigError(f"{ENV_HANDLER} names hullguard's own handler; set it to your handler")
    module_name = module_name.replace("/", ".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise HandlerConfigError(f"{ENV_HANDLER}={spec!r}: cannot import module {module_name!r}: {exc}") from exc
    target = getattr(module, function_name, None)
    if not callable(target):
        raise HandlerConfigError(f"{ENV_HANDLER}={spec!r}: module {module_name!r} has no function {function_name!r}")
    return target  # type: ignore[no-any-return]


def _build() -> Handler:
    spec = os.environ.get(ENV_HANDLER, "")
    if not spec:
        raise HandlerConfigError(f"{ENV_HANDLER} is not set: it must name the real handler, e.g. app.handler")
    policy = load_policy(None, os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd())
    try:
        guard = build_guard(policy)
    except Exception as exc:  # our bug: the function still answers, the fail mode decides how
        return fallback_handler(load_target(spec), policy, exc)
    return guard.wrap(load_target(spec))


_protected = _build()


def handler(event: Any, context: Any) -> Any:
    """The protected user handler."""
    return _protected(event, context)
