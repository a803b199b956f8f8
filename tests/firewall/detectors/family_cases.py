"""Shared checks for the detector-family tests: fixture loading, rates and the PREFILTER property."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import ModuleType

from family_corpus import excluded, first_detection, instantiate, query_fields, units

from hullguard.firewall.detectors.base import ScanContext

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "detectors"
MIN_DETECTION = 0.99
MAX_FALSE_POSITIVES = 0.005


def corpus_lines(family: str) -> list[tuple[str, str]]:
    """(list name, line) pairs copied from public payload lists, minus the excluded categories."""
    path = FIXTURES / family / "corpus.tsv"
    if not path.exists():
        return []
    rows = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        list_name, _, line = raw.partition("\t")
        if line and excluded(list_name, line) is None:
            rows.append((list_name, instantiate(line)))
    return rows


def handwritten(family: str, kind: str) -> list[str]:
    """Hand-written payloads (``attacks``) or benign values (``benign``) for ``family``."""
    path = FIXTURES / family / f"{kind}.json"
    return list(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else []


def benign_queries() -> list[str]:
    return list(json.loads((FIXTURES / "families-benign" / "query-strings.json").read_text(encoding="utf-8")))


def detection_rate(modules: list[ModuleType], payloads: list[str]) -> tuple[float, list[str]]:
    missed = [payload for payload in payloads if first_detection(modules, payload) is None]
    return 1.0 - len(missed) / max(1, len(payloads)), missed


def false_positive_queries(modules: list[ModuleType], queries: list[str]) -> list[str]:
    flagged = []
    for query in queries:
        for text, is_key, location in query_fields(query):
            if first_detection(modules, text, is_key=is_key, location=location) is not None:
                flagged.append(query)
                break
    return flagged


def prefilter_violations(module: ModuleType, texts: list[str]) -> list[str]:
    """Strings that ``scan`` flags although the family's PREFILTER finds nothing in them."""
    prefilter = re.compile(module.PREFILTER, re.IGNORECASE)
    bad = []
    for text in texts:
        for unit, is_key in units(text):
            for paranoia in (1, 3):
                ctx = ScanContext(paranoia=paranoia, is_key=is_key)
                if module.scan(unit, ctx) is not None and not prefilter.search(unit):
                    bad.append(unit)
    return bad
