"""Roles that may invoke any function or start any workflow, bypassing the intended call order."""

from collections.abc import Iterator

from hullguard.events.schema import Severity
from hullguard.model.app import Application, Function
from hullguard.model.finding import Finding
from hullguard.scanner.context import ScanContext
from hullguard.scanner.rules.base import FunctionRule

FLOW_ACTIONS = {
    "lambda:invokefunction",
    "lambda:invokeasync",
    "lambda:invokefunctionurl",
    "lambda:*",
    "states:startexecution",
    "states:startsyncexecution",
    "states:*",
    "*",
}


class InvokeAnyFunction(FunctionRule):
    id = "HG-FLOW-001"
    severity = Severity.MEDIUM
    risk = "flow-manipulation"
    title = "Function may invoke any function or state machine"
    description = (
        "The role allows lambda:InvokeFunction or states:StartExecution on every resource: a compromised function "
        "can call any other function directly, skipping the checks the intended order of calls enforces."
    )
    remediation = "Restrict invoke/start actions to the ARNs of the functions and state machines this one calls."
    references = ("https://docs.aws.amazon.com/lambda/latest/dg/lambda-permissions.html",)

    def check_function(self, fn: Function, app: Application, ctx: ScanContext) -> Iterator[Finding]:
        if fn.role is None:
            return
        for statement in fn.role.statements():
            if statement.effect != "Allow" or "*" not in [str(r) for r in statement.resources]:
                continue
            actions = sorted({a for a in statement.actions if a.lower() in FLOW_ACTIONS})
            if actions and actions != ["*"]:
                source = statement.source if statement.source.file else fn.source
                yield self.finding(
                    app,
                    f"role {fn.role.logical_id} allows {', '.join(actions)} on *",
                    source,
                    function=fn,
                    resource=fn.role.logical_id,
                )
