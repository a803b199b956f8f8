"""Functions nothing invokes: no trigger and no invoke permission."""

from collections.abc import Iterator

from hullguard.events.schema import Severity
from hullguard.model.app import Application, Function
from hullguard.model.finding import Finding
from hullguard.scanner.context import ScanContext
from hullguard.scanner.rules.base import FunctionRule


class OrphanFunction(FunctionRule):
    id = "HG-GOV-001"
    severity = Severity.INFO
    risk = "ungoverned-assets"
    title = "Function has no trigger or invoke permission"
    description = (
        "Nothing in the application invokes the function. Leftover functions keep their roles and code, nobody "
        "maintains them, and they are forgotten entry points."
    )
    remediation = "Delete unused functions, or document who invokes them (a tag such as invoked-by) and suppress."
    references = ("https://docs.aws.amazon.com/lambda/latest/dg/lambda-invocation.html",)

    def check_function(self, fn: Function, app: Application, ctx: ScanContext) -> Iterator[Finding]:
        if not fn.triggers and not fn.permissions and fn.url is None and "invoked-by" not in fn.tags:
            yield self.finding(
                app, "no trigger, URL or invoke permission references this function", fn.source, function=fn
            )
