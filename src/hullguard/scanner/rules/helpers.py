"""Small predicates rules share (what counts as HTTP-facing, as a literal, as public)."""

from __future__ import annotations

import re
from typing import Any

from hullguard.model.app import Application, Function, Resource, Statement, Unknown

HTTP_KINDS = {"rest-api", "http-api", "websocket", "alb", "function-url"}
ASYNC_KINDS = {"s3", "sns", "eventbridge", "schedule", "cloudwatch-logs", "iot", "ses", "config"}
STREAM_KINDS = {"kinesis", "dynamodb", "kafka"}
POLL_KINDS = STREAM_KINDS | {"sqs", "mq"}


def is_http_facing(fn: Function) -> bool:
    return any(t.kind in HTTP_KINDS for t in fn.triggers) or fn.url is not None


def is_public(fn: Function) -> bool:
    """Reachable from the internet: an HTTP trigger, a function URL, or invoke permission for anyone."""
    return is_http_facing(fn) or any(is_everyone(p.principal) for p in fn.permissions)


def is_literal(value: Any) -> bool:
    """A value written in the template itself (not a reference, variable or unknown)."""
    return isinstance(value, str) and not isinstance(value, Unknown) and "${" not in value and value != ""


def is_everyone(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        return any(v == "*" or (isinstance(v, list) and "*" in v) for v in principal.values())
    if isinstance(principal, list):
        return "*" in principal
    return False


def policy_statements(document: Any) -> list[Statement]:
    if not isinstance(document, dict):
        return []
    raw = document.get("Statement")
    items = raw if isinstance(raw, list) else [raw]
    return [Statement.from_json({str(k): v for k, v in s.items()}) for s in items if isinstance(s, dict)]


def resource_by_ref(app: Application, value: Any) -> Resource | None:
    """The resource a resolved reference (``${Bucket}``, ``Bucket``, ``aws_s3_bucket.x``) names."""
    by_id = {r.logical_id: r for r in app.resources}
    if isinstance(value, Unknown):
        text = value.expr.rsplit(".", 1)[0] if value.expr.count(".") >= 2 else value.expr
        return by_id.get(text)
    text = str(value)
    if text in by_id:
        return by_id[text]
    for name in re.findall(r"\$\{([^}]+)\}", text):  # ARN shapes keep the logical id: table/${Orders}
        candidate = by_id.get(name.split(".")[0])
        if candidate is not None:
            return candidate
    return None


def companions(app: Application, type_name: str, attribute: str) -> dict[str, Resource]:
    """Terraform settings split into their own resources (``aws_s3_bucket_versioning``), keyed by the
    logical id of the resource their ``attribute`` points at."""
    found: dict[str, Resource] = {}
    for companion in app.resources_of_type(type_name):
        target = resource_by_ref(app, companion.properties.get(attribute))
        if target is not None:
            found[target.logical_id] = companion
    return found


def setting(container: Any, key: str) -> Any:
    """``container[key]`` for a mapping or a Terraform nested block (parsed as a list of mappings: the first
    one counts); an unresolved container stays unresolved; anything else is None."""
    if isinstance(container, list):
        container = container[0] if container else None
    if isinstance(container, Unknown):
        return container
    return container.get(key) if isinstance(container, dict) else None


def is_on(value: Any, word: str = "true") -> bool:
    """A switch that is on (``true``/``"true"``, or ``word`` such as ``Enabled``, any case). An unresolved
    value counts as on: a rule never reports a setting it cannot read."""
    if value is True or isinstance(value, Unknown):
        return True
    return isinstance(value, str) and value.lower() in {"true", word.lower()}
