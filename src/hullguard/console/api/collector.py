"""Uploads from protected functions (events), the scanner and the cloud audit (inventory, posture)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from hullguard.console.accounts import KeyIdentity
from hullguard.console.api.deps import read_json, require_scope
from hullguard.console.ingest import (
    store_events,
    store_inventory,
    store_posture,
    validate_events,
    validate_inventory,
    validate_posture,
)
from hullguard.console.state import State

router = APIRouter(prefix="/api/v1", tags=["collector"])

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"description": "Body is not JSON"},
    401: {"description": "Missing, unknown or revoked API key"},
    403: {"description": "The API key lacks the scope"},
    413: {"description": "Body larger than the limit"},
    422: {"description": "Invalid upload; the message names the item and field. Nothing was stored."},
    429: {"description": "Rate limit of this API key exceeded (see Retry-After)"},
}


class EventsAccepted(BaseModel):
    accepted: int
    duplicates: int


class InventoryAccepted(BaseModel):
    created: int
    updated: int


class PostureAccepted(BaseModel):
    scan: int
    findings: int


_EVENTS_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["events"],
                    "properties": {
                        "events": {
                            "type": "array",
                            "items": {"type": "object", "description": "SecurityEvent.to_dict() (hullguard.event/1)"},
                        }
                    },
                }
            }
        },
    }
}


@router.post("/events", response_model=EventsAccepted, responses=ERROR_RESPONSES, openapi_extra=_EVENTS_BODY)
async def post_events(
    request: Request,
    key: Annotated[KeyIdentity, Depends(require_scope("events:write"))],
    state: State,
) -> dict[str, int]:
    """Store a batch of security events (schema ``hullguard.event/1``). Idempotent by
    ``finding_info.uid``: a resent event counts as a duplicate and is stored once."""
    doc = await read_json(request, state.settings.limits.max_body_bytes)

    def work() -> dict[str, int]:
        rows = validate_events(doc, state.settings.limits)
        with state.transaction() as session:
            return store_events(session, rows)

    return await run_in_threadpool(work)


@router.post("/inventory", response_model=InventoryAccepted, responses=ERROR_RESPONSES)
async def post_inventory(
    request: Request,
    key: Annotated[KeyIdentity, Depends(require_scope("inventory:write"))],
    state: State,
) -> dict[str, int]:
    """Record deployed functions: ``{"source": "scan"|"audit", "functions": [{"name", "version", "account",
    "region", "runtime", "protected", "application", "last_deployed", "arn"?, "executions"?}]}``."""
    doc = await read_json(request, state.settings.limits.max_body_bytes)

    def work() -> dict[str, int]:
        _source, rows = validate_inventory(doc, state.settings.limits)
        with state.transaction() as session:
            return store_inventory(session, rows)

    return await run_in_threadpool(work)


@router.post("/posture", response_model=PostureAccepted, responses=ERROR_RESPONSES)
async def post_posture(
    request: Request,
    key: Annotated[KeyIdentity, Depends(require_scope("posture:write"))],
    state: State,
) -> dict[str, int]:
    """Record one scan of an application: ``{"application", "source", "findings": [Finding.to_dict()]}``.
    Every upload is kept, so the posture page can show trends over scans."""
    doc = await read_json(request, state.settings.limits.max_body_bytes)

    def work() -> dict[str, int]:
        application, source, rows = validate_posture(doc, state.settings.limits)
        with state.transaction() as session:
            return store_posture(session, application, source, rows)

    return await run_in_threadpool(work)
