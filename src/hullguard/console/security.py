"""Secrets the console hands out or checks: user passwords (Argon2id), API keys (SHA-256 of a
256-bit random key: a key is never guessed, so a slow KDF would only slow the collector down),
session and CSRF tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

API_KEY_PREFIX = "hgk_"
SCOPES: tuple[str, ...] = ("events:write", "inventory:write", "posture:write", "policy:read")
ROLES: tuple[str, ...] = ("admin", "viewer")
MIN_PASSWORD_LENGTH = 12

_hasher = PasswordHasher()  # Argon2id with the library's RFC 9106 low-memory profile
# Checked when the user name is unknown, so a failed login costs the same either way.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


def now_ms() -> int:
    return int(time.time() * 1000)


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def new_api_key() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def tokens_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def parse_scopes(text: str) -> list[str]:
    """Scopes from a comma or space separated list; unknown ones are an error that names them."""
    scopes = [s for s in text.replace(",", " ").split() if s]
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown or not scopes:
        raise ValueError(f"unknown or missing scopes {unknown or text!r}; expected some of {', '.join(SCOPES)}")
    return sorted(set(scopes))
