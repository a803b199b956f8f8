"""Public functions without X-Ray tracing."""

from collections.abc import Iterator

from hullguard.events.schema import Severity
from hullguard.model.app import Application, Function
from hullguard.model.finding import Finding
from hullguard.scanner.context import ScanContext
from hullguard.scanner.rules.base import FunctionRule
from hullguard.scanner.rules.helpers import is_public


class NoTracing(FunctionRule):
    id = "HG-LOG-002"
    severity = Severity.LOW
    risk = "inadequate-logging"
    title = "Internet-facing function has tracing disabled"
    description = (
        "Active tracing records each invocation's calls to other services; without it, the path of a malicious "
        "request through the application cannot be reconstructed."
    )
    remediation = 'Enable active tracing (Tracing: Active, tracing.lambda: true, tracing_config { mode = "Active" }).'
    references = ("https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html",)

    def check_function(self, fn: Function, app: Application, ctx: ScanContext) -> Iterator[Finding]:
        if is_public(fn) and fn.tracing is not True:
            yield self.finding(app, "active tracing is not enabled", fn.source, function=fn)
