"""Rule registry: every ``Rule`` subclass with an id in a module under ``rules/<risk>/`` is a rule.

Adding a rule means adding a file; the catalogue (``docs/rules-scanner.md``) is generated from here.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

from hullguard.scanner.rules.base import FunctionRule, Rule

__all__ = ["FunctionRule", "Rule", "all_rules", "rule_by_id"]


@lru_cache(maxsize=1)
def all_rules() -> tuple[type[Rule], ...]:
    """Every registered rule class, sorted by id; raises if two share an id or metadata are incomplete."""
    package = importlib.import_module(__name__)
    for info in pkgutil.walk_packages(package.__path__, prefix=f"{__name__}."):
        importlib.import_module(info.name)
    found: dict[str, type[Rule]] = {}
    stack: list[type[Rule]] = list(Rule.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if not cls.id or not cls.__module__.startswith(f"{__name__}."):
            continue
        cls.validate()
        if cls.id in found and found[cls.id] is not cls:
            raise ValueError(f"duplicate rule id {cls.id}: {found[cls.id].__name__} and {cls.__name__}")
        found[cls.id] = cls
    return tuple(found[k] for k in sorted(found))


def rule_by_id(rule_id: str) -> type[Rule] | None:
    return next((r for r in all_rules() if r.id == rule_id), None)
