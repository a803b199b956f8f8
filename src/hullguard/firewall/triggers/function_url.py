"""Lambda function URLs: the HTTP API v2 payload, told apart by the ``lambda-url`` domain name."""

from __future__ import annotations

from collections.abc import Mapping

from hullguard.firewall.triggers import http
from hullguard.firewall.triggers.base import Field, mapping

TYPE_CHECKING = False  # not typing's: importing typing costs about 3 ms of every cold start
if TYPE_CHECKING:
    from typing import Any

FUNCTION_URL = "function-url"


def identify(event: Mapping[str, Any]) -> str | None:
    context = mapping(event.get("requestContext"))
    domain = context.get("domainName")
    if event.get("version") == "2.0" and "http" in context and isinstance(domain, str) and ".lambda-url." in domain:
        return FUNCTION_URL
    return None


def fields(event: Mapping[str, Any], trigger: str, prefix: str = "", record: int | None = None) -> list[Field]:
    return http.request(prefix, event, path_key="rawPath", record=record)
