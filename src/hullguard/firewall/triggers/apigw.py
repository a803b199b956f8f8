"""API Gateway: REST (v1) and HTTP API (v2) proxy events, WebSocket events and Lambda authorizers.

Function URL events share the v2 shape (see ``function_url.py``, which reuses ``fields``).
"""

from __future__ import annotations

from collections.abc import Mapping

from hullguard.firewall.triggers import http
from hullguard.firewall.triggers.base import PLAIN, Field, child, mapping

TYPE_CHECKING = False  # not typing's: importing typing costs about 3 ms of every cold start
if TYPE_CHECKING:
    from typing import Any

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


def fields(event: Mapping[str, Any], trigger: str, prefix: str = "", record: int | None = None) -> list[Field]:
    if trigger == AUTH_TOKEN:
        return [(child(prefix, "authorizationToken"), event.get("authorizationToken"), PLAIN, record, "")]
    if trigger in (AUTH_REQUEST, AUTH_V2):
        out: list[Field] = []
        source = event.get("identitySource")
        if source is not None:
            out.append((child(prefix, "identitySource"), source, PLAIN, record, ""))
        if isinstance(event.get("authorizationToken"), str):
            out.append((child(prefix, "authorizationToken"), event["authorizationToken"], PLAIN, record, ""))
        return out + http.request(prefix, event, path_key="rawPath" if trigger == AUTH_V2 else "path", record=record)
    path_key = "rawPath" if trigger == HTTP else "path"
    return http.request(prefix, event, path_key=path_key, record=record)
