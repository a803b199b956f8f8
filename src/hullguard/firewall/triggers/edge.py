"""Lambda@Edge: a CloudFront request (``Records[].cf.request``) at the viewer or origin.

Attacker-controlled: the URI, the raw query string (``a=1&b=2``, percent-encoded as sent), every
header value (CloudFront gives each header as a list of ``{"key", "value"}``; cookies split into their
names and values) and, where the function is allowed to read it, the body, whose ``encoding`` says
whether ``data`` is base64 or text. Not attacker-controlled: the distribution's ``config``, the
origin's settings and custom headers, which the distribution's owner wrote, and ``clientIp``, which
CloudFront fills in. An origin-response or viewer-response event carries the same request beside
the origin's response: the request is what is inspected there too.
"""

from __future__ import annotations

from collections.abc import Mapping

from hullguard.firewall.triggers.base import (
    B64_BODY,
    BODY,
    COOKIE,
    KEY,
    PLAIN,
    Field,
    first,
    mapping,
    plain_name,
    records,
)

TYPE_CHECKING = False  # not typing's: importing typing costs about 3 ms of every cold start
if TYPE_CHECKING:
    from typing import Any

EDGE = "lambda-edge"
_FORM = "application/x-www-form-urlencoded"


def answer(status: int, body: str) -> dict[str, Any]:
    """A response generated for CloudFront to send the viewer instead of the request going on (a
    blocked request, a refusal, a generic error): CloudFront's format, headers as lists of key and
    value under lower-case names."""
    return {
        "status": str(status),
        "statusDescription": "Forbidden" if status == 403 else "Internal Server Error",
        "headers": {"content-type": [{"key": "Content-Type", "value": "application/json"}]},
        "body": body,
    }


def identify(event: Mapping[str, Any]) -> str | None:
    if isinstance(mapping(first(event.get("Records")).get("cf")).get("request"), Mapping):
        return EDGE
    return None


def fields(event: Mapping[str, Any], trigger: str, prefix: str = "", record: int | None = None) -> list[Field]:
    out: list[Field] = []
    for i, item in enumerate(records(event.get("Records"))):
        request = mapping(mapping(mapping(item).get("cf")).get("request"))
        base = f"{prefix + '.' if prefix else ''}Records[{i}].cf.request"
        out.append((f"{base}.uri", request.get("uri"), PLAIN, i, ""))
        query = request.get("querystring")
        if isinstance(query, str) and query:
            out.append((f"{base}.querystring", query, BODY, i, _FORM))
        content_type = ""
        for name, entries in mapping(request.get("headers")).items():
            if type(name) is not str:
                continue
            where = f"{base}.headers.{name}"
            if not plain_name(name):
                out.append((where, name, KEY, i, ""))
            lowered = name.lower()  # CloudFront lower-cases the names; a test harness may not
            hint = COOKIE if lowered == "cookie" else PLAIN
            for j, entry in enumerate(records(entries)):
                value = mapping(entry).get("value")
                out.append((f"{where}[{j}].value", value, hint, i, ""))
                if lowered == "content-type" and isinstance(value, str):
                    content_type = value
        body = mapping(request.get("body"))
        data = body.get("data")
        if isinstance(data, str) and data:
            hint = B64_BODY if body.get("encoding") == "base64" else BODY
            out.append((f"{base}.body.data", data, hint, i, content_type))
    return out
