"""Configuration: per-function policies (view, edit with validation, download)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from hullguard.console.accounts import audit
from hullguard.console.errors import ConsoleError
from hullguard.console.models import DeployedFunction, Policy
from hullguard.console.policies import DEFAULT_POLICY, check_function_name, get_policy, save_policy
from hullguard.console.state import ConsoleState, State
from hullguard.console.web.render import render
from hullguard.console.web.session import AdminViewer, CurrentViewer, check_csrf, client_address

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True, slots=True)
class PolicyRow:
    function: str
    version: int | None
    updated_ms: int | None
    updated_by: str


@router.get("/config")
async def config_list(request: Request, viewer: CurrentViewer, state: State) -> Response:
    def work() -> list[PolicyRow]:
        with state.sessions() as session:
            policies = {p.function_name: p for p in session.scalars(select(Policy))}
            names = set(session.scalars(select(DeployedFunction.name).distinct())) | set(policies)
            return [
                PolicyRow(name, p.version if p else None, p.updated_ms if p else None, p.updated_by if p else "")
                for name in sorted(names)
                for p in [policies.get(name)]
            ]

    rows = await run_in_threadpool(work)
    return render(request, "config_list.html", viewer, rows=rows)


@router.get("/config/{name}")
async def config_view(name: str, request: Request, viewer: CurrentViewer, state: State) -> Response:
    check_function_name(name)

    def work() -> Policy | None:
        with state.sessions() as session:
            return get_policy(session, name)

    policy = await run_in_threadpool(work)
    return render(
        request,
        "config_edit.html",
        viewer,
        name=name,
        policy=policy,
        text=policy.text if policy else DEFAULT_POLICY,
        flash="Saved." if request.query_params.get("saved") else "",
    )


@router.post("/config/{name}")
async def config_save(name: str, request: Request, viewer: AdminViewer, state: State) -> Response:
    check_function_name(name)
    form = await request.form()
    check_csrf(viewer, form.get("csrf_token"))
    text = str(form.get("policy", "")).replace("\r\n", "\n")

    def work() -> int:
        with state.transaction() as session:
            policy = save_policy(session, name, text, viewer.username)
            audit(session, viewer.username, "policy-edit", name, f"version {policy.version}", client_address(request))
            return policy.version

    try:
        await run_in_threadpool(work)
    except ConsoleError as exc:
        if exc.status != 422:
            raise
        current = await run_in_threadpool(lambda: _read(state, name))
        return render(
            request, "config_edit.html", viewer, status=422, name=name, policy=current, text=text, error=exc.message
        )
    return RedirectResponse(f"/config/{name}?saved=1", status_code=303)


def _read(state: ConsoleState, name: str) -> Policy | None:
    with state.sessions() as session:
        return get_policy(session, name)


@router.get("/config/{name}/policy.yaml")
async def config_download(name: str, viewer: CurrentViewer, state: State) -> Response:
    check_function_name(name)
    policy = await run_in_threadpool(lambda: _read(state, name))
    if policy is None:
        raise ConsoleError(404, f"no policy stored for function {name!r}")
    return Response(
        policy.text,
        media_type="application/yaml; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.policy.yaml"'},
    )
