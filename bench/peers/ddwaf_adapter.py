"""Datadog's in-app WAF (libddwaf with its default rules, as bundled in ddtrace) on the samples.

Run with the ddtrace peer's interpreter:
``python ddwaf_adapter.py [--whole-request] detect|lockstep|adversarial CORPORA OUT [SAMPLES]``.
The event is mapped to libddwaf's HTTP addresses by ``firewall_corpus.peer_view`` (timed as part of the
inspection, as ddtrace's own integrations must do it too), then evaluated in a fresh context.

By default the view goes through ``DDWaf.run`` as ddtrace runs it: converted with ddtrace's limits (256
items per map or list, 20 levels, 4,096 characters per string) and evaluated with a 50 ms timeout, so of
a big body libddwaf inspects a part. ``--whole-request`` converts the same view without those limits and
evaluates it with a timeout that never cuts it, so both sides do the same work. libddwaf 2.1 itself then
walks all of it (an attack past item 256, level 20 or character 4,096 of the unlimited conversion is
found); what can still cut the input (libddwaf objects hold at most 65,535 items per container, the
conversion stops at 1,000 levels) or the evaluation (the timeout) is raised as ``IncompleteInspection``,
so such an event gets the reason instead of a time. (Nesting of a few hundred levels already fails the
conversion on Python's recursion limit: reported as a failure, as in the adversarial table.)
"""

from __future__ import annotations

import sys
import time
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import ddtrace.appsec as appsec
from ddtrace.appsec._ddwaf import DDWaf
from ddtrace.appsec._ddwaf.ddwaf_types import (
    DDWAF_DEPTH_NO_LIMIT,
    DDWAF_NO_LIMIT,
    DDWAF_OBJ_MAX_CAPACITY,
    DEFAULT_ALLOCATOR,
    ddwaf_context_eval,
    ddwaf_object,
    ddwaf_object_free,
)
from ddtrace.appsec._ddwaf.waf import DDWAF_ERR_INVALID_ARGUMENT, py_ddwaf_context_init
from ddtrace.appsec._utils import _observator
from serve import IncompleteInspection, serve

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

# ddtrace's own timeout for a request (DDWaf.run's timeout_ms in the default mode).
DDTRACE_TIMEOUT_MS = 50
# For instruction counts (``repeat``): under valgrind libddwaf runs tens of times slower, and ddtrace's
# 50 ms would cut short a 64 KB body that takes it 8 ms natively; the count is of the work it does
# natively, so the deadline must not move with valgrind's slowdown.
COUNTING_TIMEOUT_MS = 600_000
# Ten minutes, in the microseconds ddwaf_context_eval takes: far above the slowest whole-request run
# (a few seconds on the 6 MB body), far below where libddwaf's deadline (now + timeout) could overflow.
WHOLE_REQUEST_TIMEOUT_US = 600 * 1_000_000

_started = time.perf_counter()
WAF = DDWaf((Path(appsec.__file__).parent / "rules.json").read_bytes(), b"", b"")
INIT_MS = (time.perf_counter() - _started) * 1000


def attack_classes(events: list[dict[str, Any]]) -> list[str]:
    """The benchmark's attack classes of libddwaf's matched rules."""
    found = []
    for match in events:
        kind = match.get("rule", {}).get("tags", {}).get("type", "other")
        found.append(TYPES.get(kind, kind))
    return found


def as_ddtrace_runs(event: dict[str, object], timeout_ms: float = DDTRACE_TIMEOUT_MS) -> list[str]:
    """libddwaf as ddtrace hands it a request: ddtrace's conversion limits and timeout."""
    ctx = py_ddwaf_context_init(WAF._handle)
    result = WAF.run(ctx, fc.peer_view(event), timeout_ms=timeout_ms)
    return attack_classes(result.data or [])


def whole_request(event: dict[str, object]) -> list[str]:
    """libddwaf on all of the request: the same view, converted without limits, never timed out."""
    observator = _observator()
    data = ddwaf_object(
        fc.peer_view(event),
        observator=observator,
        max_objects=DDWAF_NO_LIMIT,
        max_depth=DDWAF_DEPTH_NO_LIMIT,
        max_string_length=DDWAF_NO_LIMIT,
    )  # what ddwaf_object.create_without_limits builds, with an observator to tell whether it cut
    refuse_if_cut(observator)
    ctx = py_ddwaf_context_init(WAF._handle)
    result = evaluate(ctx, data, WHOLE_REQUEST_TIMEOUT_US)
    if result["timeout"]:
        raise IncompleteInspection(f"libddwaf timed out after {WHOLE_REQUEST_TIMEOUT_US // 1_000_000} s")
    return attack_classes(result["events"])


def refuse_if_cut(observator: Any) -> None:
    """Raise if the conversion left out part of the input: the limits of libddwaf's object format."""
    if observator.container_size is not None:
        raise IncompleteInspection(
            f"a container of {observator.container_size:,} items cut to {DDWAF_OBJ_MAX_CAPACITY:,}"
        )
    if observator.container_depth is not None:
        raise IncompleteInspection(f"nesting cut at {DDWAF_DEPTH_NO_LIMIT:,} levels")
    if observator.string_length is not None:
        raise IncompleteInspection(f"a string of {observator.string_length:,} bytes cut")


def evaluate(ctx: Any, data: Any, timeout_us: int) -> dict[str, Any]:
    """``ddwaf_context_eval`` as ``DDWaf.run`` calls it; ``DDWaf.run`` itself cannot be used, as it
    converts its input with ddtrace's limits. libddwaf's result is returned as a dict."""
    result_obj = ddwaf_object()
    code = ddwaf_context_eval(ctx.ctx, data, DEFAULT_ALLOCATOR, result_obj, timeout_us)
    # Input ownership as in DDWaf.run: the context owns it unless libddwaf refused the argument.
    if code == DDWAF_ERR_INVALID_ARGUMENT:
        ddwaf_object_free(data)
    result = result_obj.struct
    ddwaf_object_free(result_obj)
    if code < 0 or not isinstance(result, dict):
        raise RuntimeError(f"ddwaf_context_eval failed with code {code}")
    return result


def main(args: list[str]) -> None:
    whole = bool(args) and args[0] == "--whole-request"
    if whole:
        serve(whole_request, INIT_MS, args[1:])
    elif args and args[0] == "repeat":
        serve(partial(as_ddtrace_runs, timeout_ms=COUNTING_TIMEOUT_MS), INIT_MS, args)
    else:
        serve(as_ddtrace_runs, INIT_MS, args)


if __name__ == "__main__":
    main(sys.argv[1:])
