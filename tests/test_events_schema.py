"""The shared security-event schema: OCSF shape, one JSON line, secrets masked, round trip."""

from __future__ import annotations

import copy
import json
import pickle
import subprocess
import sys

import pytest

from hullguard.events import Action, FunctionContext, SecurityEvent, Severity
from hullguard.events.redact import mask_secrets


class _Context:
    function_name = "orders-api"
    function_version = "$LATEST"
    aws_request_id = "c6af9ac6-7b61-11e6-9a41-93e812345678"
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:orders-api"


def make_event(evidence: str = "1' UNION SELECT password FROM users--") -> SecurityEvent:
    return SecurityEvent(
        source="firewall",
        rule_id="HG-SQLI-001",
        title="SQL injection",
        severity=Severity.HIGH,
        action=Action.BLOCKED,
        attack="sqli",
        location="queryStringParameters.id",
        evidence=evidence,
        trigger="api-gateway-rest",
        cold_start=True,
        function=FunctionContext.from_lambda_context(_Context()),
        cwe="CWE-89",
    )


def test_event_is_one_ocsf_detection_finding_line() -> None:
    line = make_event().to_json_line()
    assert "\n" not in line
    doc = json.loads(line)
    assert doc["class_uid"] == 2004
    assert doc["severity_id"] == 4
    assert doc["finding_info"]["analytic"]["uid"] == "HG-SQLI-001"
    assert doc["unmapped"]["function"]["request_id"] == "c6af9ac6-7b61-11e6-9a41-93e812345678"
    assert doc["cloud"]["region"] == "eu-west-1"
    assert doc["unmapped"]["location"] == "queryStringParameters.id"


def test_round_trip_keeps_every_field() -> None:
    event = make_event()
    again = SecurityEvent.from_dict(json.loads(event.to_json_line()))
    assert again == event


def test_unknown_schema_version_is_rejected_with_the_reason() -> None:
    doc = make_event().to_dict()
    doc["schema"] = "hullguard.event/99"
    with pytest.raises(ValueError, match="unsupported schema"):
        SecurityEvent.from_dict(doc)


@pytest.mark.parametrize(
    ("text", "must_vanish"),
    [
        ("key AKIAIOSFODNN7EXAMPLE used", "IOSFODNN7EXAMPLE"),
        ('{"password": "hunter2hunter2"}', "hunter2hunter2"),
        ("Authorization: Bearer abcdefghijklmnopqrstuvwxyz0123", "abcdefghijklmnopqrstuvwxyz0123"),
        ("token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sflKxwRJSMeKKF2QT4fwpM", "sflKxwRJSMeKKF2QT4fwpM"),
    ],
)
def test_secrets_in_evidence_are_masked(text: str, must_vanish: str) -> None:
    assert must_vanish not in mask_secrets(text)
    assert must_vanish not in make_event(evidence=text).to_json_line()


def test_plain_payload_is_kept() -> None:
    assert mask_secrets("<script>alert(1)</script>") == "<script>alert(1)</script>"


def test_evidence_is_truncated() -> None:
    event = make_event(evidence="A" * 5000)
    assert len(event.evidence) <= 512
    assert event.evidence.endswith("…")


def test_severity_orders_and_parses() -> None:
    assert Severity.CRITICAL > Severity.HIGH >= Severity.HIGH > Severity.LOW
    assert Severity.parse(" High ") is Severity.HIGH
    with pytest.raises(ValueError, match="unknown severity"):
        Severity.parse("urgent")


def test_events_compare_by_value_and_survive_pickle_and_copy() -> None:
    event = make_event()
    assert event == SecurityEvent.from_dict(event.to_dict())
    assert event != make_event()  # a new event has a new uid
    assert pickle.loads(pickle.dumps(event)) == event
    assert copy.deepcopy(event) == event
    assert repr(event).startswith("SecurityEvent(source='firewall', rule_id='HG-SQLI-001', ")
    with pytest.raises(TypeError):
        hash(event)  # mutable, like the dataclass it replaced


def test_function_context_is_frozen_and_hashable() -> None:
    fn = FunctionContext.from_lambda_context(_Context())
    assert fn == FunctionContext(
        name="orders-api",
        version="$LATEST",
        request_id="c6af9ac6-7b61-11e6-9a41-93e812345678",
        arn="arn:aws:lambda:eu-west-1:123456789012:function:orders-api",
        region="eu-west-1",
    )
    assert {fn: 1}[pickle.loads(pickle.dumps(fn))] == 1
    assert FunctionContext.from_lambda_context(None) == FunctionContext()
    with pytest.raises(AttributeError, match="frozen"):
        fn.name = "other"


def test_importing_the_schema_skips_typing_and_dataclasses() -> None:
    # In a fresh interpreter: both cost milliseconds of every protected function's cold start.
    code = "import sys, hullguard.events; print(sorted({'typing', 'dataclasses', 'json'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
