"""Coverage gaps: what the audit could not read, and why.

An ``AccessDenied`` on one call, expired credentials, an account that cannot be assumed or a region
that is not enabled never stop the audit: they become a ``Gap`` in the report, naming what was skipped.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

ACCESS_DENIED = {
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnauthorizedAccess",
    "AuthorizationError",
}
EXPIRED = {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "InvalidClientTokenId", "TokenRefreshRequired"}
# What AWS answers when a call reaches a region the account has not opted in to.
REGION_DISABLED = {"UnrecognizedClientException", "AuthFailure", "OptInRequired"}


@dataclass(frozen=True, slots=True)
class Gap:
    """One thing the audit could not cover: ``scope`` names it, ``reason`` is the short cause."""

    account: str
    region: str
    scope: str  # e.g. "lambda:GetPolicy my-function", "region", "account"
    reason: str  # "access-denied", "expired-credentials", "region-disabled", "assume-failed", "error"
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "region": self.region,
            "scope": self.scope,
            "reason": self.reason,
            "message": self.message,
        }

    def __str__(self) -> str:
        where = "/".join(p for p in (self.account, self.region) if p)
        return f"{where}: {self.scope} skipped ({self.reason}): {self.message}"


def classify(exc: BaseException) -> str:
    """Name the kind of failure of a botocore exception."""
    if isinstance(exc, ClientError):
        code = str(exc.response.get("Error", {}).get("Code", ""))
        message = str(exc.response.get("Error", {}).get("Message", ""))
        page = "<html" in message.lower() or "<!doctype" in message.lower()
        if code in ("404", "501", "NotImplemented") or page or "not yet implemented" in message.lower():
            return "unsupported"  # an emulator (or partition) without this API
        if code in ACCESS_DENIED or code.endswith("AccessDenied"):
            return "access-denied"
        if code in EXPIRED:
            return "expired-credentials"
        if code in REGION_DISABLED:
            return "region-disabled"
        if code in {"Throttling", "ThrottlingException", "TooManyRequestsException"}:
            return "throttled"
        return "error"
    name = type(exc).__name__
    if name in {"NoCredentialsError", "PartialCredentialsError", "NoAuthTokenError"}:
        return "no-credentials"
    if name in {"UnauthorizedSSOTokenError", "SSOTokenLoadError", "TokenRetrievalError"}:
        return "expired-credentials"
    if name in {"EndpointConnectionError", "ConnectTimeoutError", "ReadTimeoutError"}:
        return "unreachable"
    return "error"


def describe(exc: BaseException, limit: int = 200) -> str:
    """One short line: error pages (HTML from a proxy or emulator) and long messages are cut down."""
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        message = str(err.get("Message", ""))
        if "<html" in message.lower() or "<!doctype" in message.lower():
            message = "the endpoint answered with an error page (API not available there)"
        text = f"{err.get('Code', 'Error')}: {message}"
    elif isinstance(exc, BotoCoreError):
        text = str(exc)
    else:
        text = f"{type(exc).__name__}: {exc}"
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass
class Coverage:
    """Thread-safe collection of gaps, shared by every worker of one audit."""

    gaps: list[Gap] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, account: str, region: str, scope: str, exc: BaseException | str, reason: str | None = None) -> Gap:
        if isinstance(exc, BaseException):
            gap = Gap(account, region, scope, reason or classify(exc), describe(exc))
        else:
            gap = Gap(account, region, scope, reason or "error", exc)
        with self._lock:
            self.gaps.append(gap)
        return gap

    def sorted(self) -> list[Gap]:
        with self._lock:
            return sorted(self.gaps, key=lambda g: (g.account, g.region, g.scope))


def is_not_found(exc: BaseException) -> bool:
    """True for the 404s Lambda answers when an optional setting (policy, URL, ...) is absent."""
    if not isinstance(exc, ClientError):
        return False
    code = str(exc.response.get("Error", {}).get("Code", ""))
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return code in {"ResourceNotFoundException", "NoSuchEntity", "NoSuchEntityException"} or status == 404
