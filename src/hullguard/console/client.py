"""Client side of the console's collector API, standard library only.

Used by the scanner (``scan --upload``), the cloud audit (``audit --upload``) and ``policy pull``; the
runtime's own forwarder has its own time-budgeted sender. The API (served by ``hullguard console``):

- ``POST /api/v1/events``     ``{"events": [SecurityEvent.to_dict(), ...]}``       scope ``events:write``
- ``POST /api/v1/inventory``  ``{"source": "scan"|"audit", "functions": [...]}``     scope ``inventory:write``
- ``POST /api/v1/posture``    ``{"application": str, "source": str, "findings": [Finding.to_dict()]}``
                                                                                   scope ``posture:write``
- ``GET  /api/v1/functions/{name}/policy`` -> ``{"function", "policy" (YAML text), "version"}``
                                                                                   scope ``policy:read``

Every request carries ``Authorization: Bearer <api key>``.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any


class CollectorError(Exception):
    """The console could not be reached or refused the request; the message says which and why."""


def request_json(base_url: str, path: str, api_key: str, payload: Any | None = None, timeout: float = 10.0) -> Any:
    """POST ``payload`` (or GET when it is None) to the console and return the decoded JSON answer."""
    parsed = urllib.parse.urlsplit(base_url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise CollectorError(f"console URL must be http(s)://host[:port], got {base_url!r}")
    url = base_url.rstrip("/") + path
    data = None if payload is None else json.dumps(payload, default=str).encode()
    req = urllib.request.Request(url, data=data, method="GET" if payload is None else "POST")  # noqa: S310
    req.add_header("Authorization", f"Bearer {api_key}")
    req.add_header("Accept", "application/json")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - scheme checked above
            body = resp.read()
    except urllib.error.HTTPError as exc:
        detail = exc.read()[:500].decode("utf-8", "replace")
        raise CollectorError(f"console answered {exc.code} for {path}: {detail}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise CollectorError(f"cannot reach the console at {base_url}: {exc}") from None
    try:
        return json.loads(body) if body else None
    except json.JSONDecodeError:
        raise CollectorError(f"console answered {path} with something that is not JSON") from None
