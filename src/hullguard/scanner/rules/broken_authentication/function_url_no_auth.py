"""Function URLs with AuthType NONE."""

from collections.abc import Iterator

from hullguard.events.schema import Severity
from hullguard.model.app import Application, Function
from hullguard.model.finding import Finding
from hullguard.scanner.context import ScanContext
from hullguard.scanner.rules.base import FunctionRule


class FunctionUrlNoAuth(FunctionRule):
    id = "HG-AUTH-002"
    severity = Severity.HIGH
    risk = "broken-authentication"
    title = "Function URL accepts unauthenticated calls"
    description = (
        "The function has a URL with AuthType NONE: anyone who learns the URL invokes the function directly, "
        "bypassing API Gateway authorizers, throttling and WAF."
    )
    remediation = "Set the function URL AuthType to AWS_IAM, or put the function behind API Gateway with an authorizer."
    references = ("https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html",)

    def check_function(self, fn: Function, app: Application, ctx: ScanContext) -> Iterator[Finding]:
        if fn.url is not None and str(fn.url.auth_type).upper() == "NONE":
            yield self.finding(app, "function URL has AuthType NONE", fn.url.source, function=fn)
