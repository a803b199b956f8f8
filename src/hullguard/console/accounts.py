"""Users, sessions, API keys and the audit log: the only code that writes those tables."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hullguard.console.errors import ConsoleError
from hullguard.console.models import ApiKey, AuditEntry, User, UserSession
from hullguard.console.security import (
    ROLES,
    hash_password,
    hash_token,
    new_api_key,
    new_token,
    now_ms,
    parse_scopes,
    verify_password,
)

_USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")


@dataclass(frozen=True, slots=True)
class KeyIdentity:
    id: int
    name: str
    scopes: frozenset[str]


def audit(session: Session, actor: str, action: str, target: str = "", detail: str = "", client: str = "") -> None:
    session.add(
        AuditEntry(
            time_ms=now_ms(),
            actor=actor[:64],
            action=action[:64],
            target=target[:255],
            detail=detail,
            client=client[:64],
        )
    )


def create_user(session: Session, username: str, password: str, role: str) -> User:
    if not _USERNAME.match(username):
        raise ConsoleError(422, "user name: 1 to 64 letters, digits or . _ @ -")
    if role not in ROLES:
        raise ConsoleError(422, f"role must be one of {', '.join(ROLES)}")
    if session.scalars(select(User).where(User.username == username)).first():
        raise ConsoleError(409, f"user {username!r} already exists")
    try:
        hashed = hash_password(password)
    except ValueError as exc:
        raise ConsoleError(422, str(exc)) from None
    user = User(username=username, password_hash=hashed, role=role, disabled=False, created_ms=now_ms())
    session.add(user)
    session.flush()
    return user


def authenticate_user(session: Session, username: str, password: str) -> User | None:
    user = session.scalars(select(User).where(User.username == username)).first()
    ok = verify_password(user.password_hash if user else None, password)
    return user if ok and user is not None and not user.disabled else None


def start_session(session: Session, user: User, hours: int) -> str:
    """Store a new session and return the cookie value (only its hash is stored)."""
    token = new_token()
    stamp = now_ms()
    session.execute(delete(UserSession).where(UserSession.expires_ms < stamp))
    session.add(
        UserSession(
            id=hash_token(token),
            user_id=user.id,
            csrf_token=new_token(),
            created_ms=stamp,
            expires_ms=stamp + hours * 3600 * 1000,
        )
    )
    return token


def session_user(session: Session, token: str) -> tuple[User, UserSession] | None:
    row = session.get(UserSession, hash_token(token))
    if row is None or row.expires_ms < now_ms():
        return None
    user = session.get(User, row.user_id)
    if user is None or user.disabled:
        return None
    return user, row


def end_session(session: Session, token: str) -> None:
    session.execute(delete(UserSession).where(UserSession.id == hash_token(token)))


def create_api_key(session: Session, name: str, scopes_text: str) -> tuple[ApiKey, str]:
    """Store a new key and return it with its clear value, which is shown once and never stored."""
    if not name.strip() or len(name) > 128:
        raise ConsoleError(422, "key name: 1 to 128 characters")
    try:
        scopes = parse_scopes(scopes_text)
    except ValueError as exc:
        raise ConsoleError(422, str(exc)) from None
    clear = new_api_key()
    key = ApiKey(name=name, prefix=clear[:10], key_hash=hash_token(clear), scopes=" ".join(scopes), created_ms=now_ms())
    session.add(key)
    session.flush()
    return key, clear


def revoke_api_key(session: Session, key_id: int) -> ApiKey:
    key = session.get(ApiKey, key_id)
    if key is None:
        raise ConsoleError(404, f"no API key with id {key_id}")
    if key.revoked_ms is None:
        key.revoked_ms = now_ms()
    return key


def identify_key(session: Session, clear: str) -> KeyIdentity | None:
    key = session.scalars(select(ApiKey).where(ApiKey.key_hash == hash_token(clear))).first()
    if key is None or key.revoked_ms is not None:
        return None
    return KeyIdentity(id=key.id, name=key.name, scopes=frozenset(key.scopes.split()))
