"""Coverage-guided fuzzing of the firewall's detectors and of ``Firewall.inspect`` (atheris, libFuzzer).

    .venv/bin/pip install atheris
    .venv/bin/python scripts/fuzz_firewall.py [TARGET] [libFuzzer flags, e.g. -max_total_time=600 CORPUS_DIR]

TARGET is a family (``sqli``, ``xss``, ...) whose ``scan`` gets the input as text, or ``inspect`` (the
default), which puts the input in an API Gateway query value, a JSON body and an SQS body and inspects
each with the default rules. A crash is what the firewall must never do: an exception out of a
detector (its guard, or the engine, would hide it as no finding or an ``HG-INTERNAL-001`` one), an
internal error in a verdict, or a call slower than ``SLOW_MS`` on an input of at most 4 KB (linear-time
detectors answer such inputs in well under a millisecond: a slow one points at a superlinear path).
libFuzzer keeps the input that crashed (``crash-*``); replay it with the same command and the file.

Seed corpora: a directory of files, one input each (libFuzzer reads every file in it). The attack lines
of the development corpora make a good start; libFuzzer mutates them and keeps what reaches new code.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
import time
from collections.abc import Callable
from typing import Any

import atheris

with atheris.instrument_imports(include=["hullguard"]):
    import hullguard.firewall
    from hullguard.firewall import Firewall

    # Every module now, inside the block: a detector imports some of its parts on first use, and a
    # module imported later is not instrumented (libFuzzer would see no coverage in it).
    for _module in pkgutil.walk_packages(hullguard.firewall.__path__, "hullguard.firewall."):
        importlib.import_module(_module.name)
    from hullguard.firewall.detectors import FAMILIES
    from hullguard.firewall.detectors.base import ScanContext

    DETECTORS = {family: importlib.import_module(f"hullguard.firewall.detectors.{family}") for family in FAMILIES}

SLOW_MS = 200.0  # generous: the machine is shared; a real superlinear path takes seconds at 4 KB
MAX_INPUT = 4096


class SlowInput(Exception):
    """An input took longer than SLOW_MS: a crash for libFuzzer, which keeps the input."""


def _contexts(data: atheris.FuzzedDataProvider) -> ScanContext:
    location = data.PickValueInList(["queryStringParameters.q", "body.name", "headers.user-agent", "Records[0].body"])
    return ScanContext(paranoia=data.ConsumeIntInRange(1, 3), is_key=data.ConsumeBool(), location=location)


def _timed(call: Callable[..., Any], *args: Any) -> Any:
    start = time.perf_counter()
    result = call(*args)
    took = (time.perf_counter() - start) * 1000
    if took > SLOW_MS:
        raise SlowInput(f"{took:.0f} ms on {len(str(args[0]))} characters")
    return result


def detector_target(family: str) -> Callable[[bytes], None]:
    module = DETECTORS[family]
    # Unguarded and past the prefilter, so that all of the detector's code runs and an exception shows:
    # ``detect`` where ``scan`` wraps it in a guard, else ``scan_unfiltered``, else ``scan``.
    scan = getattr(module, "detect", None) or getattr(module, "scan_unfiltered", None) or module.scan

    def one_input(raw: bytes) -> None:
        data = atheris.FuzzedDataProvider(raw)
        ctx = _contexts(data)
        text = data.ConsumeUnicodeNoSurrogates(MAX_INPUT)
        _timed(scan, text, ctx)

    return one_input


def inspect_target() -> Callable[[bytes], None]:
    firewall = Firewall()

    def one_input(raw: bytes) -> None:
        data = atheris.FuzzedDataProvider(raw)
        shape = data.ConsumeIntInRange(0, 2)
        text = data.ConsumeUnicodeNoSurrogates(MAX_INPUT)
        if shape == 0:
            event: dict[str, Any] = {
                "httpMethod": "GET",
                "path": "/",
                "headers": {"Host": "a.example"},
                "queryStringParameters": {"q": text},
                "requestContext": {"stage": "prod"},
            }
        elif shape == 1:
            event = {
                "httpMethod": "POST",
                "path": "/",
                "headers": {"Content-Type": "application/json"},
                "body": json.dumps({"name": text}),
                "requestContext": {"stage": "prod"},
            }
        else:
            event = {"Records": [{"eventSource": "aws:sqs", "messageId": "1", "body": text}]}
        firewall.forget()
        verdict = _timed(firewall.inspect, event)
        if verdict.error:
            raise RuntimeError(verdict.error)

    return one_input


def main() -> None:
    target = "inspect"
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-") and not sys.argv[1].startswith("/"):
        target = sys.argv.pop(1)
    if target != "inspect" and target not in FAMILIES:
        sys.exit(f"unknown target {target!r}: inspect or one of {', '.join(FAMILIES)}")
    one_input = inspect_target() if target == "inspect" else detector_target(target)
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
