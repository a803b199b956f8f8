"""Event viewer: a filtered, paged list and one event's forensic detail."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from hullguard.console.errors import ConsoleError
from hullguard.console.models import StoredEvent
from hullguard.console.queries import EventFilter, Page, event_by_uid, event_facets, events_page
from hullguard.console.state import State
from hullguard.console.web.render import int_param, render
from hullguard.console.web.session import CurrentViewer

router = APIRouter(include_in_schema=False)


def parse_time(text: str, field: str) -> int | None:
    """``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM`` (what a datetime-local input sends), read as UTC."""
    text = text.strip()
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ConsoleError(400, f"{field}: expected a date like 2026-11-28 or 2026-11-28T14:30") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return int(moment.timestamp() * 1000)


@router.get("/events")
async def events_list(request: Request, viewer: CurrentViewer, state: State) -> Response:
    q = request.query_params
    params = {name: q.get(name, "")[:200] for name in ("since", "until", "function", "attack", "action", "trigger")}
    flt = EventFilter(
        since_ms=parse_time(params["since"], "since"),
        until_ms=parse_time(params["until"], "until"),
        function=params["function"],
        attack=params["attack"],
        action=params["action"],
        trigger=params["trigger"],
    )
    page = int_param(q.get("page"), 1)

    def work() -> tuple[Page, dict[str, list[str]]]:
        with state.sessions() as session:
            return events_page(session, flt, page), event_facets(session)

    events, facets = await run_in_threadpool(work)
    return render(request, "events.html", viewer, events=events, facets=facets, params=params)


@router.get("/events/{uid}")
async def event_detail(uid: str, request: Request, viewer: CurrentViewer, state: State) -> Response:
    def work() -> StoredEvent | None:
        with state.sessions() as session:
            return event_by_uid(session, uid[:128])

    event = await run_in_threadpool(work)
    if event is None:
        raise ConsoleError(404, "no such event")
    return render(request, "event_detail.html", viewer, event=event)
