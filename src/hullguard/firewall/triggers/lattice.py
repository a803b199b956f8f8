"""Amazon VPC Lattice: v1 (snake_case keys) and v2 (``version: "2.0"``, multi-value lists)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from hullguard.firewall.triggers import http
from hullguard.firewall.triggers.base import URL, Field, mapping

TYPE_CHECKING = False  # not typing's: importing typing costs about 3 ms of every cold start
if TYPE_CHECKING:
    from typing import Any

LATTICE = "vpc-lattice"
LATTICE_V2 = "vpc-lattice-v2"


def identify(event: Mapping[str, Any]) -> str | None:
    if "raw_path" in event and "method" in event:
        return LATTICE
    if (
        event.get("version") == "2.0"
        and "method" in event
        and "serviceNetworkArn" in mapping(event.get("requestContext"))
    ):
        return LATTICE_V2
    return None


def fields(event: Mapping[str, Any], trigger: str, prefix: str = "", record: int | None = None) -> Iterator[Field]:
    if trigger == LATTICE:
        yield ("raw_path" if not prefix else f"{prefix}.raw_path", event.get("raw_path"), URL, record, "")
        yield from http.pairs(
            prefix, "query_string_parameters", event.get("query_string_parameters"), None, record, URL
        )
        yield from http.pairs(prefix, "headers", event.get("headers"), None, record, 0, True)
        yield from http.body(prefix, event, event.get("headers"), record, b64_key="is_base64_encoded")
        return
    # v2: header and query values are lists
    yield ("path" if not prefix else f"{prefix}.path", event.get("path"), URL, record, "")
    yield from http.pairs(prefix, "queryStringParameters", None, event.get("queryStringParameters"), record, URL)
    # Lattice's v2 documentation names the map queryStringParameters; the sample events of AWS's own
    # Powertools (and so events built from them) keep v1's name: read both.
    yield from http.pairs(
        prefix, "query_string_parameters", None, event.get("query_string_parameters"), record, URL
    )
    yield from http.pairs(prefix, "headers", None, event.get("headers"), record, 0, True)
    yield from http.body(prefix, event, event.get("headers"), record)
