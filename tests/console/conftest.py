"""Fixtures: a fresh console database per test, on SQLite and (when reachable) on the local
PostgreSQL server, each in a uniquely named database dropped afterwards."""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from hullguard.console import migrate
from hullguard.console.accounts import create_api_key
from hullguard.console.app import create_app
from hullguard.console.db import make_engine
from hullguard.console.models import User
from hullguard.console.security import hash_password
from hullguard.console.settings import ConsoleSettings, Limits, database_url_for
from hullguard.console.state import ConsoleState
from hullguard.events import Action, FunctionContext, SecurityEvent, Severity

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ADMIN_PASSWORD = "correct horse battery staple"
VIEWER_PASSWORD = "viewer password 1234"
ALL_SCOPES = "events:write inventory:write posture:write policy:read"


def _postgres_reason() -> str | None:
    try:
        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 2})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:  # any failure means "not reachable here"
        return (
            f"PostgreSQL at 127.0.0.1:5432 not reachable ({type(exc).__name__}); "
            "start it with scripts/ensure-services.sh"
        )
    return None


POSTGRES_SKIP = _postgres_reason()


def _pg_url(name: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A database migrated once per test session; each test gets a copy (CREATE DATABASE ... TEMPLATE),
    which is much faster than migrating again. Migrations themselves are tested on empty databases."""
    if POSTGRES_SKIP:
        pytest.skip(POSTGRES_SKIP)
    name = f"hg_console_tpl_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(_pg_url(name))
    migrate.upgrade(engine)
    engine.dispose()
    try:
        yield name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest) -> Iterator[str]:
    if POSTGRES_SKIP:
        pytest.skip(POSTGRES_SKIP)
    name = f"hg_console_{uuid.uuid4().hex[:12]}"
    migrated = "migrations" not in request.node.nodeid  # migration tests start from an empty database
    template = f' TEMPLATE "{request.getfixturevalue("postgres_template")}"' if migrated else ""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"{template}'))
    try:
        yield _pg_url(name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return database_url_for(tmp_path)
    return str(request.getfixturevalue("postgres_url"))


@dataclass
class Console:
    app: FastAPI
    client: TestClient
    state: ConsoleState
    key: str  # every scope

    def api(self, path: str, payload: object, key: str | None = None) -> object:
        return self.client.post(path, json=payload, headers={"Authorization": f"Bearer {key or self.key}"})

    def make_key(self, scopes: str) -> str:
        with self.state.transaction() as session:
            return create_api_key(session, "test", scopes)[1]

    def login(self, username: str = "admin", password: str = ADMIN_PASSWORD) -> object:
        page = self.client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token is not None
        return self.client.post(
            "/login",
            data={"username": username, "password": password, "csrf_token": token.group(1), "next": "/"},
            follow_redirects=False,
        )

    def csrf(self, path: str = "/") -> str:
        found = re.search(r'name="csrf_token" value="([^"]+)"', self.client.get(path).text)
        assert found is not None
        return found.group(1)


@functools.cache
def _password_hash(role: str) -> str:
    """Argon2 takes ~0.5 s on this busy machine: hash each test password once per session."""
    return hash_password(ADMIN_PASSWORD if role == "admin" else VIEWER_PASSWORD)


def build_console(database_url: str, limits: Limits | None = None) -> Console:
    settings = ConsoleSettings(
        database_url=database_url, secure_cookies=False, run_forwarder=False, limits=limits or Limits()
    )
    app = create_app(settings)
    state: ConsoleState = app.state.console
    with state.transaction() as session:
        for username, role in (("admin", "admin"), ("viewer", "viewer")):
            session.add(
                User(username=username, password_hash=_password_hash(role), role=role, disabled=False, created_ms=1)
            )
        _, key = create_api_key(session, "all scopes", ALL_SCOPES)
    return Console(app=app, client=TestClient(app), state=state, key=key)


@pytest.fixture
def console(database_url: str) -> Iterator[Console]:
    made = build_console(database_url)
    with made.client:
        yield made
    made.state.engine.dispose()


@pytest.fixture
def sqlite_console(tmp_path: Path) -> Iterator[Console]:
    made = build_console(database_url_for(tmp_path))
    with made.client:
        yield made
    made.state.engine.dispose()


def make_event(
    *,
    function: str = "orders-api",
    attack: str = "sqli",
    action: Action = Action.BLOCKED,
    evidence: str = "1' OR '1'='1",
    location: str = "queryStringParameters.id",
    trigger: str = "api-gateway-rest",
    account: str = "123456789012",
    region: str = "eu-west-1",
    request_id: str | None = None,
    time_ms: int | None = None,
) -> SecurityEvent:
    event = SecurityEvent(
        source="firewall",
        rule_id=f"HG-{attack.upper()}-001",
        title=f"{attack} detected",
        severity=Severity.HIGH,
        action=action,
        attack=attack,
        location=location,
        evidence=evidence,
        trigger=trigger,
        function=FunctionContext(
            name=function,
            version="$LATEST",
            request_id=request_id or uuid.uuid4().hex,
            arn=f"arn:aws:lambda:{region}:{account}:function:{function}",
            region=region,
        ),
        cwe="CWE-89",
        detail={"policy_rule": "firewall.sqli", "mode": "block"},
    )
    if time_ms is not None:
        event.time_ms = time_ms
    return event
