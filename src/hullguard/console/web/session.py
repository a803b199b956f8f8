"""Who is looking at the page: the session cookie, the CSRF token of its forms, the role guard."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from hullguard.console.accounts import session_user
from hullguard.console.errors import ConsoleError
from hullguard.console.security import tokens_equal
from hullguard.console.state import State

SESSION_COOKIE = "hg_session"
LOGIN_CSRF_COOKIE = "hg_login_csrf"


@dataclass(frozen=True, slots=True)
class Viewer:
    user_id: int
    username: str
    role: str
    csrf_token: str
    session_token: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class LoginRequired(Exception):
    """Raised by the page guard; the app turns it into a redirect to the login page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


async def current_viewer(request: Request, state: State) -> Viewer:
    token = request.cookies.get(SESSION_COOKIE, "")
    if not token:
        raise LoginRequired(request.url.path)

    def lookup() -> Viewer | None:
        with state.sessions() as session:
            found = session_user(session, token)
            if found is None:
                return None
            user, row = found
            return Viewer(user.id, user.username, user.role, row.csrf_token, token)

    viewer = await run_in_threadpool(lookup)
    if viewer is None:
        raise LoginRequired(request.url.path)
    return viewer


async def admin_viewer(viewer: CurrentViewer) -> Viewer:
    if not viewer.is_admin:
        raise ConsoleError(403, "this page is for administrators")
    return viewer


def check_csrf(viewer: Viewer, submitted: object) -> None:
    """Every state-changing form carries the session's CSRF token; a missing or wrong one is refused."""
    if not isinstance(submitted, str) or not tokens_equal(submitted, viewer.csrf_token):
        raise ConsoleError(403, "the form's CSRF token is missing or wrong; reload the page and try again")


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


CurrentViewer = Annotated[Viewer, Depends(current_viewer)]
AdminViewer = Annotated[Viewer, Depends(admin_viewer)]
