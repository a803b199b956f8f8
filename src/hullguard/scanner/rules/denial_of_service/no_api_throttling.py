"""APIs without throttling or a usage plan."""

from collections.abc import Iterator

from hullguard.events.schema import Severity
from hullguard.model.app import Application
from hullguard.model.finding import Finding
from hullguard.scanner.context import ScanContext
from hullguard.scanner.rules.base import Rule


class NoApiThrottling(Rule):
    id = "HG-DOS-002"
    severity = Severity.MEDIUM
    risk = "denial-of-service"
    title = "API has no throttling or usage plan"
    description = (
        "The API relies on the account-wide default limit (10,000 requests/s): one client can exhaust it for "
        "every API of the account and drive up function and downstream costs."
    )
    remediation = (
        "Set stage throttling (MethodSettings / DefaultRouteSettings) or a usage plan with rate and burst limits."
    )
    references = ("https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html",)

    def check(self, app: Application, ctx: ScanContext) -> Iterator[Finding]:
        for api in app.apis:
            if api.kind == "alb" or not api.routes:
                continue
            if api.throttling is None and not api.usage_plan:
                yield self.finding(
                    app,
                    f"API {api.logical_id} has no throttling and no usage plan",
                    api.source,
                    resource=api.logical_id,
                )
