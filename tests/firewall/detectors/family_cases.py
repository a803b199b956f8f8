"""Shared checks for the detector-family tests: fixture loading, rates and the PREFILTER property."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
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
    """Strings that the detector flags although the family's PREFILTER finds nothing in them. Asked
    through ``scan_unfiltered`` where the module has one (what the engine calls): ``scan`` checks the
    PREFILTER first, so through it the property would hold whatever the detector does."""
    prefilter = re.compile(module.PREFILTER, re.IGNORECASE)
    scan = getattr(module, "scan_unfiltered", module.scan)
    bad = []
    for text in texts:
        for unit, is_key in units(text):
            for paranoia in (1, 3):
                ctx = ScanContext(paranoia=paranoia, is_key=is_key)
                if scan(unit, ctx) is not None and not prefilter.search(unit):
                    bad.append(unit)
    return bad


SuiteTest = Callable[[], None]
_FUZZ_TOKENS = [
    "${", "}", "{{", "}}", "../", "%c0%af", "http://", "[", "]", "<!ENTITY", "<!DOCTYPE", "$ne", "__proto__", ")(",
    "' or ", "\r\n", "0x", "169.254.", "::", "@", "%", "\\\\", "rO0AB", "gASV", 'O:8:"', "!!python/", "\x00",
]
_FUZZ_CHARS = "aZ09 .,;:/\\'\"<>?*()[]{}$#%@!|&=+-_~\x00\x80\xac\uff0e\u2215\ud800\u560a\u010d\u2460\U0001f600"
_LOCATIONS = ("", "headers.x-test", "body.constructor", "queryStringParameters.page", "awslogs.data.logEvents[0]")


def family_suite(
    module: ModuleType,
    family: str,
    adversarial: list[str],
    min_corpus: int = 0,
    corpus_companions: tuple[ModuleType, ...] = (),
) -> tuple[SuiteTest, SuiteTest, SuiteTest, SuiteTest, SuiteTest, SuiteTest]:
    """The checks every family shares, as test functions for the family's test module to bind.

    Corpus lines (public lists) and hand-written attacks must reach ``MIN_DETECTION``; benign query
    strings and hand-written benign values must stay under ``MAX_FALSE_POSITIVES``; the PREFILTER must
    match every string ``scan`` flags; 100 KB of each adversarial chunk must complete. Public lists mix
    classes (the LDAP list carries XPath payloads), so ``corpus_companions`` also count for corpus lines.
    """

    def test_corpus_and_handwritten_detection_rate() -> None:
        lines = [line for _, line in corpus_lines(family)]
        assert len(lines) >= min_corpus
        attacks = handwritten(family, "attacks")
        assert attacks, "every family has hand-written attack fixtures"
        for payloads, modules in ((lines, [module, *corpus_companions]), (attacks, [module])):
            if payloads:
                rate, missed = detection_rate(modules, payloads)
                assert rate >= MIN_DETECTION, missed[:10]

    def test_handwritten_benign_values_pass() -> None:
        benign = handwritten(family, "benign")
        assert benign
        flagged = [value for value in benign if first_detection([module], value) is not None]
        assert flagged == []

    def test_benign_query_strings_false_positive_rate() -> None:
        queries = benign_queries()
        flagged = false_positive_queries([module], queries)
        assert len(flagged) / len(queries) <= MAX_FALSE_POSITIVES, flagged[:5]

    def test_prefilter_is_a_necessary_condition() -> None:
        texts = [line for _, line in corpus_lines(family)] + handwritten(family, "attacks")
        texts += handwritten(family, "benign") + benign_queries()
        assert prefilter_violations(module, texts) == []

    def test_adversarial_inputs_complete() -> None:
        for chunk in adversarial:
            text = chunk * (100_000 // len(chunk))
            for ctx in (ScanContext(), ScanContext(is_key=True, paranoia=3)):
                module.scan(text, ctx)  # must return, not raise or hang
        # Seeded mixes of attack tokens, odd code points and lone surrogates: scan never raises.
        rng = random.Random(family)
        pieces = [*adversarial, *_FUZZ_TOKENS]
        for _ in range(1500):
            text = "".join(rng.choice(pieces) if rng.random() < 0.5 else rng.choice(_FUZZ_CHARS) for _ in range(40))
            paranoia, is_key = rng.choice((1, 2, 3)), rng.random() < 0.3
            ctx = ScanContext(paranoia=paranoia, is_key=is_key, location=rng.choice(_LOCATIONS))
            module.scan(text, ctx)

    def test_rule_catalogue_is_complete() -> None:
        ids = [rule.rule_id for rule in module.RULES]
        assert ids and len(ids) == len(set(ids))
        assert all(rule.family == module.FAMILY == family for rule in module.RULES)
        assert all(rule.description and rule.remediation and rule.cwe.startswith("CWE-") for rule in module.RULES)

    return (
        test_corpus_and_handwritten_detection_rate,
        test_handwritten_benign_values_pass,
        test_benign_query_strings_false_positive_rate,
        test_prefilter_is_a_necessary_condition,
        test_adversarial_inputs_complete,
        test_rule_catalogue_is_complete,
    )
