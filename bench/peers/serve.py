"""The command line every peer adapter shares: ``adapter.py detect|speed|adversarial CORPORA OUT [SAMPLES]``.

The adapter supplies only its ``inspect(event) -> list of attack classes``; this module runs it over the
benchmark's samples exactly as the hullguard side is run, and writes ``{"init_ms", "results"}`` as JSON.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from timing import time_call

import firewall_corpus as fc


def serve(inspect: fc.Inspector, init_ms: float) -> None:
    mode, corpora, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    if mode == "detect":
        payload: object = fc.run_detection(inspect, corpora, fc.load_samples(Path(sys.argv[4])))
    elif mode == "speed":
        payload = {
            name: time_call(lambda e=event: inspect(e)) for name, event in fc.speed_events(corpora).items()
        }
    else:
        adversarial: dict[str, object] = {}
        for name, event in fc.adversarial_events(corpora).items():
            try:
                adversarial[name] = time_call(lambda e=event: inspect(e), budget_s=0.3, min_runs=3)
            except Exception as exc:  # a peer failing on hostile input is a result, not a crash
                adversarial[name] = {"error": f"{type(exc).__name__}"}
        payload = adversarial
    out.write_text(json.dumps({"init_ms": init_ms, "results": payload}))
