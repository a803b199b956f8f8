"""Run a callback right after a module is first imported, so a control never imports it itself.

The network control wraps ``socket.getaddrinfo`` and the credentials control patches botocore's
environment provider. Importing ``socket`` ourselves would add milliseconds to every cold start, even
for functions that never open a socket; instead, the patch is applied the moment the user's code
(or a library it uses) imports the module, or at once when it is already loaded.

One finder sits at the front of ``sys.meta_path`` while something is pending. It finds nothing by
itself: for a pending name it asks the finders behind it for the real spec and wraps that loader's
``exec_module``. Every other import costs it one dict lookup. It leaves ``sys.meta_path`` once
nothing is pending.
"""

from __future__ import annotations

import sys

from hullguard.runtime import hooks

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from types import ModuleType
    from typing import Any

    Callback = Callable[[ModuleType], None]

_PENDING: dict[str, list[Callback]] = {}


def when_imported(name: str, callback: Callback) -> None:
    """``callback(module)`` now if ``name`` is loaded, else right after its first import finishes."""
    module = sys.modules.get(name)
    if module is not None:
        _run(name, callback, module)
        return
    _PENDING.setdefault(name, []).append(callback)
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)  # type: ignore[arg-type]


def pending(name: str) -> bool:
    return name in _PENDING


def _run(name: str, callback: Callback, module: ModuleType) -> None:
    try:
        callback(module)
    except Exception as exc:  # our bug must not break the user's import: report it and go on
        hooks.report_error(f"import hook for {name}", exc)


class _AfterImport:
    """Wraps the loader of a pending module; finds nothing itself."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name not in _PENDING:
            return None
        try:
            spec = None
            for finder in list(sys.meta_path):
                if finder is self or not hasattr(finder, "find_spec"):
                    continue
                spec = finder.find_spec(name, path, target)
                if spec is not None:
                    break
            if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
                return spec
            loader = spec.loader
            exec_module = loader.exec_module
            own = "exec_module" in getattr(loader, "__dict__", {})
        except Exception as exc:  # our bug must not break the user's import: let the normal finders run
            hooks.report_error(f"import hook for {name}", exc)
            return None

        def exec_and_patch(module: ModuleType) -> None:
            # a loader can be shared (one zipimporter per archive): put its method back first
            if own:
                loader.exec_module = exec_module  # type: ignore[method-assign]
            else:
                del loader.exec_module
            exec_module(module)
            callbacks = _PENDING.pop(name, [])
            if not _PENDING and self in sys.meta_path:
                sys.meta_path.remove(self)  # type: ignore[arg-type]
            for callback in callbacks:
                _run(name, callback, module)

        loader.exec_module = exec_and_patch  # type: ignore[method-assign]
        return spec


_FINDER = _AfterImport()
