"""Shared extraction for HTTP-shaped events (API Gateway, ALB, function URLs, VPC Lattice...).

Attacker-controlled: path, path parameters, query string (names and values), headers (names and
values, cookies split into their names and values) and body. Not attacker-controlled: the request
context that API Gateway, ALB or Lattice fill in (source IP, account, authorizer claims, stage), but for
its copy of the User-Agent header (see ``add_context_user_agent``).

These run once per HTTP event, so they append to one list instead of yielding (a generator frame
per field and per ``yield from`` level cost more than the fields themselves).
"""

from __future__ import annotations

from collections.abc import Mapping

from hullguard.firewall.triggers.base import (
    B64_BODY,
    BODY,
    COOKIE,
    FLAT,
    FLAT_HEADERS,
    KEY,
    PLAIN,
    UNDECODED,
    URL,
    Field,
    child,
    header,
    plain_name,
)

TYPE_CHECKING = False  # not typing's: importing typing costs about 3 ms of every cold start
if TYPE_CHECKING:
    from typing import Any


def pairs(
    prefix: str,
    name: str,
    single: Any,
    multi: Any,
    record: int | None,
    hint: int,
    lower: bool = False,
    multi_name: str = "",
) -> list[Field]:
    """Names and values of a single-value map and its multi-value twin, without scanning a value twice."""
    out: list[Field] = []
    add_pairs(out, prefix, name, single, multi, record, hint, lower, multi_name)
    return out


def add_pairs(
    out: list[Field],
    prefix: str,
    name: str,
    single: Any,
    multi: Any,
    record: int | None,
    hint: int,
    lower: bool = False,
    multi_name: str = "",
) -> None:
    """``pairs``, appended to ``out``."""
    # (``isinstance`` against an ABC runs Python code: a missing map, None or {}, is answered before it)
    has_single = bool(single) and (type(single) is dict or isinstance(single, Mapping))
    if has_single:
        base = f"{prefix}.{name}" if prefix else name
        if hint == PLAIN:
            out.append((base, single, FLAT_HEADERS if lower else FLAT, record, ""))
        else:
            for key, value in single.items():
                if type(key) is str:
                    where = f"{base}.{key.lower() if lower else key}"
                    if not plain_name(key):
                        out.append((where, key, KEY, record, ""))
                    out.append((where, value, hint, record, ""))
    if not multi or not (type(multi) is dict or isinstance(multi, Mapping)):
        return
    # As plain dicts where they are (always, from Lambda's JSON): the compiled build then iterates and
    # looks up without a generic call per item, and API Gateway's REST events repeat every header and
    # parameter in these maps.
    multi_map: dict[Any, Any] = multi if type(multi) is dict else dict(multi.items())
    known_values: dict[Any, Any] = {}
    if has_single:
        known_values = single if type(single) is dict else dict(single.items())
    multi_label = multi_name or name
    base = f"{prefix}.{multi_label}" if prefix else multi_label
    # An ALB with multi-value headers on sends only the multi-value maps, most of whose lists hold one
    # value: those are one flat map (the inspection's fast path, header shapes included), at the
    # locations the loop below would give them.
    lone: dict[str, Any] = {}
    for key, values in multi_map.items():
        if type(key) is not str:
            continue
        known = known_values.get(key)
        if type(values) is not list:
            values = [values]
        if len(values) == 1 and values[0] == known:
            continue  # the common case: the single-value map already had it
        if hint == PLAIN and known is None and len(values) == 1:
            lone[key] = values[0]
            continue
        label = key.lower() if lower else key
        where = f"{base}.{label}"
        if known is None and not plain_name(key):
            out.append((where, key, KEY, record, ""))
        value_hint = COOKIE if lower and label == "cookie" else hint
        for i, value in enumerate(values):
            if value == known or value is None:
                continue
            out.append((where if len(values) == 1 else f"{where}[{i}]", value, value_hint, record, ""))
    if lone:
        out.append((base, lone, FLAT_HEADERS if lower else FLAT, record, ""))


def body(
    prefix: str,
    event: Mapping[str, Any],
    headers: Any,
    record: int | None = None,
    b64_key: str = "isBase64Encoded",
    body_key: str = "body",
) -> list[Field]:
    out: list[Field] = []
    add_body(out, prefix, event, headers, record, b64_key, body_key)
    return out


def add_body(
    out: list[Field],
    prefix: str,
    event: Mapping[str, Any],
    headers: Any,
    record: int | None = None,
    b64_key: str = "isBase64Encoded",
    body_key: str = "body",
) -> None:
    value = event.get(body_key)
    if isinstance(value, str) and value:
        ctype = header(headers, "content-type")
        hint = B64_BODY if event.get(b64_key) is True else BODY
        out.append((child(prefix, body_key), value, hint, record, ctype))
        if hint == B64_BODY:
            # Express 5's body-parser undoes brotli and other encodings the standard library cannot: such
            # a body is read as it is (a handler that ignores the header parses it so) and reported as
            # not inspected completely. gzip and deflate are recognised by their bytes.
            encoding = header(headers, "content-encoding").strip().lower()
            if encoding and encoding not in _DECODED_ENCODINGS:
                out.append((child(prefix, body_key), encoding, UNDECODED, record, ""))
    elif value and isinstance(value, (Mapping, list)):
        # Lambda's HTTP integrations always send the body as a string, but a body already parsed into
        # an object (a local invoke, a test harness, a proxy in front of the function) is walked.
        out.append((child(prefix, body_key), value, PLAIN, record, ""))


_DECODED_ENCODINGS = frozenset(("identity", "gzip", "x-gzip", "deflate"))


def add_raw_query(out: list[Field], prefix: str, raw: Any, record: int | None) -> None:
    """An HTTP API (v2) or function URL event's ``rawQueryString``, read as a form body, when the event
    has no parsed parameters. API Gateway and Lambda fill both from the same request, so the parsed
    map alone is scanned when it is there (the raw string again would double every query's cost); an
    event built or forwarded without it (a test harness, a proxy that passes the raw string on) still
    has its query inspected."""
    if isinstance(raw, str) and raw:
        out.append((child(prefix, "rawQueryString"), raw, BODY, record, "application/x-www-form-urlencoded"))


def request(
    prefix: str,
    event: Mapping[str, Any],
    *,
    query_hint: int = PLAIN,
    path_key: str = "path",
    record: int | None = None,
) -> list[Field]:
    """The attacker-controlled parts of an API Gateway v1/v2, ALB or function URL request."""
    out: list[Field] = []
    get = event.get
    path = get(path_key)
    if isinstance(path, str):
        out.append((child(prefix, path_key), path, URL if query_hint == URL else PLAIN, record, ""))
    # A map without its multi-value twin (HTTP API v2, function URLs) is one field: the common case,
    # appended here without the general ``add_pairs``.
    params = get("pathParameters")
    if params:
        if type(params) is dict:
            out.append((f"{prefix}.pathParameters" if prefix else "pathParameters", params, FLAT, record, ""))
        else:
            add_pairs(out, prefix, "pathParameters", params, None, record, PLAIN)
    query, multi_query = get("queryStringParameters"), get("multiValueQueryStringParameters")
    if not query and not multi_query and path_key == "rawPath":
        add_raw_query(out, prefix, get("rawQueryString"), record)
    if not multi_query and query_hint == PLAIN and type(query) is dict:
        if query:
            where = f"{prefix}.queryStringParameters" if prefix else "queryStringParameters"
            out.append((where, query, FLAT, record, ""))
    else:
        add_pairs(
            out,
            prefix,
            "queryStringParameters",
            query,
            multi_query,
            record,
            query_hint,
            multi_name="multiValueQueryStringParameters",
        )
    headers, multi_headers = get("headers"), get("multiValueHeaders")
    if not multi_headers and type(headers) is dict:
        if headers:
            out.append((f"{prefix}.headers" if prefix else "headers", headers, FLAT_HEADERS, record, ""))
    else:
        add_pairs(out, prefix, "headers", headers, multi_headers, record, PLAIN, True, "multiValueHeaders")
    cookies = get("cookies")
    if type(cookies) is list:
        base = child(prefix, "cookies")
        for i, cookie in enumerate(cookies):
            out.append((f"{base}[{i}]", cookie, COOKIE, record, ""))
    elif cookies:  # not the list HTTP APIs send: one Cookie header's text, or a map built by hand
        out.append((child(prefix, "cookies"), cookies, COOKIE if isinstance(cookies, str) else PLAIN, record, ""))
    add_body(out, prefix, event, headers or multi_headers, record)
    context = get("requestContext")
    if type(context) is dict:
        add_context_user_agent(out, prefix, context, headers or multi_headers, record)
    return out


def add_context_user_agent(
    out: list[Field], prefix: str, context: dict[str, Any], headers: Any, record: int | None
) -> None:
    """The request context's copy of the caller's User-Agent (REST and WebSocket APIs:
    ``identity.userAgent``; HTTP APIs and function URLs: ``http.userAgent``), where it is not the
    User-Agent header's value, which is inspected already: a WebSocket message event has no headers
    but carries the connection's user agent in each message, and a function may log or store it from
    there. The two spellings API Gateway passes (``User-Agent``, or lower-cased) are looked up
    directly; only where neither holds it are all header names compared (``header``)."""
    for part in ("identity", "http"):
        holder = context.get(part)
        if type(holder) is dict:
            agent = holder.get("userAgent")
            if type(agent) is str and agent:
                if type(headers) is dict and agent in (headers.get("User-Agent"), headers.get("user-agent")):
                    return
                if agent != header(headers, "user-agent"):
                    out.append((f"{child(prefix, 'requestContext')}.{part}.userAgent", agent, PLAIN, record, ""))
                return
