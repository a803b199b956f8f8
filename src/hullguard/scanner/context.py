"""Per-scan state rules may read: the root, the date, caches of IAM analysis, code and dependencies.

Rules stay pure functions of the model; anything that reads files (handler code, manifests, the OSV
database) is done here once and shared, so ten code rules parse a handler once.
"""

from __future__ import annotations

import datetime as dt
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
    _iam: dict[int, list[PolicyIssue]] = field(default_factory=dict)
    _code: CodeIndex | None = None
    _osv: OsvDatabase | None = None
    _osv_loaded: bool = False
    _deps: dict[str, list[Dependency]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def policy_issues(self, role: Role) -> list[PolicyIssue]:
        """The IAM analyser's verdict on a role's statements, computed once per role."""
        key = id(role)
        if key not in self._iam:
            from hullguard.iam import analyzer

            try:
                # analyze_policies also judges managed policies by name (AdministratorAccess, *FullAccess).
                analyze_policies = getattr(analyzer, "analyze_policies", None)
                if analyze_policies is not None:
                    self._iam[key] = list(analyze_policies(role.policies))
                else:
                    self._iam[key] = list(analyzer.analyze_statements(role.statements()))
            except Exception as exc:
                self.problems.append(f"IAM analysis of role {role.logical_id} failed: {type(exc).__name__}: {exc}")
                self._iam[key] = []
        return self._iam[key]

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
