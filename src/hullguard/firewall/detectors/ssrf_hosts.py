"""Host classification for the SSRF detector: every spelling of an IP address, and internal names.

``classify_host`` answers "where would a server-side HTTP client connect if given this host?". It
parses IPv4 the way ``inet_aton`` (and so curl, Python's socket layer and most HTTP clients) does:
1 to 4 parts, each decimal, octal (leading 0) or hex (0x), the last part filling the remaining bytes,
so ``2852039166``, ``0xA9FEA9FE``, ``0251.0376.0251.0376``, ``169.254.43518`` and ``0xa9.254.0251.0xfe``
all mean 169.254.169.254. IPv6 goes through ``ipaddress`` with IPv4-mapped, NAT64 and 6to4 forms
unwrapped. Names are internal when they are well-known metadata or loopback names or when they embed
an internal IP (``169.254.169.254.nip.io``, ``127-0-0-1.sslip.io``, ``a9fea9fe.nip.io``). Names of the
public services scanners use to see a blind request arrive or to steer it (out-of-band interaction,
DNS rebinding and redirect-testing zones) are probes, whatever address they resolve to.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata

from hullguard.events.record import FrozenRecord
from hullguard.firewall.addresses import public_ipv4, public_prefix

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

METADATA = "metadata"
LOOPBACK = "loopback"
PRIVATE = "private"
PROBE = "probe"

_METADATA_V4 = frozenset(
    ipaddress.IPv4Address(ip)
    for ip in ("169.254.169.254", "169.254.170.2", "169.254.170.23", "100.100.100.200", "192.0.0.192")
)
_METADATA_V6 = frozenset(ipaddress.IPv6Address(ip) for ip in ("fd00:ec2::254", "fd00:ec2::23"))
_LINK_LOCAL_V4 = ipaddress.IPv4Network("169.254.0.0/16")
_LINK_LOCAL_V4_PREFIX = int(_LINK_LOCAL_V4.network_address) >> 16
_METADATA_V4_NUMBERS = frozenset(int(ip) for ip in _METADATA_V4)
_CGNAT_V4 = ipaddress.IPv4Network("100.64.0.0/10")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_DOCUMENTATION: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = (
    ipaddress.IPv4Network("192.0.2.0/24"),
    ipaddress.IPv4Network("198.51.100.0/24"),
    ipaddress.IPv4Network("203.0.113.0/24"),
    ipaddress.IPv6Network("2001:db8::/32"),
)
_METADATA_NAMES = frozenset(
    (
        "metadata", "metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal",
        "metadata.azure.internal", "metadata.packet.net", "metadata.platformequinix.com", "rancher-metadata",
    )
)
_LOOPBACK_NAMES = frozenset(("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback", "localhost6"))
# Public wildcard-DNS zones whose names resolve to loopback whatever the label.
_LOOPBACK_ZONES = (
    "localtest.me", "lvh.me", "vcap.me", "lacolhost.com", "fuf.me", "yoogle.com", "localh.st", "localhost",
    "spoofed.burpcollaborator.net",
)
_LOOPBACK_SUFFIXES = tuple("." + zone for zone in _LOOPBACK_ZONES)
# Public zones that exist to make a server's blind request visible or to steer it, and nothing else:
# out-of-band interaction (Burp Collaborator, ProjectDiscovery's interactsh, DNSLog, CEYE), DNS rebinding
# (rbndr.us, 1u.ms) and redirect testing (r3dir.me). A name under one in a request is a scanner's probe
# for SSRF, XXE or Log4Shell. (Webhook inspectors such as webhook.site are left out: they have legitimate
# users.) Loopback zones above are checked first: spoofed.burpcollaborator.net resolves to 127.0.0.1.
PROBE_ZONES = (
    "burpcollaborator.net", "oastify.com", "interact.sh", "interactsh.com", "oast.pro", "oast.live",
    "oast.site", "oast.online", "oast.fun", "oast.me", "dnslog.cn", "ceye.io", "rbndr.us", "1u.ms",
    "r3dir.me",
)
_PROBE_SUFFIXES = tuple("." + zone for zone in PROBE_ZONES)
_INTERNAL_SUFFIXES = (".internal", ".local", ".localdomain", ".intranet", ".corp", ".lan", ".svc", ".cluster.local")
_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": ".", "\u2024": "."})
_PART = re.compile(r"0x0{0,24}[0-9a-f]{0,8}|0[0-7]{0,32}|[1-9][0-9]{0,9}")
_DASHED = re.compile(r"(?:^|[.-])(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,3})(?:$|[.-])")
_HEX_LABEL = re.compile(r"[0-9a-f]{8}")
_HEX_ZONES = frozenset(("nip", "xip", "sslip", "rbndr", "traefik", "nip.direct"))


class HostVerdict(FrozenRecord):  # not a dataclass: ``dataclasses`` costs ms on the first invocation
    __slots__ = ("category", "detail", "obfuscated")
    _fields = ("category", "detail", "obfuscated")

    category: str  # METADATA, LOOPBACK, PRIVATE or PROBE
    detail: str
    obfuscated: bool  # the address was written in a non-canonical form

    def __init__(self, category: str, detail: str, obfuscated: bool) -> None:
        put = object.__setattr__  # frozen: assignment goes around FrozenRecord.__setattr__
        put(self, "category", category)
        put(self, "detail", detail)
        put(self, "obfuscated", obfuscated)


def parse_ipv4_loose(text: str) -> ipaddress.IPv4Address | None:
    """``inet_aton`` semantics: '127.1', '0x7f000001', '017700000001', '0251.0376.0251.0376'."""
    parts = text.split(".")
    if parts and parts[-1] == "" and len(parts) > 1:
        parts.pop()  # a trailing dot is the DNS root
    if not 1 <= len(parts) <= 4:
        return None
    values = []
    for part in parts:
        if not _PART.fullmatch(part):
            return None
        if part.startswith("0x"):
            values.append(int(part[2:] or "0", 16))
        elif len(part) > 1 and part.startswith("0"):
            values.append(int(part, 8))
        else:
            values.append(int(part))
    last_bytes = 5 - len(values)
    if any(value > 255 for value in values[:-1]) or values[-1] >= 256**last_bytes:
        return None
    number = 0
    for value in values[:-1]:
        number = number * 256 + value
    number = number * 256**last_bytes + values[-1]
    return ipaddress.IPv4Address(number)


def parse_ip(host: str) -> tuple[IPAddress, bool] | None:
    """(address, written in a non-canonical form) for an IP literal host, else None."""
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if ":" in host:
        host = host.split("%", 1)[0]  # zone id
        try:
            return ipaddress.IPv6Address(host), False
        except ValueError:
            return None
    if not host or not (host[0].isdigit()):
        return None
    # Four parts of at most three characters: the only spelling IPv4Address reads (others, versions such
    # as "6.3.5.191015" among them, would cost it an exception).
    if host.count(".") == 3 and all(len(part) <= 3 for part in host.split(".")):
        try:
            return ipaddress.IPv4Address(host), False
        except ValueError:
            pass
    loose = parse_ipv4_loose(host)
    return (loose, True) if loose is not None else None


def _wrapped_ipv4(host: str) -> tuple[IPAddress, bool] | None:
    """Spellings that only lenient parsers accept by wrapping around: a number above 2**32 (kept mod
    2**32: 7147006462, 0x41414141a9fea9fe) or dotted parts above 255 (kept mod 256: 425.510.425.510)."""
    if not host.isascii():
        # No parser reads an address in other digits (and str.isdigit also says yes to circled and
        # superscript ones that int() refuses: "⓿" had raised); NFKC has already mapped the ones it can.
        return None
    if host.isdigit() and len(host) <= 20:
        return ipaddress.IPv4Address(int(host) % 2**32), True
    if host.startswith("0x") and 2 < len(host) <= 34 and all(c in "0123456789abcdef" for c in host[2:]):
        return ipaddress.IPv4Address(int(host[2:], 16) % 2**32), True
    parts = host.split(".")
    if len(parts) == 4 and all(part.isdigit() and len(part) <= 4 for part in parts):
        return ipaddress.IPv4Address(".".join(str(int(part) % 256) for part in parts)), True
    return None


def _unwrap(ip: IPAddress) -> IPAddress:
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip in _NAT64:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if ip.sixtofour is not None:
            return ip.sixtofour
        # Deprecated IPv4-compatible form ::a.b.c.d (not ::, ::1).
        if int(ip) >> 32 == 0 and int(ip) > 1:
            return ipaddress.IPv4Address(int(ip))
    return ip


def classify_ip(ip: IPAddress) -> str | None:
    ip = _unwrap(ip)
    if isinstance(ip, ipaddress.IPv4Address):
        number = int(ip)
        if public_prefix(number >> 24, (number >> 16) & 255):
            return None  # most addresses (versions such as "2.3.26" read as 2.3.0.26): no range lookups
    return _classify_exactly(ip)


def is_metadata(ip: IPAddress) -> bool:
    """``ip`` (unwrapped) is a metadata or credential service's address: one of the known ones, or any
    IPv4 link-local one, where every cloud puts its metadata and credential services. (IPv4 by its
    number: hashing an address object or asking a network costs several Python calls.)"""
    if isinstance(ip, ipaddress.IPv4Address):
        number = int(ip)
        return number >> 16 == _LINK_LOCAL_V4_PREFIX or number in _METADATA_V4_NUMBERS
    return ip in _METADATA_V6


def _classify_exactly(ip: IPAddress) -> str | None:
    """``classify_ip`` by ``ipaddress``'s ranges (``is_private`` tries a dozen networks)."""
    if is_metadata(ip):
        return METADATA
    if isinstance(ip, ipaddress.IPv4Address) and 0 < int(ip) < 1 << 24:
        # "This network" (0.0.0.0/8): a connection to any of it but 0.0.0.0 itself, which Linux and
        # macOS take as the local host, fails ("http:80/png", an ELB health-check target, reads as
        # http://0.0.0.80/png).
        return None
    if isinstance(ip, ipaddress.IPv4Address) and int(ip) >> 28 == 0xF:
        # 240.0.0.0/4, reserved, and its last address the limited broadcast: no host answers a
        # connection there ("0xffffffff" is a mask or the largest 32-bit number)
        return None
    if ip.is_loopback or ip.is_unspecified:
        return LOOPBACK
    if any(ip in network for network in _DOCUMENTATION if network.version == ip.version):
        # RFC 5737 and 3849 reserve these for examples (an API's "192.0.2.1:9000"): ipaddress counts them
        # private, but no network routes them and no host answers there
        return None
    if ip.is_private or ip.is_link_local or (isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT_V4):
        return PRIVATE
    return None


def _embedded_ip(name: str) -> ipaddress.IPv4Address | None:
    """An IPv4 address a wildcard-DNS name spells in its labels (dotted, dashed or 8 hex digits)."""
    labels = name.split(".")
    for index in range(len(labels) - 3):
        candidate = ".".join(labels[index : index + 4])
        if all(label.isdigit() and len(label) <= 3 for label in labels[index : index + 4]):
            try:
                return ipaddress.IPv4Address(candidate)
            except ValueError:
                continue
    dashed = _DASHED.search(name)
    if dashed:
        try:
            return ipaddress.IPv4Address(".".join(dashed.groups()))
        except ValueError:
            pass
    if len(labels) >= 3 and labels[-2] in _HEX_ZONES:
        # nip.io/sslip.io take the address as 8 hex digits, alone or after a name and "-"
        # ("app-7f000001.nip.io"); rbndr.us alternates between two of them.
        for label in labels[:-2]:
            digits = label.rpartition("-")[2]
            if _HEX_LABEL.fullmatch(digits):
                address = ipaddress.IPv4Address(int(digits, 16))
                if classify_ip(address) is not None:
                    return address
    return None


_ASCII_DIGIT = re.compile("[0-9]")


def _has_digit(host: str) -> bool:
    if host.isascii():  # the common case, in C
        return _ASCII_DIGIT.search(host) is not None
    return any(ch.isdigit() for ch in host)


def _category(ip: IPAddress, metadata_only: bool) -> str | None:
    if metadata_only:
        return METADATA if is_metadata(_unwrap(ip)) else None
    return classify_ip(ip)


# The verdicts on hosts of URLs (``classify_host``'s defaults), by host as written. A function's URLs
# name few hosts - its own site in every Referer and Origin, a few partners in callback and image
# URLs - and a warm function's traffic drew a new Referer page, but not a new host, for each request,
# where a verdict costs as much as the rest of that header's inspection. Emptied when full, so
# distinct hosts from an attacker cost what they did without it.
_URL_HOSTS: dict[str, HostVerdict | None] = {}
_URL_HOSTS_SIZE = 256


def forget_hosts() -> None:
    """Empty the remembered verdicts (``Firewall.forget``: an inspection at first sight knows no host)."""
    _URL_HOSTS.clear()


def classify_host(raw_host: str, lenient: bool = True, metadata_only: bool = False) -> HostVerdict | None:
    """Why a connection to ``raw_host`` (no port, no userinfo) would reach an internal target.

    ``lenient`` also accepts the wrap-around spellings some parsers tolerate; it is meant for hosts
    inside URLs, not for bare values, where a long number is far more likely to be an id.
    ``metadata_only``: the caller reports nothing but a metadata address for this host, so an address
    is not looked up in the loopback and private ranges (``is_private`` alone tries a dozen networks);
    names may still be answered as loopback or internal."""
    if not lenient or metadata_only:
        return _classify(raw_host, lenient, metadata_only)
    if raw_host in _URL_HOSTS:
        return _URL_HOSTS[raw_host]
    verdict = _classify(raw_host, True, False)
    if len(_URL_HOSTS) >= _URL_HOSTS_SIZE:
        _URL_HOSTS.clear()
    _URL_HOSTS[raw_host] = verdict
    return verdict


def _classify(raw_host: str, lenient: bool, metadata_only: bool) -> HostVerdict | None:
    host = raw_host.strip().lower()
    if not host.isascii():
        host = unicodedata.normalize("NFKC", host.translate(_DOTS)).lower()
    host = host.rstrip(".") if host not in (".",) else host
    if not host:
        return None
    # parse_ip only reads a host that starts with a digit or "[" or holds a ":", _wrapped_ipv4 one that
    # starts with a digit: a name such as "shop.example.com" skips both.
    leading_digit = host[0].isdigit()
    if leading_digit and public_ipv4(host):
        return None  # the common case (a client address): decided without building an address object
    parsed = parse_ip(host) if leading_digit or host[0] == "[" or ":" in host else None
    if parsed is None and lenient and leading_digit:
        wrapped = _wrapped_ipv4(host)
        # Only worth reporting when the wrap lands on a target: "256.1.1.1" is just an invalid host.
        if wrapped is not None and classify_ip(wrapped[0]) in (METADATA, LOOPBACK):
            parsed = wrapped
    if parsed is not None:
        ip, obfuscated = parsed
        unwrapped = _unwrap(ip)
        category = _category(ip, metadata_only)
        if category is None:
            return None
        spelled = f"{raw_host[:60]} = {unwrapped}" if obfuscated or unwrapped != ip else str(ip)
        return HostVerdict(category, spelled, obfuscated or unwrapped != ip)
    if host in _METADATA_NAMES:
        return HostVerdict(METADATA, host, False)
    if host in _LOOPBACK_NAMES:
        return HostVerdict(LOOPBACK, host, False)
    if host.endswith(_LOOPBACK_SUFFIXES) or host in _LOOPBACK_ZONES:
        return HostVerdict(LOOPBACK, f"{host} resolves to loopback", True)
    embedded = _embedded_ip(host) if _has_digit(host) else None
    if embedded is not None:
        category = _category(embedded, metadata_only)
        if category is not None:
            return HostVerdict(category, f"{host[:60]} embeds {embedded}", True)
    if host.startswith("kubernetes.default") or host.endswith(_INTERNAL_SUFFIXES):
        return HostVerdict(PRIVATE, f"internal DNS name {host[:60]}", False)
    if host.endswith(_PROBE_SUFFIXES) and not metadata_only:
        return HostVerdict(PROBE, f"{host[:60]} is a scanner's out-of-band or rebinding host", False)
    return None
