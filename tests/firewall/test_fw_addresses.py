"""The public-IPv4 shortcut (``addresses.py``) says "public" only for canonical dotted quads the SSRF
detector would not report, and for the ordinary ones it does say it."""

from __future__ import annotations

import ipaddress
import random

from hullguard.firewall.addresses import public_ipv4, public_ipv4_list
from hullguard.firewall.detectors.ssrf_hosts import classify_host


def test_public_only_where_the_ssrf_detector_reports_nothing() -> None:
    rng = random.Random(7)
    # every /8, the special ranges' edges, and random addresses
    samples = [f"{a}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}" for a in range(256)]
    samples += ["169.254.169.254", "169.254.170.2", "100.100.100.200", "100.64.0.1", "172.16.0.1", "172.31.255.255",
                "192.168.1.1", "10.0.0.1", "127.0.0.1", "0.0.0.0", "255.255.255.255", "224.0.0.1", "192.0.0.192"]
    samples += [str(ipaddress.IPv4Address(rng.getrandbits(32))) for _ in range(20_000)]
    public = 0
    for address in samples:
        if public_ipv4(address):
            public += 1
            assert classify_host(address) is None, address
            assert ipaddress.IPv4Address(address).is_global, address
    assert public > len(samples) // 2  # the shortcut serves most real client addresses
    assert public_ipv4("81.2.69.160") and public_ipv4("8.8.8.8") and public_ipv4("130.176.12.254")


def test_only_canonical_dotted_quads_take_the_shortcut() -> None:
    for text in ("08.8.8.8", "8.8.8", "8.8.8.8.8", "256.8.8.8", "8.8.8.256", " 8.8.8.8", "8.8.8.8 ", "8.8..8",
                 "\u0668.8.8.8", "0x8.8.8.8", "8.8.8.8:80", "", "1000.8.8.8", "+8.8.8.8"):
        assert not public_ipv4(text), text
    assert public_ipv4_list("81.2.69.160, 130.176.12.254")
    assert not public_ipv4_list("81.2.69.160, 10.0.4.2")
