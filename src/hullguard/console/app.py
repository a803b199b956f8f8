"""``create_app(settings)``: the FastAPI application serving the collector API and the pages.

OpenAPI: ``/openapi.json`` documents the collector. FastAPI's ``/docs`` and ``/redoc`` are disabled:
they load scripts from a CDN and run inline script, which the strict CSP (rightly) refuses.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, RedirectResponse, Response

from hullguard._version import __version__
from hullguard.console import migrate
from hullguard.console.api import collector, policies
from hullguard.console.api.deps import RateLimited
from hullguard.console.db import make_engine, make_sessionmaker
from hullguard.console.errors import ConsoleError
from hullguard.console.forwarding.worker import Forwarder
from hullguard.console.headers import SecurityHeaders
from hullguard.console.ratelimit import LoginThrottle, TokenBuckets
from hullguard.console.settings import ConsoleSettings
from hullguard.console.state import ConsoleState
from hullguard.console.web import admin, config, dashboard, events, login, posture
from hullguard.console.web.render import render
from hullguard.console.web.session import LoginRequired

STATIC = Path(__file__).resolve().parent / "web" / "static"
log = logging.getLogger("hullguard.console")


def build_state(settings: ConsoleSettings) -> ConsoleState:
    engine = make_engine(settings.database_url)
    return ConsoleState(
        settings=settings,
        engine=engine,
        sessions=make_sessionmaker(engine),
        buckets=TokenBuckets(settings.limits.rate_per_second, settings.limits.rate_burst),
        throttle=LoginThrottle(settings.login_max_failures, settings.login_window_s),
        write_lock=threading.Lock() if engine.dialect.name == "sqlite" else None,
    )


def create_app(settings: ConsoleSettings, run_migrations: bool = True) -> FastAPI:
    state = build_state(settings)
    if run_migrations:
        migrate.upgrade(state.engine)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        forwarder = Forwarder(state.sessions)
        if settings.run_forwarder:
            forwarder.start(settings.forward_interval_s)
        try:
            yield
        finally:
            forwarder.stop()
            state.engine.dispose()

    app = FastAPI(
        title="hullguard console",
        version=__version__,
        description="Collector API for hullguard security events, inventory, posture and policies.",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.console = state
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in (
        collector.router,
        policies.router,
        login.router,
        dashboard.router,
        events.router,
        posture.router,
        config.router,
        admin.router,
    ):
        app.include_router(router)

    def wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api/")

    @app.exception_handler(ConsoleError)
    async def console_error(request: Request, exc: ConsoleError) -> Response:
        headers = {"Retry-After": str(int(exc.retry_after) + 1)} if isinstance(exc, RateLimited) else None
        if wants_json(request):
            return JSONResponse({"detail": exc.message}, status_code=exc.status, headers=headers)
        return render(request, "error.html", None, status=exc.status, message=exc.message)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(f"/login?next={quote(exc.next_path)}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        return render(request, "error.html", None, status=exc.status_code, message=str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5])
        if wants_json(request):
            return JSONResponse({"detail": problems}, status_code=422)
        return render(request, "error.html", None, status=422, message=problems)

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> Response:
        return Response(status_code=204)  # browsers ask for it on every page; no 404 noise in logs

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
