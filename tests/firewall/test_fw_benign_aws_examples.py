"""False positives on real AWS API payloads: the example requests and responses botocore ships with its
service models (``examples-1.json``: EC2 descriptions, S3 keys, ELB health-check targets, IAM policies,
DMS table mappings...), each sent as the JSON body of an HTTP API request, as a function that fronts or
relays AWS calls would receive them. None of them is an attack.

The one finding allowed for now is the raw MIME message in SES ``SendRawEmail``'s ``RawMessage.Data``: a
header block in a value is what the CRLF family reports (a function relaying raw mail allows that field).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from hullguard.firewall import Firewall

botocore = pytest.importorskip("botocore")  # the iam and cloud extras install it; the Lambda install does not

MAX_FLAGGED_SHARE = 0.002  # 1 of the 2,718 payloads of botocore 1.44 is flagged (the raw MIME message)


def _example_payloads() -> list[tuple[str, Any]]:
    payloads: list[tuple[str, Any]] = []
    data = Path(botocore.__file__).parent / "data"
    for path in sorted(data.glob("*/*/examples-1.json*")):
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        for operation, examples in json.loads(raw).get("examples", {}).items():
            for example in examples:
                for part in ("input", "output"):
                    if example.get(part):
                        payloads.append((f"{path.parts[-3]} {operation} {part}", example[part]))
    return payloads


def _as_request(payload: Any) -> dict[str, Any]:
    return {
        "version": "2.0",
        "routeKey": "POST /proxy",
        "rawPath": "/proxy",
        "requestContext": {"http": {"method": "POST"}},
        "headers": {"content-type": "application/json"},
        "body": json.dumps(payload),
        "isBase64Encoded": False,
    }


def test_aws_api_example_payloads_are_not_attacks() -> None:
    payloads = _example_payloads()
    assert len(payloads) > 1000, "botocore's examples were not found"
    firewall = Firewall()
    flagged = []
    for name, payload in payloads:
        verdict = firewall.inspect(_as_request(payload))
        assert not verdict.error, (name, verdict.error)
        flagged.extend(f"{name}: {f.rule_id} at {f.location}: {f.evidence[:60]!r}" for f in verdict.findings)
    assert len(flagged) <= MAX_FLAGGED_SHARE * len(payloads), "\n".join(flagged)
