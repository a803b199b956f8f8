"""REST API stages without X-Ray tracing."""

from collections.abc import Iterator

from hullguard.events.schema import Severity
from hullguard.model.app import Application
from hullguard.model.finding import Finding
from hullguard.scanner.context import ScanContext
from hullguard.scanner.rules.base import Rule


class ApiTracing(Rule):
    id = "HG-LOG-004"
    severity = Severity.LOW
    risk = "inadequate-logging"
    title = "REST API stage has X-Ray tracing disabled"
    description = (
        "Function tracing (HG-LOG-002) starts at the Lambda; stage tracing adds the API Gateway segment (which "
        "route, authorizer result, integration latency), so a malicious request can be followed from the edge "
        "to every service it reached. Only REST APIs support it (Checkov CKV_AWS_73)."
    )
    remediation = (
        "Enable stage tracing (TracingEnabled: true, provider.tracing.apiGateway: true, xray_tracing_enabled = true)."
    )
    references = ("https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-xray.html",)

    def check(self, app: Application, ctx: ScanContext) -> Iterator[Finding]:
        for api in app.apis:
            if api.kind == "rest" and api.routes and api.tracing is not True:
                yield self.finding(
                    app, f"API {api.logical_id} stage is not traced", api.source, resource=api.logical_id
                )
