"""Datadog's in-app WAF (libddwaf with its default rules, as bundled in ddtrace) on the samples.

Run with the ddtrace peer's interpreter: ``python ddwaf_adapter.py detect|speed|adversarial CORPORA OUT``.
The event is mapped to libddwaf's HTTP addresses by ``firewall_corpus.peer_view`` (timed as part of the
inspection, as ddtrace's own integrations must do it too), then evaluated in a fresh context.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import ddtrace.appsec as appsec
from ddtrace.appsec._ddwaf import DDWaf
from ddtrace.appsec._ddwaf.waf import py_ddwaf_context_init
from serve import serve

import firewall_corpus as fc

# libddwaf rule "type" tags -> the benchmark's attack classes
TYPES = {
    "sql_injection": "sqli",
    "xss": "xss",
    "command_injection": "cmdi",
    "shell_injection": "cmdi",
    "unix_shell_injection": "cmdi",
    "windows_shell_injection": "cmdi",
    "lfi": "path",
    "rfi": "rfi",
    "ssrf": "ssrf",
    "nosql_injection": "nosql",
    "php_code_injection": "code",
    "js_code_injection": "code",
    "java_code_injection": "code",
    "exploit_detection": "code",
    "xxe": "xxe",
    "ldap_injection": "ldap",
    "http_protocol_violation": "protocol",
    "security_scanner": "scanner",
    "attack_tool": "scanner",
}

_started = time.perf_counter()
WAF = DDWaf((Path(appsec.__file__).parent / "rules.json").read_bytes(), b"", b"")
INIT_MS = (time.perf_counter() - _started) * 1000


def inspect(event: dict[str, object]) -> list[str]:
    ctx = py_ddwaf_context_init(WAF._handle)
    result = WAF.run(ctx, fc.peer_view(event), timeout_ms=50)
    found = []
    for match in result.data or []:
        kind = match.get("rule", {}).get("tags", {}).get("type", "other")
        found.append(TYPES.get(kind, kind))
    return found


if __name__ == "__main__":
    serve(inspect, INIT_MS)
