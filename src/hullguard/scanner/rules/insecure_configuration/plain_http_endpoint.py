"""Endpoints in front of functions that accept plain HTTP or obsolete TLS."""

from collections.abc import Iterator

from hullguard.events.schema import Severity
from hullguard.model.app import Application
from hullguard.model.finding import Finding
from hullguard.scanner.context import ScanContext
from hullguard.scanner.rules.base import Rule


class PlainHttpEndpoint(Rule):
    id = "HG-CFG-004"
    severity = Severity.MEDIUM
    risk = "insecure-configuration"
    title = "Endpoint accepts plain HTTP or TLS 1.0"
    description = (
        "A load balancer listener forwards plain HTTP, or an API custom domain allows TLS 1.0: requests, tokens "
        "and API keys can be read or altered on the way."
    )
    remediation = "Use HTTPS listeners (redirect port 80 to 443) and SecurityPolicy TLS_1_2 on custom domains."
    references = (
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-custom-domain-tls-version.html",
    )

    def check(self, app: Application, ctx: ScanContext) -> Iterator[Finding]:
        for listener in app.resources_of_type("AWS::ElasticLoadBalancingV2::Listener"):
            props = listener.properties
            actions = props.get("DefaultActions") or []
            redirects = any(isinstance(a, dict) and a.get("Type") == "redirect" for a in actions)
            if str(props.get("Protocol", "")).upper() == "HTTP" and not redirects:
                yield self.finding(
                    app,
                    f"listener {listener.logical_id} serves plain HTTP",
                    listener.source,
                    resource=listener.logical_id,
                )
        for domain in app.resources_of_type("AWS::ApiGateway::DomainName") + app.resources_of_type(
            "AWS::ApiGatewayV2::DomainName"
        ):
            policy = domain.properties.get("SecurityPolicy")
            configs = domain.properties.get("DomainNameConfigurations") or []
            policies = [policy] + [c.get("SecurityPolicy") for c in configs if isinstance(c, dict)]
            if any(str(p).upper() == "TLS_1_0" for p in policies if p is not None):
                yield self.finding(
                    app, f"custom domain {domain.logical_id} allows TLS 1.0", domain.source, resource=domain.logical_id
                )
