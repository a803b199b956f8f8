"""Shared shape of the over-privileged rules: each maps one ``PolicyIssue`` kind of the IAM
analyser (``hullguard.iam.analyzer``) to findings, one per function using the role. Policy analysis
itself lives in the IAM part; these rules only say where it matters."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from hullguard.model.app import Application, Function, SourceRef
from hullguard.model.finding import Finding
from hullguard.scanner.context import ScanContext
from hullguard.scanner.rules.base import FunctionRule

# A wildcard expands to thousands of actions ("*" alone to ~14,000); a finding lists the first ones and
# the total so a report stays readable (and a 100-template scan does not write 100 MB of action names).
MAX_LISTED_ACTIONS = 50


class PolicyIssueRule(FunctionRule):
    risk = "over-privileged"
    kind: ClassVar[str] = ""

    def check_function(self, fn: Function, app: Application, ctx: ScanContext) -> Iterator[Finding]:
        if fn.role is None:
            return
        for issue in ctx.policy_issues(fn.role):
            if issue.kind != self.kind:
                continue
            statement = issue.statement
            source = statement.source if statement is not None and statement.source.file else fn.role.source
            if not source.file:
                source = fn.source
            actions = list(issue.actions)
            detail: dict[str, Any] = {"role": fn.role.logical_id, "actions": actions[:MAX_LISTED_ACTIONS]}
            if len(actions) > MAX_LISTED_ACTIONS:
                detail["actions_total"] = len(actions)
            if statement is not None:
                detail["statement"] = statement.to_json()
            yield self.finding(
                app,
                f"role {fn.role.logical_id}: {issue.message}",
                SourceRef(source.file, source.line, fn.role.logical_id),
                function=fn,
                resource=fn.role.logical_id,
                severity=issue.severity,
                detail=detail,
            )
