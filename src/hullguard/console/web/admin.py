"""Administration: users and roles, API keys, SIEM destinations, the audit log."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import delete, func, select
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from hullguard.console.accounts import audit, create_api_key, create_user, revoke_api_key
from hullguard.console.errors import ConsoleError
from hullguard.console.forwarding.worker import Forwarder, add_destination
from hullguard.console.models import ApiKey, AuditEntry, DeadLetter, Destination, User, UserSession
from hullguard.console.security import ROLES, SCOPES, hash_password
from hullguard.console.state import ConsoleState, State
from hullguard.console.web.render import render
from hullguard.console.web.session import AdminViewer, check_csrf, client_address

router = APIRouter(prefix="/admin", include_in_schema=False)


def _users(state: ConsoleState) -> list[User]:
    with state.sessions() as session:
        return list(session.scalars(select(User).order_by(User.username)))


@router.get("/users")
async def users_page(request: Request, viewer: AdminViewer, state: State) -> Response:
    users = await run_in_threadpool(_users, state)
    return render(
        request, "admin_users.html", viewer, users=users, roles=ROLES, flash=request.query_params.get("done", "")[:100]
    )


@router.post("/users")
async def users_create(request: Request, viewer: AdminViewer, state: State) -> Response:
    form = await request.form()
    check_csrf(viewer, form.get("csrf_token"))
    username, role = str(form.get("username", "")), str(form.get("role", ""))

    def work() -> None:
        with state.transaction() as session:
            create_user(session, username, str(form.get("password", "")), role)
            audit(session, viewer.username, "user-create", username, f"role {role}", client_address(request))

    try:
        await run_in_threadpool(work)
    except ConsoleError as exc:
        users = await run_in_threadpool(_users, state)
        return render(
            request, "admin_users.html", viewer, status=exc.status, users=users, roles=ROLES, error=exc.message
        )
    return RedirectResponse("/admin/users?done=User+created.", status_code=303)


@router.post("/users/{user_id}")
async def users_update(user_id: int, request: Request, viewer: AdminViewer, state: State) -> Response:
    form = await request.form()
    check_csrf(viewer, form.get("csrf_token"))
    role, disabled = str(form.get("role", "")), form.get("disabled") == "on"
    new_password = str(form.get("new_password", ""))

    def work() -> None:
        with state.transaction() as session:
            user = session.get(User, user_id)
            if user is None:
                raise ConsoleError(404, "no such user")
            if role not in ROLES:
                raise ConsoleError(422, f"role must be one of {', '.join(ROLES)}")
            if user.id == viewer.user_id and (role != "admin" or disabled):
                raise ConsoleError(422, "you cannot demote or disable yourself")
            user.role, user.disabled = role, disabled
            if new_password:
                try:
                    user.password_hash = hash_password(new_password)
                except ValueError as exc:
                    raise ConsoleError(422, str(exc)) from None
                # Whoever held a session under the old password is logged out.
                session.execute(delete(UserSession).where(UserSession.user_id == user.id))
                audit(session, viewer.username, "user-password-reset", user.username, "", client_address(request))
            audit(
                session,
                viewer.username,
                "user-update",
                user.username,
                f"role {role}, disabled {disabled}",
                client_address(request),
            )

    await run_in_threadpool(work)
    return RedirectResponse("/admin/users?done=User+updated.", status_code=303)


def _keys(state: ConsoleState) -> list[ApiKey]:
    with state.sessions() as session:
        return list(session.scalars(select(ApiKey).order_by(ApiKey.id.desc())))


@router.get("/keys")
async def keys_page(request: Request, viewer: AdminViewer, state: State) -> Response:
    keys = await run_in_threadpool(_keys, state)
    return render(request, "admin_keys.html", viewer, keys=keys, scopes=SCOPES, new_key="")


@router.post("/keys")
async def keys_create(request: Request, viewer: AdminViewer, state: State) -> Response:
    form = await request.form()
    check_csrf(viewer, form.get("csrf_token"))
    name = str(form.get("name", ""))
    scopes = " ".join(str(s) for s in form.getlist("scopes"))

    def work() -> str:
        with state.transaction() as session:
            key, clear = create_api_key(session, name, scopes)
            audit(session, viewer.username, "key-create", f"{key.id} {name}", key.scopes, client_address(request))
            return clear

    try:
        clear = await run_in_threadpool(work)
    except ConsoleError as exc:
        keys = await run_in_threadpool(_keys, state)
        return render(
            request,
            "admin_keys.html",
            viewer,
            status=exc.status,
            keys=keys,
            scopes=SCOPES,
            new_key="",
            error=exc.message,
        )
    keys = await run_in_threadpool(_keys, state)
    # Shown once, in this answer only; the database keeps its hash.
    return render(request, "admin_keys.html", viewer, keys=keys, scopes=SCOPES, new_key=clear)


@router.post("/keys/{key_id}/revoke")
async def keys_revoke(key_id: int, request: Request, viewer: AdminViewer, state: State) -> Response:
    form = await request.form()
    check_csrf(viewer, form.get("csrf_token"))

    def work() -> None:
        with state.transaction() as session:
            key = revoke_api_key(session, key_id)
            audit(session, viewer.username, "key-revoke", f"{key.id} {key.name}", "", client_address(request))

    await run_in_threadpool(work)
    return RedirectResponse("/admin/keys", status_code=303)


@router.get("/audit")
async def audit_page(request: Request, viewer: AdminViewer, state: State) -> Response:
    def work() -> list[AuditEntry]:
        with state.sessions() as session:
            return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(500)))

    entries = await run_in_threadpool(work)
    return render(request, "admin_audit.html", viewer, entries=entries)


def _destinations(state: ConsoleState) -> list[tuple[Destination, int]]:
    with state.sessions() as session:
        dead = dict(
            session.execute(select(DeadLetter.destination_id, func.count()).group_by(DeadLetter.destination_id)).all()
        )
        return [(d, int(dead.get(d.id, 0))) for d in session.scalars(select(Destination).order_by(Destination.name))]


@router.get("/integrations")
async def integrations_page(request: Request, viewer: AdminViewer, state: State) -> Response:
    rows = await run_in_threadpool(_destinations, state)
    return render(
        request, "admin_integrations.html", viewer, rows=rows, flash=request.query_params.get("done", "")[:100]
    )


@router.post("/integrations")
async def integrations_create(request: Request, viewer: AdminViewer, state: State) -> Response:
    form = await request.form()
    check_csrf(viewer, form.get("csrf_token"))
    fields: dict[str, Any] = {k: str(form.get(k, "")).strip() for k in ("name", "kind", "target", "secret")}

    def work() -> None:
        with state.transaction() as session:
            if not fields["name"] or len(fields["name"]) > 64:
                raise ValueError("name: 1 to 64 characters")
            add_destination(session, **fields)
            audit(
                session,
                viewer.username,
                "destination-create",
                fields["name"],
                f"{fields['kind']} {fields['target']}",
                client_address(request),
            )

    try:
        await run_in_threadpool(work)
    except ValueError as exc:
        rows = await run_in_threadpool(_destinations, state)
        return render(request, "admin_integrations.html", viewer, status=422, rows=rows, error=str(exc))
    return RedirectResponse("/admin/integrations?done=Destination+added.", status_code=303)


@router.post("/integrations/{dest_id}/retry")
async def integrations_retry(dest_id: int, request: Request, viewer: AdminViewer, state: State) -> Response:
    form = await request.form()
    check_csrf(viewer, form.get("csrf_token"))
    sent = await run_in_threadpool(Forwarder(state.sessions).redeliver, dest_id)

    def note() -> None:
        with state.transaction() as session:
            audit(
                session,
                viewer.username,
                "dead-letters-retry",
                str(dest_id),
                f"{sent} delivered",
                client_address(request),
            )

    await run_in_threadpool(note)
    return RedirectResponse(f"/admin/integrations?done={sent}+dead+letters+delivered.", status_code=303)
