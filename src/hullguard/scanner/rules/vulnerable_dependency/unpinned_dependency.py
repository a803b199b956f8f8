"""Python requirements not pinned to one version."""

from collections.abc import Iterator

from hullguard.events.schema import Severity
from hullguard.model.app import Application, SourceRef
from hullguard.model.finding import Finding
from hullguard.scanner.context import ScanContext
from hullguard.scanner.rules.base import Rule
from hullguard.scanner.rules.vulnerable_dependency._deps import shipped_dependencies


class UnpinnedDependency(Rule):
    id = "HG-DEP-002"
    severity = Severity.LOW
    risk = "vulnerable-dependency"
    title = "Dependency is not pinned to a version"
    description = (
        "A requirement without an exact version installs whatever is newest at build time: builds are not "
        "reproducible, vulnerable versions cannot be detected, and a hijacked release ships automatically."
    )
    remediation = (
        "Pin exact versions (name==x.y.z) or deploy from a lock file (poetry.lock, uv.lock, package-lock.json)."
    )
    references = ("https://pip.pypa.io/en/stable/topics/repeatable-installs/",)
    needs_code = True

    def check(self, app: Application, ctx: ScanContext) -> Iterator[Finding]:
        for dep, functions in sorted(
            shipped_dependencies(app, ctx).items(), key=lambda kv: (kv[0].file, kv[0].line or 0, kv[0].name)
        ):
            if dep.version is None and dep.file.rsplit("/", 1)[-1].startswith("requirements"):
                yield self.finding(
                    app,
                    f"{dep.name} is not pinned to an exact version",
                    SourceRef(dep.file, dep.line, None),
                    function=functions[0] if len(functions) == 1 else None,
                    resource=f"{dep.ecosystem}:{dep.name}",
                )
