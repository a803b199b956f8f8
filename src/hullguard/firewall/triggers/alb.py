"""Application Load Balancer: like API Gateway v1, but query names and values arrive percent-encoded
exactly as the client sent them (ALB does not decode them)."""

from __future__ import annotations

from collections.abc import Mapping

from hullguard.firewall.triggers import http
from hullguard.firewall.triggers.base import URL, Field, mapping

TYPE_CHECKING = False  # not typing's: importing typing costs about 3 ms of every cold start
if TYPE_CHECKING:
    from typing import Any

ALB = "alb"


def identify(event: Mapping[str, Any]) -> str | None:
    return ALB if "elb" in mapping(event.get("requestContext")) else None


def fields(event: Mapping[str, Any], trigger: str, prefix: str = "", record: int | None = None) -> list[Field]:
    return http.request(prefix, event, query_hint=URL, record=record)
