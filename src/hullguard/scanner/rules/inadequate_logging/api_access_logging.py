"""APIs that keep no access log."""

from collections.abc import Iterator

from hullguard.events.schema import Severity
from hullguard.model.app import Application
from hullguard.model.finding import Finding
from hullguard.scanner.context import ScanContext
from hullguard.scanner.rules.base import Rule


class ApiAccessLogging(Rule):
    id = "HG-LOG-001"
    severity = Severity.MEDIUM
    risk = "inadequate-logging"
    title = "API has no access logging"
    description = (
        "Without access logs there is no record of who called which route, from where, with what result: "
        "attacks cannot be detected or investigated."
    )
    remediation = "Enable access logging on the API stage (AccessLogSetting / logs.restApi / access_log_settings)."
    references = ("https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html",)

    def check(self, app: Application, ctx: ScanContext) -> Iterator[Finding]:
        for api in app.apis:
            if api.routes and api.access_logging is not True:
                yield self.finding(
                    app, f"API {api.logical_id} has no access logging", api.source, resource=api.logical_id
                )
