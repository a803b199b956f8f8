"""What a rule is: metadata as class attributes, and ``check`` yielding findings over the model.

Rules are pure: they read the application model (and, for code rules, the ``CodeIndex`` the engine
hands them, which reads files under the scanned root once). A rule never raises for bad data: the
engine turns an exception into a problem naming the rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from hullguard.events.schema import RISKS, Severity
from hullguard.model.app import Application, Function, SourceRef
from hullguard.model.finding import Finding

if TYPE_CHECKING:
    from hullguard.scanner.context import ScanContext


class Rule:
    id: ClassVar[str] = ""
    title: ClassVar[str] = ""
    severity: ClassVar[Severity] = Severity.MEDIUM
    risk: ClassVar[str] = ""
    description: ClassVar[str] = ""
    remediation: ClassVar[str] = ""
    references: ClassVar[tuple[str, ...]] = ()
    needs_code: ClassVar[bool] = False  # reads files under the root (code, manifests)
    # A file's findings belong to the first application (scan order) reporting it: apps sharing code.
    one_app_per_file: ClassVar[bool] = False

    def check(self, app: Application, ctx: ScanContext) -> Iterator[Finding]:
        raise NotImplementedError

    @classmethod
    def validate(cls) -> None:
        problems = []
        if not cls.id.startswith("HG-"):
            problems.append("id must start with HG-")
        if cls.risk not in RISKS:
            problems.append(f"risk {cls.risk!r} is not one of hullguard.events.RISKS")
        for name in ("title", "description", "remediation"):
            if not getattr(cls, name):
                problems.append(f"{name} is empty")
        if problems:
            raise ValueError(f"rule {cls.__name__}: " + "; ".join(problems))

    def finding(
        self,
        app: Application,
        message: str,
        source: SourceRef | None = None,
        *,
        function: Function | str | None = None,
        resource: str | None = None,
        severity: Severity | None = None,
        detail: dict[str, Any] | None = None,
    ) -> Finding:
        source = source or SourceRef()
        fn_id = function.logical_id if isinstance(function, Function) else function
        return Finding(
            rule_id=self.id,
            title=self.title,
            severity=severity or self.severity,
            risk=self.risk,
            message=message,
            file=source.file or app.template,
            line=source.line,
            function=fn_id,
            resource=resource if resource is not None else (source.logical_id if source.logical_id != fn_id else None),
            remediation=self.remediation,
            application=app.name,
            detail=detail or {},
        )


class FunctionRule(Rule):
    """A rule that looks at one function at a time."""

    def check(self, app: Application, ctx: ScanContext) -> Iterator[Finding]:
        for fn in app.functions:
            yield from self.check_function(fn, app, ctx)

    def check_function(self, fn: Function, app: Application, ctx: ScanContext) -> Iterator[Finding]:
        raise NotImplementedError


def rule_file(rule: type[Rule]) -> Path:
    import inspect

    return Path(inspect.getfile(rule))
