"""REST APIs with GET routes and no stage cache."""

from collections.abc import Iterator

from hullguard.events.schema import Severity
from hullguard.model.app import Application
from hullguard.model.finding import Finding
from hullguard.scanner.context import ScanContext
from hullguard.scanner.rules.base import Rule

CACHEABLE = {"GET", "ANY"}


class NoApiCache(Rule):
    id = "HG-DOS-006"
    severity = Severity.INFO
    risk = "denial-of-service"
    title = "REST API stage has no cache"
    description = (
        "Every repeated read reaches the function and its database, so a flood of identical GET requests "
        "scales out Lambda (and the bill) instead of being answered from the stage cache. Info: throttling and "
        "reserved concurrency (HG-DOS-001/002) are the real limits; a cache only absorbs cacheable reads, costs "
        "money per hour and must not cache per-user data without keying on the caller (Checkov CKV_AWS_120)."
    )
    remediation = (
        "Enable the stage cache cluster for read-heavy routes (CacheClusterEnabled: true, cache_cluster_enabled = "
        "true, the serverless-api-gateway-caching plugin) with cache keys that include the caller's identity."
    )
    references = ("https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-caching.html",)

    def check(self, app: Application, ctx: ScanContext) -> Iterator[Finding]:
        for api in app.apis:
            if api.kind != "rest" or api.cache is True:
                continue
            if any(route.method.upper() in CACHEABLE for route in api.routes):
                yield self.finding(
                    app,
                    f"API {api.logical_id} answers every GET from the function",
                    api.source,
                    resource=api.logical_id,
                )
