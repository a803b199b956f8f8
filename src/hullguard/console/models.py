"""Database tables (SQLAlchemy 2.0). Every schema change is also an Alembic revision in
``migrations/versions``; ``tests/console/test_migrations.py`` fails when the two drift apart."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))  # "admin" or "viewer"
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_ms: Mapped[int] = mapped_column(BigInteger)


class UserSession(Base):
    __tablename__ = "sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the cookie value
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_ms: Mapped[int] = mapped_column(BigInteger)
    expires_ms: Mapped[int] = mapped_column(BigInteger)


class ApiKey(Base):
    __tablename__ = "api_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    prefix: Mapped[str] = mapped_column(String(16))  # shown in the pages so a key can be recognised
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 hex of the whole key
    scopes: Mapped[str] = mapped_column(String(255))  # space separated
    created_ms: Mapped[int] = mapped_column(BigInteger)
    revoked_ms: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class AuditEntry(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    time_ms: Mapped[int] = mapped_column(BigInteger, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(255), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    client: Mapped[str] = mapped_column(String(64), default="")


class DeployedFunction(Base):
    __tablename__ = "functions"
    __table_args__ = (UniqueConstraint("name", "account", "region", name="uq_functions_name_account_region"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(170), index=True)
    version: Mapped[str] = mapped_column(String(64), default="")
    account: Mapped[str] = mapped_column(String(32), default="")
    region: Mapped[str] = mapped_column(String(32), default="")
    runtime: Mapped[str] = mapped_column(String(32), default="")
    protected: Mapped[bool] = mapped_column(Boolean, default=False)
    application: Mapped[str] = mapped_column(String(255), default="")
    last_deployed: Mapped[str] = mapped_column(String(64), default="")
    arn: Mapped[str] = mapped_column(String(255), default="")
    executions: Mapped[int] = mapped_column(BigInteger, default=0)  # as reported by the inventory (CloudWatch)
    source: Mapped[str] = mapped_column(String(16), default="")  # scan, audit or events
    updated_ms: Mapped[int] = mapped_column(BigInteger)


class StoredEvent(Base):
    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_function_time", "function_name", "time_ms"),
        # Composite so the dashboard's counts by attack, action and time read only the index (0003).
        Index("ix_events_attack", "attack", "time_ms", "action"),
        Index("ix_events_action", "action", "time_ms"),
        Index("ix_events_time_action", "time_ms", "action"),
        # Distinct invocations per function are counted from this index alone (0003).
        Index("ix_events_invocations", "function_name", "account", "region", "request_id"),
        Index("ix_events_trigger", "trigger"),  # revision 0003
    )
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    uid: Mapped[str] = mapped_column(String(128), unique=True)  # finding_info.uid: idempotency key
    time_ms: Mapped[int] = mapped_column(BigInteger)
    received_ms: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(32))
    rule_id: Mapped[str] = mapped_column(String(128))
    title: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(16))
    attack: Mapped[str] = mapped_column(String(64))
    risk: Mapped[str] = mapped_column(String(64))
    location: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text)
    trigger: Mapped[str] = mapped_column(String(64))
    cold_start: Mapped[bool] = mapped_column(Boolean)
    function_name: Mapped[str] = mapped_column(String(170))
    function_version: Mapped[str] = mapped_column(String(64))
    request_id: Mapped[str] = mapped_column(String(128))
    arn: Mapped[str] = mapped_column(String(255))
    region: Mapped[str] = mapped_column(String(32))
    account: Mapped[str] = mapped_column(String(32), default="")  # added by revision 0002
    cwe: Mapped[str] = mapped_column(String(32))
    raw: Mapped[str] = mapped_column(Text)  # the event as received (JSON), for the forensic view


class Policy(Base):
    __tablename__ = "policies"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    function_name: Mapped[str] = mapped_column(String(170), unique=True)
    text: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    updated_ms: Mapped[int] = mapped_column(BigInteger)
    updated_by: Mapped[str] = mapped_column(String(64))


class Scan(Base):
    __tablename__ = "scans"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application: Mapped[str] = mapped_column(String(255), index=True)
    source: Mapped[str] = mapped_column(String(16))
    created_ms: Mapped[int] = mapped_column(BigInteger)
    findings_count: Mapped[int] = mapped_column(Integer)


class PostureFinding(Base):
    __tablename__ = "findings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("scans.id", ondelete="CASCADE"), index=True)
    rule_id: Mapped[str] = mapped_column(String(128))
    title: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(16))
    risk: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text)
    file: Mapped[str] = mapped_column(Text)
    line: Mapped[int | None] = mapped_column(Integer, nullable=True)
    function: Mapped[str] = mapped_column(String(255))
    resource: Mapped[str] = mapped_column(String(255))
    remediation: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(Text)


class Destination(Base):
    """A SIEM the forwarder sends events to (revision 0002)."""

    __tablename__ = "destinations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # splunk, syslog, webhook
    target: Mapped[str] = mapped_column(String(255))  # URL, or udp://host:port / tcp://host:port
    secret: Mapped[str] = mapped_column(String(255), default="")  # HEC token or webhook HMAC key
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    cursor: Mapped[int] = mapped_column(BigInteger, default=0)  # highest event id delivered or dead-lettered
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # failed tries of the current batch
    next_attempt_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    delivered: Mapped[int] = mapped_column(BigInteger, default=0)


class DeadLetter(Base):
    """Events a destination refused after every retry; kept until an admin re-queues them."""

    __tablename__ = "dead_letters"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    destination_id: Mapped[int] = mapped_column(ForeignKey("destinations.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(BigInteger)
    error: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer)
    created_ms: Mapped[int] = mapped_column(BigInteger)
