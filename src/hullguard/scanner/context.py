"""Per-scan state rules may read: the root, the date, caches of IAM analysis, code and dependencies.

Rules stay pure functions of the model; anything that reads files (handler code, manifests, the OSV
database) is done here once and shared, so ten code rules parse a handler once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hullguard.model.app import Function, Role

if TYPE_CHECKING:
    from hullguard.iam.analyzer import PolicyIssue
    from hullguard.scanner.code.index import CodeIndex, FunctionCode
    from hullguard.scanner.deps.manifests import Dependency
    from hullguard.scanner.deps.osv import OsvDatabase


@dataclass
class ScanContext:
    root: Path | None = None
    today: dt.date = field(default_factory=dt.date.today)
    osv_db: Path | None = None
    problems: list[str] = field(default_factory=list)
    _iam: dict[int, tuple[Role, list[PolicyIssue]]] = field(default_factory=dict)
    _by_content: dict[str, tuple[Role, list[PolicyIssue]]] = field(default_factory=dict)
    _code: CodeIndex | None = None
    _osv: OsvDatabase | None = None
    _osv_loaded: bool = False
    _deps: dict[str, list[Dependency]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def policy_issues(self, role: Role) -> list[PolicyIssue]:
        """The IAM analyser's verdict on a role's statements, computed once per role.

        Roles with the same policies (copied stacks, one template per stage) share one analysis; the
        issues are re-pointed at the role's own statements so findings keep their own lines."""
        key = id(role)
        known = self._iam.get(key)
        # The role is kept with its issues: a context living longer than the applications it read (a
        # worker process's) must not mistake a new role at a recycled address for an old one.
        if known is not None and known[0] is role:
            return known[1]
        content = json.dumps(
            [[p.name, p.managed_arn, [st.to_json() for st in p.statements]] for p in role.policies],
            sort_keys=True,
            default=str,
        )
        twin = self._by_content.get(content)
        if twin is not None:
            cached_role, cached = twin
            own = dict(zip(map(id, cached_role.statements()), role.statements(), strict=False))
            issues = [
                dataclasses.replace(i, statement=own.get(id(i.statement), i.statement)) if i.statement else i
                for i in cached
            ]
            self._iam[key] = (role, issues)
            return issues
        from hullguard.iam import analyzer

        try:
            # analyze_policies also judges managed policies by name (AdministratorAccess, *FullAccess).
            analyze_policies = getattr(analyzer, "analyze_policies", None)
            if analyze_policies is not None:
                issues = list(analyze_policies(role.policies))
            else:
                issues = list(analyzer.analyze_statements(role.statements()))
        except Exception as exc:
            self.problems.append(f"IAM analysis of role {role.logical_id} failed: {type(exc).__name__}: {exc}")
            issues = []
        self._iam[key] = (role, issues)
        self._by_content[content] = (role, issues)
        return issues

    @property
    def code(self) -> CodeIndex:
        if self._code is None:
            from hullguard.scanner.code.index import CodeIndex

            self._code = CodeIndex(self.root)
        return self._code

    def function_code(self, fn: Function) -> FunctionCode | None:
        if self.root is None:
            return None
        return self.code.for_function(fn)

    def dependencies(self, fn: Function) -> list[Dependency]:
        if self.root is None or fn.code_path is None:
            return []
        if fn.code_path not in self._deps:
            from hullguard.scanner.deps.manifests import find_dependencies

            self._deps[fn.code_path] = find_dependencies(self.root, fn.code_path, self.problems)
        return self._deps[fn.code_path]

    @property
    def osv(self) -> OsvDatabase | None:
        if not self._osv_loaded:
            from hullguard.scanner.deps.osv import OsvDatabase

            self._osv_loaded = True
            self._osv = OsvDatabase.open(self.osv_db, self.problems)
        return self._osv
