"""Build and send AWS Config evaluations: ``PutEvaluations`` takes at most 100 per call."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

CHUNK = 100
ANNOTATION_LIMIT = 256
RESOURCE_TYPE = "AWS::Lambda::Function"


@dataclass(frozen=True, slots=True)
class Evaluation:
    resource_id: str
    compliance: str  # COMPLIANT, NON_COMPLIANT, NOT_APPLICABLE, INSUFFICIENT_DATA
    ordering: dt.datetime
    annotation: str = ""
    resource_type: str = RESOURCE_TYPE

    def to_api(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "ComplianceResourceType": self.resource_type,
            "ComplianceResourceId": self.resource_id,
            "ComplianceType": self.compliance,
            "OrderingTimestamp": self.ordering,
        }
        if self.annotation:
            text = self.annotation
            out["Annotation"] = text if len(text) <= ANNOTATION_LIMIT else text[: ANNOTATION_LIMIT - 3] + "..."
        return out


def put_evaluations(client: Any, evaluations: list[Evaluation], result_token: str) -> int:
    """Send ``evaluations`` in chunks of 100 with the event's result token; returns the number of calls.

    The token ``TESTMODE`` (what the Config console's test sends) is passed with ``TestMode=True``.
    """
    calls = 0
    test_mode = result_token == "TESTMODE"  # noqa: S105 - the documented test token, not a secret
    for start in range(0, len(evaluations), CHUNK):
        chunk = [e.to_api() for e in evaluations[start : start + CHUNK]]
        answer = client.put_evaluations(Evaluations=chunk, ResultToken=result_token, TestMode=test_mode)
        calls += 1
        failed = answer.get("FailedEvaluations") or []
        if failed:
            # Config rejected some: retry them once, then give up loudly (the rule shows as failed).
            retry = client.put_evaluations(Evaluations=failed, ResultToken=result_token, TestMode=test_mode)
            calls += 1
            if retry.get("FailedEvaluations"):
                raise RuntimeError(f"AWS Config refused {len(retry['FailedEvaluations'])} evaluations")
    return calls


def parse_time(text: str | None) -> dt.datetime:
    if not text:
        return dt.datetime.now(dt.timezone.utc)
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
