"""Per-function policies: stored as the YAML text the operator wrote, validated before saving,
versioned so ``hullguard policy pull`` can tell a new one from the one it packaged."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from hullguard.console.errors import ConsoleError
from hullguard.console.models import Policy
from hullguard.console.security import now_ms

_KEY = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
FUNCTION_NAME = re.compile(r"^[A-Za-z0-9_.:$-]{1,170}$")

DEFAULT_POLICY = """\
# hullguard policy for this function; see docs/runtime.md and docs/firewall.md.
mode: block          # block | alert: what a detection does
fail_mode: open      # open | closed: what an internal hullguard error does
"""


def _runtime_validator() -> Callable[[Any, str], Any] | None:
    """The runtime's own policy reader (``RuntimePolicy.from_dict``), so the console accepts exactly
    what a protected function will load. ``None`` when the runtime part is not installed."""
    try:
        module = importlib.import_module("hullguard.runtime.policy")
    except ImportError:
        return None
    policy_class = getattr(module, "RuntimePolicy", None)
    reader = getattr(policy_class, "from_dict", None)
    return reader if callable(reader) else None


def validate_policy_text(text: str, max_bytes: int = 64 * 1024) -> dict[str, Any]:
    """Return the parsed policy, or raise ``ConsoleError(422)`` with what is wrong and where."""
    if len(text.encode()) > max_bytes:
        raise ConsoleError(422, f"policy is larger than {max_bytes} bytes")
    try:
        data = yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConsoleError(422, f"policy is not valid YAML{where}: {problem}") from None
    if not isinstance(data, dict):
        raise ConsoleError(422, "policy must be a YAML mapping (key: value lines) at the top level")
    bad = [str(k) for k in data if not isinstance(k, str) or not _KEY.match(k)]
    if bad:
        raise ConsoleError(422, f"policy has top-level keys that are not lower-case names: {', '.join(bad)}")
    validator = _runtime_validator()
    if validator is not None:
        try:
            validator(data, "policy")
        except (ValueError, TypeError, KeyError) as exc:
            raise ConsoleError(422, f"policy is not valid: {exc}") from None
    return data


def check_function_name(name: str) -> str:
    if not FUNCTION_NAME.match(name):
        raise ConsoleError(422, "function name: 1 to 170 letters, digits or . _ : $ -")
    return name


def get_policy(session: Session, function_name: str) -> Policy | None:
    return session.scalars(select(Policy).where(Policy.function_name == function_name)).first()


def save_policy(session: Session, function_name: str, text: str, actor: str) -> Policy:
    check_function_name(function_name)
    validate_policy_text(text)
    policy = get_policy(session, function_name)
    stamp = now_ms()
    if policy is None:
        policy = Policy(function_name=function_name, text=text, version=1, updated_ms=stamp, updated_by=actor)
        session.add(policy)
    elif policy.text != text:
        policy.text = text
        policy.version += 1
        policy.updated_ms = stamp
        policy.updated_by = actor
    session.flush()
    return policy
