"""libinjection (``libinjection-python``, SQLi and XSS only) on the samples.

libinjection judges single strings, so every string of the event's HTTP view (see
``firewall_corpus.peer_view``), and its URL-decoded form, is tested on its own.
"""

from __future__ import annotations

import sys
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import libinjection
from serve import serve

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


if __name__ == "__main__":
    serve(inspect, 0.0)
