"""AWS AppSync: direct Lambda resolvers (single and batch) and Lambda authorizers.

Attacker-controlled: GraphQL ``arguments`` and variables, request headers, the parent ``source`` (data
an earlier resolver read, possibly stored by an attacker), the ``prev``/``stash`` results of pipeline
functions, and an authorizer's token, query text and request headers.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from hullguard.firewall.triggers.base import FLAT_HEADERS, GRAPHQL, PLAIN, Field, child, mapping, walk

TYPE_CHECKING = False  # not typing's: importing typing costs about 3 ms of every cold start
if TYPE_CHECKING:
    from typing import Any

RESOLVER = "appsync"
BATCH = "appsync-batch"
AUTHORIZER = "appsync-authorizer"


def _is_resolver(event: Any) -> bool:
    return isinstance(event, Mapping) and "arguments" in event and ("info" in event or "fieldName" in event)


def identify(event: Mapping[str, Any]) -> str | None:
    if _is_resolver(event):
        return RESOLVER
    context = mapping(event.get("requestContext"))
    if "authorizationToken" in event and "apiId" in context and "queryString" in context:
        return AUTHORIZER
    return None


def identify_list(event: list[Any]) -> str | None:
    return BATCH if event and all(_is_resolver(item) for item in event[:3]) else None


def fields(event: Any, trigger: str, prefix: str = "", record: int | None = None) -> Iterator[Field]:
    if trigger == BATCH:
        for i, item in enumerate(event if isinstance(event, list) else []):
            yield from _resolver(mapping(item), child(prefix, i), i)
    elif trigger == AUTHORIZER:
        context = mapping(event.get("requestContext"))
        yield (child(prefix, "authorizationToken"), event.get("authorizationToken"), PLAIN, record, "")
        base = child(prefix, "requestContext")
        yield (child(base, "queryString"), context.get("queryString"), GRAPHQL, record, "")
        yield from walk(child(base, "variables"), context.get("variables"), record)
        # the HTTP request's headers, which its client writes (User-Agent, custom headers)
        headers = event.get("requestHeaders")
        if type(headers) is dict:
            yield (child(prefix, "requestHeaders"), headers, FLAT_HEADERS, record, "")
        else:
            yield from walk(child(prefix, "requestHeaders"), headers, record)
    else:
        yield from _resolver(event, prefix, record)


def _resolver(event: Mapping[str, Any], prefix: str, record: int | None) -> Iterator[Field]:
    yield from walk(child(prefix, "arguments"), event.get("arguments"), record)
    for name in ("source", "prev", "stash"):
        yield from walk(child(prefix, name), event.get(name), record)
    request = mapping(event.get("request"))
    yield from walk(child(child(prefix, "request"), "headers"), request.get("headers"), record)
    yield from walk(child(child(prefix, "info"), "variables"), mapping(event.get("info")).get("variables"), record)
