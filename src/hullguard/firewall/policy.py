"""A function's firewall policy: the ``firewall:`` section of its ``hullguard.yml``.

Example (YAML)::

    firewall:
      mode: block                 # block | alert
      paranoia: 1                 # 1 (default) .. 3 (strictest, more false positives)
      fail_mode: open             # open | closed: what an internal error does
      on_budget_exhausted: allow  # allow | block: what an inspection cut short by its budget does
      report_batch_item_failures: true
      families:                   # every family is on by default
        xss: alert                # true | false | block | alert | off
        ldap: off
      allow:                      # findings at these locations are not reported
        - location: body.article.html   # glob: * = one path segment, ** = any run of segments
          families: [xss]
        - location: headers.x-signature
          rules: [HG-SQLI-001]
      budget:
        max_bytes: 8388608
        max_depth: 64
        max_strings: 250000
        max_decoded_bytes: 16777216
        time_budget_ms: 1000

``FirewallPolicy.from_dict`` rejects unknown keys and wrong values with a ``PolicyError`` naming the
key path, e.g. ``firewall.families.sqlx: unknown attack family``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from hullguard.events.schema import Severity
from hullguard.firewall.detectors import FAMILIES

TYPE_CHECKING = False
if TYPE_CHECKING:  # ``typing`` costs about 3 ms of every cold start; type checkers see it here
    from typing import Any, NamedTuple
else:  # the same classes, built by collections.namedtuple without importing typing
    from hullguard.events.record import NamedTuple

MODES = ("block", "alert")
FAIL_MODES = ("open", "closed")
BUDGET_ACTIONS = ("allow", "block")
_FAMILY_SWITCHES = ("block", "alert", "off")
_RULE_ID = r"HG-[A-Z0-9]+-[0-9]{3}"  # compiled (and cached by re) only when an allow rule names rules


class PolicyError(ValueError):
    """A policy that cannot be used; the message starts with the key path at fault."""


# Immutable value types are NamedTuples rather than dataclasses: creating a dataclass costs about
# 0.6 ms at import, a NamedTuple a tenth of that, and this module is on every cold start.
# (At run time ``NamedTuple`` is ``hullguard.events.record.NamedTuple``: no ``typing`` import.)
class Budget(NamedTuple):
    """Upper bounds on the work of one ``inspect`` call."""

    max_bytes: int = 8 * 1024 * 1024  # characters of text scanned (all views of all strings)
    max_depth: int = 64  # nesting of objects, arrays and encodings inside each other
    max_strings: int = 250_000  # strings (values and keys) looked at
    max_decoded_bytes: int = 16 * 1024 * 1024  # output of base64/gzip/URL decoding, all together
    time_budget_ms: float = 1000.0  # wall-clock time of one inspection (a 6 MB event needs about half)
    max_findings: int = 50  # findings reported per event


class AllowRule(NamedTuple):
    """Findings at ``location`` (a glob) are not reported, for the given families/rules or all."""

    location: str
    families: frozenset[str] = frozenset()
    rules: frozenset[str] = frozenset()
    pattern: re.Pattern[str] = re.compile("")

    def matches(self, location: str, family: str, rule_id: str) -> bool:
        if self.families and family not in self.families:
            return False
        if self.rules and rule_id not in self.rules:
            return False
        return self.pattern.fullmatch(location) is not None


def compile_glob(glob: str) -> re.Pattern[str]:
    """``*`` matches within one path segment, ``**`` across segments; ``[`` and ``]`` are literal
    (locations contain ``Records[0]``), so ``Records[*].body`` means every record's body."""
    out: list[str] = []
    i = 0
    while i < len(glob):
        if glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif glob[i] == "*":
            out.append(r"[^.\[\]]*")
            i += 1
        else:
            out.append(re.escape(glob[i]))
            i += 1
    return re.compile("".join(out), re.IGNORECASE)


class FirewallPolicy(NamedTuple):
    mode: str = "block"
    paranoia: int = 1
    fail_mode: str = "open"
    on_budget_exhausted: str = "allow"
    report_batch_item_failures: bool = True
    disabled_families: frozenset[str] = frozenset()
    alert_only_families: frozenset[str] = frozenset()  # reported but never block
    allow: tuple[AllowRule, ...] = ()
    budget: Budget = Budget()

    @property
    def enabled_families(self) -> tuple[str, ...]:
        return tuple(f for f in FAMILIES if f not in self.disabled_families)

    def allows(self, location: str, family: str, rule_id: str) -> bool:
        """True when an allow rule suppresses this finding."""
        return any(rule.matches(location, family, rule_id) for rule in self.allow)

    def blocks(self, family: str) -> bool:
        """True when a finding of ``family`` makes the event blocked."""
        return self.mode == "block" and family not in self.alert_only_families

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FirewallPolicy:
        """Build a policy from the ``firewall:`` section (or a whole ``hullguard.yml`` mapping)."""
        if not isinstance(data, Mapping):
            raise PolicyError(f"firewall: expected a mapping, got {_kind(data)}")
        if "firewall" in data and isinstance(data["firewall"], Mapping | type(None)):
            data = data["firewall"] or {}
        return _parse(data)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> FirewallPolicy:
        """Read a YAML or JSON policy file; unreadable or malformed files raise ``PolicyError``."""
        path = os.fspath(path)  # no pathlib: it would add milliseconds to every cold start
        is_json = path.lower().endswith(".json")
        try:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise PolicyError(f"{path}: cannot read policy file ({exc})") from None
        try:
            if is_json:
                import json  # only when a JSON policy is read, like yaml below

                data = json.loads(text)
            else:
                import yaml  # only when a YAML policy is read: keeps the cold start small

                data = yaml.safe_load(text)
        except Exception as exc:  # any parser error is the user's file, not our bug
            raise PolicyError(f"{path}: not valid {'JSON' if is_json else 'YAML'} ({exc})") from None
        if data is None:
            data = {}
        return cls.from_dict(data)


def coerce_policy(policy: FirewallPolicy | Mapping[str, Any] | str | os.PathLike[str] | None) -> FirewallPolicy:
    """Accept what ``Firewall(policy=...)`` accepts: a policy, a mapping, a file path, or None."""
    if policy is None:
        return FirewallPolicy()
    if isinstance(policy, FirewallPolicy):
        return policy
    if isinstance(policy, Mapping):
        return FirewallPolicy.from_dict(policy)
    if isinstance(policy, str | os.PathLike):
        return FirewallPolicy.from_file(policy)
    raise PolicyError(f"firewall: expected a FirewallPolicy, mapping or file path, got {_kind(policy)}")


_TOP_KEYS = (
    "mode",
    "paranoia",
    "fail_mode",
    "on_budget_exhausted",
    "report_batch_item_failures",
    "families",
    "allow",
    "budget",
    "enabled",
)


def _parse(data: Mapping[str, Any]) -> FirewallPolicy:
    for key in data:
        if key not in _TOP_KEYS:
            raise PolicyError(f"firewall.{key}: unknown key; expected one of {', '.join(_TOP_KEYS)}")
    mode = _choice(data, "mode", MODES, "block")
    if data.get("enabled") is False:  # a switch to turn the firewall into a pure observer
        mode = "alert"
    paranoia = data.get("paranoia", 1)
    if isinstance(paranoia, bool) or not isinstance(paranoia, int) or not 1 <= paranoia <= 3:
        raise PolicyError(f"firewall.paranoia: expected an integer from 1 to 3, got {paranoia!r}")
    report = data.get("report_batch_item_failures", True)
    if not isinstance(report, bool):
        raise PolicyError(f"firewall.report_batch_item_failures: expected true or false, got {report!r}")
    disabled, alert_only = _families(data.get("families", {}))
    return FirewallPolicy(
        mode=mode,
        paranoia=paranoia,
        fail_mode=_choice(data, "fail_mode", FAIL_MODES, "open"),
        on_budget_exhausted=_choice(data, "on_budget_exhausted", BUDGET_ACTIONS, "allow"),
        report_batch_item_failures=report,
        disabled_families=disabled,
        alert_only_families=alert_only,
        allow=_allow_rules(data.get("allow", [])),
        budget=_budget(data.get("budget", {})),
    )


def _choice(data: Mapping[str, Any], key: str, choices: tuple[str, ...], default: str) -> str:
    value = data.get(key, default)
    if not isinstance(value, str) or value.lower() not in choices:
        raise PolicyError(f"firewall.{key}: expected one of {', '.join(choices)}, got {value!r}")
    return value.lower()


def _families(raw: Any) -> tuple[frozenset[str], frozenset[str]]:
    if raw is None:
        return frozenset(), frozenset()
    if not isinstance(raw, Mapping):
        raise PolicyError(f"firewall.families: expected a mapping of family to on/off/block/alert, got {_kind(raw)}")
    disabled: set[str] = set()
    alert_only: set[str] = set()
    for name, switch in raw.items():
        if name not in FAMILIES:
            raise PolicyError(f"firewall.families.{name}: unknown attack family; known: {', '.join(FAMILIES)}")
        # YAML reads a bare `off` as False and `on` as True; both spellings are accepted.
        if switch is True or switch == "on" or switch == "block":
            continue
        if switch is False or switch == "off":
            disabled.add(name)
        elif switch == "alert":
            alert_only.add(name)
        else:
            raise PolicyError(f"firewall.families.{name}: expected true, false, block, alert or off, got {switch!r}")
    return frozenset(disabled), frozenset(alert_only)


def _allow_rules(raw: Any) -> tuple[AllowRule, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise PolicyError(f"firewall.allow: expected a list of allow rules, got {_kind(raw)}")
    rules: list[AllowRule] = []
    for i, item in enumerate(raw):
        where = f"firewall.allow[{i}]"
        if not isinstance(item, Mapping):
            raise PolicyError(f"{where}: expected a mapping with location, families and/or rules, got {_kind(item)}")
        for key in item:
            if key not in ("location", "families", "rules"):
                raise PolicyError(f"{where}.{key}: unknown key; expected location, families or rules")
        location = item.get("location")
        if not isinstance(location, str) or not location:
            raise PolicyError(f"{where}.location: expected a non-empty location glob such as body.comment")
        families = _str_list(item.get("families", []), f"{where}.families")
        for fam in families:
            if fam not in FAMILIES:
                raise PolicyError(f"{where}.families: unknown attack family {fam!r}")
        rule_ids = _str_list(item.get("rules", []), f"{where}.rules")
        for rule_id in rule_ids:
            if not re.fullmatch(_RULE_ID, rule_id):
                raise PolicyError(f"{where}.rules: {rule_id!r} is not a rule id like HG-XSS-001")
        rules.append(AllowRule(location, frozenset(families), frozenset(rule_ids), compile_glob(location)))
    return tuple(rules)


def _budget(raw: Any) -> Budget:
    if raw is None:
        return Budget()
    if not isinstance(raw, Mapping):
        raise PolicyError(f"firewall.budget: expected a mapping, got {_kind(raw)}")
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in Budget._fields:
            raise PolicyError(f"firewall.budget.{key}: unknown budget; expected one of {', '.join(Budget._fields)}")
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise PolicyError(f"firewall.budget.{key}: expected a positive number, got {value!r}")
        values[key] = float(value) if key == "time_budget_ms" else int(value)
    return Budget(**values)


def _str_list(raw: Any, where: str) -> list[str]:
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise PolicyError(f"{where}: expected a list of strings")
    return list(raw)


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


__all__ = ["AllowRule", "Budget", "FirewallPolicy", "PolicyError", "Severity", "coerce_policy"]
