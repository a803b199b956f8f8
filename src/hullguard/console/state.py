"""What every request handler needs, built once per app: settings, database, limiters, templates."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request

from hullguard.console.ratelimit import LoginThrottle, TokenBuckets
from hullguard.console.settings import ConsoleSettings


@dataclass
class ConsoleState:
    settings: ConsoleSettings
    engine: Engine
    sessions: sessionmaker[Session]
    buckets: TokenBuckets
    throttle: LoginThrottle

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commit on success, roll back everything on any error."""
        with self.sessions() as session, session.begin():
            yield session


def console_state(request: Request) -> ConsoleState:
    state: ConsoleState = request.app.state.console
    return state


State = Annotated[ConsoleState, Depends(console_state)]
