"""Log in (throttled, CSRF double-submit cookie) and log out."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from hullguard.console.accounts import audit, authenticate_user, end_session, start_session
from hullguard.console.security import new_token, tokens_equal
from hullguard.console.state import ConsoleState, State
from hullguard.console.web.render import render
from hullguard.console.web.session import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    CurrentViewer,
    check_csrf,
    client_address,
)

router = APIRouter(include_in_schema=False)


def _safe_next(path: str) -> str:
    """Only same-site paths: an open redirect would turn the login page into a phishing aid."""
    if path.startswith("/") and not path.startswith("//") and "\\" not in path and path != "/login":
        return path
    return "/"


def _login_page(
    request: Request, state: ConsoleState, error: str = "", status: int = 200, next_path: str | None = None
) -> Response:
    token = new_token()
    response = render(
        request,
        "login.html",
        None,
        status=status,
        login_csrf=token,
        next_path=_safe_next(next_path or request.query_params.get("next", "/")),
        error=error,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=state.settings.secure_cookies,
        path="/login",
        max_age=3600,
    )
    return response


@router.get("/login")
async def login_form(request: Request, state: State) -> Response:
    return _login_page(request, state)


@router.post("/login")
async def login(request: Request, state: State) -> Response:
    form = await request.form()
    username = str(form.get("username", ""))[:64]
    password = str(form.get("password", ""))[:1024]
    submitted = str(form.get("csrf_token", ""))
    next_path = str(form.get("next", "/"))
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not tokens_equal(cookie, submitted):
        return _login_page(request, state, "The login form expired; please try again.", 403, next_path)
    client = client_address(request)
    keys = (f"user:{username.lower()}", f"addr:{client}")
    wait = state.throttle.retry_after(*keys)
    if wait > 0:
        return _login_page(
            request, state, f"Too many failed logins. Try again in {int(wait // 60) + 1} minute(s).", 429, next_path
        )

    def attempt() -> str | None:
        with state.transaction() as session:
            user = authenticate_user(session, username, password)
            if user is None:
                audit(session, username or "(empty)", "login-failed", client=client)
                return None
            audit(session, user.username, "login", client=client)
            return start_session(session, user, state.settings.session_hours)

    token = await run_in_threadpool(attempt)
    if token is None:
        state.throttle.failed(*keys)
        return _login_page(request, state, "Wrong user name or password.", 401, next_path)
    state.throttle.succeeded(keys[0])
    response = RedirectResponse(_safe_next(next_path), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=state.settings.secure_cookies,
        path="/",
        max_age=state.settings.session_hours * 3600,
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
async def logout(request: Request, viewer: CurrentViewer, state: State) -> Response:
    form = await request.form()
    check_csrf(viewer, form.get("csrf_token"))

    def work() -> None:
        with state.transaction() as session:
            end_session(session, viewer.session_token)
            audit(session, viewer.username, "logout", client=client_address(request))

    await run_in_threadpool(work)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
