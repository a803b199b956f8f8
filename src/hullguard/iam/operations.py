"""SDK operations -> IAM actions, for every service botocore knows.

botocore's service models give each client's operations (``list_objects_v2`` ->
``ListObjectsV2``) and the names AWS signs requests with; the IAM dataset says which
``prefix:Action`` exists. Most operations map by name; the exceptions (S3 ``ListObjectsV2`` ->
``s3:ListBucket``, batch and transaction calls, Lambda ``Invoke``...) and the SDKs' client-side
helpers (``upload_file``) live in ``data/operation_actions.json`` with their sources.
"""

from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from hullguard.iam.dataset import IamDataset, cache_dir, load_dataset


@dataclass(frozen=True, slots=True)
class ActionNeed:
    """One IAM action an operation needs; ``role`` says which resource it applies to."""

    action: str
    role: str = ""  # "" = the operation's target resource; "source" = the copy source


@dataclass(frozen=True, slots=True)
class Helper:
    operations: tuple[str, ...]
    extra: tuple[str, ...]
    args: tuple[str, ...]


@functools.cache
def _exceptions() -> dict[str, Any]:
    text = (resources.files("hullguard.iam") / "data" / "operation_actions.json").read_text()
    data: dict[str, Any] = json.loads(text)
    return data


@functools.cache
def _session() -> Any:
    import botocore.session

    return botocore.session.get_session()


@dataclass(frozen=True, slots=True)
class ServiceFacts:
    """What the analysis needs from a botocore service model: its operations and IAM name candidates."""

    operations: tuple[str, ...]
    signing_name: str
    endpoint_prefix: str


def _facts_path(service: str) -> Path | None:
    """``~/.cache/hullguard/botocore-<version>/<service>.json``: a service model is a large gzipped
    JSON file (S3's takes ~10 ms to decode); the few facts the analysis needs are kept per version."""
    import botocore

    base = cache_dir()
    return base / f"botocore-{botocore.__version__}" / f"{service}.json" if base is not None else None


@functools.cache
def service_facts(service: str) -> ServiceFacts:
    path = _facts_path(service)
    if path is not None and path.is_file():
        try:
            raw = json.loads(path.read_text())
            return ServiceFacts(tuple(raw["operations"]), str(raw["signing_name"]), str(raw["endpoint_prefix"]))
        except (OSError, ValueError, KeyError, TypeError):
            pass  # a damaged cache entry is rebuilt below
    model = _session().get_service_model(service)
    facts = ServiceFacts(tuple(model.operation_names), str(model.signing_name), str(model.endpoint_prefix))
    _write_cache(path, {"operations": facts.operations, "signing_name": facts.signing_name,
                        "endpoint_prefix": facts.endpoint_prefix})
    return facts


@functools.cache
def available_services() -> tuple[str, ...]:
    """botocore's service names, cached per botocore version like the facts (creating a botocore
    session imports most of botocore: ~0.13 s when nothing else has)."""
    path = _facts_path("_services")
    if path is not None and path.is_file():
        try:
            return tuple(str(s) for s in json.loads(path.read_text()))
        except (OSError, ValueError, TypeError):
            pass
    names = tuple(_session().get_available_services())
    _write_cache(path, list(names))
    return names


def _write_cache(path: Path | None, value: Any) -> None:
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(value))
        tmp.replace(path)
    except OSError:
        pass  # read-only home: no cache, same result


def xform_name(name: str) -> str:
    """botocore's CamelCase -> snake_case (``ListObjectsV2`` -> ``list_objects_v2``)."""
    from botocore import xform_name as botocore_xform

    return str(botocore_xform(name))


class ServiceCatalog:
    """Lazy view over botocore's service models: one model is loaded the first time it is asked for."""

    def __init__(self, dataset: IamDataset | None = None) -> None:
        self.dataset = dataset or load_dataset()
        self._models: dict[str, Any] = {}
        self._services: frozenset[str] | None = None

    # -- services ---------------------------------------------------------------------------
    @property
    def services(self) -> frozenset[str]:
        if self._services is None:
            self._services = frozenset(available_services())
        return self._services

    def known(self, service: str) -> bool:
        return service in self.services

    def model(self, service: str) -> Any:
        if service not in self._models:
            self._models[service] = _session().get_service_model(service)
        return self._models[service]

    @functools.cached_property
    def _by_sdk_name(self) -> dict[str, str]:
        """SDK names -> botocore service: the service names with and without hyphens, plus the
        aliases in the data file for services whose SDK id differs (``SFN``, ``EventBridge``)."""
        index = {s.replace("-", ""): s for s in self.services}
        index.update({s: s for s in self.services})
        index.update({k: v for k, v in _exceptions()["sdk_names"].items() if not k.startswith("_")})
        return index

    def service_for_sdk_name(self, name: str) -> str | None:
        """Service of ``@aws-sdk/client-<name>`` or ``new AWS.<Name>()`` (case-insensitive)."""
        key = name.lower()
        index = self._by_sdk_name
        return index.get(key) or index.get(key.replace("-", ""))

    def iam_prefix(self, service: str) -> str:
        override = _exceptions()["iam_prefix"].get(service)
        if override:
            return str(override)
        for candidate in self._prefix_candidates(service):
            if self.dataset.known_service(candidate):
                return candidate
        return service

    def _prefix_candidates(self, service: str) -> list[str]:
        try:
            facts = service_facts(service)
            return [facts.signing_name, facts.endpoint_prefix, service]
        except Exception:  # unknown service: the name is the best guess
            return [service]

    # -- operations ---------------------------------------------------------------------------
    @functools.cache  # noqa: B019 - one catalog per run; caches per service
    def _operation_index(self, service: str) -> dict[str, str]:
        names = service_facts(service).operations
        index: dict[str, str] = {}
        for name in names:
            index[xform_name(name)] = name
            index[name.lower()] = name
        return index

    def operation(self, service: str, method: str) -> str | None:
        """``list_objects_v2`` / ``listObjectsV2`` / ``ListObjectsV2`` -> ``ListObjectsV2``."""
        if not self.known(service):
            return None
        index = self._operation_index(service)
        return index.get(method) or index.get(method.lower())

    def methods_with_prefix(self, service: str, prefix: str) -> list[str]:
        """SDK method names (snake_case, with the SDK helpers) starting with ``prefix``: the
        candidates of ``getattr(client, "put_" + kind)``."""
        if not self.known(service) or not prefix:
            return []
        names = [xform_name(op) for op in service_facts(service).operations]
        names += [h for h in _exceptions()["helpers"].get(service, {}) if not h.startswith("_")]
        return sorted({n for n in names if n.startswith(prefix)})

    def waiter_operation(self, service: str, waiter: str) -> str | None:
        try:
            model = _session().get_waiter_model(service)
        except Exception:  # a service without waiters
            return None
        for name in model.waiter_names:
            if xform_name(name) == waiter or name == waiter:
                return str(model.get_waiter(name).operation)
        return None

    def helper(self, service: str, method: str) -> Helper | None:
        spec = _exceptions()["helpers"].get(service, {}).get(method)
        if not isinstance(spec, dict):
            return None
        return Helper(tuple(spec["operations"]), tuple(spec.get("extra", ())), tuple(spec.get("args", ())))

    def needs(self, service: str, operation: str) -> list[ActionNeed]:
        """The IAM actions one call of ``operation`` needs (``[]`` when it needs none)."""
        if operation in _exceptions()["no_permission"].get(service, []):
            return []
        listed = _exceptions()["operations"].get(service, {}).get(operation)
        if listed:
            out: list[ActionNeed] = []
            for entry in listed:
                role, _, action = entry.rpartition("=")
                out.append(ActionNeed(action, role))
            return out
        prefix = self.iam_prefix(service)
        info = self.dataset.action(f"{prefix}:{operation}")
        if info is None:
            for candidate in self._prefix_candidates(service):
                info = self.dataset.action(f"{candidate}:{operation}")
                if info:
                    break
        return [ActionNeed(info.name if info else f"{prefix}:{operation}")]

    def is_known_action(self, action: str) -> bool:
        return self.dataset.action(action) is not None


@functools.cache
def catalog() -> ServiceCatalog:
    return ServiceCatalog()
