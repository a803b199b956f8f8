"""APIs and function URLs whose CORS allows every origin."""

from collections.abc import Iterator
from typing import Any

from hullguard.events.schema import Severity
from hullguard.model.app import Application
from hullguard.model.finding import Finding
from hullguard.scanner.context import ScanContext
from hullguard.scanner.rules.base import Rule

WRITE_METHODS = {"PUT", "POST", "DELETE"}


def allows_any_origin(cors: Any) -> bool:
    if cors is True or cors == "'*'" or cors == "*":
        return True
    if not isinstance(cors, dict):
        return False
    for key in ("AllowOrigins", "AllowOrigin", "allowOrigins", "allow_origins", "origins", "origin"):
        value = cors.get(key)
        values = value if isinstance(value, list) else [value]
        if any(str(v).strip("'\"") == "*" for v in values if v is not None):
            return True
    return False


class OpenCors(Rule):
    id = "HG-CFG-003"
    severity = Severity.MEDIUM
    risk = "insecure-configuration"
    title = "CORS allows every origin"
    description = (
        "The API or function URL answers CORS requests from any origin, so any website a user visits can call it "
        "from the user's browser and read the answers."
    )
    remediation = "List the exact origins of your front ends in the CORS configuration."
    references = ("https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-cors.html",)

    def check(self, app: Application, ctx: ScanContext) -> Iterator[Finding]:
        for api in app.apis:
            if allows_any_origin(api.cors):
                yield self.finding(
                    app, f"API {api.logical_id} allows CORS from any origin", api.source, resource=api.logical_id
                )
        for fn in app.functions:
            if fn.url is not None and allows_any_origin(fn.url.cors):
                yield self.finding(app, "function URL allows CORS from any origin", fn.url.source, function=fn)
        for bucket in app.resources_of_type("AWS::S3::Bucket"):
            cors = bucket.properties.get("CorsConfiguration")
            rules = cors.get("CorsRules") if isinstance(cors, dict) else None
            for rule in rules if isinstance(rules, list) else []:
                if not isinstance(rule, dict) or "*" not in [str(o) for o in rule.get("AllowedOrigins") or []]:
                    continue
                writes = sorted({str(m) for m in rule.get("AllowedMethods") or []} & WRITE_METHODS)
                if writes:
                    yield self.finding(
                        app,
                        f"bucket {bucket.logical_id} accepts {', '.join(writes)} from any origin",
                        bucket.source,
                        resource=bucket.logical_id,
                    )
                    break
