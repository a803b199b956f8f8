"""``GET /api/v1/functions/{name}/policy``: what ``hullguard policy pull`` packages with a function."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from hullguard.console.accounts import KeyIdentity
from hullguard.console.api.collector import ERROR_RESPONSES
from hullguard.console.api.deps import require_scope
from hullguard.console.errors import ConsoleError
from hullguard.console.policies import check_function_name, get_policy
from hullguard.console.state import State

router = APIRouter(prefix="/api/v1", tags=["policies"])


class PolicyOut(BaseModel):
    function: str
    policy: str
    version: int


@router.get(
    "/functions/{name}/policy",
    response_model=PolicyOut,
    responses={**ERROR_RESPONSES, 404: {"description": "No policy stored for this function"}},
)
async def get_function_policy(
    name: str,
    key: Annotated[KeyIdentity, Depends(require_scope("policy:read"))],
    state: State,
) -> PolicyOut:
    """The function's policy as YAML text, with a version that grows on every edit."""
    check_function_name(name)

    def work() -> PolicyOut:
        with state.sessions() as session:
            policy = get_policy(session, name)
            if policy is None:
                raise ConsoleError(404, f"no policy stored for function {name!r}; create one in the console")
            return PolicyOut(function=policy.function_name, policy=policy.text, version=policy.version)

    return await run_in_threadpool(work)
