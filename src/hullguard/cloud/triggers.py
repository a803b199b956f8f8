"""Turn a live function's resource policy and event source mappings into model triggers/permissions.

Resource-policy principals come in every shape (``"*"``, ``{"AWS": "*"}``, ``{"AWS": "123456789012"}``,
``{"AWS": "arn:aws:iam::123456789012:root"}``, ``{"Service": "s3.amazonaws.com"}``, a bare string),
with the source in ``AWS:SourceArn``/``AWS:SourceAccount`` conditions.
"""

from __future__ import annotations

import json
from typing import Any

from hullguard.model.app import Permission, SourceRef, Trigger

# Service principal (without the region part of e.g. logs.<region>.amazonaws.com) -> trigger kind.
SERVICE_KINDS = {
    "apigateway.amazonaws.com": "rest-api",
    "elasticloadbalancing.amazonaws.com": "alb",
    "s3.amazonaws.com": "s3",
    "sns.amazonaws.com": "sns",
    "sqs.amazonaws.com": "sqs",
    "events.amazonaws.com": "eventbridge",
    "scheduler.amazonaws.com": "schedule",
    "logs.amazonaws.com": "cloudwatch-logs",
    "cognito-idp.amazonaws.com": "cognito",
    "iot.amazonaws.com": "iot",
    "alexa-appkit.amazon.com": "alexa",
    "alexa-connectedhome.amazon.com": "alexa",
    "lex.amazonaws.com": "lex",
    "ses.amazonaws.com": "ses",
    "appsync.amazonaws.com": "appsync",
    "config.amazonaws.com": "config",
    "secretsmanager.amazonaws.com": "secrets-manager",
    "kafka.amazonaws.com": "kafka",
}
# Event source mapping ARN service -> trigger kind.
ESM_KINDS = {"sqs": "sqs", "kinesis": "kinesis", "dynamodb": "dynamodb", "kafka": "kafka", "mq": "mq"}


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _condition_value(conditions: dict[str, Any], key: str) -> Any:
    """First value of ``key`` under any operator (ArnLike, StringEquals, ...), case-insensitively."""
    for block in conditions.values():
        if isinstance(block, dict):
            for k, v in block.items():
                if k.lower() == key.lower():
                    values = _as_list(v)
                    return values[0] if values else None
    return None


def principals_of(statement: dict[str, Any]) -> list[str]:
    """Flatten a statement's principal to strings: ``*``, account ids/ARNs, service names."""
    principal = statement.get("Principal")
    if principal is None:
        return []
    if isinstance(principal, str):
        return [principal]
    if isinstance(principal, dict):
        return [str(v) for values in principal.values() for v in _as_list(values)]
    return [str(p) for p in _as_list(principal)]


def service_kind(principal: str) -> str | None:
    host = principal.lower()
    if host.startswith("logs.") and host.endswith(".amazonaws.com"):
        return "cloudwatch-logs"
    return SERVICE_KINDS.get(host)


def policy_permissions(policy_text: str | None, function_name: str) -> tuple[list[Permission], list[Trigger]]:
    """Permissions and the triggers they imply, from ``GetPolicy``'s JSON text."""
    if not policy_text:
        return [], []
    document = json.loads(policy_text)
    permissions: list[Permission] = []
    triggers: list[Trigger] = []
    for statement in _as_list(document.get("Statement")):
        if not isinstance(statement, dict) or statement.get("Effect", "Allow") != "Allow":
            continue
        conditions = statement.get("Condition") or {}
        source_arn = _condition_value(conditions, "AWS:SourceArn")
        source_account = _condition_value(conditions, "AWS:SourceAccount")
        # AWS writes the URL auth type as a condition; some emulators put it on the statement itself.
        url_auth = _condition_value(conditions, "lambda:FunctionUrlAuthType") or statement.get("FunctionUrlAuthType")
        ref = SourceRef(logical_id=str(statement.get("Sid", "")) or None)
        for action in _as_list(statement.get("Action")) or ["lambda:InvokeFunction"]:
            for principal in principals_of(statement):
                permissions.append(
                    Permission(
                        principal=principal,
                        action=str(action),
                        source_arn=source_arn,
                        source_account=source_account,
                        function_url_auth_type=url_auth,
                        source=ref,
                    )
                )
                kind = _trigger_kind(principal, str(action), url_auth)
                if kind:
                    triggers.append(
                        Trigger(kind=kind, source_arn=source_arn, details={"principal": principal}, source=ref)
                    )
    return permissions, _dedup(triggers)


def _trigger_kind(principal: str, action: str, url_auth: Any) -> str | None:
    if action.lower() == "lambda:invokefunctionurl" or url_auth is not None:
        return "function-url"
    kind = service_kind(principal)
    if kind:
        return kind
    if principal == "*" or principal.isdigit() or principal.startswith("arn:"):
        return "direct"  # another account, a role or anyone calling Invoke
    return "other"


def mapping_trigger(mapping: dict[str, Any]) -> Trigger:
    """One event source mapping (``ListEventSourceMappings`` item) as a trigger."""
    arn = mapping.get("EventSourceArn")
    kind = "other"
    if arn:
        service = str(arn).split(":")[2] if str(arn).count(":") >= 2 else ""
        kind = ESM_KINDS.get(service, "other")
    elif mapping.get("SelfManagedEventSource"):
        kind = "kafka"
    on_failure = (mapping.get("DestinationConfig") or {}).get("OnFailure", {}).get("Destination")
    return Trigger(
        kind=kind,
        source_arn=arn,
        batch_size=mapping.get("BatchSize"),
        on_failure=on_failure,
        report_batch_item_failures="ReportBatchItemFailures" in (mapping.get("FunctionResponseTypes") or []),
        details={"uuid": mapping.get("UUID"), "state": mapping.get("State"), "event_source_mapping": True},
    )


def _dedup(triggers: list[Trigger]) -> list[Trigger]:
    seen: set[tuple[str, str]] = set()
    out: list[Trigger] = []
    for trigger in triggers:
        key = (trigger.kind, str(trigger.source_arn))
        if key not in seen:
            seen.add(key)
            out.append(trigger)
    return out
