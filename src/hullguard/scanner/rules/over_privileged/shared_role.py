"""One execution role shared by several functions (AWS Config rule 2 of the brief)."""

from collections.abc import Iterator

from hullguard.events.schema import Severity
from hullguard.model.app import Application
from hullguard.model.finding import Finding
from hullguard.scanner.context import ScanContext
from hullguard.scanner.rules.base import Rule


class SharedRole(Rule):
    id = "HG-IAM-012"
    severity = Severity.MEDIUM
    risk = "over-privileged"
    title = "Several functions share one execution role"
    description = (
        "Every function using a shared role holds the union of what all of them need, so a flaw in the least "
        "important function exposes the permissions of the most powerful one. Functions and roles should be 1:1."
    )
    remediation = (
        "Give each function its own role (SAM: per-function Policies; Serverless Framework: "
        "serverless-iam-roles-per-function or per-function `role`; Terraform: one aws_iam_role per function)."
    )
    references = ("https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html",)

    def check(self, app: Application, ctx: ScanContext) -> Iterator[Finding]:
        users: dict[str, list[str]] = {}
        roles = {}
        for fn in app.functions:
            if fn.role is not None:
                users.setdefault(fn.role.logical_id, []).append(fn.logical_id)
                roles[fn.role.logical_id] = fn.role
        for role_id, functions in users.items():
            if len(functions) < 2:
                continue
            role = roles[role_id]
            for fn_id in functions:
                user = app.function(fn_id)
                others = ", ".join(f for f in functions if f != fn_id)
                yield self.finding(
                    app,
                    f"role {role_id} is shared with {others}",
                    user.source if user else role.source,
                    function=fn_id,
                    resource=role_id,
                    detail={"functions": functions},
                )
