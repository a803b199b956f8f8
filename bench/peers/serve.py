"""The command line every peer adapter shares: ``adapter.py detect|adversarial CORPORA OUT [SAMPLES]``,
``adapter.py events CORPORA OUT EVENTS`` (the classes each event of a JSON list is reported as),
``adapter.py lockstep CORPORA -`` (speed: timed in turns with the other tools, see ``lockstep.py``) and
``adapter.py repeat CORPORA OUT EVENT RUNS`` (only inspects one speed event or real HTTP sample, for
``bench/instructions.py``).

The adapter supplies only its ``inspect(event) -> list of attack classes``; this module runs it over the
benchmark's samples exactly as the hullguard side is run, and writes ``{"init_ms", "results"}`` as JSON.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path

import lockstep
from timing import time_call

import firewall_corpus as fc


class IncompleteInspection(Exception):
    """Raised by an inspector that could not inspect the whole event (input cut, evaluation timed out).

    A time for such an event would compare unequal work, so the event gets the reason instead.
    """


def serve(inspect: fc.Inspector, init_ms: float, args: list[str] | None = None) -> None:
    """Run ``inspect`` in the mode the command line (``args``, default ``sys.argv[1:]``) asks for."""
    mode, corpora, out, *rest = sys.argv[1:] if args is None else args
    corpora_dir = Path(corpora)
    if mode == "detect":
        payload: object = fc.run_detection(inspect, corpora_dir, fc.load_samples(Path(rest[0])))
    elif mode == "lockstep":  # timed in turns with the other tools, see lockstep.py
        lockstep.work({"": inspect}, lambda: inspect, corpora_dir, IncompleteInspection)
        return
    elif mode == "events":  # for ``bench/crs_tests.py --peers``: the classes reported per event of a file
        payload = [inspect(event) for event in json.loads(Path(rest[0]).read_text())]
    elif mode == "repeat":  # for ``bench/instructions.py --peer``: inspect one event, untimed
        name, runs = rest[0], int(rest[1])
        event = fc.named_event(corpora_dir, name)
        for _ in range(3 + runs):  # three first, as the hullguard worker does
            inspect(event)
        payload = {}
    else:
        payload = {
            name: timed_or_reason(partial(inspect, event), budget_s=0.3, min_runs=3)
            for name, event in fc.adversarial_events(corpora_dir).items()
        }
    Path(out).write_text(json.dumps({"init_ms": init_ms, "results": payload}))


def timed_or_reason(fn: Callable[[], object], budget_s: float = 1.5, min_runs: int = 5) -> dict[str, object]:
    """The timing of ``fn``, or why there is none: a peer failing on an input is a result, not a crash."""
    try:
        return dict(time_call(fn, budget_s=budget_s, min_runs=min_runs))
    except IncompleteInspection as exc:
        return {"incomplete": str(exc)}
    except Exception as exc:
        return {"error": type(exc).__name__}
