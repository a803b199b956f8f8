"""Coverage-guided fuzzing of the firewall's detectors and of ``Firewall.inspect`` (atheris, libFuzzer).

    .venv/bin/pip install atheris
    .venv/bin/python scripts/fuzz_firewall.py [TARGET] [libFuzzer flags, e.g. -max_total_time=600 CORPUS_DIR]

TARGET is a family (``sqli``, ``xss``, ...) whose detector gets the input as text; ``inspect`` (the
default), which puts the input in an API Gateway query value, a JSON body or an SQS body; or ``events``,
which puts it in any string of any of the repository's real sample events (``tests/fixtures/events``:
every trigger type), as it is, base64-encoded or gzipped. Both inspect with the default rules.

A crash is what the firewall must never do: an exception out of a detector (its guard, or the engine,
would hide it as no finding or an ``HG-INTERNAL-001`` one), an internal error in a verdict, or a call
slower than ``SLOW_MS`` on an input of at most 4 KB (linear-time detectors answer such inputs in well
under a millisecond: a slow one points at a superlinear path).
libFuzzer keeps the input that crashed (``crash-*``); replay it with the same command and the file.

Seed corpora: a directory of files, one input each (libFuzzer reads every file in it). The attack lines
of the development corpora make a good start; libFuzzer mutates them and keeps what reaches new code.
"""

from __future__ import annotations

import base64
import copy
import gzip
import importlib
import json
import pkgutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from firewall_corpus import string_slots  # the benchmark's corpus helpers, not instrumented

SAMPLE_EVENTS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "events"
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


def _inspect(firewall: Firewall, event: dict[str, Any]) -> None:
    """``event`` inspected at first sight, timed; an internal error is a crash."""
    firewall.forget()
    verdict = _timed(firewall.inspect, event)
    if verdict.error:
        raise RuntimeError(verdict.error)


def detector_target(family: str) -> Callable[[bytes], None]:
    module = importlib.import_module(f"hullguard.firewall.detectors.{family}")  # instrumented above
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
        _inspect(firewall, event)

    return one_input


def events_target() -> Callable[[bytes], None]:
    """The input put in one string of one of the repository's real sample events (every trigger type), as
    it is, base64-encoded, or gzipped and base64-encoded (Kinesis data, CloudWatch Logs)."""
    firewall = Firewall()
    samples = [json.loads(path.read_text()) for path in sorted(SAMPLE_EVENTS.glob("*/*.json"))]
    samples = [sample for sample in samples if isinstance(sample, dict) and string_slots(sample)]

    def one_input(raw: bytes) -> None:
        data = atheris.FuzzedDataProvider(raw)
        event = copy.deepcopy(samples[data.ConsumeIntInRange(0, len(samples) - 1)])
        leaves = string_slots(event)
        container, key = leaves[data.ConsumeIntInRange(0, len(leaves) - 1)]
        encoding = data.ConsumeIntInRange(0, 2)
        text = data.ConsumeUnicodeNoSurrogates(MAX_INPUT)
        if encoding == 1:
            text = base64.b64encode(text.encode("utf-8", "surrogatepass")).decode()
        elif encoding == 2:
            text = base64.b64encode(gzip.compress(text.encode("utf-8", "surrogatepass"), mtime=0)).decode()
        container[key] = text
        _inspect(firewall, event)

    return one_input


TARGETS = ("inspect", "events", *FAMILIES)


def main() -> None:
    target = "inspect"
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-") and not sys.argv[1].startswith("/"):
        target = sys.argv.pop(1)
    if target not in TARGETS:
        sys.exit(f"unknown target {target!r}: one of {', '.join(TARGETS)}")
    if target == "inspect":
        one_input = inspect_target()
    elif target == "events":
        one_input = events_target()
    else:
        one_input = detector_target(target)
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
