"""Guards shared by the collector routes: API key with a scope, per-key rate limit, bounded body."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from hullguard.console.accounts import KeyIdentity, identify_key
from hullguard.console.errors import ConsoleError
from hullguard.console.ingest import parse_json_body
from hullguard.console.state import State


class RateLimited(ConsoleError):
    def __init__(self, retry_after: float) -> None:
        super().__init__(429, f"rate limit for this API key exceeded; retry in {retry_after:.1f} s")
        self.retry_after = retry_after


def require_scope(scope: str) -> Callable[..., Coroutine[Any, Any, KeyIdentity]]:
    async def guard(request: Request, state: State) -> KeyIdentity:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ConsoleError(401, "missing API key: send 'Authorization: Bearer <api key>'")

        def lookup() -> KeyIdentity | None:
            with state.sessions() as session:
                return identify_key(session, token.strip())

        identity = await run_in_threadpool(lookup)
        if identity is None:
            raise ConsoleError(401, "unknown or revoked API key")
        if scope not in identity.scopes:
            raise ConsoleError(403, f"this API key lacks the {scope!r} scope")
        wait = state.buckets.take(identity.id)
        if wait > 0:
            raise RateLimited(wait)
        return identity

    return guard


async def read_json(request: Request, max_bytes: int) -> Any:
    """The request body as JSON, refusing (413) before reading more than ``max_bytes``."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise ConsoleError(413, f"request body of {declared} bytes exceeds the limit of {max_bytes} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise ConsoleError(413, f"request body exceeds the limit of {max_bytes} bytes")
        chunks.append(chunk)
    body = b"".join(chunks)
    if not body:
        raise ConsoleError(400, "request body is empty; send a JSON object")
    return await run_in_threadpool(parse_json_body, body)
