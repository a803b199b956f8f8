"""Functions on runtimes AWS no longer patches."""

from collections.abc import Iterator

from hullguard.events.schema import Severity
from hullguard.model.app import Application, Function
from hullguard.model.finding import Finding
from hullguard.scanner.context import ScanContext
from hullguard.scanner.data import runtime_deprecations
from hullguard.scanner.rules.base import FunctionRule


class DeprecatedRuntime(FunctionRule):
    id = "HG-CFG-006"
    severity = Severity.HIGH
    risk = "insecure-configuration"
    title = "Function uses a deprecated runtime"
    description = (
        "The runtime has passed its AWS deprecation date: it gets no security patches, and AWS will block "
        "creating and then updating functions that use it (dates in scanner/data/runtimes.json)."
    )
    remediation = "Move the function to a supported runtime (e.g. python3.12 / nodejs22.x) and re-test."
    references = ("https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html",)

    def check_function(self, fn: Function, app: Application, ctx: ScanContext) -> Iterator[Finding]:
        if not isinstance(fn.runtime, str):
            return
        deprecated = runtime_deprecations().get(fn.runtime)
        if deprecated is not None and deprecated <= ctx.today:
            yield self.finding(
                app, f"runtime {fn.runtime} was deprecated on {deprecated.isoformat()}", fn.source, function=fn
            )
