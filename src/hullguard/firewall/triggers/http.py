"""Shared extraction for HTTP-shaped events (API Gateway, ALB, function URLs, VPC Lattice...).

Attacker-controlled: path, path parameters, query string (names and values), headers (names and
values, cookies split into their names and values) and body. Not attacker-controlled: the request
context that API Gateway, ALB or Lattice fill in (source IP, account, authorizer claims, stage).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from hullguard.firewall.triggers.base import (
    B64_BODY,
    BODY,
    COOKIE,
    FLAT,
    FLAT_HEADERS,
    KEY,
    PLAIN,
    URL,
    Field,
    child,
    header,
    plain_name,
)


def pairs(
    prefix: str,
    name: str,
    single: Any,
    multi: Any,
    record: int | None,
    hint: int,
    lower: bool = False,
    multi_name: str = "",
) -> Iterator[Field]:
    """Names and values of a single-value map and its multi-value twin, without scanning a value twice."""
    base = child(prefix, name)
    has_single = isinstance(single, Mapping) and bool(single)
    if has_single:
        if hint == PLAIN:
            yield (base, single, FLAT_HEADERS if lower else FLAT, record, "")
        else:
            for key, value in single.items():
                if type(key) is str:
                    label = key.lower() if lower else key
                    if not plain_name(key):
                        yield (child(base, label), key, KEY, record, "")
                    yield (child(base, label), value, hint, record, "")
    if not isinstance(multi, Mapping):
        return
    base = child(prefix, multi_name or name)
    for key, values in multi.items():
        if type(key) is not str:
            continue
        known = single.get(key) if has_single else None
        if type(values) is not list:
            values = [values]
        if len(values) == 1 and values[0] == known:
            continue  # the common case: the single-value map already had it
        label = key.lower() if lower else key
        if known is None and not plain_name(key):
            yield (child(base, label), key, KEY, record, "")
        for i, value in enumerate(values):
            if value == known or value is None:
                continue
            where = child(base, label) if len(values) == 1 else child(child(base, label), i)
            yield (where, value, COOKIE if lower and label == "cookie" else hint, record, "")


def body(
    prefix: str,
    event: Mapping[str, Any],
    headers: Any,
    record: int | None = None,
    b64_key: str = "isBase64Encoded",
    body_key: str = "body",
) -> Iterator[Field]:
    value = event.get(body_key)
    if isinstance(value, str) and value:
        ctype = header(headers, "content-type")
        hint = B64_BODY if event.get(b64_key) is True else BODY
        yield (child(prefix, body_key), value, hint, record, ctype)


def request(
    prefix: str,
    event: Mapping[str, Any],
    *,
    query_hint: int = PLAIN,
    path_key: str = "path",
    record: int | None = None,
) -> Iterator[Field]:
    """The attacker-controlled parts of an API Gateway v1/v2, ALB or function URL request."""
    path = event.get(path_key)
    if isinstance(path, str):
        yield (child(prefix, path_key), path, URL if query_hint == URL else PLAIN, record, "")
    params = event.get("pathParameters")
    if isinstance(params, Mapping):
        yield from pairs(prefix, "pathParameters", params, None, record, PLAIN)
    yield from pairs(
        prefix,
        "queryStringParameters",
        event.get("queryStringParameters"),
        event.get("multiValueQueryStringParameters"),
        record,
        query_hint,
        multi_name="multiValueQueryStringParameters",
    )
    headers, multi_headers = event.get("headers"), event.get("multiValueHeaders")
    yield from pairs(prefix, "headers", headers, multi_headers, record, PLAIN, True, "multiValueHeaders")
    cookies = event.get("cookies")
    if isinstance(cookies, list):
        for i, cookie in enumerate(cookies):
            yield (child(child(prefix, "cookies"), i), cookie, COOKIE, record, "")
    yield from body(prefix, event, event.get("headers") or event.get("multiValueHeaders"), record)
