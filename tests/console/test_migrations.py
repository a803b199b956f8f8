"""Migrations: an upgrade from the first revision keeps (and backfills) data; models match migrations."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from hullguard.console import migrate
from hullguard.console.db import make_engine
from hullguard.console.models import Base
from hullguard.console.settings import database_url_for

_OLD_EVENT = {
    "uid": "evt-before-upgrade",
    "time_ms": 1_700_000_000_000,
    "received_ms": 1_700_000_000_500,
    "source": "firewall",
    "rule_id": "HG-SQLI-001",
    "title": "SQL injection",
    "severity": "high",
    "action": "blocked",
    "attack": "sqli",
    "risk": "event-injection",
    "location": "body.id",
    "evidence": "1 OR 1=1",
    "trigger": "api-gateway-rest",
    "cold_start": False,
    "function_name": "orders-api",
    "function_version": "$LATEST",
    "request_id": "r-1",
    "arn": "arn:aws:lambda:eu-west-1:123456789012:function:orders-api",
    "region": "eu-west-1",
    "cwe": "CWE-89",
    "raw": "{}",
}


def test_upgrade_from_first_revision_keeps_data(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate.upgrade(engine, "0001")
    assert migrate.current_revision(engine) == "0001"
    columns = ", ".join(_OLD_EVENT)
    values = ", ".join(f":{k}" for k in _OLD_EVENT)
    with engine.begin() as conn:
        for uid, request_id in (("evt-before-upgrade", "r-1"), ("evt-2", "r-1"), ("evt-3", "r-2")):
            conn.execute(
                text(f"INSERT INTO events ({columns}) VALUES ({values})"),  # noqa: S608 - fixed column names
                {**_OLD_EVENT, "uid": uid, "request_id": request_id},
            )
        conn.execute(
            text(
                "INSERT INTO functions (name, version, account, region, runtime, protected, application, last_deployed,"
                " arn, executions, source, updated_ms) VALUES ('orders-api', '1', '123456789012', 'eu-west-1',"
                " 'python3.12', true, 'shop', '', '', 0, 'scan', 1)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO users (username, password_hash, role, disabled, created_ms) "
                "VALUES ('admin', 'x', 'admin', false, 1)"
            )
        )
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    with engine.connect() as conn:
        row = conn.execute(text("SELECT uid, evidence, account FROM events WHERE uid = 'evt-before-upgrade'")).one()
        assert tuple(row) == ("evt-before-upgrade", "1 OR 1=1", "123456789012")  # 0002 backfilled it from the ARN
        assert conn.execute(text("SELECT count(*) FROM events")).scalar_one() == 3
        assert conn.execute(text("SELECT name, application FROM functions")).one() == ("orders-api", "shop")
        assert conn.execute(text("SELECT username FROM users")).scalar_one() == "admin"
        assert conn.execute(text("SELECT count(*) FROM dead_letters")).scalar_one() == 0
    migrate.upgrade(engine)  # running again at start-up is a no-op
    engine.dispose()


def test_models_and_migrations_describe_the_same_schema(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert differences == []


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    engine = make_engine(database_url_for(tmp_path))
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
    engine.dispose()


def test_downgrade_is_not_needed_to_read_a_newer_database(tmp_path: Path) -> None:
    """A database at head is left alone by a second start; an unknown revision is reported, not erased."""
    engine = make_engine(database_url_for(tmp_path))
    migrate.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(Exception, match="9999"):
        migrate.upgrade(engine)
    engine.dispose()
