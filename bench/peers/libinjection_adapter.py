"""libinjection (``libinjection-python``, SQLi and XSS only) on the samples.

libinjection judges single strings, so every string of the event's HTTP view (see
``firewall_corpus.peer_view``), and its URL-decoded form, is tested on its own.
"""

from __future__ import annotations

import json
import sys
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import libinjection
from timing import time_call

import firewall_corpus as fc


def inspect(event: dict[str, object]) -> list[str]:
    found: list[str] = []
    for text in fc.string_leaves(fc.peer_view(event)):
        for view in {text, urllib.parse.unquote_plus(text)}:
            if libinjection.is_sql_injection(view)["is_sqli"]:
                found.append("sqli")
            if libinjection.is_xss(view)["is_xss"]:
                found.append("xss")
        if found:
            break
    return found


def main() -> None:
    mode, corpora, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    if mode == "detect":
        payload: object = fc.run_detection(inspect, corpora, fc.load_samples(Path(sys.argv[4])))
    elif mode == "speed":
        payload = {
            name: time_call(lambda e=event: inspect(e)) for name, event in fc.speed_events(corpora).items()
        }
    else:
        payload = {
            name: time_call(lambda e=event: inspect(e), budget_s=0.3, min_runs=3)
            for name, event in fc.adversarial_events(corpora).items()
        }
    out.write_text(json.dumps({"init_ms": 0.0, "results": payload}))


if __name__ == "__main__":
    main()
