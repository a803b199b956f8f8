"""AWS IoT Core custom authorizers: token, MQTT user name/password (base64) and HTTP headers sent by
the device. (IoT rule actions deliver whatever JSON the rule selects: the ``direct`` walk covers them.)"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from hullguard.firewall.triggers import http
from hullguard.firewall.triggers.base import BASE64, PLAIN, Field, child, mapping

TYPE_CHECKING = False  # not typing's: importing typing costs about 3 ms of every cold start
if TYPE_CHECKING:
    from typing import Any

IOT_AUTHORIZER = "iot-authorizer"


def identify(event: Mapping[str, Any]) -> str | None:
    return IOT_AUTHORIZER if "protocolData" in event and "protocols" in event else None


def fields(event: Mapping[str, Any], trigger: str, prefix: str = "", record: int | None = None) -> Iterator[Field]:
    yield (child(prefix, "token"), event.get("token"), PLAIN, record, "")
    data = mapping(event.get("protocolData"))
    mqtt = mapping(data.get("mqtt"))
    base = child(prefix, "protocolData")
    yield (child(base, "mqtt.username"), mqtt.get("username"), PLAIN, record, "")
    yield (child(base, "mqtt.password"), mqtt.get("password"), BASE64, record, "")
    yield (child(base, "mqtt.clientId"), mqtt.get("clientId"), PLAIN, record, "")
    web = mapping(data.get("http"))
    yield from http.pairs(child(base, "http"), "headers", web.get("headers"), None, record, PLAIN, True)
    yield (child(base, "http.queryString"), web.get("queryString"), 1, record, "")
