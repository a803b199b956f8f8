"""Security posture: findings of the latest scan per application, with trends over scans."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from hullguard.console import charts
from hullguard.console.queries import Posture, posture
from hullguard.console.state import State
from hullguard.console.web.render import render
from hullguard.console.web.session import CurrentViewer

router = APIRouter(include_in_schema=False)


@router.get("/posture")
async def posture_page(request: Request, viewer: CurrentViewer, state: State) -> Response:
    q = request.query_params
    params = {name: q.get(name, "")[:255] for name in ("application", "risk", "severity", "function")}

    def work() -> Posture:
        with state.sessions() as session:
            return posture(session, **params)

    result = await run_in_threadpool(work)
    trend, trend_points = charts.trend_line(result.trend)
    return render(
        request,
        "posture.html",
        viewer,
        posture=result,
        params=params,
        severity_chart=charts.horizontal_bars(result.by_severity),
        risk_chart=charts.horizontal_bars(result.by_risk),
        trend=trend,
        trend_points=trend_points,
    )
