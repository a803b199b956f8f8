"""Public IPv4 addresses, told apart from internal ones without ``ipaddress`` (whose objects cost
microseconds each, and whose import costs cold-start time): the SSRF detector's shortcut for the
common case, a client's address, and the X-Forwarded-For shape's (``header_shapes.py``); and, from an
address's first two octets, its test of a parsed address (``ssrf_hosts.classify_ip``)."""

from __future__ import annotations

_DIGITS = "0123456789"


def public_ipv4(text: str) -> bool:
    """``text`` is an IPv4 address in canonical dotted-decimal form outside every range the SSRF
    detector can report (``ssrf_hosts.classify_ip``), told from its first two octets. The ranges
    checked are a superset of those (multicast and reserved space included, whatever a Python
    version's ``is_private`` holds): an address in them takes the exact path, so this only ever says
    "public" for an address that is. Other spellings (octal, hex, padded) are left to the exact path.
    (Split and counted rather than matched: a regex of four octet alternations costs several times
    as much in the compiled build, and X-Forwarded-For brings a new address with every request.)"""
    parts = text.split(".")
    if len(parts) != 4:
        return False
    for part in parts:
        # one to three ASCII digits, no leading zero (an octal spelling to some parsers)
        if not part or len(part) > 3 or part.strip(_DIGITS) or (part[0] == "0" and len(part) > 1):
            return False
    a, b = int(parts[0]), int(parts[1])
    return a <= 255 and b <= 255 and int(parts[2]) <= 255 and int(parts[3]) <= 255 and public_prefix(a, b)


def public_prefix(a: int, b: int) -> bool:
    """An IPv4 address ``a.b.x.y`` is outside every range the SSRF detector can report, told from its
    first two octets (a superset of those ranges, so this only ever says "public" for an address that
    is)."""
    return not (
        a in (0, 10, 127)
        or a > 223  # multicast, reserved, broadcast
        or (a == 100 and 64 <= b <= 127)  # carrier-grade NAT, Alibaba's metadata address
        or (a == 169 and b == 254)  # link-local: every cloud's metadata and credential services
        or (a == 172 and 16 <= b <= 31)
        or (a == 192 and b in (0, 88, 168))  # IETF protocol assignments, TEST-NET-1, 6to4 relay, private
        or (a == 198 and b in (18, 19, 51))  # benchmarking, TEST-NET-2
        or (a == 203 and b == 0)  # TEST-NET-3
    )


def public_ipv4_list(text: str) -> bool:
    """Every item of a comma-separated list (X-Forwarded-For) is a ``public_ipv4`` address."""
    if "," not in text:  # one client, no proxy: the common case
        return public_ipv4(text.strip())
    return all(public_ipv4(item.strip()) for item in text.split(","))


__all__ = ["public_ipv4", "public_ipv4_list", "public_prefix"]
