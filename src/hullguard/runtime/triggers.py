"""Which trigger sent an event, and which resources/accounts it names.

The firewall recognises trigger shapes in depth; this is the runtime's own cheap classification
(a handful of dict lookups), used when the firewall is off or answers "unknown", and to read the
source ARNs and accounts the invoker control judges.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

_identify: Callable[[Any], tuple[str, Any]] | None
try:  # the firewall's trigger modules are the reference; the local fallback only covers the common shapes
    from hullguard.firewall.triggers import HTTP_TRIGGERS as _FIREWALL_HTTP
    from hullguard.firewall.triggers import identify as _firewall_identify

    HTTP_TRIGGERS: frozenset[str] = frozenset(_FIREWALL_HTTP)
    _identify = _firewall_identify
except ImportError:  # pragma: no cover - the firewall ships in the same package
    HTTP_TRIGGERS = frozenset({
        "api-gateway-rest", "api-gateway-http", "api-gateway-websocket", "alb", "function-url", "vpc-lattice",
    })
    _identify = None

__all__ = ["HTTP_TRIGGERS", "classify", "quick_classify", "sources"]

_RECORD_SOURCES = {
    "aws:sqs": "sqs", "aws:sns": "sns", "aws:s3": "s3", "aws:dynamodb": "dynamodb", "aws:kinesis": "kinesis",
    "aws:ses": "ses",
}


def classify(event: Any) -> str:
    """The trigger type, named as the firewall names it."""
    if _identify is not None:
        try:
            return str(_identify(event)[0])
        except Exception:  # noqa: S110 - fall back to the quick look below
            pass
    return quick_classify(event)


def quick_classify(event: Any) -> str:
    if not isinstance(event, dict):
        return "direct"
    rc = event.get("requestContext")
    if isinstance(rc, dict):
        if "elb" in rc:
            return "alb"
        if "http" in rc:
            domain = str(rc.get("domainName", ""))
            return "function-url" if ".lambda-url." in domain else "api-gateway-http"
        if "connectionId" in rc and "routeKey" in rc:
            return "api-gateway-websocket"
        if "serviceNetworkArn" in rc:
            return "vpc-lattice"
        if "apiId" in rc or "resourcePath" in rc:
            return "api-gateway-rest"
    if "httpMethod" in event and "path" in event:
        return "api-gateway-rest"
    if "raw_path" in event and "method" in event:
        return "vpc-lattice"
    records = event.get("Records")
    if isinstance(records, list) and records and isinstance(records[0], dict):
        first = records[0]
        source = first.get("eventSource") or first.get("EventSource") or ""
        return _RECORD_SOURCES.get(str(source), "records")
    if "awslogs" in event:
        return "cloudwatch-logs"
    if "detail-type" in event and "source" in event:
        return "eventbridge"
    if "deliveryStreamArn" in event:
        return "firehose"
    source = event.get("eventSource")
    if source in ("aws:kafka", "SelfManagedKafka"):
        return "kafka"
    if source in ("aws:mq", "aws:amq"):  # Lambda's documentation and Powertools spell it differently
        return "activemq"
    if source == "aws:rmq":
        return "rabbitmq"
    if "triggerSource" in event and "userPoolId" in event:
        return "cognito"
    if "RequestType" in event and "ResponseURL" in event:
        return "cloudformation-custom-resource"
    if "configRuleName" in event or "invokingEvent" in event:
        return "config-rule"
    if "SecretId" in event and "Step" in event:
        return "secrets-manager-rotation"
    info = event.get("info")
    if isinstance(info, dict) and "fieldName" in info:
        return "appsync"
    if isinstance(info, dict) and "channel" in info and "events" in event:
        return "appsync-events"
    return "direct"


def sources(event: Any, limit: int = 100) -> tuple[list[str], list[str]]:
    """(source ARNs or names, account ids) the event says it came from; empty when it does not say."""
    arns: list[str] = []
    accounts: list[str] = []
    if isinstance(event, list):  # an EventBridge Pipes batch: its items are its source's records
        event = {"Records": event}
    if not isinstance(event, dict):
        return arns, accounts
    records = event.get("Records")
    if isinstance(records, list):
        for record in records[:limit]:
            if not isinstance(record, dict):
                continue
            for key in ("eventSourceARN", "EventSubscriptionArn", "eventSourceArn"):
                if isinstance(record.get(key), str):
                    arns.append(record[key])
            sns = record.get("Sns")
            if isinstance(sns, dict) and isinstance(sns.get("TopicArn"), str):
                arns.append(sns["TopicArn"])
            s3 = record.get("s3")
            bucket = s3.get("bucket") if isinstance(s3, dict) else None
            if isinstance(bucket, dict) and isinstance(bucket.get("arn"), str):
                arns.append(bucket["arn"])
    for key in ("eventSourceArn", "deliveryStreamArn"):
        if isinstance(event.get(key), str):
            arns.append(event[key])
    if "detail-type" in event and isinstance(event.get("source"), str):
        arns.append(event["source"])  # EventBridge names its source, not an ARN
    if isinstance(event.get("account"), str):
        accounts.append(event["account"])
    rc = event.get("requestContext")
    if isinstance(rc, dict) and isinstance(rc.get("accountId"), str):
        accounts.append(rc["accountId"])
    for arn in arns:
        parts = arn.split(":")
        if len(parts) > 4 and parts[0] == "arn" and parts[4].isdigit():
            accounts.append(parts[4])
    return sorted(set(arns)), sorted(set(accounts))
