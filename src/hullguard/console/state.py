"""What every request handler needs, built once per app: settings, database, limiters, templates."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
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
    # SQLite has one writer at a time. Queuing writers on a lock here (instead of letting each spin in
    # SQLite's busy handler, which sleeps and retries) keeps write latency fair under concurrency.
    # PostgreSQL needs none: it locks rows, not the database.
    write_lock: threading.Lock | None = None

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commit on success, roll back everything on any error."""
        with self.write_lock or nullcontext(), self.sessions() as session, session.begin():
            yield session


def console_state(request: Request) -> ConsoleState:
    state: ConsoleState = request.app.state.console
    return state


State = Annotated[ConsoleState, Depends(console_state)]
