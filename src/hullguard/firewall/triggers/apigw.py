"""API Gateway: REST (v1) and HTTP API (v2) proxy events, WebSocket events and Lambda authorizers.

Function URL events share the v2 shape (see ``function_url.py``, which reuses ``fields``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from hullguard.firewall.triggers import http
from hullguard.firewall.triggers.base import PLAIN, Field, child, mapping

REST = "api-gateway-rest"
HTTP = "api-gateway-http"
WEBSOCKET = "api-gateway-websocket"
AUTH_TOKEN = "api-gateway-authorizer-token"  # noqa: S105 - a trigger name, not a secret
AUTH_REQUEST = "api-gateway-authorizer-request"
AUTH_V2 = "api-gateway-authorizer-v2"


def identify(event: Mapping[str, Any]) -> str | None:
    kind = event.get("type")
    if kind == "TOKEN" and "authorizationToken" in event:
        return AUTH_TOKEN
    if kind == "REQUEST" and ("methodArn" in event or "routeArn" in event):
        return AUTH_V2 if event.get("version") == "2.0" else AUTH_REQUEST
    if "requestContext" not in event:
        return None
    context = mapping(event.get("requestContext"))
    if "elb" in context:
        return None
    if "eventType" in context and "connectionId" in context:
        return WEBSOCKET
    if event.get("version") == "2.0" and "http" in context and "routeKey" in event:
        return HTTP
    if "httpMethod" in event and "resource" in event:
        return REST
    return None


def fields(event: Mapping[str, Any], trigger: str, prefix: str = "", record: int | None = None) -> Iterator[Field]:
    if trigger == AUTH_TOKEN:
        yield (child(prefix, "authorizationToken"), event.get("authorizationToken"), PLAIN, record, "")
        return
    if trigger in (AUTH_REQUEST, AUTH_V2):
        source = event.get("identitySource")
        if source is not None:
            yield (child(prefix, "identitySource"), source, PLAIN, record, "")
        if isinstance(event.get("authorizationToken"), str):
            yield (child(prefix, "authorizationToken"), event["authorizationToken"], PLAIN, record, "")
    path_key = "rawPath" if trigger in (HTTP, AUTH_V2) else "path"
    yield from http.request(prefix, event, path_key=path_key, record=record)
