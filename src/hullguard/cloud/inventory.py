"""The inventory: one JSON record per deployed function, for the report and the console upload."""

from __future__ import annotations

from typing import Any

from hullguard.cloud.collectors.facts import FunctionFacts, LiveRegion
from hullguard.model.app import Function

# Tags that name the application a function belongs to, most specific first.
APPLICATION_TAGS = ("application", "app", "service", "aws:cloudformation:stack-name")


def application_of(tags: dict[str, Any]) -> str:
    lowered = {str(k).lower(): str(v) for k, v in tags.items()}
    return next((lowered[t.lower()] for t in APPLICATION_TAGS if t.lower() in lowered), "")


def function_record(live: LiveRegion, function: Function, facts: FunctionFacts) -> dict[str, Any]:
    """One inventory entry; the console's collector API reads name, version, account, region, runtime,
    application, last_deployed, arn, protected and executions, the report keeps everything."""
    return {
        "name": function.name,
        "version": "$LATEST",
        "arn": facts.arn,
        "account": live.account,
        "region": live.region,
        "application": application_of(function.tags),
        "last_deployed": function.last_modified or "",
        "executions": int(facts.invocations or 0),
        "runtime": str(function.runtime or ""),
        "handler": function.handler,
        "package_type": facts.package_type,
        "architecture": function.architecture,
        "memory": function.memory,
        "timeout": function.timeout,
        "role": function.role.arn if function.role else None,
        "triggers": [
            {
                "kind": t.kind,
                "source_arn": t.source_arn,
                "principal": t.details.get("principal"),
                "event_source_mapping": bool(t.details.get("event_source_mapping")),
            }
            for t in function.triggers
        ],
        "url": {"auth_type": function.url.auth_type, "cors": function.url.cors} if function.url else None,
        "reserved_concurrency": function.reserved_concurrency,
        "dlq": function.dlq,
        "destinations": function.destinations,
        "code_signing": function.code_signing,
        "layers": [
            {"arn": layer, "account": str(layer).split(":")[4] if str(layer).count(":") > 5 else None}
            for layer in function.layers
        ],
        "environment_names": sorted(function.environment),  # names only: values may be secrets
        "tags": function.tags,
        "tracing": function.tracing,
        "vpc": function.vpc,
        "last_modified": function.last_modified,
        "invocations": facts.invocations,
        "protected": bool(function.protected),
        "protection": facts.protection_signals,
    }


def inventory(regions: list[LiveRegion]) -> list[dict[str, Any]]:
    return [
        function_record(live, function, live.facts[str(function.name)])
        for live in regions
        for function in live.app.functions
    ]
