"""CloudWatch Logs subscriptions: ``awslogs.data`` is base64 of gzip of JSON whose ``logEvents`` carry
the log lines (which often hold request data that an attacker wrote into a log)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from hullguard.firewall.triggers.base import BASE64, ENVELOPE, Field, child, mapping, records

TYPE_CHECKING = False  # not typing's: importing typing costs about 3 ms of every cold start
if TYPE_CHECKING:
    from typing import Any

CLOUDWATCH_LOGS = "cloudwatch-logs"


def identify(event: Mapping[str, Any]) -> str | None:
    return CLOUDWATCH_LOGS if "data" in mapping(event.get("awslogs")) else None


def is_payload(obj: Mapping[str, Any]) -> bool:
    """The decoded payload: ``{"messageType": ..., "logGroup": ..., "logEvents": [...]}``."""
    return "logEvents" in obj and "messageType" in obj


def fields(event: Mapping[str, Any], trigger: str, prefix: str = "", record: int | None = None) -> Iterator[Field]:
    data = mapping(event.get("awslogs")).get("data")
    yield (child(prefix, "awslogs.data"), data, BASE64, record, "")


def payload_fields(obj: Mapping[str, Any], prefix: str, record: int | None) -> Iterator[Field]:
    for i, item in enumerate(records(obj.get("logEvents"))):
        yield (f"{child(prefix, 'logEvents')}[{i}].message", mapping(item).get("message"), ENVELOPE, record, "")
