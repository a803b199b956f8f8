"""AWS AppSync: direct Lambda resolvers (single and batch), Lambda authorizers, and the handlers of an
Event API's channel namespace (AppSync Events, publish and subscribe).

Attacker-controlled: GraphQL ``arguments`` and variables, request headers, the parent ``source`` (data
an earlier resolver read, possibly stored by an attacker), the ``prev``/``stash`` results of pipeline
functions, and an authorizer's token, query text and request headers; in AppSync Events, each published
event's ``payload``, the channel's path (a publisher or subscriber names any channel of the namespace)
and the request headers.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from hullguard.firewall.triggers.base import FLAT_HEADERS, GRAPHQL, PLAIN, Field, child, mapping, records, walk

TYPE_CHECKING = False  # not typing's: importing typing costs about 3 ms of every cold start
if TYPE_CHECKING:
    from typing import Any

RESOLVER = "appsync"
BATCH = "appsync-batch"
AUTHORIZER = "appsync-authorizer"
EVENTS = "appsync-events"


def _is_resolver(event: Any) -> bool:
    return isinstance(event, Mapping) and "arguments" in event and ("info" in event or "fieldName" in event)


def identify(event: Mapping[str, Any]) -> str | None:
    if _is_resolver(event):
        return RESOLVER
    context = mapping(event.get("requestContext"))
    if "authorizationToken" in event and "apiId" in context and "queryString" in context:
        return AUTHORIZER
    info = mapping(event.get("info"))
    if "events" in event and "channel" in info and info.get("operation") in ("PUBLISH", "SUBSCRIBE"):
        return EVENTS
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
        # the caller's name for the operation to run: AppSync checks it against the document only after
        # the authorizer has read it
        yield (child(base, "operationName"), context.get("operationName"), PLAIN, record, "")
        yield from walk(child(base, "variables"), context.get("variables"), record)
        # the HTTP request's headers, which its client writes (User-Agent, custom headers); a map of them
        # is read as headers are (shapes, memo), anything else the engine walks
        yield from walk(child(prefix, "requestHeaders"), event.get("requestHeaders"), record, FLAT_HEADERS)
    elif trigger == EVENTS:
        yield from _channel_events(event, prefix)
    else:
        yield from _resolver(event, prefix, record)


def _channel_events(event: Mapping[str, Any], prefix: str) -> Iterator[Field]:
    """An Event API handler's input: each published event's payload is one record (a blocked one is
    dropped from ``events``, and the others are broadcast); the channel and headers concern them all."""
    for i, item in enumerate(records(event.get("events"))):
        yield from walk(f"{child(prefix, 'events')}[{i}].payload", mapping(item).get("payload"), i)
    channel = mapping(mapping(event.get("info")).get("channel"))
    yield (child(prefix, "info.channel.path"), channel.get("path"), PLAIN, None, "")
    yield from walk(child(prefix, "request.headers"), mapping(event.get("request")).get("headers"), None, FLAT_HEADERS)


def _resolver(event: Mapping[str, Any], prefix: str, record: int | None) -> Iterator[Field]:
    yield from walk(child(prefix, "arguments"), event.get("arguments"), record)
    for name in ("source", "prev", "stash"):
        yield from walk(child(prefix, name), event.get(name), record)
    request = mapping(event.get("request"))
    yield from walk(child(child(prefix, "request"), "headers"), request.get("headers"), record)
    info = mapping(event.get("info"))
    yield from walk(child(child(prefix, "info"), "variables"), info.get("variables"), record)
    # the caller's sub-selection as written, whose nested fields' arguments may be inline literals that
    # a resolver looking ahead (to join or prefetch) reads before their own resolvers run
    selection = info.get("selectionSetGraphQL")
    if selection:
        yield (child(child(prefix, "info"), "selectionSetGraphQL"), selection, GRAPHQL, record, "")
