"""Public-facing functions without a concurrency limit."""

from collections.abc import Iterator

from hullguard.events.schema import Severity
from hullguard.model.app import Application, Function
from hullguard.model.finding import Finding
from hullguard.scanner.context import ScanContext
from hullguard.scanner.rules.base import FunctionRule
from hullguard.scanner.rules.helpers import is_public


class NoReservedConcurrency(FunctionRule):
    id = "HG-DOS-001"
    severity = Severity.MEDIUM
    risk = "denial-of-service"
    title = "Public-facing function has no reserved concurrency"
    description = (
        "Without reserved concurrency a flood of requests scales the function up to the account's whole "
        "concurrency pool: it starves every other function of the account and runs up the bill."
    )
    remediation = (
        "Set ReservedConcurrentExecutions (SAM/CFN), reservedConcurrency (Serverless) or "
        "reserved_concurrent_executions (Terraform) to the peak you expect."
    )
    references = ("https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html",)

    def check_function(self, fn: Function, app: Application, ctx: ScanContext) -> Iterator[Finding]:
        if is_public(fn) and fn.reserved_concurrency is None:
            yield self.finding(
                app, "internet-facing function has no reserved concurrency limit", fn.source, function=fn
            )
