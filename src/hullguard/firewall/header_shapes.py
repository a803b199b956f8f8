"""Standard request headers whose value has the shape its RFC gives it, which rules injections out.

Browsers and CDNs send ``Accept``, ``Accept-Language``, ``User-Agent``, ``Host``, ``Referer``, ``Via``,
trace ids and CloudFront flags on every request, and their ``;``, ``=``, ``(``, ``,`` and ``/`` reach
several detectors each time (on a browser request, most of an inspection at first sight). A value that
matches its header's grammar strictly - tokens of letters and digits joined by the grammar's own
separators, with no quote, ``$``, ``|``, ``&``, ``<``, ``{``, backslash, percent sign, blank run or
``..`` - cannot carry a command, a query, markup, a template or a path, so those detectors are
skipped for it. Anything else in the same header (an attack, or just an unusual value) is inspected
as before: the grammars only ever skip, and only whole values.

Most grammars rule every family out; those of Chromium's client hints (``Sec-CH-UA``...) admit a
closed vocabulary of brand and platform names only. Five say which families they rule out
(``Shape.rules_out``), and every other family - including any added later - still looks at a
fitting value:

* ``User-Agent``: products (``Chrome/120.0``) and comments (``(Windows NT 10.0; Win64; x64)``). A
  comment only follows a product whose version starts with a digit, so the ``(`` can never call a
  function (``5.0 (x)`` calls a number) and in a shell it is a syntax error (``word (``) before
  anything runs; no ``=``, ``:`` only before a digit (``rv:121.0``), no ``/`` inside a comment but in
  ``Name/1.0``. A host or a serialized object is not ruled out (SSRF, deserialization).
* ``Host``: a DNS name or address with an optional port; no blank, quote or operator. The host
  itself is what SSRF looks at.
* ``Origin`` and ``Referer``: an ``http(s)`` URL of a host, with a path of plain segments, one query
  parameter and a fragment; no ``&`` (a shell's background operator), blank, quote, parenthesis or
  ``%``. SSRF, SQL keywords in a path, path and remote file names are still looked at. An
  ``Origin`` of a public host (no path) is then decided here (``Shape.carries_nothing``); a
  ``Referer``'s SSRF is decided by asking the SSRF detector directly (``Shape.decided_by``), and the
  gate is asked about the other families, as for a User-Agent.
* ``X-Forwarded-For``: IP addresses, which only SSRF reads; public IPv4 addresses, and a list of two
  or more without a metadata address literal, are decided here too.

Each grammar is unambiguous (separators are not token characters), so matching is linear; values
longer than ``MAX_VALUE`` are not matched at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from hullguard.firewall.addresses import public_ipv4_list
from hullguard.firewall.gate import prefix_matcher

MAX_VALUE = 512
_WORD = r"[a-z0-9]+(?:[.+-][a-z0-9]+)*"  # no leading, trailing or doubled dot: never ".."
_QVALUE = r"(?:\s*;\s*q\s*=\s*[01](?:\.[0-9]{0,3})?)?"
_LANGUAGE = r"(?:[a-z]{1,8}(?:-[a-z0-9]{1,8})*|\*)" + _QVALUE
_CODING = r"(?:[a-z0-9]+(?:-[a-z0-9]+)*|\*)" + _QVALUE
_PARAMETER = r"\s*;\s*[a-z0-9]+(?:[.-][a-z0-9]+)*\s*=\s*[\w.+-]{1,100}"  # no "/": no path in a value
_MEDIA = rf"(?:{_WORD}|\*)/(?:{_WORD}|\*)(?:{_PARAMETER})*"
_TRACE_PART = r"(?:root|parent|self|sampled|lineage)=[a-z0-9:.-]{1,64}"

# User-Agent (RFC 9110 section 10.1.5), narrowed as the module docstring says.
_UA_VERSION = r"[0-9][a-z0-9]*(?:[._+-][a-z0-9]+)*"  # 5.0, 537.36, 15E148
_UA_NAME = r"[a-z][a-z0-9]*(?:[._+-][a-z0-9]+)*"  # Mozilla, AppleWebKit, python-requests
_UA_WORD = rf"[a-z0-9][a-z0-9_]*(?:[.+-][a-z0-9_]+)*(?::{_UA_VERSION})?(?:/{_UA_VERSION})?"  # rv:121.0
_UA_ITEM = rf"{_UA_WORD}(?: {_UA_WORD})*"  # Intel Mac OS X 10_15_7
_UA_COMMENT = rf"\({_UA_ITEM}(?:[;,] ?{_UA_ITEM})*\)"
# SDKs name parts of their platform after a "#": md/Botocore#1.34.0, lang/python#3.11.7
_UA_PRODUCT = rf"{_UA_NAME}(?:/{_UA_VERSION}(?: {_UA_COMMENT})?|/{_UA_NAME}(?:#(?:{_UA_VERSION}|{_UA_NAME}))?)?"
# Host names and URLs of them (RFC 9110 sections 7.2 and 10.1.3, RFC 6454).
_LABEL = r"[a-z0-9]+(?:-+[a-z0-9]+)*"
_HOST = rf"{_LABEL}(?:\.{_LABEL})*(?::[0-9]{{1,5}})?"
_URL_PART = r"[a-z0-9_~-]+(?:\.[a-z0-9_~-]+)*"  # a path segment, parameter name or value: never ".."
_ORIGIN = rf"https?://{_HOST}"
_URL = rf"{_ORIGIN}(?:/{_URL_PART})*/?(?:\?{_URL_PART}(?:={_URL_PART}?)?)?(?:#{_URL_PART})?"


def _list(item: str) -> str:
    return rf"{item}(?:\s*,\s*{item})*"


def _one_of(*words: str) -> str:
    return "(?:" + "|".join(re.escape(word) for word in words) + ")"


# Client hints (Chromium sends Sec-CH-UA, -Mobile and -Platform on every request): structured-field
# strings of a closed vocabulary. A brand is Chromium's GREASE brand ("Not A;Brand", "Not/A)Brand":
# "Not", "A", "Brand" with one of its GREASE characters or a blank between) or a browser's name from
# the list below; a browser this list lacks just has its header inspected. Words of these lists are
# no SQL keyword, command, tag or function name, so a fitting value carries nothing.
_GREASE = r"[ ():\-./;=?_]"
_BRANDS = _one_of(
    "chromium", "google chrome", "microsoft edge", "opera", "opera gx", "brave", "headlesschrome",
    "android webview", "yabrowser", "yandex", "samsung internet", "vivaldi", "whale", "duckduckgo",
    "avast secure browser", "avg secure browser", "ccleaner browser", "coc coc", "silk", "electron",
)
_BRAND = rf"(?: ?not{_GREASE}?a{_GREASE}?brand|{_BRANDS})"
_SF_VERSION = r'"[0-9]{1,5}(?:\.[0-9]{1,5}){0,3}"'
_BRAND_LIST = _list(rf'"{_BRAND}"\s*;\s*v\s*=\s*{_SF_VERSION}')
_PLATFORMS = _one_of("windows", "macos", "linux", "android", "ios", "chrome os", "chromium os", "fuchsia", "unknown")
_FETCH_DESTINATIONS = _one_of(
    "audio", "audioworklet", "document", "embed", "empty", "fencedframe", "font", "frame", "iframe", "image",
    "json", "manifest", "object", "paintworklet", "report", "script", "serviceworker", "sharedworker",
    "speculationrules", "style", "track", "video", "webidentity", "worker", "xslt",
)
_CACHE_DIRECTIVE = (
    "(?:no-cache|no-store|no-transform|only-if-cached|max-stale(?:=[0-9]{1,10})?"
    "|(?:max-age|min-fresh|stale-if-error|stale-while-revalidate)=[0-9]{1,10})"
)
# The suites a TLS terminator names (x-amzn-tls-cipher-suite): OpenSSL's and IANA's spellings.
_CIPHER_WORD = _one_of(
    "tls", "ssl", "ecdhe", "dhe", "rsa", "ecdsa", "psk", "aes", "aes128", "aes256", "gcm", "ccm", "ccm8", "cbc",
    "sha", "sha256", "sha384", "chacha20", "poly1305", "with", "128", "256", "des", "cbc3", "ede", "3des",
)
_IPV4 = r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}"
_IPV6 = r"[0-9a-f]{0,4}(?::[0-9a-f]{0,4})+(?::" + _IPV4 + ")?"


# The families a URL of a host cannot carry: no markup, script, shell or template syntax, no NoSQL
# operator, XML, LDAP or XPath syntax, no line break; its host (SSRF), path (path traversal, remote
# file names, serialized class names) and words (SQL keywords) are still looked at.
_URL_RULES_OUT = frozenset(
    {"xss", "cmdi", "code", "ssti", "nosql", "xxe", "ldap", "xpath", "crlf", "proto"}
)
_NAME_RULES_OUT = _URL_RULES_OUT | {"sqli", "path", "rfi"}  # nor a blank, slash or file name
_ADDRESS_RULES_OUT = _NAME_RULES_OUT | {"deser"}  # a list of IP addresses: only where they point matters

# header name -> (grammar, families a fitting value cannot carry; None: every family)
_GRAMMARS: dict[str, tuple[str, frozenset[str] | None]] = {
    "accept": (_list(_MEDIA), None),
    "content-type": (_MEDIA, None),
    "accept-language": (_list(_LANGUAGE), None),
    "accept-encoding": (_list(_CODING), None),
    "via": (_list(r"[0-9](?:\.[0-9])? [a-z0-9]+(?:[.-][a-z0-9]+)*(?: \([a-z0-9]+(?:[ .-][a-z0-9]+)*\))?"), None),
    "x-amzn-trace-id": (rf"{_TRACE_PART}(?:;{_TRACE_PART})*", None),
    "x-amz-cf-id": (r"[a-z0-9_-]{16,100}={0,2}", None),
    "cloudfront-is-desktop-viewer": ("true|false", None),
    "cloudfront-is-mobile-viewer": ("true|false", None),
    "cloudfront-is-smarttv-viewer": ("true|false", None),
    "cloudfront-is-tablet-viewer": ("true|false", None),
    "cloudfront-viewer-country": ("[a-z]{2}", None),
    "cloudfront-forwarded-proto": ("https?", None),
    "x-forwarded-proto": ("https?", None),
    "x-forwarded-port": ("[0-9]{1,5}", None),
    "sec-ch-ua": (_BRAND_LIST, None),
    "sec-ch-ua-full-version-list": (_BRAND_LIST, None),
    "sec-ch-ua-mobile": (r"\?[01]", None),
    "sec-ch-ua-wow64": (r"\?[01]", None),
    "sec-ch-ua-platform": (rf'"{_PLATFORMS}?"', None),
    "sec-ch-ua-platform-version": (_SF_VERSION, None),
    "sec-ch-ua-full-version": (_SF_VERSION, None),
    "sec-ch-ua-arch": ('"(?:x86|arm)?"', None),
    "sec-ch-ua-bitness": ('"(?:32|64)?"', None),
    "sec-fetch-mode": (_one_of("navigate", "cors", "no-cors", "same-origin", "websocket"), None),
    "sec-fetch-site": (_one_of("cross-site", "same-origin", "same-site", "none"), None),
    "sec-fetch-user": (r"\?[01]", None),
    "sec-fetch-dest": (_FETCH_DESTINATIONS, None),
    "upgrade-insecure-requests": ("1", None),
    "dnt": ("[01]", None),
    "sec-gpc": ("1", None),
    "priority": (r"(?:u=[0-7](?:\s*,\s*i)?|i)", None),
    "cache-control": (_list(_CACHE_DIRECTIVE), None),
    "pragma": ("no-cache", None),
    "connection": (_list(_one_of("keep-alive", "close", "upgrade", "te")), None),
    "x-requested-with": ("xmlhttprequest", None),
    "x-amzn-tls-version": (r"tlsv1(?:\.[0-3])?", None),
    "x-amzn-tls-cipher-suite": (rf"{_CIPHER_WORD}(?:[_-]{_CIPHER_WORD})+", None),
    # Client addresses a proxy appended: SSRF still looks at them (a metadata address is reported).
    "x-forwarded-for": (_list(f"(?:{_IPV4}|{_IPV6})"), _ADDRESS_RULES_OUT),
    "user-agent": (rf"{_UA_PRODUCT}(?: {_UA_PRODUCT})*", _NAME_RULES_OUT),
    "host": (_HOST, _NAME_RULES_OUT),
    "origin": (rf"{_ORIGIN}|null", _URL_RULES_OUT),
    "referer": (_URL, _URL_RULES_OUT),
}


def _public_origin(value: str) -> bool:
    """A fitting Origin (``null``, or a scheme, a host of letters, digits, hyphens and dots, a port)
    whose host is public: no blank, quote, bracket or comment for SQL, no path for path traversal,
    remote inclusion or a class name, so SSRF - the family that reads the host - is the only one left,
    and it judges the host alone (``ssrf._scan_simple_url``), as here. Its module is imported on first
    use, as the SSRF detector itself would be for the same header."""
    if value.lower() == "null":
        return True
    host, _, port = value.partition("://")[2].partition(":")
    if port and host.lower().endswith(("http", "https")):
        return False  # "https://https:169": SSRF reads the rest as a second URL; let it
    from hullguard.firewall.detectors.ssrf_hosts import classify_host

    return classify_host(host) is None


def _no_ssrf_target(value: str) -> bool:
    """A fitting X-Forwarded-For value SSRF, the one family its shape leaves, finds nothing in: public
    IPv4 addresses; or a list of two or more (proxies append theirs: "203.0.113.10, 10.0.4.2") with no
    metadata address literal, the one thing SSRF reads in a list, which is no host
    (``ssrf.scan_unfiltered``; a test holds the two together). One address alone is read as a bare
    host, where a private one counts at paranoia 2, so it must be public here."""
    if "," in value:  # a list (CloudFront or a load balancer appended its address): two finds
        return "169.254." not in value and "fd00:ec2" not in value.lower()
    return public_ipv4_list(value)


# A fitting value these say yes to carries nothing for the families its shape leaves either.
_CARRIES_NOTHING: dict[str, Callable[[str], bool]] = {"x-forwarded-for": _no_ssrf_target, "origin": _public_origin}
# Headers whose fitting values reach SSRF's prefilter ("scheme://", a list that starts with an IPv4
# address; an IPv6 address that starts with a letter does not, and is then a view no family looks at):
# they are views without asking the gate first, which would say yes.
_ALWAYS_VIEWED = frozenset({"origin", "referer", "x-forwarded-for"})
# A fitting Referer is a URL of a host with a plain path: the SSRF detector, asked about it directly
# (its host, a metadata or runtime path), decides that family; when it finds nothing, the value needs
# only the gate's word on the families left (SQL keywords, paths, file names, class names), as any
# undecided header does, and on a browser's request that word is usually no: not a view at all.
_DECIDED_BY = {"referer": "ssrf"}
# Where a flat header map's values are: API Gateway, function URLs and Lattice send ``headers``, an ALB
# with multi-value headers on sends ``multiValueHeaders`` only.
PREFIXES = ("headers.", "multiValueHeaders.")


class Shape:
    """A header's grammar (``pattern.fullmatch``, for values of at most ``MAX_VALUE`` characters), the
    detector families a value that fits it cannot carry (``rules_out``; None: every family), and
    whether a fitting value is a view without asking the gate (``always_viewed``: URLs and addresses,
    which SSRF's prefilter matches), and a check that tells a fitting value the families left would
    find nothing in either (``carries_nothing``). ``decided_by``: a family whose detector, asked about a
    fitting value directly, decides it; where it finds nothing, the value has the shape ``narrowed``
    (that family ruled out too, not always viewed)."""

    __slots__ = ("always_viewed", "carries_nothing", "decided_by", "name", "narrowed", "pattern", "rules_out")

    def __init__(
        self,
        name: str,
        pattern: re.Pattern[str],
        rules_out: frozenset[str] | None,
        always_viewed: bool,
        carries_nothing: Callable[[str], bool] | None = None,
        decided_by: str = "",
    ) -> None:
        self.name = name
        self.pattern = pattern
        self.rules_out = rules_out
        self.always_viewed = always_viewed
        self.carries_nothing = carries_nothing
        self.decided_by = decided_by
        self.narrowed: Shape | None = None
        if decided_by and rules_out is not None:
            self.narrowed = Shape(f"{name}/{decided_by}", pattern, rules_out | {decided_by}, False)


_COMPILED: dict[str, Shape] = {}  # compiled on first use: most functions see few of them


def shape(name: str) -> Shape | None:
    """The shape of the header ``name`` (lower case), or None for a header without one."""
    known = _COMPILED.get(name)
    if known is None:
        entry = _GRAMMARS.get(name)
        if entry is None:
            return None
        source, rules_out = entry
        pattern = re.compile(source, re.IGNORECASE | re.ASCII)
        known = _COMPILED[name] = Shape(
            name, pattern, rules_out, name in _ALWAYS_VIEWED, _CARRIES_NOTHING.get(name), _DECIDED_BY.get(name, "")
        )
    return known


def fitting(location: str, value: str) -> Shape | None:
    """The shape ``value`` of the header at ``location`` (``headers.<lower-case name>``, or under
    ``multiValueHeaders.``) fits, or None."""
    if len(value) > MAX_VALUE or not location.startswith(PREFIXES):
        return None
    found = shape(location[location.index(".") + 1 :])
    return found if found is not None and found.pattern.fullmatch(value) is not None else None


_FEW = 3
_SHORT = 64  # longer values (a browser's User-Agent) cost more with Python's grammars than with RE2's


def fits(shaped: list[tuple[Shape, str]]) -> list[bool]:
    """Whether each value fits its header's shape. RE2 matches the values joined as ``name NUL value
    SOH`` from the start for as long as they fit, so a browser's dozen standard headers, which usually
    all fit, take one match (a dozen Python matches cost about fifteen times as many instructions); a
    value that does not fit ends a match, and the next one starts after it. Without RE2, or where the
    joined text is not ASCII or a value holds one of the two separators (which could make one value
    read as several), each value is matched alone with its Python grammar. So are up to ``_FEW`` short
    values (a warm function's per-request ids: trace id, CloudFront id, client address): one RE2 call
    through its wrapper costs more than their Python matches (1.7 against 3.0 µs for those three)."""
    if len(shaped) <= _FEW and not [value for _, value in shaped if len(value) > _SHORT]:
        return [shape.pattern.fullmatch(value) is not None for shape, value in shaped]
    match = _batch()
    if match is not None:
        values = "".join([value for _, value in shaped])  # two finds in it cost less than two counts
        if values.isascii() and "\x00" not in values and "\x01" not in values:
            text = "".join([f"{shape.name}\x00{value}\x01" for shape, value in shaped])
            try:
                return _fitting_runs(match, text.encode("ascii"), shaped)
            except Exception:  # noqa: S110 (never an exception into the host function: Python's grammars)
                pass
    return [shape.pattern.fullmatch(value) is not None for shape, value in shaped]


def _fitting_runs(match: Callable[[bytes, int], int], data: bytes, shaped: list[tuple[Shape, str]]) -> list[bool]:
    """Per value joined in ``data``, whether it fits: each match from a value's start ends where the
    run of fitting values from there ends (every match ends after a SOH: no grammar reads one)."""
    end = match(data, 0)
    if end == len(data):
        return [True] * len(shaped)
    out: list[bool] = []
    pos = 0
    for shape, value in shaped:
        size = len(shape.name) + len(value) + 2
        if pos < end:  # within the run the last match covered
            out.append(True)
        else:  # the value that ended the run: the next match starts after it
            out.append(False)
            end = match(data, pos + size)
        pos += size
    return out


def _batch_pattern() -> str:
    """Any sequence of ``name NUL value SOH`` where each value fits the shape of its header, in RE2
    syntax (the grammars use nothing Python's re and RE2 read differently, and RE2's ``\\s`` lacks
    the vertical tab: it fits no more than the Python grammars do). Header names and the two control
    characters are in no grammar, so each value is matched by its own header's grammar alone."""
    names = "|".join(f"{re.escape(name)}\\x00(?:{source})" for name, (source, _) in _GRAMMARS.items())
    return f"(?i)(?:(?:{names})\\x01)*"


_BATCH: list[Callable[[bytes, int], int] | None] = []  # the compiled batch matcher, once built
# The batch's program is about 10k instructions: with less room its DFA cache fills on one browser's
# headers and RE2 falls back to its NFA, ten times slower than the DFA (and than Python's matches).
_BATCH_MAX_MEM = 8 << 20


def _batch() -> Callable[[bytes, int], int] | None:
    """The batch matcher (``prefix_matcher`` of ``_batch_pattern``), compiled on first use; None
    without RE2."""
    if not _BATCH:
        _BATCH.append(prefix_matcher(_batch_pattern(), _BATCH_MAX_MEM))
    return _BATCH[0]


__all__ = ["MAX_VALUE", "PREFIXES", "Shape", "fits", "fitting", "shape"]
