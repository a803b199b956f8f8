"""Where the runtime policy comes from: explicit argument > ``HULLGUARD_POLICY`` > file > defaults.

- explicit: ``@protect(policy=...)`` with a path, a mapping or a ``RuntimePolicy``;
- ``HULLGUARD_POLICY``: a path, or the policy itself inline (JSON, or YAML when it has a newline or
  ``key: value``);
- file: ``hullguard.yml``/``hullguard.yaml``/``hullguard.json`` next to the handler module, else in
  ``LAMBDA_TASK_ROOT``;
- defaults: ``RuntimePolicy()``.

``HULLGUARD_MODE=alert`` then switches the whole function to report-only, and ``HULLGUARD_LEARN=1``
turns learn mode on, whatever the policy says. PyYAML is imported only when YAML is actually read,
and paths are plain ``os.path`` strings (``pathlib`` would add a millisecond to every cold start).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping

from hullguard.runtime.policy import MODES, LearnPolicy, RuntimePolicy, RuntimePolicyError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    PolicyArg = str | os.PathLike[str] | Mapping[str, Any] | RuntimePolicy | None

ENV_POLICY = "HULLGUARD_POLICY"
ENV_MODE = "HULLGUARD_MODE"
ENV_LEARN = "HULLGUARD_LEARN"
FILE_NAMES = ("hullguard.yml", "hullguard.yaml", "hullguard.json")


def load_policy(explicit: PolicyArg = None, near: str | None = None) -> RuntimePolicy:
    """Resolve, read and validate the policy; raises ``RuntimePolicyError`` with precise messages."""
    policy = _resolve(explicit, near)
    return _apply_switches(policy)


def _resolve(explicit: PolicyArg, near: str | None) -> RuntimePolicy:
    if isinstance(explicit, RuntimePolicy):
        return explicit
    if isinstance(explicit, Mapping):
        return RuntimePolicy.from_dict(dict(explicit), source="<policy argument>")
    if explicit is not None:
        return read_policy_file(_find(os.fspath(explicit), near))
    inline = os.environ.get(ENV_POLICY, "").strip()
    if inline:
        if inline[:1] in "{[" or "\n" in inline or (": " in inline and not os.path.exists(inline)):
            return RuntimePolicy.from_dict(parse_text(inline, ENV_POLICY, yaml=inline[:1] not in "{["),
                                           source=ENV_POLICY)
        return read_policy_file(_find(inline, near))
    for directory in _search_dirs(near):
        for name in FILE_NAMES:
            candidate = os.path.join(directory, name)
            if os.path.isfile(candidate):
                return read_policy_file(candidate)
    return RuntimePolicy()


def _search_dirs(near: str | None) -> list[str]:
    dirs = [near] if near else []
    task_root = os.environ.get("LAMBDA_TASK_ROOT")
    if task_root:
        dirs.append(task_root)
    return dirs


def _find(path: str, near: str | None) -> str:
    if os.path.isabs(path) or os.path.exists(path):
        return path
    for directory in _search_dirs(near):
        candidate = os.path.join(directory, path)
        if os.path.exists(candidate):
            return candidate
    return path


def read_policy_file(path: str | os.PathLike[str]) -> RuntimePolicy:
    name = os.fspath(path)
    try:
        with open(name, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        raise RuntimePolicyError(name, ["file not found"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RuntimePolicyError(name, [f"cannot be read: {exc}"]) from None
    data = parse_text(text, name, yaml=os.path.splitext(name)[1].lower() != ".json")
    return RuntimePolicy.from_dict(data, source=name)


def parse_text(text: str, source: str, *, yaml: bool) -> Any:
    if not yaml:
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise RuntimePolicyError(source, [f"line {exc.lineno} column {exc.colno}: invalid JSON: {exc.msg}"]) \
                from None
    import yaml as pyyaml  # only now: most functions never read YAML at all

    try:
        return pyyaml.safe_load(text)
    except pyyaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1} column {mark.column + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise RuntimePolicyError(source, [f"{where}invalid YAML: {problem}"]) from None


def _apply_switches(policy: RuntimePolicy) -> RuntimePolicy:
    mode = os.environ.get(ENV_MODE, "").strip().lower()
    if mode:
        if mode not in MODES:
            raise RuntimePolicyError(ENV_MODE, [f"{mode!r} is not one of {', '.join(MODES)}"])
        policy = policy._replace(mode=mode)
    if os.environ.get(ENV_LEARN, "").strip().lower() in ("1", "true", "yes", "on"):
        policy = policy._replace(learn=LearnPolicy(enabled=True))
    return policy
