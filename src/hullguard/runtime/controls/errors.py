"""Verbose errors and the answers the runtime gives instead of the handler's.

An unhandled exception is logged in full (type, message, traceback, credentials masked) as a security
event; the caller gets a generic error naming the request id. HTTP triggers get a 500 JSON response
(no stack trace, no paths), Lambda@Edge in CloudFront's own response format; other triggers get a
``FunctionError`` carrying only that generic text, so retries, DLQs and destinations still see a failure.
"""

from __future__ import annotations

import json

from hullguard.events.schema import Severity
from hullguard.firewall.triggers.edge import EDGE
from hullguard.firewall.triggers.edge import answer as edge_answer
from hullguard.runtime.policy import ErrorsPolicy
from hullguard.runtime.report import Reporter, Rule
from hullguard.runtime.state import Invocation, internal_work
from hullguard.runtime.triggers import HTTP_TRIGGERS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

VERBOSE_ERROR = Rule("HG-RT-ERR-001", "Unhandled exception in the handler (details kept in the security log)",
                     "verbose-errors", "verbose-errors", Severity.LOW, "CWE-209")
TRACEBACK_LIMIT = 4000
# Lambda@Edge answers with the response CloudFront sends the viewer: an exception would reach the
# viewer as CloudFront's own 5xx error page.
ANSWERED = HTTP_TRIGGERS | {EDGE}


class FunctionError(Exception):
    """The generic error a non-HTTP caller sees instead of the handler's own exception."""


class EventRejected(Exception):
    """The event was refused by the firewall or a runtime control (non-HTTP triggers)."""


def http_response(status: int, body: dict[str, Any], trigger: str) -> dict[str, Any]:
    if trigger == EDGE:
        return edge_answer(status, json.dumps(body))
    response: dict[str, Any] = {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(body),
        "isBase64Encoded": False,
    }
    if trigger == "alb":
        response["statusDescription"] = f"{status} {'Forbidden' if status == 403 else 'Internal Server Error'}"
    return response


def rejection(inv: Invocation, reason: str) -> Any:
    """What the caller gets when the event is refused: 403 for HTTP triggers, an error otherwise."""
    rid = inv.function.request_id
    if inv.trigger in ANSWERED:
        return http_response(403, {"message": "Forbidden", "requestId": rid}, inv.trigger)
    raise EventRejected(f"Request rejected by security policy ({reason}); request id {rid}") from None


class ErrorControl:
    def __init__(self, policy: ErrorsPolicy, reporter: Reporter, mask: Any) -> None:
        self.policy = policy
        self.reporter = reporter
        self.mask = mask  # CredentialControl.mask

    def on_exception(self, exc: Exception, inv: Invocation) -> Any:
        """Log ``exc`` in full; return the generic answer, or re-raise when the policy allows detail."""
        import traceback  # only when something failed: keeps it out of the cold start

        with internal_work():  # formatting reads source lines: let our own linecache reads through
            text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        text = self.mask(text)
        block = self.reporter.decide(
            self.policy.verbose, VERBOSE_ERROR, location=type(exc).__name__, policy_rule="errors.verbose",
            evidence=self.mask(f"{type(exc).__name__}: {exc}"),
            detail={"exception": type(exc).__name__, "traceback": text[-TRACEBACK_LIMIT:]},
        )
        if not block:
            raise exc
        rid = inv.function.request_id
        if inv.trigger in ANSWERED:
            return http_response(500, {"message": self.policy.message, "requestId": rid}, inv.trigger)
        raise FunctionError(f"{self.policy.message} (request id {rid})") from None
