"""Public IPv4 addresses, told apart from internal ones without ``ipaddress`` (whose objects cost
microseconds each, and whose import costs cold-start time): the SSRF detector's shortcut for the
common case, a client's address, and the X-Forwarded-For shape's (``header_shapes.py``); and, from an
address's first two octets, its test of a parsed address (``ssrf_hosts.classify_ip``)."""

from __future__ import annotations

from hullguard.firewall.decoders import LazyPattern

# A canonical dotted quad (decimal octets up to 255, no leading zeros), the first two octets captured;
# compiled on first use (0.35 ms).
_OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_DOTTED_QUAD = LazyPattern(rf"({_OCTET})\.({_OCTET})\.{_OCTET}\.{_OCTET}")


def public_ipv4(text: str) -> bool:
    """``text`` is an IPv4 address in canonical dotted-decimal form outside every range the SSRF
    detector can report (``ssrf_hosts.classify_ip``), told from its first two octets. The ranges
    checked are a superset of those (multicast and reserved space included, whatever a Python
    version's ``is_private`` holds): an address in them takes the exact path, so this only ever says
    "public" for an address that is. Other spellings (octal, hex, padded) are left to the exact path."""
    quad = _DOTTED_QUAD.get().fullmatch(text)
    return quad is not None and public_prefix(int(quad[1]), int(quad[2]))


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
