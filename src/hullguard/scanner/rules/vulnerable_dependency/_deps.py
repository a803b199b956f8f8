"""Which dependencies each function ships, grouped so a manifest shared by several functions is
reported once (``function`` set only when exactly one function uses it)."""

from __future__ import annotations

from hullguard.model.app import Application
from hullguard.scanner.context import ScanContext
from hullguard.scanner.deps.manifests import Dependency


def shipped_dependencies(app: Application, ctx: ScanContext) -> dict[Dependency, list[str]]:
    users: dict[Dependency, list[str]] = {}
    for fn in app.functions:
        runtime = str(fn.runtime or "")
        ecosystem = "npm" if runtime.startswith("nodejs") else "PyPI" if runtime.startswith("python") else None
        code = ctx.function_code(fn)
        handler_dir = code.file.rsplit("/", 1)[0] if code is not None and "/" in code.file else None
        for dep in ctx.dependencies(fn):
            if ecosystem is not None and dep.ecosystem != ecosystem:
                continue
            # A manifest in a sibling folder belongs to another function of the same service.
            manifest_dir = dep.file.rsplit("/", 1)[0] if "/" in dep.file else ""
            if handler_dir is not None and manifest_dir and not (handler_dir + "/").startswith(manifest_dir + "/"):
                continue
            users.setdefault(dep, []).append(fn.logical_id)
    return users
