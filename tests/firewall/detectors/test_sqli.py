"""SQL injection detector: one positive case set per rule, real benign values, the corpus rates on the
copied samples, the PREFILTER necessary condition and adversarial inputs."""

from __future__ import annotations

import random
import re

import pytest
from injection_corpus import (
    MAX_FALSE_POSITIVES,
    MIN_DETECTION,
    detect,
    detection_rate,
    false_positive_rate,
    fixture_lines,
    fixture_payloads,
    hard_cases,
    query_fields,
    views,
)

from hullguard.events.schema import Severity
from hullguard.firewall.detectors import sqli
from hullguard.firewall.detectors.base import ScanContext
from hullguard.firewall.detectors.sqli_tokens import MAX_TOKENS, SINGLE_QUOTES, tokenize

CTX = ScanContext()

# Rule id -> payloads that must be reported with exactly that rule (public payload shapes).
RULE_CASES: dict[str, list[str]] = {
    "HG-SQLI-001": [
        "admin'--",
        "admin' #",
        "admin')--",
        "x'||'",
        "'-'",
        "x' having name--",
        ",cAsT(chr(126)||vErSiOn()||chr(126)+aS+nUmeRiC)",
    ],
    "HG-SQLI-002": [
        "-1 UNION SELECT 1,2,3--",
        "1+union+select+1,2--",
        "1 union/**/select/**/user(),2",
        "1/*!50000union*/ /*!50000select*/ 1,2",
    ],
    "HG-SQLI-003": [
        "or 1=1--",
        "' or 1=1 limit 1 --",
        "1 where 1=1 and 0=0",
        "x or true--",
        "') or ('x')=('x",
        "(8362=9139)*9139",
        "1 OR X'31'=X'31'",
        "1' or N'a'=N'a",
    ],
    "HG-SQLI-004": ["1; DROP TABLE users", "x' ;drop table users--", "1;SELECT PG_SLEEP(5)--", "x; DECLARE @q int"],
    "HG-SQLI-005": ["1 and sleep(5)", "1 and pg_sleep(5)", "sleep(5)#", "benchmark(5000000,md5(1))"],
    "HG-SQLI-006": [
        "extractvalue(1,concat(0x7e,version()))",
        "and updatexml(1,concat(0x7e,user()),1)",
        "convert(int,@@version)",
    ],
    "HG-SQLI-007": ["1 ORDER BY 5--", "ORDER BY 1,SLEEP(5),3"],
    "HG-SQLI-008": ["SELECT * FROM users", "(SELECT password FROM users LIMIT 1)", "insert into users values(1)"],
}

BENIGN = [
    "O'Brien",
    "don't stop me now",
    "Rock 'n' roll",
    "select the best option",
    "The students' union select committee",
    "I'd like to order by phone",
    "5' 10\" tall",
    "1 or 2 items",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "product_id_i:(34720 OR 20066 OR 20065)",
    '[[-321,-596],[-53,"-54"],[-42,-43]]',
    "Park Plaza Westminster Bridge London|London (and vicinity)||3113039",
    "function(){return o(t,r,arguments)||(i=e.apply(null,arguments)),r=arguments,i}",
    ", upper(name)",
    "(1=1)",
    "C++ or Java",
    "tom+and+jerry",
    "size+1 and up",
]


def test_rule_catalogue_is_complete_and_stable() -> None:
    ids = [rule.rule_id for rule in sqli.RULES]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"HG-SQLI-\d{3}", rule_id) for rule_id in ids)
    assert set(RULE_CASES) == set(ids), "every rule needs positive cases"
    for rule in sqli.RULES:
        assert rule.family == sqli.FAMILY == "sqli"
        assert rule.cwe == "CWE-89" and isinstance(rule.severity, Severity)
        assert rule.title and rule.description and rule.remediation and rule.paranoia >= 1


@pytest.mark.parametrize(("rule_id", "payload"), [(r, p) for r, cases in RULE_CASES.items() for p in cases])
def test_each_rule_reports_its_payloads_with_a_reason(rule_id: str, payload: str) -> None:
    found = sqli.scan(payload, CTX)
    assert found is not None, payload
    assert found.rule_id == rule_id, (payload, found)
    assert found.detail and 0 <= found.start <= found.end <= len(payload)


@pytest.mark.parametrize("value", BENIGN)
def test_benign_values_pass(value: str) -> None:
    assert sqli.scan(value, CTX) is None


def test_detail_names_the_context_the_injection_sits_in() -> None:
    assert "inside '...'" in (sqli.scan("x' or 1=1--", CTX) or pytest.fail()).detail
    assert 'inside "..."' in (sqli.scan('x" or 1=1--', CTX) or pytest.fail()).detail
    assert "bare value" in (sqli.scan("1 union select 1,2", CTX) or pytest.fail()).detail


def test_tokenizer_folds_comments_and_reads_version_comments_as_code() -> None:
    kinds = [t.kind for t in tokenize("1/**/union/*!50000select*/1#x")]
    assert kinds == ["n", "U", "E", "n", "c"]
    quoted = tokenize("O'Brien", SINGLE_QUOTES)
    assert [(t.kind, t.value) for t in quoted] == [("s", "o"), ("w", "brien")]


@pytest.mark.parametrize("kind", ["attacks", "benign"])
def test_hand_written_hard_cases(kind: str) -> None:
    cases = hard_cases("sqli")[kind]
    wrong = [c for c in cases if (sqli.scan(c, CTX) is None) == (kind == "attacks")]
    assert not wrong


def test_detection_rate_on_copied_payload_lists() -> None:
    payloads = [line for _name, line in fixture_payloads("sqli")]
    assert len(payloads) > 400
    rate, missed = detection_rate(sqli, payloads)
    assert rate >= MIN_DETECTION, missed


def test_detection_rate_on_malicious_query_strings() -> None:
    queries = fixture_lines("sqli", "query-strings.txt")
    hits = [q for q in queries if any(detect(sqli, f) for f in query_fields(q))]
    assert len(hits) / len(queries) >= MIN_DETECTION


def test_false_positive_rate_on_benign_query_strings() -> None:
    rate, flagged = false_positive_rate(sqli, fixture_lines("sqli", "benign-query-strings.txt"))
    assert rate <= MAX_FALSE_POSITIVES, flagged[:5]


def test_prefilter_is_a_necessary_condition_and_rejects_most_benign_strings() -> None:
    prefilter = re.compile(sqli.PREFILTER, re.IGNORECASE)
    strings = [line for _n, line in fixture_payloads("sqli")] + hard_cases("sqli")["attacks"] + BENIGN
    strings += [f for q in fixture_lines("sqli", "query-strings.txt") for f in query_fields(q)]
    benign_fields = [f for q in fixture_lines("sqli", "benign-query-strings.txt") for f in query_fields(q)]
    for text in strings + benign_fields:
        for view in views(text):
            # ``detect`` checks its own gate first: only the ungated function shows both are necessary.
            if sqli.detect_unfiltered(view, CTX) is not None:
                assert prefilter.search(view), view
                assert sqli.detect(view, CTX) is not None, view
    rejected = sum(1 for f in benign_fields if not prefilter.search(f))
    assert rejected / len(benign_fields) > 0.9


def test_order_without_by_in_plain_words_skips_the_tokenizer_and_nothing_else_changes() -> None:
    """``detect`` skips a value of plain words whose only trigger is "order" with no "by" (a word list):
    on seeded mixes of "order", SQL keywords, numbers and punctuation it flags exactly what the
    PREFILTER-gated tokenizer flags."""
    prefilter = re.compile(sqli.PREFILTER, re.IGNORECASE)
    assert sqli.detect("order customer delivery invoice", CTX) is None
    assert sqli.detect("1 ORDER/**/BY 5--", CTX) is not None
    assert sqli.detect("-1;#order", CTX) is not None  # punctuation: not a plain-words value
    rng = random.Random(1089)
    pieces = [
        "order", "order", "ORDER", "order_id", "from", "asc", "desc", "by", "as", "all", "top", "then", "else", "end",
        "values", "null", "id", "name", "1", "5", "0x1f", "1e5", "_", ";", "#", "--", "/**/", "/*!", "*/", "(", ")",
        ",", "=", "-", "+", "*", "%", "{", "}", "\x00",
    ]
    plain_skipped = 0
    for _ in range(20_000):
        text = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 7)))
        for ctx in (CTX, ScanContext(paranoia=3)):
            before = prefilter.search(text) is not None and sqli.detect_unfiltered(text, ctx) is not None
            assert (sqli.detect(text, ctx) is not None) == before, text
        plain_skipped += sqli._PLAIN_WORDS.fullmatch(text) is not None and "order" in text and "by" not in text
    assert plain_skipped > 500  # the mixes do reach the case the shortcut is for


@pytest.mark.parametrize("chunk", ["'", '"', "(", "[", "/*", "' or ", "1 union select ", "--\n", "`", "\\'"])
def test_adversarial_input_is_bounded(chunk: str) -> None:
    text = chunk * (100_000 // len(chunk))
    assert len(tokenize(text, SINGLE_QUOTES)) <= MAX_TOKENS
    sqli.detect(text, CTX)  # completes (no quadratic path) and does not raise


def test_random_input_never_raises() -> None:
    rng = random.Random(7)
    alphabet = "'\"`()/*-#;=<>|&@.,0123456789 \n\tunionselectorandsleep\\!%$[]{}\u2019"
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        sqli.detect(text, CTX)  # unguarded: a bug would raise here
