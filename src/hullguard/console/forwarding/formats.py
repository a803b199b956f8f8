"""Pure encoders: an event (OCSF dict as stored) into a Splunk HEC payload, a CEF message in an
RFC 5424 syslog line, a signed webhook body. No I/O here."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import socket
from typing import Any

from hullguard._version import __version__

# CEF severity is 0-10; map OCSF severity_id 1-5 onto it.
_CEF_SEVERITY = {1: 1, 2: 3, 3: 5, 4: 8, 5: 10}
SYSLOG_FACILITY_SECURITY = 13  # "log audit"; RFC 5424 table 1
_SYSLOG_SEVERITY = {1: 6, 2: 5, 3: 4, 4: 3, 5: 2}  # info→informational ... critical→critical


def splunk_hec_payload(events: list[dict[str, Any]], host: str = "") -> bytes:
    """HEC's JSON event endpoint takes several event objects concatenated in one body."""
    host = host or socket.gethostname()
    return "".join(
        json.dumps(
            {
                "time": event.get("time", 0) / 1000,
                "host": host,
                "source": "hullguard",
                "sourcetype": "hullguard:event",
                "event": event,
            },
            separators=(",", ":"),
            ensure_ascii=True,
        )
        for event in events
    ).encode()


def _cef_header(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def _cef_value(text: str) -> str:
    return text.replace("\\", "\\\\").replace("=", "\\=").replace("\r", "\\r").replace("\n", "\\n")


def cef_message(event: dict[str, Any]) -> str:
    """``CEF:0|Vendor|Product|Version|SignatureID|Name|Severity|Extension`` with escaped fields."""
    info = event.get("finding_info", {})
    extra = event.get("unmapped", {})
    fn = extra.get("function", {})
    rule = str(info.get("analytic", {}).get("uid", ""))
    severity = _CEF_SEVERITY.get(int(event.get("severity_id", 1)), 1)
    extension = {
        "rt": str(event.get("time", "")),
        "act": str(event.get("action", "")),
        "cat": str((info.get("types") or [""])[0]),
        "cs1Label": "risk",
        "cs1": str(extra.get("risk", "")),
        "cs2Label": "location",
        "cs2": str(extra.get("location", "")),
        "cs3Label": "trigger",
        "cs3": str(extra.get("trigger", "")),
        "cs4Label": "function",
        "cs4": str(fn.get("name", "")),
        "cs5Label": "requestId",
        "cs5": str(fn.get("request_id", "")),
        "cs6Label": "cwe",
        "cs6": str(extra.get("cwe", "")),
        "msg": str(extra.get("evidence", "")),
        "externalId": str(info.get("uid", "")),
    }
    header = "|".join(
        _cef_header(part)
        for part in ("hullguard", "hullguard", __version__, rule, str(info.get("title", "")), str(severity))
    )
    ext = " ".join(f"{k}={_cef_value(v)}" for k, v in extension.items() if v != "")
    return f"CEF:0|{header}|{ext}"


def syslog_line(event: dict[str, Any], hostname: str = "", app: str = "hullguard") -> str:
    """RFC 5424: ``<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG`` with the CEF text as MSG."""
    severity = _SYSLOG_SEVERITY.get(int(event.get("severity_id", 1)), 6)
    pri = SYSLOG_FACILITY_SECURITY * 8 + severity
    stamp = dt.datetime.fromtimestamp(int(event.get("time", 0)) / 1000, tz=dt.timezone.utc)
    timestamp = stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    host = "".join(c for c in (hostname or socket.gethostname()) if 33 <= ord(c) <= 126)[:255] or "-"
    return f"<{pri}>1 {timestamp} {host} {app} - hullguard-event - {cef_message(event)}"


def tcp_frame(line: str) -> bytes:
    """RFC 6587 octet counting, so a message may safely contain newlines."""
    data = line.encode("utf-8")
    return f"{len(data)} ".encode() + data


def webhook_body(events: list[dict[str, Any]]) -> bytes:
    return json.dumps({"events": events}, separators=(",", ":"), ensure_ascii=True).encode()


def webhook_signature(secret: str, timestamp: int, body: bytes) -> str:
    """``v1=`` HMAC-SHA256 over ``"<timestamp>." + body``: the timestamp is signed too, so a receiver
    that rejects old timestamps also rejects replays."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"v1={mac}"


def verify_webhook(
    secret: str, timestamp: str, signature: str, body: bytes, now_s: int, tolerance_s: int = 300
) -> bool:
    """What a receiver does (documented and used in the tests)."""
    if not timestamp.isdigit() or abs(now_s - int(timestamp)) > tolerance_s:
        return False
    return hmac.compare_digest(webhook_signature(secret, int(timestamp), body), signature)
