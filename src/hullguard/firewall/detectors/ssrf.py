"""Server-side request forgery detector.

Finds every URL in the string (``scheme:`` followed by a slash, ``jar:``/``netdoc:``, or a value that
is only a host[:port]), takes its authority apart the way HTTP clients disagree about it (userinfo
``@`` tricks, fragments before ``@``, backslashes), and classifies each candidate host with
``ssrf_hosts``: cloud metadata (169.254.169.254 in every numeric spelling, fd00:ec2::254, ECS
169.254.170.2, metadata.google.internal), the Lambda Runtime API (127.0.0.1:9001), loopback, private
ranges, and names that resolve to them. Dangerous schemes (file, gopher, dict, ldap, jar, netdoc)
are findings on their own, and so are hosts of the services scanners use to detect a blind request
(out-of-band interaction, DNS rebinding, redirect testing). URLs to other public hosts pass.
"""

from __future__ import annotations

import re

from hullguard.events.schema import Severity
from hullguard.firewall.detectors.base import Detection, RuleInfo, ScanContext
from hullguard.firewall.detectors.ssrf_hosts import (
    LOOPBACK,
    METADATA,
    PRIVATE,
    PROBE,
    PROBE_ZONES,
    HostVerdict,
    classify_host,
)
from hullguard.firewall.header_shapes import PREFIXES as HEADER_PREFIXES

FAMILY = "ssrf"
# The decimal first parts of a dotted address that may be a reportable one (see PREFILTER).
_REPORTABLE_OCTET = r"1(?:0|00|27|69|72|92|98)|203|22[4-9]|2[3-4]\d|25[0-5]"
# Necessary condition, led by rare characters so the engine rejects ordinary text in a few ns per
# character: a scheme separator (":/", "jar:", "netdoc:", "fd00:"), a metadata address, a runtime
# variable, a metadata or runtime path, or a value that starts like a bare host.
PREFILTER = (
    r":[/\\]|[rc0]:|[ps]:(?:[\d\[]|localhost)|169\.254|_(?:lambda_runtime|container_cred|container_auth)"
    r"|/(?:latest|runtime|20\d\d-|computemetadata|metadata/|opc/|v2/cred|openstack/)"
    # A value starting with digits is a bare host the detector can flag only with a port, an IPv6 colon,
    # more dots, octal/hex parts or a long last part: "14.99" (A.0.0.B with B < 10000, never metadata
    # or link-local, one dot so not canonical) is left out, so prices and versions skip the detector.
    # A dotted value's first part is its address's first octet (a part past 255 before the last makes
    # it no address at all), so one whose first part is decimal and outside every reportable range
    # (``addresses.public_prefix``: 0, 10, 100, 127, 169, 172, 192, 198, 203, 224 and up) is a public
    # address or none: versions ("6.0.1", "1.13.0") and decimals ("40.39999997615814") skip it; an octal
    # first part ("0177.1") may be any octet. A long last part counts after an octal first part or a
    # reportable one only: 0.B is in 0.0.0.0/8, so decimals ("0.649963") skip it too.
    # A bare 10-digit number is reported only as a metadata address (169.254.0.0/16 is 2851995648 to
    # 2852061183, 192.0.0.192 is 3221225664, 100.100.100.200 is 1684300999), so Unix times in seconds and
    # other ids skip it; a path or trailing dots (the DNS root) may follow it, as curl reads "2852039166/"
    # as a URL. So is a number before a colon (a host and a port): "16:9" and "12:30" skip it; an IPv6
    # address has two colons.
    # (Spelled without lookaheads, "not a 1-4 digit part then a non-word end", so that the set
    # gate's RE2 translation is as exact as this pattern.)
    r"|\A\s{0,4}(?:\[|0x|//|\d{1,4}:[0-9a-f]{0,4}:|\d{9,10}\.*:"
    r"|(?:0\d{0,9}|" + _REPORTABLE_OCTET + r")\.(?:[^1-9]|\Z|[1-9]\d{0,3}[^\W\d]|[1-9]\d{0,3}[.:])"
    r"|(?:0\d{1,9}|" + _REPORTABLE_OCTET + r")\.[1-9]\d{4}|(?:285[12]\d{6}|3221225664|168\d{7})\.*(?:\s{0,4}\Z|/)"
    r"|localhost|metadata|instance-data)"
    # Zones named anywhere: a bare name under one ("127.0.0.1.nip.io", "x.oastify.com") is a host too. The
    # zones whose own name resolves to loopback are spelled whole; the others only count with a label in
    # front, so their words are looked for after a dot only.
    r"|localtest\.me|lvh\.me|vcap\.me|lacolhost\.com|fuf\.me|yoogle\.com|localh\.st"
    r"|\.(?:localhost|(?:nip|xip|sslip)\.io|burpcollaborator|oastify|interactsh|interact\.sh|oast\.|dnslog\.cn"
    r"|ceye\.io|rbndr\.us|1u\.ms|r3dir\.me|traefik\.me|nip\.direct)"
)
_PREFILTER = re.compile(PREFILTER, re.IGNORECASE)

_REMEDIATION = (
    "Fetch only allow-listed hosts, resolve the name and re-check the address before connecting, block "
    "link-local/loopback/private ranges and non-HTTP schemes, and require IMDSv2 on any EC2/ECS host."
)


def _rule(num: int, title: str, severity: Severity, description: str, paranoia: int = 1) -> RuleInfo:
    return RuleInfo(f"HG-SSRF-{num:03d}", FAMILY, title, severity, "CWE-918", description, _REMEDIATION, paranoia)


RULES: tuple[RuleInfo, ...] = (
    _rule(1, "Cloud metadata endpoint", Severity.CRITICAL,
          "A URL or host that reaches instance/container metadata: 169.254.169.254 in decimal, hex, octal, "
          "mixed or IPv4-mapped IPv6 form, fd00:ec2::254, 169.254.170.2 (ECS credentials), "
          "metadata.google.internal, instance-data, or a metadata path such as /latest/meta-data/."),
    _rule(2, "Lambda Runtime API or container credentials endpoint", Severity.CRITICAL,
          "127.0.0.1:9001 / localhost:9001, the AWS_LAMBDA_RUNTIME_API variable, /2018-06-01/runtime/ paths or "
          "AWS_CONTAINER_CREDENTIALS_*: requests that can read other invocations' events or the role's keys."),
    _rule(3, "Loopback or unspecified host", Severity.HIGH,
          "A URL to localhost, 127.0.0.0/8, ::1, 0.0.0.0 or [::] (in any encoding) or to a public name that "
          "resolves to loopback (localtest.me, 127.0.0.1.nip.io). In the Origin, Referer and Host headers, "
          "where a page on a developer's machine or `sam local` puts its own address, only at paranoia 2."),
    _rule(4, "Private network host", Severity.HIGH,
          "A URL to 10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7, fe80::/10 or an internal DNS name. In "
          "the Origin, Referer and Host headers (an intranet page's own address) only at paranoia 2."),
    _rule(5, "Dangerous URL scheme", Severity.HIGH,
          "file://, gopher://, dict://, ldap://, tftp://, jar: and netdoc: URLs that turn a fetch into file "
          "reads or raw TCP requests to internal services."),
    _rule(6, "Metadata or runtime path without a host", Severity.HIGH,
          "Cloud metadata and Lambda runtime paths (/latest/meta-data/, /computeMetadata/v1/, "
          "/2018-06-01/runtime/invocation/next) meant for a host chosen by DNS rebinding or a proxy."),
    _rule(7, "Out-of-band interaction or DNS rebinding host", Severity.MEDIUM,
          "A host under a zone that exists to see a blind request arrive or to steer it: Burp Collaborator "
          "(burpcollaborator.net, oastify.com), interactsh (oast.pro, oast.fun, interact.sh, ...), DNSLog, "
          "CEYE, the rebinding services rbndr.us and 1u.ms, the redirect tester r3dir.me. Scanners put such "
          "hosts in every parameter to find SSRF, XXE and Log4Shell flaws that show no output."),
)

_URL_START = re.compile(
    r"(?<![a-z0-9+.\-])([a-z0-9][a-z0-9+.\-]{0,15}):(?:[/\\]{1,3}|(?=[a-z]{2,10}:)|(?<=https:)(?=[\d\[]|localhost)|(?<=http:)(?=[\d\[]|localhost))"
)
_URL_END = re.compile(r"[\s\"'<>`{}|^]")
_URL_BLANKS = re.compile(r"[\t\n\r]")
_DROP_URL_BLANKS = str.maketrans("", "", "\t\n\r")
_DANGEROUS_SCHEMES = frozenset(("file", "gopher", "dict", "ldap", "ldaps", "tftp", "jar", "netdoc"))
# ssh:// and sftp:// are judged by their host: repository hosts publish such URLs ("ssh://git@github.com/...").
_FETCH_SCHEMES = frozenset(
    ("http", "https", "ftp", "ftps", "ws", "wss", "ldap", "ldaps", "gopher", "dict", "tftp", "ssh", "sftp")
)
_RUNTIME_PORTS = frozenset(("9001",))
_METADATA_PATHS = re.compile(
    r"/latest/(?:meta-data|user-data|api/token|dynamic/instance-identity)|/computemetadata/v1"
    r"|/metadata/(?:instance|identity/oauth2)|/metadata/v1/|/opc/v[12]/instance|/v2/credentials/"
    r"|/openstack/latest/meta_data"
)
_RUNTIME_MARKERS = re.compile(
    r"aws_lambda_runtime_api|/20\d\d-\d\d-\d\d/runtime/(?:invocation|init)|aws_container_credentials_(?:relative|full)"
    r"|aws_container_authorization_token"
)
# Where a browser or a local tool puts the page's own origin: a developer's front end on
# http://localhost:3000 calling a deployed stage, ``sam local`` (Host: 127.0.0.1:3000), an intranet page
# on a private address. A loopback or private host there is the normal case, not a target a function
# would fetch; a metadata host, a runtime path or a dangerous scheme is still reported there, and at
# paranoia 2 everything is.
_PAGE_ORIGIN_HEADERS = frozenset(("origin", "referer", "host"))
_PAGE_ORIGIN_SKIPS = frozenset((LOOPBACK, PRIVATE))
_NO_SKIPS: frozenset[str] = frozenset()
# A port as lenient URL parsers read one: a sign, leading zeros and trailing letters are dropped
# ("localhost:+11211aaa", "localhost:00011211" are memcached's 11211 to them), so a filter that
# compares the text with a list of ports is bypassed.
_PORT_SPELLING = r"(?::\+?\d{1,16}[a-z]{0,8})?"
_BARE_HOST = re.compile(
    rf"(?:\[[0-9a-f:.%]{{2,64}}\]{_PORT_SPELLING}|[0-9a-fx.]{{1,40}}{_PORT_SPELLING}|localhost{_PORT_SPELLING})"
    # curl takes a host and a path with no scheme as http: "2852039166/", "127.0.0.1:9001/"
    r"(?P<path>/[^\s/]{0,40}(?:/[^\s/]{0,40}){0,4})?"
)
# A bare DNS name of two labels or more (a single word is no host: "metadata" is also a field name).
_BARE_NAME = re.compile(rf"(?:[a-z0-9_-]{{1,63}}\.){{1,16}}[a-z0-9-]{{1,63}}\.?{_PORT_SPELLING}")
_PORT = re.compile(r":(?:\+?(\d{1,16})[a-z]{0,8})?$")
# A name under a probe zone anywhere in the text ("nslookup x.oastify.com"): the zone, which no name may go
# on after, with a label before it (``_probe_name``; the zone alone, "see interact.sh", names the service,
# not one of its hosts). Led by the dot, so that the regex engine skips from one "." to the next: with the
# label's lookbehind first it tried every position of every URL (1 us for a 100-character one, 0.14 so).
_PROBE_ZONE = re.compile(r"\.(?:" + "|".join(map(re.escape, PROBE_ZONES)) + r")(?![a-z0-9-]|\.[a-z0-9])")
_MAX_URLS = 32
# After "file:", two slashes and one name with no separator, port or path: a URL with a host part and no
# file in it, as the AWS CLI writes a local file argument; "file:///etc/passwd" has a path.
_FILE_NAME_ARGUMENT = re.compile(r"[\w.-]{1,255}")


def _authority_hosts(rest: str) -> list[tuple[str, str]]:
    """(host, port) candidates from the text after ``scheme://``, covering parser disagreements."""
    end = len(rest)
    for stop in "/?#\\":
        index = rest.find(stop)
        if 0 <= index < end:
            end = index
    authority = rest[:end]
    candidates = [authority.rsplit("@", 1)[-1]]
    if ";" in authority:  # "0://127.0.0.1:80;http://google.com:80/": a parser that stops at ";"
        candidates.append(authority.split(";", 1)[0].rsplit("@", 1)[-1])
    if "@" in authority:
        candidates.append(authority.split("@", 1)[0].rsplit(":", 1)[0])  # a parser that stops at ":" or "@"
    if "@" in rest[end : end + 256]:
        # "http://evil.com#@169.254.169.254/" or "http://a\@169.254.169.254": some clients take the last "@".
        tail = rest[end:].split("@", 1)[1]
        cut = min((i for i in (tail.find(c) for c in "/?#\\") if i >= 0), default=len(tail))
        candidates.append(tail[:cut])
    hosts = []
    for candidate in candidates:
        hosts.append(_host_and_port(candidate))
    return hosts


def _host_and_port(authority: str) -> tuple[str, str]:
    """``authority`` split at a trailing ":port" (possibly none), the port as a number's digits
    (``_PORT_SPELLING``); an IPv6 literal "[...]" has none."""
    match = None if authority.endswith("]") else _PORT.search(authority)
    if match is None:
        return authority, ""
    digits = match.group(1) or ""
    return authority[: match.start()], digits.lstrip("0") or digits[:1]


def _verdict_detection(verdict: HostVerdict, port: str, where: int, how: str) -> Detection:
    if verdict.category == LOOPBACK and port in _RUNTIME_PORTS:
        return Detection("HG-SSRF-002", f"Lambda Runtime API {how} {verdict.detail}:{port}", where, where + 1)
    rule = {METADATA: "HG-SSRF-001", LOOPBACK: "HG-SSRF-003", PROBE: "HG-SSRF-007"}.get(verdict.category, "HG-SSRF-004")
    spelled = " (obfuscated)" if verdict.obfuscated else ""
    return Detection(rule, f"{verdict.category} host {verdict.detail}{spelled} {how}", where, where + 1)


def _skipped_categories(ctx: ScanContext) -> frozenset[str]:
    """The host categories not reported at ``ctx``'s location (see ``_PAGE_ORIGIN_HEADERS``)."""
    location = ctx.location
    if ctx.paranoia >= 2 or ctx.is_key or not location.startswith(HEADER_PREFIXES):
        return _NO_SKIPS
    return _PAGE_ORIGIN_SKIPS if location.partition(".")[2] in _PAGE_ORIGIN_HEADERS else _NO_SKIPS


def _userinfo_with_blank(low: str, rest: str, blank: int) -> str:
    """``rest`` taken on past the blank at ``blank`` when the authority has not ended and an "@" follows
    in the next word: Node's http.get, axios, requests and httpx read "http://allowed.com @127.0.0.1/"
    as user "allowed.com " at 127.0.0.1."""
    if any(stop in rest for stop in "/?#\\@"):
        return rest
    after = _URL_END.search(low, blank + 1, blank + 257)
    word = low[blank + 1 : after.start() if after else blank + 257]
    at = word.find("@")
    if at < 0 or any(stop in word[:at] for stop in "/?#\\"):
        return rest
    return rest + " " + word


def _scan_urls(low: str, skips: frozenset[str]) -> Detection | None:
    for count, match in enumerate(_URL_START.finditer(low)):
        if count >= _MAX_URLS:
            break
        scheme = match.group(1)
        rest_start = match.end()
        end = _URL_END.search(low, rest_start, rest_start + 2048)
        rest = low[rest_start : end.start() if end else rest_start + 2048]
        if end is not None and low[end.start()] == " ":
            rest = _userinfo_with_blank(low, rest, end.start())
        if scheme in _DANGEROUS_SCHEMES and (scheme not in ("ldap", "ldaps") or rest):
            if scheme == "file" and match.group(0)[5:] == "//" and _FILE_NAME_ARGUMENT.fullmatch(rest):
                continue  # "file://mappingfile.json": the AWS CLI's way to pass a local file, no path to read
            return Detection("HG-SSRF-005", f"{scheme}: URL", match.start(), match.end())
        fetched = scheme in _FETCH_SCHEMES
        if not fetched and not low.startswith("//", match.start() + len(scheme) + 1):
            continue
        for host, port in _authority_hosts(rest.lstrip("/\\")):
            verdict = classify_host(host)
            if verdict is None or verdict.category in skips:
                continue
            # Clients fetch many more schemes (curl: rtmp://, pop3://, irc://, redis://...): any of them aimed
            # at loopback or metadata is a request to the function's own host; a private or one-label host
            # is only judged for the fetch schemes ("s3://my-bucket/key", "android-app://com.example").
            if fetched or verdict.category in (METADATA, LOOPBACK, PROBE):
                return _verdict_detection(verdict, port, match.start(), f"in {scheme} URL")
    return None


# A value that is exactly one http(s) URL with a plain host (labels of letters, digits and hyphens,
# an optional port) and no second scheme, userinfo or backslash in the rest - an Origin, a Referer, a
# callback URL - has one host to judge: ``_scan_urls`` would find this URL alone and this host alone
# in it, so its verdict is taken directly. Percent escapes after the host are allowed (a tracking
# parameter's page URL has them): no URL parser reads a host from them, and the URL-decoded text,
# where an escaped second URL would show, is a view of its own.
_SIMPLE_URL = re.compile(r"(https?)://([a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){0,126})(?::([0-9]{1,5}))?(?:[/?#][^\s@\\:]*)?")
_NOT_SIMPLE = Detection("", "", 0, 0)  # a marker: the value needs the general URL scan


def _scan_simple_url(low: str, skips: frozenset[str]) -> Detection | None:
    match = _SIMPLE_URL.fullmatch(low)
    if match is None or (match.group(3) and match.group(2).endswith(("http", "https"))):
        return _NOT_SIMPLE  # "https://https:169": the host and port read as a second URL too
    verdict = classify_host(match.group(2))
    if verdict is None or verdict.category in skips:
        return None
    return _verdict_detection(verdict, match.group(3) or "", 0, f"in {match.group(1)} URL")


def _scan_bare_value(low: str, ctx: ScanContext, skips: frozenset[str]) -> Detection | None:
    value = low.strip()
    if len(value) > 80:
        return None
    bare = _BARE_HOST.fullmatch(value)
    if bare is None:
        return _scan_bare_name(value, ctx, skips)
    if bare.group("path") is not None:
        if bare.group("path")[1:].isdigit():
            return None  # "169.254.0.0/16": a network in a firewall rule, no URL (its address alone still counts)
        value = value[: bare.start("path")]
    if value.startswith("//"):
        value = value[2:]
    host, port = _host_and_port(value)
    # A bare private or loopback address is common data (a client IP field, and versions such as "10.0.0"
    # parse as addresses): it is an SSRF target when written as a full address with a port, or as the
    # 32-bit hex literal only an attacker would type. Any other spelling counts only as a metadata address.
    canonical = host.count(".") == 3 or host.startswith("[") or host == "localhost"
    hex_literal = len(host) == 10 and host.startswith("0x")
    verdict = classify_host(host, lenient=False, metadata_only=not (canonical or hex_literal))
    if verdict is None or verdict.category in skips:
        return None
    if verdict.category == METADATA:
        return _verdict_detection(verdict, port, 0, "as a bare host")
    if (canonical and (port or ctx.paranoia >= 2)) or hex_literal:
        return _verdict_detection(verdict, port, 0, "as a bare host")
    return None


def _probe_name(low: str) -> tuple[str, int, int] | None:
    """The first probe zone in ``low`` with a label before it: (zone, start, end), or None."""
    for match in _PROBE_ZONE.finditer(low):
        start = match.start()
        if start and (low[start - 1].isalnum() or low[start - 1] in "-_"):
            return match.group(0)[1:], start, match.end()
    return None


def _scan_bare_name(value: str, ctx: ScanContext, skips: frozenset[str]) -> Detection | None:
    """A value that is only a DNS name (and a port): reported when the name serves nothing but reaching
    a metadata or loopback host (a metadata service's name, a wildcard-DNS name spelling a loopback or
    metadata address, a zone that resolves to loopback) or probing (``PROBE``). Any other internal name
    (``printer.local``, EC2's ``ip-10-0-1-23.ec2.internal``) is data in a host field, as a bare private
    address is: reported with a port, or at paranoia 2."""
    if not _BARE_NAME.fullmatch(value):
        return None
    host, port = _host_and_port(value)
    verdict = classify_host(host, lenient=False)  # None for most names (a Host header's): decided first
    if verdict is None or verdict.category in skips:
        return None
    category = verdict.category
    # (A bare "<name>.localhost" is how Azure DSC and dev set-ups name a node: it resolves to loopback only
    # where a resolver special-cases it, so alone it waits for a port, a URL or paranoia 2.)
    spelled = category == LOOPBACK and verdict.obfuscated and not host.endswith(".localhost")
    reported = category in (METADATA, PROBE) or spelled
    # (The prefilter names the zones and the names that start like an address: a name it does not match,
    # "foo.127.0.0.1.example.com", never reaches the detector through the engine's gate.)
    if (reported or port or ctx.paranoia >= 2) and _PREFILTER.search(value):
        return _verdict_detection(verdict, port, 0, "as a bare host")
    return None


def scan(text: str, ctx: ScanContext) -> Detection | None:
    if not _PREFILTER.search(text):  # the engine has checked it; this keeps direct callers as fast
        return None
    return scan_unfiltered(text, ctx)


def scan_unfiltered(text: str, ctx: ScanContext) -> Detection | None:
    """``scan`` without the PREFILTER check, so a test can show the PREFILTER is a necessary condition."""
    low = text.lower()
    skips = _skipped_categories(ctx)
    one_url = False  # the value is one simple URL: no bare host, no protocol-relative URL
    if ":" in low:
        found = _scan_simple_url(low, skips) if low.startswith("http") else _NOT_SIMPLE
        if found is _NOT_SIMPLE:
            found = _scan_urls(low, skips)
        else:
            one_url = True
        if found is None and _URL_BLANKS.search(low):
            # WHATWG URL parsers (fetch, Node's http.get, axios) and yarl drop tabs and line breaks anywhere
            # in a URL: "http://16\t9.254.169.254/", "ht\ttp://10.1/"
            found = _scan_urls(low.translate(_DROP_URL_BLANKS), skips)
        if found is not None:
            return found
    if "169.254.169.254" in low or "fd00:ec2::254" in low or "169.254.170.2" in low:
        where = max(low.find("169.254.16"), low.find("fd00:ec2"), low.find("169.254.170.2"))
        return Detection("HG-SSRF-001", "metadata address literal", where, where + 15)
    if "/" in low and (match := _METADATA_PATHS.search(low)):
        return Detection("HG-SSRF-006", f"metadata path {match.group(0)!r}", match.start(), match.end())
    if "aws_" in low or "/runtime/" in low:
        match = _RUNTIME_MARKERS.search(low)
        if match:
            return Detection("HG-SSRF-002", f"runtime marker {match.group(0)!r}", match.start(), match.end())
    probe = _probe_name(low) if "." in low else None
    if probe is not None:
        return Detection("HG-SSRF-007", f"scanner's probe host under {probe[0]!r}", probe[1], probe[2])
    if one_url:
        return None  # "http..." is neither a bare host nor a name, and does not start with "//"
    if low.startswith("//"):
        rest = low[2:]
        for host, port in _authority_hosts(rest):
            verdict = classify_host(host)
            if verdict is not None and verdict.category not in skips:
                return _verdict_detection(verdict, port, 0, "in a protocol-relative URL")
    return _scan_bare_value(low, ctx, skips)
