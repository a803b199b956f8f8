"""SSRF detector: metadata in every encoding, runtime API, loopback/private, schemes, public URLs pass."""

from __future__ import annotations

import ipaddress
import random
import re

import pytest
from family_cases import corpus_lines, family_suite, handwritten

from hullguard.firewall import Firewall
from hullguard.firewall.addresses import public_ipv4
from hullguard.firewall.detectors import ssrf, ssrf_hosts
from hullguard.firewall.detectors.base import ScanContext
from hullguard.firewall.detectors.ssrf_hosts import classify_host, parse_ipv4_loose

CTX = ScanContext()


@pytest.mark.parametrize(
    ("payload", "rule_id"),
    [
        ("http://169.254.169.254/latest/meta-data/", "HG-SSRF-001"),
        ("http://2852039166/", "HG-SSRF-001"),
        ("http://0xA9FEA9FE/", "HG-SSRF-001"),
        ("http://0251.0376.0251.0376/", "HG-SSRF-001"),
        ("http://[::ffff:169.254.169.254]/", "HG-SSRF-001"),
        ("http://[fd00:ec2::254]/", "HG-SSRF-001"),
        ("http://169.254.170.2/v2/credentials/abc", "HG-SSRF-001"),
        ("http://metadata.google.internal/computeMetadata/v1/", "HG-SSRF-001"),
        ("http://169.254.169.254.nip.io/", "HG-SSRF-001"),
        ("http://shop-a9fea9fe.nip.io/latest/", "HG-SSRF-001"),  # nip.io's name-dash-hex spelling
        ("http://otherapp-7f000001.sslip.io/", "HG-SSRF-003"),
        ("https://attacker.example@169.254.169.254/", "HG-SSRF-001"),
        ("http://127.0.0.1:9001/2018-06-01/runtime/invocation/next", "HG-SSRF-002"),
        ("localhost:9001", "HG-SSRF-002"),
        ("127.0.0.1:+09001", "HG-SSRF-002"),  # lenient port parsers drop the sign and leading zeros
        ("http://localhost:0009001x/2018-06-01/runtime/invocation/next", "HG-SSRF-002"),
        ("localhost:+6379abc", "HG-SSRF-003"),  # ... and trailing letters
        ("http://localhost:06379zz/", "HG-SSRF-003"),
        ("http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/next", "HG-SSRF-002"),
        ("http://127.1:6379/", "HG-SSRF-003"),
        ("http://[::]/", "HG-SSRF-003"),
        ("http://localtest.me/", "HG-SSRF-003"),
        ("http://10.1.2.3/", "HG-SSRF-004"),
        ("http://[fc00::5]/", "HG-SSRF-004"),
        ("file:///etc/passwd", "HG-SSRF-005"),
        ("gopher://10.0.0.1:6379/_INFO", "HG-SSRF-005"),
        ("jar:http://attacker.example/x.jar!/", "HG-SSRF-005"),
        ("/latest/meta-data/iam/security-credentials/", "HG-SSRF-006"),
    ],
)
def test_rules_fire_on_real_payloads(payload: str, rule_id: str) -> None:
    found = ssrf.scan(payload, CTX)
    assert found is not None and found.rule_id == rule_id, found


@pytest.mark.parametrize(
    ("spelling", "address"),
    [
        ("2852039166", "169.254.169.254"),
        ("0xa9fea9fe", "169.254.169.254"),
        ("0251.0376.0251.0376", "169.254.169.254"),
        ("169.254.43518", "169.254.169.254"),
        ("169.16689662", "169.254.169.254"),
        ("0xa9.0376.43518", "169.254.169.254"),
        ("127.1", "127.0.0.1"),
        ("0", "0.0.0.0"),
    ],
)
def test_ipv4_parsing_follows_inet_aton(spelling: str, address: str) -> None:
    assert parse_ipv4_loose(spelling) == ipaddress.IPv4Address(address)


@pytest.mark.parametrize("host", ["example.com", "8.8.8.8", "256.1.1.1", "1.2.3.4.5", "0x1g", "github.com"])
def test_public_or_invalid_hosts_are_not_internal(host: str) -> None:
    assert classify_host(host) is None


def test_bare_private_address_needs_a_port_at_default_paranoia() -> None:
    assert ssrf.scan("10.0.0.5", CTX) is None
    assert ssrf.scan("10.0.0.5:8080", CTX) is not None
    assert ssrf.scan("10.0.0.5", ScanContext(paranoia=2)) is not None


def test_public_urls_pass() -> None:
    assert ssrf.scan("https://www.example.com/path?next=https://shop.example.org/cart", CTX) is None
    assert ssrf.scan("http://my-deadbeef.nip.io/", CTX) is None  # a public address in nip.io's spelling


@pytest.mark.parametrize(
    "value",
    [
        "HTTP:80/png",  # an ELB health-check target; a URL parser reads host 80, that is 0.0.0.80
        "http://0.0.0.80/x",  # 0.0.0.0/8 but 0.0.0.0 itself is no destination a connection can reach
        "file://mappingfile.json",  # the AWS CLI's local file argument, as AWS's own API examples show it
    ],
)
def test_values_from_aws_api_examples_pass(value: str) -> None:
    assert ssrf.scan(value, CTX) is None


@pytest.mark.parametrize(
    ("value", "rule_id"),
    [
        ("http://0.0.0.0:8080/", "HG-SSRF-003"),
        ("http://0/", "HG-SSRF-003"),
        ("file:///etc/passwd", "HG-SSRF-005"),
        ("file://localhost/etc/passwd", "HG-SSRF-005"),
        ("file:///.env", "HG-SSRF-005"),
        ("file:\\\\x.json", "HG-SSRF-005"),
    ],
)
def test_the_unspecified_address_and_file_urls_with_a_path_are_still_reported(value: str, rule_id: str) -> None:
    found = ssrf.scan(value, CTX)
    assert found is not None and found.rule_id == rule_id, found


(
    test_corpus_and_handwritten_detection_rate,
    test_handwritten_benign_values_pass,
    test_benign_query_strings_false_positive_rate,
    test_prefilter_is_a_necessary_condition,
    test_adversarial_inputs_complete,
    test_rule_catalogue_is_complete,
) = family_suite(ssrf, "ssrf", ["http://", "http://a@", "@", "://[", "0x", "1.", "169.254.169.254 ", "//"])


_PREFILTER = re.compile(ssrf.PREFILTER, re.IGNORECASE)


@pytest.mark.parametrize("value", ["14.99", "0.99", " 7.99 ", "1.2", "2.7182", "10.5"])
def test_prices_and_short_decimals_skip_the_detector(value: str) -> None:
    assert _PREFILTER.search(value) is None


@pytest.mark.parametrize(
    "value",
    [
        "1660135789",  # a Unix time in seconds: 98.243.x.x, public
        "1928452298.1660559277",  # an analytics client id: a first part past 255 is no address
        "285553813.1660654429",
        "0.649963",  # a decimal: 0.B is in 0.0.0.0/8, never a metadata address
    ],
)
def test_timestamps_analytics_ids_and_decimals_skip_the_detector(value: str) -> None:
    assert _PREFILTER.search(value) is None
    assert ssrf.scan_unfiltered(value, ScanContext(paranoia=3)) is None


@pytest.mark.parametrize(
    "value",
    [
        "169.16689662", "169.254.43518", "0251.0376.0251.0376", "10.0.0.1:80", "2852039166.", "169.0xfe", "10.9:80",
        "2852039166", "3221225664", "1684301000",  # 169.254.169.254, 192.0.0.192, 100.100.100.200 as numbers
        "0251.16689662", "1660135789:80",
    ],
)
def test_digit_led_host_spellings_still_reach_the_detector(value: str) -> None:
    assert _PREFILTER.search(value) is not None


@pytest.mark.parametrize(
    "value",
    [
        "6.0.1", "1.13.0", "6.3.5.191015", "2022.09.08",  # versions and dates: a public first octet
        "40.39999997615814", "4.481107879249122",  # decimals: a public first octet, or none at all
        "16:9", "12:35", "1366:768",  # a ratio, a time, a size: a host and port, but no metadata number
        "2022080901", "3046519820",  # ids: 10 digits outside the metadata addresses
    ],
)
def test_numbers_with_a_public_first_octet_skip_the_detector(value: str) -> None:
    assert _PREFILTER.search(value) is None
    assert ssrf.scan_unfiltered(value, ScanContext(paranoia=3)) is None


def test_scan_unfiltered_flags_nothing_the_prefilter_misses() -> None:
    """``scan`` checks the PREFILTER first, so only ``scan_unfiltered`` shows it is a necessary condition:
    corpus lines, hand-written values and seeded mixes of digit-led host spellings."""
    texts = [line for _, line in corpus_lines("ssrf")] + handwritten("ssrf", "attacks") + handwritten("ssrf", "benign")
    rng = random.Random(918)
    pieces = ["1", "9", "0", "00", "169", "254", "16689662", "43518", "0x", "a9", "fe", ".", ".", ":", "80", "9001"]
    pieces += [" ", "2852039166", "1684301000", "3221225664", "1660135789", "1928452298", "0251"]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 9))) for _ in range(20_000)]
    for text in texts:
        for ctx in (CTX, ScanContext(is_key=True, paranoia=3)):
            if ssrf.scan_unfiltered(text, ctx) is not None:
                assert _PREFILTER.search(text), text


def test_a_simple_url_is_judged_by_its_one_host_exactly_as_the_general_url_scan() -> None:
    """``_scan_simple_url`` (an Origin, a Referer) answers as ``_scan_urls`` would, on random URLs."""
    module = ssrf
    none = frozenset[str]()
    assert module._scan_simple_url("https://aws.amazon.com/x?y=1", none) is None
    metadata = module._scan_simple_url("http://169.254.169.254/latest/", none)
    assert metadata is not None and metadata.rule_id == "HG-SSRF-001"
    assert module._scan_simple_url("https://https:169", none) is module._NOT_SIMPLE  # a second URL start inside
    parts = ["http", "https", "://", ":", "/", "a", "com", ".", "-", "169", "254", "127", "0", "1", "localhost",
             "metadata", "internal", "@", "\\", "?", "#", "9001", "lvh", "me", "nip", "io", "a9fea9fe", "s", "tp",
             "%", "%40", "%2f", "%3a", "%5c", "%23"]
    rng = random.Random(17)
    compared = 0
    for _ in range(20000):
        low = rng.choice(["http://", "https://"]) + "".join(rng.choice(parts) for _ in range(rng.randint(1, 8)))
        skips = rng.choice([none, module._PAGE_ORIGIN_SKIPS])
        simple = module._scan_simple_url(low, skips)
        if simple is module._NOT_SIMPLE:
            continue
        compared += 1
        general = module._scan_urls(low, skips)
        assert (simple is None) == (general is None), low
        if simple is not None and general is not None:
            assert (simple.rule_id, simple.detail, simple.start) == (general.rule_id, general.detail, general.start)
    assert compared > 1000


def test_a_simple_url_needs_no_bare_host_or_protocol_relative_reading() -> None:
    """After a value read as one simple URL, ``scan_unfiltered`` skips the bare-host and the
    protocol-relative readings: on random simple URLs neither finds anything (the value starts with
    "http" and holds "://"), and what the URL spells past its host is still looked for."""
    parts = ["a", "com", ".", "-", "/", "?", "=", "#", "localhost", "127", "0", "1", "169", "254", "9001",
             "internal", "oast", "fun", "pro", "nip", "io", "latest", "meta-data", "%2f", "_", "~", ":"]
    rng = random.Random(29)
    simple = 0
    for _ in range(20000):
        low = rng.choice(["http://", "https://"]) + "".join(rng.choice(parts) for _ in range(rng.randint(1, 8)))
        if ssrf._scan_simple_url(low, frozenset()) is ssrf._NOT_SIMPLE:
            continue
        simple += 1
        for ctx in (CTX, ScanContext(paranoia=2)):
            assert ssrf._scan_bare_value(low, ctx, frozenset()) is None, low
        assert not low.startswith("//")
    assert simple > 1000
    for value, rule_id in [
        ("https://shop.example.com/latest/meta-data/iam/", "HG-SSRF-006"),
        ("https://shop.example.com/p/169.254.169.254", "HG-SSRF-001"),
        ("https://shop.example.com/2018-06-01/runtime/invocation/next", "HG-SSRF-002"),
        ("https://shop.example.com/q1w2e3.oast.fun", "HG-SSRF-007"),
    ]:
        found = ssrf.scan(value, CTX)
        assert found is not None and found.rule_id == rule_id, (value, found)


def test_verdicts_on_url_hosts_are_remembered_within_a_bound() -> None:
    """``classify_host`` remembers its verdicts on hosts of URLs (its defaults): the same answer as
    working it out again, for at most ``_URL_HOSTS_SIZE`` hosts at a time; the stricter readings of
    bare values are not remembered (an id's digits are new each time)."""
    hosts = ["shop.example.com", "169.254.169.254", "0xa9fea9fe", "localhost", "x.oast.fun", "10.0.0.1",
             "metadata.google.internal", "app-7f000001.nip.io", "2852039166", "１２７.0.0.1", "a" * 70]
    ssrf_hosts._URL_HOSTS.clear()
    for host in hosts * 2:
        assert classify_host(host) == ssrf_hosts._classify(host, True, False), host
    assert set(ssrf_hosts._URL_HOSTS) == set(hosts)
    assert classify_host("2852039166", lenient=False, metadata_only=True) is not None
    assert classify_host("127.0.0.2", lenient=False) is not None
    assert "127.0.0.2" not in ssrf_hosts._URL_HOSTS
    for i in range(3 * ssrf_hosts._URL_HOSTS_SIZE):
        classify_host(f"h{i}.example.com")
        assert len(ssrf_hosts._URL_HOSTS) <= ssrf_hosts._URL_HOSTS_SIZE
    assert classify_host("169.254.169.254") is not None


def test_only_hosts_starting_like_an_address_reach_the_ip_parsers() -> None:
    """``classify_host`` runs ``parse_ip`` only on a host that starts with a digit or "[" or holds a
    ":", and ``_wrapped_ipv4`` only on one that starts with a digit; they must find no address in
    any other host (random hosts of letters, digits, hex prefixes, dots, brackets, "%" and non-ASCII
    digits and letters), while such shapes starting with a digit still parse."""
    pieces = ["a", "f", "x", "0x", "1", "127", "0", ".", "[", "]", "%", "-", "localhost", "é", "ｅ", "١", "example"]
    rng = random.Random(43)
    for _ in range(20000):
        host = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 6)))
        if not host[0].isdigit():
            assert ssrf_hosts._wrapped_ipv4(host) is None, host
            if host[0] != "[" and ":" not in host:
                assert ssrf_hosts.parse_ip(host) is None, host
    assert ssrf_hosts.parse_ip("[::]") is not None and classify_host("[::]") is not None
    assert ssrf_hosts.parse_ip("[127.0.0.1]") is not None
    assert ssrf_hosts._wrapped_ipv4("0xa9fea9fe") is not None and ssrf_hosts._wrapped_ipv4("7147006462") is not None


def test_the_public_address_shortcut_never_hides_an_internal_address() -> None:
    # Every /16 (with the edge and a random host part), against the classification by ipaddress's
    # ranges; ``classify_ip`` itself takes the same shortcut (``public_prefix``) before them.
    rng = random.Random(7)
    for a in range(256):
        for b in range(256):
            for c, d in ((0, 0), (255, 255), (rng.randrange(256), rng.randrange(256))):
                host = f"{a}.{b}.{c}.{d}"
                exact = ssrf_hosts._classify_exactly(ipaddress.IPv4Address(host))
                if public_ipv4(host):
                    assert exact is None, host
                assert ssrf_hosts.classify_ip(ipaddress.IPv4Address(host)) == exact, host


def test_metadata_only_answers_metadata_exactly_where_the_full_classification_does() -> None:
    """A bare value that is not a canonical address counts only as a metadata address, so the detector
    asks ``classify_host(..., metadata_only=True)``, which skips the loopback and private ranges. It
    must say METADATA for exactly the hosts the full classification says it for (every inet_aton
    spelling: one to five parts, decimal, octal and hex, link-local and the known metadata addresses
    among them), and ``is_metadata``'s arithmetic must agree with the address sets and network."""
    rng = random.Random(29)
    targets = ["169.254.169.254", "169.254.170.2", "100.100.100.200", "192.0.0.192", "169.254.0.1", "10.0.0.1",
               "127.0.0.1", "0.0.0.16", "100.64.0.1", "8.8.8.8", "172.16.5.4"]
    numbers = [int(ipaddress.IPv4Address(t)) for t in targets] + [rng.getrandbits(32) for _ in range(3000)]
    numbers += [(0xA9FE << 16) | rng.getrandbits(16) for _ in range(300)]
    hosts: list[str] = []
    for number in numbers:
        a, b, c, d = number.to_bytes(4, "big")
        hosts += [str(number), hex(number), f"{a}.{b}.{c * 256 + d}", f"{a}.{b * 65536 + c * 256 + d}",
                  f"0{a:o}.0{b:o}.{c}.{d}", f"{a}.{b}.{c}.{d}.{rng.randrange(10)}", f"{a}.{b}.{c}.{d}"]
    hosts += ["16", "0", "1.0.0.363441508202243809", "6.3.5.191015", "6.8.2", "0x", "127.1", "x.1"]
    found = 0
    for host in hosts:
        full = classify_host(host, lenient=False)
        only = classify_host(host, lenient=False, metadata_only=True)
        full_metadata = full is not None and full.category == ssrf_hosts.METADATA
        assert (only is not None and only.category == ssrf_hosts.METADATA) == full_metadata, host
        if full_metadata:
            assert only is not None and (only.detail, only.obfuscated) == (full.detail, full.obfuscated), host
            found += 1
    assert found > 1000
    for number in numbers:
        address = ipaddress.IPv4Address(number)
        expected = address in ssrf_hosts._METADATA_V4 or address in ssrf_hosts._LINK_LOCAL_V4
        assert ssrf_hosts.is_metadata(address) == expected, address


@pytest.mark.parametrize("value", ["16:9", "4:3", "10.0.8:443", "6.3.5.191015", "0.0.0.16"])
def test_ratios_and_versions_that_parse_as_internal_addresses_are_not_reported(value: str) -> None:
    # "16:9" reads as host 0.0.0.16 ("this network") and port 9; "10.0.8:443" as 10.0.0.8: private,
    # but not written as a full address, so a bare value of that kind is data.
    assert ssrf.scan(value, CTX) is None
    assert ssrf.scan("0xa9fea9fe", CTX) is not None and ssrf.scan("2852039166:80", CTX) is not None


@pytest.mark.parametrize("host", ["72.12.164.125", "8.8.8.8", "130.176.0.1"])
def test_a_public_client_address_is_decided_by_the_shortcut(host: str) -> None:
    assert public_ipv4(host) and classify_host(host) is None


@pytest.mark.parametrize(
    "host", ["169.254.169.254", "010.0.0.1", "127.000.0.1", "100.100.100.200", "1.2.3", "1.2.3.256"]
)
def test_other_spellings_and_internal_addresses_take_the_exact_path(host: str) -> None:
    assert not public_ipv4(host)


def _in_header(name: str, value: str, paranoia: int = 1) -> list[str]:
    event = {"resource": "/", "path": "/", "httpMethod": "GET", "headers": {name: value},
             "requestContext": {"requestId": "r"}}
    return [f.rule_id for f in Firewall(policy={"paranoia": paranoia}).inspect(event).findings]


@pytest.mark.parametrize(
    ("name", "value"),
    [("Origin", "http://localhost:3000"), ("Referer", "http://localhost:3000/cart"),
     ("Origin", "http://127.0.0.1:5173"), ("Origin", "http://10.0.0.5:8080"), ("Host", "127.0.0.1:3000")],
)
def test_a_page_on_a_loopback_or_private_host_is_its_own_origin_not_a_target(name: str, value: str) -> None:
    # A front end on a developer's machine calling a deployed stage, `sam local`, an intranet page.
    assert _in_header(name, value) == []
    assert _in_header(name, value, paranoia=2) != []  # the strict level reports them
    assert _in_header("X-Callback", value) != []  # in any other header they are SSRF targets


@pytest.mark.parametrize(
    ("name", "value", "rule"),
    [("Origin", "http://169.254.169.254", "HG-SSRF-001"), ("Host", "169.254.169.254", "HG-SSRF-001"),
     ("Referer", "http://localhost/?u=http://169.254.169.254/", "HG-SSRF-001"),
     ("Referer", "http://127.0.0.1:9001/2018-06-01/runtime/invocation/next", "HG-SSRF-002"),
     ("Referer", "gopher://127.0.0.1:6379/_INFO", "HG-SSRF-005")],
)
def test_metadata_runtime_and_dangerous_schemes_are_reported_in_page_origin_headers(
    name: str, value: str, rule: str
) -> None:
    assert rule in _in_header(name, value)


def test_a_client_address_list_is_public_only_when_every_address_is() -> None:
    from hullguard.firewall.addresses import public_ipv4_list

    assert public_ipv4_list("72.12.164.125") and public_ipv4_list("203.1.113.10, 130.176.0.1")
    assert not public_ipv4_list("130.176.0.1, 10.0.0.7") and not public_ipv4_list("169.254.169.254")
    assert not public_ipv4_list("") and not public_ipv4_list("1.2.3.4,")


def test_a_forwarded_list_the_shape_lets_pass_holds_nothing_ssrf_reports() -> None:
    """``X-Forwarded-For`` values the header shape decides alone (``header_shapes._no_ssrf_target``)
    are exactly as clean as the SSRF detector would find them, at every paranoia level."""
    from hullguard.firewall.header_shapes import shape

    xff = shape("x-forwarded-for")
    assert xff is not None and xff.carries_nothing is not None
    rng = random.Random(31)
    addresses = [
        "203.0.113.10", "130.176.0.1", "10.0.4.2", "127.0.0.1", "192.168.1.20", "169.254.169.254",
        "169.254.170.2", "100.100.100.200", "192.0.0.192", "0.0.0.0", "72.12.164.125", "::1", "fe80::1",
        "fd00:ec2::254", "FD00:EC2::254", "2001:db8::7", "::ffff:169.254.169.254", "100.64.0.1",
    ]
    decided = 0
    for _ in range(3000):
        value = (", " if rng.random() < 0.8 else ",").join(rng.choice(addresses) for _ in range(rng.randint(1, 4)))
        if xff.pattern.fullmatch(value) is None or not xff.carries_nothing(value):
            continue
        decided += 1
        for paranoia in (1, 2, 3):
            ctx = ScanContext(paranoia=paranoia, location="headers.x-forwarded-for")
            assert ssrf.scan_unfiltered(value, ctx) is None, (value, paranoia)
    assert decided > 500
    assert xff.carries_nothing("203.0.113.10, 130.176.0.1") and not xff.carries_nothing("10.0.4.2")
    assert not xff.carries_nothing("10.0.4.2, 169.254.169.254") and not xff.carries_nothing("::1, fd00:ec2::254")


@pytest.mark.parametrize(
    ("value", "rule_id"),
    [
        ("metadata.google.internal", "HG-SSRF-001"),
        ("instance-data.ec2.internal:80", "HG-SSRF-001"),
        ("a9fea9fe.nip.io", "HG-SSRF-001"),  # 8 hex digits: 169.254.169.254
        ("127.0.0.1.nip.io", "HG-SSRF-003"),
        ("app.lvh.me:3000", "HG-SSRF-003"),
        ("localh.st", "HG-SSRF-003"),
    ],
)
def test_a_bare_name_that_only_reaches_metadata_or_loopback_is_reported(value: str, rule_id: str) -> None:
    found = ssrf.scan(value, CTX)
    assert found is not None and found.rule_id == rule_id, found


def test_a_bare_name_in_enclosed_letters_is_read_as_the_name_it_normalises_to() -> None:
    enclosed = "\u24db\u24de\u24b8\u24b6\u24db\u24e3\u24ba\u24e2\u24e3.\u24dc\u24ba"  # localtest.me
    event = {"resource": "/", "path": "/", "httpMethod": "GET", "queryStringParameters": {"host": enclosed}}
    rules = {finding.rule_id for finding in Firewall().inspect(event).findings}
    assert rules == {"HG-SSRF-003"}, rules


@pytest.mark.parametrize("value", ["metadata", "printer.local", "ip-10-0-1-23.ec2.internal", "foo.example.com"])
def test_a_bare_internal_or_public_name_is_data_at_default_paranoia(value: str) -> None:
    """A one-word "metadata" is a field name; an internal host name (EC2's private DNS names among them) is
    what an operations tool's host field holds, like a bare private address."""
    assert ssrf.scan(value, CTX) is None


def test_a_bare_internal_name_with_a_port_is_still_a_target() -> None:
    found = ssrf.scan("localhost.localdomain:6379", CTX)
    assert found is not None and found.rule_id == "HG-SSRF-003", found


@pytest.mark.parametrize(
    "value",
    [
        "x1y2z3.oastify.com",
        "http://abcdef.burpcollaborator.net/",
        "https://c0ffee.oast.pro/x",
        "nslookup q1w2e3.interact.sh",  # a name anywhere in the text, not only as a URL's host
        "<img src=//k9.dnslog.cn/a>",
        "http://abcd.rbndr.us/",  # a rebinding name whose two addresses are not spelled in hex
        "https://xyz.302.r3dir.me/?u=x",
        "ftp://a.ceye.io/",
    ],
)
def test_hosts_of_out_of_band_and_rebinding_services_are_probes(value: str) -> None:
    found = ssrf.scan(value, CTX)
    assert found is not None and found.rule_id == "HG-SSRF-007", found


@pytest.mark.parametrize(
    "value", ["oastify.com", "read the interact.sh docs", "https://webhook.site/2f1c", "x.oast.pro.example.com"]
)
def test_a_probe_zone_named_without_a_host_under_it_is_not_a_probe(value: str) -> None:
    assert ssrf.scan(value, CTX) is None


def test_every_zone_the_detector_knows_reaches_it_through_the_prefilter() -> None:
    """A bare name under a loopback, wildcard-DNS or probe zone is reported only if the prefilter (and so
    the engine's gate) lets it through: a zone added to ``ssrf_hosts`` alone would be found by nothing."""
    zones = [*ssrf_hosts._LOOPBACK_ZONES, *ssrf_hosts.PROBE_ZONES, "nip.io", "xip.io", "sslip.io"]
    for zone in zones:
        name = f"7f000001.{zone}" if zone != "localhost" else "app.localhost:8080"
        assert _PREFILTER.search(name), zone
        assert ssrf.scan(name, CTX) is not None, zone


def test_a_scheme_confused_by_a_semicolon_is_read_up_to_it() -> None:
    found = ssrf.scan("0://127.0.0.1:80;http://example.com:80/", CTX)
    assert found is not None and found.rule_id == "HG-SSRF-003", found


def test_a_bare_name_under_localhost_waits_for_a_port_a_url_or_paranoia_two() -> None:
    """Azure DSC names a node "SetupServer.localhost"; only a resolver that special-cases the zone maps it
    to loopback, so alone it is a name in a host field, as a bare private address is."""
    assert ssrf.scan("SetupServer.localhost", CTX) is None
    assert ssrf.scan("SetupServer.localhost", ScanContext(paranoia=2)) is not None
    assert ssrf.scan("http://app.localhost/admin", CTX) is not None


# Each one made a real client (Node's http.get, fetch, axios, requests, httpx, aiohttp or curl) connect to
# the address, in a network namespace of its own where the address was bound.
@pytest.mark.parametrize(
    ("value", "rule_id"),
    [
        ("http://allowed.example @2852039166/", "HG-SSRF-001"),  # a blank in the userinfo
        ("http://allowed.example @localhost/admin", "HG-SSRF-003"),
        ("http://16\t9.254.169.254/", "HG-SSRF-001"),  # WHATWG parsers drop tabs and line breaks
        ("http://12\n7.0.0.1:9001/", "HG-SSRF-002"),
        ("ht\ttp://10.1/admin", "HG-SSRF-004"),
        ("http:localhost:9001/", "HG-SSRF-002"),  # no slashes: fetch and http.get still read the host
        ("2852039166/", "HG-SSRF-001"),  # no scheme: curl assumes http://
        ("0xa9fea9fe/latest", "HG-SSRF-001"),
        ("127.0.0.1:9001/", "HG-SSRF-002"),
    ],
)
def test_urls_that_real_clients_fetched(value: str, rule_id: str) -> None:
    found = ssrf.scan(value, CTX)
    assert found is not None and found.rule_id == rule_id, (value, found)


@pytest.mark.parametrize(
    "value",
    [
        "10.0.0.0/8",  # a network, no host to fetch
        "192.168.1.0/24",
        "1700000000/",
        "169.254.0.0/16",  # a network in a firewall rule
        "mail http://example.com @john",  # the word after the blank names no internal host
        "http://example.com/a\nhttp://example.org/b",
    ],
)
def test_values_near_those_urls_are_data(value: str) -> None:
    assert ssrf.scan(value, CTX) is None


@pytest.mark.parametrize("host", ["⓿", "❶", "⓿.0.0.1", "⑴27.0.0.1", "١٢٧.٠.٠.١", "1⓿"])
def test_hosts_of_digits_no_parser_reads_as_an_address_never_raise(host: str) -> None:
    # A coverage-guided fuzz found "⓿" raising in the wrapped-address reading: str.isdigit() says yes
    # to circled digits, int() says no. No URL parser reads such digits (or Arabic-Indic ones, which
    # int() would take) as an address.
    assert classify_host(host) is None


def test_a_host_of_odd_digits_does_not_hide_a_metadata_url_after_it() -> None:
    found = ssrf.scan_unfiltered("http://⓿/ and http://169.254.169.254/latest/meta-data/", ScanContext())
    assert found is not None and found.rule_id == "HG-SSRF-001"
