"""The I/O of forwarding: one function per destination kind; any failure is a ``DeliveryError``."""

from __future__ import annotations

import socket
import time
import urllib.parse
from typing import Any

import httpx

from hullguard.console.forwarding.formats import (
    splunk_hec_payload,
    syslog_line,
    tcp_frame,
    webhook_body,
    webhook_signature,
)

KINDS = ("splunk", "syslog", "webhook")
TIMEOUT_S = 5.0


class DeliveryError(Exception):
    pass


def check_target(kind: str, target: str) -> None:
    """Refuse a destination that could never work, with the reason (used when one is added)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    parsed = urllib.parse.urlsplit(target)
    if kind == "syslog":
        if parsed.scheme not in ("udp", "tcp") or not parsed.hostname or not parsed.port:
            raise ValueError("syslog target must be udp://host:port or tcp://host:port")
    elif parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ValueError(f"{kind} target must be an http(s) URL")


def _post(url: str, body: bytes, headers: dict[str, str]) -> None:
    try:
        response = httpx.post(url, content=body, headers=headers, timeout=TIMEOUT_S)
    except httpx.HTTPError as exc:
        raise DeliveryError(f"cannot reach {url}: {exc}") from None
    if response.status_code >= 300:
        raise DeliveryError(f"{url} answered {response.status_code}: {response.text[:200]}")


def send_splunk(target: str, token: str, events: list[dict[str, Any]]) -> None:
    _post(target, splunk_hec_payload(events), {"Authorization": f"Splunk {token}", "Content-Type": "application/json"})


def send_webhook(target: str, secret: str, events: list[dict[str, Any]]) -> None:
    body = webhook_body(events)
    stamp = int(time.time())
    _post(
        target,
        body,
        {
            "Content-Type": "application/json",
            "X-Hullguard-Timestamp": str(stamp),
            "X-Hullguard-Signature": webhook_signature(secret, stamp, body),
        },
    )


def send_syslog(target: str, events: list[dict[str, Any]]) -> None:
    parsed = urllib.parse.urlsplit(target)
    host, port = parsed.hostname or "", parsed.port or 514
    lines = [syslog_line(event) for event in events]
    try:
        if parsed.scheme == "tcp":
            with socket.create_connection((host, port), timeout=TIMEOUT_S) as sock:
                sock.sendall(b"".join(tcp_frame(line) for line in lines))
        else:
            # UDP cannot confirm delivery; a connected socket at least surfaces "port unreachable".
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
                sock.settimeout(TIMEOUT_S)
                sock.connect((host, port))
                for line in lines:
                    sock.send(line.encode("utf-8")[:65000])
    except OSError as exc:
        raise DeliveryError(f"syslog {target}: {exc}") from None


def send(kind: str, target: str, secret: str, events: list[dict[str, Any]]) -> None:
    if kind == "splunk":
        send_splunk(target, secret, events)
    elif kind == "webhook":
        send_webhook(target, secret, events)
    elif kind == "syslog":
        send_syslog(target, events)
    else:
        raise DeliveryError(f"unknown destination kind {kind!r}")
