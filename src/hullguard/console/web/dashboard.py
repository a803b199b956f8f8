"""The dashboard: functions, executions, attacks over time, block vs alert, attack types."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from hullguard.console import charts
from hullguard.console.queries import Dashboard, DashboardFilter, Page, dashboard, functions_page, invocations_seen
from hullguard.console.security import now_ms
from hullguard.console.state import State
from hullguard.console.web.render import int_param, render
from hullguard.console.web.session import CurrentViewer

router = APIRouter(include_in_schema=False)
WINDOWS = (1, 7, 30, 90)


@router.get("/")
async def dashboard_page(request: Request, viewer: CurrentViewer, state: State) -> Response:
    q = request.query_params
    days = int_param(q.get("days"), 7)
    flt = DashboardFilter(
        account=q.get("account", "")[:32],
        region=q.get("region", "")[:32],
        search=q.get("q", "")[:100],
        days=days if days in WINDOWS else 7,
    )
    page = int_param(q.get("page"), 1)

    def work() -> tuple[Dashboard, Page]:
        with state.sessions() as session:
            seen = invocations_seen(session)
            return dashboard(session, flt, now_ms(), seen), functions_page(session, flt, seen, page)

    board, functions = await run_in_threadpool(work)
    params = {"account": flt.account, "region": flt.region, "q": flt.search, "days": flt.days}
    return render(
        request,
        "dashboard.html",
        viewer,
        board=board,
        functions=functions,
        flt=flt,
        params=params,
        windows=WINDOWS,
        timeline=charts.time_bars(board.buckets, board.bucket_ms),
        outcomes=charts.horizontal_bars([("blocked", board.blocked), ("alerted", board.alerted)]),
        attack_types=charts.horizontal_bars(board.attack_types),
    )
