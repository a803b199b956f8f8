"""HTTP routes anyone can call: no authorizer, no IAM auth, no API key."""

from collections.abc import Iterator

from hullguard.events.schema import Severity
from hullguard.model.app import Application
from hullguard.model.finding import Finding
from hullguard.scanner.context import ScanContext
from hullguard.scanner.rules.base import Rule


class OpenRoute(Rule):
    id = "HG-AUTH-001"
    severity = Severity.HIGH
    risk = "broken-authentication"
    title = "HTTP route has no authentication"
    description = (
        "The route invokes a function without an authorizer (Cognito, JWT, Lambda authorizer), IAM authorization "
        "or an API key, so anyone on the internet can call it."
    )
    remediation = (
        "Add an authorizer to the route or API (SAM Auth.DefaultAuthorizer, Serverless `authorizer`, Terraform "
        "authorization_type), or mark the route intentionally public with a suppression and a reason."
    )
    references = ("https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-to-api.html",)

    def check(self, app: Application, ctx: ScanContext) -> Iterator[Finding]:
        for api in app.apis:
            for route in api.routes:
                if route.authorizer or route.api_key_required:
                    continue
                if route.method.upper() == "OPTIONS":
                    continue  # CORS preflight is unauthenticated by design
                yield self.finding(
                    app,
                    f"{route.method} {route.path} on {api.logical_id} is open to anyone",
                    route.source,
                    function=route.function,
                    resource=api.logical_id,
                )
