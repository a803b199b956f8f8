"""Functions invoked by several different kinds of trigger (AWS Config rule 3 of the brief)."""

from collections.abc import Iterator

from hullguard.events.schema import Severity
from hullguard.model.app import Application, Function
from hullguard.model.finding import Finding
from hullguard.scanner.context import ScanContext
from hullguard.scanner.rules.base import FunctionRule


class MultipleTriggerTypes(FunctionRule):
    id = "HG-CFG-005"
    severity = Severity.LOW
    risk = "insecure-configuration"
    title = "Function has several different trigger types"
    description = (
        "The function is invoked by more than one kind of event source. Each kind has its own event shape and "
        "trust level, which widens the attack surface and breaks the single-responsibility principle."
    )
    remediation = "Split the function per event source, or remove triggers left over from prototyping."
    references = ("https://docs.aws.amazon.com/lambda/latest/dg/lambda-invocation.html",)

    def check_function(self, fn: Function, app: Application, ctx: ScanContext) -> Iterator[Finding]:
        kinds = sorted({t.kind for t in fn.triggers})
        if len(kinds) > 1:
            yield self.finding(
                app, f"triggered by {len(kinds)} kinds of event source: {', '.join(kinds)}", fn.source, function=fn
            )
