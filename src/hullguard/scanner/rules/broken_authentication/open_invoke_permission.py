"""Lambda resource policies that let anyone, or any account's service, invoke the function."""

from collections.abc import Iterator

from hullguard.events.schema import Severity
from hullguard.model.app import Application, Function
from hullguard.model.finding import Finding
from hullguard.scanner.context import ScanContext
from hullguard.scanner.rules.base import FunctionRule
from hullguard.scanner.rules.helpers import is_everyone

# Service principals whose events carry no account boundary unless SourceArn/SourceAccount is set.
CONFUSED_DEPUTY_SERVICES = (
    "s3.amazonaws.com",
    "sns.amazonaws.com",
    "events.amazonaws.com",
    "apigateway.amazonaws.com",
    "logs.amazonaws.com",
    "ses.amazonaws.com",
    "iot.amazonaws.com",
    "cognito-idp.amazonaws.com",
    "scheduler.amazonaws.com",
)


class OpenInvokePermission(FunctionRule):
    id = "HG-AUTH-003"
    severity = Severity.HIGH
    risk = "broken-authentication"
    title = "Function resource policy allows anyone to invoke it"
    description = (
        'A lambda:InvokeFunction permission names principal "*", or a service principal without SourceArn or '
        "SourceAccount: any AWS account (or a resource in any account) can invoke the function."
    )
    remediation = "Name the exact principal, and for service principals set SourceArn and SourceAccount."
    references = ("https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html",)

    def check_function(self, fn: Function, app: Application, ctx: ScanContext) -> Iterator[Finding]:
        for permission in fn.permissions:
            principal = permission.principal
            url_auth = permission.function_url_auth_type
            if isinstance(url_auth, str) and url_auth.upper() == "NONE":
                continue  # reported by HG-AUTH-002 when the URL exists
            if is_everyone(principal):
                yield self.finding(
                    app, f"{permission.action} is granted to principal *", permission.source, function=fn
                )
            elif (
                str(principal) in CONFUSED_DEPUTY_SERVICES
                and permission.source_arn is None
                and permission.source_account is None
            ):
                yield self.finding(
                    app,
                    f"{permission.action} is granted to {principal} without SourceArn or "
                    "SourceAccount (any account's resources may invoke it)",
                    permission.source,
                    function=fn,
                    severity=Severity.MEDIUM,
                )
